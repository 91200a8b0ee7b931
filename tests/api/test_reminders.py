"""Reminders before voting closes (issue 16): a signed-in voter who has not cast asks to be
reminded; shortly before the vote closes the reminder is sent once, through the outbox; a
voter who casts meanwhile gets none."""
import datetime
import os
import time
from concurrent.futures import ThreadPoolExecutor


def iso_in(hours):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=hours)
    return t.replace(microsecond=0).isoformat()


def outbox_text(ctx):
    path = os.path.join(ctx.env.data_dir, "outbox.log")
    return open(path, encoding="utf-8").read() if os.path.exists(path) else ""


def signed_in(ctx, e, district, i):
    return ctx.voter(e["id"], e["codes"][district][i])


def test_reminder_goes_once_to_who_has_not_cast(ctx):
    s = ctx.server
    # a second server that looks for due reminders every second (the default is a minute)
    fast = ctx.env.server({"PB_REMINDER_CHECK_S": "1"})
    try:
        e = ctx.election(proposals=[(0, 100)], codes=4, phases={"closed": iso_in(2)})
        far = ctx.election(proposals=[(0, 100)], codes=1, phases={"closed": iso_in(72)})
        a, b, c = (signed_in(ctx, e, e["districts"][0], i) for i in range(3))
        tag = f"{e['id']}x{time.time_ns() % 10**9}"
        to_a, to_b, to_far = f"a{tag}@example.dk", f"b{tag}@example.dk", f"far{tag}@example.dk"
        # c casts first: there is nothing to remind c of
        assert s.put(f"/api/v1/elections/{e['id']}/ballot", {"approvals": [e["proposals"][0]]}, token=c).status == 200
        r = s.post(f"/api/v1/elections/{e['id']}/reminder", {"to": "c@example.dk"}, token=c)
        assert r.status == 409 and r.json["error"]["code"] == "conflict", r
        # a asks (50 times at once: one request stays)
        with ThreadPoolExecutor(50) as pool:
            answers = list(pool.map(lambda _: s.post(f"/api/v1/elections/{e['id']}/reminder",
                                                       {"to": to_a, "lang": "da"}, token=a), range(50)))
        assert all(x.status == 201 for x in answers), [x for x in answers if x.status != 201][:2]
        assert answers[0].json["channel"] == "email" and "@" in answers[0].json["hint"] and to_a not in answers[0].json["hint"]
        assert s.get(f"/api/v1/elections/{e['id']}/reminder", token=a).json["reminder"]["channel"] == "email"
        # b asks, then casts: b's request goes with the ballot
        assert s.post(f"/api/v1/elections/{e['id']}/reminder", {"to": to_b}, token=b).status == 201
        assert s.put(f"/api/v1/elections/{e['id']}/ballot", {"approvals": []}, token=b).status == 200
        assert s.get(f"/api/v1/elections/{e['id']}/reminder", token=b).json["reminder"] is None
        # a vote closing in three days is not due yet
        v = signed_in(ctx, far, far["districts"][0], 0)
        assert s.post(f"/api/v1/elections/{far['id']}/reminder", {"to": to_far}, token=v).status == 201
        deadline = time.time() + 30
        while time.time() < deadline and to_a not in outbox_text(ctx):
            time.sleep(0.2)
        time.sleep(2.5)  # more rounds of both servers: still once
        text = outbox_text(ctx)
        lines = [l for l in text.splitlines() if l.startswith(to_a)]
        assert len(lines) == 1, text[-2000:]
        assert "Du har ikke stemt endnu" in text.split(to_a, 1)[1][:400] and f"/#/e/{e['id']}" in text.split(to_a, 1)[1][:600]
        assert to_b not in text and to_far not in text
        assert int(ctx.env.psql(f"SELECT count(*) FROM outbox WHERE kind = 'reminder' AND election_id = {int(e['id'])}")) == 1
        assert ctx.env.psql(f"SELECT count(*) FROM reminder_requests WHERE election_id = {int(e['id'])}") == "0"
    finally:
        fast.stop()


def test_reminder_refusals(ctx):
    s = ctx.server
    e = ctx.election(proposals=[(0, 100)], codes=2, phases={"closed": iso_in(5)})
    t = ctx.voter(e["id"], e["codes"][e["districts"][0]][0])
    url = f"/api/v1/elections/{e['id']}/reminder"
    for body in ({"to": "not an address"}, {"to": 42}, {}, {"to": "a@example.dk", "lang": "x y"},
                 {"to": "a@example.dk", "extra": 1}):
        r = s.post(url, body, token=t)
        assert r.status == 422, (body, r)
    assert s.post(url, {"to": "a@example.dk"}).status == 401
    assert s.get(url).status == 401
    # another election's session is not this one's
    other = ctx.election(proposals=[(0, 100)], codes=1, phases={"closed": iso_in(5)})
    t2 = ctx.voter(other["id"], other["codes"][other["districts"][0]][0])
    assert s.post(url, {"to": "a@example.dk"}, token=t2).status in (401, 403)
    # no closing time: nothing to remind of
    open_ended = ctx.election(proposals=[(0, 100)], codes=1)
    t3 = ctx.voter(open_ended["id"], open_ended["codes"][open_ended["districts"][0]][0])
    r = s.post(f"/api/v1/elections/{open_ended['id']}/reminder", {"to": "a@example.dk"}, token=t3)
    assert r.status == 409, r
    # withdrawn: gone; a signed-out session cannot ask
    assert s.post(url, {"to": "+4512345678"}, token=t).status == 201
    assert s.request("DELETE", url, token=t).status == 204
    assert s.get(url, token=t).json["reminder"] is None
    assert s.request("DELETE", f"/api/v1/elections/{e['id']}/voter-sessions/current", token=t).status in (200, 204)
    assert s.post(url, {"to": "a@example.dk"}, token=t).status == 401
