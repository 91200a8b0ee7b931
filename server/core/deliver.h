/*
 * deliver: one attempt at sending one rendered message, by the transport the
 * organisation's delivery settings name for its channel:
 *   smtp    e-mail through fetch_mail (STARTTLS or implicit TLS, AUTH with a credential)
 *   https   SMS through a gateway's JSON POST (bearer or basic credential) via fetch_http
 *   server  the server's own --otp-sender (file: or command:), on a worker thread
 *   off     nothing is sent; the message fails
 * It classifies the outcome for the outbox: sent, worth retrying (connection refused or
 * dropped, timeouts, 4xx SMTP replies, HTTP 5xx, 408, 429) or final (5xx SMTP replies, a
 * gateway's other 4xx, a malformed recipient). What it must not know: the outbox table.
 */
#ifndef PB_DELIVER_H
#define PB_DELIVER_H

#include "core/app.h"

#include <cjson/cJSON.h>

enum deliver_result { DELIVER_SENT, DELIVER_RETRY, DELIVER_FINAL, DELIVER_CANCELLED };

struct deliver_msg {
    const char *channel;    /* "email" or "sms" */
    const char *to;
    const char *subject;    /* e-mail only */
    const char *body;
    const char *key;        /* the idempotency key: Message-ID and the gateway's Idempotency-Key */
    const cJSON *settings;  /* the channel's delivery settings */
};

/* detail says what happened, for the outbox's attempt log (never the message text). */
typedef void (*deliver_done_fn)(void *ctx, enum deliver_result result, const char *detail);

/* Starts the attempt; done is called once, on the loop thread, never before this
 * returns. Everything in m is copied. */
void deliver_send(struct app *app, const struct deliver_msg *m, deliver_done_fn done, void *ctx);

/* True for a host that is this machine (plain SMTP and http: gateways are allowed only
 * there). */
bool deliver_loopback_url(const char *url);

#endif
