"""Municipalities, staff and roles: what each role may do, isolation between
organisations, invites, passwords, TOTP, lock-out, and the audit chain."""
import base64
import hashlib
import hmac
import struct
import time

import client


def login(s, email, password, totp=None):
    body = {"email": email, "password": password}
    if totp:
        body["totp"] = totp
    return s.post("/api/v1/staff/login", body)


def make_org(ctx, name=None):
    s, t = ctx.server, ctx.admin_token()
    r = s.post("/api/v1/organisations", {"name": name or ctx.unique("org")}, token=t)
    assert r.status == 201, r
    return r.json["id"]


def add_staff(ctx, org, role, election_id=None, token=None):
    s = ctx.server
    email = f"{ctx.unique(role)}@kommune.example"
    body = {"email": email, "role": role}
    if election_id:
        body["election_id"] = election_id
    r = s.post(f"/api/v1/organisations/{org}/staff", body, token=token or ctx.admin_token())
    assert r.status == 201 and r.json["invite_token"], r
    password = "a long enough password " + role
    r2 = s.post("/api/v1/staff/accept", {"invite_token": r.json["invite_token"], "password": password})
    assert r2.status == 200, r2
    r3 = login(s, email, password)
    assert r3.status == 200, r3
    return {"id": r.json["id"], "email": email, "password": password, "token": r3.json["token"]}


def org_setup(ctx):
    """An organisation with an admin who sets up an election, and one staff per role."""
    s = ctx.server
    org = make_org(ctx)
    admin = add_staff(ctx, org, "admin")
    body = {"slug": ctx.unique(), "title": {"da": "Frame", "en": "Frame"}, "ballot": {"type": "knapsack"},
            "languages": ["da", "en"], "categories": [{"key": "park", "name": {"da": "Park", "en": "Park"}},
                                                      {"key": "trafik", "name": {"da": "Trafik", "en": "Traffic"}}]}
    r = s.post("/api/v1/elections", body, token=admin["token"])
    assert r.status == 201, r
    assert r.json["organisation_id"] == org and len(r.json["categories"]) == 2, r
    eid = r.json["id"]
    dists = []
    for name, budget in [("Nord", 500000), ("Syd", 400000), ("By", 900000)]:
        r = s.post(f"/api/v1/elections/{eid}/districts", {"name": {"da": name, "en": name}, "budget": budget},
                   token=admin["token"])
        assert r.status == 201, r
        dists.append(r.json["id"])
    staff = {role: add_staff(ctx, org, role) for role in ["moderator", "clerk", "observer"]}
    staff["admin"] = admin
    return org, eid, dists, staff


def test_organisation_needs_installation_admin(ctx):
    s = ctx.server
    org = make_org(ctx)
    admin = add_staff(ctx, org, "admin")
    r = s.post("/api/v1/organisations", {"name": "x"}, token=admin["token"])
    assert r.status == 403, r
    r = s.get("/api/v1/organisations", token=admin["token"])
    assert [o["id"] for o in r.json["organisations"]] == [org], r


def test_roles_matrix(ctx):
    s = ctx.server
    org, eid, dists, staff = org_setup(ctx)
    other_org = make_org(ctx)
    outsider = add_staff(ctx, other_org, "admin")

    def actions(token):
        prop = {"district_id": dists[0], "title": {"da": "Bænk", "en": "Bench"}, "cost": 1000, "category": "park"}
        return {
            "get_draft": s.get(f"/api/v1/elections/{eid}", token=token).status,
            "patch": s.patch(f"/api/v1/elections/{eid}", {"description": {"da": "d"}}, token=token).status,
            "district": s.post(f"/api/v1/elections/{eid}/districts", {"name": "x", "budget": 5}, token=token).status,
            "proposal": s.post(f"/api/v1/elections/{eid}/proposals", prop, token=token).status,
            "audit": s.get(f"/api/v1/elections/{eid}/audit", token=token).status,
            "turnout": s.get(f"/api/v1/elections/{eid}/turnout", token=token).status,
            "codes": s.post(f"/api/v1/elections/{eid}/codes", {"district_id": dists[0], "count": 1}, token=token).status,
            "invite": s.post(f"/api/v1/organisations/{org}/staff", {"email": ctx.unique() + "@x.dk", "role": "clerk"},
                             token=token).status,
        }

    want = {
        "admin": {"get_draft": 200, "patch": 200, "district": 201, "proposal": 201, "audit": 200, "turnout": 200,
                  "codes": 201, "invite": 201},
        "moderator": {"get_draft": 200, "patch": 403, "district": 403, "proposal": 201, "audit": 200,
                      "turnout": 200, "codes": 403, "invite": 403},
        "clerk": {"get_draft": 200, "patch": 403, "district": 403, "proposal": 403, "audit": 200, "turnout": 200,
                  "codes": 403, "invite": 403},
        "observer": {"get_draft": 200, "patch": 403, "district": 403, "proposal": 403, "audit": 200,
                     "turnout": 200, "codes": 403, "invite": 403},
    }
    for role, expected in want.items():
        got = actions(staff[role]["token"])
        assert got == expected, (role, got)
    # another organisation's admin sees none of it
    got = actions(outsider["token"])
    assert all(v in (403, 404) for v in got.values()), got
    assert got["get_draft"] == 404 and got["audit"] == 404, got
    # nor does it appear in their list of elections
    r = s.get("/api/v1/elections", token=outsider["token"])
    assert eid not in [e["id"] for e in r.json["elections"]]
    # no credentials: 401 on every staff action
    got = actions(None)
    assert got["patch"] == got["district"] == got["proposal"] == got["audit"] == got["codes"] == 401, got


def test_role_for_one_election(ctx):
    s = ctx.server
    org, eid, dists, staff = org_setup(ctx)
    r = s.post("/api/v1/elections", {"slug": ctx.unique(), "title": "Other", "ballot": {"type": "approval"}},
               token=staff["admin"]["token"])
    other = r.json["id"]
    mod = add_staff(ctx, org, "moderator", election_id=eid, token=staff["admin"]["token"])
    prop = {"district_id": dists[0], "title": "x", "cost": 100}
    assert s.post(f"/api/v1/elections/{eid}/proposals", prop, token=mod["token"]).status == 201
    r = s.get(f"/api/v1/elections/{other}", token=mod["token"])
    assert r.status == 404, r


def test_invites_and_passwords(ctx):
    s = ctx.server
    org = make_org(ctx)
    r = s.post(f"/api/v1/organisations/{org}/staff", {"email": "kim@x.dk", "role": "wizard"}, token=ctx.admin_token())
    assert r.status == 422, r
    r = s.post(f"/api/v1/organisations/{org}/staff", {"email": "not-an-email", "role": "clerk"},
               token=ctx.admin_token())
    assert r.status == 422, r
    r = s.post(f"/api/v1/organisations/{org}/staff", {"email": ctx.unique() + "@x.dk", "role": "clerk"},
               token=ctx.admin_token())
    invite = r.json["invite_token"]
    assert s.post("/api/v1/staff/accept", {"invite_token": invite, "password": "short"}).status == 422
    assert s.post("/api/v1/staff/accept", {"invite_token": "nope" * 8, "password": "long enough pass"}).status == 404
    assert s.post("/api/v1/staff/accept", {"invite_token": invite, "password": "long enough pass"}).status == 200
    # an invite works once
    assert s.post("/api/v1/staff/accept", {"invite_token": invite, "password": "long enough pass"}).status == 404
    u = add_staff(ctx, org, "clerk")
    other = login(s, u["email"], u["password"]).json["token"]
    r = s.post("/api/v1/staff/password", {"current_password": "wrong", "new_password": "another long one"},
               token=u["token"])
    assert r.status == 401, r
    r = s.post("/api/v1/staff/password", {"current_password": u["password"], "new_password": "another long one"},
               token=u["token"])
    assert r.status == 204, r
    assert s.get("/api/v1/staff/me", token=other).status == 401  # other sessions signed out
    assert s.get("/api/v1/staff/me", token=u["token"]).status == 200
    assert login(s, u["email"], u["password"]).status == 401
    assert login(s, u["email"], "another long one").status == 200
    # passwords are stored as scrypt hashes
    stored = ctx.env.psql(f"SELECT password_hash FROM staff WHERE id = {u['id']}")
    assert stored.startswith("scrypt$17$8$1$") and "another" not in stored


def totp(secret_b32, at=None):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    step = int((at or time.time()) // 30)
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7fffffff) % 1000000)


def test_totp(ctx):
    s = ctx.server
    org = make_org(ctx)
    u = add_staff(ctx, org, "observer")
    r = s.post("/api/v1/staff/totp", token=u["token"])
    assert r.status == 200 and r.json["otpauth_uri"].startswith("otpauth://totp/"), r
    secret = r.json["secret"]
    assert s.post("/api/v1/staff/totp/enable", {"code": "000000" if totp(secret) != "000000" else "111111"},
                  token=u["token"]).status == 422
    assert s.post("/api/v1/staff/totp/enable", {"code": totp(secret)}, token=u["token"]).status == 200
    r = login(s, u["email"], u["password"])
    assert r.status == 401 and r.code == "totp_required", r
    # the code just used to enable cannot be replayed; the next step's code works
    code = totp(secret, time.time() + 30)
    r = login(s, u["email"], u["password"], code)
    assert r.status == 200, r
    r = login(s, u["email"], u["password"], code)
    assert r.status == 401, r  # the same code again: a replay


def test_lockout_after_failures(ctx):
    # a fresh server, so the per-address limit of this test does not touch the others
    srv = ctx.env.server()
    try:
        s = srv
        org = make_org(ctx)
        u = add_staff(ctx, org, "observer")
        statuses = [login(s, u["email"], "wrong password").status for _ in range(6)]
        r = login(s, u["email"], u["password"])
        assert r.status in (200, 429), r
        for _ in range(12):
            r = login(s, u["email"], "wrong password")
        assert r.status == 429 and r.header("Retry-After"), r
        # even the right password is refused while locked or limited
        assert login(s, u["email"], u["password"]).status == 429
        assert 401 in statuses
    finally:
        srv.stop()


def test_audit_chain(ctx):
    s = ctx.server
    org, eid, dists, staff = org_setup(ctx)
    r = s.get(f"/api/v1/elections/{eid}/audit", token=staff["observer"]["token"])
    actions = [e["action"] for e in r.json["entries"]]
    assert actions[0] == "election.create" and actions.count("district.create") == 3, actions
    for a, b in zip(r.json["entries"], r.json["entries"][1:]):
        assert b["prev_hash"] == a["hash"]
    assert all(e["staff_id"] == staff["admin"]["id"] for e in r.json["entries"])
    r = s.get(f"/api/v1/elections/{eid}/audit/verify", token=staff["observer"]["token"])
    assert r.json["valid"] is True and r.json["entries"] == len(actions), r
    seq = r.json and s.get(f"/api/v1/elections/{eid}/audit", token=staff["admin"]["token"]).json["entries"][1]["seq"]
    ctx.env.psql(f"UPDATE audit_log SET details = '{{\"tampered\": true}}' WHERE seq = {seq}")
    r = s.get(f"/api/v1/elections/{eid}/audit/verify", token=staff["observer"]["token"])
    assert r.json["valid"] is False and r.json["first_broken_seq"] == seq, r


def test_categories_and_proposal_moderation(ctx):
    s = ctx.server
    org, eid, dists, staff = org_setup(ctx)
    mod = staff["moderator"]["token"]
    r = s.post(f"/api/v1/elections/{eid}/proposals",
               {"district_id": dists[0], "title": "x", "cost": 100, "category": "space-program"}, token=mod)
    assert r.status == 422 and r.json["error"]["field"] == "category", r
    r = s.post(f"/api/v1/elections/{eid}/proposals",
               {"district_id": dists[0], "title": {"da": "Bænke", "en": "Benches"}, "cost": 100, "category": "park",
                "status": "submitted", "location": {"lat": 55.7, "lng": 8.2}}, token=mod)
    assert r.status == 201 and r.json["status"] == "submitted" and r.json["location"]["lat"] == 55.7, r
    pid = r.json["id"]
    r = s.patch(f"/api/v1/proposals/{pid}", {"status": "rejected"}, token=mod)
    assert r.status == 422 and r.json["error"]["field"] == "reason", r
    r = s.patch(f"/api/v1/proposals/{pid}", {"cost": 600000, "status": "accepted"}, token=mod)
    assert r.status == 422, r  # more than the district's budget
    r = s.patch(f"/api/v1/proposals/{pid}", {"cost": 45000, "status": "accepted"}, token=mod)
    assert r.status == 200 and r.json["cost"] == 45000, r
    dup = s.post(f"/api/v1/elections/{eid}/proposals", {"district_id": dists[0], "title": "Bænke igen", "cost": 50},
                 token=mod).json["id"]
    r = s.patch(f"/api/v1/proposals/{dup}", {"merged_into": pid}, token=mod)
    assert r.status == 200 and r.json["status"] == "merged" and r.json["merged_into"] == pid, r
    r = s.get(f"/api/v1/proposals/{pid}/history", token=staff["observer"]["token"])
    # created, then costed and accepted; the refused edits left no trace
    assert r.status == 200 and len(r.json["history"]) == 2, r
    assert r.json["history"][1]["before"]["status"] == "submitted"
    assert r.json["history"][1]["after"]["cost"] == 45000


def test_citizen_submits_in_ideas_phase(ctx):
    s, t = ctx.server, ctx.admin_token()
    e = ctx.election(phase="proposals", codes=1)
    eid, d = e["id"], e["districts"][0]
    vt = ctx.voter(eid, e["codes"][d][0])
    r = s.post(f"/api/v1/elections/{eid}/proposals", {"district_id": d, "title": {"da": "Shelter"}, "cost": 9000},
               token=vt)
    assert r.status == 201 and r.json["status"] == "submitted" and r.json["submitted_by_citizen"], r
    r = s.post(f"/api/v1/elections/{eid}/proposals",
               {"district_id": d, "title": "x", "cost": 9000, "status": "accepted"}, token=vt)
    assert r.status == 422, r
    # the public does not see it until it is accepted
    assert all(p["status"] == "accepted" for p in s.get(f"/api/v1/elections/{eid}/proposals").json["proposals"])
    pid = s.get(f"/api/v1/elections/{eid}/my-proposals", token=vt).json["proposals"][0]["id"]
    assert s.post(f"/api/v1/elections/{eid}/phase", {"phase": "review"}, token=t).status == 200
    r = s.post(f"/api/v1/elections/{eid}/proposals", {"district_id": d, "title": "late", "cost": 9000}, token=vt)
    assert r.status == 409 and r.code == "wrong_phase", r
    # the author sees why it was rejected
    s.patch(f"/api/v1/proposals/{pid}", {"status": "rejected", "reason": "Already planned for 2027."}, token=t)
    mine = s.get(f"/api/v1/elections/{eid}/my-proposals", token=vt).json["proposals"]
    assert mine[0]["status"] == "rejected" and mine[0]["reason"] == "Already planned for 2027.", mine


def test_phases_by_clock(ctx):
    s, t = ctx.server, ctx.admin_token()
    e = ctx.election(phase=None, proposals=[(0, 100)], phases={"voting": "2099-01-01T00:00:00Z"})
    assert s.get(f"/api/v1/elections/{e['id']}", token=t).json["phase"] == "draft"
    r = s.patch(f"/api/v1/elections/{e['id']}", {"phases": {"voting": "2020-01-01T00:00:00Z"}}, token=t)
    assert r.status == 200 and r.json["phase"] == "voting", r
    r = s.get(f"/api/v1/elections/{e['id']}", token=t)
    assert r.json["phase"] == "voting", r
    r = s.post(f"/api/v1/elections/{e['id']}/districts", {"name": "late", "budget": 5}, token=t)
    assert r.status == 409 and r.code == "wrong_phase", r
    r = s.patch(f"/api/v1/elections/{e['id']}", {"phases": {"voting": "not a time"}}, token=t)
    assert r.status == 422, r


def test_outsiders_get_nothing_on_any_staff_route(ctx):
    """Every staff route that names an election, proposal or organisation, called by an
    admin of another organisation: 403 or 404, and nothing changes."""
    import os
    import re
    s = ctx.server
    org, eid, dists, staff = org_setup(ctx)
    pid = s.post(f"/api/v1/elections/{eid}/proposals", {"district_id": dists[0], "title": "x", "cost": 10},
                 token=staff["admin"]["token"]).json["id"]
    outsider = add_staff(ctx, make_org(ctx), "admin")["token"]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    routes = re.findall(r'\{M_(\w+), "([^"]+)", \w+, AUTH_(STAFF|NONE|ANY), ([^}]*)\}', open(os.path.join(root, "server", "api", "routes.c")).read())
    before = ctx.env.psql(f"SELECT count(*) FROM audit_log WHERE election_id = {eid}")
    checked = 0
    for method, pattern, auth, flags in routes:
        if ":id" not in pattern or (auth == "NONE" and "OPT" not in flags):
            continue
        target = pid if pattern.startswith("/api/v1/proposals") else org if pattern.startswith("/api/v1/organisations") else eid
        url = pattern.replace(":id", str(target))
        body = {"email": "someone@example.dk", "role": "clerk"} if "organisations" in pattern else {}
        r = s.request(method, url, body=body if method in ("POST", "PUT", "PATCH") else None, token=outsider)
        if auth == "NONE":  # public routes: a draft election is invisible to outsiders
            assert r.status in (401, 403, 404, 409), (method, url, r)
        else:
            assert r.status in (403, 404), (method, url, r)
        checked += 1
    assert checked >= 20, checked
    assert ctx.env.psql(f"SELECT count(*) FROM audit_log WHERE election_id = {eid}") == before


def test_audit_verify_command(ctx):
    import os
    import subprocess
    s = ctx.server
    org, eid, dists, staff = org_setup(ctx)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    cmd = [os.path.join(root, "build", "pbserver"), "--db", ctx.env.conninfo, "--verify-audit", str(eid)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("OK"), r
    seq = s.get(f"/api/v1/elections/{eid}/audit", token=staff["admin"]["token"]).json["entries"][0]["seq"]
    ctx.env.psql(f"UPDATE audit_log SET action = 'election.delete' WHERE seq = {seq}")
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 1 and f"first_broken_seq={seq}" in r.stdout, r
