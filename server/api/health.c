/*
 * health: liveness, readiness (the database answers, and can make a ballot durable as
 * configured) and Prometheus metrics.
 */
#include "core/db.h"
#include "api/handlers.h"
#include "core/reply.h"
#include "core/worker.h"
#include "lib/crypto.h"
#include "lib/netaddr.h"

#include <string.h>
#include <strings.h>

#include <stdio.h>
#include <string.h>

void health_live(struct req *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", "ok");
    req_reply_json(r, 200, o);
}

/* What the primary says about synchronous replication: whether commits wait for a standby
 * (synchronous_standby_names set and synchronous_commit on, remote_write or remote_apply),
 * how many synchronous standbys stream now, and how many senders it may not see (the
 * details of pg_stat_replication need pg_monitor or pg_read_all_stats). */
static struct db_stmt sql_ready = DB_STMT("health.ready", 0,
    "SELECT pg_is_in_recovery(),"
    "       current_setting('synchronous_standby_names') <> ''"
    "         AND current_setting('synchronous_commit') NOT IN ('off', 'local'),"
    "       (SELECT count(*) FROM pg_stat_replication"
    "         WHERE state = 'streaming' AND sync_state IN ('sync', 'quorum')),"
    "       (SELECT count(*) FROM pg_stat_replication WHERE sync_state IS NULL)");

/* off: commits do not wait for a standby; ok: a synchronous standby streams; unavailable:
 * commits wait for a standby that is not there, so no ballot can be acknowledged;
 * unknown: the database user may not see the standbys. */
static const char *sync_replication(const struct db_result *res)
{
    if (db_status(res) != DB_OK || db_nrows(res) != 1)
        return "unknown";
    if (!db_bool(res, 0, 1))
        return "off";
    if (db_int64(res, 0, 2) > 0)
        return "ok";
    return db_int64(res, 0, 3) > 0 ? "unknown" : "unavailable";
}

static void ready_done(struct req *r, const struct db_result *res)
{
    cJSON *o = cJSON_CreateObject();
    bool db_ok = db_status(res) == DB_OK && db_nrows(res) == 1 && !db_bool(res, 0, 0);
    const char *sync = sync_replication(res);
    bool ok = db_ok && strcmp(sync, "unavailable") != 0;
    cJSON_AddStringToObject(o, "status", ok ? "ok" : "unavailable");
    cJSON_AddStringToObject(o, "database", db_ok ? "ok" : "unavailable");
    cJSON_AddStringToObject(o, "synchronous_replication", sync);
    const struct db_pool *reader = db_pool_reader(r->app->db);
    cJSON_AddStringToObject(o, "read_replica", !reader ? "off" : db_pool_healthy(reader) ? "ok" : "unavailable");
    if (!ok)
        req_add_header(r, "Retry-After", "1");
    req_reply_json(r, ok ? 200 : 503, o);
}

void health_ready(struct req *r)
{
    req_db(r, &sql_ready, NULL, ready_done);
}

/* Prometheus wants each metric's samples together: one pass per metric. */
struct stmt_pass {
    struct buf *b;
    int which; /* 0 calls, 1 errors, 2 seconds */
};

static void stmt_metric(void *ctx, const char *name, uint64_t calls, uint64_t errors, double seconds)
{
    struct stmt_pass *p = ctx;
    static const char *const metric[] = {"calls", "errors", "seconds"};
    if (p->which == 2)
        buf_printf(p->b, "pb_db_statement_seconds_total{statement=\"%s\"} %.6f\n", name, seconds);
    else
        buf_printf(p->b, "pb_db_statement_%s_total{statement=\"%s\"} %llu\n", metric[p->which], name,
                   (unsigned long long)(p->which ? errors : calls));
}

/* Metrics tell traffic and load: for the monitoring network (--metrics-allow, loopback by
 * default) or whoever holds --metrics-token. */
static bool metrics_allowed(struct req *r)
{
    struct netaddr a;
    if (netaddr_parse(r->client_ip, &a) && cidr_list_has(&r->app->cfg.metrics_cidrs, &a))
        return true;
    const char *want = r->app->cfg.metrics_token;
    const char *h = req_header(r, "Authorization");
    if (!want || !h || strncasecmp(h, "Bearer ", 7) != 0)
        return false;
    const char *got = h + 7;
    return strlen(got) == strlen(want) && crypto_equal(got, want, strlen(want));
}

void health_metrics(struct req *r)
{
    if (!metrics_allowed(r)) {
        req_fail(r, ERR_FORBIDDEN, NULL, "Metrics are served to the monitoring addresses or with the metrics token.");
        return;
    }
    static const char *const bounds[] = {"0.001", "0.002", "0.005", "0.01", "0.025", "0.05",
                                         "0.1",   "0.25",  "0.5",   "1",    "2.5",   "+Inf"};
    const struct metrics *m = &r->app->metrics;
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "# HELP pb_http_requests_total HTTP requests received.\n"
                 "# TYPE pb_http_requests_total counter\n");
    buf_printf(&b, "pb_http_requests_total %llu\n", (unsigned long long)m->requests);
    buf_puts(&b, "# HELP pb_http_responses_total HTTP responses by status class.\n"
                 "# TYPE pb_http_responses_total counter\n");
    for (int i = 1; i <= 5; i++)
        buf_printf(&b, "pb_http_responses_total{class=\"%dxx\"} %llu\n", i,
                   (unsigned long long)m->responses_by_class[i]);
    buf_puts(&b, "# HELP pb_http_request_duration_seconds Time from request to reply.\n"
                 "# TYPE pb_http_request_duration_seconds histogram\n");
    uint64_t total = 0;
    for (size_t i = 0; i < PB_ARRAY_LEN(bounds); i++) {
        buf_printf(&b, "pb_http_request_duration_seconds_bucket{le=\"%s\"} %llu\n", bounds[i],
                   (unsigned long long)m->latency_buckets[i]);
        total = m->latency_buckets[i];
    }
    buf_printf(&b, "pb_http_request_duration_seconds_sum %.6f\n", m->latency_sum_s);
    buf_printf(&b, "pb_http_request_duration_seconds_count %llu\n", (unsigned long long)total);
    buf_puts(&b, "# TYPE pb_ballots_cast_total counter\n");
    buf_printf(&b, "pb_ballots_cast_total %llu\n", (unsigned long long)m->ballots_cast);
    buf_puts(&b, "# TYPE pb_ballots_replaced_total counter\n");
    buf_printf(&b, "pb_ballots_replaced_total %llu\n", (unsigned long long)m->ballots_replaced);
    buf_puts(&b, "# TYPE pb_voter_logins_total counter\n");
    buf_printf(&b, "pb_voter_logins_total %llu\n", (unsigned long long)m->voter_logins);
    buf_puts(&b, "# TYPE pb_tallies_total counter\n");
    buf_printf(&b, "pb_tallies_total %llu\n", (unsigned long long)m->tallies);
    int size, connected, busy, queued;
    db_pool_stats(r->app->db, &size, &connected, &busy, &queued);
    buf_puts(&b, "# TYPE pb_db_pool_connections gauge\n");
    buf_printf(&b, "pb_db_pool_connections{state=\"configured\"} %d\n", size);
    buf_printf(&b, "pb_db_pool_connections{state=\"connected\"} %d\n", connected);
    buf_printf(&b, "pb_db_pool_connections{state=\"busy\"} %d\n", busy);
    buf_puts(&b, "# TYPE pb_db_pool_queued gauge\n");
    buf_printf(&b, "pb_db_pool_queued %d\n", queued);
    const struct db_pool *reader = db_pool_reader(r->app->db);
    if (reader) {
        db_pool_stats(reader, &size, &connected, &busy, &queued);
        buf_puts(&b, "# TYPE pb_db_read_pool_connections gauge\n");
        buf_printf(&b, "pb_db_read_pool_connections{state=\"configured\"} %d\n", size);
        buf_printf(&b, "pb_db_read_pool_connections{state=\"connected\"} %d\n", connected);
        buf_printf(&b, "pb_db_read_pool_connections{state=\"busy\"} %d\n", busy);
    }
    struct db_pool_events ev;
    db_pool_events(r->app->db, &ev);
    const struct {
        const char *name, *help;
        uint64_t value;
    } events[] = {
        {"pb_db_connects_total", "Database connections made (beyond the pool size: reconnects).", ev.connects},
        {"pb_db_read_only_refused_total", "Connections dropped because the server was read-only.", ev.refused},
        {"pb_db_statements_abandoned_total", "Statements answered 503 after the wait limit, then cancelled.",
         ev.abandoned},
        {"pb_db_commits_unconfirmed_total", "Commits the synchronous standby did not confirm (answered 503).",
         ev.unconfirmed},
        {"pb_db_replica_fallbacks_total", "Public reads the replica could not serve, run on the primary.",
         ev.replica_fallbacks},
    };
    for (size_t i = 0; i < PB_ARRAY_LEN(events); i++)
        buf_printf(&b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", events[i].name, events[i].help, events[i].name,
                   events[i].name, (unsigned long long)events[i].value);
    static const char *const stmt_help[] = {
        "# HELP pb_db_statement_calls_total Statements run, by statement.\n"
        "# TYPE pb_db_statement_calls_total counter\n",
        "# HELP pb_db_statement_errors_total Statements that failed, by statement.\n"
        "# TYPE pb_db_statement_errors_total counter\n",
        "# HELP pb_db_statement_seconds_total Time from sending a statement to its result.\n"
        "# TYPE pb_db_statement_seconds_total counter\n"};
    for (int i = 0; i < 3; i++) {
        struct stmt_pass pass = {&b, i};
        buf_puts(&b, stmt_help[i]);
        db_pool_stmt_stats(r->app->db, stmt_metric, &pass);
    }
    buf_puts(&b, "# TYPE pb_worker_jobs_pending gauge\n");
    buf_printf(&b, "pb_worker_jobs_pending %d\n", worker_pending(r->app->workers));
    buf_puts(&b, "# TYPE pb_http_inflight gauge\n");
    buf_printf(&b, "pb_http_inflight %d\n", r->app->inflight);
    req_reply_bytes(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
    buf_free(&b);
}

void health_openapi(struct req *r)
{
    if (!r->app->openapi_json) {
        req_fail(r, ERR_NOT_FOUND, NULL, "The API description was not found at start-up.");
        return;
    }
    req_add_header(r, "Cache-Control", "public, max-age=300");
    req_reply_json_text(r, 200, r->app->openapi_json);
}
