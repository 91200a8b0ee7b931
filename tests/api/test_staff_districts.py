"""Districts edited and deleted before voting (a typo or a double-click on "Add district" must
not stay in results and exports): PATCH and DELETE, what depends on a district, and the
same request many times at once."""
import concurrent.futures as cf


def test_district_patch_and_delete(ctx):
    s = ctx.server
    e = ctx.election(districts=((100000, "Nord"), (200000, "Syd"), (300000, "Syd")), phase=None)
    eid, t = e["id"], e["token"]
    nord, syd, twice = e["districts"]
    base = f"/api/v1/elections/{eid}/districts"
    r = s.patch(f"{base}/{nord}", {"name": {"da": "Nordby", "en": "North town"}, "budget": 150000}, token=t)
    assert r.status == 200 and r.json == {"id": nord, "name": {"da": "Nordby", "en": "North town"}, "budget": 150000,
                                   "group_id": None}, r
    r = s.patch(f"{base}/{nord}", {"budget": 120000}, token=t)
    assert r.status == 200 and r.json["name"]["en"] == "North town" and r.json["budget"] == 120000, r
    # nothing to change, a bad budget, an unknown field, a district of another election
    assert s.patch(f"{base}/{nord}", {}, token=t).status == 422
    r = s.patch(f"{base}/{nord}", {"budget": 0}, token=t)
    assert r.status == 422 and r.json["error"]["field"] == "budget", r
    assert s.patch(f"{base}/{nord}", {"budget": 5, "x": 1}, token=t).code == "unknown_field"
    other = ctx.election(phase=None)
    assert s.patch(f"/api/v1/elections/{other['id']}/districts/{nord}", {"budget": 5}, token=t).status == 404
    assert s.request("DELETE", f"/api/v1/elections/{other['id']}/districts/{nord}", token=t).status == 404
    # the double-click's second district goes, and with it every trace outside the audit log
    r = s.request("DELETE", f"{base}/{twice}", token=t)
    assert r.status == 204, r
    assert [d["id"] for d in s.get(f"/api/v1/elections/{eid}", token=t).json["districts"]] == [nord, syd]
    assert s.request("DELETE", f"{base}/{twice}", token=t).status == 404
    audit = [a["action"] for a in s.get(f"/api/v1/elections/{eid}/audit", token=t).json["entries"]]
    assert audit.count("district.update") == 2 and audit.count("district.delete") == 1, audit
    assert s.get(f"/api/v1/elections/{eid}/audit/verify", token=t).json["valid"]


def test_district_delete_refused_once_something_depends_on_it(ctx):
    s = ctx.server
    e = ctx.election(districts=((100000, "A"), (100000, "B"), (100000, "C"), (100000, "D")), phase=None)
    eid, t = e["id"], e["token"]
    a, b, c, d = e["districts"]
    base = f"/api/v1/elections/{eid}/districts"
    r = s.post(f"/api/v1/elections/{eid}/proposals",
               {"district_id": a, "title": "x", "status": "submitted"}, token=t)
    assert r.status == 201 and r.json["cost"] is None, r
    assert s.post(f"/api/v1/elections/{eid}/codes", {"district_id": b, "count": 1}, token=t).status == 201
    reg = f"personal_id,birth_date,district_id\n010190-1234,1990-01-01,{c}\n"
    assert s.request("POST", f"/api/v1/elections/{eid}/register", raw=reg.encode(), token=t).status == 201
    for dist, what in ((a, "proposals"), (b, "voting codes"), (c, "voter register rows")):
        r = s.request("DELETE", f"{base}/{dist}", token=t)
        assert r.status == 409 and r.code == "conflict" and what in r.json["error"]["message"], r
    # a budget below an accepted proposal's cost is refused at the field
    assert s.post(f"/api/v1/elections/{eid}/proposals", {"district_id": d, "title": "y", "cost": 90000},
                  token=t).status == 201
    r = s.patch(f"{base}/{d}", {"budget": 80000}, token=t)
    assert r.status == 422 and r.json["error"]["field"] == "budget", r
    # once voting opens districts are fixed
    assert s.post(f"/api/v1/elections/{eid}/phase", {"phase": "voting"}, token=t).status == 200
    r = s.patch(f"{base}/{d}", {"budget": 200000}, token=t)
    assert r.status == 409 and r.code == "wrong_phase" and "fixed once voting opens" in r.json["error"]["message"], r
    assert s.request("DELETE", f"{base}/{d}", token=t).code == "wrong_phase"


def test_district_roles(ctx):
    from test_staff import org_setup
    s = ctx.server
    org, eid, dists, staff = org_setup(ctx)
    for role in ("moderator", "clerk", "observer"):
        tok = staff[role]["token"]
        assert s.patch(f"/api/v1/elections/{eid}/districts/{dists[0]}", {"budget": 5}, token=tok).status == 403
        assert s.request("DELETE", f"/api/v1/elections/{eid}/districts/{dists[0]}", token=tok).status == 403
    assert s.patch(f"/api/v1/elections/{eid}/districts/{dists[0]}", {"budget": 5}).status == 401


def test_fifty_deletes_of_one_district_delete_it_once(ctx):
    s = ctx.server
    e = ctx.election(districts=((1000, "A"), (1000, "A")), phase=None)
    url = f"/api/v1/elections/{e['id']}/districts/{e['districts'][1]}"
    with cf.ThreadPoolExecutor(50) as pool:
        got = list(pool.map(lambda _: s.request("DELETE", url, token=e["token"]).status, range(50)))
    assert sorted(got) == [204] + [404] * 49, got
    audit = [a["action"] for a in s.get(f"/api/v1/elections/{e['id']}/audit", token=e["token"]).json["entries"]]
    assert audit.count("district.delete") == 1


def test_delete_racing_proposals_never_orphans_one(ctx):
    """Deletes of districts and proposals added to them, all at once: each district ends
    either deleted with no proposal, or kept with every proposal that was accepted."""
    s = ctx.server
    e = ctx.election(districts=[(1000, f"D{i}") for i in range(10)], phase=None)
    eid, t = e["id"], e["token"]

    def work(i):
        d = e["districts"][i // 5]
        if i % 5 == 0:
            return ("delete", d, s.request("DELETE", f"/api/v1/elections/{eid}/districts/{d}", token=t).status)
        return ("add", d, s.post(f"/api/v1/elections/{eid}/proposals",
                                 {"district_id": d, "title": f"p{i}", "cost": 10}, token=t).status)

    with cf.ThreadPoolExecutor(50) as pool:
        got = list(pool.map(work, range(50)))
    left = {d["id"] for d in s.get(f"/api/v1/elections/{eid}", token=t).json["districts"]}
    props = s.get(f"/api/v1/elections/{eid}/proposals", token=t).json["proposals"]
    for kind, d, status in got:
        if kind == "delete":
            assert (status == 204) == (d not in left) and status in (204, 409), got
        else:
            assert status in (201, 422, 404), got
    for d in e["districts"]:
        added = sum(1 for k, x, st in got if k == "add" and x == d and st == 201)
        assert added == sum(1 for p in props if p["district_id"] == d), (d, got)
        assert d in left or added == 0, (d, got)


def test_budget_cut_racing_acceptances(ctx):
    """Lowering a budget while proposals costing more are accepted: never an accepted
    proposal that costs more than its district's budget."""
    s = ctx.server
    e = ctx.election(districts=((100000, "A"),), phase=None)
    eid, t, d = e["id"], e["token"], e["districts"][0]
    ids = [s.post(f"/api/v1/elections/{eid}/proposals",
                  {"district_id": d, "title": f"p{i}", "cost": 60000, "status": "submitted"}, token=t).json["id"]
           for i in range(20)]

    def work(i):
        if i % 10 == 0:
            return s.patch(f"/api/v1/elections/{eid}/districts/{d}", {"budget": 50000}, token=t).status
        return s.patch(f"/api/v1/proposals/{ids[i % 20]}", {"status": "accepted"}, token=t).status

    with cf.ThreadPoolExecutor(40) as pool:
        list(pool.map(work, range(40)))
    budget = s.get(f"/api/v1/elections/{eid}", token=t).json["districts"][0]["budget"]
    props = s.get(f"/api/v1/elections/{eid}/proposals", token=t).json["proposals"]
    assert all(p["cost"] <= budget for p in props if p["status"] == "accepted"), (budget, props)
