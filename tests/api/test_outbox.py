"""Messages that really arrive: e-mail through a real SMTP server (aiosmtpd) and SMS through
an HTTPS gateway on loopback, from the durable outbox. What arrives is read back with its
headers; faults (the SMTP server stopped with 100 messages queued, refusing, the gateway
answering 500, the server restarted mid-queue, two processes sending) lose nothing and
send nothing twice."""
import concurrent.futures
import email
import email.policy
import os
import re
import time

from outside import SmsGateway, SmtpSink, wait_until


def delivery_server(ctx, gw, processes="1", db=None):
    """A server on a database of its own: every server on a database sends its outbox, and
    the main test server has neither the gateway's certificate nor its credential."""
    import client
    if db is None:
        db = ctx.unique("delivery").replace("-", "_")
        ctx.env.psql(f"CREATE DATABASE {db}")
    conninfo = re.sub(r"dbname=\S+", f"dbname={db}", ctx.env.conninfo)
    s = client.Server(ctx.env.root, conninfo, ctx.env.data_dir,
                      {"PB_CA_FILE": gw.cert, "PB_CREDENTIAL_SMS_KEY": "gateway-secret", "PB_OUTBOX_RETRY_MS": "200",
                       "PB_PROCESSES": processes})
    s.db = db
    ctx.env.servers.append(s)
    return s


def setup(ctx, srv, smtp, gw, **election):
    """An election on srv (a server with a database of its own; by default voting, two
    proposals, two codes), its organisation delivering e-mail by SMTP and SMS through gw."""
    saved = ctx.server
    ctx.server, ctx._admin = srv, None
    try:
        e = ctx.election(**({"proposals": [(0, 100), (0, 200)], "codes": 2} | election))
    finally:
        ctx.server, ctx._admin = saved, None
    org = srv.get(f"/api/v1/elections/{e['id']}").json["organisation_id"]
    body = {"email": {"transport": "smtp", "url": f"smtp://127.0.0.1:{smtp.port}", "from": "noreply@kommune.example",
                      "security": "none"},
            "sms": {"transport": "https", "url": gw.url, "auth": "bearer", "credential_ref": "sms-key", "sender": "Kommune",
                    "body": {"sender": "{{sender}}", "message": "{{message}}", "recipients": [{"msisdn": "{{to_number}}"}]}}}
    r = srv.request("PUT", f"/api/v1/organisations/{org}/delivery", body=body, token=e["token"])
    assert r.status == 200 and r.json["sms"]["credential_available"] is True, r
    return e, org


def voter(srv, eid, code):
    r = srv.post(f"/api/v1/elections/{eid}/voter-sessions", {"method": "code", "code": code})
    assert r.status == 201, r
    return r.json["token"]


def parsed(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def outbox(srv, e, org, state=None):
    q = f"?state={state}" if state else ""
    r = srv.get(f"/api/v1/organisations/{org}/outbox{q}", token=e["token"])
    assert r.status == 200, r
    return r.json


def test_email_sms_receipt_and_texts(ctx):
    smtp, gw = SmtpSink(), SmsGateway(ctx.env.data_dir)
    srv = delivery_server(ctx, gw)
    try:
        e, org = setup(ctx, srv, smtp, gw)
        # a test message by e-mail: headers, text, one Message-ID per outbox message
        r = srv.post(f"/api/v1/organisations/{org}/delivery/test", {"to": "staff@kommune.example", "lang": "da"},
                     token=e["token"])
        assert r.status == 202 and r.json["state"] == "queued", r
        wait_until(lambda: smtp.received(), what="the test e-mail")
        frm, to, raw = smtp.received()[0]
        m = parsed(raw)
        assert frm == "noreply@kommune.example" and to == ["staff@kommune.example"], (frm, to)
        assert m["Subject"] == "Testbesked fra Borgerbudget" and "staff@kommune.example" in str(m["To"]), m
        assert re.fullmatch(r"<test\.[0-9a-f-]{36}@kommune\.example>", m["Message-ID"]), m["Message-ID"]
        assert "Levering virker" in m.get_content()
        # SMS through the gateway: bearer credential, idempotency key, the organisation's body
        r = srv.post(f"/api/v1/organisations/{org}/delivery/test", {"to": "+45 12 34 56 78"}, token=e["token"])
        assert r.status == 202, r
        wait_until(lambda: gw.requests, what="the test SMS")
        req = gw.requests[0]
        assert req["headers"]["Authorization"] == "Bearer gateway-secret", req
        assert req["headers"]["Idempotency-Key"].startswith("test:"), req
        assert req["body"] == {"sender": "Kommune", "message": "Test message from Borgerbudget. Delivery works.",
                               "recipients": [{"msisdn": 4512345678}]}, req
        # the outbox shows both as sent, with masked addresses only
        ob = outbox(srv, e, org)
        assert ob["counts"]["sent"] == 2 and {x["recipient"] for x in ob["messages"]} == {"s***@kommune.example",
                                                                                         "+45****5678"}, ob
        assert "staff@kommune.example" not in str(ob) and "4512345678" not in str(ob)

        # the receipt, when the voter asks: tracker and board link, never the ballot
        code = e["codes"][e["districts"][0]][0]
        vt = voter(srv, e["id"], code)
        r = srv.put(f"/api/v1/elections/{e['id']}/ballot", {"approvals": [e["proposals"][1]]}, token=vt)
        tracker = r.json["tracker"]
        r = srv.post(f"/api/v1/elections/{e['id']}/receipt-email", {"to": "borger@example.dk", "tracker": tracker,
                                                                    "lang": "en"}, token=vt)
        assert r.status == 202, r
        wait_until(lambda: len(smtp.received()) == 2, what="the receipt")
        m = parsed(smtp.received()[1][2])
        text = m.get_content()
        assert m["Subject"] == "Your receipt: Test" and tracker in text, text
        assert f"/#/e/{e['id']}/board?t={tracker}" in text and "P1" not in text and "P0" not in text, text
        # the same request again sends nothing new; another tracker is refused
        r = srv.post(f"/api/v1/elections/{e['id']}/receipt-email", {"to": "borger@example.dk", "tracker": tracker,
                                                                    "lang": "en"}, token=vt)
        assert r.status == 202, r
        r = srv.post(f"/api/v1/elections/{e['id']}/receipt-email", {"to": "x@example.dk", "tracker": "ab" * 32},
                     token=vt)
        assert r.status == 404, r
        for i in range(2):
            assert srv.post(f"/api/v1/elections/{e['id']}/receipt-email", {"to": f"o{i}@example.dk", "tracker": tracker},
                            token=vt).status == 202
        r = srv.post(f"/api/v1/elections/{e['id']}/receipt-email", {"to": "o9@example.dk", "tracker": tracker}, token=vt)
        assert r.status == 409, r
        for bad in ({"to": "nobody", "tracker": tracker}, {"tracker": tracker}, {"to": "a@b.dk"}, {"to": "a@b.dk",
                    "tracker": tracker, "ballot": 1}, {"to": "a@b.dk", "tracker": "XYZ"}):
            assert srv.post(f"/api/v1/elections/{e['id']}/receipt-email", bad, token=vt).status == 422, bad
        wait_until(lambda: len(smtp.received()) == 4, what="the receipts")
        time.sleep(0.5)
        assert len(smtp.received()) == 4

        # staff edit a text per election; the next message uses it, then the default again
        r = srv.request("PUT", f"/api/v1/elections/{e['id']}/message-templates",
                        body={"kind": "receipt", "channel": "email", "lang": "en", "subject": "Kvittering {{election}}",
                              "body": "Receipt {{tracker}} - see {{board_url}}"}, token=e["token"])
        assert r.status == 200, r
        t = [x for x in r.json["templates"] if (x["kind"], x["channel"], x["lang"]) == ("receipt", "email", "en")][0]
        assert t["custom"] is True, t
        code2 = e["codes"][e["districts"][0]][1]
        vt2 = voter(srv, e["id"], code2)
        tr2 = srv.put(f"/api/v1/elections/{e['id']}/ballot", {"approvals": [e["proposals"][0]]}, token=vt2).json["tracker"]
        assert srv.post(f"/api/v1/elections/{e['id']}/receipt-email", {"to": "b2@example.dk", "tracker": tr2,
                                                                       "lang": "en"}, token=vt2).status == 202
        wait_until(lambda: len(smtp.received()) == 5, what="the edited receipt")
        m = parsed(smtp.received()[4][2])
        assert m["Subject"] == "Kvittering Test" and m.get_content().startswith(f"Receipt {tr2}"), m
        r = srv.request("PUT", f"/api/v1/elections/{e['id']}/message-templates",
                        body={"kind": "receipt", "channel": "email", "lang": "en", "body": None}, token=e["token"])
        assert r.status == 200, r
        # every citizen language has its own text: a receipt asked for on a German or an Arabic page
        for lang, subject in (("de", "Ihre Quittung: Test"), ("ar", "إيصالك: Test")):
            assert srv.post(f"/api/v1/elections/{e['id']}/receipt-email", {"to": f"{lang}@example.dk", "tracker": tr2,
                                                                           "lang": lang}, token=vt2).status == 202
        wait_until(lambda: len(smtp.received()) == 7, what="the German and Arabic receipts")
        subjects = sorted(parsed(x[2])["Subject"] for x in smtp.received()[5:7])
        assert subjects == sorted(["Ihre Quittung: Test", "إيصالك: Test"]), subjects
        # the kind never sent is not offered
        r = srv.request("PUT", f"/api/v1/elections/{e['id']}/message-templates",
                        body={"kind": "moderation", "channel": "email", "lang": "en", "body": "b"}, token=e["token"])
        assert r.status == 422, r
        for bad in ({"kind": "x", "channel": "email", "lang": "en", "body": "b"},
                    {"kind": "otp", "channel": "email", "lang": "en", "subject": "a\nBcc: x", "body": "b"},
                    {"kind": "otp", "channel": "fax", "lang": "en", "body": "b"},
                    {"kind": "otp", "channel": "sms", "lang": "english", "body": "b"}):
            r = srv.request("PUT", f"/api/v1/elections/{e['id']}/message-templates", body=bad, token=e["token"])
            assert r.status == 422, (bad, r)
        # settings are checked
        for bad in ({"email": {"transport": "smtp", "url": "http://x", "from": "a@b.dk"}},
                    {"email": {"transport": "smtp", "url": "smtp://mail.example.com", "from": "a@b.dk", "security": "none"}},
                    {"email": {"transport": "smtp", "url": "smtp://127.0.0.1:25", "from": "nobody"}},
                    {"email": {"transport": "carrier-pigeon"}}, {"sms": {"transport": "https", "url": "http://gw.example"}},
                    {"sms": {"transport": "https", "url": "https://gw.example", "auth": "bearer"}},
                    {"sms": {"transport": "https", "url": "https://gw.example", "password": "x"}}, {}):
            r = srv.request("PUT", f"/api/v1/organisations/{org}/delivery", body=bad, token=e["token"])
            assert r.status == 422, (bad, r)
        # a staff invite arrives by e-mail with the link that sets the password
        r = srv.post(f"/api/v1/organisations/{org}/staff", {"email": "ny@kommune.example", "role": "clerk"}, token=e["token"])
        assert r.status == 201 and r.json["invite_token"], r
        got = wait_until(lambda: [x for x in smtp.received() if x[1] == ["ny@kommune.example"]], what="the invite")
        m = parsed(got[0][2])
        link = re.search(r"http://127\.0\.0\.1:\d+/admin\.html#/accept/(\S+)", m.get_content())
        assert m["Subject"].startswith("Invitation to Borgerbudget: ") and link, m.get_content()
        assert link.group(1) == r.json["invite_token"]
        assert srv.post("/api/v1/staff/accept", {"invite_token": link.group(1), "password": "a long enough password"}).status == 200
        assert srv.post("/api/v1/staff/login", {"email": "ny@kommune.example", "password": "a long enough password"}).status == 200
        # an existing account only gains a role: no second invite
        n = len(smtp.received())
        assert srv.post(f"/api/v1/organisations/{org}/staff", {"email": "ny@kommune.example", "role": "observer"},
                        token=e["token"]).json["invite_token"] is None
        time.sleep(1)
        assert len(smtp.received()) == n
        # nothing readable in the outbox table: recipients and codes are sealed
        dump = ctx.env.psql("SELECT encode(recipient_sealed, 'escape') || encode(params_sealed, 'escape') FROM outbox",
                            db=srv.db)
        assert "borger@example.dk" not in dump and tracker not in dump
    finally:
        srv.stop()
        smtp.stop()
        gw.stop()


def test_smtp_refusals_and_gateway_errors(ctx):
    smtp, gw = SmtpSink(), SmsGateway(ctx.env.data_dir)
    srv = delivery_server(ctx, gw)
    try:
        e, org = setup(ctx, srv, smtp, gw)
        # a 550 for the recipient is final: one attempt, failed with the reason
        smtp.refuse = True
        r = srv.post(f"/api/v1/organisations/{org}/delivery/test", {"to": "gone@kommune.example"}, token=e["token"])
        mid = r.json["message_id"]
        m = wait_until(lambda: [x for x in outbox(srv, e, org, "failed")["messages"] if x["id"] == mid],
                       what="the refused message to fail")[0]
        assert m["attempts"] == 1 and "550" in m["last_error"], m
        smtp.refuse = False
        # the gateway answers 500: retried until it works, then sent once
        gw.status = 500
        r = srv.post(f"/api/v1/organisations/{org}/delivery/test", {"to": "+4587654321"}, token=e["token"])
        mid = r.json["message_id"]
        wait_until(lambda: [x for x in outbox(srv, e, org, "queued")["messages"] if x["id"] == mid and x["attempts"] >= 2],
                   what="retries")
        gw.status = 200
        wait_until(lambda: gw.requests, what="the SMS after the gateway recovered")
        time.sleep(1)
        assert len(gw.requests) == 1
        assert "outbox send failed; will retry" in srv.log_tail(100000)
        # a 400 from the gateway is final
        gw.status = 400
        r = srv.post(f"/api/v1/organisations/{org}/delivery/test", {"to": "+4511111111"}, token=e["token"])
        mid = r.json["message_id"]
        m = wait_until(lambda: [x for x in outbox(srv, e, org, "failed")["messages"] if x["id"] == mid],
                       what="the rejected SMS to fail")[0]
        assert "HTTP 400" in m["last_error"], m
        gw.status = 200
        # an SMTP server that is not there at all: queued with the reason, retried
        smtp.stop()
        r = srv.post(f"/api/v1/organisations/{org}/delivery/test", {"to": "later@kommune.example"}, token=e["token"])
        mid = r.json["message_id"]
        m = wait_until(lambda: [x for x in outbox(srv, e, org, "queued")["messages"] if x["id"] == mid and x["last_error"]],
                       what="the connection failure")[0]
        assert "SMTP" in m["last_error"], m
        smtp.start()
        wait_until(lambda: any(t == ["later@kommune.example"] for _, t, _ in smtp.received()), what="late delivery")
        assert srv.get("/healthz").status == 200
    finally:
        srv.stop()
        smtp.stop()
        gw.stop()


def queue_tests(srv, e, org, n, prefix):
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        rs = list(pool.map(lambda i: srv.post(f"/api/v1/organisations/{org}/delivery/test",
                                              {"to": f"{prefix}{i}@kommune.example"}, token=e["token"]), range(n)))
    assert all(r.status == 202 for r in rs), [r for r in rs if r.status != 202][:3]


def arrived(smtp, prefix):
    return [(t[0], parsed(raw)["Message-ID"]) for _, t, raw in smtp.received() if t[0].startswith(prefix)]


def test_smtp_down_with_100_queued(ctx):
    smtp, gw = SmtpSink(), SmsGateway(ctx.env.data_dir)
    srv = delivery_server(ctx, gw)
    try:
        e, org = setup(ctx, srv, smtp, gw)
        smtp.stop()
        queue_tests(srv, e, org, 100, "down")
        tried = ("SELECT count(DISTINCT message_id) FROM outbox_attempts a JOIN outbox o ON o.id = a.message_id"
                 " WHERE NOT a.ok AND o.idempotency_key LIKE 'test:%' AND o.state <> 'sent'")
        wait_until(lambda: int(ctx.env.psql(tried, db=srv.db)) >= 100, what="all 100 tried and failed once")
        time.sleep(1)
        smtp.start()
        got = wait_until(lambda: (lambda a: a if len(a) >= 100 else None)(arrived(smtp, "down")), timeout=90,
                         what="all 100 after the SMTP server came back")
        time.sleep(1)
        got = arrived(smtp, "down")
        assert len(got) == 100 and len({m for _, m in got}) == 100 and len({t for t, _ in got}) == 100, len(got)
    finally:
        srv.stop()
        smtp.stop()
        gw.stop()


def test_restart_mid_queue_and_two_processes(ctx):
    smtp, gw = SmtpSink(), SmsGateway(ctx.env.data_dir)
    srv = delivery_server(ctx, gw)
    srv2 = None
    try:
        e, org = setup(ctx, srv, smtp, gw)
        # the server stops while 100 messages go out; another (two processes) finishes them
        queue_tests(srv, e, org, 100, "restart")
        assert srv.stop() == 0
        sent_before = len(arrived(smtp, "restart"))
        srv2 = delivery_server(ctx, gw, processes="2", db=srv.db)
        got = wait_until(lambda: (lambda a: a if len(a) >= 100 else None)(arrived(smtp, "restart")), timeout=60,
                         what="all 100 after the restart")
        time.sleep(1.5)
        got = arrived(smtp, "restart")
        assert len(got) == 100 and len({m for _, m in got}) == 100, (len(got), sent_before)
        # every attempt was recorded once per message that was sent
        n = ctx.env.psql("SELECT count(*) FROM outbox o WHERE o.state = 'sent' AND o.idempotency_key LIKE 'test:%'"
                         " AND NOT EXISTS (SELECT 1 FROM outbox_attempts a WHERE a.message_id = o.id AND a.ok)", db=srv.db)
        assert n == "0", n
    finally:
        if srv2:
            srv2.stop()
        srv.stop()
        smtp.stop()
        gw.stop()
