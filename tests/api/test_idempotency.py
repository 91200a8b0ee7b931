"""PUT .../ballot with an Idempotency-Key: a repeat gets the first answer and stores nothing
new, across processes and servers; the same key with another ballot is 409."""
import concurrent.futures as cf
import uuid


def _cast(s, eid, token, approvals, key):
    return s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": approvals}, token=token,
                 headers={"Idempotency-Key": key})


def test_fifty_parallel_repeats_make_one_ballot_and_one_tracker(ctx):
    e = ctx.election(proposals=[(0, 100), (0, 200)], codes=1)
    eid, did = e["id"], e["districts"][0]
    vt = ctx.voter(eid, e["codes"][did][0])
    s = ctx.server
    key = str(uuid.uuid4())
    with cf.ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(lambda _: _cast(s, eid, vt, [e["proposals"][0]], key), range(50)))
    assert all(a.status == 200 for a in answers), [a.status for a in answers]
    trackers = {a.json["tracker"] for a in answers}
    assert len(trackers) == 1, trackers
    assert len({a.json["nonce"] for a in answers}) == 1
    assert ctx.env.psql(f"SELECT count(*) FROM ballots WHERE election_id = {eid}") == "1"
    assert ctx.env.psql(f"SELECT tracker FROM ballots WHERE election_id = {eid}") == trackers.pop()
    assert s.get(f"/api/v1/elections/{eid}/turnout").json["total"] == 1
    board = s.get(f"/api/v1/elections/{eid}/trackers").json["trackers"]
    assert answers[0].json["tracker"] in board


def test_same_key_other_ballot_is_a_conflict_and_changes_nothing(ctx):
    e = ctx.election(proposals=[(0, 100), (0, 200)], codes=1)
    eid, did = e["id"], e["districts"][0]
    vt = ctx.voter(eid, e["codes"][did][0])
    s = ctx.server
    first = _cast(s, eid, vt, [e["proposals"][0]], "k-1")
    assert first.status == 200, first
    other = _cast(s, eid, vt, [e["proposals"][1]], "k-1")
    assert other.status == 409 and other.code == "idempotency_conflict", other
    assert ctx.env.psql(f"SELECT tracker FROM ballots WHERE election_id = {eid}") == first.json["tracker"]
    # a new key is a new cast: it replaces the ballot
    again = _cast(s, eid, vt, [e["proposals"][1]], "k-2")
    assert again.status == 200 and again.json["replaced"] is True and again.json["tracker"] != first.json["tracker"]
    # the old request repeated later still answers what it answered then, and changes nothing
    late = _cast(s, eid, vt, [e["proposals"][0]], "k-1")
    assert late.status == 200 and late.json["tracker"] == first.json["tracker"], late
    assert ctx.env.psql(f"SELECT tracker FROM ballots WHERE election_id = {eid}") == again.json["tracker"]


def test_keys_belong_to_their_voter(ctx):
    e = ctx.election(proposals=[(0, 100)], codes=2)
    eid, did = e["id"], e["districts"][0]
    a = ctx.voter(eid, e["codes"][did][0])
    b = ctx.voter(eid, e["codes"][did][1])
    s = ctx.server
    ra = _cast(s, eid, a, [e["proposals"][0]], "shared-key")
    rb = _cast(s, eid, b, [e["proposals"][0]], "shared-key")
    assert ra.status == 200 and rb.status == 200 and ra.json["tracker"] != rb.json["tracker"]
    assert ctx.env.psql(f"SELECT count(*) FROM ballots WHERE election_id = {eid}") == "2"


def test_repeat_reaches_another_server(ctx):
    """The key lives in the database: a second server answers the first one's tracker."""
    e = ctx.election(proposals=[(0, 100)], codes=1)
    eid, did = e["id"], e["districts"][0]
    vt = ctx.voter(eid, e["codes"][did][0])
    other = ctx.env.server()
    try:
        first = _cast(ctx.server, eid, vt, [e["proposals"][0]], "cross-server")
        second = _cast(other, eid, vt, [e["proposals"][0]], "cross-server")
        assert first.status == 200 and second.status == 200, (first, second)
        assert first.json["tracker"] == second.json["tracker"]
    finally:
        other.stop()
    assert ctx.env.psql(f"SELECT count(*) FROM ballots WHERE election_id = {eid}") == "1"


def test_malformed_keys_are_refused(ctx):
    e = ctx.election(proposals=[(0, 100)], codes=1)
    eid, did = e["id"], e["districts"][0]
    vt = ctx.voter(eid, e["codes"][did][0])
    for bad in ["x" * 65, "has space", "tab\there", "æøå"]:
        r = ctx.server.request("PUT", f"/api/v1/elections/{eid}/ballot", body={"approvals": [e["proposals"][0]]},
                               token=vt, headers={"Idempotency-Key": bad})
        assert r.status == 400 and r.code == "bad_request", (bad, r)
    assert ctx.env.psql(f"SELECT count(*) FROM ballots WHERE election_id = {eid}") == "0"
