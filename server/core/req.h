/*
 * req: one HTTP request from arrival to its single reply. By the time a handler runs, the
 * gate (core/auth) has authenticated the caller and checked what the route's row in
 * api/routes.c declares (signed in, role, the election loaded and in the right phase), so
 * a handler starts with r->auth and r->election ready. Handlers read the parsed path ids,
 * query, JSON body and identity from here, keep what they carry between steps in one
 * typed state (req_state_new), run database steps through req_db and slow work through
 * req_worker (the request sleeps until the result arrives), and finish with exactly one
 * reply (core/reply.h), which sends the answer and frees the request.
 *
 * Only http, router, req, reply and auth touch evhttp.
 */
#ifndef PB_REQ_H
#define PB_REQ_H

#include "core/app.h"
#include "lib/errors.h"
#include "lib/util.h"
#include "lib/vocab.h"
#include "lib/votertoken.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct req;
struct evhttp_request;
struct db_result;
struct db_stmt;
struct route;

enum http_method {
    M_GET = 1,
    M_HEAD = 2,
    M_POST = 4,
    M_PUT = 8,
    M_PATCH = 16,
    M_DELETE = 32,
    M_OPTIONS = 64,
};

/* Who is calling. AUTH_ANY appears only in route rows: staff or a voter. */
enum auth_kind { AUTH_NONE, AUTH_STAFF, AUTH_VOTER, AUTH_ANY };

/* The identity behind the request's token, filled before the handler runs. */
struct auth {
    enum auth_kind kind;
    int64_t staff_id;
    bool superadmin;
    int64_t voter_id;
    int64_t election_id; /* voter: the election the session is for */
    int64_t district_id; /* voter: the first district (frame) the voter votes in, 0 for none yet */
    int64_t districts[VOTER_MAX_FRAMES]; /* voter: every frame, one per group of districts */
    size_t ndistricts;
    bool via_cookie;
    char token_hash[65]; /* hex SHA-256 of the session token (or of a new one being issued) */
};

/* Staff roles, as bits. Admin holds every role. */
enum role {
    ROLE_OBSERVER = 1,
    ROLE_CLERK = 2,
    ROLE_MODERATOR = 4,
    ROLE_ADMIN = 8,
    ROLE_ANY_STAFF = 16,  /* any role in the election (reads) */
    ROLE_SUPERADMIN = 32, /* the installation's own admin (routes outside any organisation) */
    ROLE_ELECTION_ONLY = 64, /* organisation scope: roles only in some of its elections */
};

/* The election a route is about, loaded by the gate with the caller's roles in it. */
struct election_ctx {
    int64_t id;
    int64_t organisation_id;
    enum phase phase;
    char rule[32];
    char currency[8];
    char default_lang[12];
    cJSON *row;     /* the election as JSON from the database (owned) */
    unsigned roles; /* enum role bits the caller holds here */
};

typedef void (*req_db_fn)(struct req *r, const struct db_result *res);
typedef void (*req_step_fn)(struct req *r);

struct req {
    struct evhttp_request *ev;
    struct app *app;
    enum http_method method;
    const struct route *route;
    char *path;
    int64_t ids[4];
    int nids;
    char *query;      /* raw query string or NULL */
    const char *body; /* raw body bytes (not NUL-terminated) */
    size_t body_len;
    cJSON *json;      /* parsed body, or NULL */
    struct auth auth;
    struct election_ctx election;
    char id[17];      /* request id for logs */
    char client_ip[64]; /* the peer, or the client behind a trusted proxy (--trusted-proxy) */
    int64_t start_us;
    /* the one step in flight: a statement or a worker job */
    struct db_query *pending;
    req_db_fn db_cb;
    bool in_worker;   /* a worker job runs for this request; the deadline waits */
    struct event *pause; /* req_after's timer */
    req_step_fn pause_step;
    struct event *deadline;
    /* the handler's state (req_state_new) */
    void *state;
    size_t state_size;
    void (*state_release)(void *state);
    /* the reply */
    struct evkeyvalq *extra_headers;
    char *cache_key;  /* set when a 200 answer to this request is to be cached */
    bool frameable;   /* its CSP names the sites that may frame it: no X-Frame-Options DENY */
};

/* --- the handler's state --- */

/* Creates the request's one state: size bytes, zeroed, freed with the request after
 * release (may be NULL) has freed what it points to. A second call is a bug (aborts). */
void *req_state_new(struct req *r, size_t size, void (*release)(void *state));
/* The state, which must exist and have this size (a check against mixing up types). */
void *req_state_get(const struct req *r, size_t size);
#define REQ_STATE_NEW(r, T, release) ((T *)req_state_new((r), sizeof(T), (release)))
#define REQ_STATE(r, T) ((T *)req_state_get((r), sizeof(T)))

/* --- steps that wait --- */

/* Runs a prepared statement for this request; cb gets the result. One step at a time; a
 * reply while a statement is pending cancels it. */
void req_db(struct req *r, struct db_stmt *stmt, const char *const *params, req_db_fn cb);
/* For callbacks: true when res is a success. Otherwise replies with the matching error
 * (503 for an unavailable database, 409 for a unique violation, ...) and returns false. */
bool req_db_ok(struct req *r, const struct db_result *res) PB_WUR;
/* Runs work(job) on a worker thread, then done(r) on the loop. work sees only job, which
 * must hold copies of everything it reads (never the live request or its state's
 * pointers into evhttp); job is usually the request's state. */
void req_worker(struct req *r, void (*work)(void *job), void *job, req_step_fn done);
/* Runs work(job) like req_worker, through the fair password-hashing queue under the
 * client's address (priority: lower goes first, core/hashq.h); answers 429 or 503 with
 * Retry-After itself (and returns false) when the queue refuses. */
bool req_worker_hashing(struct req *r, int priority, void (*work)(void *job), void *job, req_step_fn done) PB_WUR;
/* Goes on with step(r) after ms milliseconds (a pause, such as a slowed attempt). */
void req_after(struct req *r, int ms, req_step_fn step);
/* Starts the request's deadline unless it runs already: from the first step that waits
 * (req_db and req_worker do it), so answers straight from memory need no timer. */
void req_arm_deadline(struct req *r);

/* --- what the client sent --- */

const char *req_header(struct req *r, const char *name);
/* The decoded value of a query-string parameter (malloc'd), or NULL. */
char *req_query_param(const struct req *r, const char *name);
/* The value of a cookie, copied into out; false when absent. */
bool req_cookie(struct req *r, const char *name, char *out, size_t outlen);
/* True when the caller holds need in r->election (admin holds every role); for choosing
 * what to show, not for permission: the route row declares that. */
bool req_has_role(const struct req *r, enum role need);

/* Formats an int64 into buf (for statement parameters). */
const char *i64s(char buf[24], int64_t v);

/* The request ends: frees everything it holds (called by the reply). */
void req_free(struct req *r);

#endif
