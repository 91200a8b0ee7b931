/*
 * req: the life of one request: its state, the steps that wait (a statement, a worker
 * job), its deadline, and what the client sent. The answer and the gate live in reply.c
 * and auth.c.
 */
#include "core/req.h"
#include "core/db.h"
#include "core/hashq.h"
#include "core/reply.h"
#include "core/worker.h"
#include "lib/log.h"

#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A request that waits longer than this for the database or a worker answers 503. */
#define REQUEST_DEADLINE_S 30

const char *i64s(char buf[24], int64_t v)
{
    snprintf(buf, 24, "%lld", (long long)v);
    return buf;
}

void req_free(struct req *r)
{
    if (!r)
        return;
    if (r->pending)
        db_cancel(r->pending);
    if (r->deadline)
        event_free(r->deadline);
    if (r->pause)
        event_free(r->pause);
    if (r->state) {
        if (r->state_release)
            r->state_release(r->state);
        free(r->state);
    }
    if (r->extra_headers) {
        evhttp_clear_headers(r->extra_headers);
        free(r->extra_headers);
    }
    cJSON_Delete(r->json);
    cJSON_Delete(r->election.row);
    free(r->path);
    free(r->query);
    free(r->cache_key);
    r->app->inflight--;
    free(r);
}

void *req_state_new(struct req *r, size_t size, void (*release)(void *state))
{
    PB_ASSERT(!r->state); /* one state per request: a second one is a bug */
    r->state = xcalloc(1, size);
    r->state_size = size;
    r->state_release = release;
    return r->state;
}

void *req_state_get(const struct req *r, size_t size)
{
    PB_ASSERT(r->state && r->state_size == size);
    return r->state;
}

/* --- the deadline --- */

static void deadline_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct req *r = arg;
    if (r->in_worker) {
        /* a worker cannot be stopped halfway; its done step answers */
        struct timeval tv = {REQUEST_DEADLINE_S, 0};
        event_add(r->deadline, &tv);
        return;
    }
    log_warn("request deadline passed id=%s", r->id);
    req_fail(r, ERR_UNAVAILABLE, NULL, "The request took too long; retry.");
}

void req_arm_deadline(struct req *r)
{
    if (r->deadline)
        return;
    r->deadline = evtimer_new(r->app->base, deadline_cb, r);
    struct timeval tv = {REQUEST_DEADLINE_S, 0};
    evtimer_add(r->deadline, &tv);
}

/* --- database steps --- */

static void req_db_done(void *ctx, const struct db_result *res)
{
    struct req *r = ctx;
    r->pending = NULL;
    req_db_fn cb = r->db_cb;
    r->db_cb = NULL;
    cb(r, res);
}

void req_db(struct req *r, struct db_stmt *stmt, const char *const *params, req_db_fn cb)
{
    PB_ASSERT(!r->pending && !r->in_worker);
    req_arm_deadline(r);
    r->db_cb = cb;
    /* A read replica may serve public reads to anonymous callers only: staff and voters
     * read back what they have just written, from the primary. */
    r->pending = db_query(r->app->db, stmt, params, r->auth.kind == AUTH_NONE, req_db_done, r);
}

/* Our own SQL functions raise PBxxx states with a message meant for the client. */
static const struct {
    const char *state;
    enum pb_err err;
} own_states[] = {
    {"PB409", ERR_WRONG_PHASE}, {"PB404", ERR_NOT_FOUND},     {"PB422", ERR_INVALID_FIELD},
    {"PB403", ERR_FORBIDDEN},   {"PB401", ERR_UNAUTHORIZED},  {"PBCON", ERR_CONFLICT},
    {"PBIDM", ERR_IDEMPOTENCY_CONFLICT}, {"PBPAP", ERR_PAPER_BALLOT}, {"PBSUP", ERR_SUPPORT_LIMIT},
    {"PBPHO", ERR_TOO_MANY_PHOTOS}, {"PBCHO", ERR_DISTRICT_CHOSEN},
};

bool req_db_ok(struct req *r, const struct db_result *res)
{
    switch (db_status(res)) {
    case DB_OK:
        return true;
    case DB_UNAVAILABLE:
    case DB_TIMEOUT:
        req_fail(r, ERR_UNAVAILABLE, NULL, "The database is unavailable; retry shortly.");
        return false;
    case DB_ERROR:
        break;
    }
    const char *state = db_sqlstate(res);
    for (size_t i = 0; i < PB_ARRAY_LEN(own_states); i++)
        if (strcmp(state, own_states[i].state) == 0) {
            const char *field = db_error_column(res);
            req_fail(r, own_states[i].err, field[0] ? field : NULL, "%s", db_error_message(res));
            return false;
        }
    if (strcmp(state, "23505") == 0) {
        req_fail(r, ERR_CONFLICT, NULL, "This already exists.");
    } else if (strcmp(state, "23503") == 0) {
        req_fail(r, ERR_NOT_FOUND, NULL, "A referenced resource does not exist.");
    } else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "57014") == 0 ||
               strcmp(state, "55P03") == 0) {
        req_fail(r, ERR_UNAVAILABLE, NULL, "The server is busy; retry.");
    } else if (strncmp(state, "22", 2) == 0) {
        req_fail(r, ERR_INVALID_FIELD, NULL, "A value is out of range.");
    } else {
        log_error("db error id=%s sqlstate=%s message=\"%s\"", r->id, state, db_error_message(res));
        req_fail(r, ERR_INTERNAL, NULL, NULL);
    }
    return false;
}

/* --- worker steps --- */

struct req_job {
    struct req *r;
    void (*work)(void *job);
    void *job;
    req_step_fn done;
};

static void job_work(void *arg)
{
    struct req_job *j = arg;
    j->work(j->job); /* the worker sees the job, never the request */
}

static void job_done(void *arg)
{
    struct req_job *j = arg;
    struct req *r = j->r;
    req_step_fn done = j->done;
    free(j);
    r->in_worker = false;
    done(r);
}

void req_worker(struct req *r, void (*work)(void *job), void *job, req_step_fn done)
{
    PB_ASSERT(!r->pending && !r->in_worker);
    struct req_job *j = xcalloc(1, sizeof *j);
    *j = (struct req_job){r, work, job, done};
    req_arm_deadline(r);
    r->in_worker = true;
    worker_submit(r->app->workers, job_work, job_done, j);
}

bool req_worker_hashing(struct req *r, int priority, void (*work)(void *job), void *job, req_step_fn done)
{
    PB_ASSERT(!r->pending && !r->in_worker);
    struct req_job *j = xcalloc(1, sizeof *j);
    *j = (struct req_job){r, work, job, done};
    enum hashq_verdict v = hashq_submit(r->app->hashing, r->client_ip, priority, job_work, job_done, j);
    if (v != HASHQ_OK) {
        free(j);
        req_add_header(r, "Retry-After", "1");
        if (v == HASHQ_CLIENT_BUSY)
            req_fail(r, ERR_RATE_LIMITED, NULL, "A sign-in from your address is being checked; try again in a second.");
        else
            req_fail(r, ERR_UNAVAILABLE, NULL, "Too many sign-ins are being checked; try again in a second.");
        return false;
    }
    req_arm_deadline(r);
    r->in_worker = true;
    return true;
}

static void pause_over(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct req *r = arg;
    req_step_fn step = r->pause_step;
    r->pause_step = NULL;
    step(r);
}

void req_after(struct req *r, int ms, req_step_fn step)
{
    PB_ASSERT(!r->pending && !r->in_worker && !r->pause_step);
    req_arm_deadline(r);
    if (!r->pause)
        r->pause = evtimer_new(r->app->base, pause_over, r);
    r->pause_step = step;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(r->pause, &tv);
}

/* --- what the client sent --- */

const char *req_header(struct req *r, const char *name)
{
    return evhttp_find_header(evhttp_request_get_input_headers(r->ev), name);
}

char *req_query_param(const struct req *r, const char *name)
{
    if (!r->query)
        return NULL;
    struct evkeyvalq q;
    TAILQ_INIT(&q);
    if (evhttp_parse_query_str(r->query, &q) != 0) {
        evhttp_clear_headers(&q);
        return NULL;
    }
    const char *v = evhttp_find_header(&q, name);
    char *out = v ? xstrdup(v) : NULL;
    evhttp_clear_headers(&q);
    return out;
}

bool req_cookie(struct req *r, const char *name, char *out, size_t outlen)
{
    const char *h = req_header(r, "Cookie");
    size_t nlen = strlen(name);
    while (h && *h) {
        while (*h == ' ' || *h == ';')
            h++;
        const char *end = strchr(h, ';');
        size_t len = end ? (size_t)(end - h) : strlen(h);
        if (len > nlen && h[nlen] == '=' && strncmp(h, name, nlen) == 0) {
            size_t vlen = len - nlen - 1;
            if (vlen + 1 > outlen)
                return false;
            memcpy(out, h + nlen + 1, vlen);
            out[vlen] = '\0';
            return true;
        }
        h = end;
    }
    return false;
}

bool req_has_role(const struct req *r, enum role need)
{
    unsigned have = r->election.roles;
    if (have & ROLE_ADMIN)
        return true;
    if (need == ROLE_ANY_STAFF)
        return have != 0;
    return (have & need) != 0;
}
