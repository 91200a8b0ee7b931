"""docs/openapi.yaml is exact: every route the server registers is described, and every
described route exists. (tests/contract checks the responses themselves against it.)"""
import os
import re

import client

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def shape(path):
    """A path with its parameters made anonymous: /a/:id/b and /a/{election_id}/b agree."""
    return re.sub(r"\{[^/}]+\}|:[A-Za-z_]\w*", "{}", path)


def registered_routes():
    """(method, pattern) of every row of the route table. Only a row's method (M_GET, ...)
    and its first path string are read, so rows may gain fields and change their layout."""
    text = open(os.path.join(ROOT, "server", "api", "routes.c")).read()
    text = re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)
    return {(m.lower(), shape(p)) for m, p in re.findall(r'\bM_(GET|POST|PUT|PATCH|DELETE)\b[^"\n]*"(/[^"]*)"', text)}


def described_routes(spec):
    return {(m, shape(p)) for p, item in spec["paths"].items() for m in item if m in METHODS}


def test_spec_matches_routes(ctx):
    r = ctx.server.get("/api/v1/openapi.json")
    assert r.status == 200 and r.json["openapi"].startswith("3.1"), r
    described = described_routes(r.json)
    routes = registered_routes()
    assert len(routes) > 30
    assert routes - described == set(), f"routes missing from docs/openapi.yaml: {sorted(routes - described)}"
    assert described - routes == set(), f"described but not served: {sorted(described - routes)}"
    for p, item in r.json["paths"].items():
        for m, op in item.items():
            if m in METHODS:
                assert op.get("summary") and op.get("responses"), (m, p)


def test_every_route_answers_json_errors(ctx):
    """No route answers an anonymous or malformed request with a crash or a non-JSON error."""
    s = ctx.server
    for method, path in sorted(registered_routes()):
        url = path.replace("{}", "999999")
        r = s.request(method.upper(), url, raw=b"{not json" if method in ("post", "put", "patch") else None)
        assert r.status < 500 or path in ("/readyz",), (method, path, r)
        if r.status >= 400:
            assert r.json and r.json["error"]["code"], (method, path, r)
    assert s.get("/healthz").status == 200


def test_every_route_answers_documented_errors(ctx):
    """Every route called the wrong ways: an unknown id, the other kind of token, a garbled
    token, a staff cookie without its CSRF token, a body too large, not an object, or with an
    unknown field. Nothing crashes; the contract check at the end of the run then holds each
    answer against the statuses and schemas docs/openapi.yaml gives for the route."""
    s = ctx.server
    e = ctx.election(proposals=[(0, 100)], codes=2)
    code_a, code_b = e["codes"][e["districts"][0]]
    voter = ctx.voter(e["id"], code_a)
    r = s.post("/api/v1/staff/login", {"email": client.ADMIN_EMAIL, "password": client.ADMIN_PASSWORD})
    assert r.status == 200, r
    staff = r.json["token"]  # a session of its own: logout ends only this one
    too_large = b'{"x": "' + b"a" * (1024 * 1024) + b'"}'
    ids = {"/api/v1/proposals/{}": e["proposals"][0], "/api/v1/organisations/{}": 1}
    # the sign-outs come last, so that the tokens work for every other route
    last = ("/api/v1/elections/{}/voter-sessions/current", "/api/v1/staff/logout")
    for method, path in sorted(registered_routes(), key=lambda mp: (mp[1] in last, mp)):
        known = path.replace("{}", str(next((v for k, v in ids.items() if path.startswith(k)), e["id"])))
        calls = [(path.replace("{}", "999999"), {"token": staff}),
                 (path.replace("{}", "999999"), {"token": voter}),
                 (known, {"token": "not-a-token"}),
                 (known, {"headers": {"Cookie": f"pb_staff={staff}"}}),
                 (known, {"token": voter})]
        if method in ("post", "put", "patch"):
            calls += [(known, {"token": staff, "raw": too_large, "headers": {"Content-Type": "application/json"}}),
                      (known, {"token": staff, "raw": b"[1]", "headers": {"Content-Type": "application/json"}}),
                      (known, {"token": staff, "body": {"no_such_field": 1}})]
        for url, kw in calls:
            r = s.request(method.upper(), url, **kw)
            assert r.status < 500, (method, url, r)
            assert r.status < 400 or (r.json and r.json["error"]["code"]), (method, url, r)
    assert s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"code": code_b}).status == 201
