"""No acknowledged ballot is lost when the database machine dies (issue 18): real clusters on
this machine, a primary with a synchronous standby made by initdb and pg_basebackup
(tests/pgpair.py), and pbserver given a multi-host conninfo.

The three tests share one pair and run in their order: the standby as a read replica for
public reads; the standby dying (the primary must not acknowledge what it cannot make
durable twice); the primary dying under load (SIGKILL), the standby promoted, the load going
on, and every acknowledged ballot counted exactly once."""
import atexit
import concurrent.futures as cf
import os
import re
import socket
import subprocess
import time

import client
import pgpair

# The server's wait for a statement and its commit: short here, so that a ballot waiting for a dead
# standby is answered 503 quickly.
WAIT_MS = 2000

_state = {}


def _setup(ctx):
    """The pair and a server on it, made once for the three tests."""
    if "server" in _state:
        return _state
    pair = pgpair.Pair()
    atexit.register(_teardown)
    _state["pair"] = pair
    pair.start_primary()
    standby = pair.add_standby("standby1")
    pair.set_sync("standby1", "remote_apply")
    pair.wait_streaming("standby1", sync=True)
    srv = client.Server(ctx.env.root, pair.conninfo(pair.primary, standby), pair.dir,
                        {"PB_DB_TIMEOUT_MS": str(WAIT_MS), "PB_DB_READ": standby.conninfo() + " connect_timeout=2"})
    _state["server"] = srv
    c = client.Context(ctx.env, srv)
    _state["ctx"] = c
    _state["e"] = c.election(proposals=[(0, 100), (0, 200), (0, 300)], codes=60)
    _state["next_code"] = 0
    return _state


def _teardown():
    srv = _state.pop("server", None)
    if srv:
        srv.kill()
    pair = _state.pop("pair", None)
    if pair:
        pair.destroy()


def _voter(st):
    e = st["e"]
    code = e["codes"][e["districts"][0]][st["next_code"]]
    st["next_code"] += 1
    return st["ctx"].voter(e["id"], code)


def _metric(srv, name):
    m = re.search(rf"^{name} (\d+)", srv.get("/metrics").body, re.M)
    return int(m.group(1)) if m else 0


def _wait(what, cond, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_failover_0_a_silent_host_is_skipped(ctx):
    """A database machine that is gone without closing anything holds a connection attempt
    until TCP gives up, and libpq has no timeout of its own in asynchronous use: the pool
    times each attempt out and starts the next one on the next host. Here the first host
    completes TCP handshakes and never answers; a pool of one connection gets through."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    try:
        host = re.search(r"host=(\S+)", ctx.env.conninfo).group(1)
        conninfo = (f"host=127.0.0.1,{host} port={silent.getsockname()[1]},5432 dbname=borgerbudget "
                    "user=borgerbudget connect_timeout=2")
        srv = client.Server(ctx.env.root, conninfo, ctx.env.data_dir, {"PB_POOL_SIZE": "1"})
        try:
            r = _wait("the pool past the silent host", lambda: (lambda x: x if x.status == 200 else None)(
                srv.get("/readyz")), timeout=20)
            assert r.json["database"] == "ok", r
        finally:
            srv.stop()
    finally:
        silent.close()


def test_failover_1_read_replica_serves_public_reads(ctx):
    """Anonymous public reads come from the hot standby (--db-read) and lag with it; staff
    and voters read their own writes from the primary; a dead replica changes nothing but
    /readyz's read_replica."""
    st = _setup(ctx)
    srv, pair, e = st["server"], st["pair"], st["e"]
    eid, p = e["id"], e["proposals"]
    standby = pair.standbys[0]
    pair.set_sync("standby1", "on")  # a commit waits for the standby's disk, not its replay
    _wait("the read pool", lambda: srv.get("/readyz").json.get("read_replica") == "ok")
    r = srv.get("/readyz")
    assert r.status == 200 and r.json == {"status": "ok", "database": "ok", "synchronous_replication": "ok",
                                          "read_replica": "ok"}, r
    standby.psql("SELECT pg_wal_replay_pause()")  # the replica falls behind on purpose
    try:
        turnout = srv.get(f"/api/v1/elections/{eid}/turnout").json["total"]
        vt = _voter(st)
        r = srv.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[0]]}, token=vt)
        assert r.status == 200, r
        tracker = r.json["tracker"]
        # the voter reads their own ballot back from the primary
        mine = srv.get(f"/api/v1/elections/{eid}/ballot", token=vt)
        assert mine.status == 200 and mine.json["tracker"] == tracker, mine
        assert pair.primary.psql(f"SELECT count(*) FROM ballots WHERE tracker = '{tracker}'") == "1"
        # anonymous public reads come from the paused replica
        assert tracker not in srv.get(f"/api/v1/elections/{eid}/trackers").json["trackers"]
        assert srv.get(f"/api/v1/elections/{eid}/turnout").json["total"] == turnout
    finally:
        standby.psql("SELECT pg_wal_replay_resume()")
    _wait("the replica to catch up", lambda: tracker in srv.get(f"/api/v1/elections/{eid}/trackers").json["trackers"])
    assert srv.get(f"/api/v1/elections/{eid}/turnout").json["total"] == turnout + 1
    # while the primary has the standby, commits wait for it; reads fall back when it is gone
    pair.set_sync("")
    standby.kill()
    for _ in range(5):
        r = srv.get(f"/api/v1/elections/{eid}/trackers")
        assert r.status == 200 and tracker in r.json["trackers"], r
    r = _wait("read_replica unavailable", lambda: (lambda x: x if x.json["read_replica"] == "unavailable" else None)(
        srv.get("/readyz")))
    assert r.status == 200 and r.json["synchronous_replication"] == "off", r
    standby.start("hot_standby=on", "hot_standby_feedback=on")
    pair.set_sync("standby1", "remote_apply")
    pair.wait_streaming("standby1", sync=True)
    _wait("read_replica ok", lambda: srv.get("/readyz").json["read_replica"] == "ok")


def test_failover_2_standby_dies(ctx):
    """With the synchronous standby gone the primary cannot make a ballot durable twice: the
    server answers 503 (never 200) within its wait limit, /readyz says why, and when the
    standby is back ballots are acknowledged again."""
    st = _setup(ctx)
    srv, pair, e = st["server"], st["pair"], st["e"]
    eid, p = e["id"], e["proposals"]
    standby = pair.standbys[0]
    pair.wait_streaming("standby1", sync=True)
    tokens = [_voter(st) for _ in range(17)]
    r = srv.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[1]]}, token=tokens[0])
    assert r.status == 200, r
    # a second server with a long wait limit, for the cancel below that is not its own (made
    # now: a server's start-up writes, which would wait for the standby too)
    patient = client.Server(ctx.env.root, pair.conninfo(pair.primary, standby), pair.dir, {"PB_DB_TIMEOUT_MS": "60000"})
    try:
        _standby_gone(srv, patient, pair, e, tokens)
    finally:
        patient.stop()
    # the standby comes back: ballots are acknowledged again, and the ones answered 503
    # are settled by the voter's retry
    standby.start("hot_standby=on", "hot_standby_feedback=on")
    pair.wait_streaming("standby1", sync=True)
    _wait("readyz ok", lambda: srv.get("/readyz").status == 200)
    for tok in tokens[1:]:
        r = srv.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[2]]}, token=tok)
        assert r.status == 200, r
    board = srv.get(f"/api/v1/elections/{eid}/trackers").json["trackers"]
    assert len(board) == len(set(board))


def _standby_gone(srv, patient, pair, e, tokens):
    eid, p = e["id"], e["proposals"]
    pair.standbys[0].kill()
    r = _wait("readyz to notice", lambda: (lambda x: x if x.status == 503 else None)(srv.get("/readyz")))
    assert r.json == {"status": "unavailable", "database": "ok", "synchronous_replication": "unavailable",
                      "read_replica": r.json["read_replica"]} and r.header("Retry-After"), r
    # sixteen voters at once: none is acknowledged, each gets 503 with Retry-After in time
    abandoned = _metric(srv, "pb_db_statements_abandoned_total")

    def cast(tok):
        t0 = time.time()
        r = srv.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[2]]}, token=tok, timeout=60)
        return r, time.time() - t0
    with cf.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(cast, tokens[1:]))
    for r, took in results:
        assert r.status == 503 and r.code == "unavailable" and r.header("Retry-After"), r
        # the commit ahead waits WAIT_MS, those queued behind its locks as long, plus slack
        assert took < 3 * WAIT_MS / 1000 + 10, took
    assert _metric(srv, "pb_db_statements_abandoned_total") > abandoned
    # the connections are free again (the stuck commits were cancelled on the server)
    assert srv.get("/healthz").status == 200
    assert pair.primary.psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'") == "0"
    # If someone else cancels the wait (an operator, a pooler), PostgreSQL reports the
    # commit as a success with a WARNING although it is only local: still 503, not 200.
    with cf.ThreadPoolExecutor(1) as pool:
        fut = pool.submit(lambda: patient.put(f"/api/v1/elections/{eid}/ballot", {"approvals": [p[2]]},
                                              token=tokens[1], timeout=60))
        _wait("a commit waiting for the standby",
              lambda: pair.primary.psql("SELECT pg_cancel_backend(pid) FROM pg_stat_activity "
                                        "WHERE wait_event = 'SyncRep'") == "t")
        r = fut.result()
    assert r.status == 503 and r.header("Retry-After"), r
    assert _metric(patient, "pb_db_commits_unconfirmed_total") == 1


def test_failover_3_primary_dies_under_load(ctx):
    """pbload plays voters who retry 503s with the same Idempotency-Key; the primary is killed
    with SIGKILL mid-load and the standby promoted; the server follows by itself. Every ballot
    answered 200, before and after, is counted, none twice, and the count is exact."""
    st = _setup(ctx)
    srv, pair, e = st["server"], st["pair"], st["e"]
    eid = e["id"]
    primary, standby = pair.primary, pair.standbys[0]
    pair.wait_streaming("standby1", sync=True)
    before = set(srv.get(f"/api/v1/elections/{eid}/trackers", token=e["token"]).json["trackers"])
    trackers_file = os.path.join(pair.dir, "acked.txt")
    load = subprocess.Popen([os.path.join(ctx.env.root, "build", "pbload"), "--url", f"http://127.0.0.1:{srv.port}",
                             "--election", str(eid), "--admin-email", client.ADMIN_EMAIL, "--admin-password",
                             client.ADMIN_PASSWORD, "--voters", "4000", "--concurrency", "16", "--duration", "12",
                             "--replace", "20", "--reads", "5", "--retry-for", "45", "--trackers", trackers_file],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = []
    for line in load.stdout:
        out.append(line)
        if "load starts" in line:
            break
    time.sleep(4)
    t_kill = time.time()
    primary.kill()  # the database machine dies
    standby.promote()  # the operator's (or Patroni's) part
    t_promoted = time.time()
    out.append(load.stdout.read())
    load.wait(120)
    out = "".join(out)
    if os.environ.get("PB_FAILOVER_VERBOSE"):
        print(out)
    m = re.search(r"PBLOAD .*counted=(\d+) acked=(\d+) in_doubt=(\d+) retries=(\d+)", out)
    assert m and load.returncode == 0, out
    counted, acked, in_doubt, retries = (int(x) for x in m.groups())
    assert counted == acked and in_doubt == 0, out
    assert retries > 0, "the failover was not seen by any voter:\n" + out
    acks = [line.split() for line in open(trackers_file) if line.strip()]
    assert len(acks) == acked, (len(acks), acked)
    assert any(float(t) < t_kill for t, _ in acks) and any(float(t) > t_promoted for t, _ in acks), \
        "ballots must be acknowledged both before the kill and after the promotion"
    # the board, read from the new primary: every acknowledged tracker, each voter once
    r = srv.get(f"/api/v1/elections/{eid}/trackers", token=e["token"])
    assert r.status == 200, r
    board = r.json["trackers"]
    assert len(board) == len(set(board))
    missing = [tr for _, tr in acks if tr not in board]
    assert not missing, f"{len(missing)} acknowledged ballots lost"
    assert len(set(board) - before) == acked and len(board) == len(before) + acked, (len(board), len(before), acked)
    n = int(standby.psql(f"SELECT count(*) FROM ballots WHERE election_id = {int(eid)}"))
    assert n == len(board)
    r = srv.get("/readyz")
    assert r.status == 200 and r.json["database"] == "ok" and r.json["synchronous_replication"] == "off", r
    assert "db primary server changed" in srv.log_tail(200000)
    _teardown()
