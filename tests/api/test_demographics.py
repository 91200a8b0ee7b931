"""Turnout by age band and area (issue 17): from the register's birth dates and areas and the
fact of voting only; age on the day voting opened; a cell of fewer than ten voters is
suppressed, and so is the next smallest where it alone would be, so that nobody can subtract
it from the total."""
import datetime
from concurrent.futures import ThreadPoolExecutor


def test_turnout_by_age_and_area_suppresses_small_cells(ctx):
    s = ctx.server
    e = ctx.election(proposals=[(0, 100)], phase=None)
    d = e["districts"][0]
    today = datetime.date.today()
    opened = today - datetime.timedelta(days=30)
    # 18 today, but 17 on the day voting opened: counted as under 18
    young = opened.replace(year=opened.year - 18) + datetime.timedelta(days=10)
    people = ([(f"3000{i:02d}-0001", "1996-03-01", "Nord") for i in range(30)] +
              [(f"7000{i:02d}-0001", "1956-06-15", "Syd") for i in range(12)] +
              [(f"1700{i:02d}-0001", young.isoformat(), "Syd") for i in range(5)])
    csv = "personal_id,birth_date,district_id,area\n" + "".join(f'{p},{b},{d},"{a}"\n' for p, b, a in people)
    r = s.request("POST", f"/api/v1/elections/{e['id']}/register", raw=csv.encode(), token=e["token"],
                  headers={"Content-Type": "text/csv"})
    assert r.status == 201 and r.json["rows"] == 47, r
    assert s.post(f"/api/v1/elections/{e['id']}/phase", {"phase": "voting"}, token=e["token"]).status == 200
    ctx.env.psql(f"UPDATE elections SET voting_opened_at = now() - interval '30 days' WHERE id = {int(e['id'])}")
    voters = [p for p in people if p[2] == "Nord"][:15] + [p for p in people if p[1] == "1956-06-15"][:11] + \
        [p for p in people if p[1] == young.isoformat()][:3]
    signed_in_only = [p for p in people if p[2] == "Nord"][15:20]   # signing in is not voting

    def vote(p, cast=True):
        r = s.post(f"/api/v1/elections/{e['id']}/voter-sessions",
                   {"method": "register", "register": {"personal_id": p[0], "birth_date": p[1]}})
        assert r.status == 201, r
        if cast:
            t = r.json["token"]
            for _ in range(2):  # a changed vote is one voter
                assert s.put(f"/api/v1/elections/{e['id']}/ballot", {"approvals": [e["proposals"][0]]},
                             token=t).status == 200
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(vote, voters))
        list(pool.map(lambda p: vote(p, False), signed_in_only))
    r = s.get(f"/api/v1/elections/{e['id']}/turnout/demographics", token=e["token"])
    assert r.status == 200, r
    j = r.json
    assert j["eligible"] == 47 and j["voted"] == 29 and j["min_cell"] == 10 and j["age_on"] == opened.isoformat(), j
    age = {c["key"]: c for c in j["by_age"]}
    assert age["25-34"] == {"key": "25-34", "eligible": 30, "voted": 15, "share": 0.5, "suppressed": False}, age
    # under 18: 3 voters, suppressed; 65-74 (11 voters) too, or the 3 would follow from the total
    assert age["under 18"]["suppressed"] and age["under 18"]["voted"] is None and age["under 18"]["eligible"] is None
    assert age["65-74"]["suppressed"] and age["65-74"]["voted"] is None
    area = {c["key"]: c for c in j["by_area"]}
    assert area["Nord"]["voted"] == 15 and area["Nord"]["eligible"] == 30 and not area["Nord"]["suppressed"]
    assert area["Syd"]["voted"] == 14 and area["Syd"]["eligible"] == 17 and not area["Syd"]["suppressed"]
    # nothing of it for the public or a voter
    assert s.get(f"/api/v1/elections/{e['id']}/turnout/demographics").status == 401


def test_register_area_is_checked(ctx):
    s = ctx.server
    e = ctx.election(proposals=[(0, 100)], phase=None)
    d = e["districts"][0]
    csv = f"personal_id,birth_date,district_id,area\n123,1990-01-01,{d},{'x' * 101}\n"
    r = s.request("POST", f"/api/v1/elections/{e['id']}/register?dry_run=true", raw=csv.encode(), token=e["token"],
                  headers={"Content-Type": "text/csv"})
    assert r.status == 200 and not r.json["valid"], r
    assert any(x["field"] == "area" and x["line"] == 2 for x in r.json["errors"]), r.json
