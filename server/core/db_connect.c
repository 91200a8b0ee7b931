/*
 * db_connect: how a connection to PostgreSQL is started, and how a statement is cancelled
 * on the server. libpq does the work; this file only chooses its parameters:
 *
 * - target_session_attrs: read-write for connections that write (a standby, or a primary
 *   that was demoted, is refused at connect time and libpq tries the next host of a
 *   multi-host conninfo), prefer-standby for the reader pool. A conninfo that names its own
 *   value wins (the default stands before the conninfo in libpq's keyword order).
 * - lock_timeout for the pool's connections: commits that wait for a lost synchronous
 *   standby hold their row locks, and every ballot of the same district queues behind
 *   them; with the timeout those fail (503) as soon as the statement ahead of them does.
 * - the first host: libpq tries the hosts of "host=a,b" in order, and in asynchronous use
 *   it has no connect timeout of its own. A dead machine that drops packets would hold
 *   every attempt on host a until TCP gives up (minutes) and b would never be tried; so the
 *   pool times its attempts out and starts each new one on the next host ("rotation").
 * - cancel: libpq's PQcancel blocks (it opens a connection to the server), so it runs on a
 *   short-lived thread of its own, never on the loop. It reaches exactly the server the
 *   statement runs on, even when the conninfo lists several.
 */
#include "core/db.h"
#include "core/db_private.h"
#include "lib/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CONNECT_TIMEOUT_MS 5000

/* Rotates a comma-separated libpq list left by k items ("a,b,c", 1 -> "b,c,a"). A list
 * of one item (a port shared by all hosts) stays as it is. */
static char *rotate_list(const char *list, int k)
{
    size_t n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    if (n < 2)
        return xstrdup(list);
    struct buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        size_t want = (i + (size_t)k) % n, at = 0;
        const char *s = list;
        while (at < want) {
            s = strchr(s, ',') + 1;
            at++;
        }
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (i)
            buf_putc(&b, ',');
        buf_append(&b, s, len);
    }
    return buf_steal(&b);
}

static size_t list_len(const char *list)
{
    size_t n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    return n;
}

bool db_target_init(struct db_target *t, const char *conninfo, bool writes, int lock_timeout_ms, char *err,
                    size_t errlen)
{
    memset(t, 0, sizeof *t);
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
    if (!opts) {
        snprintf(err, errlen, "%s", perr ? perr : "out of memory");
        PQfreemem(perr);
        return false;
    }
    t->conninfo = xstrdup(conninfo);
    t->session_attrs = writes ? "read-write" : "prefer-standby";
    t->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
    if (lock_timeout_ms > 0)
        snprintf(t->options, sizeof t->options, "-c lock_timeout=%d", lock_timeout_ms);
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val || !*o->val)
            continue;
        if (strcmp(o->keyword, "host") == 0)
            t->host = xstrdup(o->val);
        else if (strcmp(o->keyword, "hostaddr") == 0)
            t->hostaddr = xstrdup(o->val);
        else if (strcmp(o->keyword, "port") == 0)
            t->port = xstrdup(o->val);
        else if (strcmp(o->keyword, "connect_timeout") == 0) {
            int64_t s;
            /* libpq's own minimum is 2 seconds */
            if (parse_int64(o->val, &s) && s > 0)
                t->connect_timeout_ms = (int)(s < 2 ? 2000 : s > 600 ? 600000 : s * 1000);
        }
    }
    PQconninfoFree(opts);
    const char *hosts = t->host ? t->host : t->hostaddr;
    t->nhosts = hosts ? (int)list_len(hosts) : 1;
    return true;
}

void db_target_free(struct db_target *t)
{
    free(t->conninfo);
    free(t->host);
    free(t->hostaddr);
    free(t->port);
    memset(t, 0, sizeof *t);
}

/* The keyword arrays for libpq: the default session attributes, then the conninfo (which
 * may override them), then the host lists rotated to start at host number first. */
static PGconn *connect_with(const struct db_target *t, int first, bool async)
{
    const char *keys[7], *vals[7];
    char *rotated[3] = {NULL, NULL, NULL};
    int n = 0;
    keys[n] = "target_session_attrs", vals[n++] = t->session_attrs;
    keys[n] = "options", vals[n++] = t->options; /* "" is skipped by libpq */
    keys[n] = "dbname", vals[n++] = t->conninfo;
    int k = t->nhosts > 1 ? first % t->nhosts : 0;
    if (k) {
        const char *names[3] = {"host", "hostaddr", "port"};
        const char *lists[3] = {t->host, t->hostaddr, t->port};
        for (int i = 0; i < 3; i++) {
            if (!lists[i])
                continue;
            rotated[i] = rotate_list(lists[i], k);
            keys[n] = names[i], vals[n++] = rotated[i];
        }
    }
    keys[n] = NULL, vals[n] = NULL;
    PGconn *pg = async ? PQconnectStartParams(keys, vals, 1) : PQconnectdbParams(keys, vals, 1);
    for (int i = 0; i < 3; i++)
        free(rotated[i]);
    return pg;
}

PGconn *db_target_connect_start(const struct db_target *t, int first)
{
    return connect_with(t, first, true);
}

PGconn *db_target_connect_blocking(const struct db_target *t)
{
    return connect_with(t, 0, false);
}

bool db_server_read_only(PGconn *pg)
{
    /* Reported by the server (14 and newer) at connect and whenever they change, such as
     * when a standby is promoted or a primary is fenced with default_transaction_read_only. */
    const char *hs = PQparameterStatus(pg, "in_hot_standby");
    const char *ro = PQparameterStatus(pg, "default_transaction_read_only");
    return (hs && strcmp(hs, "on") == 0) || (ro && strcmp(ro, "on") == 0);
}

static void *cancel_main(void *arg)
{
    PGcancel *pc = arg;
    char err[256];
    if (!PQcancel(pc, err, sizeof err))
        log_warn("db cancel request failed reason=\"%s\"", err);
    PQfreeCancel(pc);
    return NULL;
}

void db_cancel_on_server(PGconn *pg)
{
    PGcancel *pc = PQgetCancel(pg);
    if (!pc)
        return;
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, cancel_main, pc) != 0) {
        log_warn("db cannot start a thread to cancel a statement");
        PQfreeCancel(pc);
    }
    pthread_attr_destroy(&attr);
}
