/*
 * db: the pool of asynchronous PostgreSQL connections on the event loop (see db.h): one
 * FIFO queue of statements, each sent to the next idle connection (db_conn.c runs a
 * connection's life); queued statements that wait too long fail; a public read may go to
 * a reader pool, and back to this one if that cannot serve it. A broken connection fails
 * its statement with DB_UNAVAILABLE (the caller answers 503) and reconnects by itself, so
 * a restarted PostgreSQL, or a standby promoted in its place (a multi-host conninfo), is
 * picked up again without help.
 */
#include "core/db.h"
#include "core/db_private.h"
#include "lib/log.h"

#include <event2/event.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QUEUE_TIMEOUT_MS 10000
/* With no connection up, a query waits this long for one to come back before failing. */
#define DOWN_GRACE_MS 500

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

int64_t db_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t now_ms(void)
{
    return db_now_us() / 1000;
}

void db_query_free(struct db_query *q)
{
    for (int i = 0; i < q->nparams; i++)
        free(q->params[i]);
    free(q->params);
    free(q);
}

static void enqueue(struct db_pool *pool, struct db_query *q)
{
    q->next = NULL;
    q->queued_ms = now_ms();
    if (pool->tail)
        pool->tail->next = q;
    else
        pool->head = q;
    pool->tail = q;
    pool->queued++;
    /* Never dispatch from inside the caller: a failing send would call back into it. */
    event_active(pool->dispatch_ev, EV_TIMEOUT, 0);
}

/* A read that failed on the reader pool for want of a server (down, too slow, or a query
 * cancelled by a conflict with recovery) runs on the primary instead. */
static bool move_to_fallback(struct db_query *q, PGresult *pg, enum db_status status)
{
    if (!q->fallback || q->cancelled)
        return false;
    const char *state = pg ? PQresultErrorField(pg, PG_DIAG_SQLSTATE) : NULL;
    if (status != DB_UNAVAILABLE && status != DB_TIMEOUT && !(state && strcmp(state, "40001") == 0))
        return false;
    struct db_pool *to = q->fallback;
    q->fallback = NULL;
    to->events.replica_fallbacks++;
    enqueue(to, q);
    return true;
}

/* Answers q's caller (unless cancelled) and frees q, or moves it to its fallback pool. */
void db_query_finish(struct db_query *q, PGresult *pg, enum db_status status)
{
    if (move_to_fallback(q, pg, status))
        return;
    if (!q->cancelled) {
        struct db_result r = {pg, status};
        q->done(q->ctx, &r);
    }
    db_query_free(q);
}

void db_count_stmt(struct db_pool *p, const struct db_query *q, enum db_status st)
{
    if (!q->stmt)
        return;
    p->stats[q->stmt->id].calls++;
    p->stats[q->stmt->id].errors += st != DB_OK;
    p->stats[q->stmt->id].us += db_now_us() - q->sent_us;
}


void db_dispatch(struct db_pool *pool)
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
            db_query_free(q);
            i--; /* this connection is still free */
            continue;
        }
        db_conn_send(c, q);
    }
}

static void dispatch_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    db_dispatch(arg);
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
        db_query_finish(q, NULL, any_up ? DB_TIMEOUT : DB_UNAVAILABLE);
    }
}

struct db_pool *db_pool_new(struct event_base *base, const char *conninfo, int size, enum db_pool_kind kind,
                            int wait_ms)
{
    struct db_pool *pool = xcalloc(1, sizeof *pool);
    char err[512];
    if (!db_target_init(&pool->target, conninfo, kind == DB_POOL_PRIMARY, kind == DB_POOL_PRIMARY ? wait_ms : 0,
                        err, sizeof err))
        die("invalid database conninfo: %s", err);
    pool->base = base;
    pool->kind = kind;
    pool->wait_ms = wait_ms;
    pool->size = size;
    pool->conns = xcalloc((size_t)size, sizeof *pool->conns);
    pool->dispatch_ev = event_new(base, -1, 0, dispatch_cb, pool);
    pool->tick_ev = event_new(base, -1, EV_PERSIST, tick_cb, pool);
    struct timeval tick = {0, 200000};
    event_add(pool->tick_ev, &tick);
    for (int i = 0; i < size; i++)
        db_conn_init(&pool->conns[i], pool, i);
    return pool;
}

void db_pool_set_reader(struct db_pool *pool, struct db_pool *reader)
{
    pool->reader = reader;
}

struct db_pool *db_pool_reader(const struct db_pool *pool)
{
    return pool->reader;
}

void db_pool_free(struct db_pool *pool)
{
    if (!pool)
        return;
    for (int i = 0; i < pool->size; i++)
        db_conn_release(&pool->conns[i]);
    while (pool->head) {
        struct db_query *q = pool->head;
        pool->head = q->next;
        db_query_free(q);
    }
    event_free(pool->dispatch_ev);
    event_free(pool->tick_ev);
    free(pool->conns);
    db_target_free(&pool->target);
    free(pool);
}

struct db_query *db_query(struct db_pool *pool, struct db_stmt *stmt, const char *const *params, bool replica,
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
    struct db_pool *to = pool;
    if (replica && stmt->replica_ok && pool->reader && db_pool_healthy(pool->reader)) {
        to = pool->reader;
        q->fallback = pool;
    }
    enqueue(to, q);
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
    const struct db_pool *rd = pool->reader;
    for (int i = 1; i <= nregistered; i++) {
        uint64_t calls = pool->stats[i].calls + (rd ? rd->stats[i].calls : 0);
        uint64_t errors = pool->stats[i].errors + (rd ? rd->stats[i].errors : 0);
        int64_t us = pool->stats[i].us + (rd ? rd->stats[i].us : 0);
        fn(ctx, registry[i]->name, calls, errors, (double)us / 1e6);
    }
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

void db_pool_events(const struct db_pool *pool, struct db_pool_events *out)
{
    *out = pool->events;
    const struct db_pool *rd = pool->reader;
    if (rd) {
        out->connects += rd->events.connects;
        out->abandoned += rd->events.abandoned;
        out->unconfirmed += rd->events.unconfirmed;
    }
}

