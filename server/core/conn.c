/*
 * conn: the watch on each connection (see conn.h). The watch holds a reference to the
 * bufferevent, so its memory outlives evhttp's bufferevent_free until the watch lets go:
 * at once from evhttp's close callback (set when the first byte arrives), or within a
 * second from the sweep for a connection that never sent one.
 */
#include "core/conn.h"
#include "core/reply.h"
#include "lib/errors.h"
#include "lib/log.h"
#include "lib/util.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A request still arriving after the timeout goes on only while this much came in the period. */
#define BODY_MIN_PER_PERIOD 16384
/* What evhttp_send_error puts at the start of its page body. */
static const char EVHTTP_PAGE[] = "<HTML><HEAD>\n<TITLE>";

struct conn {
    struct app *app;
    struct bufferevent *bev;
    struct evhttp_connection *evcon; /* known from the first byte on */
    struct evbuffer_cb_entry *in_cb, *out_cb;
    int64_t started_ms; /* first byte of the request arriving now; 0: none */
    size_t bytes;       /* bytes of it so far (in this period) */
    LIST_ENTRY(conn) link;
};

LIST_HEAD(conn_list, conn);

struct conn_watch {
    struct conn_list all;
    struct event *sweep;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void release(struct conn *c)
{
    evbuffer_remove_cb_entry(bufferevent_get_input(c->bev), c->in_cb);
    evbuffer_remove_cb_entry(bufferevent_get_output(c->bev), c->out_cb);
    LIST_REMOVE(c, link);
    bufferevent_decref(c->bev);
    free(c);
}

/* evhttp frees the connection: its bufferevent goes right after this returns. */
static void closed(struct evhttp_connection *evcon, void *arg)
{
    (void)evcon;
    release(arg);
}

static void input_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    (void)buf;
    struct conn *c = arg;
    if (!info->n_added)
        return;
    if (!c->evcon) {
        void *evcon = NULL;
        bufferevent_getcb(c->bev, NULL, NULL, NULL, &evcon);
        if (evcon) {
            c->evcon = evcon;
            evhttp_connection_set_closecb(c->evcon, closed, c);
        }
    }
    if (!c->started_ms) {
        c->started_ms = now_ms();
        c->bytes = 0;
    }
    c->bytes += info->n_added;
}

static const char *reason(int status)
{
    switch (status) {
    case 413:
        return "Payload Too Large";
    case 417:
        return "Expectation Failed";
    case 501:
        return "Not Implemented";
    default:
        return "Bad Request";
    }
}

static enum pb_err error_for(int status)
{
    switch (status) {
    case 413:
        return ERR_TOO_LARGE;
    case 417:
        return ERR_EXPECTATION;
    case 501:
        return ERR_NOT_IMPLEMENTED;
    default:
        return ERR_BAD_REQUEST;
    }
}

/* buf holds one whole, unsent evhttp error page: it becomes our JSON error. */
static void rewrite(struct conn *c, struct evbuffer *buf)
{
    char line[64] = "";
    size_t eol_len = 0;
    struct evbuffer_ptr eol = evbuffer_search_eol(buf, NULL, &eol_len, EVBUFFER_EOL_CRLF);
    if (eol.pos > 0 && (size_t)eol.pos < sizeof line)
        evbuffer_copyout(buf, line, (size_t)eol.pos);
    int status = 400;
    if (sscanf(line, "HTTP/%*d.%*d %d", &status) != 1 || status < 400 || status > 599)
        status = 400;
    enum pb_err err = error_for(status);
    cJSON *body = cJSON_CreateObject();
    cJSON *e = cJSON_AddObjectToObject(body, "error");
    cJSON_AddStringToObject(e, "code", err_code(err));
    cJSON_AddStringToObject(e, "message", err_message(err));
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    struct evkeyvalq h;
    TAILQ_INIT(&h);
    evhttp_add_header(&h, "Content-Type", "application/json; charset=utf-8");
    reply_common_headers(c->app, &h);
    evhttp_add_header(&h, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    evhttp_add_header(&h, "Cache-Control", "no-store");
    evhttp_add_header(&h, "Connection", "close");
    evbuffer_drain(buf, evbuffer_get_length(buf));
    evbuffer_add_printf(buf, "HTTP/1.1 %d %s\r\n", err_status(err), reason(err_status(err)));
    struct evkeyval *kv;
    TAILQ_FOREACH(kv, &h, next)
    evbuffer_add_printf(buf, "%s: %s\r\n", kv->key, kv->value);
    evhttp_clear_headers(&h);
    evbuffer_add_printf(buf, "Content-Length: %zu\r\n\r\n%s", text ? strlen(text) : 0, text ? text : "");
    cJSON_free(text);
    c->app->metrics.responses_by_class[4]++;
    log_debug("rewrote evhttp's own error page status=%d", status);
}

static void output_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    struct conn *c = arg;
    if (!info->n_added)
        return;
    if (info->orig_size == 0)
        c->started_ms = 0; /* an answer begins: the request arrived whole */
    if (info->n_added < sizeof EVHTTP_PAGE - 1)
        return;
    /* evhttp writes an answer at once into an empty buffer, the body last */
    struct evbuffer_ptr at;
    char head[sizeof EVHTTP_PAGE - 1];
    if (evbuffer_ptr_set(buf, &at, info->orig_size, EVBUFFER_PTR_SET) != 0 ||
        evbuffer_copyout_from(buf, &at, head, 1) != 1 || head[0] != '<' ||
        evbuffer_copyout_from(buf, &at, head, sizeof head) != (ev_ssize_t)sizeof head ||
        memcmp(head, EVHTTP_PAGE, sizeof head) != 0)
        return;
    rewrite(c, buf);
}

/* Once a second: connections evhttp has let go of, and requests that take too long. */
static void sweep(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct app *app = arg;
    int64_t now = now_ms(), limit = (int64_t)app->cfg.header_timeout * 1000;
    struct conn *c = LIST_FIRST(&app->conns->all), *next;
    for (; c; c = next) {
        next = LIST_NEXT(c, link);
        void *evcon = NULL;
        bufferevent_getcb(c->bev, NULL, NULL, NULL, &evcon);
        if (!evcon) {
            release(c); /* freed by evhttp before it sent a byte */
            continue;
        }
        if (!c->started_ms || now - c->started_ms < limit || !(bufferevent_get_enabled(c->bev) & EV_READ))
            continue; /* idle, in time, or being answered */
        if (c->bytes >= BODY_MIN_PER_PERIOD) {
            c->started_ms = now; /* a body still coming at a fair rate */
            c->bytes = 0;
            continue;
        }
        log_info("closing a connection whose request did not arrive within %d s", app->cfg.header_timeout);
        evhttp_connection_free(c->evcon); /* its close callback releases c */
    }
}

void conn_watch(struct app *app, struct bufferevent *bev)
{
    if (!app->conns) {
        app->conns = xcalloc(1, sizeof *app->conns);
        LIST_INIT(&app->conns->all);
        app->conns->sweep = event_new(app->base, -1, EV_PERSIST, sweep, app);
        struct timeval tv = {1, 0};
        event_add(app->conns->sweep, &tv);
    }
    struct conn *c = xcalloc(1, sizeof *c);
    c->app = app;
    c->bev = bev;
    bufferevent_incref(bev);
    c->in_cb = evbuffer_add_cb(bufferevent_get_input(bev), input_cb, c);
    c->out_cb = evbuffer_add_cb(bufferevent_get_output(bev), output_cb, c);
    LIST_INSERT_HEAD(&app->conns->all, c, link);
}

void conn_stop(struct app *app)
{
    if (!app->conns)
        return;
    while (!LIST_EMPTY(&app->conns->all))
        release(LIST_FIRST(&app->conns->all));
    event_free(app->conns->sweep);
    free(app->conns);
    app->conns = NULL;
}
