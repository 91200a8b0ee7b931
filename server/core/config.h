/*
 * config: the server's settings, from command-line flags and PB_* environment variables,
 * in one declarative table. Read once at start-up; immutable afterwards.
 */
#ifndef PB_CONFIG_H
#define PB_CONFIG_H

#include "lib/netaddr.h"

#include <stdbool.h>

struct config {
    int port;
    char *listen;      /* address to bind, default 0.0.0.0 */
    char *db;          /* libpq conninfo; NULL: a private cluster under data_dir */
    char *db_read;     /* conninfo of hot standbys for public reads; NULL: none */
    int db_timeout_ms; /* longest wait for a statement, its commit included; and lock_timeout */
    char *data_dir;    /* var/: private cluster, secret file */
    char *secret_file; /* server secret for keyed hashes; default <data_dir>/secret */
    char *web_dir;
    char *schema_dir;
    char *otp_sender;  /* file:PATH or command:PATH: the server's own delivery (outbox) */
    char *public_url;  /* how citizens reach the server (links in messages, OIDC redirects) */
    char *ca_file;     /* CA bundle for outbound HTTPS and SMTP; NULL: the system's */
    char *credentials_dir; /* named credentials (SMTP passwords, OIDC client secrets) */
    int outbox_retry_ms;   /* first retry of a failed message; doubles each time, at most an hour */
    int reminder_hours;    /* reminders are queued this long before voting closes */
    int reminder_check_s;  /* how often a process queues the due reminders */
    bool demo;         /* load the demo election and print how to sign in */
    int pool_size;
    int workers;
    int processes;     /* serving processes sharing the listening socket */
    long max_body;     /* bytes */
    bool verbose;
    bool secure_cookies; /* behind TLS: mark cookies Secure */
    char *tls_cert;    /* PEM chain: serve HTTPS directly */
    char *tls_key;
    bool pg_start_only; /* start the private cluster, print its conninfo and exit */
    bool pg_stop_only;  /* stop the private cluster under data_dir and exit */
    int verify_audit;   /* verify this election's audit chain, print the result and exit */
    char *trusted_proxy; /* CIDR list: peers whose X-Forwarded-For names the client */
    char *metrics_allow; /* CIDR list that may read /metrics without the token */
    char *metrics_token; /* bearer token for /metrics from elsewhere (NULL: none) */
    int header_timeout;  /* seconds from a request's first byte to its last */
    int code_global_limit; /* failed voting codes per 10 minutes from everyone before all are slowed */
    char *tls_ocsp;      /* DER OCSP response to staple, read at start */
    char *map_tiles;     /* tile URL template for the pages' maps */
    char *map_attribution; /* the credit the tile source requires */
    char *map_origin;    /* scheme://host[:port] of map_tiles: the pages' CSP allows its images */
    /* parsed from the strings above */
    struct cidr_list trusted;
    struct cidr_list metrics_cidrs;
};

/* Parses argv and the environment; prints usage and exits on a bad flag. */
void config_load(struct config *cfg, int argc, char **argv);
void config_free(struct config *cfg);

#endif
