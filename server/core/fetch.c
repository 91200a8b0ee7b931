/*
 * fetch: libcurl's multi interface on libevent. curl tells us which sockets to watch
 * (sock_cb) and when to wake it (timer_cb); libevent calls curl_multi_socket_action back,
 * and finished transfers are collected in collect(). Every easy handle belongs to one
 * fetch_call, which owns its buffers.
 */
#include "core/fetch.h"
#include "lib/log.h"

#include <curl/curl.h>
#include <event2/event.h>

#include <stdlib.h>
#include <string.h>

#define CONNECT_TIMEOUT_MS 10000

struct fetch {
    struct event_base *base;
    CURLM *multi;
    struct event *timer;
    char *ca_file;
    struct fetch_call *calls; /* every call running, for fetch_free */
    int running;
};

struct fetch_call {
    struct fetch *f;
    CURL *easy;
    struct curl_slist *headers;
    struct curl_slist *rcpt;
    struct buf answer;
    size_t max_answer;
    bool too_large;
    char *upload;
    size_t upload_len, upload_pos;
    char errbuf[CURL_ERROR_SIZE];
    fetch_done_fn done;
    void *ctx;
    struct fetch_call *prev, *next;
};

/* One watched socket. */
struct fetch_sock {
    struct event *ev;
};

void fetch_global_init(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        die("cannot initialise libcurl");
}

static void collect(struct fetch *f);

static void on_socket(evutil_socket_t fd, short what, void *arg)
{
    struct fetch *f = arg;
    int flags = ((what & EV_READ) ? CURL_CSELECT_IN : 0) | ((what & EV_WRITE) ? CURL_CSELECT_OUT : 0);
    int running = 0;
    curl_multi_socket_action(f->multi, fd, flags, &running);
    collect(f);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct fetch *f = arg;
    int running = 0;
    curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    collect(f);
}

/* CURLMOPT_SOCKETFUNCTION: watch s for what curl wants, or stop watching it. */
static int sock_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)easy;
    struct fetch *f = userp;
    struct fetch_sock *fs = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (fs) {
            event_free(fs->ev);
            free(fs);
            curl_multi_assign(f->multi, s, NULL);
        }
        return 0;
    }
    short kind = (short)(((what & CURL_POLL_IN) ? EV_READ : 0) | ((what & CURL_POLL_OUT) ? EV_WRITE : 0) | EV_PERSIST);
    if (!fs) {
        fs = xcalloc(1, sizeof *fs);
        curl_multi_assign(f->multi, s, fs);
    } else {
        event_free(fs->ev);
    }
    fs->ev = event_new(f->base, s, kind, on_socket, f);
    event_add(fs->ev, NULL);
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: one timer for the whole multi handle. */
static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct fetch *f = userp;
    if (timeout_ms < 0) {
        evtimer_del(f->timer);
        return 0;
    }
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    evtimer_add(f->timer, &tv);
    return 0;
}

struct fetch *fetch_new(struct event_base *base, const char *ca_file)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    if (!(v->features & CURL_VERSION_ASYNCHDNS)) {
        log_error("libcurl resolves names synchronously; outbound calls would block the loop version=%s",
                  v->version);
        return NULL;
    }
    struct fetch *f = xcalloc(1, sizeof *f);
    f->base = base;
    f->multi = curl_multi_init();
    if (!f->multi)
        die("cannot create a libcurl multi handle");
    f->timer = evtimer_new(base, on_timer, f);
    f->ca_file = ca_file ? xstrdup(ca_file) : NULL;
    curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
    curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
    curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
    return f;
}

int fetch_running(const struct fetch *f)
{
    return f ? f->running : 0;
}

static void call_free(struct fetch_call *c)
{
    struct fetch *f = c->f;
    if (c->prev)
        c->prev->next = c->next;
    else
        f->calls = c->next;
    if (c->next)
        c->next->prev = c->prev;
    f->running--;
    curl_multi_remove_handle(f->multi, c->easy);
    curl_easy_cleanup(c->easy);
    curl_slist_free_all(c->headers);
    curl_slist_free_all(c->rcpt);
    buf_free(&c->answer);
    if (c->upload) {
        memset(c->upload, 0, c->upload_len); /* may hold a one-time code */
        free(c->upload);
    }
    free(c);
}

/* Calls the callback (unless cancelled) and frees the call. */
static void finish(struct fetch_call *c, CURLcode rc)
{
    struct fetch_result res = {.status = FETCH_OK, .error = ""};
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &res.code);
    char *ct = NULL;
    curl_easy_getinfo(c->easy, CURLINFO_CONTENT_TYPE, &ct);
    res.content_type = ct;
    if (!c->answer.data)
        buf_puts(&c->answer, "");
    res.body = c->answer.data;
    res.body_len = c->answer.len;
    if (c->too_large) {
        res.status = FETCH_FAILED;
        res.error = "the answer is too large";
    } else if (rc != CURLE_OK) {
        res.status = FETCH_FAILED;
        res.error = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);
        res.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
    }
    fetch_done_fn done = c->done;
    void *ctx = c->ctx;
    c->done = NULL;
    /* the callback may start other calls; this one's bytes live until it returns */
    if (done)
        done(ctx, &res);
    call_free(c);
}

static void collect(struct fetch *f)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(f->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct fetch_call *c = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
        CURLcode rc = msg->data.result;
        if (c)
            finish(c, rc);
    }
}

static size_t on_answer(char *data, size_t size, size_t n, void *arg)
{
    struct fetch_call *c = arg;
    size_t len = size * n;
    if (c->answer.len + len > c->max_answer) {
        c->too_large = true;
        return 0; /* curl ends the transfer */
    }
    buf_append(&c->answer, data, len);
    return len;
}

static size_t on_upload(char *out, size_t size, size_t n, void *arg)
{
    struct fetch_call *c = arg;
    size_t want = size * n, left = c->upload_len - c->upload_pos;
    size_t take = want < left ? want : left;
    memcpy(out, c->upload + c->upload_pos, take);
    c->upload_pos += take;
    return take;
}

static struct fetch_call *call_new(struct fetch *f, const char *url, long timeout_ms, fetch_done_fn done, void *ctx)
{
    struct fetch_call *c = xcalloc(1, sizeof *c);
    c->f = f;
    c->done = done;
    c->ctx = ctx;
    buf_init(&c->answer);
    c->easy = curl_easy_init();
    if (!c->easy)
        die("cannot create a libcurl handle");
    CURL *e = c->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, c);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < CONNECT_TIMEOUT_MS ? timeout_ms : CONNECT_TIMEOUT_MS);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_answer);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (f->ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, f->ca_file);
    return c;
}

static void start_failed(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    finish(arg, CURLE_FAILED_INIT);
}

/* Hands the call to the multi handle; a failure to start still answers, from the loop
 * rather than from inside the caller. */
static struct fetch_call *call_start(struct fetch_call *c)
{
    struct fetch *f = c->f;
    c->next = f->calls;
    if (f->calls)
        f->calls->prev = c;
    f->calls = c;
    f->running++;
    CURLMcode mc = curl_multi_add_handle(f->multi, c->easy);
    if (mc != CURLM_OK) {
        log_error("cannot start an outbound call error=\"%s\"", curl_multi_strerror(mc));
        snprintf(c->errbuf, sizeof c->errbuf, "%s", curl_multi_strerror(mc));
        struct timeval now = {0, 0};
        if (event_base_once(f->base, -1, EV_TIMEOUT, start_failed, c, &now) != 0)
            PB_ASSERT(!"cannot schedule an event");
    }
    return c;
}

struct fetch_call *fetch_http(struct fetch *f, const struct fetch_http *rq, fetch_done_fn done, void *ctx)
{
    struct fetch_call *c = call_new(f, rq->url, rq->timeout_ms, done, ctx);
    CURL *e = c->easy;
    c->max_answer = rq->max_response;
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "Borgerbudget");
    for (const char *const *h = rq->headers; h && *h; h++)
        c->headers = curl_slist_append(c->headers, *h);
    if (strcmp(rq->method, "POST") == 0) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
        curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, rq->body ? rq->body : "");
        c->headers = curl_slist_append(c->headers, "Expect:"); /* no 100-continue round trip */
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
    return call_start(c);
}

struct fetch_call *fetch_mail(struct fetch *f, const struct fetch_mail *m, fetch_done_fn done, void *ctx)
{
    struct fetch_call *c = call_new(f, m->url, m->timeout_ms, done, ctx);
    CURL *e = c->easy;
    c->max_answer = 64 * 1024;
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(e, CURLOPT_USE_SSL, m->allow_plain ? (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL);
    if (m->username && *m->username) {
        curl_easy_setopt(e, CURLOPT_USERNAME, m->username);
        curl_easy_setopt(e, CURLOPT_PASSWORD, m->password ? m->password : "");
    }
    char *from = xasprintf("<%s>", m->from);
    char *to = xasprintf("<%s>", m->to);
    curl_easy_setopt(e, CURLOPT_MAIL_FROM, from);
    c->rcpt = curl_slist_append(NULL, to);
    free(from);
    free(to);
    curl_easy_setopt(e, CURLOPT_MAIL_RCPT, c->rcpt);
    c->upload = xmalloc(m->message_len + 1);
    memcpy(c->upload, m->message, m->message_len);
    c->upload_len = m->message_len;
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(e, CURLOPT_READFUNCTION, on_upload);
    curl_easy_setopt(e, CURLOPT_READDATA, c);
    curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)m->message_len);
    return call_start(c);
}

void fetch_cancel(struct fetch_call *c)
{
    if (c) {
        c->done = NULL;
        call_free(c);
    }
}

void fetch_free(struct fetch *f)
{
    if (!f)
        return;
    while (f->calls) {
        struct fetch_call *c = f->calls;
        struct fetch_result res = {.status = FETCH_CANCELLED, .body = "", .error = "the server is stopping"};
        fetch_done_fn done = c->done;
        c->done = NULL;
        if (done)
            done(c->ctx, &res);
        call_free(c);
    }
    curl_multi_cleanup(f->multi);
    event_free(f->timer);
    free(f->ca_file);
    free(f);
}
