/*
 * http: evhttp glue. Limits are set here (headers, body, timeouts) and every answer,
 * including errors evhttp would otherwise render as HTML, is JSON from req.
 */
#include "core/http.h"
#include "lib/crypto.h"
#include "lib/jsonv.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "core/auth.h"
#include "core/conn.h"
#include "core/reply.h"
#include "core/req.h"
#include "core/router.h"
#include "core/static.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <sys/queue.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEADERS_SIZE 16384
#define DEFAULT_BODY_LIMIT (1024 * 1024)
#define MAX_JSON_DEPTH 32
#define LISTEN_BACKLOG 1024

static enum http_method method_of(enum evhttp_cmd_type t)
{
    switch (t) {
    case EVHTTP_REQ_GET:
        return M_GET;
    case EVHTTP_REQ_HEAD:
        return M_HEAD;
    case EVHTTP_REQ_POST:
        return M_POST;
    case EVHTTP_REQ_PUT:
        return M_PUT;
    case EVHTTP_REQ_PATCH:
        return M_PATCH;
    case EVHTTP_REQ_DELETE:
        return M_DELETE;
    case EVHTTP_REQ_OPTIONS:
        return M_OPTIONS;
    default:
        return 0;
    }
}

static void allow_header(struct req *r, unsigned mask)
{
    static const struct {
        unsigned m;
        const char *name;
    } names[] = {{M_GET, "GET, HEAD"}, {M_POST, "POST"}, {M_PUT, "PUT"}, {M_PATCH, "PATCH"},
                 {M_DELETE, "DELETE"}};
    char allow[64] = "";
    for (size_t i = 0; i < PB_ARRAY_LEN(names); i++) {
        if (mask & names[i].m) {
            size_t used = strlen(allow);
            snprintf(allow + used, sizeof allow - used, "%s%s", used ? ", " : "", names[i].name);
        }
    }
    req_add_header(r, "Allow", allow);
}

static void serve_static(struct req *r)
{
    if (r->method != M_GET && r->method != M_HEAD) {
        allow_header(r, M_GET);
        req_fail(r, ERR_METHOD, NULL, NULL);
        return;
    }
    const struct static_file *f = static_find(r->app->statics, r->path);
    if (!f && !strchr(strrchr(r->path, '/'), '.'))
        f = static_find(r->app->statics, "/index.html"); /* client-side routes */
    if (!f) {
        req_fail(r, ERR_NOT_FOUND, NULL, "No such page.");
        return;
    }
    const char *inm = req_header(r, "If-None-Match");
    req_add_header(r, "ETag", f->etag);
    req_add_header(r, "Cache-Control", "no-cache");
    /* images from this origin and exactly the configured map tile host (--map-tiles) */
    char csp[512];
    snprintf(csp, sizeof csp,
             "default-src 'self'; img-src 'self' data: %s; style-src 'self'; "
             "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
             "base-uri 'none'; form-action 'self'",
             r->app->cfg.map_origin);
    req_add_header(r, "Content-Security-Policy", csp);
    if (inm && strcmp(inm, f->etag) == 0) {
        req_reply_bytes(r, 304, NULL, NULL, 0);
        return;
    }
    req_reply_bytes(r, 200, f->content_type, f->data, f->len);
}

static bool parse_body(struct req *r)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(r->ev);
    size_t len = evbuffer_get_length(in);
    size_t limit = (r->route->flags & ROUTE_LARGE_BODY) ? (size_t)r->app->cfg.max_body
                                                         : DEFAULT_BODY_LIMIT;
    if (len > limit) {
        req_fail(r, ERR_TOO_LARGE, NULL, "The request body is larger than %zu bytes.", limit);
        return false;
    }
    r->body = len ? (const char *)evbuffer_pullup(in, -1) : NULL;
    r->body_len = len;
    if (!(r->route->flags & (ROUTE_JSON_BODY | ROUTE_EMPTY_BODY)))
        return true;
    if (len == 0) {
        r->json = cJSON_CreateObject();
        return true;
    }
    const char *end = NULL;
    r->json = cJSON_ParseWithLengthOpts(r->body, len, &end, 0);
    if (!r->json) {
        req_fail(r, ERR_INVALID_JSON, NULL, "The request body is not valid JSON.");
        return false;
    }
    while (end && end < r->body + len && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
        end++;
    if (end && end < r->body + len) {
        req_fail(r, ERR_INVALID_JSON, NULL, "Unexpected data after the JSON value.");
        return false;
    }
    struct verr e;
    if (!jv_check_tree(r->json, MAX_JSON_DEPTH, &e)) {
        req_fail_verr(r, &e);
        return false;
    }
    if (!cJSON_IsObject(r->json)) {
        req_fail(r, ERR_INVALID_JSON, NULL, "The request body must be a JSON object.");
        return false;
    }
    static const char *const no_fields[] = {NULL};
    if ((r->route->flags & ROUTE_EMPTY_BODY) && !jv_only_keys(r->json, no_fields, NULL, &e)) {
        req_fail_verr(r, &e);
        return false;
    }
    return true;
}

#define MAX_FORWARDED 8

/* One pass over the headers: the framing must be unambiguous (one Content-Length, or one
 * Transfer-Encoding: chunked and no Content-Length; one Host, which HTTP/1.1 requires),
 * since a proxy in front may read an ambiguous request differently and hide a second
 * request in its body. Collects the X-Forwarded-For values too. Returns NULL or what is
 * wrong. */
static const char *framing_problem(struct evhttp_request *ev, const char **xff, size_t *nxff)
{
    int hosts = 0, lengths = 0, codings = 0;
    const char *coding = NULL;
    struct evkeyval *h;
    TAILQ_FOREACH(h, evhttp_request_get_input_headers(ev), next) {
        if (strcasecmp(h->key, "Host") == 0) {
            hosts++;
        } else if (strcasecmp(h->key, "Content-Length") == 0) {
            lengths++;
        } else if (strcasecmp(h->key, "Transfer-Encoding") == 0) {
            codings++;
            coding = h->value;
        } else if (strcasecmp(h->key, "X-Forwarded-For") == 0 && *nxff < MAX_FORWARDED) {
            xff[(*nxff)++] = h->value;
        }
    }
    /* libevent 2.1 has no accessor for the version: its installed http_struct.h has it */
    char major = ev->major, minor = ev->minor;
    if (hosts > 1 || (hosts == 0 && (major > 1 || (major == 1 && minor >= 1))))
        return "An HTTP/1.1 request needs exactly one Host header.";
    if (lengths > 1)
        return "A request may have one Content-Length header.";
    if (codings > 1 || (coding && (lengths || strcasecmp(coding, "chunked") != 0)))
        return "Transfer-Encoding must be chunked alone, without Content-Length.";
    return NULL;
}

static void on_request(struct evhttp_request *ev, void *arg)
{
    struct app *app = arg;
    struct req *r = xcalloc(1, sizeof *r);
    r->ev = ev;
    r->app = app;
    app->inflight++;
    app->metrics.requests++;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    r->start_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    /* Request ids tie log lines to answers; a counter would tell anyone the request volume. */
    uint64_t seq = crypto_idmask_apply(app->request_ids, ++app->request_seq);
    unsigned char rid[8];
    for (int i = 7; i >= 0; i--, seq >>= 8)
        rid[i] = (unsigned char)seq;
    crypto_hex(rid, sizeof rid, r->id);
    const char *xff[MAX_FORWARDED];
    size_t nxff = 0;
    const char *framing = framing_problem(ev, xff, &nxff);
    char *peer = NULL;
    ev_uint16_t port = 0;
    evhttp_connection_get_peer(evhttp_request_get_connection(ev), &peer, &port);
    netaddr_client(&app->cfg.trusted, peer, xff, nxff, r->client_ip);
    if (framing) {
        r->path = xstrdup("/");
        req_add_header(r, "Connection", "close"); /* what follows on this connection is not trusted */
        req_fail(r, ERR_BAD_REQUEST, NULL, "%s", framing);
        return;
    }
    r->method = method_of(evhttp_request_get_command(ev));

    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
    if (query)
        r->query = xstrdup(query);
    char *segs[ROUTER_MAX_SEGMENTS];
    size_t nsegs = 0;
    bool path_ok = path && *path == '/' && router_split_path(path, segs, &nsegs, &r->path);
    if (!r->path)
        r->path = xstrdup("/");
    if (!path_ok) {
        for (size_t i = 0; i < nsegs; i++)
            free(segs[i]);
        req_fail(r, ERR_BAD_REQUEST, NULL, "The request path is malformed.");
        return;
    }
    if (app->shutting_down) {
        for (size_t i = 0; i < nsegs; i++)
            free(segs[i]);
        req_add_header(r, "Connection", "close");
        req_fail(r, ERR_UNAVAILABLE, NULL, "The server is shutting down.");
        return;
    }
    unsigned allowed = 0;
    bool is_api = nsegs > 0 && (strcmp(segs[0], "api") == 0 || strcmp(segs[0], "healthz") == 0 ||
                                strcmp(segs[0], "readyz") == 0 || strcmp(segs[0], "metrics") == 0 ||
                                (strcmp(segs[0], "embed") == 0 && nsegs > 1)); /* the framed widget page */
    if (is_api && r->method)
        r->route = router_match(r->method, (const char *const *)segs, nsegs, r->ids, &r->nids,
                                &allowed);
    for (size_t i = 0; i < nsegs; i++)
        free(segs[i]);
    if (!is_api) {
        serve_static(r);
        return;
    }
    if (!r->route) {
        if (r->method == M_OPTIONS && allowed) {
            allow_header(r, allowed);
            req_reply_json(r, 204, NULL);
        } else if (allowed || !r->method) {
            allow_header(r, allowed);
            req_fail(r, ERR_METHOD, NULL, NULL);
        } else {
            req_fail(r, ERR_NOT_FOUND, NULL, "No such API endpoint.");
        }
        return;
    }
    if (!parse_body(r))
        return;
    auth_start(r);
}

/* Each accepted connection's bufferevent, watched by core/conn: plain, or TLS straight
 * through OpenSSL (an SSL in accepting mode). */
static struct bufferevent *connection_bev(struct event_base *base, void *arg)
{
    struct app *app = arg;
    struct bufferevent *bev = NULL;
    if (app->tls) {
        SSL *ssl = SSL_new(app->tls);
        bev = ssl ? bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                                   BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS)
                  : NULL;
    } else {
        bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    }
    if (bev)
        conn_watch(app, bev);
    return bev;
}

/* Staples the OCSP response read at start (--tls-ocsp) to every handshake that asks. */
static int ocsp_staple(SSL *ssl, void *arg)
{
    const struct app *app = arg;
    unsigned char *copy = OPENSSL_malloc(app->tls_ocsp_len); /* OpenSSL frees it */
    if (!copy)
        return SSL_TLSEXT_ERR_NOACK;
    memcpy(copy, app->tls_ocsp, app->tls_ocsp_len);
    if (SSL_set_tlsext_status_ocsp_resp(ssl, copy, (long)app->tls_ocsp_len) != 1) {
        OPENSSL_free(copy);
        return SSL_TLSEXT_ERR_NOACK;
    }
    return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *tls_context(const char *cert, const char *key)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
        SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        char buf[256];
        ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
        log_error("cannot load the TLS certificate or key cert=%s error=\"%s\"", cert, buf);
        SSL_CTX_free(ctx);
        return NULL;
    }
    /* Mozilla's "intermediate" profile: TLS 1.2 with ECDHE and AEAD ciphers only (forward
     * secrecy, no CBC), and all of TLS 1.3; no session tickets, whose static key would undo
     * forward secrecy; no renegotiation. */
    if (!SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                      "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                      "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") ||
        !SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256") ||
        !SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384")) {
        log_error("cannot set the TLS ciphers");
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET |
                                 SSL_OP_NO_COMPRESSION);
    return ctx;
}

int http_listen(const struct app *app, int port, bool reuseport, int *bound_port)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t sslen;
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, app->cfg.listen, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        sslen = sizeof *sin;
    } else if (inet_pton(AF_INET6, app->cfg.listen, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)port);
        sslen = sizeof *sin6;
    } else {
        log_error("--listen must be a numeric address value=%s", app->cfg.listen);
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) ||
        bind(fd, (struct sockaddr *)&ss, sslen) != 0 || listen(fd, LISTEN_BACKLOG) != 0 ||
        evutil_make_socket_nonblocking(fd) != 0) {
        log_error("cannot listen address=%s port=%d", app->cfg.listen, port);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    if (getsockname(fd, (struct sockaddr *)&bound, &blen) != 0) {
        close(fd);
        return -1;
    }
    *bound_port = bound.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&bound)->sin6_port)
                                              : ntohs(((struct sockaddr_in *)&bound)->sin_port);
    return fd;
}

static void accept_resume(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    evconnlistener_enable(arg);
}

/* Out of descriptors (EMFILE) the listening socket stays readable, and accepting again at
 * once would spin the loop: pause accepting for a moment while open connections finish. */
static void accept_failed(struct evconnlistener *l, void *arg)
{
    (void)arg;
    int err = EVUTIL_SOCKET_ERROR();
    log_warn("cannot accept a connection; pausing accepts for 100 ms error=\"%s\"", evutil_socket_error_to_string(err));
    evconnlistener_disable(l);
    struct timeval tv = {0, 100 * 1000};
    if (event_base_once(evconnlistener_get_base(l), -1, EV_TIMEOUT, accept_resume, l, &tv) != 0)
        evconnlistener_enable(l);
}

bool http_start(struct app *app, int fd)
{
    app->http = evhttp_new(app->base);
    if (!app->http)
        return false;
    evhttp_set_max_headers_size(app->http, MAX_HEADERS_SIZE);
    evhttp_set_max_body_size(app->http, (ev_ssize_t)app->cfg.max_body + 1);
    evhttp_set_timeout(app->http, 30);
    /* Every method evhttp knows reaches on_request, which answers 405 in JSON with Allow;
     * evhttp's own answer would be an HTML 501. */
    evhttp_set_allowed_methods(app->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
                                              EVHTTP_REQ_PUT | EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE |
                                              EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT);
    evhttp_set_default_content_type(app->http, "application/json");
    evhttp_set_gencb(app->http, on_request, app);
    router_check_table();
    /* Request ids: a keyed function of a counter under a per-process random key, so that
     * they neither repeat nor count; no CSPRNG call per request. */
    app->request_ids = crypto_idmask_new();
    if (app->cfg.tls_cert && app->cfg.tls_key) {
        app->tls = tls_context(app->cfg.tls_cert, app->cfg.tls_key);
        if (!app->tls)
            return false;
        if (app->cfg.tls_ocsp) {
            app->tls_ocsp = (unsigned char *)read_file(app->cfg.tls_ocsp, &app->tls_ocsp_len);
            if (!app->tls_ocsp || !app->tls_ocsp_len) {
                log_error("cannot read the OCSP response path=%s", app->cfg.tls_ocsp);
                return false;
            }
            SSL_CTX_set_tlsext_status_cb(app->tls, ocsp_staple);
            SSL_CTX_set_tlsext_status_arg(app->tls, app);
        }
        app->cfg.secure_cookies = true;
    }
    evhttp_set_bevcb(app->http, connection_bev, app);
    /* the socket is listening already (made before any fork): backlog 0 leaves it so */
    struct evconnlistener *l = evconnlistener_new(app->base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE, 0, fd);
    if (!l || !evhttp_bind_listener(app->http, l)) {
        if (l)
            evconnlistener_free(l);
        return false;
    }
    evconnlistener_set_error_cb(l, accept_failed);
    return true;
}

void http_stop(struct app *app)
{
    if (app->http)
        evhttp_free(app->http);
    app->http = NULL;
    conn_stop(app);
    SSL_CTX_free(app->tls);
    app->tls = NULL;
    free(app->tls_ocsp);
    app->tls_ocsp = NULL;
    crypto_idmask_free(app->request_ids);
    app->request_ids = NULL;
}
