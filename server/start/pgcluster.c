/*
 * pgcluster: initdb and pg_ctl through fork/exec (never a shell), dropping to the
 * postgres user when running as root, since PostgreSQL refuses to run as root.
 */
#include "start/pgcluster.h"
#include "lib/crypto.h"
#include "core/db.h"
#include "lib/log.h"
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PG_BINDIR
#define PG_BINDIR ""
#endif

#define DB_NAME "borgerbudget"
#define DB_USER "borgerbudget"

static char *pg_tool(const char *name)
{
    const char *env = getenv("PG_BINDIR");
    if (env && *env)
        return xasprintf("%s/%s", env, name);
    if (*PG_BINDIR) {
        char *p = xasprintf("%s/%s", PG_BINDIR, name);
        if (access(p, X_OK) == 0)
            return p;
        free(p);
    }
    glob_t g;
    char *pattern = xasprintf("/usr/lib/postgresql/*/bin/%s", name);
    char *found = NULL;
    if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0)
        found = xstrdup(g.gl_pathv[g.gl_pathc - 1]); /* the newest major version */
    globfree(&g);
    free(pattern);
    return found ? found : xstrdup(name);
}

/* Runs argv as the cluster's user and waits; output goes to logfile when given. */
static int run_as(const struct passwd *pw, char *const argv[], const char *logfile)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (logfile) {
            int fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND, 0640);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
                close(fd);
            }
        }
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            dup2(devnull, 0);
            close(devnull);
        }
        if (pw) {
            if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
                setuid(pw->pw_uid) != 0)
                _exit(126);
            setenv("HOME", pw->pw_dir, 1);
            setenv("USER", pw->pw_name, 1);
        }
        /* Keep postgres out of our process group, so Ctrl-C reaches the server, which then
         * stops the cluster in order. */
        setsid();
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* True when pw (or we, when pw is NULL) can enter and write path. */
static bool reachable(const struct passwd *pw, const char *path)
{
    if (!pw)
        return access(path, R_OK | W_OK | X_OK) == 0;
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
            setuid(pw->pw_uid) != 0)
            _exit(1);
        _exit(access(path, R_OK | W_OK | X_OK) == 0 ? 0 : 1);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool mkdir_owned(const char *path, const struct passwd *pw, mode_t mode)
{
    if (mkdir(path, mode) != 0 && errno != EEXIST)
        return false;
    if (pw && chown(path, pw->pw_uid, pw->pw_gid) != 0)
        return false;
    return chmod(path, mode) == 0;
}

bool pgcluster_start(const char *data_dir, struct pgcluster *c)
{
    memset(c, 0, sizeof *c);
    struct passwd *pw = NULL;
    if (geteuid() == 0) {
        pw = getpwnam("postgres");
        if (!pw)
            pw = getpwnam("nobody");
        if (!pw) {
            log_error("running as root and no postgres user to run PostgreSQL as");
            return false;
        }
    }
    if (mkdir(data_dir, 0755) != 0 && errno != EEXIST) {
        log_error("cannot create data dir=%s", data_dir);
        return false;
    }
    char abs[PATH_MAX];
    if (!realpath(data_dir, abs)) {
        log_error("cannot resolve data dir=%s", data_dir);
        return false;
    }
    char *base = xasprintf("%s/pg", abs);
    /* PostgreSQL's user must reach the directory, and a socket path has at most 107
     * bytes; otherwise keep the cluster in a directory of its own under /tmp. */
    bool ok_here = mkdir_owned(base, pw, 0700) && reachable(pw, base) && strlen(base) < 80;
    if (!ok_here) {
        unsigned char h[CRYPTO_SHA256_LEN];
        crypto_sha256(abs, strlen(abs), h);
        char hex[65];
        crypto_hex(h, sizeof h, hex);
        free(base);
        base = xasprintf("/tmp/borgerbudget-pg-%.12s", hex);
        if (!mkdir_owned(base, pw, 0700)) {
            log_error("cannot create cluster dir=%s", base);
            free(base);
            return false;
        }
        log_info("private cluster kept outside the data dir dir=%s", base);
    }
    c->dir = xasprintf("%s/data", base);
    c->sockdir = xasprintf("%s/run", base);
    char *logfile = xasprintf("%s/postgres.log", base);
    free(base);
    if (!mkdir_owned(c->sockdir, pw, 0700))
        goto fail;
    if (pw) {
        int fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND, 0640);
        if (fd >= 0) {
            if (fchown(fd, pw->pw_uid, pw->pw_gid) != 0)
                log_warn("cannot chown log=%s", logfile);
            close(fd);
        }
    }

    char *pgversion = xasprintf("%s/PG_VERSION", c->dir);
    bool exists = access(pgversion, F_OK) == 0;
    free(pgversion);
    if (!exists) {
        log_info("creating private PostgreSQL cluster dir=%s", c->dir);
        char *initdb = pg_tool("initdb");
        char *argv[] = {initdb, "-D", c->dir, "-U", DB_USER, "--auth=trust", "-E", "UTF8",
                        "--no-locale", "--no-instructions", NULL};
        int rc = run_as(pw, argv, logfile);
        free(initdb);
        if (rc != 0) {
            log_error("initdb failed rc=%d log=%s", rc, logfile);
            goto fail;
        }
    }

    char *pg_ctl = pg_tool("pg_ctl");
    char *status_argv[] = {pg_ctl, "-D", c->dir, "status", NULL};
    if (run_as(pw, status_argv, "/dev/null") == 0) {
        log_info("private PostgreSQL already running dir=%s", c->dir);
    } else {
        char *opts = xasprintf("-c listen_addresses='' -c unix_socket_directories='%s' "
                               "-c max_connections=200 -c shared_buffers=128MB",
                               c->sockdir);
        char *argv[] = {pg_ctl, "-D", c->dir, "-l", logfile, "-o", opts, "-w", "-t", "60",
                        "start", NULL};
        int rc = run_as(pw, argv, NULL);
        free(opts);
        if (rc != 0) {
            log_error("pg_ctl start failed rc=%d log=%s", rc, logfile);
            free(pg_ctl);
            goto fail;
        }
        c->started_by_us = true;
        log_info("private PostgreSQL started dir=%s", c->dir);
    }
    free(pg_ctl);
    free(logfile);
    logfile = NULL;

    /* The cluster's own database, created once. */
    char *admin = xasprintf("host=%s dbname=postgres user=%s", c->sockdir, DB_USER);
    char err[512];
    struct db_sync *conn = db_sync_connect(admin, err, sizeof err);
    free(admin);
    if (!conn) {
        log_error("cannot connect to the private cluster: %s", err);
        goto fail;
    }
    struct db_result *res = NULL;
    const char *p[1] = {DB_NAME};
    bool have = db_sync_exec(conn, "SELECT 1 FROM pg_database WHERE datname = $1", 1, p, &res,
                             err, sizeof err) &&
                db_nrows(res) == 1;
    db_sync_result_free(res);
    if (!have && !db_sync_exec(conn, "CREATE DATABASE " DB_NAME, 0, NULL, NULL, err, sizeof err))
        log_warn("create database: %s", err);
    db_sync_close(conn);
    c->conninfo = xasprintf("host=%s dbname=%s user=%s", c->sockdir, DB_NAME, DB_USER);
    return true;
fail:
    free(logfile);
    pgcluster_free(c);
    return false;
}

void pgcluster_stop(struct pgcluster *c, bool force)
{
    if (!c->dir || (!c->started_by_us && !force))
        return;
    struct passwd *pw = geteuid() == 0 ? getpwnam("postgres") : NULL;
    if (geteuid() == 0 && !pw)
        pw = getpwnam("nobody");
    char *pg_ctl = pg_tool("pg_ctl");
    char *argv[] = {pg_ctl, "-D", c->dir, "-m", "fast", "-w", "-t", "60", "stop", NULL};
    int rc = run_as(pw, argv, "/dev/null");
    free(pg_ctl);
    log_info("private PostgreSQL stopped rc=%d", rc);
}

void pgcluster_free(struct pgcluster *c)
{
    free(c->dir);
    free(c->sockdir);
    free(c->conninfo);
    memset(c, 0, sizeof *c);
}
