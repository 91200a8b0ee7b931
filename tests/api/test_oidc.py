"""OpenID Connect sign-in against a real provider (oidc-provider in node, tests/oidc) and a
misbehaving one: the whole code flow with PKCE, state and nonce; eligibility by the keyed
hash of a claim on the register; open elections with an age check; and every forged,
expired, replayed or wrong token, slow or broken provider answered with a stable error
code, a log line, and no hang."""
import concurrent.futures
import re
import time

from outside import CLIENT_SECRET, Browserless, Node, oidc_finish, oidc_start

REGISTER = """personal_id,birth_date,postcode,district_id
010190-1234,1990-01-01,7100,{d0}
030370-1111,1970-03-03,7100,{d1}
"""


def oidc_server(ctx):
    """A server of its own that holds the client secret as a credential."""
    return ctx.env.server({"PB_CREDENTIAL_TEST_OIDC": CLIENT_SECRET, "PB_OUTBOX_RETRY_MS": "200"})


def configure(srv, token, org, issuer, **extra):
    body = {"purpose": "citizen", "issuer": issuer, "client_id": "borgerbudget", "client_secret_ref": "test-oidc",
            "scopes": "openid profile cpr", "eligibility_claim": "cpr",
            "button_text": {"da": "Log ind med MitID", "en": "Sign in with MitID"}}
    body.update(extra)
    body = {k: v for k, v in body.items() if v is not None}
    r = srv.request("PUT", f"/api/v1/organisations/{org}/oidc-providers", body=body, token=token)
    assert r.status == 200, r
    return r.json


def election_on(ctx, srv, **kw):
    """An election made through srv (so the OIDC tests need nothing of the main server)."""
    saved = ctx.server
    ctx.server = srv
    try:
        ctx._admin = None
        return ctx.election(**kw)
    finally:
        ctx.server = saved
        ctx._admin = None


def sign_in(srv, eid, login, password, cancel=False):
    url, cookie = oidc_start(srv, eid)
    back = Browserless(f"http://127.0.0.1:{srv.port}/oidc/callback").sign_in(url, login, password, cancel)
    return oidc_finish(srv, eid, back, cookie), back, cookie


def test_oidc_sign_in_with_register(ctx):
    srv = oidc_server(ctx)
    op = Node("provider.mjs", "--redirect", f"http://127.0.0.1:{srv.port}/oidc/callback")
    try:
        e = election_on(ctx, srv, districts=((1000, "A"), (1000, "B")), proposals=[(0, 100), (1, 100)])
        d0, d1 = e["districts"]
        r = srv.request("POST", f"/api/v1/elections/{e['id']}/register", raw=REGISTER.format(d0=d0, d1=d1).encode(),
                        token=e["token"], headers={"Content-Type": "text/csv"})
        assert r.status == 201, r
        org = srv.get(f"/api/v1/elections/{e['id']}").json["organisation_id"]
        # no provider yet
        r = srv.post(f"/api/v1/elections/{e['id']}/oidc/start")
        assert r.status == 404 and r.code == "oidc_not_configured", r
        # for this election only: the organisation's other elections (other tests) keep theirs
        p = configure(srv, e["token"], org, op.issuer, election_id=e["id"])
        assert p["client_secret_available"] is True and "secret" not in str(p).replace("client_secret_", ""), p
        el = srv.get(f"/api/v1/elections/{e['id']}").json
        assert el["sign_in_methods"][0] == "oidc" and el["oidc_button"]["en"] == "Sign in with MitID", el

        # anna is on the register (her cpr is personal_id without the dash): district A
        r, back, cookie = sign_in(srv, e["id"], "anna", "anna-pw")
        assert r.status == 201 and r.json["districts"] == [d0] and r.json["has_voted"] is False, r
        vt = r.json["token"]
        assert srv.put(f"/api/v1/elections/{e['id']}/ballot", {"approvals": [e["proposals"][0]]}, token=vt).status == 200
        # the same return again: the state is used up
        r = oidc_finish(srv, e["id"], back, cookie)
        assert r.status == 401 and r.code == "oidc_state_invalid", r
        # signing in again is the same voter: re-voting works as with every method
        r, _, _ = sign_in(srv, e["id"], "anna", "anna-pw")
        assert r.status == 201 and r.json["has_voted"] is True, r
        # bo is not on the register
        r, _, _ = sign_in(srv, e["id"], "bo", "bo-pw")
        assert r.status == 403 and r.code == "oidc_not_eligible", r
        # cancelled at the provider
        r, back, _ = sign_in(srv, e["id"], None, None, cancel=True)
        assert back.get("error") == "access_denied" and r.status == 401 and r.code == "oidc_cancelled", (back, r)
        # a return without the browser's cookie (a link sent to someone else)
        url, cookie = oidc_start(srv, e["id"])
        back = Browserless(f"http://127.0.0.1:{srv.port}/oidc/callback").sign_in(url, "anna", "anna-pw")
        r = oidc_finish(srv, e["id"], back, None)
        assert r.status == 401 and r.code == "oidc_state_invalid", r
        r = oidc_finish(srv, e["id"], back, "pb_oidc=someone-elses")
        assert r.status == 401 and r.code == "oidc_state_invalid", r
        # bad input
        for body in ({"method": "oidc"}, {"method": "oidc", "state": "x"}, {"method": "oidc", "code": "c"},
                     {"method": "oidc", "state": "x", "code": "c", "error": "e"},
                     {"method": "oidc", "state": "x", "code": "c" * 3000},
                     {"method": "oidc", "state": "x", "code": "c", "register": {}}):
            r = srv.post(f"/api/v1/elections/{e['id']}/voter-sessions", body, headers={"Cookie": cookie})
            assert r.status == 422, (body, r)

        # key rotation: the provider restarts with another key; the server fetches the new set
        op.stop()
        op.start(extra=("--key-seed", "two"))
        r, _, _ = sign_in(srv, e["id"], "anna", "anna-pw")
        assert r.status == 201, r
        assert "keys fetched again" in srv.log_tail(100000)

        # the provider down: a clear error after the timeout, not a hang
        op.stop()
        t = time.time()
        r = srv.post(f"/api/v1/elections/{e['id']}/oidc/start")
        assert r.status in (200, 503), r  # discovery is cached for an hour
        # nothing readable is stored: no claim value, only keyed hashes
        dump = ctx.env.psql(f"SELECT coalesce(encode(oidc_hash, 'hex'), '') FROM register_entries WHERE election_id = {e['id']}"
                            " UNION ALL SELECT nonce || encode(verifier_sealed, 'hex') FROM oidc_logins")
        assert "0101901234" not in dump and "010190" not in dump
        assert time.time() - t < 15
    finally:
        op.stop()
        srv.stop()


def test_oidc_open_election_and_age(ctx):
    srv = oidc_server(ctx)
    op = None
    try:
        op = Node("provider.mjs", "--redirect", f"http://127.0.0.1:{srv.port}/oidc/callback", "--alg", "ES256")
        e = election_on(ctx, srv, proposals=[(0, 100)])
        org = srv.get(f"/api/v1/elections/{e['id']}").json["organisation_id"]
        # no register and not open to all: nobody is eligible
        configure(srv, e["token"], org, op.issuer, election_id=e["id"], eligibility_claim="sub")
        r, _, _ = sign_in(srv, e["id"], "anna", "anna-pw")
        assert r.status == 403 and r.code == "oidc_not_eligible", r
        configure(srv, e["token"], org, op.issuer, election_id=e["id"], eligibility_claim="sub", open_to_all=True,
                  min_age=18, birthdate_claim="birthdate")
        r, _, _ = sign_in(srv, e["id"], "anna", "anna-pw")
        assert r.status == 201 and r.json["districts"] == [e["districts"][0]], r
        r2, _, _ = sign_in(srv, e["id"], "anna", "anna-pw")
        assert r2.status == 201 and r2.json["district_id"] == r.json["district_id"], r2
        r, _, _ = sign_in(srv, e["id"], "young", "young-pw")
        assert r.status == 403 and r.code == "oidc_not_eligible" and "18" in r.json["error"]["message"], r
        n = ctx.env.psql(f"SELECT count(*) FROM voters WHERE election_id = {e['id']} AND oidc_hash IS NOT NULL")
        assert n == "1", n
        # configuration is checked
        for bad in ({"issuer": "ftp://x"}, {"issuer": "http://example.com"}, {"scopes": "profile"},
                    {"client_secret_ref": "../secret"}, {"eligibility_claim": "a b"}, {"min_age": 200},
                    {"purpose": "robot"}, {"unknown": 1}):
            body = {"purpose": "citizen", "issuer": op.issuer, "client_id": "borgerbudget", **bad}
            r = srv.request("PUT", f"/api/v1/organisations/{org}/oidc-providers", body=body, token=e["token"])
            assert r.status == 422, (bad, r)
        providers = srv.get(f"/api/v1/organisations/{org}/oidc-providers", token=e["token"]).json["providers"]
        assert any(p["election_id"] == e["id"] for p in providers)
        pid = [p for p in providers if p["election_id"] == e["id"]][0]["id"]
        assert srv.request("DELETE", f"/api/v1/organisations/{org}/oidc-providers/{pid}", token=e["token"]).status == 204
        assert srv.request("DELETE", f"/api/v1/organisations/{org}/oidc-providers/{pid}", token=e["token"]).status == 404
    finally:
        if op:
            op.stop()
        srv.stop()


def rogue_sign_in(srv, eid):
    url, cookie = oidc_start(srv, eid)
    back = Browserless(f"http://127.0.0.1:{srv.port}/oidc/callback").sign_in(url)
    return oidc_finish(srv, eid, back, cookie)


def test_oidc_forged_and_broken_providers(ctx):
    srv = oidc_server(ctx)
    rogue = Node("rogue.mjs")
    try:
        e = election_on(ctx, srv, proposals=[(0, 100)])
        d0 = e["districts"][0]
        r = srv.request("POST", f"/api/v1/elections/{e['id']}/register",
                        raw=f"personal_id,birth_date,district_id\n0101901234,1990-01-01,{d0}\n".encode(),
                        token=e["token"], headers={"Content-Type": "text/csv"})
        assert r.status == 201, r
        org = srv.get(f"/api/v1/elections/{e['id']}").json["organisation_id"]
        configure(srv, e["token"], org, rogue.issuer, election_id=e["id"])
        rogue.control("ok")
        r = rogue_sign_in(srv, e["id"])
        assert r.status == 201, r
        # the provider rotates its key: the unknown kid brings the new set
        rogue.control("rotate")
        r = rogue_sign_in(srv, e["id"])
        assert r.status == 201, r
        expected = {
            "wrong_iss": "oidc_token_invalid", "wrong_aud": "oidc_token_invalid", "many_aud": "oidc_token_invalid",
            "wrong_azp": "oidc_token_invalid", "expired": "oidc_token_invalid", "future": "oidc_token_invalid",
            "wrong_nonce": "oidc_token_invalid", "alg_none": "oidc_token_invalid", "hs256": "oidc_token_invalid",
            "unknown_kid": "oidc_token_invalid", "tampered": "oidc_token_invalid", "replay": "oidc_token_invalid",
            "no_claim": "oidc_not_eligible", "token_500": "oidc_unavailable", "token_400": "oidc_token_invalid",
            "token_garbage": "oidc_unavailable",
        }
        for mode, code in expected.items():
            rogue.control(mode)
            r = rogue_sign_in(srv, e["id"])
            assert r.code == code, (mode, r)
        log = srv.log_tail(200000)
        for reason in ("issuer", "audience", "expired", "not_yet_valid", "nonce", "algorithm", "signature"):
            assert f"reason={reason}" in log, reason
        # a slow token endpoint: the call times out (10 s) while the server keeps answering
        rogue.control("token_slow")
        url, cookie = oidc_start(srv, e["id"])
        back = Browserless(f"http://127.0.0.1:{srv.port}/oidc/callback").sign_in(url)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            t = time.time()
            slow = pool.submit(oidc_finish, srv, e["id"], back, cookie)
            time.sleep(0.5)
            h = time.time()
            assert srv.get("/healthz").status == 200 and time.time() - h < 1
            r = slow.result(timeout=30)
            assert r.status == 503 and r.code == "oidc_unavailable" and 9 < time.time() - t < 20, r
        rogue.control("ok")
    finally:
        rogue.stop()
        srv.stop()


def test_oidc_discovery_failures_and_replays(ctx):
    srv = oidc_server(ctx)
    rogue = Node("rogue.mjs")
    try:
        e = election_on(ctx, srv, proposals=[(0, 100)])
        org = srv.get(f"/api/v1/elections/{e['id']}").json["organisation_id"]
        configure(srv, e["token"], org, rogue.issuer, election_id=e["id"], open_to_all=True)
        for mode in ("discovery_down", "discovery_garbage", "wrong_issuer_doc"):
            rogue.control(mode)
            r = srv.post(f"/api/v1/elections/{e['id']}/oidc/start")
            assert r.status == 503 and r.code == "oidc_unavailable", (mode, r)
        rogue.control("ok")
        # keys that cannot be fetched the first time
        rogue.control("jwks_down")
        r = rogue_sign_in(srv, e["id"])
        assert r.status == 503 and r.code == "oidc_unavailable", r
        rogue.control("ok")
        # one return replayed 50 times at once: exactly one session
        url, cookie = oidc_start(srv, e["id"])
        back = Browserless(f"http://127.0.0.1:{srv.port}/oidc/callback").sign_in(url)
        with concurrent.futures.ThreadPoolExecutor(50) as pool:
            results = list(pool.map(lambda _: oidc_finish(srv, e["id"], back, cookie), range(50)))
        assert sorted(r.status for r in results) == [201] + [401] * 49, [r.status for r in results]
        # 20 parallel sign-ins of the same person: one voter
        starts = [oidc_start(srv, e["id"]) for _ in range(20)]
        backs = [(Browserless(f"http://127.0.0.1:{srv.port}/oidc/callback").sign_in(u), c) for u, c in starts]
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            results = list(pool.map(lambda bc: oidc_finish(srv, e["id"], bc[0], bc[1]), backs))
        assert all(r.status == 201 for r in results), results
        n = ctx.env.psql(f"SELECT count(*) FROM voters WHERE election_id = {e['id']}")
        assert n == "1", n
    finally:
        rogue.stop()
        srv.stop()


def test_oidc_staff_sign_in(ctx):
    """Staff sign in through the organisation's own provider; roles stay Borgerbudget's."""
    srv = oidc_server(ctx)
    op = Node("provider.mjs", "--redirect", f"http://127.0.0.1:{srv.port}/oidc/callback")
    try:
        e = election_on(ctx, srv, proposals=[(0, 100)])
        org = srv.get(f"/api/v1/elections/{e['id']}").json["organisation_id"]
        r = srv.post(f"/api/v1/organisations/{org}/staff", {"email": "Anna@Example.dk", "role": "moderator"}, token=e["token"])
        assert r.status == 201, r
        r = srv.post("/api/v1/staff/oidc/start", {"organisation_id": org})
        assert r.status == 404 and r.code == "oidc_not_configured", r
        p = configure(srv, e["token"], org, op.issuer, purpose="staff", scopes="openid email", eligibility_claim=None)
        assert p["eligibility_claim"] == "email", p

        def staff_sign_in(login, password):
            r = srv.post("/api/v1/staff/oidc/start", {"organisation_id": org})
            assert r.status == 200, r
            cookie = r.header("Set-Cookie").split(";")[0]
            back = Browserless(f"http://127.0.0.1:{srv.port}/oidc/callback").sign_in(r.json["authorization_url"], login,
                                                                                     password)
            return srv.post("/api/v1/staff/oidc/session", back, headers={"Cookie": cookie})

        r = staff_sign_in("anna", "anna-pw")
        cookies = [v for k, v in r.headers if k.lower() == "set-cookie"]
        assert r.status == 200 and r.json["role"] == "moderator" and any(c.startswith("pb_staff=") for c in cookies), r
        me = srv.get("/api/v1/staff/me", token=r.json["token"])
        assert me.status == 200 and me.json["email"].lower() == "anna@example.dk", me
        # a moderator cannot do an admin's work: the role is Borgerbudget's, not the provider's
        assert srv.post(f"/api/v1/elections/{e['id']}/phase", {"phase": "closed"}, token=r.json["token"]).status == 403
        r = staff_sign_in("bo", "bo-pw")
        assert r.status == 403 and r.code == "oidc_not_eligible", r
        # a citizen's return is no staff sign-in
        configure(srv, e["token"], org, op.issuer, election_id=e["id"], open_to_all=True)
        url, cookie = oidc_start(srv, e["id"])
        back = Browserless(f"http://127.0.0.1:{srv.port}/oidc/callback").sign_in(url, "anna", "anna-pw")
        r = srv.post("/api/v1/staff/oidc/session", back, headers={"Cookie": cookie})
        assert r.status == 401 and r.code == "oidc_state_invalid", r
        for bad in ({}, {"organisation_id": "x"}, {"organisation_id": 1, "extra": 1}):
            assert srv.post("/api/v1/staff/oidc/start", bad).status == 422, bad
        assert srv.post("/api/v1/staff/oidc/start", {"organisation_id": 999999}).status == 404
        pid = [x for x in srv.get(f"/api/v1/organisations/{org}/oidc-providers", token=e["token"]).json["providers"]
               if x["purpose"] == "staff"][0]["id"]
        assert srv.request("DELETE", f"/api/v1/organisations/{org}/oidc-providers/{pid}", token=e["token"]).status == 204
    finally:
        op.stop()
        srv.stop()
