"""Several frames per voter (issue 17): a city-wide budget and a district budget in one vote.
A voter votes in at most one district of each group: the one their code or register row
names, the only frame of a one-frame group, or the district they choose once where the group
lets them. One ballot per frame, each with its own budget and rules; one sign-in for all."""
from concurrent.futures import ThreadPoolExecutor


def city_and_districts(ctx, chooses=False, districts=("Nord", "Syd"), ballot=None, rule="greedy", group_rules=None):
    """An election with a city-wide frame (ungrouped, so everyone votes there) and a group
    "Bydele" of district frames, with its own rules where group_rules ({"ballot", "rule",
    ...}) gives them; one proposal per frame. Still in draft."""
    s = ctx.server
    e = ctx.election(districts=((500000, "Hele byen"),), phase=None, ballot=ballot, rule=rule)
    t = e["token"]
    r = s.post(f"/api/v1/elections/{e['id']}/district-groups",
               {"name": {"da": "Bydele", "en": "Districts"}, "voter_chooses": chooses, "position": 1,
                **(group_rules or {})}, token=t)
    assert r.status == 201 and r.json["voter_chooses"] is chooses, r
    e["group"] = r.json["id"]
    for name in districts:
        r = s.post(f"/api/v1/elections/{e['id']}/districts",
                   {"name": {"da": name, "en": name}, "budget": 100000, "group_id": e["group"]}, token=t)
        assert r.status == 201 and r.json["group_id"] == e["group"], r
        e["districts"].append(r.json["id"])
    for i, d in enumerate(e["districts"]):
        r = s.post(f"/api/v1/elections/{e['id']}/proposals",
                   {"district_id": d, "title": {"da": f"P{i}", "en": f"P{i}"}, "cost": 1000}, token=t)
        assert r.status == 201, r
        e["proposals"].append(r.json["id"])
    return e


def counted(ctx, e):
    """Counts the closed election and returns the answer of GET /results (a preview for staff)."""
    import time
    s, t = ctx.server, e["token"]
    assert s.post(f"/api/v1/elections/{e['id']}/tally", {}, token=t).status in (200, 202)
    for _ in range(100):
        r = s.get(f"/api/v1/elections/{e['id']}/results", token=t)
        if r.status == 200:
            return r
        time.sleep(0.2)
    raise AssertionError(f"no results: {r}")


def open_voting(ctx, e):
    r = ctx.server.post(f"/api/v1/elections/{e['id']}/phase", {"phase": "voting"}, token=e["token"])
    assert r.status == 200, r


def test_code_for_a_district_votes_city_wide_too(ctx):
    s = ctx.server
    e = city_and_districts(ctx)
    city, nord, syd = e["districts"]
    r = s.get(f"/api/v1/elections/{e['id']}", token=e["token"])
    assert [g["id"] for g in r.json["district_groups"]] == [e["group"]], r.json
    assert {d["id"]: d["group_id"] for d in r.json["districts"]} == {city: None, nord: e["group"], syd: e["group"]}
    open_voting(ctx, e)
    r = s.post(f"/api/v1/elections/{e['id']}/codes", {"district_id": nord, "count": 2}, token=e["token"])
    assert r.status == 201 and r.json["district_ids"] == [nord], r
    code = r.json["codes"][0]
    r = s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "code", "code": code})
    assert r.status == 201, r
    assert r.json["districts"] == [city, nord] and r.json["district_id"] == city, r.json
    assert r.json["has_voted"] is False and r.json["voted_districts"] == [] and r.json["choices"] == []
    t = r.json["token"]
    # one ballot per frame; the frame must be named when there are several
    r = s.put(f"/api/v1/elections/{e['id']}/ballot", {"approvals": [e["proposals"][0]]}, token=t)
    assert r.status == 422 and r.json["error"]["field"] == "district_id", r
    r1 = s.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": city, "approvals": [e["proposals"][0]]}, token=t)
    r2 = s.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": nord, "approvals": [e["proposals"][1]]}, token=t)
    assert r1.status == 200 and r2.status == 200 and r1.json["tracker"] != r2.json["tracker"], (r1, r2)
    assert not r1.json["replaced"] and not r2.json["replaced"]
    # a ballot of one frame cannot name another frame's proposal
    r = s.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": nord, "approvals": [e["proposals"][2]]}, token=t)
    assert r.status == 422, r
    # a frame the voter does not vote in: 403, for casting and for reading
    r = s.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": syd, "approvals": [e["proposals"][2]]}, token=t)
    assert r.status == 403 and r.json["error"]["field"] == "district_id", r
    assert s.get(f"/api/v1/elections/{e['id']}/ballot?district_id={syd}", token=t).status == 403
    # re-voting replaces per frame: the city-wide ballot again, the district's stays
    r3 = s.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": city, "approvals": []}, token=t)
    assert r3.status == 200 and r3.json["replaced"] is True, r3
    g = s.get(f"/api/v1/elections/{e['id']}/ballot?district_id={nord}", token=t)
    assert g.status == 200 and g.json["approvals"] == [e["proposals"][1]] and g.json["tracker"] == r2.json["tracker"], g
    g = s.get(f"/api/v1/elections/{e['id']}/ballot?district_id={city}", token=t)
    assert g.status == 200 and g.json["approvals"] == [] and g.json["tracker"] == r3.json["tracker"], g
    # signing in again says both are cast
    r = s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "code", "code": code})
    assert r.json["has_voted"] is True and sorted(r.json["voted_districts"]) == sorted([city, nord]), r.json
    # turnout and the count are per frame, as before
    r = s.get(f"/api/v1/elections/{e['id']}/turnout")
    by = {d["district_id"]: d["ballots"] for d in r.json["districts"]}
    assert by[city] == 1 and by[nord] == 1 and by.get(syd, 0) == 0, r.json
    # the receipt of either ballot can be e-mailed
    for tr in (r2.json["tracker"], r3.json["tracker"]):
        r = s.post(f"/api/v1/elections/{e['id']}/receipt-email", {"to": "a@example.org", "tracker": tr}, token=t)
        assert r.status in (201, 202), r


def test_codes_and_register_name_one_district_per_group(ctx):
    s = ctx.server
    e = city_and_districts(ctx)
    city, nord, syd = e["districts"]
    t = e["token"]
    r = s.post(f"/api/v1/elections/{e['id']}/codes", {"district_ids": [nord, syd], "count": 1}, token=t)
    assert r.status == 422 and r.json["error"]["field"] == "district_ids", r
    r = s.post(f"/api/v1/elections/{e['id']}/codes", {"district_ids": [nord, nord], "count": 1}, token=t)
    assert r.status == 422, r
    r = s.post(f"/api/v1/elections/{e['id']}/codes", {"district_ids": [nord, 999999999], "count": 1}, token=t)
    assert r.status == 422, r
    r = s.post(f"/api/v1/elections/{e['id']}/codes", {"district_ids": [syd, city], "count": 1}, token=t)
    assert r.status == 201 and r.json["district_ids"] == [syd, city] and r.json["district_id"] == syd, r
    # the register: a row naming two frames of one group is named by the dry run, and nothing is stored
    csv = ("personal_id,birth_date,district\n"
           "1001,1990-01-01,Nord\n"
           "1002,1990-01-01,Nord | Syd\n"
           f"1003,1990-01-01,Syd|{city}\n"
           "1004,1990-01-01,Nord | Nowhere\n")
    r = s.request("POST", f"/api/v1/elections/{e['id']}/register?dry_run=true", raw=csv.encode(), token=t,
                  headers={"Content-Type": "text/csv"})
    assert r.status == 200 and not r.json["valid"], r
    lines = {x["line"]: x for x in r.json["errors"]}
    assert set(lines) == {3, 5}, r.json
    assert lines[3]["field"] == "district" and "group" in lines[3]["message"], lines
    r = s.request("POST", f"/api/v1/elections/{e['id']}/register", raw=csv.encode(), token=t,
                  headers={"Content-Type": "text/csv"})
    assert r.status == 422, r
    good = "personal_id,birth_date,district\n1001,1990-01-01,Nord\n1003,1990-01-01,Syd|Hele byen\n"
    r = s.request("POST", f"/api/v1/elections/{e['id']}/register", raw=good.encode(), token=t,
                  headers={"Content-Type": "text/csv"})
    assert r.status == 201 and r.json["rows"] == 2, r
    # moving a district so that a code or row would name two of one group is refused
    r = s.patch(f"/api/v1/elections/{e['id']}/districts/{city}", {"group_id": e["group"]}, token=t)
    assert r.status == 409, r
    open_voting(ctx, e)
    r = s.post(f"/api/v1/elections/{e['id']}/voter-sessions",
               {"method": "register", "register": {"personal_id": "1003", "birth_date": "1990-01-01"}})
    assert r.status == 201 and r.json["districts"] == [city, syd], r.json
    r = s.post(f"/api/v1/elections/{e['id']}/voter-sessions",
               {"method": "register", "register": {"personal_id": "1001", "birth_date": "1990-01-01"}})
    assert r.status == 201 and r.json["districts"] == [city, nord], r.json
    # groups are fixed once voting has opened
    r = s.post(f"/api/v1/elections/{e['id']}/district-groups", {"name": {"da": "X"}}, token=t)
    assert r.status == 409, r


def test_voter_chooses_district_once_under_parallel_requests(ctx):
    s = ctx.server
    e = city_and_districts(ctx, chooses=True)
    city, nord, syd = e["districts"]
    t = e["token"]
    open_voting(ctx, e)
    codes = s.post(f"/api/v1/elections/{e['id']}/codes", {"district_id": city, "count": 3}, token=t).json["codes"]
    r = s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "code", "code": codes[0]})
    assert r.status == 201 and r.json["districts"] == [city], r.json
    assert r.json["choices"] == [{"group_id": e["group"], "districts": [nord, syd]}], r.json
    vt = r.json["token"]
    # not yet chosen: no ballot in a district of the group
    r = s.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": nord, "approvals": []}, token=vt)
    assert r.status == 403, r
    # bad choices
    assert s.post(f"/api/v1/elections/{e['id']}/district-choice", {"district_id": city}, token=vt).status == 403
    assert s.post(f"/api/v1/elections/{e['id']}/district-choice", {"district_id": 999999999},
                  token=vt).status == 422
    assert s.post(f"/api/v1/elections/{e['id']}/district-choice", {}, token=vt).status == 422
    assert s.post(f"/api/v1/elections/{e['id']}/district-choice", {"district_id": nord}).status == 401
    # 200 parallel choices, half for each district: one district wins, every other answer is 409
    targets = [nord, syd] * 100
    with ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(lambda d: (d, s.post(f"/api/v1/elections/{e['id']}/district-choice",
                                                     {"district_id": d}, token=vt)), targets))
    won = {d for d, a in answers if a.status == 200}
    assert len(won) == 1, [(d, a.status) for d, a in answers[:6]]
    chosen = won.pop()
    other = syd if chosen == nord else nord
    assert all(a.status == 409 and a.code == "district_already_chosen" for d, a in answers if d == other)
    assert all(a.status == 200 for d, a in answers if d == chosen)
    ok = next(a for d, a in answers if a.status == 200)
    assert ok.json["districts"] == [city, chosen] and ok.json["choices"] == [], ok.json
    nt = ok.json["token"]
    r = s.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": chosen, "approvals": []}, token=nt)
    assert r.status == 200, r
    # final: a new sign-in has the chosen district and no choice left
    r = s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "code", "code": codes[0]})
    assert r.json["districts"] == [city, chosen] and r.json["choices"] == [], r.json
    assert s.post(f"/api/v1/elections/{e['id']}/district-choice", {"district_id": other},
                  token=r.json["token"]).status == 409
    # the database holds one choice
    n = ctx.env.psql(f"SELECT count(*) FROM voter_choices c JOIN voters v ON v.id = c.voter_id "
                     f"WHERE v.election_id = {int(e['id'])}")
    assert str(n).strip() == "1", n


def test_one_frame_elections_are_unchanged(ctx):
    s = ctx.server
    e = ctx.election(districts=((100000, "Nord"), (100000, "Syd")), proposals=[(0, 100), (1, 100)], codes=1)
    nord, syd = e["districts"]
    r = s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "code", "code": e["codes"][syd][0]})
    assert r.status == 201 and r.json["districts"] == [syd] and r.json["district_id"] == syd, r.json
    t = r.json["token"]
    # the district may be left out, as before
    r = s.put(f"/api/v1/elections/{e['id']}/ballot", {"approvals": [e["proposals"][1]]}, token=t)
    assert r.status == 200 and r.json["district_id"] == syd, r
    assert s.get(f"/api/v1/elections/{e['id']}/ballot", token=t).json["approvals"] == [e["proposals"][1]]
    r = s.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": nord, "approvals": [e["proposals"][0]]}, token=t)
    assert r.status == 403, r


def test_load_generator_votes_in_every_frame_and_each_frame_recounts(ctx):
    """A city-wide frame and eight districts; pbload's voters sign in once and cast a ballot in
    each of their two frames; the server's turnout counts every ballot; after the count each
    frame's signed pabulib export, recounted by build/pbtally, gives the published winners.
    The frames differ in rules: a city-wide knapsack counted greedily, district approval
    ballots (at most three) counted by Equal Shares."""
    import os
    import subprocess
    import tempfile
    import client
    s = ctx.server
    e = city_and_districts(ctx, districts=[f"Bydel {i}" for i in range(1, 9)], ballot={"type": "knapsack"},
                           group_rules={"ballot": {"type": "approval", "max_selections": 3}, "rule": "equal_shares"})
    t = e["token"]
    for d in e["districts"]:   # a few more proposals per frame, so that the count has choices
        for k in range(3):
            assert s.post(f"/api/v1/elections/{e['id']}/proposals",
                          {"district_id": d, "title": {"da": f"X{d}-{k}"}, "cost": 20000 + 7000 * k},
                          token=t).status == 201
    open_voting(ctx, e)
    root = ctx.env.root
    run = subprocess.run([os.path.join(root, "build", "pbload"), "--url", f"http://127.0.0.1:{s.port}",
                          "--election", str(e["id"]), "--admin-email", client.ADMIN_EMAIL, "--admin-password",
                          client.ADMIN_PASSWORD, "--voters", "400", "--concurrency", "8", "--duration", "60",
                          "--replace", "10", "--reads", "5"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "EXACT" in run.stdout, run.stdout[-2000:] + run.stderr[-2000:]
    turnout = {d["district_id"]: d["ballots"] for d in s.get(f"/api/v1/elections/{e['id']}/turnout").json["districts"]}
    city = e["districts"][0]
    assert turnout[city] == 400, turnout                      # everyone votes city-wide
    assert sum(turnout.get(d, 0) for d in e["districts"][1:]) == 400, turnout   # and in one district
    assert all(turnout.get(d, 0) > 0 for d in e["districts"][1:]), turnout
    for phase in ("closed",):
        assert s.post(f"/api/v1/elections/{e['id']}/phase", {"phase": phase}, token=t).status == 200
    r = counted(ctx, e)
    published = {d["district_id"]: d["winners"] for d in r.json["districts"]}
    assert set(published) == set(e["districts"]), published
    rules = {d["district_id"]: d["rule"] for d in r.json["districts"]}
    assert rules == {d: "greedy" if d == city else "equal_shares" for d in e["districts"]}, rules
    key = s.get(f"/api/v1/elections/{e['id']}/public-key").json["pem"]
    with tempfile.TemporaryDirectory() as tmp:
        open(os.path.join(tmp, "k.pem"), "w").write(key)
        for d in e["districts"]:
            pb = s.get(f"/api/v1/elections/{e['id']}/export?format=pb&district={d}", token=t)
            assert pb.status == 200, pb
            open(os.path.join(tmp, "e.pb"), "w").write(pb.body)
            meta = dict(line.split(";", 1) for line in pb.body.split("VOTES")[0].splitlines()[1:] if ";" in line)
            assert meta["rule"].startswith("greedy" if d == city else "equalshares"), (d, meta)
            assert ("max_sum_cost" in meta) == (d == city) and (meta.get("max_length") == "3") == (d != city), meta
            out = subprocess.run([os.path.join(root, "build", "pbtally"), "--verify", "k.pem", "--signature",
                                  pb.header("X-Signature"), "e.pb"], cwd=tmp, capture_output=True, text=True)
            assert out.returncode == 0, out.stderr
            assert out.stdout.split() == [str(w) for w in published[d]], (d, out.stdout, published[d])


def test_paper_ballots_per_frame(ctx):
    """A clerk types one sheet per frame for a voter with a city-wide and a district ballot;
    a sheet for a district the voter does not vote in is refused; the paper ballot of one frame
    stands against an online one in that frame only."""
    s = ctx.server
    e = city_and_districts(ctx)
    city, nord, syd = e["districts"]
    t = e["token"]
    open_voting(ctx, e)
    code = s.post(f"/api/v1/elections/{e['id']}/codes", {"district_id": nord, "count": 1}, token=t).json["codes"][0]
    vt = ctx.voter(e["id"], code)
    assert s.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": city, "approvals": []}, token=vt).status == 200

    def sheet(n, ballot):
        return s.post(f"/api/v1/elections/{e['id']}/paper-ballots", {"sheet": n, "code": code, "ballot": ballot}, token=t)
    r = sheet("1", {"approvals": [e["proposals"][0]]})
    assert r.status == 422 and r.json["error"]["field"] == "district_id", r
    r = sheet("1", {"district_id": syd, "approvals": [e["proposals"][2]]})
    assert r.status == 403 and r.json["error"]["field"] == "district_id", r
    r = sheet("1", {"district_id": nord, "approvals": [e["proposals"][1]]})
    assert r.status == 201 and r.json["district_id"] == nord and r.json["replaced_online"] is False, r
    r = sheet("2", {"district_id": city, "approvals": [e["proposals"][0]]})
    assert r.status == 201 and r.json["district_id"] == city and r.json["replaced_online"] is True, r
    # online voting stays refused in the frames a paper ballot stands in
    r = s.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": nord, "approvals": []}, token=vt)
    assert r.status == 409 and r.code == "paper_ballot_exists", r
    turnout = {d["district_id"]: d["ballots"] for d in s.get(f"/api/v1/elections/{e['id']}/turnout").json["districts"]}
    assert turnout[city] == 1 and turnout[nord] == 1, turnout


def test_each_frame_has_its_own_ballot_and_rule(ctx):
    """A group of districts may have its own ballot and counting rule (a city-wide knapsack
    counted greedily beside district approval ballots counted by Equal Shares); a frame's
    ballots are checked and counted by its own; the rules are whole and fixed once voting opens."""
    s = ctx.server
    e = city_and_districts(ctx, ballot={"type": "knapsack"})
    city, nord, syd = e["districts"]
    t, g = e["token"], e["group"]
    url = f"/api/v1/elections/{e['id']}/district-groups/{g}"
    r = s.get(f"/api/v1/elections/{e['id']}", token=t)
    grp = r.json["district_groups"][0]
    assert grp["ballot"] is None and grp["rule"] is None and grp["rule_params"] is None, grp
    # bad rules: each named, nothing stored
    for body, field in (({"rule": "equal_shares"}, "ballot"),
                        ({"ballot": {"type": "cumulative", "points": 5}, "rule": "phragmen"}, "rule"),
                        ({"ballot": {"type": "approval"}, "rule": "borda"}, "rule"),
                        ({"ballot": {"type": "approval"}, "rule_params": {"completion": "add7"}}, "completion"),
                        ({"ballot": {"type": "approval"}, "rule_params": [1]}, "rule_params"),
                        ({"ballot": {"type": "approval", "max_selections": -1}}, "ballot.max_selections"),
                        ({"ballot": "approval"}, "ballot")):
        r = s.patch(url, body, token=t)
        assert r.status == 422 and r.json["error"]["field"].startswith(field.split(".")[0]), (body, r)
    assert s.get(f"/api/v1/elections/{e['id']}", token=t).json["district_groups"][0]["ballot"] is None
    # own rules; the rule defaults to greedy and may be changed alone afterwards
    r = s.patch(url, {"ballot": {"type": "approval", "max_selections": 1}}, token=t)
    assert r.status == 200 and r.json["ballot"]["type"] == "approval" and r.json["rule"] == "greedy", r
    assert r.json["rule_params"] == {}, r
    r = s.patch(url, {"rule": "equal_shares", "rule_params": {"completion": "add1"}}, token=t)
    assert r.status == 200 and r.json["rule"] == "equal_shares" and r.json["ballot"]["max_selections"] == 1, r
    assert r.json["rule_params"] == {"completion": "add1"}, r
    # null follows the election's again, and back
    r = s.patch(url, {"ballot": None}, token=t)
    assert r.status == 200 and r.json["ballot"] is None and r.json["rule"] is None and r.json["rule_params"] is None, r
    r = s.patch(url, {"ballot": {"type": "approval", "max_selections": 1}, "rule": "equal_shares"}, token=t)
    assert r.status == 200, r
    big = s.post(f"/api/v1/elections/{e['id']}/proposals",
                 {"district_id": nord, "title": {"da": "Stor"}, "cost": 90000}, token=t).json["id"]
    city2 = s.post(f"/api/v1/elections/{e['id']}/proposals",
                   {"district_id": city, "title": {"da": "By 2"}, "cost": 499500}, token=t).json["id"]
    open_voting(ctx, e)
    # fixed once voting opens
    assert s.patch(url, {"ballot": None}, token=t).status == 409
    code = s.post(f"/api/v1/elections/{e['id']}/codes", {"district_id": nord, "count": 1}, token=t).json["codes"][0]
    vt = ctx.voter(e["id"], code)
    p_city, p_nord = e["proposals"][0], e["proposals"][1]
    # city-wide: a knapsack, so the budget holds (1,000 + 499,500 > 500,000)
    r = s.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": city, "approvals": [p_city, city2]}, token=vt)
    assert r.status == 422, r
    r = s.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": city, "approvals": [city2]}, token=vt)
    assert r.status == 200, r
    # the district: approval of at most one, with no budget limit on the ballot
    r = s.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": nord, "approvals": [p_nord, big]}, token=vt)
    assert r.status == 422, r
    r = s.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": nord, "approvals": [big]}, token=vt)
    assert r.status == 200, r
    # paper sheets follow the frame's rules too
    code2 = s.post(f"/api/v1/elections/{e['id']}/codes", {"district_id": nord, "count": 1}, token=t).json["codes"][0]
    r = s.post(f"/api/v1/elections/{e['id']}/paper-ballots",
               {"sheet": "7", "code": code2, "ballot": {"district_id": nord, "approvals": [p_nord, big]}}, token=t)
    assert r.status == 422, r
    assert s.post(f"/api/v1/elections/{e['id']}/phase", {"phase": "closed"}, token=t).status == 200
    r = counted(ctx, e)
    by = {d["district_id"]: d for d in r.json["districts"]}
    assert by[city]["rule"] == "greedy" and by[nord]["rule"] == "equal_shares", r.json
    assert by[nord]["rule_params"] == {} and "voter_budget" in by[nord] and "voter_budget" not in by[city]
    j = s.get(f"/api/v1/elections/{e['id']}/export?format=json", token=t)
    assert j.status == 200, j
    frames = {d["district_id"]: d for d in j.json["districts"]}
    assert frames[city]["ballot"]["type"] == "knapsack" and frames[nord]["ballot"]["type"] == "approval", frames
    assert frames[nord]["rule"] == "equal_shares" and frames[syd]["rule"] == "equal_shares", frames
    pb = s.get(f"/api/v1/elections/{e['id']}/export?format=pb&district={nord}", token=t)
    assert "\nrule;equalshares" in pb.body and "max_length;1" in pb.body and "max_sum_cost" not in pb.body, pb.body[:600]


def test_the_session_as_it_stands(ctx):
    """GET voter-sessions/current: the frames, the ballots cast on any device since, no new
    token; 401 once the session has ended, 403 for another election."""
    s = ctx.server
    e = city_and_districts(ctx)
    city, nord, _ = e["districts"]
    open_voting(ctx, e)
    code = s.post(f"/api/v1/elections/{e['id']}/codes", {"district_id": nord, "count": 1}, token=e["token"]).json["codes"][0]
    t1, t2 = ctx.voter(e["id"], code), ctx.voter(e["id"], code)   # two devices
    r = s.get(f"/api/v1/elections/{e['id']}/voter-sessions/current", token=t1)
    assert r.status == 200 and r.json == {"election_id": e["id"], "districts": [city, nord], "has_voted": False,
                                          "voted_districts": [], "choices": []}, r
    assert s.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": nord, "approvals": []}, token=t2).status == 200
    r = s.get(f"/api/v1/elections/{e['id']}/voter-sessions/current", token=t1)
    assert r.json["voted_districts"] == [nord] and r.json["has_voted"] is False and "token" not in r.json, r
    assert s.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": city, "approvals": []}, token=t1).status == 200
    assert s.get(f"/api/v1/elections/{e['id']}/voter-sessions/current", token=t2).json["has_voted"] is True
    other = ctx.election()
    assert s.get(f"/api/v1/elections/{other['id']}/voter-sessions/current", token=t1).status == 403
    assert s.request("DELETE", f"/api/v1/elections/{e['id']}/voter-sessions/current", token=t1).status == 204
    assert s.get(f"/api/v1/elections/{e['id']}/voter-sessions/current", token=t1).status == 401
    assert s.get(f"/api/v1/elections/{e['id']}/voter-sessions/current").status == 401
