/*
 * app: the running server's shared state, created in main and handed to every request.
 * There are no globals; everything a handler may use hangs off struct app.
 */
#ifndef PB_APP_H
#define PB_APP_H

#include "core/config.h"
#include "lib/keys.h"

#include <stdint.h>

struct event_base;
struct evhttp;
struct db_pool;
struct worker_pool;
struct static_files;
struct ratelimit;
struct hashq;
struct conn_watch;
struct cache;
struct event;
struct crypto_idmask;
struct fetch;
struct outbox;
struct credentials;
struct oidc_cache;
typedef struct ssl_ctx_st SSL_CTX;

struct metrics {
    uint64_t requests;
    uint64_t responses_by_class[6]; /* 1xx..5xx */
    uint64_t latency_buckets[12];   /* cumulative counts per bucket of latency_bounds_ms */
    double latency_sum_s;
    uint64_t ballots_cast;
    uint64_t ballots_replaced;
    uint64_t voter_logins;
    uint64_t tallies;
};

struct app {
    struct config cfg;
    struct event_base *base;
    struct evhttp *http;
    SSL_CTX *tls; /* set when serving HTTPS directly */
    unsigned char *tls_ocsp; /* the DER OCSP response to staple (--tls-ocsp), read at start */
    size_t tls_ocsp_len;
    struct db_pool *db;
    struct worker_pool *workers;
    struct static_files *statics;
    struct ratelimit *limits;
    struct conn_watch *conns; /* core/conn: the watch on open connections */
    struct hashq *hashing; /* password hashing: fair between addresses, bounded */
    struct cache *cache;
    struct fetch *fetch;             /* outbound HTTPS and SMTP on the loop */
    struct outbox *outbox;           /* this process's sender of queued messages */
    struct credentials *credentials; /* named secrets, read at start-up */
    struct oidc_cache *oidc;         /* providers' discovery documents and keys */
    struct server_keys keys; /* derived from the server secret at start */
    char *openapi_json; /* docs/openapi.yaml as compact JSON, read at start-up */
    uint64_t request_seq; /* requests counted; ids are this under request_ids */
    struct crypto_idmask *request_ids;
    char date[32];        /* the HTTP Date header of the second date_at */
    int64_t date_at;
    int inflight;
    int shutting_down;
    struct event *drain_ev;
    struct metrics metrics;
};

#endif
