"""The embeddable widget (issue 17): an organisation lists the sites that may frame its
election pages; the widget page names exactly those in its CSP frame-ancestors, every other
page keeps 'none', and the voting pages are framed only where the organisation allows it."""
from concurrent.futures import ThreadPoolExecutor


def csp(r):
    return r.header("Content-Security-Policy") or ""


def ancestors(r):
    for part in csp(r).split(";"):
        part = part.strip()
        if part.startswith("frame-ancestors"):
            return part[len("frame-ancestors"):].split()
    return None


def org_of(ctx, e):
    return ctx.server.get(f"/api/v1/elections/{e['id']}", token=e["token"]).json["organisation_id"]


def test_widget_frame_ancestors_follow_the_organisation(ctx):
    s = ctx.server
    e = ctx.election(proposals=[(0, 1000)])
    org = org_of(ctx, e)
    assert s.put(f"/api/v1/organisations/{org}/embed", {"origins": []}, token=e["token"]).status == 200
    r = s.get(f"/embed/{e['id']}")
    assert r.status == 200 and r.header("Content-Type").startswith("text/html"), r
    assert ancestors(r) == ["'none'"] and r.header("X-Frame-Options") == "DENY"

    r = s.put(f"/api/v1/organisations/{org}/embed",
              {"origins": ["https://www.Kommune.example", "https://www.kommune.example/", "http://127.0.0.1:9"]},
              token=e["token"])
    assert r.status == 200, r
    assert r.json["origins"] == ["https://www.kommune.example", "http://127.0.0.1:9"] and r.json["allow_voting"] is False
    assert s.get(f"/api/v1/organisations/{org}/embed", token=e["token"]).json == r.json
    for view in ("proposals", "results", "turnout"):
        r = s.get(f"/embed/{e['id']}?view={view}&lang=en")
        assert r.status == 200 and ancestors(r) == ["https://www.kommune.example", "http://127.0.0.1:9"], (view, r)
        assert r.header("X-Frame-Options") is None
        assert "script-src 'self'" in csp(r) and "default-src 'self'" in csp(r)
    # voting is not framed until the organisation says so
    r = s.get(f"/embed/{e['id']}?view=vote")
    assert r.status == 200 and ancestors(r) == ["'none'"] and r.header("X-Frame-Options") == "DENY"
    assert s.put(f"/api/v1/organisations/{org}/embed", {"origins": ["https://www.kommune.example"],
                                                        "allow_voting": True}, token=e["token"]).status == 200
    r = s.get(f"/embed/{e['id']}?view=vote")
    assert ancestors(r) == ["https://www.kommune.example"] and "/js/citizen.js" in r.body
    # the rest of the site stays unframeable
    for path in ("/", "/admin.html", f"/api/v1/elections/{e['id']}"):
        assert ancestors(s.get(path)) == ["'none'"], path
    # an empty list ends it
    assert s.put(f"/api/v1/organisations/{org}/embed", {"origins": []}, token=e["token"]).json["origins"] == []
    assert ancestors(s.get(f"/embed/{e['id']}")) == ["'none'"]
    # every change is in the organisation's audit log
    logged = ctx.env.psql(f"SELECT details->>'allow_voting' FROM audit_log WHERE organisation_id = {int(org)} "
                          "AND action = 'embed.settings' ORDER BY seq DESC LIMIT 2")
    assert logged.split() == ["false", "true"], logged


def test_widget_page_refuses_what_it_does_not_know(ctx):
    s = ctx.server
    e = ctx.election(phase=None)  # a draft is not public
    assert s.get(f"/embed/{e['id']}").status == 404
    assert s.get("/embed/99999999").status == 404
    r = s.get(f"/embed/{e['id']}?view=<script>")
    assert r.status in (404, 422), r
    e2 = ctx.election()
    r = s.get(f"/embed/{e2['id']}?view=ballots")
    assert r.status == 422 and r.json["error"]["field"] == "view", r
    r = s.get(f"/embed/{e2['id']}")
    etag = r.header("ETag")
    assert etag and s.get(f"/embed/{e2['id']}", headers={"If-None-Match": etag}).status == 304


def test_embed_settings_refuse_bad_sites(ctx):
    s = ctx.server
    e = ctx.election()
    org = org_of(ctx, e)
    url = f"/api/v1/organisations/{org}/embed"
    bad = [
        {"origins": "https://a.example"},
        {"origins": [42]},
        {"origins": ["a.example"]},
        {"origins": ["http://www.kommune.example"]},      # plain http elsewhere than this machine
        {"origins": ["https://www.kommune.example/path"]},
        {"origins": ["https://www.kommune.example?x=1"]},
        {"origins": ["https://user@www.kommune.example"]},
        {"origins": ["https://*.kommune.example"]},
        {"origins": ["https://a.example 'unsafe-inline'"]},
        {"origins": ["https://a.example;script-src *"]},
        {"origins": ["javascript:alert(1)"]},
        {"origins": ["data:text/html,x"]},
        {"origins": ["https://" + "a" * 300 + ".example"]},
        {"origins": [f"https://s{i}.example" for i in range(21)]},
        {"origins": [], "allow_voting": "yes"},
        {"origins": [], "extra": 1},
        {"allow_voting": True},
    ]
    for body in bad:
        r = s.put(url, body, token=e["token"])
        assert r.status == 422 and r.json["error"]["code"] in ("invalid_field", "unknown_field"), (body, r)
    assert s.get(url, token=e["token"]).json["origins"] == []
    # only the organisation's admins
    assert s.get(url).status == 401
    assert s.put(url, {"origins": []}).status == 401


def test_parallel_settings_leave_one_whole_list(ctx):
    s = ctx.server
    e = ctx.election()
    org = org_of(ctx, e)
    url = f"/api/v1/organisations/{org}/embed"
    lists = [[f"https://s{i}.example", f"https://t{i}.example"] for i in range(50)]
    with ThreadPoolExecutor(50) as pool:
        codes = list(pool.map(lambda l: s.put(url, {"origins": l}, token=e["token"]).status, lists))
    assert codes == [200] * 50
    final = s.get(url, token=e["token"]).json["origins"]
    assert final in lists  # one request's list, never a mix
    assert s.put(url, {"origins": []}, token=e["token"]).status == 200
