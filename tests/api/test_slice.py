"""The walking skeleton's slice through the API: staff login, election set-up, codes,
voting and re-voting, close, greedy tally, publish, results and signed exports."""
import base64
import os
import subprocess
import tempfile
import concurrent.futures as cf
import http.client
import json

import client


def greedy(costs, votes, budget):
    """Reference greedy: most approvals first, ties by lower cost then lower id."""
    order = sorted(costs, key=lambda p: (-votes.get(p, 0), costs[p], p))
    left, won = budget, []
    for p in order:
        if costs[p] <= left:
            won.append(p)
            left -= costs[p]
    return won


def test_health(ctx):
    s = ctx.server
    r = s.get("/healthz")
    assert r.status == 200 and r.json == {"status": "ok"}, r
    r = s.get("/readyz")
    assert r.status == 200, r
    r = s.get("/metrics")
    assert r.status == 200 and "pb_http_requests_total" in r.body, r


def test_staff_login(ctx):
    s = ctx.server
    r = s.post("/api/v1/staff/login", {"email": client.ADMIN_EMAIL, "password": client.ADMIN_PASSWORD})
    assert r.status == 200, r
    assert len(r.json["token"]) >= 32 and len(r.json["csrf_token"]) == 64 and r.json["role"] == "admin"
    cookie = r.header("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie, cookie
    r = s.post("/api/v1/staff/login", {"email": client.ADMIN_EMAIL, "password": "wrong"})
    assert r.status == 401 and r.code == "invalid_credentials", r
    r = s.post("/api/v1/staff/login", {"email": "nobody@example.org", "password": "x"})
    assert r.status == 401 and r.code == "invalid_credentials", r
    r = s.post("/api/v1/staff/login", {"email": client.ADMIN_EMAIL})
    assert r.status == 422 and r.code == "invalid_field", r


def test_staff_logout_revokes_token(ctx):
    s = ctx.server
    t = s.post("/api/v1/staff/login", {"email": client.ADMIN_EMAIL, "password": client.ADMIN_PASSWORD}).json["token"]
    assert s.get("/api/v1/staff/me", token=t).status == 200
    assert s.post("/api/v1/staff/logout", token=t).status == 204
    r = s.get("/api/v1/staff/me", token=t)
    assert r.status == 401 and r.code == "unauthorized", r


def test_cookie_needs_csrf(ctx):
    s = ctx.server
    r = s.post("/api/v1/staff/login", {"email": client.ADMIN_EMAIL, "password": client.ADMIN_PASSWORD})
    cookie = r.header("Set-Cookie").split(";")[0]
    body = {"slug": ctx.unique(), "title": {"da": "x"}, "ballot": {"type": "approval"}}
    r2 = s.post("/api/v1/elections", body, headers={"Cookie": cookie})
    assert r2.status == 403 and r2.code == "csrf_token_invalid", r2
    r3 = s.post("/api/v1/elections", body, headers={"Cookie": cookie, "X-CSRF-Token": r.json["csrf_token"]})
    assert r3.status == 201, r3
    assert s.get("/api/v1/staff/me", headers={"Cookie": cookie}).status == 200


def test_whole_slice(ctx):
    s, t = ctx.server, ctx.admin_token()
    r = s.post("/api/v1/elections", {"slug": ctx.unique(), "title": {"da": "Borgerbudget", "en": "Citizens' budget"},
                                     "currency": "DKK", "ballot": {"type": "approval", "max_selections": 3},
                                     "rule": "greedy"}, token=t)
    assert r.status == 201, r
    eid = r.json["id"]
    assert r.json["phase"] == "draft" and r.json["ballot"]["max_selections"] == 3
    r = s.post(f"/api/v1/elections/{eid}/districts", {"name": {"da": "Midtby", "en": "Centre"}, "budget": 1000000},
               token=t)
    assert r.status == 201 and r.json["budget"] == 1000000, r
    did = r.json["id"]
    costs = {}
    for i, cost in enumerate([400000, 350000, 300000, 250000, 100000]):
        r = s.post(f"/api/v1/elections/{eid}/proposals",
                   {"district_id": did, "title": {"da": f"Projekt {i}", "en": f"Project {i}"},
                    "summary": {"da": "kort", "en": "short"}, "cost": cost, "category": "park"}, token=t)
        assert r.status == 201 and r.json["status"] == "accepted", r
        costs[r.json["id"]] = cost
    pids = sorted(costs)
    # The public sees no draft; staff do.
    assert s.get(f"/api/v1/elections/{eid}").status == 404
    assert s.get(f"/api/v1/elections/{eid}", token=t).status == 200
    r = s.post(f"/api/v1/elections/{eid}/phase", {"phase": "voting"}, token=t)
    assert r.status == 200 and r.json["phase"] == "voting", r
    r = s.get(f"/api/v1/elections/{eid}/proposals")
    assert r.status == 200 and len(r.json["proposals"]) == 5, r
    r = s.post(f"/api/v1/elections/{eid}/codes", {"district_id": did, "count": 6}, token=t)
    assert r.status == 201 and len(r.json["codes"]) == 6, r
    codes = r.json["codes"]
    assert all(len(c) == 19 and c.count("-") == 3 for c in codes)
    assert len(set(codes)) == 6
    # only a keyed hash of each code is stored
    stored = ctx.env.psql(f"SELECT encode(code_hash, 'hex') FROM voting_codes WHERE election_id = {eid}")
    for c in codes:
        assert c not in stored and c.replace("-", "") not in stored

    ballots = [[pids[0], pids[1]], [pids[0], pids[2]], [pids[1], pids[2], pids[3]], [pids[3], pids[4]], [pids[4]]]
    votes = {}
    trackers = []
    for code, ballot in zip(codes, ballots):
        vt = ctx.voter(eid, code)
        first = s.put(f"/api/v1/elections/{eid}/ballot", {"district_id": did, "approvals": [pids[0]]}, token=vt)
        assert first.status == 200 and first.json["replaced"] is False, first
        r = s.put(f"/api/v1/elections/{eid}/ballot", {"district_id": did, "approvals": ballot}, token=vt)
        assert r.status == 200 and r.json["replaced"] is True, r
        trackers.append(r.json["tracker"])
        r2 = s.get(f"/api/v1/elections/{eid}/ballot", token=vt)
        assert r2.status == 200 and sorted(r2.json["approvals"]) == sorted(ballot), r2
        assert r2.json["tracker"] == trackers[-1]
        board = s.get(f"/api/v1/elections/{eid}/trackers").json["trackers"]
        assert first.json["tracker"] not in board and trackers[-1] in board
        for p in ballot:
            votes[p] = votes.get(p, 0) + 1
    board = s.get(f"/api/v1/elections/{eid}/trackers").json["trackers"]
    assert sorted(board) == sorted(trackers)
    # a voter session on a re-login sees its ballot
    r = s.post(f"/api/v1/elections/{eid}/voter-sessions", {"method": "code", "code": codes[0]})
    assert r.json["has_voted"] is True and r.json["districts"] == [did], r
    r = s.post(f"/api/v1/elections/{eid}/voter-sessions", {"method": "code", "code": codes[5]})
    assert r.json["has_voted"] is False, r
    r = s.get(f"/api/v1/elections/{eid}/turnout")
    assert r.status == 200 and r.json["total"] == 5, r
    d0 = r.json["districts"][0]
    assert d0["district_id"] == did and d0["ballots"] == 5 and d0["codes"] == len(codes) and d0["voters"] == 6, r

    # results are not there before the count, nor public before publication
    assert s.post(f"/api/v1/elections/{eid}/tally", token=t).code == "wrong_phase"
    assert s.post(f"/api/v1/elections/{eid}/phase", {"phase": "closed"}, token=t).status == 200
    vt = ctx.voter if False else None
    r = s.get(f"/api/v1/elections/{eid}/results")
    assert r.status == 409, r
    r = s.post(f"/api/v1/elections/{eid}/publish", token=t)
    assert r.status == 409, r
    r = s.post(f"/api/v1/elections/{eid}/tally", token=t)
    assert r.status == 200, r
    want = greedy(costs, votes, 1000000)
    d = r.json["districts"][0]
    assert d["winners"] == want, (d, want, votes)
    assert d["spent"] == sum(costs[p] for p in want)
    for p in d["projects"]:
        assert p["score"] == votes.get(p["id"], 0) and p["selected"] == (p["id"] in want)
    r = s.post(f"/api/v1/elections/{eid}/publish", token=t)
    assert r.status == 200 and r.json["phase"] == "published", r
    r = s.get(f"/api/v1/elections/{eid}/results")
    assert r.status == 200 and r.json["rule"] == "greedy" and r.json["districts"][0]["winners"] == want, r
    assert r.json["districts"][0]["budget"] == 1000000 and r.json["signature"]

    # exports: pabulib and JSON, each with a detached Ed25519 signature
    key = s.get(f"/api/v1/elections/{eid}/public-key")
    assert key.status == 200 and "BEGIN PUBLIC KEY" in key.json["pem"], key
    pb = s.get(f"/api/v1/elections/{eid}/export?format=pb&district={did}")
    assert pb.status == 200, pb
    assert pb.body.startswith("META\nkey;value\n") and "\nPROJECTS\n" in pb.body and "\nVOTES\n" in pb.body
    assert "selected" in pb.body.split("PROJECTS\n")[1].split("\n")[0]
    assert len(pb.body.split("VOTES\n")[1].strip().split("\n")) == 1 + 5
    for vote in ballots:
        pass
    verify(key.json["pem"], pb.body.encode(), pb.header("X-Signature"))
    js = s.get(f"/api/v1/elections/{eid}/export?format=json&district={did}")
    assert js.status == 200 and len(js.json["district"]["ballots"]) == 5, js
    verify(key.json["pem"], js.body.encode(), js.header("X-Signature"))
    # no identities: nothing in the export links to a voter or a code
    for c in codes:
        assert c not in js.body and c not in pb.body
    # a tampered export fails verification
    try:
        verify(key.json["pem"], pb.body.encode().replace(b"VOTES", b"VOTEZ"), pb.header("X-Signature"))
        assert False, "tampered export verified"
    except AssertionError as e:
        assert "verification failed" in str(e)


def verify(pem, data, sig_b64):
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "k.pem"), "w").write(pem)
        open(os.path.join(d, "data"), "wb").write(data)
        open(os.path.join(d, "sig"), "wb").write(base64.b64decode(sig_b64))
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "k.pem", "-rawin",
                            "-in", "data", "-sigfile", "sig"], cwd=d, capture_output=True, text=True)
        assert r.returncode == 0, "verification failed: " + r.stdout + r.stderr


def test_concurrent_ballots_one_voter(ctx):
    e = ctx.election(proposals=[(0, 100), (0, 200), (0, 300)], codes=2)
    eid, did = e["id"], e["districts"][0]
    vt = ctx.voter(eid, e["codes"][did][0])
    s = ctx.server

    def cast(i):
        return s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [e["proposals"][i % 3]]}, token=vt).status

    with cf.ThreadPoolExecutor(32) as pool:
        statuses = list(pool.map(cast, range(100)))
    assert all(st == 200 for st in statuses), statuses
    n = ctx.env.psql(f"SELECT count(*) FROM ballots WHERE election_id = {eid}")
    assert n == "1", n
    assert s.get(f"/api/v1/elections/{eid}/turnout").json["total"] == 1


def test_concurrent_logins_one_code(ctx):
    e = ctx.election(proposals=[(0, 100)], codes=1)
    eid, did = e["id"], e["districts"][0]
    code = e["codes"][did][0]
    s = ctx.server

    def login(i):
        # from 50 addresses: sign-ins are counted against their address while in flight (a
        # success gives its count back), and one address may have 30 in flight at a time
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60, source_address=(f"127.0.1.{i % 50}", 0))
        try:
            conn.request("POST", f"/api/v1/elections/{eid}/voter-sessions", json.dumps({"method": "code", "code": code}),
                         {"Content-Type": "application/json"})
            return conn.getresponse().status
        finally:
            conn.close()

    with cf.ThreadPoolExecutor(50) as pool:
        statuses = list(pool.map(login, range(500)))
    assert all(st == 201 for st in statuses), statuses
    assert ctx.env.psql(f"SELECT count(*) FROM voters WHERE election_id = {eid}") == "1"


def test_ballot_table_holds_no_identity(ctx):
    cols = ctx.env.psql("SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns"
                        " WHERE table_name = 'ballots'")
    assert cols == "district_id,election_id,id,items,points,source,tracker,voter_tag", cols


def test_turnout_counts_every_ballot_at_once(ctx):
    """Observers poll turnout: ballots count at once even though the eligible side (codes,
    voters signed in) is kept for a few seconds; new codes show at once too."""
    s = ctx.server
    e = ctx.election(proposals=[(0, 100)], codes=4)
    eid, d, p = e["id"], e["districts"][0], e["proposals"][0]
    r = s.get(f"/api/v1/elections/{eid}/turnout")
    assert r.json["total"] == 0 and r.json["districts"][0]["codes"] == 4, r
    for i, code in enumerate(e["codes"][d]):
        vt = ctx.voter(eid, code)
        assert s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p]}, token=vt).status == 200
        r = s.get(f"/api/v1/elections/{eid}/turnout")
        assert r.json["total"] == i + 1 and r.json["districts"][0]["ballots"] == i + 1, r
    assert s.post(f"/api/v1/elections/{eid}/codes", {"district_id": d, "count": 3}, token=e["token"]).status == 201
    assert s.get(f"/api/v1/elections/{eid}/turnout").json["districts"][0]["codes"] == 7
