/*
 * config: flags and environment. Flags win over environment, environment over defaults.
 */
#include "core/config.h"
#include "lib/log.h"
#include "lib/util.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum kind { K_INT, K_STR, K_BOOL, K_LONG };

struct option_def {
    const char *flag;
    const char *env;
    enum kind kind;
    size_t offset;
    const char *def;
    const char *help;
};

#define OFF(f) offsetof(struct config, f)
static const struct option_def defs[] = {
    {"port", "PORT", K_INT, OFF(port), "8080", "TCP port to serve HTTP on (0: any free port)"},
    {"listen", "PB_LISTEN", K_STR, OFF(listen), "0.0.0.0", "address to bind"},
    {"db", "PB_DB", K_STR, OFF(db), NULL, "libpq conninfo; default: private cluster in data dir"},
    {"db-read", "PB_DB_READ", K_STR, OFF(db_read), NULL,
     "libpq conninfo of hot standbys for public reads (proposals, results, trackers, turnout)"},
    {"db-timeout-ms", "PB_DB_TIMEOUT_MS", K_INT, OFF(db_timeout_ms), "20000",
     "longest wait for a statement, its commit (a synchronous standby) included, and for a lock; then 503"},
    {"data-dir", "PB_DATA_DIR", K_STR, OFF(data_dir), "var", "private PostgreSQL and secret"},
    {"secret-file", "PB_SECRET_FILE", K_STR, OFF(secret_file), NULL,
     "server secret for keyed hashes (created if missing)"},
    {"web-dir", "PB_WEB_DIR", K_STR, OFF(web_dir), NULL, "static frontend (default: ./web)"},
    {"schema-dir", "PB_SCHEMA_DIR", K_STR, OFF(schema_dir), NULL, "SQL migrations and functions (./schema)"},
    {"otp-sender", "PB_OTP_SENDER", K_STR, OFF(otp_sender), NULL,
     "messages of organisations without their own delivery: file:PATH or command:PATH "
     "(default file:<data-dir>/outbox.log)"},
    {"public-url", "PB_PUBLIC_URL", K_STR, OFF(public_url), NULL,
     "the address citizens use, for links in messages and OIDC redirects (default http://<listen>:<port>)"},
    {"ca-file", "PB_CA_FILE", K_STR, OFF(ca_file), NULL, "CA bundle for outbound HTTPS and SMTP (default: the system's)"},
    {"credentials-dir", "PB_CREDENTIALS_DIR", K_STR, OFF(credentials_dir), NULL,
     "named credentials, one file each (default <data-dir>/credentials)"},
    {"outbox-retry-ms", "PB_OUTBOX_RETRY_MS", K_INT, OFF(outbox_retry_ms), "10000",
     "first retry of a message that could not be sent (doubles, at most an hour)"},
    {"reminder-hours", "PB_REMINDER_HOURS", K_INT, OFF(reminder_hours), "24",
     "reminders go this many hours before voting closes, to voters who asked and have not cast"},
    {"reminder-check-s", "PB_REMINDER_CHECK_S", K_INT, OFF(reminder_check_s), "60",
     "how often each process looks for reminders that are due"},
    {"demo", "PB_DEMO", K_BOOL, OFF(demo), "0", "load the demo election"},
    {"pool-size", "PB_POOL_SIZE", K_INT, OFF(pool_size), "8", "database connections"},
    {"workers", "PB_WORKERS", K_INT, OFF(workers), "2", "threads for slow work"},
    {"processes", "PB_PROCESSES", K_INT, OFF(processes), "1", "serving processes (0: one per core, at most 16)"},
    {"max-body", "PB_MAX_BODY", K_LONG, OFF(max_body), "8388608",
     "largest request body (uploads); other routes take 1 MiB"},
    {"secure-cookies", "PB_SECURE_COOKIES", K_BOOL, OFF(secure_cookies), "0",
     "mark cookies Secure (when a TLS proxy is in front)"},
    {"tls-cert", "PB_TLS_CERT", K_STR, OFF(tls_cert), NULL, "serve HTTPS with this PEM certificate chain"},
    {"tls-key", "PB_TLS_KEY", K_STR, OFF(tls_key), NULL, "the certificate's PEM private key"},
    {"tls-ocsp", "PB_TLS_OCSP", K_STR, OFF(tls_ocsp), NULL,
     "DER OCSP response to staple, read at start (renew it and restart before it expires)"},
    {"trusted-proxy", "PB_TRUSTED_PROXY", K_STR, OFF(trusted_proxy), NULL,
     "CIDR[,CIDR]: proxies whose X-Forwarded-For names the client (default: none)"},
    {"metrics-allow", "PB_METRICS_ALLOW", K_STR, OFF(metrics_allow), "127.0.0.0/8,::1",
     "CIDR[,CIDR] that may read /metrics"},
    {"metrics-token", "PB_METRICS_TOKEN", K_STR, OFF(metrics_token), NULL,
     "bearer token that reads /metrics from anywhere (at least 16 characters)"},
    {"header-timeout", "PB_HEADER_TIMEOUT", K_INT, OFF(header_timeout), "10",
     "seconds a client has to send a request's headers"},
    {"code-global-limit", "PB_GLOBAL_CODE_LIMIT", K_INT, OFF(code_global_limit), "1000",
     "failed voting codes per 10 minutes from all clients before every attempt is slowed"},
    {"map-tiles", "PB_MAP_TILES", K_STR, OFF(map_tiles), "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
     "map tile URL template for the pages ({z}, {x}, {y}); its origin is the one the pages' CSP lets images come from"},
    {"map-attribution", "PB_MAP_ATTRIBUTION", K_STR, OFF(map_attribution), "© OpenStreetMap contributors",
     "the credit the tile source requires, shown on every map"},
    {"verbose", "PB_VERBOSE", K_BOOL, OFF(verbose), "0", "debug logging"},
    {"pg-start", NULL, K_BOOL, OFF(pg_start_only), "0", "start the private cluster and exit"},
    {"pg-stop", NULL, K_BOOL, OFF(pg_stop_only), "0", "stop the private cluster and exit"},
    {"verify-audit", NULL, K_INT, OFF(verify_audit), "0", "verify election ID's audit chain and exit (1: broken)"},
};

/* The origin (scheme://host[:port]) of a tile URL template, malloc'd, or NULL when the
 * template is not an http(s) URL with {z}, {x} and {y} in its path. The host allows only
 * what a hostname or address holds, since it goes into the Content-Security-Policy. */
static char *tile_origin(const char *t)
{
    size_t scheme = strncmp(t, "https://", 8) == 0 ? 8 : strncmp(t, "http://", 7) == 0 ? 7 : 0;
    if (!scheme || strlen(t) > 300)
        return NULL;
    size_t host = strspn(t + scheme, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]");
    const char *path = t + scheme + host;
    if (host == 0 || *path != '/' || !strstr(path, "{z}") || !strstr(path, "{x}") || !strstr(path, "{y}") ||
        strpbrk(path, " \"'<>;,"))
        return NULL;
    return xstrndup(t, scheme + host);
}

static void usage(FILE *out)
{
    fprintf(out, "usage: pbserver [options]\n");
    for (size_t i = 0; i < PB_ARRAY_LEN(defs); i++)
        fprintf(out, "  --%-18s %s%s%s%s\n", defs[i].flag, defs[i].help,
                defs[i].env ? " [" : "", defs[i].env ? defs[i].env : "", defs[i].env ? "]" : "");
}

static void set_value(struct config *cfg, const struct option_def *d, const char *v)
{
    char *field = (char *)cfg + d->offset;
    int64_t n;
    switch (d->kind) {
    case K_INT:
        if (!parse_int64(v, &n) || n < 0 || n > INT_MAX)
            die("invalid value for --%s: %s", d->flag, v);
        *(int *)field = (int)n;
        break;
    case K_LONG:
        if (!parse_int64(v, &n) || n < 0)
            die("invalid value for --%s: %s", d->flag, v);
        *(long *)field = (long)n;
        break;
    case K_BOOL:
        *(bool *)field = strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0;
        break;
    case K_STR:
        free(*(char **)field);
        *(char **)field = xstrdup(v);
        break;
    }
}

void config_load(struct config *cfg, int argc, char **argv)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < PB_ARRAY_LEN(defs); i++) {
        const char *env = defs[i].env ? getenv(defs[i].env) : NULL;
        if (env && *env)
            set_value(cfg, &defs[i], env);
        else if (defs[i].def)
            set_value(cfg, &defs[i], defs[i].def);
    }
    struct option longopts[PB_ARRAY_LEN(defs) + 2];
    for (size_t i = 0; i < PB_ARRAY_LEN(defs); i++) {
        longopts[i].name = defs[i].flag;
        longopts[i].has_arg = defs[i].kind == K_BOOL ? no_argument : required_argument;
        longopts[i].flag = NULL;
        longopts[i].val = 256 + (int)i;
    }
    longopts[PB_ARRAY_LEN(defs)] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[PB_ARRAY_LEN(defs) + 1] = (struct option){NULL, 0, NULL, 0};
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            exit(0);
        }
        if (c < 256) {
            usage(stderr);
            exit(2);
        }
        const struct option_def *d = &defs[c - 256];
        set_value(cfg, d, d->kind == K_BOOL ? "1" : optarg);
    }
    if (optind < argc) {
        usage(stderr);
        exit(2);
    }
    if (cfg->pool_size < 1 || cfg->pool_size > 256)
        die("--pool-size must be 1..256");
    if (cfg->db_timeout_ms < 100 || cfg->db_timeout_ms > 600000)
        die("--db-timeout-ms must be 100..600000");
    if (cfg->processes == 0) {
        /* One per core, but at most 16: each holds pool-size database connections, and the
         * private cluster allows 200; past a few cores PostgreSQL is the limit anyway. */
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        cfg->processes = n < 1 ? 1 : n > 16 ? 16 : (int)n;
    }
    if (cfg->processes < 1 || cfg->processes > 64)
        die("--processes must be 0..64");
    if (cfg->workers < 1 || cfg->workers > 64)
        die("--workers must be 1..64");
    if (cfg->port > 65535)
        die("--port must be 0..65535");
    if (!cfg->tls_cert != !cfg->tls_key)
        die("--tls-cert and --tls-key go together");
    if (!cfg->otp_sender)
        cfg->otp_sender = xasprintf("file:%s/outbox.log", cfg->data_dir);
    if (strncmp(cfg->otp_sender, "file:", 5) != 0 && strncmp(cfg->otp_sender, "command:", 8) != 0)
        die("--otp-sender must be file:PATH or command:PATH");
    if (!cfg->secret_file)
        cfg->secret_file = xasprintf("%s/secret", cfg->data_dir);
    if (!cidr_list_parse(cfg->trusted_proxy, &cfg->trusted))
        die("--trusted-proxy must be numeric CIDR blocks separated by commas: %s", cfg->trusted_proxy);
    if (!cidr_list_parse(cfg->metrics_allow, &cfg->metrics_cidrs))
        die("--metrics-allow must be numeric CIDR blocks separated by commas: %s", cfg->metrics_allow);
    if (cfg->metrics_token && strlen(cfg->metrics_token) < 16)
        die("--metrics-token needs at least 16 characters");
    if (cfg->header_timeout < 1 || cfg->header_timeout > 300)
        die("--header-timeout must be 1..300 seconds");
    if (cfg->code_global_limit < 1)
        die("--code-global-limit must be at least 1");
    if (cfg->tls_ocsp && !cfg->tls_cert)
        die("--tls-ocsp needs --tls-cert");
    if (!cfg->credentials_dir)
        cfg->credentials_dir = xasprintf("%s/credentials", cfg->data_dir);
    if (cfg->public_url) {
        size_t n = strlen(cfg->public_url);
        while (n && cfg->public_url[n - 1] == '/')
            cfg->public_url[--n] = '\0';
        if (strncmp(cfg->public_url, "https://", 8) != 0 && strncmp(cfg->public_url, "http://", 7) != 0)
            die("--public-url must start with https:// (or http://)");
    }
    if (cfg->outbox_retry_ms < 1)
        die("--outbox-retry-ms must be at least 1");
    if (cfg->reminder_hours < 1 || cfg->reminder_hours > 24 * 14)
        die("--reminder-hours must be 1..336");
    if (cfg->reminder_check_s < 1)
        die("--reminder-check-s must be at least 1");
    cfg->map_origin = tile_origin(cfg->map_tiles);
    if (!cfg->map_origin)
        die("--map-tiles must be an http(s) URL template with {z}, {x} and {y} in its path and a plain host "
            "(no {s}): %s", cfg->map_tiles);
    if (strlen(cfg->map_attribution) > 300)
        die("--map-attribution takes at most 300 bytes");
}

void config_free(struct config *cfg)
{
    free(cfg->listen);
    free(cfg->db);
    free(cfg->db_read);
    free(cfg->data_dir);
    free(cfg->secret_file);
    free(cfg->web_dir);
    free(cfg->schema_dir);
    free(cfg->otp_sender);
    free(cfg->public_url);
    free(cfg->ca_file);
    free(cfg->credentials_dir);
    free(cfg->tls_cert);
    free(cfg->tls_key);
    free(cfg->tls_ocsp);
    free(cfg->trusted_proxy);
    free(cfg->metrics_allow);
    free(cfg->metrics_token);
    free(cfg->map_tiles);
    free(cfg->map_attribution);
    free(cfg->map_origin);
    cidr_list_free(&cfg->trusted);
    cidr_list_free(&cfg->metrics_cidrs);
}
