/*
 * fetch: outbound HTTPS and SMTP on the event loop, through libcurl's multi interface
 * driven by libevent (curl_multi_socket_action with socket and timer callbacks on the
 * server's event_base). Nothing here blocks the loop: names are resolved by curl's threaded
 * resolver (fetch_new refuses a libcurl built without asynchronous DNS), and every call has
 * a deadline. Used by the OpenID Connect client (discovery, JWKS, token endpoint) and by
 * the outbox's transports (SMTP, SMS gateways).
 *
 * What this must not know: who asked, or what the bytes mean.
 */
#ifndef PB_FETCH_H
#define PB_FETCH_H

#include "lib/util.h"

#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct fetch;
struct fetch_call;

/* Calls libcurl's global set-up; once in main, before any thread or fork. */
void fetch_global_init(void);

/* A client on base. ca_file (may be NULL: the system's store) is the CA bundle trusted for
 * HTTPS and SMTP over TLS. NULL when libcurl cannot resolve names asynchronously. */
struct fetch *fetch_new(struct event_base *base, const char *ca_file);
/* Ends every call still running; their callbacks run with FETCH_CANCELLED first. NULL is
 * fine. */
void fetch_free(struct fetch *f);
/* Calls running now. */
int fetch_running(const struct fetch *f);

enum fetch_status {
    FETCH_OK,        /* an answer came (any HTTP status), or the mail was accepted */
    FETCH_FAILED,    /* no answer: connection, TLS, timeout, too large, or refused by SMTP */
    FETCH_CANCELLED, /* fetch_free ended it */
};

struct fetch_result {
    enum fetch_status status;
    long code;           /* HTTP status, or the last SMTP reply code (0 when none) */
    const char *body;    /* the answer's bytes, NUL-terminated (never NULL) */
    size_t body_len;
    const char *content_type; /* may be NULL */
    const char *error;   /* what went wrong, for logs and the outbox ("" on success) */
    bool timed_out;
};

/* Called once on the loop thread. res is valid only during the call. */
typedef void (*fetch_done_fn)(void *ctx, const struct fetch_result *res);

struct fetch_http {
    const char *method;        /* "GET" or "POST" */
    const char *url;           /* http: or https: only; redirects are not followed */
    const char *const *headers; /* "Name: value" lines, NULL-terminated; may be NULL */
    const char *body;          /* POST body (copied); may be NULL */
    size_t body_len;
    long timeout_ms;           /* the whole call */
    size_t max_response;       /* larger answers fail the call */
};

/* Starts an HTTP call; done is always called (unless fetch_cancel comes first). */
struct fetch_call *fetch_http(struct fetch *f, const struct fetch_http *rq, fetch_done_fn done, void *ctx);

struct fetch_mail {
    const char *url;      /* smtp://host:587 (STARTTLS required unless plain is allowed) or smtps://host:465 */
    const char *username; /* AUTH; NULL for none */
    const char *password;
    const char *from;     /* envelope sender */
    const char *to;       /* one envelope recipient */
    const char *message;  /* the whole RFC 5322 message, CRLF line ends (copied) */
    size_t message_len;
    bool allow_plain;     /* smtp:// without STARTTLS (tests and local relays only) */
    long timeout_ms;
};

/* Sends one message by SMTP (RFC 5321; STARTTLS per RFC 3207, AUTH per RFC 4954). */
struct fetch_call *fetch_mail(struct fetch *f, const struct fetch_mail *m, fetch_done_fn done, void *ctx);

/* The callback will not be called; the transfer is ended. */
void fetch_cancel(struct fetch_call *c);

#endif
