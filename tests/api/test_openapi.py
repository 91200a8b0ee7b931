"""docs/openapi.yaml is exact: every route the server registers is described, and every
described route exists."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def registered_routes():
    text = open(os.path.join(ROOT, "server", "api", "routes.c")).read()
    return {(m.lower(), p.replace(":id", "{id}")) for m, p in re.findall(r'\{M_(\w+), "([^"]+)"', text)}


def test_spec_matches_routes(ctx):
    r = ctx.server.get("/api/v1/openapi.json")
    assert r.status == 200 and r.json["openapi"].startswith("3.1"), r
    described = {(m, p) for p, ops in r.json["paths"].items() for m in ops}
    routes = registered_routes()
    assert len(routes) > 30
    assert routes - described == set(), f"routes missing from docs/openapi.yaml: {sorted(routes - described)}"
    assert described - routes == set(), f"described but not served: {sorted(described - routes)}"
    for p, ops in r.json["paths"].items():
        for m, op in ops.items():
            assert op.get("summary") and op.get("responses"), (m, p)


def test_every_route_answers_json_errors(ctx):
    """No route answers an anonymous or malformed request with a crash or a non-JSON error."""
    s = ctx.server
    for method, path in sorted(registered_routes()):
        url = path.replace("{id}", "999999")
        r = s.request(method.upper(), url, raw=b"{not json" if method in ("post", "put", "patch") else None)
        assert r.status < 500 or path in ("/readyz",), (method, path, r)
        if r.status >= 400:
            assert r.json and r.json["error"]["code"], (method, path, r)
    assert s.get("/healthz").status == 200
