"""The moderation decision sent to the idea's author who asks for it: the address goes with
the idea (sealed, shown back masked only, never in exports), stays when the idea is edited,
can be withdrawn; accepting, rejecting (with the reason) and merging each send one message
in the author's language, through a real SMTP server and an HTTPS SMS gateway; a repeat of
the same decision, however many at once, sends nothing new. And a merge in the supports
phase moves the supports to the target, one per citizen."""
import concurrent.futures
import time

from outside import SmsGateway, SmtpSink, wait_until
from test_outbox import delivery_server, parsed, setup, voter
from test_supports import _supports_election, _support, _counts, _path


def ideas_election(ctx, srv, smtp, gw, codes=6):
    """An election in the ideas phase on srv (a server with a database of its own), its
    organisation delivering e-mail by SMTP and SMS through the gateway."""
    return setup(ctx, srv, smtp, gw, proposals=[(0, 100)], codes=codes, phase="proposals")


def idea(srv, e, token, title, lang="da", **extra):
    body = {"district_id": e["districts"][0], "title": {lang: title}, "description": {lang: "Noget godt"}, **extra}
    return srv.post(f"/api/v1/elections/{e['id']}/proposals", body, token=token)


def mails_to(smtp, to):
    return [parsed(raw) for _, rcpt, raw in smtp.received() if rcpt == [to]]


def test_decisions_sent_once_in_the_authors_language(ctx):
    smtp, gw = SmtpSink(), SmsGateway(ctx.env.data_dir)
    srv = delivery_server(ctx, gw)
    try:
        e, org = ideas_election(ctx, srv, smtp, gw)
        eid, staff = e["id"], e["token"]
        assert srv.get(f"/api/v1/elections/{eid}").json["receipt_channels"] == ["email", "sms"]
        codes = e["codes"][e["districts"][0]]
        a, b, c, d, f = (voter(srv, eid, codes[i]) for i in range(5))
        tag = time.time_ns() % 10**9
        to_a, to_b, to_d = f"a{tag}@example.de", f"b{tag}@example.dk", f"d{tag}@example.dk"

        # opting in with the idea: the answer shows the masked address only
        r = idea(srv, e, a, "Mehr Bänke", "de", notify={"to": to_a, "lang": "de"})
        assert r.status == 201 and r.json["notify"]["channel"] == "email", r
        assert to_a not in str(r.json) and "@example.de" in r.json["notify"]["hint"], r.json["notify"]
        ia = r.json["id"]
        # an edit keeps the address; the author's list shows it (masked)
        r = srv.patch(f"/api/v1/proposals/{ia}", {"title": {"de": "Mehr Bänke am Hafen"}}, token=a)
        assert r.status == 200 and r.json["notify"]["channel"] == "email", r
        mine = srv.get(f"/api/v1/elections/{eid}/my-proposals", token=a).json["proposals"]
        assert mine[0]["notify"]["hint"] == r.json["notify"]["hint"] and to_a not in str(mine), mine
        # nobody else sees it: not staff, not the export, not the database in clear
        assert "notify" not in srv.get(f"/api/v1/proposals/{ia}", token=staff).json
        csv = srv.get(f"/api/v1/elections/{eid}/proposals/export", token=staff)
        assert csv.status == 200 and to_a not in csv.body and "example.de" not in csv.body
        dump = ctx.env.psql(f"SELECT n::text FROM idea_notices n WHERE proposal_id = {int(ia)}", db=srv.db)
        assert dump and to_a not in dump and to_a.encode().hex() not in dump, dump

        r = idea(srv, e, b, "Flere bænke", notify={"to": to_b, "lang": "da"})
        assert r.status == 201, r
        ib = r.json["id"]
        r = idea(srv, e, c, "Better lights", "en", notify={"to": "+45 20 30 40 50", "lang": "en"})
        assert r.status == 201 and r.json["notify"] == {"channel": "sms", "hint": "+45****4050"}, r
        ic = r.json["id"]
        # d opts in, then withdraws (in the edit, and again by DELETE: both answer)
        r = idea(srv, e, d, "Bålplads", notify={"to": to_d})
        assert r.status == 201, r
        i_d = r.json["id"]
        r = srv.patch(f"/api/v1/proposals/{i_d}", {"notify": None}, token=d)
        assert r.status == 200 and r.json["notify"] is None, r
        r = srv.patch(f"/api/v1/proposals/{i_d}", {"notify": {"to": to_d}}, token=d)
        assert r.status == 200 and r.json["notify"]["channel"] == "email", r
        assert srv.request("DELETE", f"/api/v1/proposals/{i_d}/notify", token=d).status == 204
        assert srv.get(f"/api/v1/elections/{eid}/my-proposals", token=d).json["proposals"][0]["notify"] is None
        # someone else's idea is not theirs to withdraw
        assert srv.request("DELETE", f"/api/v1/proposals/{ia}/notify", token=d).status == 404
        # f sends an idea without asking
        r = idea(srv, e, f, "Hundeskov")
        assert r.status == 201 and r.json["notify"] is None, r
        i_f = r.json["id"]

        # bad addresses: 422 with a stable code, and nothing stored
        before = ctx.env.psql(f"SELECT count(*) FROM proposals WHERE election_id = {int(eid)}", db=srv.db)
        for bad in ({"to": "not an address"}, {"to": 42}, {}, "x@example.dk", {"to": "x@example.dk", "lang": "x y"},
                    {"to": "x@example.dk", "cc": "y@example.dk"}):
            r = idea(srv, e, f, "Nope", notify=bad)
            assert r.status == 422 and r.json["error"]["code"] in ("invalid_field", "unknown_field"), (bad, r)
            assert r.json["error"]["field"].startswith("notify"), (bad, r)
        r = idea(srv, e, f, "Nope", notify={"to": "nobody"})
        assert r.status == 422 and r.json["error"] == {**r.json["error"], "code": "invalid_field", "field": "notify"}, r
        r = srv.patch(f"/api/v1/proposals/{i_f}", {"notify": {"to": "@@"}}, token=f)
        assert r.status == 422 and r.json["error"]["code"] == "invalid_field", r
        assert ctx.env.psql(f"SELECT count(*) FROM proposals WHERE election_id = {int(eid)}", db=srv.db) == before

        # staff reject a's idea with a reason, 50 times at once: one message, in German
        body = {"status": "rejected", "reason": "Zu teuer für dieses Jahr"}
        with concurrent.futures.ThreadPoolExecutor(25) as pool:
            rs = list(pool.map(lambda _: srv.patch(f"/api/v1/proposals/{ia}", body, token=staff), range(50)))
        assert all(x.status == 200 for x in rs), [x for x in rs if x.status != 200][:2]
        got = wait_until(lambda: mails_to(smtp, to_a), what="the rejection")
        m = got[0]
        text = m.get_content()
        assert m["Subject"] == "Ihre Idee: Mehr Bänke am Hafen", m["Subject"]
        assert "wurde abgelehnt" in text and "Begründung: Zu teuer für dieses Jahr" in text, text
        assert f"/#/e/{eid}/ideas" in text, text
        # b's idea accepted (with a cost), in Danish, with the link to its page; the same
        # PATCH again sends nothing new
        for _ in range(3):
            r = srv.patch(f"/api/v1/proposals/{ib}", {"status": "accepted", "cost": 50000}, token=staff)
            assert r.status == 200, r
        got = wait_until(lambda: mails_to(smtp, to_b), what="the acceptance")
        text = got[0].get_content()
        assert got[0]["Subject"] == "Din idé: Flere bænke" and "er blevet godkendt" in text, text
        assert f"/#/e/{eid}/p/{ib}" in text and "Begrundelse" not in text, text
        # c's idea merged into the staff's proposal: by SMS, in English, naming the target
        r = srv.patch(f"/api/v1/proposals/{ic}", {"merged_into": e["proposals"][0]}, token=staff)
        assert r.status == 200 and r.json["status"] == "merged", r
        assert srv.patch(f"/api/v1/proposals/{ic}", {"merged_into": e["proposals"][0]}, token=staff).status == 200
        sms = wait_until(lambda: [x for x in gw.requests if x["body"]["recipients"] == [{"msisdn": 4520304050}]],
                         what="the merge SMS")
        msg = sms[0]["body"]["message"]
        assert msg.startswith("Your idea “Better lights” has been merged into “P0”."), msg
        assert f"/#/e/{eid}/p/{e['proposals'][0]}" in msg, msg
        # withdrawn, never asked: nothing
        for i in (i_d, i_f):
            assert srv.patch(f"/api/v1/proposals/{i}", {"status": "rejected", "reason": "Nej"}, token=staff).status == 200
        time.sleep(2)
        assert len(mails_to(smtp, to_a)) == 1 and len(mails_to(smtp, to_b)) == 1 and not mails_to(smtp, to_d)
        assert len([x for x in gw.requests if x["body"]["recipients"] == [{"msisdn": 4520304050}]]) == 1
        q = f"SELECT count(*) FROM outbox WHERE kind = 'idea_decision' AND election_id = {int(eid)}"
        assert ctx.env.psql(q, db=srv.db) == "3"
        # no message holds anything about supports or votes
        for m in mails_to(smtp, to_a) + mails_to(smtp, to_b):
            assert "stemme" not in m.get_content().lower() and "vote" not in m.get_content().lower()
        # a new decision is a new message: b's idea rejected after all
        r = srv.patch(f"/api/v1/proposals/{ib}", {"status": "rejected", "reason": "Budgettet slap op"}, token=staff)
        assert r.status == 200, r
        got = wait_until(lambda: (lambda x: x if len(x) == 2 else None)(mails_to(smtp, to_b)), what="the second decision")
        assert "afvist" in got[1].get_content() and "Begrundelse: Budgettet slap op" in got[1].get_content()
        # back to review, the address withdrawn and given again: the next decision is sent too
        assert srv.patch(f"/api/v1/proposals/{ib}", {"status": "submitted"}, token=staff).status == 200
        assert srv.request("DELETE", f"/api/v1/proposals/{ib}/notify", token=b).status == 204
        r = srv.patch(f"/api/v1/proposals/{ib}", {"notify": {"to": to_b, "lang": "en"}}, token=b)
        assert r.status == 200 and r.json["notify"]["channel"] == "email", r
        assert srv.patch(f"/api/v1/proposals/{ib}", {"status": "accepted"}, token=staff).status == 200
        got = wait_until(lambda: (lambda x: x if len(x) == 3 else None)(mails_to(smtp, to_b)), what="the third decision")
        assert "Your idea “Flere bænke” in Test has been accepted." in got[2].get_content(), got[2].get_content()
        # the author sees the reason in their list
        mine = srv.get(f"/api/v1/elections/{eid}/my-proposals", token=a).json["proposals"]
        assert mine[0]["status"] == "rejected" and mine[0]["reason"] == "Zu teuer für dieses Jahr", mine
        # when voting opens no decision can come: the addresses go
        assert srv.post(f"/api/v1/elections/{eid}/phase", {"phase": "review"}, token=staff).status == 200
        assert srv.post(f"/api/v1/elections/{eid}/phase", {"phase": "voting"}, token=staff).status == 200
        assert ctx.env.psql(f"SELECT count(*) FROM idea_notices WHERE election_id = {int(eid)}", db=srv.db) == "0"

        # an organisation that delivers nothing: no channel offered, an address refused
        r = srv.request("PUT", f"/api/v1/organisations/{org}/delivery",
                        body={"email": {"transport": "off"}, "sms": {"transport": "off"}}, token=staff)
        assert r.status == 200, r
        saved = ctx.server
        ctx.server, ctx._admin = srv, None
        try:
            e2 = ctx.election(codes=1, phase="proposals")
        finally:
            ctx.server, ctx._admin = saved, None
        assert srv.get(f"/api/v1/elections/{e2['id']}").json["receipt_channels"] == []
        v2 = voter(srv, e2["id"], e2["codes"][e2["districts"][0]][0])
        r = idea(srv, e2, v2, "Ingen post", notify={"to": "x@example.dk"})
        assert r.status == 422 and r.json["error"]["code"] == "invalid_field" and r.json["error"]["field"] == "notify", r
        assert srv.get(f"/api/v1/elections/{e2['id']}/my-proposals", token=v2).json["proposals"] == []
        assert idea(srv, e2, v2, "Uden besked").status == 201
    finally:
        srv.stop()
        smtp.stop()
        gw.stop()


def test_templates_list_the_new_kind(ctx):
    e = ctx.election(proposals=[(0, 100)])
    r = ctx.server.get(f"/api/v1/elections/{e['id']}/message-templates", token=e["token"])
    assert r.status == 200, r
    have = {(t["channel"], t["lang"]) for t in r.json["templates"] if t["kind"] == "idea_decision"}
    assert have == {(ch, l) for ch in ("email", "sms") for l in ("da", "en", "de", "uk", "ar")}, have
    r = ctx.server.put(f"/api/v1/elections/{e['id']}/message-templates",
                       body={"kind": "idea_decision", "channel": "email", "lang": "da", "subject": "Om {{idea}}",
                             "body": "Din idé er {{decision}}. {{reason}} {{url}}"}, token=e["token"])
    assert r.status == 200, r
    t = [x for x in r.json["templates"] if (x["kind"], x["channel"], x["lang"]) == ("idea_decision", "email", "da")][0]
    assert t["custom"] is True and t["subject"] == "Om {{idea}}", t


def test_merge_moves_supports_one_per_citizen(ctx):
    e = _supports_election(ctx, [(0, 100), (0, 200), (0, 300)], codes=3, max_per_voter=2)
    s, eid, did = ctx.server, e["id"], e["districts"][0]
    p1, p2, p3 = e["proposals"]
    v1, v2, v3 = (ctx.voter(eid, e["codes"][did][i]) for i in range(3))
    for v, ps in ((v1, (p1, p2)), (v2, (p1,)), (v3, (p2, p3))):
        for p in ps:
            assert _support(s, eid, p, v).status == 200
    assert _counts(s, eid, e["token"]) == {p1: 2, p2: 2, p3: 1}
    r = s.patch(f"/api/v1/proposals/{p1}", {"merged_into": p2}, token=e["token"])
    assert r.status == 200 and r.json["status"] == "merged", r
    # v1 supported both and keeps one; v2's support went with the idea
    assert _counts(s, eid, e["token"]) == {p1: 0, p2: 3, p3: 1}
    assert s.get(_path(eid), token=v1).json["proposal_ids"] == [p2]
    assert s.get(_path(eid), token=v1).json["used"] == 1
    assert s.get(_path(eid), token=v2).json == {**s.get(_path(eid), token=v2).json, "proposal_ids": [p2], "used": 1}
    # v1 has a support back to give; v3 is still at the limit
    assert _support(s, eid, p3, v1).status == 200
    r = s.patch(f"/api/v1/proposals/{p1}", {"merged_into": p2}, token=e["token"])  # again: nothing moves
    assert r.status == 200 and _counts(s, eid, e["token"]) == {p1: 0, p2: 3, p3: 2}
    # the ranking counts the target's supporters
    rk = s.get(f"/api/v1/elections/{eid}/support-ranking", token=e["token"])
    assert rk.status == 200, rk
    top = rk.json["districts"][0]["proposals"][0]
    assert top["id"] == p2 and top["supports"] == 3, rk.json
    # after the supports phase a merge leaves supports where they are
    assert s.post(f"/api/v1/elections/{eid}/phase", {"phase": "review"}, token=e["token"]).status == 200
    assert s.patch(f"/api/v1/proposals/{p3}", {"merged_into": p2}, token=e["token"]).status == 200
    assert _counts(s, eid, e["token"])[p2] == 3


def test_only_a_citizens_idea_takes_an_address(ctx):
    """Staff proposals have no author to tell: "notify" from staff is an unknown field, and
    nothing is stored."""
    s = ctx.server
    e = ctx.election(phase="proposals")
    body = {"district_id": e["districts"][0], "title": {"da": "Af personalet"}, "cost": 100,
            "notify": {"to": "staff@example.dk"}}
    r = s.post(f"/api/v1/elections/{e['id']}/proposals", body, token=e["token"])
    assert r.status == 422 and r.json["error"]["field"] == "notify", r
    assert s.get(f"/api/v1/elections/{e['id']}/proposals", token=e["token"]).json["proposals"] == []
