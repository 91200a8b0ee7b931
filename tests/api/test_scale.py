"""Two servers on one database give the same results: voters sign in on one and cast (and
replace) through the other; both count the same."""
import concurrent.futures as cf


def test_two_servers_one_database(ctx):
    a = ctx.server
    b = ctx.env.server()
    try:
        e = ctx.election(proposals=[(0, 100), (0, 200), (0, 300)], codes=40)
        eid, d, p = e["id"], e["districts"][0], e["proposals"]

        def voter(i):
            code = e["codes"][d][i]
            first, second = (a, b) if i % 2 else (b, a)
            token = first.post(f"/api/v1/elections/{eid}/voter-sessions", {"code": code}).json["token"]
            r1 = second.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[i % 3]]}, token=token)
            r2 = first.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[(i + 1) % 3]]}, token=token)
            return r1.status, r2.status, r2.json.get("replaced"), r2.json.get("tracker")

        with cf.ThreadPoolExecutor(8) as pool:
            out = list(pool.map(voter, range(40)))
        assert all(x[0] == 200 and x[1] == 200 and x[2] is True for x in out), out
        for s in (a, b):
            board = s.get(f"/api/v1/elections/{eid}/trackers").json["trackers"]
            assert sorted(board) == sorted(x[3] for x in out)
        # the tally on one server is the result both serve
        assert a.post(f"/api/v1/elections/{eid}/phase", {"phase": "closed"}, token=e["token"]).status == 200
        r = b.post(f"/api/v1/elections/{eid}/tally", token=e["token"])
        assert r.status == 200, r
        assert a.get(f"/api/v1/elections/{eid}/results", token=e["token"]).json == \
            b.get(f"/api/v1/elections/{eid}/results", token=e["token"]).json
        scores = {x["id"]: x["score"] for x in r.json["districts"][0]["projects"]}
        assert sum(scores.values()) == 40
    finally:
        b.stop()


def test_several_processes_share_the_port(ctx):
    srv = ctx.env.server({"PB_PROCESSES": "2"})
    try:
        e = ctx.election(proposals=[(0, 100)], codes=4)
        eid, d = e["id"], e["districts"][0]
        for code in e["codes"][d]:
            token = srv.post(f"/api/v1/elections/{eid}/voter-sessions", {"code": code}).json["token"]
            assert srv.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [e["proposals"][0]]}, token=token).status == 200
        assert srv.get(f"/api/v1/elections/{eid}/turnout").json["total"] == 4
    finally:
        assert srv.stop() == 0  # the supervisor stops its processes and exits cleanly


def test_killed_process_is_replaced_on_its_socket(ctx):
    """Each serving process accepts on its own socket of the port; when one dies, the
    supervisor starts another on the same socket and no new connection is lost."""
    import os
    import signal
    import time
    srv = ctx.env.server({"PB_PROCESSES": "2"})
    try:
        def children():
            with open(f"/proc/{srv.proc.pid}/task/{srv.proc.pid}/children") as f:
                return sorted(int(x) for x in f.read().split())
        deadline = time.time() + 10
        while len(children()) < 2 and time.time() < deadline:
            time.sleep(0.05)
        before = children()
        assert len(before) == 2, before
        os.kill(before[0], signal.SIGKILL)
        # every fresh connection is answered, whichever socket the kernel hashes it to
        for _ in range(40):
            assert srv.get("/healthz", timeout=15).status == 200
        after = children()
        assert len(after) == 2 and before[0] not in after and before[1] in after, (before, after)
    finally:
        assert srv.stop() == 0


def test_changes_reach_every_process_cache(ctx):
    """Public reads are cached for up to 5 s, but a staff change clears every process's
    cache at once (NOTIFY pb_changed)."""
    import time
    srv = ctx.env.server({"PB_PROCESSES": "2"})
    try:
        e = ctx.election(proposals=[(0, 100)])
        url = f"/api/v1/elections/{e['id']}"
        for _ in range(6):  # fill the cache of both processes
            assert srv.get(url).json["title"]["en"] == "Test"
        assert ctx.server.patch(url, {"title": {"da": "Ny", "en": "New"}}, token=e["token"]).status == 200
        deadline = time.time() + 1.5  # well inside the 5 s age limit
        seen = set()
        while time.time() < deadline:
            seen = {srv.get(url).json["title"]["en"] for _ in range(6)}
            if seen == {"New"}:
                break
            time.sleep(0.05)
        assert seen == {"New"}, seen
    finally:
        srv.stop()
