"""Issue 15: limits that hold under concurrency, the client's own address behind a proxy, no
account enumeration, no interim results, strict HTTP, and small leaks closed. Every test
uses the real server over loopback; distinct clients are distinct loopback source addresses
(127.0.0.x) or X-Forwarded-For through a trusted proxy."""
import http.client
import json
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import client
from test_staff import add_staff, login, make_org

LOGIN = "/api/v1/staff/login"


def post_from(srv, source, path, body, headers=None, timeout=60):
    """A POST from a given loopback source address (a client of its own)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=timeout, source_address=(source, 0))
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    try:
        conn.request("POST", path, body=json.dumps(body).encode(), headers=h)
        r = conn.getresponse()
        return client.Response(r.status, r.getheaders(), r.read().decode("utf-8", "replace"))
    finally:
        conn.close()


def raw(srv, data, timeout=10, wait_close=True):
    """Sends raw bytes and reads until the server closes (or the timeout)."""
    c = socket.create_connection(("127.0.0.1", srv.port), timeout=timeout)
    try:
        c.sendall(data)
        out = b""
        while True:
            try:
                chunk = c.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            out += chunk
            if not wait_close and b"\r\n\r\n" in out:
                break
        return out
    finally:
        c.close()


def head_and_body(resp):
    head, _, body = resp.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else 0
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.setdefault(k.strip().lower(), []).append(v.strip())
    return status, headers, body


def staff_user(ctx):
    return add_staff(ctx, make_org(ctx), "observer")


# --- 1. limits counted before the password is checked ---

def test_fifty_parallel_wrong_passwords_reach_the_check_at_most_ten_times(ctx):
    srv = ctx.env.server()  # its own per-address table
    try:
        u = staff_user(ctx)
        with ThreadPoolExecutor(50) as pool:
            rs = list(pool.map(lambda i: post_from(srv, "127.0.0.1", LOGIN, {"email": u["email"], "password": f"wrong {i}"}),
                               range(50)))
        statuses = [r.status for r in rs]
        assert statuses.count(401) <= 10, statuses
        assert statuses.count(401) + statuses.count(429) == 50, statuses
        assert all(r.header("Retry-After") for r in rs if r.status == 429)
        # the account counted every attempt that went on: it is locked now
        assert ctx.env.psql(f"SELECT locked_until > now() FROM staff WHERE id = {u['id']}") == "t"
        # the right password, from an address with no failures, is refused like a wrong one
        r = post_from(srv, "127.0.0.2", LOGIN, {"email": u["email"], "password": u["password"]})
        assert r.status == 401 and r.code == "invalid_credentials", r
        # until the lock ends
        ctx.env.psql(f"UPDATE staff SET locked_until = now() - interval '1 second' WHERE id = {u['id']}")
        r = post_from(srv, "127.0.0.2", LOGIN, {"email": u["email"], "password": u["password"]})
        assert r.status == 200, r
    finally:
        srv.stop()


def test_parallel_voting_codes_are_counted_before_the_lookup(ctx):
    srv = ctx.env.server()
    try:
        e = ctx.election(proposals=[(0, 100)], codes=1)
        bad = [{"method": "code", "code": "ABCD-EFGH-JKMN-%04d" % (2222 + i)} for i in range(60)]
        with ThreadPoolExecutor(60) as pool:
            rs = list(pool.map(lambda b: post_from(srv, "127.0.0.3", f"/api/v1/elections/{e['id']}/voter-sessions", b),
                               bad))
        statuses = [r.status for r in rs]
        assert statuses.count(401) == 30 and statuses.count(429) == 30, statuses
        # a good code from another address: a success does not count against it
        good = e["codes"][e["districts"][0]][0]
        for _ in range(3):
            r = post_from(srv, "127.0.0.4", f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "code", "code": good})
            assert r.status == 201, r
    finally:
        srv.stop()


# --- 2. password hashing cannot be turned against the admins ---

def test_admin_signs_in_within_two_seconds_during_a_hashing_flood(ctx):
    """30 clients from 10 addresses flood sign-in with wrong passwords; a real admin from
    another address goes ahead of the flood. What the test holds is a ratio that does not
    depend on how busy the machine is: the flood's own sign-ins wait in the hashing queue
    behind each other, the admin's does not, so it takes well under the flood's typical
    time. (Without the fair queue the admin waited behind the whole flood: 34-52 s.) On a
    quiet machine that is under 2 s; `make bench` reports it (admin_login_under_flood_s)."""
    srv = ctx.env.server()
    try:
        victims = [staff_user(ctx) for _ in range(3)]
        stop = threading.Event()
        hashed = []  # how long each flood sign-in that reached the password check took
        seen = []

        def attacker(n):
            src = f"127.0.0.{20 + n % 10}"
            while not stop.is_set():
                v = victims[n % len(victims)]
                t = time.time()
                r = post_from(srv, src, LOGIN, {"email": v["email"], "password": "wrong"})
                seen.append(r.status)
                if r.status == 401:
                    hashed.append(time.time() - t)
                if r.status in (429, 503):
                    assert r.header("Retry-After"), r
                    time.sleep(0.05)  # the flood's clients share this machine's two cores with the server

        threads = [threading.Thread(target=attacker, args=(n,)) for n in range(30)]
        for t in threads:
            t.start()
        time.sleep(3)  # the flood is under way and its queue is full
        t0 = time.time()
        r = post_from(srv, "127.0.0.10", LOGIN, {"email": client.ADMIN_EMAIL, "password": client.ADMIN_PASSWORD})
        took = time.time() - t0
        time.sleep(2)  # more of the flood's times
        stop.set()
        for t in threads:
            t.join()
        assert r.status == 200, r
        flood = sorted(hashed)[len(hashed) // 2]
        print(f"     admin {took:.2f} s, the flood's median {flood:.2f} s over {len(hashed)} sign-ins", flush=True)
        assert took < 0.8 * flood, (took, flood, len(hashed))
        assert 429 in seen or 503 in seen, seen
    finally:
        srv.stop()


# --- 3. the client's own address behind a trusted proxy ---

def test_forwarded_addresses_count_only_from_a_trusted_proxy(ctx):
    srv = ctx.env.server({"PB_TRUSTED_PROXY": "127.0.0.0/8"})
    plain = ctx.env.server()  # no trusted proxy: X-Forwarded-For is ignored
    try:
        e = ctx.election(proposals=[(0, 100)], codes=1)
        path = f"/api/v1/elections/{e['id']}/voter-sessions"
        good = e["codes"][e["districts"][0]][0]

        def guess(s, xff, i):
            return post_from(s, "127.0.0.1", path, {"method": "code", "code": "ABCD-EFGH-JKMN-%04d" % (2222 + i)},
                             headers={"X-Forwarded-For": xff})

        # one attacker behind the proxy exhausts only their own address ...
        statuses = [guess(srv, "198.51.100.7", i).status for i in range(31)]
        assert statuses.count(401) == 30 and statuses[-1] == 429, statuses
        # ... a forged left-most entry does not help: the right-most untrusted one counts
        assert guess(srv, "203.0.113.99, 198.51.100.7", 40).status == 429
        # every other voter behind the same proxy still signs in
        r = post_from(srv, "127.0.0.1", path, {"method": "code", "code": good},
                      headers={"X-Forwarded-For": "198.51.100.8"})
        assert r.status == 201, r
        # without --trusted-proxy the header means nothing: all count as the peer
        statuses = [guess(plain, f"198.51.100.{i}", i).status for i in range(31)]
        assert statuses.count(401) == 30 and statuses[-1] == 429, statuses
    finally:
        srv.stop()
        plain.stop()


def test_global_limit_slows_but_never_blocks(ctx):
    # ten addresses, each within its own limit, together over a global limit of 20
    srv = ctx.env.server({"PB_TRUSTED_PROXY": "127.0.0.1/32", "PB_GLOBAL_CODE_LIMIT": "20"})
    try:
        e = ctx.election(proposals=[(0, 100)], codes=1)
        path = f"/api/v1/elections/{e['id']}/voter-sessions"
        for a in range(10):
            for i in range(3):
                r = post_from(srv, "127.0.0.1", path, {"method": "code", "code": "ABCD-EFGH-JKMN-%04d" % (2222 + i)},
                              headers={"X-Forwarded-For": f"192.0.2.{a}"})
                assert r.status == 401, r
        t0 = time.time()
        r = post_from(srv, "127.0.0.1", path, {"method": "code", "code": e["codes"][e["districts"][0]][0]},
                      headers={"X-Forwarded-For": "192.0.2.200"})
        assert r.status == 201, r  # slowed, not refused
        assert time.time() - t0 >= 0.9
    finally:
        srv.stop()


# --- 4. no e-mail enumeration ---

def test_locked_and_unknown_accounts_answer_alike(ctx):
    srv = ctx.env.server()
    try:
        u = staff_user(ctx)
        ctx.env.psql(f"UPDATE staff SET failed_logins = 10, locked_until = now() + interval '15 minutes' WHERE id = {u['id']}")
        unknown = f"{ctx.unique('nobody')}@kommune.example"
        times = {"locked": [], "unknown": []}
        answers = {}
        for i in range(4):
            for kind, email in (("locked", u["email"]), ("unknown", unknown)):
                t0 = time.time()
                r = post_from(srv, f"127.0.0.{40 + i}", LOGIN, {"email": email, "password": "wrong password"})
                times[kind].append(time.time() - t0)
                answers.setdefault(kind, set()).add((r.status, r.body, r.header("Retry-After")))
        assert answers["locked"] == answers["unknown"], answers
        assert len(answers["locked"]) == 1 and next(iter(answers["locked"]))[0] == 401, answers
        # both run the password hash: the same time within noise
        lo, un = sorted(times["locked"])[1], sorted(times["unknown"])[1]
        assert abs(lo - un) < 0.5 * max(lo, un), times
        assert min(lo, un) > 0.05, times  # a hash ran
    finally:
        srv.stop()


# --- 5. no interim results ---

def test_no_ballot_or_count_export_while_voting(ctx):
    from test_staff import org_setup
    org, eid, dists, staff = org_setup(ctx)
    s = ctx.server
    r = s.post(f"/api/v1/elections/{eid}/proposals", {"district_id": dists[0], "title": {"da": "P", "en": "P"}, "cost": 100},
               token=staff["admin"]["token"])
    assert r.status == 201, r
    assert s.post(f"/api/v1/elections/{eid}/phase", {"phase": "voting"}, token=staff["admin"]["token"]).status == 200
    sensitive = [f"format=pb&district={dists[0]}", "format=json", f"format=json&district={dists[0]}",
                 f"format=csv&district={dists[0]}", f"format=csv&kind=ballots&district={dists[0]}", "format=manifest"]
    for role, who in staff.items():
        for q in sensitive:
            r = s.get(f"/api/v1/elections/{eid}/export?{q}", token=who["token"])
            assert r.status == 409 and r.code == "wrong_phase", (role, q, r)
        assert s.get(f"/api/v1/elections/{eid}/export?format=trackers", token=who["token"]).status == 200, role
        assert s.get(f"/api/v1/elections/{eid}/turnout", token=who["token"]).status == 200, role
    for q in sensitive:
        assert s.get(f"/api/v1/elections/{eid}/export?{q}").status == 409
    assert s.get(f"/api/v1/elections/{eid}/turnout").status == 200
    # once voting has closed, staff export for the recount
    assert s.post(f"/api/v1/elections/{eid}/phase", {"phase": "closed"}, token=staff["admin"]["token"]).status == 200
    r = s.get(f"/api/v1/elections/{eid}/export?format=json", token=staff["observer"]["token"])
    assert r.status == 200 and r.header("X-Signature"), r


# --- 6. strict HTTP ---

def test_two_content_lengths_are_refused_and_the_connection_closed(ctx):
    body = b'{"email":"a@b.c","password":"x"}'
    smuggled = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    req = (b"POST /api/v1/staff/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\nContent-Length: %d\r\n\r\n" % (len(body), len(body) + len(smuggled)) + body + smuggled)
    out = raw(ctx.server, req)
    status, headers, rest = head_and_body(out)
    assert status == 400, out
    assert out.count(b"HTTP/1.1") == 1, out  # nothing after it: the smuggled request was never answered
    assert headers.get("connection") == ["close"], headers
    assert json.loads(rest)["error"]["code"] == "bad_request"


def test_host_header_is_required_once_on_http11(ctx):
    for req in (b"GET /healthz HTTP/1.1\r\n\r\n", b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"):
        status, headers, body = head_and_body(raw(ctx.server, req, wait_close=False))
        assert status == 400, (req, status, body)
        assert json.loads(body)["error"]["code"] == "bad_request"
    status, _, _ = head_and_body(raw(ctx.server, b"GET /healthz HTTP/1.0\r\n\r\n"))
    assert status == 200  # HTTP/1.0 has no Host


def test_errors_libevent_makes_are_json_with_our_headers(ctx):
    s = ctx.server
    cases = [
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n", (400, 413)),
        (b"POST /api/v1/staff/login HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n", (413,)),
        (b"POST /api/v1/staff/login HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nContent-Length: 2\r\n\r\n{}", (417,)),
        (b"BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n", (400, 405, 501)),
        (b"TRACE /healthz HTTP/1.1\r\nHost: x\r\n\r\n", (405,)),
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\nBroken header line\r\n\r\n", (400,)),
        (b"POST /api/v1/staff/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", (400, 413)),
    ]
    for req, want in cases:
        out = raw(s, req)
        status, headers, body = head_and_body(out)
        assert status in want, (req[:60], out[:300])
        assert headers.get("content-type", [""])[0].startswith("application/json"), (req[:60], out[:300])
        assert json.loads(body)["error"]["code"], out
        for h in ("x-content-type-options", "x-frame-options", "content-security-policy", "referrer-policy"):
            assert h in headers, (req[:60], h, headers)
    assert s.get("/healthz").status == 200


def test_trickled_headers_are_cut_off(ctx):
    srv = ctx.env.server({"PB_HEADER_TIMEOUT": "2"})
    try:
        c = socket.create_connection(("127.0.0.1", srv.port), timeout=20)
        t0 = time.time()
        closed = False
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        try:
            for i in range(15):  # one header line a second: never idle for the idle timeout
                c.sendall(b"X-Trickle-%d: y\r\n" % i)
                time.sleep(1)
        except (BrokenPipeError, ConnectionResetError):
            closed = True
        if not closed:
            c.settimeout(3)
            try:
                closed = c.recv(100) == b"" or True
            except (ConnectionResetError, socket.timeout):
                closed = False
        assert closed and time.time() - t0 < 10, time.time() - t0
        c.close()
        # a normal client on a kept-alive connection is not cut off between requests
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        for _ in range(2):
            conn.request("GET", "/healthz")
            assert conn.getresponse().read()
            time.sleep(2.5)
        conn.request("GET", "/healthz")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        srv.stop()


# --- 8. small leaks ---

def test_request_ids_are_not_a_counter(ctx):
    ids = [int(ctx.server.get("/healthz").header("X-Request-Id"), 16) for _ in range(20)]
    assert len(set(ids)) == 20
    steps = {b - a for a, b in zip(ids, ids[1:])}
    assert not steps <= set(range(1, 1000)), ids  # not consecutive or nearly so


def test_metrics_only_for_allowed_addresses_or_the_token(ctx):
    srv = ctx.env.server({"PB_METRICS_ALLOW": "127.0.0.5/32", "PB_METRICS_TOKEN": "t0ken-for-prometheus-0123456789"})
    try:
        def get(source, token=None):
            conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10, source_address=(source, 0))
            conn.request("GET", "/metrics", headers={"Authorization": f"Bearer {token}"} if token else {})
            r = conn.getresponse()
            return r.status, r.read()
        assert get("127.0.0.1")[0] == 403
        assert get("127.0.0.1", "wrong")[0] == 403
        assert get("127.0.0.1", "t0ken-for-prometheus-0123456789")[0] == 200
        status, body = get("127.0.0.5")
        assert status == 200 and b"pb_http_requests_total" in body
    finally:
        srv.stop()
    # the default: loopback only, which the test client is
    assert ctx.server.get("/metrics").status == 200


def test_image_url_only_points_at_our_photos(ctx):
    e = ctx.election(proposals=[(0, 100)], phase=None)
    s, t = ctx.server, e["token"]
    base = {"district_id": e["districts"][0], "title": {"da": "P", "en": "P"}, "cost": 100}
    for bad in ("https://tracker.example/pixel.gif", "//evil.example/x.png", "/api/v1/elections", "javascript:x",
                "/api/v1/photos/../elections", "http://x/y.png"):
        r = s.post(f"/api/v1/elections/{e['id']}/proposals", dict(base, image_url=bad), token=t)
        assert r.status == 422 and r.json["error"]["field"] == "image_url", (bad, r)
    r = s.post(f"/api/v1/elections/{e['id']}/proposals", dict(base, image_url="/api/v1/photos/42"), token=t)
    assert r.status == 201 and r.json["image_url"] == "/api/v1/photos/42", r
    r = s.request("PATCH", f"/api/v1/proposals/{e['proposals'][0]}", body={"image_url": "https://x.example/a.png"}, token=t)
    assert r.status == 422, r


def test_json_answers_carry_referrer_policy(ctx):
    for r in (ctx.server.get("/healthz"), ctx.server.get("/api/v1/elections"), ctx.server.get("/api/v1/nope")):
        assert r.header("Referrer-Policy") == "no-referrer", r.headers
