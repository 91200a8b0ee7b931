"""The demo `make run` loads (PB_DEMO): what a newcomer meets first. A city-wide knapsack
counted greedily and two districts in a group that vote by approval (up to three) counted by
Equal Shares; the printed codes sign in and cast one ballot per frame, each by its own rules.
(Named to run after the other API tests: the demo is an election of the shared database.)"""
import re


def test_demo_votes_city_wide_and_in_a_district_by_each_frames_rules(ctx):
    srv = ctx.env.server({"PB_DEMO": "1"})
    try:
        banner = "".join(srv.banner)
        codes = re.findall(r"Voting codes for ([^:]+): (.+)", banner)
        assert len(codes) == 2, banner
        district_name, first = codes[0][0].strip(), codes[0][1].split()[0]
        e = next(x for x in srv.get("/api/v1/elections").json["elections"] if x["slug"] == "demo")
        assert e["phase"] == "voting" and e["ballot"]["type"] == "knapsack" and e["rule"] == "greedy", e
        [g] = e["district_groups"]
        assert g["ballot"] == {"type": "approval", "max_selections": 3} and g["rule"] == "equal_shares", g
        city = next(d for d in e["districts"] if d["group_id"] is None)
        mine = next(d for d in e["districts"] if d["name"]["da"] == district_name)
        assert mine["group_id"] == g["id"], e["districts"]
        r = srv.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "code", "code": first})
        assert r.status == 201 and r.json["districts"] == [city["id"], mine["id"]], r
        t = r.json["token"]
        props = srv.get(f"/api/v1/elections/{e['id']}/proposals").json["proposals"]
        in_city = sorted((p for p in props if p["district_id"] == city["id"]), key=lambda p: -p["cost"])
        in_mine = [p for p in props if p["district_id"] == mine["id"]]
        assert len(in_city) >= 2 and len(in_mine) >= 4, props
        # city-wide: a knapsack, so everything together is over the budget
        over = [p["id"] for p in in_city]
        assert sum(p["cost"] for p in in_city) > city["budget"]
        r = srv.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": city["id"], "approvals": over}, token=t)
        assert r.status == 422, r
        r = srv.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": city["id"], "approvals": [in_city[0]["id"]]},
                    token=t)
        assert r.status == 200, r
        # the district: approval of at most three
        four = [p["id"] for p in in_mine[:4]]
        r = srv.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": mine["id"], "approvals": four}, token=t)
        assert r.status == 422, r
        r = srv.put(f"/api/v1/elections/{e['id']}/ballot", {"district_id": mine["id"], "approvals": four[:3]}, token=t)
        assert r.status == 200, r
        r = srv.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "code", "code": first})
        assert r.json["has_voted"] is True, r.json
    finally:
        srv.stop()
