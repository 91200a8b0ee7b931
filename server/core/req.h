/*
 * req: one HTTP request from arrival to its single reply. Handlers read the parsed path
 * ids, query, JSON body and authenticated identity from here, run database steps through
 * req_db (the request sleeps until the result arrives), and finish with exactly one
 * req_reply_* or req_fail* call, which sends the answer and frees the request.
 *
 * Only http, router and req touch evhttp.
 */
#ifndef PB_REQ_H
#define PB_REQ_H

#include "core/app.h"
#include "lib/errors.h"
#include "lib/util.h"

#define CRYPTO_TOKEN_STRLEN_REQ 64

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct req;
struct evhttp_request;
struct db_result;
struct route;
struct ratelimit_rule;

enum http_method {
    M_GET = 1,
    M_HEAD = 2,
    M_POST = 4,
    M_PUT = 8,
    M_PATCH = 16,
    M_DELETE = 32,
    M_OPTIONS = 64,
};

enum auth_kind { AUTH_NONE, AUTH_STAFF, AUTH_VOTER };

/* The identity behind the request's token, filled before the handler runs. */
struct auth {
    enum auth_kind kind;
    int64_t staff_id;
    bool superadmin;
    int64_t voter_id;
    int64_t election_id; /* voter: the election the session is for */
    int64_t district_id; /* voter: the district the voter is eligible in */
    bool via_cookie;
    char token_hash[65];
};

/* The election a handler works on, with the caller's role in it (loaded by
 * req_load_election). */
enum role {
    ROLE_OBSERVER = 1,
    ROLE_CLERK = 2,
    ROLE_MODERATOR = 4,
    ROLE_ADMIN = 8,
    ROLE_ANY_STAFF = 16, /* for checks: any role in the election (reads) */
};

struct election_ctx {
    int64_t id;
    int64_t organisation_id;
    char phase[16];
    char rule[32];
    char currency[8];
    char default_lang[12];
    cJSON *row; /* the election as JSON from the database (owned) */
    unsigned roles; /* enum role bits the caller holds here */
};

typedef void (*req_db_fn)(struct req *r, const struct db_result *res);

struct req {
    struct evhttp_request *ev;
    struct app *app;
    enum http_method method;
    const struct route *route;
    char *path;
    int64_t ids[4];
    int nids;
    char *query;         /* raw query string or NULL */
    const char *body;    /* raw body bytes (not NUL-terminated) */
    size_t body_len;
    cJSON *json;         /* parsed body, or NULL */
    struct auth auth;
    struct election_ctx election;
    char id[17];         /* request id for logs */
    char client_ip[64];
    int64_t start_us;
    struct db_query *pending;
    req_db_fn db_cb;
    bool in_worker;      /* a worker job holds this request; the deadline waits */
    void (*state_next)(void); /* the step after a lookup such as req_load_election */
    const struct ratelimit_rule *state_rule; /* the limit a failure of this request counts against */
    char state_token[CRYPTO_TOKEN_STRLEN_REQ]; /* a new token, until it is sent */
    void *state;         /* handler's own state, freed with state_free */
    void (*state_free)(void *);
    void *extra;         /* a second piece of handler state, freed with extra_free */
    void (*extra_free)(void *);
    struct event *deadline;
    struct evkeyvalq *extra_headers;
    char *cache_key;     /* set when a 200 answer to this request is to be cached */
};

/* Sends the body (owned; NULL for no body) and frees r. */
void req_reply_json(struct req *r, int status, cJSON *body);
/* Sends JSON text as it is (such as a document built by the database). */
void req_reply_json_text(struct req *r, int status, const char *json);
/* Sends 200 {"key": json}, for lists the database built as JSON text. */
void req_reply_member(struct req *r, const char *key, const char *json);
void req_reply_bytes(struct req *r, int status, const char *content_type, const void *data,
                     size_t len);
/* An error reply {"error":{"code","message"[,"field"]}}. */
void req_fail(struct req *r, enum pb_err err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void req_fail_verr(struct req *r, const struct verr *e);
void req_add_header(struct req *r, const char *name, const char *value);

const char *req_header(struct req *r, const char *name);
/* Sets an HttpOnly, SameSite=Strict cookie (Secure when served over TLS). */
void req_set_cookie(struct req *r, const char *name, const char *value, int max_age);
/* After the statement that ended a session: clears its cookie and answers 204. */
void req_reply_signed_out(struct req *r, const struct db_result *res, const char *cookie);
/* The decoded value of a query-string parameter (malloc'd), or NULL. */
char *req_query_param(struct req *r, const char *name);
/* The value of a cookie, copied into out; false when absent. */
bool req_cookie(struct req *r, const char *name, char *out, size_t outlen);

/* Runs a statement for this request; cb gets the result. The request must not reply
 * while a statement is pending (req_reply_* cancels it if it does). */
/* Starts the request's deadline unless it runs already: from the first step that waits
 * (req_db and req_worker do it), so answers straight from memory need no timer. */
void req_arm_deadline(struct req *r);
/* Runs work on a worker thread, then done on the loop; the deadline waits meanwhile. */
void req_worker(struct req *r, void (*work)(void *r), void (*done)(void *r));
void req_db(struct req *r, const char *sql, int nparams, const char *const *params,
            req_db_fn cb);
/* For callbacks: true when res is a success. Otherwise replies with the matching error
 * (503 for an unavailable database, 409 for a unique violation, ...) and returns false. */
bool req_db_ok(struct req *r, const struct db_result *res) PB_WUR;
/* req_db callbacks for statements whose first column is the whole JSON answer: reply 200
 * or 201 with it (or the error, as req_db_ok). */
void req_db_reply_ok(struct req *r, const struct db_result *res);
void req_db_reply_created(struct req *r, const struct db_result *res);

/* Loads election ids[0] (or id) with the caller's role into r->election, then calls next;
 * answers 404 itself for an unknown election. */
void req_load_election(struct req *r, int64_t id, void (*next)(struct req *r));
/* True when the caller holds need here; admin holds every role. */
bool req_has_role(const struct req *r, enum role need);
/* Replies 401, 404 (no role in this election's organisation: its existence is not
 * revealed) or 403 unless the caller holds need. */
bool req_require_role(struct req *r, enum role need) PB_WUR;
/* The CSRF token that goes with a session (a keyed hash of its token hash). */
void req_csrf_token(struct app *app, const char *token_hash_hex, char out[65]);

/* Answers 429 with Retry-After (and returns true) when the client has failed too often at
 * this kind of secret; req_rate_failed records one more failure. */
bool req_rate_limited(struct req *r, const struct ratelimit_rule *rule) PB_WUR;
void req_rate_failed(struct req *r, const struct ratelimit_rule *rule);

/* Formats an int64 into buf (for statement parameters). */
const char *i64s(char buf[24], int64_t v);

/* Starts handling a request whose route has been matched (called by http). */
void req_start(struct req *r);
void req_free(struct req *r);

#endif
