"""Bad input: each answered with the contract's status and error code, nothing half-done,
and the server healthy afterwards."""


def expect(r, status, code=None):
    assert r.status == status, r
    assert r.json and "error" in r.json and r.json["error"]["message"], r
    if code:
        assert r.code == code, r
    assert r.header("Content-Type").startswith("application/json"), r.headers


def test_malformed_json(ctx):
    s, t = ctx.server, ctx.admin_token()
    expect(s.request("POST", "/api/v1/elections", raw=b"{\"slug\": ", token=t), 400, "invalid_json")
    expect(s.request("POST", "/api/v1/elections", raw=b"[1,2]", token=t), 400, "invalid_json")
    expect(s.request("POST", "/api/v1/elections", raw=b"{} trailing", token=t), 400, "invalid_json")
    expect(s.request("POST", "/api/v1/elections", raw=b'{"a":1,"a":2}', token=t), 400, "invalid_json")
    expect(s.request("POST", "/api/v1/elections", raw=b'{"slug":"\xff\xfe"}', token=t), 400, "invalid_json")
    deep = b"[" * 200 + b"]" * 200
    expect(s.request("POST", "/api/v1/elections", raw=b'{"x":' + deep + b"}", token=t), 400, "invalid_json")


def test_wrong_types_and_ranges(ctx):
    s, t = ctx.server, ctx.admin_token()
    base = {"slug": ctx.unique(), "title": {"da": "x"}, "ballot": {"type": "approval"}}
    for patch, field in [({"slug": 5}, "slug"), ({"slug": "Has Spaces"}, "slug"), ({"title": 7}, "title"),
                         ({"title": {"DANSK": "x"}}, "title"), ({"ballot": {"type": "ranked"}}, "ballot.type"),
                         ({"ballot": {"type": "approval", "max_selections": -1}}, "ballot.max_selections"),
                         ({"ballot": {"type": "approval", "max_selections": 1.5}}, "ballot.max_selections"),
                         ({"rule": "borda"}, "rule"), ({"currency": "kroner"}, "currency")]:
        body = dict(base, **patch)
        r = s.post("/api/v1/elections", body, token=t)
        expect(r, 422, "invalid_field")
        assert r.json["error"].get("field") == field, (patch, r)
    r = s.post("/api/v1/elections", dict(base, colour="blue"), token=t)
    expect(r, 422, "unknown_field")
    r = s.post("/api/v1/elections", {"title": {"da": "x"}, "ballot": {"type": "approval"}}, token=t)
    expect(r, 422, "invalid_field")
    assert r.json["error"]["field"] == "slug"
    e = ctx.election(phase=None)
    r = s.post(f"/api/v1/elections/{e['id']}/districts", {"name": "x", "budget": 2 ** 60}, token=t)
    expect(r, 422, "invalid_field")
    r = s.post(f"/api/v1/elections/{e['id']}/districts", {"name": "x", "budget": "100"}, token=t)
    expect(r, 422, "invalid_field")
    r = s.post(f"/api/v1/elections/{e['id']}/proposals",
               {"district_id": e["districts"][0], "title": "x", "cost": 100001}, token=t)
    expect(r, 422, "invalid_field")  # costs more than the district's budget


def test_duplicate_slug(ctx):
    s, t = ctx.server, ctx.admin_token()
    body = {"slug": ctx.unique(), "title": {"da": "x"}, "ballot": {"type": "approval"}}
    assert s.post("/api/v1/elections", body, token=t).status == 201
    expect(s.post("/api/v1/elections", body, token=t), 409)


def test_unknown_ids(ctx):
    s, t = ctx.server, ctx.admin_token()
    expect(s.get("/api/v1/elections/999999"), 404, "not_found")
    expect(s.post("/api/v1/elections/999999/districts", {"name": "x", "budget": 5}, token=t), 404, "not_found")
    expect(s.patch("/api/v1/proposals/999999", {"status": "accepted"}, token=t), 404, "not_found")
    e = ctx.election(phase=None)
    r = s.post(f"/api/v1/elections/{e['id']}/proposals", {"district_id": 999999, "title": "x", "cost": 5}, token=t)
    expect(r, 422)
    expect(s.get("/api/v1/nothing-here"), 404, "not_found")
    expect(s.get("/api/v1/elections/abc"), 404, "not_found")


def test_methods(ctx):
    s = ctx.server
    r = s.request("DELETE", "/api/v1/elections")
    expect(r, 405, "method_not_allowed")
    assert "GET" in r.header("Allow") and "POST" in r.header("Allow")


def test_no_or_bad_token(ctx):
    s = ctx.server
    body = {"slug": ctx.unique(), "title": {"da": "x"}, "ballot": {"type": "approval"}}
    expect(s.post("/api/v1/elections", body), 401, "unauthorized")
    expect(s.post("/api/v1/elections", body, token="not-a-token"), 401, "unauthorized")
    e = ctx.election(proposals=[(0, 10)], codes=1)
    expect(s.put(f"/api/v1/elections/{e['id']}/ballot", {"approvals": [e['proposals'][0]]}), 401, "unauthorized")
    # a voter token is not a staff token
    vt = ctx.voter(e["id"], e["codes"][e["districts"][0]][0])
    expect(s.post("/api/v1/elections", body, token=vt), 401, "unauthorized")
    # nor is a staff token a voter token
    expect(s.put(f"/api/v1/elections/{e['id']}/ballot", {"approvals": [e['proposals'][0]]}, token=ctx.admin_token()),
           401, "unauthorized")


def test_other_elections_token(ctx):
    s = ctx.server
    a = ctx.election(proposals=[(0, 10)], codes=1)
    b = ctx.election(proposals=[(0, 10)], codes=1)
    vt = ctx.voter(a["id"], a["codes"][a["districts"][0]][0])
    r = s.put(f"/api/v1/elections/{b['id']}/ballot", {"approvals": [b['proposals'][0]]}, token=vt)
    expect(r, 403, "forbidden")
    # a code of election a does not open a session in election b
    r = s.post(f"/api/v1/elections/{b['id']}/voter-sessions", {"method": "code", "code": a["codes"][a["districts"][0]][0]})
    expect(r, 401, "invalid_code")


def test_bad_codes(ctx):
    s = ctx.server
    e = ctx.election(proposals=[(0, 10)], codes=1)
    for code in ["", "AAAA-BBBB", "0000-0000-0000-0000", "2222-2222-2222-2222", "x" * 200]:
        r = s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "code", "code": code})
        assert r.status in (401, 422), (code, r)
    r = s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "carrier-pigeon", "code": "x"})
    expect(r, 422, "invalid_field")
    # codes are case- and dash-insensitive
    code = e["codes"][e["districts"][0]][0]
    r = s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"code": code.lower().replace("-", "")})
    assert r.status == 201, r


def test_ballot_over_limits(ctx):
    s = ctx.server
    e = ctx.election(ballot={"type": "approval", "max_selections": 2}, districts=((1000, "A"), (1000, "B")),
                     proposals=[(0, 100), (0, 200), (0, 300), (1, 50)], codes=1)
    eid, d0 = e["id"], e["districts"][0]
    vt = ctx.voter(eid, e["codes"][d0][0])
    p = e["proposals"]
    r = s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": p[:3]}, token=vt)
    expect(r, 422, "max_selections")
    expect(s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[3]]}, token=vt), 422, "proposal_not_on_ballot")
    expect(s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[0], p[0]]}, token=vt), 422, "duplicate_proposal")
    expect(s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [999999]}, token=vt), 422, "proposal_not_on_ballot")
    expect(s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": "all"}, token=vt), 422, "invalid_field")
    expect(s.put(f"/api/v1/elections/{eid}/ballot", {"district_id": e["districts"][1], "approvals": [p[3]]}, token=vt),
           403, "forbidden")
    # nothing was stored by any of these
    assert ctx.env.psql(f"SELECT count(*) FROM ballots WHERE election_id = {eid}") == "0"
    assert s.get(f"/api/v1/elections/{eid}/ballot", token=vt).status == 404


def test_knapsack_budget(ctx):
    s = ctx.server
    e = ctx.election(ballot={"type": "knapsack"}, proposals=[(0, 60000), (0, 50000), (0, 10000)], codes=1)
    eid, d0 = e["id"], e["districts"][0]
    vt = ctx.voter(eid, e["codes"][d0][0])
    p = e["proposals"]
    expect(s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[0], p[1]]}, token=vt), 422, "budget_exceeded")
    assert s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[0], p[2]]}, token=vt).status == 200


def test_wrong_phase(ctx):
    s, t = ctx.server, ctx.admin_token()
    e = ctx.election(proposals=[(0, 10)], codes=1)
    eid = e["id"]
    vt = ctx.voter(eid, e["codes"][e["districts"][0]][0])
    expect(s.post(f"/api/v1/elections/{eid}/districts", {"name": "x", "budget": 5}, token=t), 409, "wrong_phase")
    expect(s.post(f"/api/v1/elections/{eid}/proposals", {"district_id": e["districts"][0], "title": "x", "cost": 5},
                  token=t), 409, "wrong_phase")
    expect(s.patch(f"/api/v1/elections/{eid}", {"ballot": {"type": "knapsack"}}, token=t), 409, "wrong_phase")
    expect(s.post(f"/api/v1/elections/{eid}/phase", {"phase": "review"}, token=t), 409, "wrong_phase")
    assert s.post(f"/api/v1/elections/{eid}/phase", {"phase": "closed"}, token=t).status == 200
    expect(s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [e["proposals"][0]]}, token=vt), 409, "wrong_phase")
    r = s.post(f"/api/v1/elections/{eid}/voter-sessions", {"code": e["codes"][e["districts"][0]][0]})
    expect(r, 409, "wrong_phase")
    # before voting opens, no codes work either
    d = ctx.election(phase="review", proposals=[(0, 10)])
    r = s.post(f"/api/v1/elections/{d['id']}/codes", {"district_id": d["districts"][0], "count": 1}, token=t)
    assert r.status == 201
    r = s.post(f"/api/v1/elections/{d['id']}/voter-sessions", {"code": r.json["codes"][0]})
    expect(r, 409, "wrong_phase")


def test_body_too_large(ctx):
    s, t = ctx.server, ctx.admin_token()
    big = b'{"slug":"' + b"a" * (2 * 1024 * 1024) + b'"}'
    r = s.request("POST", "/api/v1/elections", raw=big, token=t)
    assert r.status == 413, r


def test_path_traversal_and_bad_paths(ctx):
    s = ctx.server
    for path in ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/api/v1/elections/1%00", "/web/..%2f..%2fMakefile"]:
        r = s.get(path)
        assert r.status in (400, 404), (path, r)
        assert "root:" not in r.body


def test_codes_count_limits(ctx):
    s, t = ctx.server, ctx.admin_token()
    e = ctx.election(proposals=[(0, 10)])
    for count in [0, -5, 10 ** 9, "ten"]:
        r = s.post(f"/api/v1/elections/{e['id']}/codes", {"district_id": e["districts"][0], "count": count}, token=t)
        expect(r, 422, "invalid_field")


def test_refusals_name_their_field(ctx):
    """A taken slug (409) and a malformed code to revoke (422) name the field, so that a form
    can say it under that field; the taken slug stores no second election."""
    s, t = ctx.server, ctx.admin_token()
    slug = ctx.unique()
    body = {"slug": slug, "title": {"da": "x"}, "ballot": {"type": "approval"}}
    assert s.post("/api/v1/elections", body, token=t).status == 201
    r = s.post("/api/v1/elections", dict(body, title={"da": "y"}), token=t)
    expect(r, 409, "conflict")
    assert r.json["error"]["field"] == "slug", r
    listed = s.get("/api/v1/elections", token=t).json["elections"]
    assert [x.get("slug") for x in listed].count(slug) == 1, "one election with the slug"
    e = ctx.election(phase=None)
    for code in ("ABCD", "", "K7QX-9MPD-2TRW-H4N!"):
        r = s.post(f"/api/v1/elections/{e['id']}/codes/revoke", {"code": code}, token=e["token"])
        expect(r, 422, "invalid_field")
        assert r.json["error"]["field"] == "code", r
