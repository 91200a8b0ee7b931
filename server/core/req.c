/*
 * req: the life of one request: authentication, database steps, the single reply.
 */
#include "core/req.h"
#include "core/cache.h"
#include "lib/crypto.h"
#include "core/db.h"
#include "lib/log.h"
#include "core/ratelimit.h"
#include "core/router.h"
#include "core/votertoken.h"
#include "core/worker.h"

#include <event2/buffer.h>
#include <zlib.h>
#include <event2/event.h>
#include <event2/http.h>
#include <sys/queue.h>
#include <event2/keyvalq_struct.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Changes clear the cache at once (NOTIFY); the age limit covers phases moved by the clock. */
#define CACHE_MAX_AGE_MS 5000

static const double latency_bounds_ms[] = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 1e12};

const char *i64s(char buf[24], int64_t v)
{
    snprintf(buf, 24, "%lld", (long long)v);
    return buf;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void req_free(struct req *r)
{
    if (!r)
        return;
    if (r->pending)
        db_cancel(r->pending);
    if (r->deadline)
        event_free(r->deadline);
    if (r->state_free && r->state)
        r->state_free(r->state);
    if (r->extra_free && r->extra)
        r->extra_free(r->extra);
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

void req_add_header(struct req *r, const char *name, const char *value)
{
    if (!r->extra_headers) {
        r->extra_headers = xcalloc(1, sizeof *r->extra_headers);
        TAILQ_INIT(r->extra_headers);
    }
    evhttp_add_header(r->extra_headers, name, value);
}

/* Public reads may be kept by browsers and proxies as long as the server keeps them. */
#define CACHED_CACHE_CONTROL "public, max-age=1"
#define GZIP_MIN_LEN 1024

/* Text over 1 KiB is worth compressing (and its answers vary with Accept-Encoding). */
static bool compressible(const char *content_type, size_t len)
{
    return len >= GZIP_MIN_LEN && content_type &&
           (strncmp(content_type, "application/json", 16) == 0 || strncmp(content_type, "text/", 5) == 0 ||
            strncmp(content_type, "image/svg", 9) == 0);
}

/* True when the body is worth compressing and the client takes gzip. */
static bool want_gzip(struct req *r, const char *content_type, size_t len)
{
    if (r->method == M_HEAD || !compressible(content_type, len))
        return false;
    const char *ae = req_header(r, "Accept-Encoding");
    return ae && strstr(ae, "gzip") != NULL;
}

/* gzip-compresses data into out (zlib's gzip wrapper); false if zlib fails. */
static bool gzip_into(const void *data, size_t len, struct buf *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 5, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    size_t bound = deflateBound(&z, (uLong)len);
    buf_reserve(out, bound);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out->data;
    z.avail_out = (uInt)bound;
    int rc = deflate(&z, Z_FINISH);
    out->len = z.total_out;
    deflateEnd(&z);
    return rc == Z_STREAM_END;
}

static bool is_mutation(enum http_method m)
{
    return m == M_POST || m == M_PUT || m == M_PATCH || m == M_DELETE;
}

/* The Date header, formatted once a second rather than by evhttp for every answer. */
static const char *http_date(struct app *app)
{
    static const char days[][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t now = time(NULL);
    if (now != app->date_at) {
        struct tm tm;
        gmtime_r(&now, &tm);
        snprintf(app->date, sizeof app->date, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
                 tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
        app->date_at = now;
    }
    return app->date;
}

static bool reply_from_cache(struct req *r);

/* Sends the answer with its body, and ends the request. */
static void emit(struct req *r, int status, struct evbuffer *body)
{
    evhttp_send_reply(r->ev, status, NULL, body);
    evbuffer_free(body);
    /* Staff read their own changes at once here; other processes hear of them by NOTIFY. */
    if (status < 300 && r->auth.kind == AUTH_STAFF && is_mutation(r->method))
        cache_clear(r->app->cache);

    struct metrics *m = &r->app->metrics;
    double ms = (double)(now_us() - r->start_us) / 1000.0;
    m->responses_by_class[status / 100 < 6 ? status / 100 : 5]++;
    m->latency_sum_s += ms / 1000.0;
    for (size_t i = 0; i < PB_ARRAY_LEN(latency_bounds_ms); i++)
        if (ms <= latency_bounds_ms[i])
            m->latency_buckets[i]++;
    log_msg(status >= 500 ? LOG_WARN : LOG_DEBUG, "request id=%s method=%d path=%s status=%d ms=%.1f",
            r->id, r->method, r->route ? r->route->pattern : r->path, status, ms);
    req_free(r);
}

/* Compressing takes about 35 ms per MB: above this a worker does it, not the loop. */
#define GZIP_ON_LOOP_MAX (64 * 1024)

struct gzip_job {
    struct req *r;
    int status;
    char *data;
    size_t len;
    struct buf gz;
    bool ok;
};

static void gzip_work(void *arg)
{
    struct gzip_job *j = arg;
    j->ok = j->len < UINT32_MAX && gzip_into(j->data, j->len, &j->gz);
}

static void gzip_done(void *arg)
{
    struct gzip_job *j = arg;
    struct req *r = j->r;
    r->in_worker = false;
    struct evbuffer *body = evbuffer_new();
    if (j->ok) {
        evhttp_add_header(evhttp_request_get_output_headers(r->ev), "Content-Encoding", "gzip");
        evbuffer_add(body, j->gz.data, j->gz.len);
    } else {
        evbuffer_add(body, j->data, j->len);
    }
    int status = j->status;
    buf_free(&j->gz);
    free(j->data);
    free(j);
    emit(r, status, body);
}

static void release_held(const void *data, size_t len, void *arg)
{
    (void)data;
    (void)len;
    cache_bytes_release(arg);
}

/* The one reply of a request. held: data are cached bytes (already in their final
 * encoding) that the body refers to instead of copying; the reference goes with the body. */
static void send_body(struct req *r, int status, const char *content_type, const void *data, size_t len,
                      struct cache_bytes *held)
{
    /* A fresh answer to a cacheable read goes out the way later hits will, with the same
     * ETag for the same bytes. */
    if (r->cache_key && status == 200 && data) {
        cache_put(r->app->cache, r->cache_key, data, len);
        if (reply_from_cache(r))
            return;
    }
    struct evkeyvalq *out = evhttp_request_get_output_headers(r->ev);
    if (content_type)
        evhttp_add_header(out, "Content-Type", content_type);
    /* Request ids tie an answer to the log; answers from the cache are not logged. */
    if (!held)
        evhttp_add_header(out, "X-Request-Id", r->id);
    evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
    /* Only documents send referrers; JSON answers have nothing to leak through one. */
    if (!content_type || strncmp(content_type, "application/json", 16) != 0)
        evhttp_add_header(out, "Referrer-Policy", "no-referrer");
    evhttp_add_header(out, "X-Frame-Options", "DENY");
    evhttp_add_header(out, "Date", http_date(r->app));
    if (!evhttp_find_header(r->extra_headers ? r->extra_headers : out, "Content-Security-Policy"))
        evhttp_add_header(out, "Content-Security-Policy",
                          "default-src 'none'; frame-ancestors 'none'");
    if (r->extra_headers) {
        struct evkeyval *h;
        TAILQ_FOREACH(h, r->extra_headers, next)
        evhttp_add_header(out, h->key, h->value);
    }
    if (r->app->tls)
        evhttp_add_header(out, "Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    if (!evhttp_find_header(out, "Cache-Control"))
        evhttp_add_header(out, "Cache-Control", "no-store");
    struct evbuffer *body = evbuffer_new();
    if (held) {
        if (r->method != M_HEAD && len && evbuffer_add_reference(body, data, len, release_held, held) == 0)
            held = NULL; /* released once the body is sent */
        cache_bytes_release(held);
        emit(r, status, body);
        return;
    }
    if (data && compressible(content_type, len))
        evhttp_add_header(out, "Vary", "Accept-Encoding");
    if (data && want_gzip(r, content_type, len) && len > GZIP_ON_LOOP_MAX) {
        evbuffer_free(body);
        struct gzip_job *j = xcalloc(1, sizeof *j);
        j->r = r;
        j->status = status;
        j->data = xmalloc(len); /* the caller frees data when this returns */
        memcpy(j->data, data, len);
        j->len = len;
        buf_init(&j->gz);
        req_arm_deadline(r);
        r->in_worker = true;
        worker_submit(r->app->workers, gzip_work, gzip_done, j);
        return;
    }
    struct buf gz;
    buf_init(&gz);
    if (data && want_gzip(r, content_type, len) && gzip_into(data, len, &gz)) {
        evhttp_add_header(out, "Content-Encoding", "gzip");
        evbuffer_add(body, gz.data, gz.len);
    } else if (data && len && r->method != M_HEAD) {
        evbuffer_add(body, data, len);
    }
    buf_free(&gz);
    emit(r, status, body);
}

static void send_reply(struct req *r, int status, const char *content_type, const void *data, size_t len)
{
    send_body(r, status, content_type, data, len, NULL);
}

void req_reply_bytes(struct req *r, int status, const char *content_type, const void *data,
                     size_t len)
{
    send_reply(r, status, content_type, data, len);
}

void req_reply_json(struct req *r, int status, cJSON *body)
{
    if (!body) {
        send_reply(r, status, NULL, NULL, 0);
        return;
    }
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (!text) {
        log_error("cannot print JSON id=%s", r->id);
        send_reply(r, 500, "application/json",
                   "{\"error\":{\"code\":\"internal_error\",\"message\":\"Out of memory.\"}}", 63);
        return;
    }
    send_reply(r, status, "application/json; charset=utf-8", text, strlen(text));
    cJSON_free(text);
}

static void fail_with(struct req *r, enum pb_err err, const char *code, const char *field,
                      const char *message)
{
    cJSON *body = cJSON_CreateObject();
    cJSON *e = cJSON_AddObjectToObject(body, "error");
    cJSON_AddStringToObject(e, "code", code && *code ? code : err_code(err));
    cJSON_AddStringToObject(e, "message", message && *message ? message : err_message(err));
    if (field && *field)
        cJSON_AddStringToObject(e, "field", field);
    if (err == ERR_BALLOT_RULE && code && *code)
        cJSON_AddStringToObject(e, "rule", code);
    if (err == ERR_UNAVAILABLE || err == ERR_RATE_LIMITED) {
        if (!r->extra_headers || !evhttp_find_header(r->extra_headers, "Retry-After"))
            req_add_header(r, "Retry-After", "1");
    }
    if (err == ERR_UNAUTHORIZED)
        req_add_header(r, "WWW-Authenticate", "Bearer");
    req_reply_json(r, err_status(err), body);
}

void req_fail(struct req *r, enum pb_err err, const char *field, const char *fmt, ...)
{
    char msg[512] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
    }
    fail_with(r, err, NULL, field, msg);
}

void req_fail_verr(struct req *r, const struct verr *e)
{
    fail_with(r, e->err, e->code, e->field, e->message);
}

const char *req_header(struct req *r, const char *name)
{
    return evhttp_find_header(evhttp_request_get_input_headers(r->ev), name);
}

char *req_query_param(struct req *r, const char *name)
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

static void req_db_done(void *ctx, const struct db_result *res)
{
    struct req *r = ctx;
    r->pending = NULL;
    req_db_fn cb = r->db_cb;
    r->db_cb = NULL;
    cb(r, res);
}

void req_db(struct req *r, const char *sql, int nparams, const char *const *params,
            req_db_fn cb)
{
    PB_ASSERT(!r->pending);
    req_arm_deadline(r);
    r->db_cb = cb;
    r->pending = db_query(r->app->db, sql, nparams, params, req_db_done, r);
}

void req_worker(struct req *r, void (*work)(void *r), void (*done)(void *r))
{
    req_arm_deadline(r);
    r->in_worker = true;
    worker_submit(r->app->workers, work, done, r);
}

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
    /* Our own functions raise PBxxx states with a message meant for the client. */
    if (strcmp(state, "PB409") == 0) {
        req_fail(r, ERR_WRONG_PHASE, NULL, "%s", db_error_message(res));
    } else if (strcmp(state, "PB404") == 0) {
        req_fail(r, ERR_NOT_FOUND, NULL, "%s", db_error_message(res));
    } else if (strcmp(state, "PB422") == 0) {
        req_fail(r, ERR_INVALID_FIELD, NULL, "%s", db_error_message(res));
    } else if (strcmp(state, "PB403") == 0) {
        req_fail(r, ERR_FORBIDDEN, NULL, "%s", db_error_message(res));
    } else if (strcmp(state, "PB401") == 0) {
        req_fail(r, ERR_UNAUTHORIZED, NULL, "%s", db_error_message(res));
    } else if (strcmp(state, "PBCON") == 0) {
        req_fail(r, ERR_CONFLICT, NULL, "%s", db_error_message(res));
    } else if (strcmp(state, "23505") == 0) {
        req_fail(r, ERR_CONFLICT, NULL, "This already exists.");
    } else if (strcmp(state, "23503") == 0) {
        req_fail(r, ERR_NOT_FOUND, NULL, "A referenced resource does not exist.");
    } else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
               strcmp(state, "57014") == 0 || strcmp(state, "55P03") == 0) {
        req_fail(r, ERR_UNAVAILABLE, NULL, "The server is busy; retry.");
    } else if (strncmp(state, "22", 2) == 0) {
        req_fail(r, ERR_INVALID_FIELD, NULL, "A value is out of range.");
    } else {
        log_error("db error id=%s sqlstate=%s message=\"%s\"", r->id, state,
                  db_error_message(res));
        req_fail(r, ERR_INTERNAL, NULL, NULL);
    }
    return false;
}

/* --- elections and roles --- */

static const char sql_load_election[] =
    "SELECT e.id, e.organisation_id, effective_phase(e), e.rule, e.currency, e.default_lang,"
    "       election_json(e)::text, staff_role_mask($2::bigint, e.id)"
    "  FROM elections e WHERE e.id = $1";

static void loaded_election(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) == 0) {
        req_fail(r, ERR_NOT_FOUND, NULL, "No such election.");
        return;
    }
    struct election_ctx *e = &r->election;
    e->id = db_int64(res, 0, 0);
    e->organisation_id = db_int64(res, 0, 1);
    snprintf(e->phase, sizeof e->phase, "%s", db_value(res, 0, 2));
    snprintf(e->rule, sizeof e->rule, "%s", db_value(res, 0, 3));
    snprintf(e->currency, sizeof e->currency, "%s", db_value(res, 0, 4));
    snprintf(e->default_lang, sizeof e->default_lang, "%s", db_value(res, 0, 5));
    cJSON_Delete(e->row);
    e->row = cJSON_Parse(db_value(res, 0, 6));
    e->roles = (unsigned)db_int64(res, 0, 7);
    if (r->auth.superadmin)
        e->roles |= ROLE_ADMIN;
    void (*next)(struct req *) = (void (*)(struct req *))r->state_next;
    r->state_next = NULL;
    next(r);
}

void req_load_election(struct req *r, int64_t id, void (*next)(struct req *r))
{
    char a[24], b[24];
    const char *p[2] = {i64s(a, id), i64s(b, r->auth.kind == AUTH_STAFF ? r->auth.staff_id : 0)};
    r->state_next = (void (*)(void))next;
    req_db(r, sql_load_election, 2, p, loaded_election);
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

bool req_require_role(struct req *r, enum role need)
{
    if (req_has_role(r, need))
        return true;
    if (r->auth.kind != AUTH_STAFF)
        req_fail(r, ERR_UNAUTHORIZED, NULL, "Staff authentication is required.");
    else if (r->election.roles == 0)
        req_fail(r, ERR_NOT_FOUND, NULL, "No such election.");
    else
        req_fail(r, ERR_FORBIDDEN, NULL, "Your role does not allow this.");
    return false;
}

/* --- authentication --- */

static const char sql_session[] =
    "SELECT s.kind, s.staff_id, s.voter_id, s.election_id, v.district_id,"
    "       coalesce(st.is_superadmin, false)"
    "  FROM sessions s"
    "  LEFT JOIN staff st ON st.id = s.staff_id"
    "  LEFT JOIN voters v ON v.id = s.voter_id"
    " WHERE s.token_hash = decode($1, 'hex') AND s.expires_at > now()"
    "   AND (s.kind <> 'staff' OR st.disabled_at IS NULL)";

void req_csrf_token(struct app *app, const char *token_hash_hex, char out[65])
{
    unsigned char key[32], mac[CRYPTO_SHA256_LEN];
    app_derive_key(app, "csrf", key);
    crypto_hmac_sha256(key, sizeof key, token_hash_hex, strlen(token_hash_hex), mac);
    crypto_hex(mac, sizeof mac, out);
    crypto_wipe(key, sizeof key);
}

static void run_handler(struct req *r)
{
    const struct route *rt = r->route;
    if (rt->auth != AUTH_NONE && r->auth.kind == AUTH_NONE) {
        req_fail(r, ERR_UNAUTHORIZED, NULL, "Sign in first: send a bearer token.");
        return;
    }
    if (rt->auth != AUTH_NONE && r->auth.kind != rt->auth) {
        req_fail(r, ERR_UNAUTHORIZED, NULL,
                 rt->auth == AUTH_STAFF ? "This needs a staff token." : "This needs a voter token.");
        return;
    }
    if (r->auth.via_cookie && is_mutation(r->method)) {
        char want[65];
        req_csrf_token(r->app, r->auth.token_hash, want);
        const char *got = req_header(r, "X-CSRF-Token");
        if (!got || strlen(got) != 64 || !crypto_equal(got, want, 64)) {
            req_fail(r, ERR_CSRF, NULL, NULL);
            return;
        }
    }
    rt->handler(r);
}

static void session_loaded(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) == 1) {
        const char *kind = db_value(res, 0, 0);
        if (strcmp(kind, "staff") == 0) {
            r->auth.kind = AUTH_STAFF;
            r->auth.staff_id = db_int64(res, 0, 1);
            r->auth.superadmin = db_bool(res, 0, 5);
        } else {
            r->auth.kind = AUTH_VOTER;
            r->auth.voter_id = db_int64(res, 0, 2);
            r->auth.election_id = db_int64(res, 0, 3);
            r->auth.district_id = db_int64(res, 0, 4);
        }
    } else if (r->route->auth != AUTH_NONE) {
        req_fail(r, ERR_UNAUTHORIZED, NULL, "The token is unknown or has expired.");
        return;
    }
    run_handler(r);
}

/* Finds the caller's token: the Authorization header first, then the cookie that fits
 * the route. Returns false when the request carries none. */
static bool find_token(struct req *r, char *token, size_t len)
{
    const char *h = req_header(r, "Authorization");
    if (h && strncasecmp(h, "Bearer ", 7) == 0) {
        const char *t = h + 7;
        while (*t == ' ')
            t++;
        if (strlen(t) + 1 > len)
            return false;
        snprintf(token, len, "%s", t);
        return *token != '\0';
    }
    const char *cookie = r->route->auth == AUTH_VOTER ? "pb_voter" : "pb_staff";
    if (req_cookie(r, cookie, token, len) && *token) {
        r->auth.via_cookie = true;
        return true;
    }
    if (r->route->auth == AUTH_NONE && req_cookie(r, "pb_voter", token, len) && *token) {
        r->auth.via_cookie = true;
        return true;
    }
    return false;
}


/* Anonymous public reads come from the cache when it holds a fresh copy; a client that
 * takes gzip gets the entry's gzip form, compressed once per entry rather than per reply. */
static bool reply_from_cache(struct req *r)
{
    struct cache *c = r->app->cache;
    const char *etag, *data;
    size_t len;
    struct cache_bytes *held = cache_hold(c, r->cache_key, CACHE_MAX_AGE_MS, false, &data, &len, &etag);
    if (!held)
        return false;
    static const char json[] = "application/json; charset=utf-8";
    struct evkeyvalq *out = evhttp_request_get_output_headers(r->ev);
    if (compressible(json, len))
        evhttp_add_header(out, "Vary", "Accept-Encoding");
    if (want_gzip(r, json, len)) {
        struct cache_bytes *gz = cache_hold(c, r->cache_key, CACHE_MAX_AGE_MS, true, &data, &len, &etag);
        if (!gz) {
            struct buf b;
            buf_init(&b);
            if (len < UINT32_MAX && gzip_into(data, len, &b))
                cache_put_variant(c, r->cache_key, b.data, b.len);
            buf_free(&b);
            gz = cache_hold(c, r->cache_key, CACHE_MAX_AGE_MS, true, &data, &len, &etag);
        }
        if (gz) {
            cache_bytes_release(held);
            held = gz;
            evhttp_add_header(out, "Content-Encoding", "gzip");
        }
    }
    free(r->cache_key);
    r->cache_key = NULL; /* nothing to store */
    evhttp_add_header(out, "ETag", etag);
    evhttp_add_header(out, "Cache-Control", CACHED_CACHE_CONTROL);
    const char *inm = req_header(r, "If-None-Match");
    if (inm && strcmp(inm, etag) == 0) {
        evhttp_remove_header(out, "Content-Encoding");
        cache_bytes_release(held);
        send_reply(r, 304, NULL, NULL, 0);
    } else {
        send_body(r, 200, json, data, len, held);
    }
    return true;
}

static bool serve_cached(struct req *r)
{
    size_t plen = strlen(r->path), qlen = r->query ? strlen(r->query) : 0;
    r->cache_key = xmalloc(plen + qlen + 2);
    memcpy(r->cache_key, r->path, plen);
    r->cache_key[plen] = '?';
    memcpy(r->cache_key + plen + 1, r->query ? r->query : "", qlen + 1);
    return reply_from_cache(r);
}

/* A signed voter token needs no session row; a revoked code still ends it, which the
 * database says (voter_active) unless the handler's own statement checks it. */
static const char sql_voter_active[] = "SELECT voter_active($1, $2, $3)";

static void voter_checked(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (!db_bool(res, 0, 0)) {
        if (r->route->auth != AUTH_NONE) {
            req_fail(r, ERR_UNAUTHORIZED, NULL, "This voting session has ended; sign in again.");
            return;
        }
        memset(&r->auth, 0, sizeof r->auth);
    }
    run_handler(r);
}

static void start_signed_voter(struct req *r, const char *token, bool via_cookie)
{
    struct voter_claims c;
    if (!voter_token_verify(r->app, token, (int64_t)time(NULL), &c)) {
        if (r->route->auth != AUTH_NONE) {
            req_fail(r, ERR_UNAUTHORIZED, NULL, "The token is unknown or has expired.");
            return;
        }
        run_handler(r);
        return;
    }
    r->auth.kind = AUTH_VOTER;
    r->auth.voter_id = c.voter_id;
    r->auth.election_id = c.election_id;
    r->auth.district_id = c.district_id;
    r->auth.via_cookie = via_cookie;
    unsigned char h[CRYPTO_SHA256_LEN];
    crypto_sha256(token, strlen(token), h);
    crypto_hex(h, sizeof h, r->auth.token_hash);
    if (r->route->flags & ROUTE_VOTER_CHECKED) {
        run_handler(r);
        return;
    }
    char e[24], v[24];
    const char *p[3] = {i64s(e, c.election_id), i64s(v, c.voter_id), r->auth.token_hash};
    req_db(r, sql_voter_active, 3, p, voter_checked);
}

void req_start(struct req *r)
{
    char token[VOTER_TOKEN_MAX];
    bool want = r->route->auth != AUTH_NONE || (r->route->flags & ROUTE_OPTIONAL_AUTH);
    bool cached = (r->route->flags & ROUTE_CACHED) && r->method == M_GET;
    if (!want || !find_token(r, token, sizeof token)) {
        if (cached && serve_cached(r))
            return;
        run_handler(r);
        return;
    }
    if (voter_token_is_signed(token)) {
        bool via_cookie = r->auth.via_cookie;
        r->auth.via_cookie = false;
        /* Public reads show a voter what they show anyone: answer them as anonymous ones. */
        if (cached) {
            if (!serve_cached(r))
                run_handler(r);
        } else {
            start_signed_voter(r, token, via_cookie);
        }
        crypto_wipe(token, sizeof token);
        return;
    }
    unsigned char h[CRYPTO_SHA256_LEN];
    crypto_sha256(token, strlen(token), h);
    crypto_hex(h, sizeof h, r->auth.token_hash);
    crypto_wipe(token, sizeof token);
    const char *p[1] = {r->auth.token_hash};
    req_db(r, sql_session, 1, p, session_loaded);
}

void req_reply_signed_out(struct req *r, const struct db_result *res, const char *cookie)
{
    if (!req_db_ok(r, res))
        return;
    req_set_cookie(r, cookie, "", 0);
    req_reply_json(r, 204, NULL);
}

void req_set_cookie(struct req *r, const char *name, const char *value, int max_age)
{
    char *c = xasprintf("%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s", name, value,
                        max_age, r->app->cfg.secure_cookies ? "; Secure" : "");
    req_add_header(r, "Set-Cookie", c);
    free(c);
}

void req_reply_json_text(struct req *r, int status, const char *json)
{
    if (!json) {
        log_error("empty JSON reply id=%s", r->id);
        req_fail(r, ERR_INTERNAL, NULL, NULL);
        return;
    }
    send_reply(r, status, "application/json; charset=utf-8", json, strlen(json));
}

bool req_rate_limited(struct req *r, const struct ratelimit_rule *rule)
{
    int wait = ratelimit_wait(r->app->limits, rule, r->client_ip, (int64_t)time(NULL));
    if (wait <= 0)
        return false;
    char s[16];
    snprintf(s, sizeof s, "%d", wait);
    req_add_header(r, "Retry-After", s);
    req_fail(r, ERR_RATE_LIMITED, NULL, "Too many failed attempts; try again in %d seconds.", wait);
    return true;
}

void req_rate_failed(struct req *r, const struct ratelimit_rule *rule)
{
    ratelimit_failed(r->app->limits, rule, r->client_ip, (int64_t)time(NULL));
}

void req_reply_member(struct req *r, const char *key, const char *json)
{
    if (!json) {
        req_fail(r, ERR_INTERNAL, NULL, NULL);
        return;
    }
    struct buf b;
    buf_init(&b);
    buf_printf(&b, "{\"%s\":%s}", key, json);
    send_reply(r, 200, "application/json; charset=utf-8", b.data, b.len);
    buf_free(&b);
}

/* The statement's first column is the whole JSON answer. */
void req_db_reply_ok(struct req *r, const struct db_result *res)
{
    if (req_db_ok(r, res))
        req_reply_json_text(r, 200, db_value(res, 0, 0));
}

void req_db_reply_created(struct req *r, const struct db_result *res)
{
    if (req_db_ok(r, res))
        req_reply_json_text(r, 201, db_value(res, 0, 0));
}
