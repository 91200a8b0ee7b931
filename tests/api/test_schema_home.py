"""SQL functions have one home: every function of the database is defined once, in
schema/functions/, and no migration defines one. A fresh database and databases upgraded
from the old layout (every function in the numbered migrations, as at commit e77013c) end
with the same functions and tables; servers starting together apply the functions once.
Staff account writes are functions that reach the audit log, and a proposal PATCH with an
exclusion group is one transaction."""
import concurrent.futures as cf
import json
import os
import re
import shutil
import subprocess
import time

import client

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = os.path.join(ROOT, "schema")
# The last commit whose schema/ held numbered migrations with the functions inside them.
OLD_LAYOUT_COMMIT = "e77013c"

CREATE_FUNCTION = re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:public\.)?(\w+)\s*\(", re.I | re.M)
DEFINES_ROUTINE = re.compile(r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE|TRIGGER|AGGREGATE)\b", re.I)


def sql_files(sub):
    d = os.path.join(SCHEMA, sub)
    return {f: open(os.path.join(d, f)).read() for f in sorted(os.listdir(d)) if f.endswith(".sql")}


def without_comments(sql):
    return re.sub(r"--[^\n]*", "", sql)


def db_functions(ctx, db=None):
    """name(argument types) -> pg_get_functiondef, for the functions of the public schema."""
    return json.loads(ctx.env.psql(
        "SELECT coalesce(jsonb_object_agg(p.oid::regprocedure::text, pg_get_functiondef(p.oid)), '{}')"
        "  FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace"
        "   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')", db=db))


def db_tables(ctx, db):
    """Columns, indexes, constraints and triggers of the public schema."""
    q = {
        "columns": "SELECT jsonb_object_agg(table_name || '.' || column_name, jsonb_build_array("
                   " ordinal_position, data_type, udt_name, column_default, is_nullable))"
                   " FROM information_schema.columns WHERE table_schema = 'public'",
        "indexes": "SELECT jsonb_object_agg(indexname, indexdef) FROM pg_indexes WHERE schemaname = 'public'",
        "constraints": "SELECT jsonb_object_agg(conrelid::regclass || '.' || conname, pg_get_constraintdef(oid))"
                       " FROM pg_constraint WHERE connamespace = 'public'::regnamespace",
        "triggers": "SELECT coalesce(jsonb_object_agg(tgrelid::regclass || '.' || tgname, pg_get_triggerdef(oid)),"
                    " '{}') FROM pg_trigger WHERE NOT tgisinternal",
    }
    return {k: json.loads(ctx.env.psql(sql, db=db)) for k, sql in q.items()}


def test_every_function_is_defined_once_in_schema_functions(ctx):
    defined = {}
    for fname, text in sql_files("functions").items():
        assert not re.search(r"\bCREATE\s+FUNCTION\b", text, re.I), f"{fname}: use CREATE OR REPLACE FUNCTION"
        assert not re.search(r"\bCREATE\s+TRIGGER\b", text, re.I), f"{fname}: use CREATE OR REPLACE TRIGGER"
        for name in CREATE_FUNCTION.findall(without_comments(text)):
            defined.setdefault(name, []).append(fname)
    twice = {n: f for n, f in defined.items() if len(f) > 1}
    assert not twice, f"functions defined more than once: {twice}"
    in_db = {}
    for sig in db_functions(ctx):
        in_db.setdefault(sig.split("(")[0], []).append(sig)
    overloads = {n: s for n, s in in_db.items() if len(s) > 1}
    assert not overloads, f"functions with more than one argument list in the database: {overloads}"
    assert set(in_db) == set(defined), (f"in the database only: {sorted(set(in_db) - set(defined))}; "
                                        f"in schema/functions only: {sorted(set(defined) - set(in_db))}")


def test_no_migration_defines_a_function(ctx):
    migrations = sql_files("migrations")
    assert migrations and all(re.match(r"^\d{4}_\w+\.sql$", f) for f in migrations), sorted(migrations)
    for fname, text in migrations.items():
        code = without_comments(text)
        assert not DEFINES_ROUTINE.search(code), f"{fname} defines a function or trigger: move it to schema/functions/"
        # a fresh database never had the old function: the drop must not fail there
        for stmt in re.findall(r"\bDROP\s+FUNCTION\b[^;]*", code, re.I):
            assert re.match(r"DROP\s+FUNCTION\s+IF\s+EXISTS\b", stmt, re.I), f"{fname}: {stmt}"


def start(ctx, db, schema_dir=None):
    conninfo = ctx.env.conninfo.replace("dbname=borgerbudget", f"dbname={db}")
    extra = {"PB_SCHEMA_DIR": schema_dir} if schema_dir else None
    return client.Server(ctx.env.root, conninfo, ctx.env.data_dir, extra)


def log_of(server):
    server.stop()
    with open(server.log_path) as f:
        return f.read()


def old_schema_dir(ctx, upto):
    """A schema directory holding the migrations of the old layout up to and including
    number upto, and no functions: what databases made before the move had applied."""
    listing = subprocess.run(["git", "-C", ROOT, "ls-tree", "--name-only", OLD_LAYOUT_COMMIT, "schema/"],
                             capture_output=True, text=True)
    assert listing.returncode == 0, f"git cannot read the old layout at {OLD_LAYOUT_COMMIT}: {listing.stderr}"
    d = os.path.join(ctx.env.data_dir, f"old-schema-{upto}")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "migrations"))
    os.makedirs(os.path.join(d, "functions"))
    names = [n for n in listing.stdout.split() if re.match(r"schema/\d{4}_", n)]
    assert len(names) == 12, names
    for path in names:
        name = os.path.basename(path)
        if int(name[:4]) > upto:
            continue
        text = subprocess.run(["git", "-C", ROOT, "show", f"{OLD_LAYOUT_COMMIT}:{path}"], capture_output=True,
                              text=True, check=True).stdout
        with open(os.path.join(d, "migrations", name), "w") as f:
            f.write(text)
    return d


def test_fresh_and_upgraded_databases_end_the_same(ctx):
    tag = f"{os.getpid()}_{time.time_ns() % 100000}"
    fresh = f"schema_fresh_{tag}"
    upgraded = {upto: f"schema_old{upto}_{tag}" for upto in (1, 10, 12)}
    made = [fresh]
    try:
        ctx.env.psql(f"CREATE DATABASE {fresh}")
        # servers starting together on a new database: one applies the functions, the
        # others find them applied (the advisory lock orders them; the hash matches)
        with cf.ThreadPoolExecutor(4) as pool:
            servers = list(pool.map(lambda _: start(ctx, fresh), range(4)))
        logs = [log_of(s) for s in servers]
        assert sum("functions applied" in lg for lg in logs) == 1, logs
        assert sum("functions up to date" in lg for lg in logs) == 3, logs
        want_functions, want_tables = db_functions(ctx, fresh), db_tables(ctx, fresh)
        assert want_functions == db_functions(ctx), "the test database differs from a fresh one"

        for upto, db in upgraded.items():
            made.append(db)
            ctx.env.psql(f"CREATE DATABASE {db}")
            old = log_of(start(ctx, db, old_schema_dir(ctx, upto)))
            assert f"migrations up to date applied={upto} total={upto}" in old, old
            srv = start(ctx, db)
            # the upgraded database serves: a staff sign-in runs staff_session_open
            r = srv.post("/api/v1/staff/login", {"email": client.ADMIN_EMAIL, "password": client.ADMIN_PASSWORD})
            assert r.status == 200 and r.json["role"] == "admin", r
            assert "functions applied" in log_of(srv)
            got_functions = db_functions(ctx, db)
            assert set(got_functions) == set(want_functions), (
                upto, sorted(set(got_functions) ^ set(want_functions)))
            changed = [f for f in want_functions if got_functions[f] != want_functions[f]]
            assert not changed, (upto, changed)
            assert db_tables(ctx, db) == want_tables, upto
    finally:
        for db in made:
            ctx.env.psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def test_broken_function_file_stops_start_up_and_changes_nothing(ctx):
    tag = f"{os.getpid()}_{time.time_ns() % 100000}"
    db = f"schema_broken_{tag}"
    d = os.path.join(ctx.env.data_dir, f"broken-schema-{tag}")
    shutil.copytree(SCHEMA, d)
    with open(os.path.join(d, "functions", "zz_broken.sql"), "w") as f:
        f.write("CREATE OR REPLACE FUNCTION zz_first() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n"
                "CREATE OR REPLACE FUNCTION zz_broken() RETURNS int LANGUAGE sql AS $$ SELECT no_such_column"
                " FROM staff $$;\n")
    try:
        ctx.env.psql(f"CREATE DATABASE {db}")
        try:
            start(ctx, db, d)
            assert False, "the server started with a broken function"
        except RuntimeError as e:
            msg = str(e)
        assert "zz_broken() (functions/zz_broken.sql) does not compile" in msg and "no_such_column" in msg, msg
        # the transaction rolled back: no function at all, no hash recorded; the tables are there
        assert db_functions(ctx, db) == {}
        assert ctx.env.psql("SELECT count(*) FROM schema_functions", db=db) == "0"
        assert ctx.env.psql("SELECT count(*) FROM schema_migrations", db=db) != "0"
        # fixed files apply on the next start
        os.remove(os.path.join(d, "functions", "zz_broken.sql"))
        assert "functions applied" in log_of(start(ctx, db, d))
    finally:
        ctx.env.psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        shutil.rmtree(d, ignore_errors=True)


def installation_chain(ctx, staff_id):
    rows = ctx.env.psql(f"SELECT action || '|' || coalesce(organisation_id::text, '-') || '|' ||"
                        f" coalesce(election_id::text, '-') FROM audit_log WHERE staff_id = {staff_id}"
                        f" AND action LIKE 'staff.%' ORDER BY seq")
    return rows.split("\n") if rows else []


def test_password_and_totp_changes_reach_the_audit_log(ctx):
    from test_staff import login, make_org, totp
    s = ctx.server
    org = make_org(ctx)
    e = ctx.election(phase=None)
    email = f"{ctx.unique('acct')}@kommune.example"
    r = s.post(f"/api/v1/organisations/{org}/staff", {"email": email, "role": "moderator"}, token=ctx.admin_token())
    assert r.status == 201, r
    sid, invite = r.json["id"], r.json["invite_token"]
    # the same invite accepted 20 times at once (from 20 clients: failures count against
    # their address): one account password, one audit entry
    from test_hardening import post_from
    with cf.ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(lambda i: post_from(s, f"127.0.1.{i + 1}", "/api/v1/staff/accept", {
            "invite_token": invite, "password": f"first password number {i}"}).status, range(20)))
    assert sorted(statuses) == [200] + [404] * 19, statuses
    assert installation_chain(ctx, sid) == ["staff.accept|-|-"]
    password = f"first password number {statuses.index(200)}"
    token = login(s, email, password).json["token"]
    other = login(s, email, password).json["token"]
    r = s.post("/api/v1/staff/password", {"current_password": password, "new_password": "a new long password"},
               token=token)
    assert r.status == 204, r
    assert s.get("/api/v1/staff/me", token=other).status == 401
    r = s.post("/api/v1/staff/totp", token=token)
    assert r.status == 200, r
    assert s.post("/api/v1/staff/totp/enable", {"code": totp(r.json["secret"])}, token=token).status == 200
    assert installation_chain(ctx, sid) == ["staff.accept|-|-", "staff.password|-|-", "staff.totp_setup|-|-",
                                            "staff.totp_enable|-|-"]
    details = json.loads(ctx.env.psql(f"SELECT jsonb_agg(details ORDER BY seq) FROM audit_log WHERE staff_id = {sid}"
                                      f" AND action IN ('staff.password', 'staff.totp_setup')"))
    assert details == [{"sessions_ended": 1}, {"was_enabled": False}], details
    # no secret, hash or token in the log
    text = ctx.env.psql(f"SELECT string_agg(details::text, ' ') FROM audit_log WHERE staff_id = {sid}")
    assert "scrypt" not in text and r.json["secret"] not in text
    # the installation chain and the election's chain both hold
    assert ctx.env.psql("SELECT broken_seq IS NULL FROM audit_verify(NULL)") == "t"
    r = s.get(f"/api/v1/elections/{e['id']}/audit/verify", token=ctx.admin_token())
    assert r.status == 200 and r.json["valid"] is True, r
    cmd = [os.path.join(ROOT, "build", "pbserver"), "--db", ctx.env.conninfo, "--verify-audit", str(e["id"])]
    out = subprocess.run(cmd, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("OK "), out


def test_proposal_patch_with_exclusive_group_is_one_transaction(ctx):
    s = ctx.server
    e = ctx.election(districts=((1000000, "Nord"),), proposals=[(0, 1000)], phase=None)
    pid, t = e["proposals"][0], e["token"]
    history = s.get(f"/api/v1/proposals/{pid}/history", token=t).json["history"]
    # fields and group from 50 concurrent patches: the proposal ends with one patch's pair,
    # and each patch is one history entry holding both
    with cf.ThreadPoolExecutor(16) as pool:
        rs = list(pool.map(lambda i: s.patch(f"/api/v1/proposals/{pid}", {"cost": 2000 + i, "exclusive_group": i + 1},
                                             token=t), range(50)))
    assert all(r.status == 200 and r.json["exclusive_group"] == r.json["cost"] - 1999 for r in rs), rs
    p = s.get(f"/api/v1/proposals/{pid}", token=t).json
    assert p["exclusive_group"] == p["cost"] - 1999, p
    after = s.get(f"/api/v1/proposals/{pid}/history", token=t).json["history"][len(history):]
    assert len(after) == 50, len(after)
    assert all(h["after"]["exclusive_group"] == h["after"]["cost"] - 1999 for h in after)
    # 0 clears the group; a failing patch changes neither the group nor anything else
    r = s.patch(f"/api/v1/proposals/{pid}", {"exclusive_group": 0}, token=t)
    assert r.status == 200 and r.json["exclusive_group"] is None, r
    r = s.patch(f"/api/v1/proposals/{pid}", {"exclusive_group": 7, "status": "accepted", "cost": 5000000}, token=t)
    assert r.status == 422, r
    p = s.get(f"/api/v1/proposals/{pid}", token=t).json
    assert p["exclusive_group"] is None and p["cost"] < 5000000, p
    assert ctx.env.psql("SELECT count(*) FROM pg_proc WHERE proname = 'set_exclusive_group'") == "0"
