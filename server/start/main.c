/*
 * main: start-up in order (configuration, secret, database, migrations, listener,
 * bootstrap data, pool, workers, static files), the event loop, and a graceful shutdown
 * on SIGINT/SIGTERM: stop taking requests, finish those in flight, then stop the private
 * PostgreSQL if this process started it.
 */
#include "core/app.h"
#include "start/bootstrap.h"
#include "core/cache.h"
#include "lib/crypto.h"
#include "core/db.h"
#include "core/hashq.h"
#include "core/http.h"
#include "lib/log.h"
#include "start/migrate.h"
#include "start/pgcluster.h"
#include "core/ratelimit.h"
#include "core/static.h"
#include "lib/util.h"
#include "core/worker.h"
#include "core/credentials.h"
#include "core/fetch.h"
#include "core/oidc.h"
#include "core/outbox.h"

#include <event2/event.h>
#include <event2/thread.h>

#include <cjson/cJSON.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SHUTDOWN_GRACE_S 15

/* The server secret keys every hash that stands for a voter or a code. It comes from
 * PB_SECRET (64 hex digits) or a file that is created on first start; never the database.
 * Only the keys derived from it stay in memory. */
static void read_secret(struct app *app, unsigned char secret[KEY_LEN])
{
    const char *env = getenv("PB_SECRET");
    if (env && *env) {
        if (!crypto_unhex(env, secret, KEY_LEN))
            die("PB_SECRET must be 64 hex digits");
        return;
    }
    const char *path = app->cfg.secret_file;
    char hex[65] = "";
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(hex, 1, 64, f);
        fclose(f);
        hex[n] = '\0';
        if (!crypto_unhex(hex, secret, KEY_LEN))
            die("secret file %s must hold 64 hex digits", path);
        crypto_wipe(hex, sizeof hex);
        return;
    }
    crypto_random(secret, KEY_LEN);
    crypto_hex(secret, KEY_LEN, hex);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        die("cannot create secret file %s: %s", path, strerror(errno));
    bool ok = write(fd, hex, 64) == 64 && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    close(fd);
    crypto_wipe(hex, sizeof hex);
    if (!ok)
        die("cannot write secret file %s", path);
    log_info("server secret created file=%s", path);
}

static void load_keys(struct app *app)
{
    unsigned char secret[KEY_LEN];
    read_secret(app, secret);
    keys_derive(secret, &app->keys);
    crypto_wipe(secret, sizeof secret);
}

/* schema/ and web/ next to the binary's parent (build/..), else in the working directory. */
static char *resource_dir(const char *configured, const char *name)
{
    if (configured)
        return xstrdup(configured);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char *candidate = xasprintf("%s/../%s", exe, name);
            struct stat st;
            if (stat(candidate, &st) == 0 && S_ISDIR(st.st_mode))
                return candidate;
            free(candidate);
        }
    }
    return xstrdup(name);
}

/* docs/openapi.yaml is JSON with leading '#' comment lines (valid YAML 1.2). */
static char *load_openapi(const char *docs_dir)
{
    char *path = xasprintf("%s/openapi.yaml", docs_dir);
    FILE *f = fopen(path, "rb");
    free(path);
    if (!f)
        return NULL;
    struct buf b;
    buf_init(&b);
    char line[8192];
    while (fgets(line, sizeof line, f))
        if (line[0] != '#')
            buf_puts(&b, line);
    fclose(f);
    cJSON *doc = cJSON_Parse(b.data ? b.data : "");
    buf_free(&b);
    if (!doc) {
        log_warn("docs/openapi.yaml is not valid JSON; /api/v1/openapi.json will answer 404");
        return NULL;
    }
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    char *out = xstrdup(text);
    cJSON_free(text);
    return out;
}

static void drain_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct app *app = arg;
    app->shutting_down++;
    /* ticks of 100 ms */
    if ((app->inflight == 0 && worker_pending(app->workers) == 0 && outbox_idle(app->outbox)) ||
        app->shutting_down > SHUTDOWN_GRACE_S * 10)
        event_base_loopbreak(app->base);
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    struct app *app = arg;
    if (app->shutting_down)
        return;
    log_info("shutting down signal=%d inflight=%d", (int)sig, app->inflight);
    app->shutting_down = 1;
    outbox_stop(app->outbox); /* messages being sent finish; no new ones are claimed */
    struct event *drain = event_new(app->base, -1, EV_PERSIST, drain_cb, app);
    struct timeval tv = {0, 100000};
    event_add(drain, &tv);
    /* freed with the base's events at exit */
    app->drain_ev = drain;
}

/* Checks an election's audit chain from the command line: prints the number of entries
 * and the first broken link, if any. Exit status 0 when the chain holds. */
static int audit_verify_command(const char *conninfo, int election)
{
    char err[512], id[24];
    struct db_sync *c = db_sync_connect(conninfo, err, sizeof err);
    if (!c) {
        fprintf(stderr, "verify-audit: %s\n", err);
        return 2;
    }
    snprintf(id, sizeof id, "%d", election);
    const char *p[1] = {id};
    struct db_result *res = NULL;
    int rc = 2;
    if (db_sync_exec(c, "SELECT * FROM audit_verify($1)", 1, p, &res, err, sizeof err)) {
        if (db_value(res, 0, 1)) {
            printf("BROKEN election=%d entries=%s first_broken_seq=%s reason=\"%s\"\n", election,
                   db_value(res, 0, 0), db_value(res, 0, 1), db_value(res, 0, 2));
            rc = 1;
        } else {
            printf("OK election=%d entries=%s\n", election, db_value(res, 0, 0));
            rc = 0;
        }
    } else {
        fprintf(stderr, "verify-audit: %s\n", err);
    }
    db_sync_result_free(res);
    db_sync_close(c);
    return rc;
}

/* Any staff change anywhere (every one goes through audit_append, which notifies
 * pb_changed) empties this process's cache of public reads. */
static void on_changed(void *ctx, const char *channel, const char *payload)
{
    (void)channel;
    (void)payload;
    struct app *app = ctx;
    cache_clear(app->cache);
}

/* One serving process: its own event loop, database pool, workers, cache and limits. */
static int serve(struct app *app, int fd, const char *conninfo, const char *web_dir)
{
    if (evthread_use_pthreads() != 0)
        die("libevent has no thread support");
    /* The changelist folds the read/write enable-disable pairs evhttp makes around every
     * request into one epoll_ctl per loop turn (or none): without it, epoll_ctl calls cost
     * more than the request itself on the cached read path. */
    struct event_config *ecfg = event_config_new();
    if (!ecfg)
        die("cannot create the event loop");
    event_config_set_flag(ecfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    app->base = event_base_new_with_config(ecfg);
    event_config_free(ecfg);
    if (!app->base)
        die("cannot create the event loop");
    if (!http_start(app, fd))
        return 1;
    app->db = db_pool_new(app->base, conninfo, app->cfg.pool_size, DB_POOL_PRIMARY, app->cfg.db_timeout_ms);
    db_pool_listen(app->db, "LISTEN pb_changed", on_changed, app);
    /* hot standbys for public reads; a standby takes no LISTEN */
    struct db_pool *reader = NULL;
    if (app->cfg.db_read) {
        reader = db_pool_new(app->base, app->cfg.db_read, app->cfg.pool_size, DB_POOL_READER, app->cfg.db_timeout_ms);
        db_pool_set_reader(app->db, reader);
    }
    app->workers = worker_pool_new(app->base, app->cfg.workers);
    /* password hashes: on half the workers (the others stay for tallies, exports, gzip and
     * a client who has hardly tried), two per address, 32 waiting */
    int hashing = (app->cfg.workers + 1) / 2;
    app->hashing = hashq_new(app->workers, hashing, app->cfg.workers - hashing, 2, 32);
    app->statics = static_load(web_dir);
    app->cache = cache_new(4096);
    app->fetch = fetch_new(app->base, app->cfg.ca_file);
    if (!app->fetch)
        die("outbound calls need a libcurl with asynchronous name resolution");
    app->oidc = oidc_cache_new();
    app->outbox = outbox_new(app);
    char *docs_dir = resource_dir(NULL, "docs");
    app->openapi_json = load_openapi(docs_dir);
    free(docs_dir);

    struct event *sigint = evsignal_new(app->base, SIGINT, signal_cb, app);
    struct event *sigterm = evsignal_new(app->base, SIGTERM, signal_cb, app);
    event_add(sigint, NULL);
    event_add(sigterm, NULL);
    event_base_dispatch(app->base);
    log_info("stopped accepting; closing");
    /* Outbound calls still running (the drain's grace ran out) end first: their callbacks
     * answer their requests while evhttp, the outbox and the pool they use still exist. */
    fetch_free(app->fetch);
    app->fetch = NULL;
    http_stop(app);
    event_free(sigint);
    event_free(sigterm);
    if (app->drain_ev)
        event_free(app->drain_ev);
    worker_pool_free(app->workers);
    hashq_free(app->hashing);
    outbox_free(app->outbox);
    oidc_cache_free(app->oidc);
    db_pool_free(app->db);
    db_pool_free(reader);
    static_free(app->statics);
    cache_free(app->cache);
    free(app->openapi_json);
    event_base_free(app->base);
    app->base = NULL;
    return 0;
}

static pid_t spawn(struct app *app, const int *fds, int i, const char *conninfo, const char *web_dir,
                   const sigset_t *old)
{
    pid_t pid = fork();
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, old, NULL);
        for (int j = 0; j < app->cfg.processes; j++)
            if (j != i)
                close(fds[j]);
        int rc = serve(app, fds[i], conninfo, web_dir);
        keys_wipe(&app->keys);
        _exit(rc);
    }
    return pid;
}

/* Each serving process accepts on its own socket of the one port (SO_REUSEPORT), so the
 * kernel spreads connections evenly; on one shared socket, whichever process woke first
 * took a whole burst of connections. The parent keeps the sockets (a process that dies is
 * replaced on the same socket), forwards SIGINT/SIGTERM, and waits for all before the
 * private PostgreSQL is stopped. */
static int supervise(struct app *app, const int *fds, const char *conninfo, const char *web_dir)
{
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, &old);
    int n = app->cfg.processes;
    pid_t *kids = xcalloc((size_t)n, sizeof *kids);
    for (int i = 0; i < n; i++)
        kids[i] = spawn(app, fds, i, conninfo, web_dir, &old);
    bool stopping = false;
    int alive = n;
    while (alive > 0) {
        int sig;
        if (sigwait(&set, &sig) != 0)
            continue;
        if ((sig == SIGINT || sig == SIGTERM) && !stopping) {
            stopping = true;
            log_info("shutting down processes=%d", alive);
            for (int i = 0; i < n; i++)
                if (kids[i] > 0)
                    kill(kids[i], SIGTERM);
        }
        for (pid_t pid; (pid = waitpid(-1, NULL, WNOHANG)) > 0;) {
            for (int i = 0; i < n; i++) {
                if (kids[i] != pid)
                    continue;
                if (stopping) {
                    kids[i] = 0;
                    alive--;
                } else {
                    log_warn("serving process died; starting another pid=%d", (int)pid);
                    kids[i] = spawn(app, fds, i, conninfo, web_dir, &old);
                }
            }
        }
    }
    free(kids);
    return 0;
}

/* Each client connection is a descriptor: take the hard limit rather than the usual soft
 * 1,024, which a busy voting day passes. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
        return;
    rlim_t want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 1048576 ? 1048576 : rl.rlim_max;
    if (want <= rl.rlim_cur)
        return;
    rl.rlim_cur = want;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        log_warn("cannot raise the open file limit error=\"%s\"", strerror(errno));
}

int main(int argc, char **argv)
{
    struct app app;
    memset(&app, 0, sizeof app);
    config_load(&app.cfg, argc, argv);
    if (app.cfg.verbose)
        log_set_level(LOG_DEBUG);
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    setvbuf(stdout, NULL, _IOLBF, 0);

    struct pgcluster cluster;
    memset(&cluster, 0, sizeof cluster);
    if (app.cfg.pg_stop_only) {
        if (!pgcluster_start(app.cfg.data_dir, &cluster))
            return 1;
        pgcluster_stop(&cluster, true);
        pgcluster_free(&cluster);
        config_free(&app.cfg);
        return 0;
    }
    if (mkdir(app.cfg.data_dir, 0755) != 0 && errno != EEXIST)
        die("cannot create data dir %s", app.cfg.data_dir);
    const char *conninfo = app.cfg.db;
    if (!conninfo) {
        if (!pgcluster_start(app.cfg.data_dir, &cluster))
            die("cannot start the private PostgreSQL cluster");
        conninfo = cluster.conninfo;
        if (app.cfg.pg_start_only) {
            printf("conninfo=%s\n", conninfo);
            pgcluster_free(&cluster);
            config_free(&app.cfg);
            return 0;
        }
    }
    if (app.cfg.verify_audit) {
        int rc = audit_verify_command(conninfo, app.cfg.verify_audit);
        pgcluster_stop(&cluster, false);
        pgcluster_free(&cluster);
        config_free(&app.cfg);
        return rc;
    }
    load_keys(&app);
    fetch_global_init();
    app.credentials = credentials_load(app.cfg.credentials_dir);
    char *schema_dir = resource_dir(app.cfg.schema_dir, "schema");
    char *web_dir = resource_dir(app.cfg.web_dir, "web");
    int rc = 1, nfds = 0;
    int *fds = xcalloc((size_t)app.cfg.processes, sizeof *fds);
    if (!migrate_run(conninfo, schema_dir)) {
        log_error("migrations failed");
        goto out;
    }
    int port = 0;
    bool reuseport = app.cfg.processes > 1;
    for (; nfds < app.cfg.processes; nfds++) {
        fds[nfds] = http_listen(&app, nfds ? port : app.cfg.port, reuseport, &port);
        if (fds[nfds] < 0)
            goto out;
    }
    if (!app.cfg.public_url) {
        const char *host = strcmp(app.cfg.listen, "0.0.0.0") == 0 || strcmp(app.cfg.listen, "::") == 0
                               ? "localhost" : app.cfg.listen;
        app.cfg.public_url = xasprintf(strchr(host, ':') ? "http://[%s]:%d" : "http://%s:%d", host, port);
    }
    if (!bootstrap_run(&app, conninfo, port))
        goto out;
    log_info("listening address=%s port=%d processes=%d", app.cfg.listen, port, app.cfg.processes);
    printf("Borgerbudget is serving on http://localhost:%d/ (listening port=%d)\n", port, port);
    app.limits = ratelimit_new(app.cfg.code_global_limit); /* before the fork: one table for all processes */
    if (app.cfg.processes == 1)
        rc = serve(&app, fds[0], conninfo, web_dir);
    else
        rc = supervise(&app, fds, conninfo, web_dir);
out:
    ratelimit_free(app.limits);
    for (int i = 0; i < nfds; i++)
        close(fds[i]);
    free(fds);
    if (app.base)
        event_base_free(app.base);
    keys_wipe(&app.keys);
    credentials_free(app.credentials);
    free(schema_dir);
    free(web_dir);
    pgcluster_stop(&cluster, false);
    pgcluster_free(&cluster);
    config_free(&app.cfg);
    return rc;
}
