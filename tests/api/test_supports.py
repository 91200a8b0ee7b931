"""The supports phase (pre-selection): citizens support up to N accepted proposals of their
district between the ideas phase and review, withdraw until the phase ends; counts are
public only when the election shows them; staff read the ranking. The rules hold under
parallel requests (one support per citizen and proposal; never more than N)."""
import concurrent.futures as cf
import time


def _path(eid, pid=None):
    return f"/api/v1/elections/{eid}/supports" + (f"/{pid}" if pid else "")


def _support(s, eid, pid, token):
    return s.put(_path(eid, pid), token=token)


def _withdraw(s, eid, pid, token):
    return s.request("DELETE", _path(eid, pid), token=token)


def _supports_election(ctx, proposals, codes=2, max_per_voter=3, show_counts=True, districts=None):
    """An election in the supports phase with accepted proposals and voting codes."""
    kw = {"districts": districts} if districts else {}
    e = ctx.election(proposals=proposals, phase=None, codes=codes, **kw)
    s, t = ctx.server, e["token"]
    r = s.patch(f"/api/v1/elections/{e['id']}",
                {"supports": {"max_per_voter": max_per_voter, "show_counts": show_counts}}, token=t)
    assert r.status == 200 and r.json["supports"] == {"max_per_voter": max_per_voter, "show_counts": show_counts}, r
    for phase in ("proposals", "supports"):
        r = s.post(f"/api/v1/elections/{e['id']}/phase", {"phase": phase}, token=t)
        assert r.status == 200 and r.json["phase"] == phase, r
    return e


def _counts(s, eid, token=None):
    r = s.get(f"/api/v1/elections/{eid}/proposals", token=token)
    assert r.status == 200, r
    return {p["id"]: p.get("supports") for p in r.json["proposals"]}


def test_supports_flow_sign_in_support_withdraw_and_phase_end(ctx):
    e = _supports_election(ctx, [(0, 100), (0, 200), (0, 300)])
    eid, did, (p1, p2, p3) = e["id"], e["districts"][0], e["proposals"]
    s = ctx.server
    # signing in is open in the supports phase
    vt = ctx.voter(eid, e["codes"][did][0])
    mine = s.get(_path(eid), token=vt)
    assert mine.status == 200 and mine.json == {"proposal_ids": [], "used": 0, "max_per_voter": 3,
                                                "show_counts": True}, mine
    r = _support(s, eid, p2, vt)
    assert r.status == 200 and r.json == {"proposal_id": p2, "supported": True, "used": 1, "max_per_voter": 3,
                                          "supports": 1}, r
    again = _support(s, eid, p2, vt)  # idempotent: still one support
    assert again.status == 200 and again.json["used"] == 1 and again.json["supports"] == 1, again
    assert _support(s, eid, p3, vt).json["used"] == 2
    assert s.get(_path(eid), token=vt).json["proposal_ids"] == sorted([p2, p3])
    # staff see counts at once (no cache for them)
    assert _counts(s, eid, e["token"]) == {p1: 0, p2: 1, p3: 1}
    w = _withdraw(s, eid, p3, vt)
    assert w.status == 200 and w.json == {"proposal_id": p3, "supported": False, "used": 1, "max_per_voter": 3,
                                          "supports": 0}, w
    assert _withdraw(s, eid, p3, vt).json["used"] == 1  # withdrawing twice is harmless
    # the election JSON and the phase vocabulary know the phase
    el = s.get(f"/api/v1/elections/{eid}").json
    assert el["phase"] == "supports" and el["supports"] == {"max_per_voter": 3, "show_counts": True}
    # the phase ends: no more supports or withdrawals; what was given stays
    assert s.post(f"/api/v1/elections/{eid}/phase", {"phase": "review"}, token=e["token"]).status == 200
    for r in (_support(s, eid, p1, vt), _withdraw(s, eid, p2, vt)):
        assert r.status == 409 and r.code == "wrong_phase", r
    assert s.get(_path(eid), token=vt).json["proposal_ids"] == [p2]


def test_supports_outside_the_phase_are_wrong_phase(ctx):
    e = ctx.election(proposals=[(0, 100)], phase="proposals", codes=1)
    eid, did, pid = e["id"], e["districts"][0], e["proposals"][0]
    vt = ctx.voter(eid, e["codes"][did][0])
    for r in (_support(ctx.server, eid, pid, vt), _withdraw(ctx.server, eid, pid, vt)):
        assert r.status == 409 and r.code == "wrong_phase", r
    assert ctx.env.psql(f"SELECT count(*) FROM supports WHERE election_id = {eid}") == "0"


def test_supports_refuse_other_districts_unknown_and_unaccepted_proposals(ctx):
    e = _supports_election(ctx, [(0, 100), (1, 100)], districts=((1000, "Nord"), (1000, "Syd")))
    eid, (d0, _), (mine, theirs) = e["id"], e["districts"], e["proposals"]
    s, t = ctx.server, e["token"]
    vt = ctx.voter(eid, e["codes"][d0][0])
    r = _support(s, eid, theirs, vt)
    assert r.status == 403 and r.code == "forbidden", r
    r = _support(s, eid, 999999999, vt)
    assert r.status == 404 and r.code == "not_found", r
    # a proposal of another election is unknown here
    other = ctx.election(proposals=[(0, 100)], phase=None)
    r = _support(s, eid, other["proposals"][0], vt)
    assert r.status == 404, r
    # only accepted proposals are open for support
    sub = s.post(f"/api/v1/elections/{eid}/proposals",
                 {"district_id": d0, "title": {"da": "Ny", "en": "New"}, "cost": 50, "status": "submitted"}, token=t)
    assert sub.status == 201, sub
    r = _support(s, eid, sub.json["id"], vt)
    assert r.status == 404, r
    # a support of a proposal rejected later no longer counts against the limit
    assert _support(s, eid, mine, vt).json["used"] == 1
    rej = s.patch(f"/api/v1/proposals/{mine}", {"status": "rejected", "reason": "Ulovligt"}, token=t)
    assert rej.status == 200, rej
    assert s.get(_path(eid), token=vt).json == {"proposal_ids": [], "used": 0, "max_per_voter": 3,
                                                "show_counts": True}
    # a staff token is not a voter session
    r = _support(s, eid, mine, t)
    assert r.status in (401, 403), r
    r = _support(s, eid, mine, None)
    assert r.status == 401, r
    assert ctx.env.psql(f"SELECT count(*) FROM supports WHERE election_id = {eid}") == "1"


def test_support_limit_is_422_with_a_stable_code(ctx):
    e = _supports_election(ctx, [(0, 10)] * 4, max_per_voter=2)
    eid, did, ps = e["id"], e["districts"][0], e["proposals"]
    s = ctx.server
    vt = ctx.voter(eid, e["codes"][did][0])
    assert _support(s, eid, ps[0], vt).status == 200
    assert _support(s, eid, ps[1], vt).status == 200
    r = _support(s, eid, ps[2], vt)
    assert r.status == 422 and r.code == "support_limit", r
    assert "2" in r.json["error"]["message"]
    # re-supporting one already held at the limit is fine; withdrawing frees a support
    assert _support(s, eid, ps[1], vt).status == 200
    assert _withdraw(s, eid, ps[0], vt).json["used"] == 1
    assert _support(s, eid, ps[2], vt).json["used"] == 2
    # staff may lower the limit: supports given stay, no new one until below it
    r = s.patch(f"/api/v1/elections/{eid}", {"supports": {"max_per_voter": 1}}, token=e["token"])
    assert r.status == 200 and r.json["supports"]["max_per_voter"] == 1
    r = _support(s, eid, ps[3], vt)
    assert r.status == 422 and r.code == "support_limit", r
    assert s.get(_path(eid), token=vt).json["used"] == 2


def test_two_hundred_parallel_identical_supports_make_one(ctx):
    e = _supports_election(ctx, [(0, 100)], codes=1)
    eid, did, pid = e["id"], e["districts"][0], e["proposals"][0]
    vt = ctx.voter(eid, e["codes"][did][0])
    s = ctx.server
    with cf.ThreadPoolExecutor(200) as pool:
        answers = list(pool.map(lambda _: _support(s, eid, pid, vt), range(200)))
    assert all(a.status == 200 for a in answers), sorted({a.status for a in answers})
    assert all(a.json["used"] == 1 and a.json["supports"] == 1 for a in answers)
    assert ctx.env.psql(f"SELECT count(*) FROM supports WHERE proposal_id = {pid}") == "1"


def test_fifty_parallel_different_supports_never_pass_the_limit(ctx):
    e = _supports_election(ctx, [(0, 10)] * 50, codes=1, max_per_voter=5)
    eid, did, ps = e["id"], e["districts"][0], e["proposals"]
    vt = ctx.voter(eid, e["codes"][did][0])
    s = ctx.server
    with cf.ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(lambda pid: _support(s, eid, pid, vt), ps))
    ok = [a for a in answers if a.status == 200]
    over = [a for a in answers if a.status == 422 and a.code == "support_limit"]
    assert len(ok) == 5 and len(over) == 45, sorted((a.status, a.code) for a in answers)
    assert sorted(a.json["used"] for a in ok) == [1, 2, 3, 4, 5]
    assert ctx.env.psql(f"SELECT count(*) FROM supports WHERE election_id = {eid}") == "5"


def test_parallel_toggles_of_many_citizens_keep_exact_counts(ctx):
    """Twenty citizens support and withdraw the same proposals at once: the counts end exact."""
    e = _supports_election(ctx, [(0, 10), (0, 20)], codes=20, max_per_voter=2)
    eid, did, (p1, p2) = e["id"], e["districts"][0], e["proposals"]
    s = ctx.server
    tokens = [ctx.voter(eid, c) for c in e["codes"][did]]

    def act(vt):
        for pid in (p1, p2, p1):
            _support(s, eid, pid, vt)
        _withdraw(s, eid, p2, vt)

    with cf.ThreadPoolExecutor(20) as pool:
        list(pool.map(act, tokens))
    assert _counts(s, eid, e["token"]) == {p1: 20, p2: 0}


def test_counts_public_only_when_shown_and_always_for_staff(ctx):
    e = _supports_election(ctx, [(0, 100), (0, 100)], codes=1, show_counts=False)
    eid, did, (p1, p2) = e["id"], e["districts"][0], e["proposals"]
    s, t = ctx.server, e["token"]
    vt = ctx.voter(eid, e["codes"][did][0])
    r = _support(s, eid, p1, vt)
    assert r.status == 200 and "supports" not in r.json, r
    assert s.get(_path(eid), token=vt).json["show_counts"] is False
    public = s.get(f"/api/v1/elections/{eid}/proposals").json["proposals"]
    assert all("supports" not in p for p in public), public
    assert "supports" not in s.get(f"/api/v1/proposals/{p1}").json
    assert s.get(f"/api/v1/proposals/{p1}", token=t).json["supports"] == 1
    assert _counts(s, eid, t) == {p1: 1, p2: 0}
    # shown: the public sees them (the anonymous cache is cleared by the staff change)
    assert s.patch(f"/api/v1/elections/{eid}", {"supports": {"show_counts": True}}, token=t).status == 200
    assert _counts(s, eid) == {p1: 1, p2: 0}
    assert s.get(f"/api/v1/proposals/{p1}").json["supports"] == 1


def test_public_counts_follow_supports_within_the_cache_lifetime(ctx):
    """The anonymous proposal list is cached (ETag) for at most 5 s; a support is not a staff
    change and does not clear it, so a public count may lag by that much, never longer."""
    e = _supports_election(ctx, [(0, 100)], codes=1)
    eid, did, pid = e["id"], e["districts"][0], e["proposals"][0]
    s = ctx.server
    first = s.get(f"/api/v1/elections/{eid}/proposals")
    etag = first.header("ETag")
    assert first.json["proposals"][0]["supports"] == 0 and etag
    vt = ctx.voter(eid, e["codes"][did][0])
    assert _support(s, eid, pid, vt).status == 200
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        r = s.get(f"/api/v1/elections/{eid}/proposals", headers={"If-None-Match": etag})
        if r.status == 200 and r.json["proposals"][0]["supports"] == 1:
            assert r.header("ETag") != etag
            break
        assert r.status in (200, 304), r
        time.sleep(0.5)
    else:
        raise AssertionError("the public count did not follow the support")


def test_support_ranking_for_staff(ctx):
    e = _supports_election(ctx, [(0, 10), (0, 20), (0, 30), (1, 40)], codes=3,
                           districts=((1000, "Nord"), (1000, "Syd")))
    eid, (d0, d1), (a, b, c, d) = e["id"], e["districts"], e["proposals"]
    s, t = ctx.server, e["token"]
    voters = [ctx.voter(eid, code) for code in e["codes"][d0]]
    for vt, picks in zip(voters, ([b, c], [b], [b, c])):
        for pid in picks:
            assert _support(s, eid, pid, vt).status == 200
    r = s.get(f"/api/v1/elections/{eid}/support-ranking", token=t)
    assert r.status == 200, r
    nord, syd = r.json["districts"]
    assert nord["district_id"] == d0 and nord["supporters"] == 3
    assert [(p["id"], p["supports"], p["rank"]) for p in nord["proposals"]] == [(b, 3, 1), (c, 2, 2), (a, 0, 3)]
    assert syd == {"district_id": d1, "supporters": 0,
                   "proposals": [{"id": d, "title": {"da": "P3", "en": "P3"}, "status": "accepted", "cost": 40,
                                  "supports": 0, "rank": 1}]}
    # staff only; a voter or the public cannot read it
    assert s.get(f"/api/v1/elections/{eid}/support-ranking", token=voters[0]).status in (401, 403)
    assert s.get(f"/api/v1/elections/{eid}/support-ranking").status == 401


def test_support_settings_are_checked_and_fixed_once_voting_opens(ctx):
    e = ctx.election(proposals=[(0, 100)], phase=None)
    eid, s, t = e["id"], ctx.server, e["token"]
    for bad in ({"max_per_voter": 0}, {"max_per_voter": 1001}, {"max_per_voter": "3"}, {"show_counts": 1},
                {"other": 1}, [1], 5):
        r = s.patch(f"/api/v1/elections/{eid}", {"supports": bad}, token=t)
        assert r.status == 422 and r.json["error"].get("field", "").startswith("supports"), (bad, r)
    r = s.post("/api/v1/elections", {"slug": ctx.unique(), "title": {"da": "T"}, "ballot": {"type": "approval"},
                                     "supports": {"max_per_voter": 3}}, token=t)
    assert r.status == 422 and r.json["error"]["field"] == "supports", r
    assert s.get(f"/api/v1/elections/{eid}", token=t).json["supports"] == {"max_per_voter": 10, "show_counts": True}
    assert s.post(f"/api/v1/elections/{eid}/phase", {"phase": "voting"}, token=t).status == 200
    r = s.patch(f"/api/v1/elections/{eid}", {"supports": {"max_per_voter": 3}}, token=t)
    assert r.status == 409 and r.code == "wrong_phase", r


def test_supports_phase_follows_the_clock(ctx):
    e = ctx.election(proposals=[(0, 100)], phase="proposals", codes=1,
                     phases={"supports": "2000-01-01T00:00:00Z", "review": "2999-01-01T00:00:00Z"})
    eid, did, pid = e["id"], e["districts"][0], e["proposals"][0]
    assert ctx.server.get(f"/api/v1/elections/{eid}").json["phase"] == "supports"
    vt = ctx.voter(eid, e["codes"][did][0])
    assert _support(ctx.server, eid, pid, vt).status == 200


def test_supporters_are_keyed_hashes_unlinkable_to_ballots(ctx):
    """The supports table holds no voter id, and the supporter hash is not the ballot tag."""
    e = _supports_election(ctx, [(0, 100)], codes=1)
    eid, did, pid = e["id"], e["districts"][0], e["proposals"][0]
    vt = ctx.voter(eid, e["codes"][did][0])
    assert _support(ctx.server, eid, pid, vt).status == 200
    cols = ctx.env.psql("SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns"
                        " WHERE table_name = 'supports'")
    assert cols == "election_id,proposal_id,supporter", cols
    assert ctx.env.psql(f"SELECT length(supporter) FROM supports WHERE proposal_id = {pid}") == "32"
    # the same voter's ballot tag differs from their supporter hash
    assert ctx.server.post(f"/api/v1/elections/{eid}/phase", {"phase": "voting"}, token=e["token"]).status == 200
    vt = ctx.voter(eid, e["codes"][did][0])
    assert ctx.server.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [pid]}, token=vt).status == 200
    assert ctx.env.psql(f"SELECT count(*) FROM supports s JOIN ballots b ON b.voter_tag = s.supporter"
                        f" WHERE s.election_id = {eid}") == "0"
