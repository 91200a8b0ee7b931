/*
 * reply: the one answer of a request (see reply.h): headers, gzip, the response cache,
 * metrics and the log line, then the request is freed.
 */
#include "core/reply.h"
#include "core/cache.h"
#include "core/db.h"
#include "core/router.h"
#include "core/worker.h"
#include "lib/log.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>
#include <zlib.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Changes clear the cache at once (NOTIFY); the age limit covers phases moved by the clock. */
#define CACHE_MAX_AGE_MS 5000

static const double latency_bounds_ms[] = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 1e12};

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
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

void reply_common_headers(struct app *app, struct evkeyvalq *out)
{
    evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
    /* Every answer: a JSON answer opened in a tab is a document too. */
    evhttp_add_header(out, "Referrer-Policy", "no-referrer");
    evhttp_add_header(out, "X-Frame-Options", "DENY");
    evhttp_add_header(out, "Date", http_date(app));
    if (app->tls)
        evhttp_add_header(out, "Strict-Transport-Security", "max-age=31536000; includeSubDomains");
}

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
    r->in_worker = false; /* the job held only its copy of the bytes */
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
    reply_common_headers(r->app, out);
    if (r->frameable) /* X-Frame-Options cannot name sites; the CSP's frame-ancestors does */
        evhttp_remove_header(out, "X-Frame-Options");
    if (!evhttp_find_header(r->extra_headers ? r->extra_headers : out, "Content-Security-Policy"))
        evhttp_add_header(out, "Content-Security-Policy",
                          "default-src 'none'; frame-ancestors 'none'");
    if (r->extra_headers) {
        struct evkeyval *h;
        TAILQ_FOREACH(h, r->extra_headers, next)
        evhttp_add_header(out, h->key, h->value);
    }
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

bool reply_cached(struct req *r)
{
    size_t plen = strlen(r->path), qlen = r->query ? strlen(r->query) : 0;
    r->cache_key = xmalloc(plen + qlen + 2);
    memcpy(r->cache_key, r->path, plen);
    r->cache_key[plen] = '?';
    memcpy(r->cache_key + plen + 1, r->query ? r->query : "", qlen + 1);
    return reply_from_cache(r);
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

void req_db_reply_none(struct req *r, const struct db_result *res)
{
    if (req_db_ok(r, res))
        req_reply_json(r, 204, NULL);
}
