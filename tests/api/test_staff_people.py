"""People of a municipality: the staff list with roles, removing someone (and what that
ends), the last admin, and removals at the same time."""
import concurrent.futures as cf

from test_staff import add_staff, login, make_org


def test_list_and_remove_staff(ctx):
    s = ctx.server
    org = make_org(ctx)
    admin = add_staff(ctx, org, "admin")
    r = s.post("/api/v1/elections", {"slug": ctx.unique(), "title": "T", "ballot": {"type": "approval"}},
               token=admin["token"])
    eid = r.json["id"]
    clerk = add_staff(ctx, org, "clerk", election_id=eid, token=admin["token"])
    r = s.post(f"/api/v1/organisations/{org}/staff", {"email": ctx.unique() + "@x.dk", "role": "observer"},
               token=admin["token"])
    pending, invite = r.json["id"], r.json["invite_token"]
    staff = {p["id"]: p for p in s.get(f"/api/v1/organisations/{org}/staff", token=admin["token"]).json["staff"]}
    assert staff[clerk["id"]]["roles"] == [{"role": "clerk", "election_id": eid}], staff
    assert staff[clerk["id"]]["active"] and not staff[clerk["id"]]["invited"]
    assert staff[pending]["invited"] and not staff[pending]["active"] and not staff[pending]["totp_enabled"]
    # the clerk may not remove anyone; the admin removes the clerk, who is signed out
    assert s.request("DELETE", f"/api/v1/organisations/{org}/staff/{admin['id']}", token=clerk["token"]).status == 403
    r = s.request("DELETE", f"/api/v1/organisations/{org}/staff/{clerk['id']}", token=admin["token"])
    assert r.status == 204, r
    assert s.get("/api/v1/staff/me", token=clerk["token"]).status == 401
    assert login(s, clerk["email"], clerk["password"]).status == 200  # the account stays, with nothing to see
    assert s.get(f"/api/v1/elections/{eid}", token=login(s, clerk["email"], clerk["password"]).json["token"]).status == 404
    assert s.request("DELETE", f"/api/v1/organisations/{org}/staff/{clerk['id']}", token=admin["token"]).status == 404
    # a removed invitee's invite stops working
    assert s.request("DELETE", f"/api/v1/organisations/{org}/staff/{pending}", token=admin["token"]).status == 204
    assert s.post("/api/v1/staff/accept", {"invite_token": invite, "password": "long enough pass"}).status == 404
    # the removals are in the audit chains: the organisation's and the election's
    audit = s.get(f"/api/v1/elections/{eid}/audit", token=admin["token"]).json["entries"]
    assert [a["action"] for a in audit].count("staff.remove") == 1
    n = ctx.env.psql(f"SELECT count(*) FROM audit_log WHERE organisation_id = {org} AND election_id IS NULL"
                     " AND action = 'staff.remove'")
    assert n == "2", n
    # another organisation's admin cannot see or touch these people
    outsider = add_staff(ctx, make_org(ctx), "admin")
    assert s.get(f"/api/v1/organisations/{org}/staff", token=outsider["token"]).status == 404
    assert s.request("DELETE", f"/api/v1/organisations/{org}/staff/{admin['id']}",
                     token=outsider["token"]).status == 404


def test_last_admin_stays(ctx):
    s = ctx.server
    org = make_org(ctx)
    a = add_staff(ctx, org, "admin")
    r = s.request("DELETE", f"/api/v1/organisations/{org}/staff/{a['id']}", token=a["token"])
    assert r.status == 409 and "last admin" in r.json["error"]["message"], r
    b = add_staff(ctx, org, "admin", token=a["token"])
    assert s.request("DELETE", f"/api/v1/organisations/{org}/staff/{a['id']}", token=b["token"]).status == 204
    r = s.request("DELETE", f"/api/v1/organisations/{org}/staff/{b['id']}", token=ctx.admin_token())
    assert r.status == 409, r


def test_admins_removing_each_other_at_once_leave_one(ctx):
    s = ctx.server
    org = make_org(ctx)
    admins = [add_staff(ctx, org, "admin") for _ in range(6)]

    def remove(i):
        me, other = admins[i], admins[(i + 1) % len(admins)]
        return s.request("DELETE", f"/api/v1/organisations/{org}/staff/{other['id']}", token=me["token"]).status

    with cf.ThreadPoolExecutor(6) as pool:
        got = list(pool.map(remove, range(6)))
    left = [p for p in s.get(f"/api/v1/organisations/{org}/staff", token=ctx.admin_token()).json["staff"]
            if {"role": "admin", "election_id": None} in p["roles"]]
    assert len(left) >= 1 and got.count(204) == 6 - len(left), (got, left)
    # fifty removals of one person: one does it
    extra = add_staff(ctx, org, "observer")
    url = f"/api/v1/organisations/{org}/staff/{extra['id']}"
    with cf.ThreadPoolExecutor(50) as pool:
        got = list(pool.map(lambda _: s.request("DELETE", url, token=ctx.admin_token()).status, range(50)))
    assert sorted(got) == [204] + [404] * 49, got
