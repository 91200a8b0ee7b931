/*
 * db: asynchronous libpq on libevent. Each connection is a small state machine
 * (down -> connecting -> idle <-> busy); queries wait in one FIFO queue and go to the next
 * idle connection. A broken connection fails its query with DB_UNAVAILABLE (the caller
 * answers 503) and reconnects by itself with backoff, so a restarted PostgreSQL is picked
 * up again without help.
 */
#include "core/db.h"
#include "core/db_private.h"
#include "lib/log.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QUEUE_TIMEOUT_MS 10000
/* With no connection up, a query waits this long for one to come back before failing. */
#define DOWN_GRACE_MS 500
#define RETRY_MIN_MS 100
#define RETRY_MAX_MS 2000


struct db_query {
    struct db_query *next;
    struct db_stmt *stmt; /* NULL for the pool's own LISTEN */
    const char *sql;
    int nparams;
    int64_t sent_us;
    char **params;
    db_done_fn done;
    void *ctx;
    bool cancelled;
    int64_t queued_ms;
};

enum conn_state { C_DOWN, C_CONNECTING, C_IDLE, C_BUSY };

struct db_conn {
    struct db_pool *pool;
    PGconn *pg;
    struct event *ev;
    int fd;
    short watching;
    enum conn_state state;
    bool flushing;
    struct db_query *q;
    PGresult *res;
    int retry_ms;
    struct event *retry_ev;
    bool prepared[DB_MAX_STMTS + 1]; /* by statement id */
    bool preparing; /* the PREPARE of c->q is in flight; its EXECUTE follows */
};

struct db_pool {
    struct event_base *base;
    char *conninfo;
    int size;
    struct db_conn *conns;
    struct db_query *head, *tail;
    int queued;
    struct event *dispatch_ev;
    struct event *tick_ev;
    const char *listen_sql; /* "LISTEN channel", sent on every new connection */
    db_notify_fn on_notify;
    void *notify_ctx;
    struct {
        uint64_t calls, errors;
        int64_t us;
    } stats[DB_MAX_STMTS + 1]; /* by statement id */
};

/* Statement ids are process-wide (a statement is a static object), so that every pool of
 * the process, such as a read replica's, finds it by the same number. Assigned on the loop
 * thread; a process serves from one loop. */
static struct db_stmt *registry[DB_MAX_STMTS + 1];
static int nregistered;

static int stmt_id(struct db_stmt *s)
{
    if (!s->id) {
        PB_ASSERT(nregistered < DB_MAX_STMTS);
        s->id = ++nregistered;
        registry[s->id] = s;
    }
    return s->id;
}

static void conn_start(struct db_conn *c);
static void dispatch(struct db_pool *pool);
static void send_query(struct db_conn *c, struct db_query *q);

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t now_ms(void)
{
    return now_us() / 1000;
}

static void query_free(struct db_query *q)
{
    for (int i = 0; i < q->nparams; i++)
        free(q->params[i]);
    free(q->params);
    free(q);
}

static void query_finish(struct db_query *q, PGresult *pg, enum db_status status)
{
    if (!q->cancelled) {
        struct db_result r = {pg, status};
        q->done(q->ctx, &r);
    }
    query_free(q);
}

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

static void retry_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    conn_start(arg);
}

static void conn_fail(struct db_conn *c, const char *why)
{
    if (c->state == C_IDLE || c->state == C_BUSY)
        log_warn("db connection lost reason=\"%s\"", why);
    else
        log_debug("db connect failed reason=\"%s\"", why);
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
    c->state = C_DOWN;
    c->flushing = false;
    c->preparing = false;
    memset(c->prepared, 0, sizeof c->prepared);
    c->retry_ms = c->retry_ms ? c->retry_ms * 2 : RETRY_MIN_MS;
    if (c->retry_ms > RETRY_MAX_MS)
        c->retry_ms = RETRY_MAX_MS;
    struct timeval tv = {c->retry_ms / 1000, (c->retry_ms % 1000) * 1000};
    evtimer_add(c->retry_ev, &tv);
    if (q)
        query_finish(q, NULL, DB_UNAVAILABLE);
}

void db_notice_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static void conn_start(struct db_conn *c)
{
    memset(c->prepared, 0, sizeof c->prepared); /* a new session has no prepared statements */
    c->preparing = false;
    c->pg = PQconnectStart(c->pool->conninfo);
    if (!c->pg || PQstatus(c->pg) == CONNECTION_BAD) {
        conn_fail(c, c->pg ? PQerrorMessage(c->pg) : "out of memory");
        return;
    }
    PQsetNoticeProcessor(c->pg, db_notice_quiet, NULL);
    c->state = C_CONNECTING;
    c->fd = -1;
    conn_watch(c, EV_WRITE); /* libpq: behave as if the first poll said WRITING */
}

static void send_execute(struct db_conn *c, int slot);

static void complete(struct db_conn *c)
{
    if (c->preparing) {
        /* The statement is prepared (or could not be: then it runs unprepared and reports
         * its own error); now run it. */
        PGresult *pres = c->res;
        c->res = NULL;
        c->preparing = false;
        bool ok = pres && PQresultStatus(pres) == PGRES_COMMAND_OK;
        if (pres)
            PQclear(pres);
        int slot = -1;
        if (ok) {
            slot = c->q->stmt->id;
            c->prepared[slot] = true;
        }
        send_execute(c, slot);
        return;
    }
    struct db_query *q = c->q;
    PGresult *res = c->res;
    c->q = NULL;
    c->res = NULL;
    c->state = C_IDLE;
    enum db_status st = DB_ERROR;
    if (res) {
        ExecStatusType es = PQresultStatus(res);
        if (es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK)
            st = DB_OK;
    }
    if (st != DB_OK && PQstatus(c->pg) == CONNECTION_BAD)
        st = DB_UNAVAILABLE;
    if (st == DB_ERROR) {
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        /* Admin shutdown, crash recovery, cannot connect now: the database is going away. */
        if (state && (strncmp(state, "57P", 3) == 0 || strncmp(state, "08", 2) == 0))
            st = DB_UNAVAILABLE;
    }
    if (q->stmt) {
        struct db_pool *p = c->pool;
        p->stats[q->stmt->id].calls++;
        p->stats[q->stmt->id].errors += st != DB_OK;
        p->stats[q->stmt->id].us += now_us() - q->sent_us;
    }
    query_finish(q, res, st);
    if (res)
        PQclear(res);
    if (c->state == C_IDLE && c->pg && PQstatus(c->pg) == CONNECTION_BAD)
        conn_fail(c, "connection closed");
    dispatch(c->pool);
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

static void conn_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    struct db_conn *c = arg;
    switch (c->state) {
    case C_CONNECTING:
        switch (PQconnectPoll(c->pg)) {
        case PGRES_POLLING_OK:
            if (PQsetnonblocking(c->pg, 1) != 0) {
                conn_fail(c, "cannot set non-blocking");
                return;
            }
            c->state = C_IDLE;
            c->retry_ms = 0;
            log_debug("db connected");
            conn_watch(c, EV_READ);
            if (c->pool->listen_sql) {
                /* an internal statement: no caller waits for it */
                struct db_query *q = xcalloc(1, sizeof *q);
                q->sql = c->pool->listen_sql;
                q->cancelled = true;
                send_query(c, q);
                return;
            }
            dispatch(c->pool);
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
        /* An idle connection becomes readable only when the server closes it or sends a
         * notification; either way find out which. */
        if (!PQconsumeInput(c->pg) || PQstatus(c->pg) == CONNECTION_BAD) {
            conn_fail(c, "server closed the connection");
            return;
        }
        deliver_notifies(c);
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

static void send_query(struct db_conn *c, struct db_query *q)
{
    c->q = q;
    c->state = C_BUSY;
    q->sent_us = now_us();
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
    flush_and_watch(c);
}

static void dispatch(struct db_pool *pool)
{
    for (int i = 0; i < pool->size && pool->head; i++) {
        struct db_conn *c = &pool->conns[i];
        if (c->state != C_IDLE)
            continue;
        struct db_query *q = pool->head;
        pool->head = q->next;
        if (!pool->head)
            pool->tail = NULL;
        pool->queued--;
        q->next = NULL;
        if (q->cancelled) {
            query_free(q);
            i--; /* this connection is still free */
            continue;
        }
        send_query(c, q);
    }
}

static void dispatch_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    dispatch(arg);
}

/* Fails queued queries that waited too long, or all of them when no connection is up. */
static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct db_pool *pool = arg;
    bool any_up = db_pool_healthy(pool);
    int64_t now = now_ms();
    struct db_query **pp = &pool->head, *expired = NULL, **etail = &expired;
    pool->tail = NULL;
    while (*pp) {
        struct db_query *q = *pp;
        if (q->cancelled || (!any_up && now - q->queued_ms > DOWN_GRACE_MS) ||
            now - q->queued_ms > QUEUE_TIMEOUT_MS) {
            *pp = q->next;
            q->next = NULL;
            *etail = q;
            etail = &q->next;
            pool->queued--;
        } else {
            pool->tail = q;
            pp = &q->next;
        }
    }
    while (expired) {
        struct db_query *q = expired;
        expired = q->next;
        query_finish(q, NULL, any_up ? DB_TIMEOUT : DB_UNAVAILABLE);
    }
}

struct db_pool *db_pool_new(struct event_base *base, const char *conninfo, int size)
{
    struct db_pool *pool = xcalloc(1, sizeof *pool);
    pool->base = base;
    pool->conninfo = xstrdup(conninfo);
    pool->size = size;
    pool->conns = xcalloc((size_t)size, sizeof *pool->conns);
    pool->dispatch_ev = event_new(base, -1, 0, dispatch_cb, pool);
    pool->tick_ev = event_new(base, -1, EV_PERSIST, tick_cb, pool);
    struct timeval tick = {0, 200000};
    event_add(pool->tick_ev, &tick);
    for (int i = 0; i < size; i++) {
        struct db_conn *c = &pool->conns[i];
        c->pool = pool;
        c->fd = -1;
        c->retry_ev = evtimer_new(base, retry_cb, c);
        conn_start(c);
    }
    return pool;
}

void db_pool_free(struct db_pool *pool)
{
    if (!pool)
        return;
    for (int i = 0; i < pool->size; i++) {
        struct db_conn *c = &pool->conns[i];
        if (c->ev)
            event_free(c->ev);
        event_free(c->retry_ev);
        if (c->res)
            PQclear(c->res);
        if (c->pg)
            PQfinish(c->pg);
        if (c->q)
            query_free(c->q);
    }
    while (pool->head) {
        struct db_query *q = pool->head;
        pool->head = q->next;
        query_free(q);
    }
    event_free(pool->dispatch_ev);
    event_free(pool->tick_ev);
    free(pool->conns);
    free(pool->conninfo);
    free(pool);
}

struct db_query *db_query(struct db_pool *pool, struct db_stmt *stmt, const char *const *params,
                          db_done_fn done, void *ctx)
{
    struct db_query *q = xcalloc(1, sizeof *q);
    stmt_id(stmt);
    q->stmt = stmt;
    q->sql = stmt->sql;
    int nparams = q->nparams = stmt->nparams;
    q->params = xcalloc((size_t)nparams, sizeof(char *));
    for (int i = 0; i < nparams; i++)
        q->params[i] = params[i] ? xstrdup(params[i]) : NULL;
    q->done = done;
    q->ctx = ctx;
    q->queued_ms = now_ms();
    if (pool->tail)
        pool->tail->next = q;
    else
        pool->head = q;
    pool->tail = q;
    pool->queued++;
    /* Never dispatch from inside the caller: a failing send would call back into it. */
    event_active(pool->dispatch_ev, EV_TIMEOUT, 0);
    return q;
}

void db_cancel(struct db_query *q)
{
    if (q)
        q->cancelled = true;
}

void db_pool_listen(struct db_pool *pool, const char *listen_sql, db_notify_fn fn, void *ctx)
{
    pool->listen_sql = listen_sql;
    pool->on_notify = fn;
    pool->notify_ctx = ctx;
}

bool db_pool_healthy(const struct db_pool *pool)
{
    for (int i = 0; i < pool->size; i++)
        if (pool->conns[i].state == C_IDLE || pool->conns[i].state == C_BUSY)
            return true;
    return false;
}

void db_pool_stmt_stats(const struct db_pool *pool,
                        void (*fn)(void *ctx, const char *name, uint64_t calls, uint64_t errors, double seconds),
                        void *ctx)
{
    for (int i = 1; i <= nregistered; i++)
        fn(ctx, registry[i]->name, pool->stats[i].calls, pool->stats[i].errors, (double)pool->stats[i].us / 1e6);
}

void db_pool_stats(const struct db_pool *pool, int *size, int *connected, int *busy,
                   int *queued)
{
    *size = pool->size;
    *connected = *busy = 0;
    for (int i = 0; i < pool->size; i++) {
        if (pool->conns[i].state == C_IDLE || pool->conns[i].state == C_BUSY)
            (*connected)++;
        if (pool->conns[i].state == C_BUSY)
            (*busy)++;
    }
    *queued = pool->queued;
}
