/*
 * deliver: the transports of the outbox (see deliver.h).
 */
#include "core/deliver.h"
#include "core/credentials.h"
#include "core/fetch.h"
#include "core/sender.h"
#include "core/worker.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "lib/outmsg.h"

#include <event2/event.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEND_TIMEOUT_MS 30000

struct attempt {
    struct app *app;
    deliver_done_fn done;
    void *ctx;
    enum deliver_result result;
    char detail[300];
    /* server transport: the copies the worker reads */
    char *spec, *to, *text;
};

static void attempt_free(struct attempt *a)
{
    if (a->text)
        crypto_wipe(a->text, strlen(a->text));
    free(a->spec);
    free(a->to);
    free(a->text);
    free(a);
}

static void report(struct attempt *a)
{
    a->done(a->ctx, a->result, a->detail);
    attempt_free(a);
}

static void report_later_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    report(arg);
}

/* Answers from the loop, after deliver_send has returned. */
static void report_later(struct attempt *a, enum deliver_result r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report_later(struct attempt *a, enum deliver_result r, const char *fmt, ...)
{
    a->result = r;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->detail, sizeof a->detail, fmt, ap);
    va_end(ap);
    struct timeval now = {0, 0};
    if (event_base_once(a->app->base, -1, EV_TIMEOUT, report_later_cb, a, &now) != 0)
        PB_ASSERT(!"cannot schedule an event");
}

bool deliver_loopback_url(const char *url)
{
    const char *host = strstr(url, "://");
    if (!host)
        return false;
    host += 3;
    const char *at = strchr(host, '@'), *slash = strchr(host, '/');
    if (at && (!slash || at < slash))
        host = at + 1;
    return strncmp(host, "127.", 4) == 0 || strncmp(host, "localhost", 9) == 0 || strncmp(host, "[::1]", 5) == 0;
}

static const char *setting(const cJSON *s, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, name);
    return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

/* --- the server's own transport: file: or command:, blocking, so on a worker --- */

static void server_work(void *arg)
{
    struct attempt *a = arg;
    if (sender_send(a->spec, a->to, a->text) == 0) {
        a->result = DELIVER_SENT;
        snprintf(a->detail, sizeof a->detail, "delivered by the server's %s sender",
                 strncmp(a->spec, "file:", 5) == 0 ? "file" : "command");
    } else {
        a->result = DELIVER_RETRY;
        snprintf(a->detail, sizeof a->detail, "the server's sender failed");
    }
}

static void server_done(void *arg)
{
    report(arg);
}

static void send_server(struct attempt *a, const struct deliver_msg *m)
{
    a->spec = xstrdup(a->app->cfg.otp_sender);
    a->to = xstrdup(m->to);
    /* one line per message: the development log is read line by line */
    a->text = xstrdup(m->body);
    for (char *p = a->text; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    worker_submit(a->app->workers, server_work, server_done, a);
}

/* --- SMTP --- */

static void mail_done(void *ctx, const struct fetch_result *res)
{
    struct attempt *a = ctx;
    if (res->status == FETCH_CANCELLED) {
        a->result = DELIVER_CANCELLED;
        snprintf(a->detail, sizeof a->detail, "the server stopped while sending");
    } else if (res->status == FETCH_OK) {
        a->result = DELIVER_SENT;
        snprintf(a->detail, sizeof a->detail, "accepted by the SMTP server (%ld)", res->code);
    } else {
        /* a 5xx reply is the server's final word on this message; the rest may pass later */
        a->result = res->code >= 500 && res->code < 600 ? DELIVER_FINAL : DELIVER_RETRY;
        if (res->code)
            snprintf(a->detail, sizeof a->detail, "SMTP %ld: %s", res->code, res->error);
        else
            snprintf(a->detail, sizeof a->detail, "SMTP: %s", res->error);
    }
    report(a);
}

static void send_smtp(struct attempt *a, const struct deliver_msg *m)
{
    const cJSON *s = m->settings;
    const char *url = setting(s, "url"), *from = setting(s, "from"), *user = setting(s, "username");
    const char *ref = setting(s, "password_ref"), *security = setting(s, "security");
    bool plain = security && strcmp(security, "none") == 0;
    if (!url || !from) {
        report_later(a, DELIVER_RETRY, "e-mail delivery has no SMTP url or from address");
        return;
    }
    if (plain && !deliver_loopback_url(url)) {
        report_later(a, DELIVER_RETRY, "SMTP without TLS is allowed only to this machine");
        return;
    }
    const char *password = NULL;
    if (ref && !(password = credential_get(a->app->credentials, ref))) {
        report_later(a, DELIVER_RETRY, "the credential \"%s\" is not set on this server", ref);
        return;
    }
    struct buf msg;
    buf_init(&msg);
    if (!outmsg_email(from, m->to, m->subject ? m->subject : "", m->body, m->key, (int64_t)time(NULL), &msg)) {
        buf_free(&msg);
        report_later(a, DELIVER_FINAL, "the recipient, sender or subject cannot be put in an e-mail");
        return;
    }
    struct fetch_mail fm = {.url = url, .username = user, .password = password, .from = from, .to = m->to,
                            .message = msg.data, .message_len = msg.len, .allow_plain = plain,
                            .timeout_ms = SEND_TIMEOUT_MS};
    fetch_mail(a->app->fetch, &fm, mail_done, a);
    crypto_wipe(msg.data, msg.len);
    buf_free(&msg);
}

/* --- SMS gateway --- */

static void sms_done(void *ctx, const struct fetch_result *res)
{
    struct attempt *a = ctx;
    if (res->status == FETCH_CANCELLED) {
        a->result = DELIVER_CANCELLED;
        snprintf(a->detail, sizeof a->detail, "the server stopped while sending");
    } else if (res->status == FETCH_FAILED) {
        a->result = DELIVER_RETRY;
        snprintf(a->detail, sizeof a->detail, "gateway: %s", res->error);
    } else if (res->code >= 200 && res->code < 300) {
        a->result = DELIVER_SENT;
        snprintf(a->detail, sizeof a->detail, "accepted by the gateway (HTTP %ld)", res->code);
    } else {
        bool again = res->code >= 500 || res->code == 408 || res->code == 429;
        a->result = again ? DELIVER_RETRY : DELIVER_FINAL;
        snprintf(a->detail, sizeof a->detail, "gateway answered HTTP %ld", res->code);
    }
    report(a);
}

static void send_sms(struct attempt *a, const struct deliver_msg *m)
{
    const cJSON *s = m->settings;
    const char *url = setting(s, "url"), *auth = setting(s, "auth"), *ref = setting(s, "credential_ref");
    const char *user = setting(s, "username");
    if (!url) {
        report_later(a, DELIVER_RETRY, "SMS delivery has no gateway url");
        return;
    }
    if (strncmp(url, "https://", 8) != 0 && !deliver_loopback_url(url)) {
        report_later(a, DELIVER_RETRY, "an SMS gateway must be reached over https");
        return;
    }
    const char *secret = NULL;
    if (auth && strcmp(auth, "none") != 0 && (!ref || !(secret = credential_get(a->app->credentials, ref)))) {
        report_later(a, DELIVER_RETRY, "the credential \"%s\" is not set on this server", ref ? ref : "");
        return;
    }
    char *body = outmsg_sms_json(cJSON_GetObjectItemCaseSensitive(s, "body"), m->to, m->body, setting(s, "sender"));
    char *authz = NULL;
    if (secret && strcmp(auth, "basic") == 0) {
        char *pair = xasprintf("%s:%s", user ? user : "", secret);
        char *b64 = crypto_base64((const unsigned char *)pair, strlen(pair));
        authz = xasprintf("Authorization: Basic %s", b64);
        crypto_wipe(pair, strlen(pair));
        free(pair);
        free(b64);
    } else if (secret) {
        authz = xasprintf("Authorization: Bearer %s", secret);
    }
    char *idem = xasprintf("Idempotency-Key: %s", m->key);
    const char *headers[] = {"Content-Type: application/json", "Accept: application/json", idem, authz, NULL};
    struct fetch_http rq = {.method = "POST", .url = url, .headers = headers, .body = body,
                            .body_len = strlen(body), .timeout_ms = SEND_TIMEOUT_MS, .max_response = 64 * 1024};
    fetch_http(a->app->fetch, &rq, sms_done, a);
    crypto_wipe(body, strlen(body));
    free(body);
    if (authz) {
        crypto_wipe(authz, strlen(authz));
        free(authz);
    }
    free(idem);
}

void deliver_send(struct app *app, const struct deliver_msg *m, deliver_done_fn done, void *ctx)
{
    struct attempt *a = xcalloc(1, sizeof *a);
    a->app = app;
    a->done = done;
    a->ctx = ctx;
    const char *transport = setting(m->settings, "transport");
    if (!transport || strcmp(transport, "server") == 0)
        send_server(a, m);
    else if (strcmp(transport, "off") == 0)
        report_later(a, DELIVER_FINAL, "delivery by %s is switched off for this organisation", m->channel);
    else if (strcmp(transport, "smtp") == 0 && strcmp(m->channel, "email") == 0)
        send_smtp(a, m);
    else if (strcmp(transport, "https") == 0 && strcmp(m->channel, "sms") == 0)
        send_sms(a, m);
    else
        report_later(a, DELIVER_RETRY, "no transport \"%s\" for %s", transport, m->channel);
}
