"""Paper sheets corrected by an admin (audited), the sheet list the clerk's page shows, and
what staff read on the way: error texts without internal names."""
import client
from test_staff import org_setup


def paper(s, eid, token, sheet, code, ballot, **extra):
    return s.post(f"/api/v1/elections/{eid}/paper-ballots", {"sheet": sheet, "code": code, "ballot": ballot, **extra},
                  token=token)


def test_correct_a_counted_sheet(ctx):
    s = ctx.server
    e = ctx.election(ballot={"type": "ordinal", "max_ranks": 3}, proposals=[(0, 100), (0, 100), (0, 100)], codes=3)
    eid, t, d = e["id"], e["token"], e["districts"][0]
    a, b, c = e["proposals"]
    code1, code2, _ = e["codes"][d]
    r = paper(s, eid, t, "17", code1, {"ranking": [a, c]})
    assert r.status == 201 and r.json["status"] == "counted", r
    first = r.json["tracker"]
    corr = f"/api/v1/elections/{eid}/paper-ballots/corrections"
    # the same checks as any ballot, and the same 422s
    r = s.post(corr, {"sheet": "17", "ballot": {"ranking": [c, c]}, "reason": "typed twice"}, token=t)
    assert r.status == 422 and r.code == "duplicate_proposal" and str(c) not in r.json["error"]["message"], r
    assert s.post(corr, {"sheet": "17", "ballot": {"ranking": [c, a]}}, token=t).json["error"]["field"] == "reason"
    assert s.post(corr, {"sheet": "99", "ballot": {"ranking": [c]}, "reason": "x"}, token=t).status == 404
    r = s.post(corr, {"sheet": "17", "ballot": {"ranking": [c, a]}, "reason": "The sheet ranks C first"}, token=t)
    assert r.status == 200 and r.json["corrected"] and r.json["tracker"] != first, r
    trackers = s.get(f"/api/v1/elections/{eid}/trackers").json["trackers"]
    assert r.json["tracker"] in trackers and first not in trackers
    sheets = s.get(f"/api/v1/elections/{eid}/paper-ballots", token=t).json["sheets"]
    assert sheets[0]["corrected"] and [x["items"] for x in sheets[0]["entries"]] == [[a, c], [c, a]], sheets
    assert sheets[0]["entries"][0]["clerk"] == client.ADMIN_EMAIL, sheets
    audit = s.get(f"/api/v1/elections/{eid}/audit", token=t).json["entries"]
    entry = [x for x in audit if x["action"] == "paper.correct"][0]
    assert entry["details"]["reason"] == "The sheet ranks C first" and entry["details"]["tracker_after"] == r.json["tracker"]
    # a later sheet of the same voter counts instead: the earlier one cannot be corrected
    assert paper(s, eid, t, "18", code1, {"ranking": [b]}).status == 201
    r = s.post(corr, {"sheet": "17", "ballot": {"ranking": [a]}, "reason": "x"}, token=t)
    assert r.status == 409 and "later sheet" in r.json["error"]["message"], r
    # staff only; after the count nothing is corrected
    assert s.post(corr, {"sheet": "18", "ballot": {"ranking": [a]}, "reason": "x"}).status == 401
    s.post(f"/api/v1/elections/{eid}/phase", {"phase": "closed"}, token=t)
    assert s.post(f"/api/v1/elections/{eid}/tally", token=t).status == 200
    r = s.post(corr, {"sheet": "18", "ballot": {"ranking": [a]}, "reason": "x"}, token=t)
    assert r.status == 409 and "before the count" in r.json["error"]["message"], r


def test_clerk_cannot_correct(ctx):
    s = ctx.server
    org, eid, dists, staff = org_setup(ctx)
    r = s.post(f"/api/v1/elections/{eid}/paper-ballots/corrections",
               {"sheet": "1", "ballot": {"approvals": []}, "reason": "x"}, token=staff["clerk"]["token"])
    assert r.status == 403, r


def test_error_texts_name_no_internals(ctx):
    s = ctx.server
    t = ctx.admin_token()
    r = s.post("/api/v1/elections", {"slug": ctx.unique(), "title": "x",
                                     "ballot": {"type": "approval", "min_selections": 3, "max_selections": 2}}, token=t)
    assert r.status == 422 and r.json["error"]["field"] == "ballot.min_selections", r
    assert r.json["error"]["message"] == "The minimum number of choices (3) is more than the maximum (2).", r
    r = s.post("/api/v1/elections", {"slug": ctx.unique(), "title": "x", "ballot": {"type": "approval", "points": 5}},
               token=t)
    assert r.status == 422 and "ballot.points" not in r.json["error"]["message"], r
    e = ctx.election(proposals=[(0, 100), (0, 100)], codes=1)
    voter = ctx.voter(e["id"], e["codes"][e["districts"][0]][0])
    p = e["proposals"][0]
    r = s.put(f"/api/v1/elections/{e['id']}/ballot", {"approvals": [p, 999999]}, token=voter)
    assert r.code == "proposal_not_on_ballot" and "999999" not in r.json["error"]["message"], r
    r = s.put(f"/api/v1/elections/{e['id']}/ballot", {"approvals": [p, p]}, token=voter)
    assert r.code == "duplicate_proposal" and str(p) not in r.json["error"]["message"], r
    s.post(f"/api/v1/elections/{e['id']}/phase", {"phase": "closed"}, token=t)
    s.post(f"/api/v1/elections/{e['id']}/tally", token=t)
    s.post(f"/api/v1/elections/{e['id']}/publish", token=t)
    r = s.post(f"/api/v1/elections/{e['id']}/tally", token=t)
    assert r.status == 409 and "Close voting" not in r.json["error"]["message"], r
    assert "published" in r.json["error"]["message"], r
    r = s.post(f"/api/v1/elections/{e['id']}/phase", {"phase": "proposals"}, token=t)
    assert r.status == 409 and "proposals" not in r.json["error"]["message"].replace("Proposals", ""), r
