"""Eligibility and paper: voter register, one-time codes, code revocation and downloads,
rate limits on guessing, ballot types, paper ballots with double entry."""
import math
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor

import client

REGISTER = """personal_id,birth_date,postcode,district_id,contact
010190-1234,1990-01-01,7100,{d0},+45 12 34 56 78
020285-4321,1985-02-02,,{d1},borger@example.dk
030370-1111,1970-03-03,7100,{d0},
"""


def upload(ctx, e, text):
    return ctx.server.request("POST", f"/api/v1/elections/{e['id']}/register", raw=text.encode(),
                              token=e["token"], headers={"Content-Type": "text/csv"})


def test_register_match(ctx):
    s = ctx.server
    e = ctx.election(districts=((1000, "A"), (1000, "B")), proposals=[(0, 100), (1, 100)])
    d0, d1 = e["districts"]
    r = upload(ctx, e, REGISTER.format(d0=d0, d1=d1))
    assert r.status == 201 and r.json["rows"] == 3, r
    # nothing readable is stored
    # (whole rows as text: the personal numbers and contacts are not there; the hashes are
    # hashes, whose hex digits may by chance spell a year, so they are checked by their form)
    rows = ctx.env.psql(f"SELECT r::text FROM register_entries r WHERE election_id = {e['id']}")
    for secret in ("010190-1234", "0101901234", "020285-4321", "borger@example.dk", "+45 12 34 56 78", "4512345678"):
        assert secret not in rows, secret
    hashes = ctx.env.psql("SELECT encode(match_hash, 'hex') FROM register_entries"
                          f" WHERE election_id = {e['id']}").split()
    assert len(hashes) == 3 and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), hashes
    login = lambda reg: s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "register", "register": reg})
    r = login({"personal_id": "010190-1234", "birth_date": "1990-01-01", "postcode": "7100"})
    assert r.status == 201 and r.json["districts"] == [d0], r
    r = login({"personal_id": "0101901234", "birth_date": "1990-01-01", "postcode": "7 100"})
    assert r.status == 201, r  # dashes and spaces do not matter
    r = login({"personal_id": "020285-4321", "birth_date": "1985-02-02"})
    assert r.status == 201 and r.json["districts"] == [d1], r
    # a wrong field gives the same answer whichever field it is
    wrong = [login({"personal_id": "010190-1234", "birth_date": "1990-01-02", "postcode": "7100"}),
             login({"personal_id": "010190-1235", "birth_date": "1990-01-01", "postcode": "7100"}),
             login({"personal_id": "010190-1234", "birth_date": "1990-01-01", "postcode": "7101"})]
    assert len({(w.status, w.body) for w in wrong}) == 1 and wrong[0].status == 401, wrong
    r = login({"personal_id": "x", "birth_date": "1990-13-01"})
    assert r.status == 422, r
    r = upload(ctx, e, "name,age\nx,1\n")
    assert r.status == 422, r
    r = upload(ctx, e, REGISTER.format(d0=999999, d1=d1))
    assert r.status == 422, r


def wait_for(path, pattern, after=0, timeout=10):
    """The outbox sends after the answer: wait for the line to reach the development log."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        text = open(path).read() if os.path.exists(path) else ""
        found = re.findall(pattern, text[after:], re.I)
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"nothing matching {pattern!r} arrived in {path}")


def test_one_time_code(ctx):
    s = ctx.server
    e = ctx.election(districts=((1000, "A"), (1000, "B")), proposals=[(0, 100)])
    d0, d1 = e["districts"]
    assert upload(ctx, e, REGISTER.format(d0=d0, d1=d1)).status == 201
    outbox = os.path.join(ctx.env.data_dir, "outbox.log")
    before = open(outbox).read() if os.path.exists(outbox) else ""
    r = s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "otp", "contact": "+4512345678", "lang": "en"})
    assert r.status == 202 and r.json["challenge_id"], r
    challenge = r.json["challenge_id"]
    code = wait_for(outbox, r"\+4512345678\tYour Borgerbudget code is (\d{8})", len(before))[0]
    # an address not on the register gets the same answer, and nothing is sent
    r2 = s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "otp", "contact": "+4599999999"})
    assert r2.status == 202 and set(r2.json) == set(r.json), r2
    assert "+4599999999" not in open(outbox).read()
    bad = "00000000" if code != "00000000" else "11111111"
    r = s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "otp", "challenge_id": challenge, "otp": bad})
    assert r.status == 401, r
    r = s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "otp", "challenge_id": challenge, "otp": code})
    assert r.status == 201 and r.json["districts"] == [d0], r
    # a code works once
    r = s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "otp", "challenge_id": challenge, "otp": code})
    assert r.status == 401, r
    # five wrong tries end a challenge even if the sixth is right
    before = open(outbox).read()
    r = s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "otp", "contact": "BORGER@example.dk"})
    ch = r.json["challenge_id"]
    # no language asked for: the election's (Danish)
    code = wait_for(outbox, r"borger@example.dk\tDin Borgerbudget-kode er (\d{8})", len(before))[-1]
    for _ in range(5):
        s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "otp", "challenge_id": ch, "otp": bad})
    r = s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"method": "otp", "challenge_id": ch, "otp": code})
    assert r.status == 401, r


def test_codes_download_and_revoke(ctx):
    s = ctx.server
    e = ctx.election(proposals=[(0, 100)])
    d = e["districts"][0]
    r = s.post(f"/api/v1/elections/{e['id']}/codes?format=csv", {"district_id": d, "count": 3}, token=e["token"])
    assert r.status == 201 and r.header("Content-Type").startswith("text/csv"), r
    lines = r.body.strip().split("\r\n")
    assert lines[0] == "district_id,code" and len(lines) == 4
    code = lines[1].split(",")[1]
    for bad in (0, 100001, -1, "5", 2.5):
        r = s.post(f"/api/v1/elections/{e['id']}/codes", {"district_id": d, "count": bad}, token=e["token"])
        assert r.status == 422 and r.code == "invalid_field", (bad, r)
    r = s.post(f"/api/v1/elections/{e['id']}/codes?format=html", {"district_id": d, "count": 2}, token=e["token"])
    assert r.status == 201 and r.body.count('class="card"') == 2 and "<script" not in r.body, r
    vt = ctx.voter(e["id"], code)
    assert s.put(f"/api/v1/elections/{e['id']}/ballot", {"approvals": [e["proposals"][0]]}, token=vt).status == 200
    r = s.post(f"/api/v1/elections/{e['id']}/codes/revoke", {"code": code}, token=e["token"])
    assert r.status == 200, r
    r = s.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"code": code})
    assert r.status == 401, r
    assert s.get(f"/api/v1/elections/{e['id']}/ballot", token=vt).status == 401  # its session ended
    r = s.put(f"/api/v1/elections/{e['id']}/ballot", {"approvals": [e["proposals"][0]]}, token=vt)
    assert r.status == 401 and r.code == "unauthorized", r
    assert len(s.get(f"/api/v1/elections/{e['id']}/trackers").json["trackers"]) == 1  # the ballot cast stays
    assert s.post(f"/api/v1/elections/{e['id']}/codes/revoke", {"code": code}, token=e["token"]).status == 404


def test_guessing_codes_is_rate_limited(ctx):
    for processes in ("1", "2"):  # the processes of one server share one limit
        guessing_codes_is_rate_limited(ctx, processes)


def guessing_codes_is_rate_limited(ctx, processes):
    srv = ctx.env.server({"PB_PROCESSES": processes})  # its own limiter
    try:
        e = ctx.election(proposals=[(0, 100)], codes=1)
        statuses = []
        for i in range(40):
            r = srv.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"code": "ABCD-EFGH-JKMN-%04d" % (2222 + i)})
            statuses.append(r.status)
            if r.status == 429:
                retry = int(r.header("Retry-After"))
                break
        assert statuses.count(401) == 30 and statuses[-1] == 429, (processes, statuses)
        assert 0 < retry <= 600
        # the limit holds the right code back too, until the window passes
        r = srv.post(f"/api/v1/elections/{e['id']}/voter-sessions", {"code": e["codes"][e["districts"][0]][0]})
        assert r.status == 429, r
        # at 30 guesses per 10 minutes from one address, and 1,000 from everyone, finding one
        # of a million valid 16-symbol codes (31 symbols) takes longer than the universe is old
        per_year = 1000 * 6 * 24 * 365
        p_hit = 1_000_000 / 31 ** 16
        assert 1 / (per_year * p_hit) > 1e9  # years until one expected hit
    finally:
        srv.stop()


def cast(ctx, e, code, body):
    vt = ctx.voter(e["id"], code)
    return ctx.server.put(f"/api/v1/elections/{e['id']}/ballot", body, token=vt)


def test_all_ballot_types(ctx):
    e = ctx.election(ballot={"type": "cumulative", "points": 10, "max_points_per_project": 6},
                     proposals=[(0, 100), (0, 200), (0, 300)], codes=3)
    p, codes = e["proposals"], e["codes"][e["districts"][0]]
    r = cast(ctx, e, codes[0], {"points": {str(p[0]): 6, str(p[1]): 4}})
    assert r.status == 200, r
    r = cast(ctx, e, codes[1], {"points": {str(p[0]): 7}})
    assert r.status == 422 and r.code == "max_points_per_project", r
    r = cast(ctx, e, codes[1], {"points": {str(p[0]): 6, str(p[1]): 6}})
    assert r.status == 422 and r.code == "points_exceeded", r
    r = cast(ctx, e, codes[1], {"approvals": [p[0]]})
    assert r.status == 422 and r.code == "unknown_field", r

    e = ctx.election(ballot={"type": "ordinal", "max_ranks": 2}, proposals=[(0, 100), (0, 200), (0, 300)], codes=2)
    p, codes = e["proposals"], e["codes"][e["districts"][0]]
    assert cast(ctx, e, codes[0], {"ranking": [p[2], p[0]]}).status == 200
    r = cast(ctx, e, codes[1], {"ranking": p})
    assert r.status == 422 and r.code == "max_ranks", r

    e = ctx.election(ballot={"type": "knapsack", "min_selections": 2, "min_spend_share": 0.5},
                     districts=((1000, "A"),), proposals=[(0, 300), (0, 300), (0, 600)], codes=2)
    p, codes = e["proposals"], e["codes"][e["districts"][0]]
    r = cast(ctx, e, codes[0], {"approvals": [p[2]]})
    assert r.status == 422 and r.code == "min_selections", r
    r = cast(ctx, e, codes[0], {"approvals": [p[0], p[2]]})
    assert r.status == 200, r
    r = cast(ctx, e, codes[1], {"approvals": [p[0], p[1], p[2]]})
    assert r.status == 422 and r.code == "budget_exceeded", r


def test_paper_ballots(ctx):
    s = ctx.server
    e = ctx.election(proposals=[(0, 100), (0, 200)], codes=3)
    eid, codes, p = e["id"], e["codes"][e["districts"][0]], e["proposals"]
    from test_staff import add_staff, make_org  # noqa
    org = s.get(f"/api/v1/elections/{eid}", token=e["token"]).json["organisation_id"]
    clerk = add_staff(ctx, org, "clerk", election_id=eid)
    # the voter had voted online; the paper ballot replaces it and the clerk is told
    vt = ctx.voter(eid, codes[0])
    online = s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[0]]}, token=vt)
    r = s.post(f"/api/v1/elections/{eid}/paper-ballots",
               {"sheet": "S-1", "code": codes[0], "ballot": {"approvals": [p[1]]}}, token=clerk["token"])
    assert r.status == 201 and r.json["status"] == "counted" and r.json["replaced_online"] is True, r
    board = s.get(f"/api/v1/elections/{eid}/trackers").json["trackers"]
    assert online.json["tracker"] not in board and r.json["tracker"] in board
    # and the voter can no longer replace it online
    r = s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[0]]}, token=vt)
    assert r.status == 409 and r.code == "paper_ballot_exists", r
    # a sheet is entered once; a bad ballot on paper is refused like online
    r = s.post(f"/api/v1/elections/{eid}/paper-ballots",
               {"sheet": "S-1", "code": codes[1], "ballot": {"approvals": [p[1]]}}, token=clerk["token"])
    assert r.status == 409, r
    r = s.post(f"/api/v1/elections/{eid}/paper-ballots",
               {"sheet": "S-2", "code": codes[1], "ballot": {"approvals": [p[1], p[1]]}}, token=clerk["token"])
    assert r.status == 422 and r.code == "duplicate_proposal", r
    # observers cannot type ballots
    obs = add_staff(ctx, org, "observer", election_id=eid)
    r = s.post(f"/api/v1/elections/{eid}/paper-ballots",
               {"sheet": "S-3", "code": codes[2], "ballot": {"approvals": [p[0]]}}, token=obs["token"])
    assert r.status == 403, r
    audit = [a["action"] for a in s.get(f"/api/v1/elections/{eid}/audit", token=e["token"]).json["entries"]]
    assert audit.count("paper.enter") == 1


def test_paper_double_entry(ctx):
    s = ctx.server
    e = ctx.election(proposals=[(0, 100), (0, 200)], codes=2, phase=None)
    eid, p = e["id"], e["proposals"]
    assert s.patch(f"/api/v1/elections/{eid}", {"paper_double_entry": True}, token=e["token"]).status == 200
    assert s.post(f"/api/v1/elections/{eid}/phase", {"phase": "voting"}, token=e["token"]).status == 200
    d = e["districts"][0]
    codes = s.post(f"/api/v1/elections/{eid}/codes", {"district_id": d, "count": 2}, token=e["token"]).json["codes"]
    from test_staff import add_staff  # noqa
    org = s.get(f"/api/v1/elections/{eid}", token=e["token"]).json["organisation_id"]
    a, b = add_staff(ctx, org, "clerk"), add_staff(ctx, org, "clerk")
    sheet = {"sheet": "D-1", "code": codes[0], "ballot": {"approvals": [p[0]]}}
    r = s.post(f"/api/v1/elections/{eid}/paper-ballots", sheet, token=a["token"])
    assert r.status == 201 and r.json["status"] == "pending", r
    assert s.get(f"/api/v1/elections/{eid}/turnout").json["total"] == 0
    r = s.post(f"/api/v1/elections/{eid}/paper-ballots", sheet, token=a["token"])
    assert r.status == 409, r  # the same clerk cannot confirm their own typing
    r = s.post(f"/api/v1/elections/{eid}/paper-ballots", sheet, token=b["token"])
    assert r.status == 201 and r.json["status"] == "counted", r
    assert s.get(f"/api/v1/elections/{eid}/turnout").json["total"] == 1
    # a mismatch is held for review and counts nothing until an admin resolves it
    s.post(f"/api/v1/elections/{eid}/paper-ballots",
           {"sheet": "D-2", "code": codes[1], "ballot": {"approvals": [p[0]]}}, token=a["token"])
    r = s.post(f"/api/v1/elections/{eid}/paper-ballots",
               {"sheet": "D-2", "code": codes[1], "ballot": {"approvals": [p[1]]}}, token=b["token"])
    assert r.status == 409 and r.json["status"] == "mismatch", r
    assert s.get(f"/api/v1/elections/{eid}/turnout").json["total"] == 1
    sheets = s.get(f"/api/v1/elections/{eid}/paper-ballots", token=a["token"]).json["sheets"]
    assert [x["status"] for x in sheets] == ["counted", "mismatch"], sheets
    r = s.post(f"/api/v1/elections/{eid}/paper-ballots",
               {"sheet": "D-2", "code": codes[1], "ballot": {"approvals": [p[1]]}, "resolve": True}, token=a["token"])
    assert r.status == 403, r
    r = s.post(f"/api/v1/elections/{eid}/paper-ballots",
               {"sheet": "D-2", "code": codes[1], "ballot": {"approvals": [p[1]]}, "resolve": True}, token=e["token"])
    assert r.status == 201 and r.json["status"] == "counted", r
    assert s.get(f"/api/v1/elections/{eid}/turnout").json["total"] == 2


def test_500_concurrent_casts(ctx):
    import concurrent.futures as cf
    e = ctx.election(proposals=[(0, 100), (0, 200)], codes=1)
    eid, p = e["id"], e["proposals"]
    vt = ctx.voter(eid, e["codes"][e["districts"][0]][0])
    s = ctx.server

    def one(i):
        return s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[i % 2]]}, token=vt).json.get("tracker")

    with cf.ThreadPoolExecutor(50) as pool:
        trackers = list(pool.map(one, range(500)))
    assert all(trackers)
    board = s.get(f"/api/v1/elections/{eid}/trackers").json["trackers"]
    assert len(board) == 1 and board[0] in trackers
    mine = s.get(f"/api/v1/elections/{eid}/ballot", token=vt).json
    assert mine["tracker"] == board[0]


def test_large_register_upload(ctx):
    """A 20,000-row register is hashed off the event loop: the server keeps answering while
    it works, and every row is stored."""
    import threading
    e = ctx.election(districts=((1000, "A"),), proposals=[(0, 100)])
    d = e["districts"][0]
    rows = "".join(f"{100000 + i}-{i % 10000:04d},1980-01-{1 + i % 28:02d},7100,{d}\n" for i in range(20000))
    result = {}
    t = threading.Thread(target=lambda: result.update(r=upload(ctx, e, "personal_id,birth_date,postcode,district_id\n" + rows)))
    t.start()
    health = [ctx.server.get("/healthz").status for _ in range(5)]
    t.join()
    assert health == [200] * 5
    assert result["r"].status == 201 and result["r"].json["rows"] == 20000, result["r"]
    r = ctx.server.post(f"/api/v1/elections/{e['id']}/voter-sessions",
                        {"method": "register", "register": {"personal_id": "119999-9999", "birth_date": f"1980-01-{1 + 19999 % 28:02d}",
                                                            "postcode": "7100"}})
    assert r.status == 201, r


def test_voter_tokens_cannot_be_altered_or_moved(ctx):
    """Voter sessions are signed tokens: a changed byte, or a token of another election,
    gets nothing, and nothing is written."""
    s = ctx.server
    e = ctx.election(proposals=[(0, 100)], codes=1)
    other = ctx.election(proposals=[(0, 100)], codes=1)
    eid, p = e["id"], e["proposals"][0]
    vt = ctx.voter(eid, e["codes"][e["districts"][0]][0])
    assert vt.startswith("pbv1.")
    parts = vt.split(".")
    for i in range(1, len(parts)):
        forged = parts[:]
        forged[i] = forged[i][:-1] + ("1" if forged[i][-1] != "1" else "2")
        t = ".".join(forged)
        assert s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p]}, token=t).status == 401, i
        assert s.get(f"/api/v1/elections/{eid}/ballot", token=t).status == 401, i
    r = s.put(f"/api/v1/elections/{other['id']}/ballot", {"approvals": [other["proposals"][0]]}, token=vt)
    assert r.status == 403, r
    assert s.get(f"/api/v1/elections/{eid}/trackers").json["trackers"] == []
    assert s.get(f"/api/v1/elections/{other['id']}/trackers").json["trackers"] == []
    # the real token still works, and public reads with it are the anonymous ones
    assert s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p]}, token=vt).status == 200
    r = s.get(f"/api/v1/elections/{eid}/proposals", token=vt)
    assert r.status == 200 and len(r.json["proposals"]) == 1, r


def test_voter_sign_out_ends_only_that_session(ctx):
    s = ctx.server
    e = ctx.election(proposals=[(0, 100)], codes=1)
    eid, p = e["id"], e["proposals"][0]
    code = e["codes"][e["districts"][0]][0]
    kiosk, phone = ctx.voter(eid, code), ctx.voter(eid, code)
    assert s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p]}, token=kiosk).status == 200
    # by cookie, signing out needs the CSRF token like any other change; junk in the body is ignored
    r = s.request("DELETE", f"/api/v1/elections/{eid}/voter-sessions/current", headers={"Cookie": f"pb_voter={kiosk}"},
                  raw=b"\x00\xff{not json")
    assert r.status == 403 and r.code == "csrf_token_invalid", r
    assert s.get(f"/api/v1/elections/{eid}/ballot", token=kiosk).status == 200  # still signed in
    # an over-long or garbled bearer is refused, not half-read
    for bad in ("pbv1." + "9" * 5000, "pbv1.1.2.3.4.5.6", "pbv1.\u00e6\u00f8\u00e5"):
        assert s.request("DELETE", f"/api/v1/elections/{eid}/voter-sessions/current", token=bad).status == 401
    r = s.request("DELETE", f"/api/v1/elections/{eid}/voter-sessions/current", token=kiosk)
    assert r.status == 204 and "Max-Age=0" in (r.header("Set-Cookie") or ""), r
    assert s.get(f"/api/v1/elections/{eid}/ballot", token=kiosk).status == 401
    r = s.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p]}, token=kiosk)
    assert r.status == 401 and r.code == "unauthorized", r
    assert s.request("DELETE", f"/api/v1/elections/{eid}/voter-sessions/current", token=kiosk).status == 401
    # the same voter's other session, and the ballot, stand
    assert s.get(f"/api/v1/elections/{eid}/ballot", token=phone).status == 200
    assert len(s.get(f"/api/v1/elections/{eid}/trackers").json["trackers"]) == 1
    # a session of another election cannot be ended here
    other = ctx.election(proposals=[(0, 100)])
    assert s.request("DELETE", f"/api/v1/elections/{other['id']}/voter-sessions/current", token=phone).status == 403
    assert s.request("DELETE", f"/api/v1/elections/{eid}/voter-sessions/current").status == 401


def test_a_hundred_thousand_codes_in_one_call(ctx):
    """A city prints codes for every household at once: 100,000 in one call, all distinct,
    made off the event loop (the server keeps answering meanwhile)."""
    import threading
    s = ctx.server
    e = ctx.election(proposals=[(0, 100)])
    d = e["districts"][0]
    out = {}
    t = threading.Thread(target=lambda: out.update(r=s.post(f"/api/v1/elections/{e['id']}/codes",
                                                            {"district_id": d, "count": 100000}, token=e["token"])))
    t.start()
    answered = 0
    while t.is_alive():
        assert s.get("/healthz", timeout=5).status == 200
        answered += 1
    t.join()
    r = out["r"]
    assert r.status == 201 and r.json["count"] == 100000, r
    codes = r.json["codes"]
    assert len(codes) == 100000 and len(set(codes)) == 100000
    assert answered >= 1
    assert s.get(f"/api/v1/elections/{e['id']}/turnout").json["districts"][0]["codes"] == 100000
    assert ctx.voter(e["id"], codes[-1])


def test_codes_to_one_address_are_limited_whoever_asks(ctx):
    """Sending codes costs money and lands on someone's phone: at most three codes to one
    address in fifteen minutes, asked by anyone (here 50 requests at once), and an address
    not on the register gets the same answers, so the limit tells nobody who is on it.
    (A server of its own: the per-address limits of the main one are the other tests'.)"""
    s = ctx.env.server()
    try:
        codes_limited(ctx, s)
    finally:
        s.stop()


def codes_limited(ctx, s):
    e = ctx.election(districts=((1000, "A"), (1000, "B")), proposals=[(0, 100)])
    d0, d1 = e["districts"]
    unique = f"+45 7{time.time_ns() % 10**7:07d}"
    text = f"personal_id,birth_date,postcode,district_id,contact\n090990-9999,1990-09-09,,{d0},{unique}\n"
    assert s.request("POST", f"/api/v1/elections/{e['id']}/register", raw=text.encode(), token=e["token"],
                     headers={"Content-Type": "text/csv"}).status == 201
    outbox = os.path.join(ctx.env.data_dir, "outbox.log")
    before = len(open(outbox).read()) if os.path.exists(outbox) else 0
    url = f"/api/v1/elections/{e['id']}/voter-sessions"
    for contact in (unique, f"stranger{time.time_ns()}@example.dk"):
        with ThreadPoolExecutor(50) as pool:
            answers = list(pool.map(lambda _: s.post(url, {"method": "otp", "contact": contact}), range(50)))
        codes = sorted(a.status for a in answers)
        assert codes.count(202) == 3 and codes.count(429) == 47, codes
        refused = next(a for a in answers if a.status == 429)
        assert refused.json["error"]["code"] == "rate_limited" and int(refused.header("Retry-After")) > 0
    deadline = time.time() + 20
    digits = unique.replace(" ", "")
    while time.time() < deadline and open(outbox).read()[before:].count(digits) < 3:
        time.sleep(0.1)
    time.sleep(0.5)
    assert open(outbox).read()[before:].count(digits) == 3
