"""What staff load from and take to spreadsheets: the voter register (with a dry run that
names every bad row, read by libcsv: quotes, separators and line breaks in fields) and
proposals in bulk (all or nothing, and back out as CSV); codes per district."""
import concurrent.futures as cf


def post_csv(ctx, path, text, token, query=""):
    return ctx.server.request("POST", path + query, raw=text.encode(), token=token,
                              headers={"Content-Type": "text/csv"})


def test_register_dry_run_names_every_bad_row(ctx):
    s = ctx.server
    e = ctx.election(districts=((1000, "Nord"), (1000, "Syd")), phase=None)
    eid, t = e["id"], e["token"]
    d0, d1 = e["districts"]
    # Excel in Danish: semicolons, a byte-order mark, CRLF, a quoted field with a separator
    # and a line break, district names instead of ids, Danish dates
    csv = ("\ufeffpersonal_id;birth_date;postcode;district;contact\r\n"
           "010190-1234;01-01-1990;7100;Nord;\"+45 12 34 56 78\"\r\n"
           f"020285-4321;1985-02-02;;{d1};\"borger@example.dk\"\r\n"
           "030370-1111;1970-13-03;;Nord;\r\n"
           "\"040480;2222\";1980-04-04;;Vest;\"x\"\r\n"
           "050590-3333;1990-05-05;;Syd;\"borger2@\nexample.dk\"\r\n"
           "0101901234;1990-01-01;7100;Nord;\r\n")
    url = f"/api/v1/elections/{eid}/register"
    r = post_csv(ctx, url, csv, t, "?dry_run=true")
    assert r.status == 200 and r.json["dry_run"] and not r.json["valid"], r
    assert r.json["rows"] == 3 and r.json["error_count"] == 4, r
    got = [(x["line"], x.get("field")) for x in r.json["errors"]]
    assert got == [(4, "birth_date"), (5, "district"), (5, "contact"), (8, "personal_id")], got
    assert "line 2" in r.json["errors"][3]["message"], r.json["errors"]
    assert r.json["districts"] == [{"district_id": d0, "rows": 1}, {"district_id": d1, "rows": 2}], r
    assert ctx.env.psql(f"SELECT count(*) FROM register_entries WHERE election_id = {eid}") == "0"
    # the real upload stores nothing while any row is wrong, and says where
    r = post_csv(ctx, url, csv, t)
    assert r.status == 422 and "4 problems" in r.json["error"]["message"] and "Line 4" in r.json["error"]["message"], r
    assert ctx.env.psql(f"SELECT count(*) FROM register_entries WHERE election_id = {eid}") == "0"
    good = "\n".join(csv.split("\r\n")[:3]) + "\n"
    r = post_csv(ctx, url, good, t, "?dry_run=1")
    assert r.status == 200 and r.json["valid"] and r.json["rows"] == 2 and r.json["errors"] == [], r
    r = post_csv(ctx, url, good, t)
    assert r.status == 201 and r.json["rows"] == 2, r
    # not CSV at all, or no header: one clear answer
    r = post_csv(ctx, url, 'personal_id,birth_date,district\n"open,1990-01-01,1\n', t, "?dry_run=true")
    assert r.status == 422 and "not valid CSV" in r.json["error"]["message"], r
    r = post_csv(ctx, url, "a,b\n1,2\n", t, "?dry_run=true")
    assert r.status == 422 and "personal_id" in r.json["error"]["message"], r


def test_code_statistics_per_district(ctx):
    s = ctx.server
    e = ctx.election(districts=((1000, "A"), (1000, "B")), proposals=[(0, 100)], codes=3)
    eid, t = e["id"], e["token"]
    a, b = e["districts"]
    ctx.voter(eid, e["codes"][a][0])
    ctx.voter(eid, e["codes"][a][1])
    assert s.post(f"/api/v1/elections/{eid}/codes/revoke", {"code": e["codes"][b][0]}, token=t).status == 200
    r = s.get(f"/api/v1/elections/{eid}/codes", token=t)
    assert r.status == 200 and r.json == {"districts": [
        {"district_id": a, "issued": 3, "used": 2, "revoked": 0},
        {"district_id": b, "issued": 3, "used": 0, "revoked": 1}]}, r
    assert s.get(f"/api/v1/elections/{eid}/codes").status == 401


PROPOSALS = """district;title_da;title_en;summary_da;category;cost;cost_note;lat;lng;address
Nord;Legeplads;Playground;"Ny legeplads; med gynger";park;250.000;Skøn fra Park og Vej;55,68;12,57;Torvet 1
{d1};Bænke;Benches;;;45.000,50;;;;
Nord;"Sti
langs åen";;;;1.000.000;;;;
"""


def test_proposal_import_dry_run_then_all_or_nothing(ctx):
    s = ctx.server
    e = ctx.election(districts=((2000000000, "Nord"), (5000000, "Syd")), phase=None,
                     categories=[{"key": "park", "name": {"da": "Parker", "en": "Parks"}}])
    eid, t = e["id"], e["token"]
    d0, d1 = e["districts"]
    url = f"/api/v1/elections/{eid}/proposals/import"
    bad = PROPOSALS.format(d1=d1) + "Vest;Ukendt;;;trafik;12,345;;;;\nSyd;For dyr;;;;50.001;;;;\n"
    r = post_csv(ctx, url, bad, t, "?dry_run=true&lang=da")
    assert r.status == 200 and not r.json["valid"] and r.json["rows"] == 3 and r.json["lines"] == 5, r
    got = [(x["line"], x["field"]) for x in r.json["errors"]]
    assert got == [(6, "district"), (6, "category"), (6, "cost"), (7, "cost")], got
    r = post_csv(ctx, url, bad, t, "?lang=da")
    assert r.status == 422 and "nothing was stored" in r.json["error"]["message"], r
    assert s.get(f"/api/v1/elections/{eid}/proposals", token=t).json["proposals"] == []
    # the same amounts the English way are other amounts, so they are refused, not misread
    r = post_csv(ctx, url, PROPOSALS.format(d1=d1), t, "?dry_run=true&lang=en")
    assert r.status == 200 and {x["field"] for x in r.json["errors"]} == {"cost"}, r
    r = post_csv(ctx, url, PROPOSALS.format(d1=d1), t, "?lang=da")
    assert r.status == 201 and r.json == {"imported": 3}, r
    props = s.get(f"/api/v1/elections/{eid}/proposals", token=t).json["proposals"]
    assert [p["cost"] for p in props] == [25000000, 100000000, 4500050], props
    assert props[0]["summary"] == {"da": "Ny legeplads; med gynger"} and props[0]["cost_note"] == "Skøn fra Park og Vej"
    assert props[0]["location"] == {"lat": 55.68, "lng": 12.57, "address": "Torvet 1"}, props[0]
    assert props[1]["title"] == {"da": "Sti\nlangs åen"} and props[1]["status"] == "accepted"
    history = s.get(f"/api/v1/proposals/{props[0]['id']}/history", token=t).json["history"]
    assert [h["action"] for h in history] == ["proposal.create"] and history[0]["staff"], history
    # back out as CSV, the Danish way, and in again: the same proposals
    r = s.get(f"/api/v1/elections/{eid}/proposals/export?lang=da", token=t)
    assert r.status == 200 and r.header("Content-Type").startswith("text/csv"), r
    assert f'election-{eid}-proposals.csv' in r.header("Content-Disposition"), r.headers
    assert r.body.startswith("\ufeff\"id\";\"district\"") and '"250000"' in r.body and '"45000,50"' in r.body, r.body
    other = ctx.election(districts=((2000000000, "Nord"), (5000000, "Syd")), phase=None,
                         categories=[{"key": "park", "name": {"da": "Parker", "en": "Parks"}}])
    r = post_csv(ctx, f"/api/v1/elections/{other['id']}/proposals/import", r.body, other["token"], "?lang=da")
    assert r.status == 201 and r.json["imported"] == 3, r
    again = s.get(f"/api/v1/elections/{other['id']}/proposals", token=t).json["proposals"]
    keys = ("title", "summary", "cost", "cost_note", "category", "location", "status")
    assert [{k: p[k] for k in keys} for p in again] == [{k: p[k] for k in keys} for p in props]
    # staff only, and the number style must be a language
    assert s.get(f"/api/v1/elections/{eid}/proposals/export").status == 401
    assert s.get(f"/api/v1/elections/{eid}/proposals/export?lang=x1", token=t).status == 422
    # once voting opens, nothing is imported
    s.post(f"/api/v1/elections/{eid}/phase", {"phase": "voting"}, token=t)
    r = post_csv(ctx, url, PROPOSALS.format(d1=d1), t, "?lang=da")
    assert r.status == 409 and r.code == "wrong_phase", r


def test_imports_racing_the_opening_of_voting_are_whole_or_nothing(ctx):
    s = ctx.server
    e = ctx.election(districts=((2000000000, "Nord"), (5000000, "Syd")), phase=None,
                     categories=[{"key": "park", "name": {"da": "Parker", "en": "Parks"}}])
    eid, t = e["id"], e["token"]
    body = PROPOSALS.format(d1=e["districts"][1])

    def work(i):
        if i == 10:
            return s.post(f"/api/v1/elections/{eid}/phase", {"phase": "voting"}, token=t).status
        return post_csv(ctx, f"/api/v1/elections/{eid}/proposals/import", body, t, "?lang=da").status

    with cf.ThreadPoolExecutor(20) as pool:
        got = list(pool.map(work, range(20)))
    stored = len(s.get(f"/api/v1/elections/{eid}/proposals", token=t).json["proposals"])
    assert stored == 3 * sum(1 for i, st in enumerate(got) if i != 10 and st == 201), (stored, got)
    assert all(st in (201, 409) for i, st in enumerate(got) if i != 10), got


def test_cost_optional_until_accepted_with_a_costing_note(ctx):
    s = ctx.server
    e = ctx.election(districts=((100000, "A"),), phase=None)
    eid, t, d = e["id"], e["token"], e["districts"][0]
    r = s.post(f"/api/v1/elections/{eid}/proposals", {"district_id": d, "title": "Idé"}, token=t)
    assert r.status == 422 and r.json["error"]["field"] == "cost", r  # accepted by default: needs a cost
    r = s.post(f"/api/v1/elections/{eid}/proposals", {"district_id": d, "title": "Idé", "status": "submitted"}, token=t)
    assert r.status == 201 and r.json["cost"] is None and r.json["cost_note"] is None, r
    pid = r.json["id"]
    r = s.patch(f"/api/v1/proposals/{pid}", {"status": "accepted"}, token=t)
    assert r.status == 422 and r.json["error"]["field"] == "cost" and "cost" in r.json["error"]["message"], r
    r = s.patch(f"/api/v1/proposals/{pid}", {"cost": 50000, "cost_note": "Incl. moms, skønnet af Vej og Park"},
                token=t)
    assert r.status == 200 and r.json["cost_note"].startswith("Incl.") and r.json["status"] == "submitted", r
    r = s.patch(f"/api/v1/proposals/{pid}", {"status": "accepted", "cost_note": ""}, token=t)
    assert r.status == 200 and r.json["cost_note"] is None and r.json["status"] == "accepted", r
    r = s.patch(f"/api/v1/proposals/{pid}", {"cost": 200000}, token=t)
    assert r.status == 422 and r.json["error"]["field"] == "cost", r
    assert s.patch(f"/api/v1/proposals/{pid}", {"cost_note": 5}, token=t).status == 422
