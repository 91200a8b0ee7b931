/*
 * oidc: discovery and JWKS caches per issuer, and the token request (see oidc.h). Entries
 * live until the cache is freed, so a pointer to one stays valid across callbacks; their
 * strings are replaced only between callbacks.
 */
#include "core/oidc.h"
#include "core/deliver.h"
#include "core/fetch.h"
#include "lib/crypto.h"
#include "lib/log.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <event2/event.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OIDC_CACHE_S 3600
#define OIDC_MAX_DOC (256 * 1024)

struct oidc_entry {
    char *issuer;
    char *authorization_endpoint, *token_endpoint, *jwks_uri;
    int64_t doc_at;
    char *jwks;
    int64_t jwks_at;
    int64_t refresh_at; /* the last fetch for an unknown key */
    struct oidc_entry *next;
};

struct oidc_cache {
    struct oidc_entry *entries;
};

/* One question in flight, or an answer from the cache waiting for the loop. */
struct oidc_call {
    struct app *app;
    struct oidc_entry *entry;
    oidc_endpoints_fn ep_done;
    oidc_jwks_fn jwks_done;
    oidc_token_fn token_done;
    void *ctx;
    char error[200];
};

struct oidc_cache *oidc_cache_new(void)
{
    return xcalloc(1, sizeof(struct oidc_cache));
}

static void entry_clear_doc(struct oidc_entry *e)
{
    free(e->authorization_endpoint);
    free(e->token_endpoint);
    free(e->jwks_uri);
    e->authorization_endpoint = e->token_endpoint = e->jwks_uri = NULL;
}

void oidc_cache_free(struct oidc_cache *c)
{
    if (!c)
        return;
    for (struct oidc_entry *e = c->entries, *next; e; e = next) {
        next = e->next;
        entry_clear_doc(e);
        free(e->issuer);
        free(e->jwks);
        free(e);
    }
    free(c);
}

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static struct oidc_entry *entry_for(struct oidc_cache *c, const char *issuer)
{
    for (struct oidc_entry *e = c->entries; e; e = e->next)
        if (strcmp(e->issuer, issuer) == 0)
            return e;
    struct oidc_entry *e = xcalloc(1, sizeof *e);
    e->issuer = xstrdup(issuer);
    e->next = c->entries;
    c->entries = e;
    return e;
}

bool oidc_url_allowed(const char *url)
{
    return url && (strncmp(url, "https://", 8) == 0 || (strncmp(url, "http://", 7) == 0 && deliver_loopback_url(url)));
}

/* --- answering --- */

static void answer(struct oidc_call *call)
{
    struct oidc_entry *e = call->entry;
    const char *err = call->error[0] ? call->error : NULL;
    if (call->ep_done) {
        struct oidc_endpoints ep = {e->issuer, e->authorization_endpoint, e->token_endpoint, e->jwks_uri};
        call->ep_done(call->ctx, err ? NULL : &ep, err);
    } else if (call->jwks_done) {
        call->jwks_done(call->ctx, err ? NULL : e->jwks, err);
    }
    free(call);
}

static void answer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    answer(arg);
}

static void answer_later(struct oidc_call *call)
{
    struct timeval now = {0, 0};
    if (event_base_once(call->app->base, -1, EV_TIMEOUT, answer_cb, call, &now) != 0)
        PB_ASSERT(!"cannot schedule an event");
}

static struct oidc_call *call_new(struct app *app, struct oidc_entry *e, void *ctx)
{
    struct oidc_call *call = xcalloc(1, sizeof *call);
    call->app = app;
    call->entry = e;
    call->ctx = ctx;
    return call;
}

/* --- discovery --- */

static const char *doc_string(const cJSON *doc, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);
    return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

/* The JSON object a provider answered with; NULL with *why set when the call failed, the
 * status was not 200 or the body is not a JSON object. */
static cJSON *answer_object(const struct fetch_result *res, const char **why)
{
    cJSON *j = NULL;
    if (res->status != FETCH_OK)
        *why = res->error;
    else if (res->code != 200)
        *why = "the provider did not answer 200";
    else if (!(j = cJSON_ParseWithLength(res->body, res->body_len)) || !cJSON_IsObject(j))
        *why = "the answer is not a JSON object";
    else
        return j;
    cJSON_Delete(j);
    return NULL;
}

/* True (and the call answered) when the server stopped the call. */
static bool cancelled(struct oidc_call *call, const struct fetch_result *res)
{
    if (res->status != FETCH_CANCELLED)
        return false;
    snprintf(call->error, sizeof call->error, "the server is stopping");
    answer(call);
    return true;
}

static void discovered(void *ctx, const struct fetch_result *res)
{
    struct oidc_call *call = ctx;
    struct oidc_entry *e = call->entry;
    if (cancelled(call, res))
        return;
    const char *why = NULL;
    cJSON *doc = answer_object(res, &why);
    if (!doc)
        ;
    else if (!doc_string(doc, "issuer") || strcmp(doc_string(doc, "issuer"), e->issuer) != 0)
        why = "the discovery document names another issuer";
    else if (!oidc_url_allowed(doc_string(doc, "authorization_endpoint")) ||
             !oidc_url_allowed(doc_string(doc, "token_endpoint")) || !oidc_url_allowed(doc_string(doc, "jwks_uri")))
        why = "the discovery document lacks an https authorization, token or jwks endpoint";
    if (why) {
        log_warn("OIDC discovery failed issuer=%s http=%ld reason=\"%s\"%s", e->issuer, res->code, why,
                 e->doc_at ? " (using the copy from before)" : "");
        if (!e->doc_at)
            snprintf(call->error, sizeof call->error, "discovery: %s", why);
    } else {
        entry_clear_doc(e);
        e->authorization_endpoint = xstrdup(doc_string(doc, "authorization_endpoint"));
        e->token_endpoint = xstrdup(doc_string(doc, "token_endpoint"));
        e->jwks_uri = xstrdup(doc_string(doc, "jwks_uri"));
        e->doc_at = now_s();
    }
    cJSON_Delete(doc);
    answer(call);
}

void oidc_discover(struct app *app, const char *issuer, oidc_endpoints_fn done, void *ctx)
{
    struct oidc_entry *e = entry_for(app->oidc, issuer);
    struct oidc_call *call = call_new(app, e, ctx);
    call->ep_done = done;
    if (!oidc_url_allowed(issuer)) {
        snprintf(call->error, sizeof call->error, "the issuer must be an https URL");
        answer_later(call);
        return;
    }
    if (e->doc_at && now_s() - e->doc_at < OIDC_CACHE_S) {
        answer_later(call);
        return;
    }
    size_t n = strlen(issuer);
    while (n && issuer[n - 1] == '/')
        n--;
    char *url = xasprintf("%.*s/.well-known/openid-configuration", (int)n, issuer);
    const char *headers[] = {"Accept: application/json", NULL};
    struct fetch_http rq = {.method = "GET", .url = url, .headers = headers, .timeout_ms = OIDC_TIMEOUT_MS,
                            .max_response = OIDC_MAX_DOC};
    fetch_http(app->fetch, &rq, discovered, call);
    free(url);
}

/* --- keys --- */

static void jwks_fetched(void *ctx, const struct fetch_result *res)
{
    struct oidc_call *call = ctx;
    struct oidc_entry *e = call->entry;
    if (cancelled(call, res))
        return;
    const char *why = NULL;
    cJSON *set = answer_object(res, &why);
    if (set && !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(set, "keys")))
        why = "the JWKS has no keys";
    if (why) {
        log_warn("OIDC keys could not be fetched issuer=%s http=%ld reason=\"%s\"%s", e->issuer, res->code, why,
                 e->jwks ? " (using the keys from before)" : "");
        if (!e->jwks)
            snprintf(call->error, sizeof call->error, "keys: %s", why);
    } else {
        free(e->jwks);
        e->jwks = xstrndup(res->body, res->body_len);
        e->jwks_at = now_s();
    }
    cJSON_Delete(set);
    answer(call);
}

void oidc_jwks(struct app *app, const char *issuer, bool refresh, oidc_jwks_fn done, void *ctx)
{
    struct oidc_entry *e = entry_for(app->oidc, issuer);
    struct oidc_call *call = call_new(app, e, ctx);
    call->jwks_done = done;
    int64_t now = now_s();
    if (e->jwks && ((!refresh && now - e->jwks_at < OIDC_CACHE_S) ||
                    (refresh && now - e->refresh_at < OIDC_JWKS_MIN_REFRESH_S))) {
        answer_later(call);
        return;
    }
    if (!e->jwks_uri) {
        snprintf(call->error, sizeof call->error, "keys: the provider has not been discovered");
        answer_later(call);
        return;
    }
    if (refresh) {
        e->refresh_at = now;
        log_info("OIDC keys fetched again for an unknown key issuer=%s", e->issuer);
    }
    const char *headers[] = {"Accept: application/json", NULL};
    struct fetch_http rq = {.method = "GET", .url = e->jwks_uri, .headers = headers, .timeout_ms = OIDC_TIMEOUT_MS,
                            .max_response = OIDC_MAX_DOC};
    fetch_http(app->fetch, &rq, jwks_fetched, call);
}

/* --- the token request --- */

static void token_answered(void *ctx, const struct fetch_result *res)
{
    struct oidc_call *call = ctx;
    if (res->status == FETCH_OK)
        call->token_done(call->ctx, res->code, res->body, NULL);
    else
        call->token_done(call->ctx, 0, "", res->status == FETCH_CANCELLED ? "the server is stopping" : res->error);
    free(call);
}

static char *form_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0);
    if (!e)
        die("out of memory");
    char *out = xstrdup(e);
    curl_free(e);
    return out;
}

void oidc_form_add(struct buf *b, const char *key, const char *value)
{
    char *k = form_escape(key), *v = form_escape(value);
    buf_printf(b, "%s%s=%s", b->len ? "&" : "", k, v);
    free(k);
    crypto_wipe(v, strlen(v));
    free(v);
}

void oidc_token_request(struct app *app, const char *token_endpoint, const char *client_id, const char *secret,
                        const char *form, oidc_token_fn done, void *ctx)
{
    struct oidc_call *call = call_new(app, NULL, ctx);
    call->token_done = done;
    char *authz = NULL;
    if (secret) {
        /* RFC 6749, 2.3.1: both parts form-encoded before Basic */
        char *id = form_escape(client_id), *pw = form_escape(secret);
        char *pair = xasprintf("%s:%s", id, pw);
        char *b64 = crypto_base64((const unsigned char *)pair, strlen(pair));
        authz = xasprintf("Authorization: Basic %s", b64);
        crypto_wipe(pair, strlen(pair));
        crypto_wipe(pw, strlen(pw));
        crypto_wipe(b64, strlen(b64));
        free(id);
        free(pw);
        free(pair);
        free(b64);
    }
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json", authz,
                             NULL};
    struct fetch_http rq = {.method = "POST", .url = token_endpoint, .headers = headers, .body = form,
                            .body_len = strlen(form), .timeout_ms = OIDC_TIMEOUT_MS, .max_response = OIDC_MAX_DOC};
    fetch_http(app->fetch, &rq, token_answered, call);
    if (authz) {
        crypto_wipe(authz, strlen(authz));
        free(authz);
    }
}

char *oidc_authorization_url(const char *endpoint, const char *form)
{
    CURLU *u = curl_url();
    char *query = NULL, *url = NULL, *out = NULL;
    if (!u || curl_url_set(u, CURLUPART_URL, endpoint, 0) != CURLUE_OK)
        goto done;
    if (curl_url_get(u, CURLUPART_QUERY, &query, 0) != CURLUE_OK)
        query = NULL;
    char *q = query && *query ? xasprintf("%s&%s", query, form) : xstrdup(form);
    CURLUcode rc = curl_url_set(u, CURLUPART_QUERY, q, 0);
    free(q);
    if (rc == CURLUE_OK && curl_url_get(u, CURLUPART_URL, &url, 0) == CURLUE_OK)
        out = xstrdup(url);
done:
    curl_free(query);
    curl_free(url);
    curl_url_cleanup(u);
    return out;
}
