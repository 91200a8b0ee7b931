"""What observers rely on: no staff role (observer included, for the whole organisation or
for one election, nor the installation admin) gets ballots or per-project counts while voting
is open, in any export format or through the results; the exports come with their own file
names, types and signatures once voting has closed; and the audit entries carry the text
their hash covers, so that a reader recomputes the chain without the server."""
import hashlib

from test_staff import add_staff, org_setup

FORMATS = {
    # query: (Content-Type, file name pattern with {e} and {d})
    "format=pb&district={d}": ("text/plain; charset=utf-8", "election-{e}-district-{d}.pb"),
    "format=json&district={d}": ("application/json; charset=utf-8", "election-{e}-district-{d}.json"),
    "format=csv&district={d}": ("text/csv; charset=utf-8", "election-{e}-district-{d}.csv"),
    "format=csv&kind=ballots&district={d}": ("text/csv; charset=utf-8", "election-{e}-district-{d}-ballots.csv"),
    "format=json": ("application/json; charset=utf-8", "election-{e}.json"),
    "format=manifest": ("application/json; charset=utf-8", "election-{e}.manifest.json"),
    "format=trackers": ("text/plain; charset=utf-8", "election-{e}.txt"),
}


def voting_election(ctx):
    s = ctx.server
    org, eid, dists, staff = org_setup(ctx)
    admin = staff["admin"]["token"]
    r = s.post(f"/api/v1/elections/{eid}/proposals", {"district_id": dists[0], "title": {"da": "P", "en": "P"}, "cost": 100},
               token=admin)
    assert r.status == 201, r
    pid = r.json["id"]
    assert s.post(f"/api/v1/elections/{eid}/phase", {"phase": "voting"}, token=admin).status == 200
    r = s.post(f"/api/v1/elections/{eid}/codes", {"district_id": dists[0], "count": 2}, token=admin)
    assert r.status == 201, r
    voter = ctx.voter(eid, r.json["codes"][0])
    assert s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [pid]}, token=voter).status == 200
    # an observer for this one election, and the installation's own admin
    staff["observer_of_election"] = add_staff(ctx, org, "observer", election_id=eid)
    staff["installation_admin"] = {"token": ctx.admin_token()}
    return org, eid, dists, staff


def test_no_role_sees_counts_while_voting_and_every_file_has_its_name_after(ctx):
    s = ctx.server
    org, eid, dists, staff = voting_election(ctx)
    d = dists[0]
    for role, who in staff.items():
        for q in FORMATS:
            r = s.get(f"/api/v1/elections/{eid}/export?{q.format(d=d)}", token=who["token"])
            if q == "format=trackers":
                assert r.status == 200, (role, r)
            else:
                assert r.status == 409 and r.code == "wrong_phase", (role, q, r)
        # no count to read either: the results exist only after closing and counting
        r = s.get(f"/api/v1/elections/{eid}/results", token=who["token"])
        assert r.status in (404, 409), (role, r)
        assert "projects" not in r.body, (role, r)
        r = s.get(f"/api/v1/elections/{eid}/turnout", token=who["token"])
        assert r.status == 200 and r.json["total"] == 1, (role, r)
    # closed: every role that may read the election gets every file, named and typed
    admin = staff["admin"]["token"]
    assert s.post(f"/api/v1/elections/{eid}/phase", {"phase": "closed"}, token=admin).status == 200
    assert s.post(f"/api/v1/elections/{eid}/tally", {}, token=admin).status in (200, 202)
    for role in ("observer", "observer_of_election"):
        for q, (ctype, name) in FORMATS.items():
            r = s.get(f"/api/v1/elections/{eid}/export?{q.format(d=d)}", token=staff[role]["token"])
            assert r.status == 200, (role, q, r)
            assert r.header("Content-Type") == ctype, (q, r.header("Content-Type"))
            assert r.header("Content-Disposition") == f'attachment; filename="{name.format(e=eid, d=d)}"', (q, r.header("Content-Disposition"))
            assert r.header("X-Signature") and r.header("X-Signature-Algorithm") == "Ed25519", q


def test_audit_entries_carry_the_text_their_hash_covers(ctx):
    s = ctx.server
    org, eid, dists, staff = org_setup(ctx)
    r = s.get(f"/api/v1/elections/{eid}/audit", token=staff["observer"]["token"])
    assert r.status == 200 and len(r.json["entries"]) >= 4, r
    prev = ""
    for a in r.json["entries"]:
        assert a["prev_hash"] == prev, a
        assert a["text"].split("|")[0] == str(a["seq"]) and a["text"].split("|")[4] == a["action"], a
        assert hashlib.sha256(bytes.fromhex(a["prev_hash"]) + a["text"].encode()).hexdigest() == a["hash"], a
        assert a["staff_email"] == staff["admin"]["email"], a
        prev = a["hash"]
    # a changed entry shows: its text no longer gives its hash
    seq = r.json["entries"][1]["seq"]
    ctx.env.psql(f"UPDATE audit_log SET action = 'district.nothing' WHERE seq = {seq}")
    changed = [a for a in s.get(f"/api/v1/elections/{eid}/audit", token=staff["observer"]["token"]).json["entries"]
               if a["seq"] == seq][0]
    assert hashlib.sha256(bytes.fromhex(changed["prev_hash"]) + changed["text"].encode()).hexdigest() != changed["hash"]
