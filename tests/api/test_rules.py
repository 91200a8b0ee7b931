"""Counting rules through the server: Equal Shares with add1 and sequential Phragmén on the
hand-counted instance of docs/TALLY.md, and greedy variants from rule_params."""


def run(ctx, rule, ballots, rule_params=None, costs=(6000, 4000, 4000), budget=10000, btype="approval"):
    s = ctx.server
    extra = {"rule_params": rule_params} if rule_params else {}
    e = ctx.election(ballot={"type": btype}, rule=rule, districts=((budget, "X"),),
                     proposals=[(0, c) for c in costs], codes=len(ballots), **extra)
    eid, d = e["id"], e["districts"][0]
    for code, ballot in zip(e["codes"][d], ballots):
        vt = ctx.voter(eid, code)
        r = s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [e["proposals"][i] for i in ballot]}, token=vt)
        assert r.status == 200, r
    assert s.post(f"/api/v1/elections/{eid}/phase", {"phase": "closed"}, token=e["token"]).status == 200
    r = s.post(f"/api/v1/elections/{eid}/tally", token=e["token"])
    assert r.status == 200, r
    dist = r.json["districts"][0]
    return [e["proposals"].index(p) for p in dist["winners"]], dist


BALLOTS = [[0], [0], [0, 2], [1, 2]]


def test_equal_shares_add1(ctx):
    winners, d = run(ctx, "equal_shares", BALLOTS)
    assert sorted(winners) == [0, 2], d
    assert d["voter_budget"] == 5900 and d["spent"] == 10000, d
    prices = {p["id"]: p.get("price_per_supporter") for p in d["projects"]}
    assert abs(prices[d["winners"][0]] - 2000) < 1e-6, d


def test_equal_shares_cardinality_without_completion(ctx):
    winners, d = run(ctx, "equal_shares", BALLOTS, {"completion": "none", "utilities": "cardinality"})
    assert winners == [2], d


def test_phragmen(ctx):
    winners, d = run(ctx, "phragmen", BALLOTS)
    assert winners == [2, 0], d


def test_greedy_no_skip_and_threshold(ctx):
    # votes: P0 3, P1 2, P2 1; P1 does not fit after P0
    ballots = [[0, 1], [0, 1], [0, 2]]
    winners, _ = run(ctx, "greedy", ballots, costs=(6000, 5000, 1000))
    assert winners == [0, 2]
    winners, _ = run(ctx, "greedy", ballots, {"greedy_variant": "no-skip"}, costs=(6000, 5000, 1000))
    assert winners == [0]
    winners, _ = run(ctx, "greedy", ballots, {"min_project_score_threshold": 2}, costs=(6000, 5000, 1000))
    assert winners == [0]


def test_rule_must_fit_ballot(ctx):
    s, t = ctx.server, ctx.admin_token()
    for rule, ballot in [("phragmen", {"type": "cumulative", "points": 5}), ("equal_shares", {"type": "ordinal"})]:
        r = s.post("/api/v1/elections", {"slug": ctx.unique(), "title": "x", "ballot": ballot, "rule": rule}, token=t)
        assert r.status == 422 and r.json["error"]["field"] == "rule", r
    r = s.post("/api/v1/elections", {"slug": ctx.unique(), "title": "x", "ballot": {"type": "approval"},
                                     "rule": "equal_shares", "rule_params": {"completion": "add2"}}, token=t)
    assert r.status == 422, r


def test_share_and_observer_recount(ctx):
    """An Equal Shares election: the voter asks where their share went; an observer
    verifies the signed pabulib export and recounts it with build/pbtally."""
    import base64
    import hashlib
    import os
    import subprocess
    import tempfile
    s = ctx.server
    e = ctx.election(ballot={"type": "approval"}, rule="equal_shares", districts=((10000, "X"),),
                     proposals=[(0, 6000), (0, 4000), (0, 4000)], codes=4)
    eid, d = e["id"], e["districts"][0]
    trackers = []
    for code, ballot in zip(e["codes"][d], BALLOTS):
        vt = ctx.voter(eid, code)
        r = s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [e["proposals"][i] for i in ballot]}, token=vt)
        trackers.append(r.json["tracker"])
    s.post(f"/api/v1/elections/{eid}/phase", {"phase": "closed"}, token=e["token"])
    assert s.post(f"/api/v1/elections/{eid}/tally", token=e["token"]).status == 200
    r = s.get(f"/api/v1/elections/{eid}/results/share?tracker={trackers[2]}")
    assert r.status == 409, r  # not published yet
    assert s.post(f"/api/v1/elections/{eid}/publish", token=e["token"]).status == 200
    # voter 3 approved A and C: paid 20.00 for A (everyone's equal part) and the rest
    # of their 59.00 towards C
    r = s.get(f"/api/v1/elections/{eid}/results/share?tracker={trackers[2]}")
    assert r.status == 200 and r.json["voter_budget"] == 5900, r
    paid = {x["project_id"]: x["amount"] for x in r.json["paid"]}
    a, c = e["proposals"][0], e["proposals"][2]
    assert abs(paid[a] - 2000) < 1e-6 and abs(paid[c] - 2000) < 1e-6 and abs(r.json["unspent"] - 1900) < 1e-6, r
    assert s.get(f"/api/v1/elections/{eid}/results/share?tracker={'0' * 64}").status == 404
    assert s.get(f"/api/v1/elections/{eid}/results/share?tracker=xyz").status == 422

    pb = s.get(f"/api/v1/elections/{eid}/export?format=pb&district={d}")
    key = s.get(f"/api/v1/elections/{eid}/public-key").json["pem"]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    tool = os.path.join(root, "build", "pbtally")
    with tempfile.TemporaryDirectory() as tmp:
        open(os.path.join(tmp, "e.pb"), "w").write(pb.body)
        open(os.path.join(tmp, "k.pem"), "w").write(key)
        run = subprocess.run([tool, "--verify", "k.pem", "--signature", pb.header("X-Signature"), "e.pb"],
                             cwd=tmp, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        winners = s.get(f"/api/v1/elections/{eid}/results").json["districts"][0]["winners"]
        assert run.stdout.split() == [str(w) for w in winners], (run.stdout, winners)
        open(os.path.join(tmp, "e.pb"), "w").write(pb.body.replace(";1\n", ";0\n", 1))
        run = subprocess.run([tool, "--verify", "k.pem", "--signature", pb.header("X-Signature"), "e.pb"],
                             cwd=tmp, capture_output=True, text=True)
        assert run.returncode == 3 and "SIGNATURE INVALID" in run.stderr, run
    # the manifest lists every export with its hash; the hashes match the files
    m = s.get(f"/api/v1/elections/{eid}/export?format=manifest")
    assert m.status == 200 and len(m.json["files"]) == 2 + 4, m
    for f in m.json["files"]:
        body = s.get(f["url"]).body.encode()
        assert hashlib.sha256(body).hexdigest() == f["sha256"], f
    board = s.get(f"/api/v1/elections/{eid}/export?format=trackers").body.split()
    assert sorted(board) == sorted(trackers)


def test_eligibility_exclusion_and_category_quotas(ctx):
    s = ctx.server
    # votes: P0 4, P1 3, P2 1 of 4 ballots; P0 and P1 exclude each other; min_vote_share
    # 0.3 rules out P2 (1 of 4 = 0.25)
    e = ctx.election(rule="greedy", rule_params={"min_vote_share": 0.3}, districts=((10000, "X"),),
                     proposals=[(0, 3000), (0, 3000), (0, 1000)], phase=None, codes=0)
    eid, d, p = e["id"], e["districts"][0], e["proposals"]
    assert s.patch(f"/api/v1/proposals/{p[0]}", {"exclusive_group": 1}, token=e["token"]).json["exclusive_group"] == 1
    r = s.patch(f"/api/v1/proposals/{p[1]}", {"exclusive_group": 1, "cost": 3500}, token=e["token"])
    assert r.status == 200 and r.json["exclusive_group"] == 1 and r.json["cost"] == 3500, r
    s.post(f"/api/v1/elections/{eid}/phase", {"phase": "voting"}, token=e["token"])
    codes = s.post(f"/api/v1/elections/{eid}/codes", {"district_id": d, "count": 4}, token=e["token"]).json["codes"]
    for code, ballot in zip(codes, [[0, 1], [0, 1, 2], [0, 1], [0]]):
        vt = ctx.voter(eid, code)
        assert s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[i] for i in ballot]}, token=vt).status == 200
    s.post(f"/api/v1/elections/{eid}/phase", {"phase": "closed"}, token=e["token"])
    r = s.post(f"/api/v1/elections/{eid}/tally", token=e["token"])
    assert r.json["districts"][0]["winners"] == [p[0]], r  # P1 excluded by P0, P2 below the share

    # at most one park proposal, and at most half the budget on traffic
    e = ctx.election(ballot={"type": "approval", "category_limits": [{"category": "park", "max_selections": 1},
                                                                     {"category": "trafik", "max_share": 0.5}]},
                     districts=((10000, "X"),), phase=None,
                     categories=[{"key": "park", "name": "Park"}, {"key": "trafik", "name": "Trafik"}])
    eid, d = e["id"], e["districts"][0]
    ids = [s.post(f"/api/v1/elections/{eid}/proposals", {"district_id": d, "title": t, "cost": c, "category": k},
                  token=e["token"]).json["id"] for t, c, k in [("A", 100, "park"), ("B", 100, "park"), ("C", 6000, "trafik")]]
    s.post(f"/api/v1/elections/{eid}/phase", {"phase": "voting"}, token=e["token"])
    code = s.post(f"/api/v1/elections/{eid}/codes", {"district_id": d, "count": 1}, token=e["token"]).json["codes"][0]
    vt = ctx.voter(eid, code)
    r = s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": ids[:2]}, token=vt)
    assert r.status == 422 and r.code == "category_max_selections", r
    r = s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [ids[0], ids[2]]}, token=vt)
    assert r.status == 422 and r.code == "category_max_share", r
    assert s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [ids[0]]}, token=vt).status == 200


def test_share_of_a_greedy_count(ctx):
    """A budget counted greedily has no shares: a real receipt gets 409, but a receipt no
    counted ballot has is 404 whatever the rule (its budget, and so its rule, is unknown)."""
    s = ctx.server
    e = ctx.election(ballot={"type": "approval"}, rule="greedy", districts=((10000, "X"),),
                     proposals=[(0, 6000), (0, 4000)], codes=2)
    eid, d = e["id"], e["districts"][0]
    trackers = []
    for code in e["codes"][d]:
        r = s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [e["proposals"][0]]}, token=ctx.voter(eid, code))
        assert r.status == 200, r
        trackers.append(r.json["tracker"])
    assert s.post(f"/api/v1/elections/{eid}/phase", {"phase": "closed"}, token=e["token"]).status == 200
    assert s.post(f"/api/v1/elections/{eid}/tally", token=e["token"]).status == 200
    assert s.post(f"/api/v1/elections/{eid}/publish", token=e["token"]).status == 200
    r = s.get(f"/api/v1/elections/{eid}/results/share?tracker={trackers[0]}")
    assert r.status == 409, r
    wrong = trackers[0][:-1] + ("0" if trackers[0][-1] != "0" else "1")
    r = s.get(f"/api/v1/elections/{eid}/results/share?tracker={wrong}")
    assert r.status == 404 and r.json["error"]["field"] == "tracker", r
