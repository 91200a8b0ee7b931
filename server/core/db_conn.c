/*
 * db_conn: one pooled connection's life, a small state machine on the event loop
 * (down -> connecting -> idle <-> busy): connect (and check the server is one the pool
 * may use), send a statement (prepared on first use), read its results until the server
 * is ready again, time a statement out, and reconnect with backoff after a failure.
 *
 * What may not be answered as a success is not: a statement's result counts only after
 * PostgreSQL's ReadyForQuery, that is after its commit (and a synchronous standby's
 * confirmation); a commit whose wait for the standby was cancelled is reported by the
 * server as a success with a WARNING, and that is DB_UNAVAILABLE here. A statement with no
 * answer within the pool's wait limit, its commit included, is answered DB_UNAVAILABLE and
 * cancelled on the server, so that a wait for a lost standby does not hold the connection
 * forever; a connection that does not answer even that is dropped. (The limit covers the
 * whole statement: PostgreSQL sends a statement's rows together with ReadyForQuery, after
 * the commit, so the commit's wait cannot be timed on its own outside pipeline mode.)
 */
#include "core/db.h"
#include "core/db_private.h"
#include "lib/log.h"

#include <event2/event.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RETRY_MIN_MS 100
#define RETRY_MAX_MS 2000

static void conn_start(struct db_conn *c);

static void conn_cb(evutil_socket_t fd, short what, void *arg);

static void conn_watch(struct db_conn *c, short what)
{
    int fd = PQsocket(c->pg);
    if (c->ev && c->fd == fd && c->watching == what)
        return;
    if (c->ev) {
        event_free(c->ev);
        c->ev = NULL;
    }
    c->fd = fd;
    c->watching = what;
    if (fd < 0)
        return;
    c->ev = event_new(c->pool->base, fd, what | EV_PERSIST, conn_cb, c);
    PB_ASSERT(c->ev);
    event_add(c->ev, NULL);
}

static void timer_set(struct db_conn *c, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(c->timer_ev, &tv);
}

static void retry_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    conn_start(arg);
}

static void conn_fail(struct db_conn *c, const char *why)
{
    if (c->state == C_IDLE || c->state == C_BUSY) {
        log_warn("db connection lost reason=\"%s\"", why);
    } else {
        log_debug("db connect failed reason=\"%s\"", why);
        c->first_host++; /* the next attempt starts on the next host of the conninfo */
    }
    struct db_query *q = c->q;
    c->q = NULL;
    if (c->res) {
        PQclear(c->res);
        c->res = NULL;
    }
    if (c->ev) {
        event_free(c->ev); /* before PQfinish closes the socket */
        c->ev = NULL;
    }
    if (c->pg) {
        PQfinish(c->pg);
        c->pg = NULL;
    }
    evtimer_del(c->timer_ev);
    c->state = C_DOWN;
    c->flushing = false;
    c->preparing = false;
    c->abandoned = false;
    memset(c->prepared, 0, sizeof c->prepared);
    c->retry_ms = c->retry_ms ? c->retry_ms * 2 : RETRY_MIN_MS;
    if (c->retry_ms > RETRY_MAX_MS)
        c->retry_ms = RETRY_MAX_MS;
    struct timeval tv = {c->retry_ms / 1000, (c->retry_ms % 1000) * 1000};
    evtimer_add(c->retry_ev, &tv);
    if (q) {
        db_count_stmt(c->pool, q, DB_UNAVAILABLE);
        db_query_finish(q, NULL, DB_UNAVAILABLE);
    }
}

/* Notices arrive while a statement runs. The one that matters is the WARNING of a commit
 * whose wait for the synchronous standby was cancelled: the server then reports success
 * although the commit is only local. It is recognised by the server's source file, which,
 * unlike the message, is not translated. */
static void conn_notice(void *arg, const PGresult *res)
{
    struct db_conn *c = arg;
    const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (!severity || strcmp(severity, "WARNING") != 0)
        return;
    const char *file = PQresultErrorField(res, PG_DIAG_SOURCE_FILE);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (file && strcmp(file, "syncrep.c") == 0)
        c->unconfirmed = true;
    log_warn("db warning statement=%s message=\"%s\"", c->q && c->q->stmt ? c->q->stmt->name : "-", msg ? msg : "");
}

static void conn_start(struct db_conn *c)
{
    memset(c->prepared, 0, sizeof c->prepared); /* a new session has no prepared statements */
    c->preparing = false;
    c->abandoned = false;
    c->pg = db_target_connect_start(&c->pool->target, c->first_host);
    if (!c->pg || PQstatus(c->pg) == CONNECTION_BAD) {
        conn_fail(c, c->pg ? PQerrorMessage(c->pg) : "out of memory");
        return;
    }
    PQsetNoticeReceiver(c->pg, conn_notice, c);
    c->state = C_CONNECTING;
    c->fd = -1;
    timer_set(c, c->pool->target.connect_timeout_ms);
    conn_watch(c, EV_WRITE); /* libpq: behave as if the first poll said WRITING */
}

static void send_execute(struct db_conn *c, int slot);

static const char became_read_only[] = "the server became read-only";

/* The outcome of a finished statement, from its result and the connection. */
static enum db_status result_status(struct db_conn *c, PGresult *res, const char **drop)
{
    enum db_status st = DB_ERROR;
    if (res) {
        ExecStatusType es = PQresultStatus(res);
        if (es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK)
            st = DB_OK;
    }
    if (st != DB_OK && PQstatus(c->pg) == CONNECTION_BAD)
        return DB_UNAVAILABLE;
    if (st == DB_ERROR) {
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        /* Admin shutdown, crash recovery, cannot connect now: the database is going away. */
        if (state && (strncmp(state, "57P", 3) == 0 || strncmp(state, "08", 2) == 0))
            st = DB_UNAVAILABLE;
        /* A write reached a read-only server: the primary was demoted or fenced. */
        if (state && strcmp(state, "25006") == 0 && c->pool->kind == DB_POOL_PRIMARY) {
            *drop = became_read_only;
            st = DB_UNAVAILABLE;
        }
    }
    if (c->unconfirmed && st == DB_OK) {
        c->pool->events.unconfirmed++;
        log_warn("db commit not confirmed by the synchronous standby; answering unavailable");
        st = DB_UNAVAILABLE;
    }
    return st;
}

/* The server finished what the connection sent (ReadyForQuery): answer and go idle. */
static void complete(struct db_conn *c)
{
    PGresult *res = c->res;
    c->res = NULL;
    if (c->preparing) {
        /* The statement is prepared (or could not be: then it runs unprepared and reports
         * its own error); now run it, unless its caller has been answered already. */
        c->preparing = false;
        bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
        if (res)
            PQclear(res);
        res = NULL;
        if (ok)
            c->prepared[c->prep_slot] = true;
        if (!c->abandoned) {
            send_execute(c, ok ? c->prep_slot : -1);
            return;
        }
    }
    struct db_query *q = c->q;
    c->q = NULL;
    c->state = C_IDLE;
    evtimer_del(c->timer_ev);
    const char *drop = NULL;
    if (c->abandoned) {
        /* Not reused: the cancel request travels on its own and could still reach the
         * server after the next statement has started on this connection. */
        c->abandoned = false;
        drop = "a cancelled statement ended; a fresh connection takes its place";
    } else {
        enum db_status st = result_status(c, res, &drop);
        db_count_stmt(c->pool, q, st);
        db_query_finish(q, res, st);
    }
    if (res)
        PQclear(res);
    c->unconfirmed = false;
    if (c->state != C_IDLE || !c->pg)
        return;
    if (PQstatus(c->pg) == CONNECTION_BAD) {
        conn_fail(c, "connection closed");
        return;
    }
    if (!drop && c->pool->kind == DB_POOL_PRIMARY && db_server_read_only(c->pg))
        drop = became_read_only;
    if (drop) {
        c->pool->events.refused += drop == became_read_only;
        conn_fail(c, drop);
    }
    db_dispatch(c->pool);
}

/* The wait passed its limit: answer the caller now (the outcome is unknown: 503) and ask
 * the server to cancel the statement or its wait for the standby; the connection is
 * replaced once the server answers. */
static void abandon(struct db_conn *c)
{
    struct db_query *q = c->q;
    c->abandoned = true;
    c->pool->events.abandoned++;
    log_warn("db statement got no answer in time; cancelling it statement=%s waited_ms=%d",
             q && q->stmt ? q->stmt->name : "-", c->pool->wait_ms);
    if (q) {
        c->q = NULL;
        db_count_stmt(c->pool, q, DB_UNAVAILABLE);
        db_query_finish(q, NULL, DB_UNAVAILABLE);
    }
    if (c->state == C_BUSY) { /* the callback may not have dropped the connection */
        db_cancel_on_server(c->pg);
        timer_set(c, c->pool->wait_ms);
    }
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct db_conn *c = arg;
    if (c->state == C_CONNECTING)
        conn_fail(c, "connection attempt timed out");
    else if (c->state == C_BUSY && c->abandoned)
        conn_fail(c, "no answer even to a cancel");
    else if (c->state == C_BUSY)
        abandon(c);
}

static void deliver_notifies(struct db_conn *c)
{
    for (PGnotify *n; (n = PQnotifies(c->pg));) {
        if (c->pool->on_notify)
            c->pool->on_notify(c->pool->notify_ctx, n->relname, n->extra);
        PQfreemem(n);
    }
}

static void read_results(struct db_conn *c)
{
    if (!PQconsumeInput(c->pg)) {
        conn_fail(c, PQerrorMessage(c->pg));
        return;
    }
    deliver_notifies(c);
    while (!PQisBusy(c->pg)) {
        PGresult *r = PQgetResult(c->pg);
        if (!r) {
            complete(c);
            return;
        }
        ExecStatusType es = PQresultStatus(r);
        bool is_error = es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK;
        if (c->res && PQresultStatus(c->res) != PGRES_COMMAND_OK &&
            PQresultStatus(c->res) != PGRES_TUPLES_OK && !is_error) {
            PQclear(r); /* keep the first error */
        } else {
            if (c->res)
                PQclear(c->res);
            c->res = r;
        }
    }
}

/* A new connection is up: check it reached what the pool needs, and say where it is when
 * that changed (a failover shows in the log). */
static void connected(struct db_conn *c)
{
    struct db_pool *p = c->pool;
    evtimer_del(c->timer_ev);
    if (PQsetnonblocking(c->pg, 1) != 0) {
        conn_fail(c, "cannot set non-blocking");
        return;
    }
    if (p->kind == DB_POOL_PRIMARY && db_server_read_only(c->pg)) {
        p->events.refused++;
        conn_fail(c, "the server is read-only (a standby)");
        return;
    }
    c->state = C_IDLE;
    c->retry_ms = 0;
    p->events.connects++;
    char server[256];
    snprintf(server, sizeof server, "%s:%s", PQhost(c->pg), PQport(c->pg));
    if (strcmp(server, p->server) != 0) {
        if (p->server[0])
            log_warn("db %s server changed from=%s to=%s", p->kind == DB_POOL_PRIMARY ? "primary" : "reader",
                     p->server, server);
        memcpy(p->server, server, sizeof server);
    }
    conn_watch(c, EV_READ);
    if (p->listen_sql) {
        /* an internal statement: no caller waits for it */
        struct db_query *q = xcalloc(1, sizeof *q);
        q->sql = p->listen_sql;
        q->cancelled = true;
        db_conn_send(c, q);
        return;
    }
    db_dispatch(p);
}

static void conn_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    struct db_conn *c = arg;
    switch (c->state) {
    case C_CONNECTING:
        switch (PQconnectPoll(c->pg)) {
        case PGRES_POLLING_OK:
            connected(c);
            return;
        case PGRES_POLLING_READING:
            conn_watch(c, EV_READ);
            return;
        case PGRES_POLLING_WRITING:
            conn_watch(c, EV_WRITE);
            return;
        default:
            conn_fail(c, PQerrorMessage(c->pg));
            return;
        }
    case C_BUSY:
        if ((what & EV_WRITE) && c->flushing) {
            int r = PQflush(c->pg);
            if (r < 0) {
                conn_fail(c, PQerrorMessage(c->pg));
                return;
            }
            if (r == 0) {
                c->flushing = false;
                conn_watch(c, EV_READ);
            }
        }
        if (what & EV_READ)
            read_results(c);
        return;
    case C_IDLE:
        /* An idle connection becomes readable only when the server closes it, sends a
         * notification, or reports a changed setting; find out which. */
        if (!PQconsumeInput(c->pg) || PQstatus(c->pg) == CONNECTION_BAD) {
            conn_fail(c, "server closed the connection");
            return;
        }
        deliver_notifies(c);
        if (c->pool->kind == DB_POOL_PRIMARY && db_server_read_only(c->pg)) {
            c->pool->events.refused++;
            conn_fail(c, became_read_only);
        }
        return;
    case C_DOWN:
        return;
    }
}

static void flush_and_watch(struct db_conn *c)
{
    int r = PQflush(c->pg);
    if (r < 0) {
        conn_fail(c, PQerrorMessage(c->pg));
        return;
    }
    c->flushing = r == 1;
    conn_watch(c, c->flushing ? EV_READ | EV_WRITE : EV_READ);
}

/* Runs c->q as prepared statement slot (or unprepared when slot < 0). */
static void send_execute(struct db_conn *c, int slot)
{
    struct db_query *q = c->q;
    int sent;
    if (slot >= 0) {
        char name[16];
        snprintf(name, sizeof name, "pb%d", slot);
        sent = PQsendQueryPrepared(c->pg, name, q->nparams, (const char *const *)q->params, NULL, NULL, 0);
    } else {
        sent = PQsendQueryParams(c->pg, q->sql, q->nparams, NULL, (const char *const *)q->params, NULL, NULL, 0);
    }
    if (!sent) {
        conn_fail(c, PQerrorMessage(c->pg));
        return;
    }
    flush_and_watch(c);
}

void db_conn_send(struct db_conn *c, struct db_query *q)
{
    c->q = q;
    c->state = C_BUSY;
    c->unconfirmed = false;
    q->sent_us = db_now_us();
    timer_set(c, c->pool->wait_ms);
    if (!q->stmt) { /* utility statements (LISTEN) cannot be prepared */
        send_execute(c, -1);
        return;
    }
    int id = q->stmt->id;
    if (c->prepared[id]) {
        send_execute(c, id);
        return;
    }
    /* First use on this connection: prepare it (one extra round trip, once). */
    char name[16];
    snprintf(name, sizeof name, "pb%d", id);
    if (!PQsendPrepare(c->pg, name, q->sql, q->nparams, NULL)) {
        conn_fail(c, PQerrorMessage(c->pg));
        return;
    }
    c->preparing = true;
    c->prep_slot = id;
    flush_and_watch(c);
}


void db_conn_init(struct db_conn *c, struct db_pool *pool, int index)
{
    c->pool = pool;
    c->fd = -1;
    c->retry_ev = evtimer_new(pool->base, retry_cb, c);
    c->timer_ev = evtimer_new(pool->base, timer_cb, c);
    c->first_host = index; /* spread the first attempts over the hosts */
    conn_start(c);
}

void db_conn_release(struct db_conn *c)
{
    if (c->ev)
        event_free(c->ev);
    event_free(c->retry_ev);
    event_free(c->timer_ev);
    if (c->res)
        PQclear(c->res);
    if (c->pg)
        PQfinish(c->pg);
    if (c->q)
        db_query_free(c->q);
}
