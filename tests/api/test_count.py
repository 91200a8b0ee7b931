"""Counting: one count per election at a time, and how far it has got (GET .../tally)."""
import concurrent.futures as cf


def _closed_election(ctx):
    e = ctx.election(proposals=[(0, 100), (0, 200)], codes=3)
    eid, did = e["id"], e["districts"][0]
    for code in e["codes"][did]:
        vt = ctx.voter(eid, code)
        assert ctx.server.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [e["proposals"][0]]}, token=vt).status == 200
    assert ctx.server.post(f"/api/v1/elections/{eid}/phase", {"phase": "closed"}, token=e["token"]).status == 200
    return e


def test_status_before_and_after_a_count(ctx):
    e = _closed_election(ctx)
    s, eid, t = ctx.server, e["id"], e["token"]
    before = s.get(f"/api/v1/elections/{eid}/tally", token=t)
    assert before.status == 200 and before.json == {"running": False, "percent": 0, "started_at": None,
                                                    "finished_at": None, "error": None}, before
    assert s.post(f"/api/v1/elections/{eid}/tally", {}, token=t).status == 200
    after = s.get(f"/api/v1/elections/{eid}/tally", token=t).json
    assert after["running"] is False and after["percent"] == 100 and after["finished_at"] and after["error"] is None
    assert s.get(f"/api/v1/elections/{eid}/tally").status == 401  # staff only


def test_one_count_at_a_time(ctx):
    e = _closed_election(ctx)
    s, eid, t = ctx.server, e["id"], e["token"]
    # a count that another process is running now (alive: progress a moment ago)
    ctx.env.psql(f"INSERT INTO tally_runs (election_id, started_at, updated_at, percent) VALUES ({eid}, now(), now(), 40)")
    r = s.post(f"/api/v1/elections/{eid}/tally", {}, token=t)
    assert r.status == 409 and r.code == "conflict" and "40 % done" in r.json["error"]["message"], r
    assert s.get(f"/api/v1/elections/{eid}/tally", token=t).json["running"] is True
    # a count whose process died (no progress for a minute) is taken over
    ctx.env.psql(f"UPDATE tally_runs SET updated_at = now() - interval '2 minutes' WHERE election_id = {eid}")
    assert s.get(f"/api/v1/elections/{eid}/tally", token=t).json["running"] is False
    assert s.post(f"/api/v1/elections/{eid}/tally", {}, token=t).status == 200
    # many at once: each either counts or is told another is running; one result stays
    with cf.ThreadPoolExecutor(10) as pool:
        statuses = list(pool.map(lambda _: s.post(f"/api/v1/elections/{eid}/tally", {}, token=t).status, range(10)))
    assert set(statuses) <= {200, 409} and 200 in statuses, statuses
    assert ctx.env.psql(f"SELECT count(*) FROM results WHERE election_id = {eid}") == "1"
    assert s.get(f"/api/v1/elections/{eid}/tally", token=t).json["percent"] == 100
