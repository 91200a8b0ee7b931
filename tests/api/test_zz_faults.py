"""Faults and hostile clients: a server killed mid-load loses no acknowledged ballot and
leaves no half ballot; PostgreSQL going away gives 503 and the server recovers by itself;
slow and oversized requests do not stop it; injection is stored as text; a restored dump
gives the same tally and the same signed export. (Named zz so it runs last: it stops
and restarts the shared PostgreSQL.)"""
import concurrent.futures as cf
import os
import re
import socket
import subprocess
import threading
import time

import client


def ballots_for(ctx, server, e, n):
    eid, d = e["id"], e["districts"][0]
    codes = e["codes"][d][:n]
    sessions = []
    for c in codes:
        r = server.post(f"/api/v1/elections/{eid}/voter-sessions", {"code": c})
        assert r.status == 201, r
        sessions.append(r.json["token"])
    return sessions


def test_sigkill_loses_no_acknowledged_ballot(ctx):
    srv = ctx.env.server()
    e = ctx.election(proposals=[(0, 100), (0, 200), (0, 300)], codes=300)
    eid, p = e["id"], e["proposals"]
    tokens = ballots_for(ctx, srv, e, 300)
    acked, lock = {}, threading.Lock()

    def cast(i):
        try:
            r = srv.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[i % 3]]}, token=tokens[i], timeout=10)
            if r.status == 200:
                with lock:
                    acked[i] = r.json["tracker"]
        except Exception:
            pass  # the connection died with the server: not acknowledged

    with cf.ThreadPoolExecutor(16) as pool:
        futures = [pool.submit(cast, i) for i in range(300)]
        time.sleep(0.4)
        srv.proc.kill()  # SIGKILL, mid-load
        for f in futures:
            f.result()
    srv.kill()
    assert 0 < len(acked) < 300 or len(acked) == 300, len(acked)
    # every acknowledged ballot is counted, with the tracker its voter got
    board = set(ctx.server.get(f"/api/v1/elections/{eid}/trackers").json["trackers"])
    missing = [i for i, t in acked.items() if t not in board]
    assert not missing, f"{len(missing)} acknowledged ballots lost"
    # nothing half-written: every stored ballot is whole, and turnout agrees with the ballots
    n = int(ctx.env.psql(f"SELECT count(*) FROM ballots WHERE election_id = {eid}"))
    whole = int(ctx.env.psql(f"SELECT count(*) FROM ballots WHERE election_id = {eid}"
                             " AND cardinality(items) = 1 AND tracker ~ '^[0-9a-f]{64}$'"))
    assert n == whole and n >= len(acked), (n, whole, len(acked))
    assert ctx.server.get(f"/api/v1/elections/{eid}/turnout").json["total"] == n


def test_database_outage_gives_503_and_recovers(ctx):
    s = ctx.server
    e = ctx.election(proposals=[(0, 100)], codes=2)
    eid, p = e["id"], e["proposals"]
    token = ballots_for(ctx, s, e, 1)[0]
    r = ctx.env.pbserver("--pg-stop")
    assert r.returncode == 0, r.stderr
    try:
        deadline = time.time() + 20
        statuses = set()
        while time.time() < deadline:
            t0 = time.time()
            r = s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[0]]}, token=token, timeout=15)
            assert time.time() - t0 < 12, "a request hung while the database was down"
            statuses.add(r.status)
            if r.status == 503:
                assert r.header("Retry-After") and r.code == "unavailable", r
                break
            time.sleep(0.2)
        assert 503 in statuses, statuses
        assert s.get("/readyz").status == 503
        assert s.get("/healthz").status == 200
    finally:
        r = ctx.env.pbserver("--pg-start")
        assert r.returncode == 0, r.stdout + r.stderr
    deadline = time.time() + 30
    while time.time() < deadline and s.get("/readyz").status != 200:
        time.sleep(0.3)
    assert s.get("/readyz").status == 200, "the pool did not reconnect"
    r = s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[0]]}, token=token)
    assert r.status == 200, r


def test_out_of_descriptors_pauses_accepting(ctx):
    """With every descriptor in use the server neither crashes nor spins on the listening
    socket; it serves again as soon as connections close."""
    import resource

    def low_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    srv = ctx.env.server(preexec_fn=low_limit)
    held = []
    try:
        for _ in range(120):
            c = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
            held.append(c)

        def cpu_s():
            with open(f"/proc/{srv.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        time.sleep(0.5)
        before = cpu_s()
        time.sleep(1.0)
        assert cpu_s() - before < 0.5, "the server spins while it cannot accept"
        assert srv.proc.poll() is None
        for c in held:
            c.close()
        held = []
        assert srv.get("/healthz", timeout=15).status == 200
        assert "pausing accepts" in srv.log_tail(20000)
    finally:
        for c in held:
            c.close()
        srv.stop()


def test_slow_and_oversized_clients(ctx):
    s = ctx.server
    slow = []
    for _ in range(50):  # slowloris: half a request each, never finished
        c = socket.create_connection(("127.0.0.1", s.port))
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        slow.append(c)
    try:
        t0 = time.time()
        assert s.get("/healthz").status == 200
        assert time.time() - t0 < 2
        # headers larger than 16 KiB are refused, the server goes on
        c = socket.create_connection(("127.0.0.1", s.port))
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n")
        c.settimeout(5)
        try:
            head = c.recv(200)
            assert head == b"" or re.match(rb"HTTP/1.1 4\d\d", head), head
        except (ConnectionResetError, socket.timeout):
            pass
        c.close()
        # a huge number, a huge string field
        r = s.post("/api/v1/elections", {"slug": "x" * 100000, "title": "x", "ballot": {"type": "approval"}},
                   token=ctx.admin_token())
        assert r.status == 422, r
        r = s.request("POST", "/api/v1/staff/login", raw=b'{"email": 1e999999, "password": "x"}')
        assert r.status in (400, 422), r
    finally:
        for c in slow:
            c.close()
    assert s.get("/healthz").status == 200


def test_injection_is_stored_as_text(ctx):
    s = ctx.server
    e = ctx.election(phase=None)
    evil = ["'; DROP TABLE ballots; --", "<script>alert(1)</script>", "\" OR 1=1 --", "${jndi:ldap://x}", "Robert'); --"]
    for i, text in enumerate(evil):
        r = s.post(f"/api/v1/elections/{e['id']}/proposals",
                   {"district_id": e["districts"][0], "title": {"da": text, "en": text}, "summary": text, "cost": 10 + i,
                    "category": None}, token=e["token"])
        assert r.status == 201 and r.json["title"]["da"] == text, r
    r = s.get(f"/api/v1/elections/{e['id']}/proposals", token=e["token"])
    assert [x["title"]["da"] for x in r.json["proposals"]] == evil
    assert r.header("Content-Type").startswith("application/json") and r.header("X-Content-Type-Options") == "nosniff"
    assert ctx.env.psql("SELECT to_regclass('ballots') IS NOT NULL") == "t"
    # the pages' policy forbids inline script anyway
    page = s.get("/")
    csp = page.header("Content-Security-Policy")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, csp


def test_backup_restore_gives_same_tally_and_export(ctx):
    s = ctx.server
    e = ctx.election(proposals=[(0, 40000), (0, 30000), (0, 50000)], codes=3)
    eid, d, p = e["id"], e["districts"][0], e["proposals"]
    for code, ballot in zip(e["codes"][d], [[0, 1], [1], [2, 0]]):
        vt = ctx.voter(eid, code)
        assert s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[i] for i in ballot]}, token=vt).status == 200
    s.post(f"/api/v1/elections/{eid}/phase", {"phase": "closed"}, token=e["token"])
    s.post(f"/api/v1/elections/{eid}/tally", token=e["token"])
    s.post(f"/api/v1/elections/{eid}/publish", token=e["token"])
    before = s.get(f"/api/v1/elections/{eid}/results").json
    export = s.get(f"/api/v1/elections/{eid}/export?format=pb&district={d}")
    host = re.search(r"host=(\S+)", ctx.env.conninfo).group(1)
    user = re.search(r"user=(\S+)", ctx.env.conninfo).group(1)
    bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
    dump = os.path.join(ctx.env.data_dir, "backup.dump")
    name = f"restored_{os.getpid()}"
    r = subprocess.run([os.path.join(bindir, "pg_dump"), "-h", host, "-U", user, "--format=custom", "--file", dump,
                        "borgerbudget"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    ctx.env.psql(f"CREATE DATABASE {name}")
    r = subprocess.run([os.path.join(bindir, "pg_restore"), "-h", host, "-U", user, "--no-owner", "--dbname", name, dump],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    restored = client.Server(ctx.env.root, ctx.env.conninfo.replace("dbname=borgerbudget", f"dbname={name}"),
                             ctx.env.data_dir)
    try:
        after = restored.get(f"/api/v1/elections/{eid}/results").json
        assert after == before
        export2 = restored.get(f"/api/v1/elections/{eid}/export?format=pb&district={d}")
        assert export2.body == export.body and export2.header("X-Signature") == export.header("X-Signature")
        assert restored.post(f"/api/v1/elections/{eid}/tally", token=None).status == 401
    finally:
        restored.stop()


def test_tls_served_directly(ctx):
    import http.client
    import json
    import ssl
    d = ctx.env.data_dir
    cert, key = os.path.join(d, "tls.crt"), os.path.join(d, "tls.key")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    srv = client.Server(ctx.env.root, ctx.env.conninfo, d, {"PB_TLS_CERT": cert, "PB_TLS_KEY": key})
    try:
        tls = ssl.create_default_context(cafile=cert)
        conn = http.client.HTTPSConnection("127.0.0.1", srv.port, context=tls, timeout=10)
        conn.request("POST", "/api/v1/staff/login", body=json.dumps({"email": client.ADMIN_EMAIL, "password": client.ADMIN_PASSWORD}),
                     headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        body = json.loads(resp.read())
        assert resp.status == 200 and body["token"], body
        assert "max-age=" in resp.getheader("Strict-Transport-Security")
        cookie = resp.getheader("Set-Cookie")
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie, cookie
        conn.close()
        # plain HTTP on the TLS port gets nowhere
        c = socket.create_connection(("127.0.0.1", srv.port))
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        c.settimeout(5)
        try:
            assert b"200 OK" not in c.recv(100)
        except (ConnectionResetError, socket.timeout):
            pass
        c.close()
    finally:
        srv.stop()


def test_large_answers_are_gzipped_on_request(ctx):
    import gzip
    import json
    s = ctx.server
    e = ctx.election(proposals=[(0, 100 + i) for i in range(30)])
    plain = s.get(f"/api/v1/elections/{e['id']}/proposals")
    assert plain.header("Content-Encoding") is None
    r = s.request("GET", f"/api/v1/elections/{e['id']}/proposals", headers={"Accept-Encoding": "gzip"})
    assert r.header("Content-Encoding") == "gzip" and r.header("Vary") == "Accept-Encoding", r.headers
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
    conn.request("GET", f"/api/v1/elections/{e['id']}/proposals", headers={"Accept-Encoding": "gzip"})
    resp = conn.getresponse()
    body = gzip.decompress(resp.read())
    conn.close()
    assert json.loads(body) == plain.json


def test_large_answers_are_compressed_off_the_loop(ctx):
    """A big answer (here 100,000 codes, 2 MB) is compressed on a worker thread: it arrives
    whole and gzip-encoded, and the server keeps answering while it is made."""
    import gzip
    import http.client
    import json
    s = ctx.server
    e = ctx.election(proposals=[(0, 100)])
    out = {}

    def fetch():
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
        conn.request("POST", f"/api/v1/elections/{e['id']}/codes",
                     body=json.dumps({"district_id": e["districts"][0], "count": 100000}),
                     headers={"Accept-Encoding": "gzip", "Content-Type": "application/json",
                              "Authorization": "Bearer " + e["token"]})
        resp = conn.getresponse()
        out.update(status=resp.status, encoding=resp.getheader("Content-Encoding"), raw=resp.read())
        conn.close()
    t = threading.Thread(target=fetch)
    t.start()
    while t.is_alive():
        assert s.get("/healthz", timeout=5).status == 200
    t.join()
    assert out["status"] == 201 and out["encoding"] == "gzip", out.get("status")
    codes = json.loads(gzip.decompress(out["raw"]))["codes"]
    assert len(codes) == 100000 and len(set(codes)) == 100000
