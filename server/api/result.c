/*
 * result: publishing and the public views of the outcome: results, the bulletin board of
 * trackers, turnout, and where a voter's share went. Counting is in count.c.
 */
#include "core/cache.h"
#include "core/db.h"
#include "core/reply.h"
#include "api/edata.h"
#include "api/handlers.h"
#include "lib/jsonv.h"
#include "lib/log.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct db_stmt sql_publish = DB_STMT("result.publish", 2, "SELECT publish_results($1, $2)::text");

void result_publish(struct req *r)
{
    char staff[24], id[24];
    const char *p[2] = {i64s(staff, r->auth.staff_id), i64s(id, r->election.id)};
    req_db(r, &sql_publish, p, req_db_reply_ok);
}

static void results_loaded(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) != 1) {
        req_fail(r, ERR_NOT_TALLIED, NULL, "The election has not been counted yet.");
        return;
    }
    cJSON *o = cJSON_Parse(db_value(res, 0, 0));
    if (!o) {
        req_fail(r, ERR_INTERNAL, NULL, NULL);
        return;
    }
    cJSON_AddStringToObject(o, "signature", db_value(res, 0, 1));
    cJSON_AddBoolToObject(o, "published", r->election.phase == PHASE_PUBLISHED);
    cJSON_AddStringToObject(o, "computed_at", db_value(res, 0, 2));
    req_reply_json(r, 200, o);
}

static struct db_stmt sql_results = DB_STMT_READ("result.get", 1,
    "SELECT result, signature, to_char(computed_at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM results WHERE election_id = $1");

void result_get(struct req *r)
{
    char id[24];
    const char *p[1] = {i64s(id, r->election.id)};
    req_db(r, &sql_results, p, results_loaded);
}

static struct db_stmt sql_trackers = DB_STMT_READ("result.trackers", 1,
    "SELECT e.phase, coalesce((SELECT jsonb_agg(b.tracker ORDER BY b.tracker)"
    "                           FROM ballots b WHERE b.election_id = e.id), '[]')::text"
    "  FROM elections e WHERE e.id = $1");

static void trackers_loaded(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    enum phase phase = PHASE_DRAFT;
    if (db_nrows(res) != 1 || !phase_from_name(db_value(res, 0, 0), &phase) || phase == PHASE_DRAFT) {
        req_fail(r, ERR_NOT_FOUND, NULL, "No such election.");
        return;
    }
    struct buf b;
    buf_init(&b);
    buf_printf(&b, "{\"election_id\":%lld,\"trackers\":%s}", (long long)r->ids[0], db_value(res, 0, 1));
    req_reply_json_text(r, 200, b.data);
    buf_free(&b);
}

void result_trackers(struct req *r)
{
    char id[24];
    const char *p[1] = {i64s(id, r->ids[0])};
    req_db(r, &sql_trackers, p, trackers_loaded);
}

/* Ballots are counted exactly on every read, from the small per-hour turnout table. The
 * eligible side (codes and register entries issued, voters signed in) needs counting
 * whole tables, so each process keeps it for up to five seconds; codes and registers
 * change only by staff actions, which clear the cache at once. */
static struct db_stmt sql_turnout = DB_STMT_READ("result.turnout", 1,
    "SELECT jsonb_build_object("
    "  'election_id', $1::bigint,"
    "  'total', (SELECT coalesce(sum(ballots), 0) FROM turnout WHERE election_id = $1),"
    "  'districts', coalesce((SELECT jsonb_agg(jsonb_build_object('district_id', d.id,"
    "        'ballots', (SELECT coalesce(sum(t.ballots), 0) FROM turnout t WHERE t.district_id = d.id))"
    "      ORDER BY d.id) FROM districts d WHERE d.election_id = $1), '[]'),"
    "  'over_time', coalesce((SELECT jsonb_agg(jsonb_build_object('hour', t.hour,"
    "        'district_id', t.district_id, 'ballots', t.ballots) ORDER BY t.hour, t.district_id)"
    "      FROM turnout t WHERE t.election_id = $1), '[]'))::text");

static struct db_stmt sql_eligible = DB_STMT_READ("result.eligible", 1,
    "SELECT coalesce(jsonb_object_agg(d.id::text, jsonb_build_object("
    "        'voters', (SELECT count(*) FROM voters v WHERE v.district_id = d.id),"
    "        'codes', (SELECT count(*) FROM voting_codes c WHERE c.district_id = d.id AND c.revoked_at IS NULL))),"
    "    '{}')::text"
    "  FROM districts d WHERE d.election_id = $1");

#define ELIGIBLE_MAX_AGE_MS 5000

static void eligible_key(const struct req *r, char key[48])
{
    snprintf(key, 48, "turnout-eligible:%lld", (long long)r->election.id);
}

/* The eligible counts, kept with the request whatever the cache does meanwhile. */
struct turnout_state {
    cJSON *eligible;
};

static void turnout_state_release(void *p)
{
    cJSON_Delete(((struct turnout_state *)p)->eligible);
}

/* The exact ballot counts, each district given the eligible counts the request holds. */
static void turnout_counted(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    const cJSON *eligible = REQ_STATE(r, struct turnout_state)->eligible;
    cJSON *o = cJSON_Parse(db_value(res, 0, 0));
    cJSON *d;
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(o, "districts"))
    {
        char id[24];
        const cJSON *did = cJSON_GetObjectItemCaseSensitive(d, "district_id");
        const cJSON *counts = cJSON_GetObjectItemCaseSensitive(
            eligible, i64s(id, cJSON_IsNumber(did) ? (int64_t)did->valuedouble : 0));
        const cJSON *f;
        cJSON_ArrayForEach(f, counts)
        {
            cJSON_AddItemToObject(d, f->string, cJSON_Duplicate(f, false));
        }
    }
    req_reply_json(r, 200, o);
}

/* Keeps the eligible counts for this request (one parse, whatever the cache does next). */
static void count_ballots(struct req *r, const char *eligible_json)
{
    REQ_STATE_NEW(r, struct turnout_state, turnout_state_release)->eligible = cJSON_Parse(eligible_json);
    char id[24];
    const char *p[1] = {i64s(id, r->election.id)};
    req_db(r, &sql_turnout, p, turnout_counted);
}

static void eligible_counted(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    char key[48];
    eligible_key(r, key);
    const char *text = db_value(res, 0, 0);
    cache_put(r->app->cache, key, text, strlen(text));
    count_ballots(r, text);
}

void result_turnout(struct req *r)
{
    char key[48];
    size_t len;
    eligible_key(r, key);
    const char *cached = cache_get(r->app->cache, key, ELIGIBLE_MAX_AGE_MS, &len, NULL);
    if (cached) {
        count_ballots(r, cached);
        return;
    }
    char id[24];
    const char *p[1] = {i64s(id, r->election.id)};
    req_db(r, &sql_eligible, p, eligible_counted);
}

/* --- where a voter's share went (Equal Shares) --- */

static struct db_stmt sql_share = DB_STMT("result.share", 2,
    "SELECT b.district_id, b.items::text, r.result, coalesce(frame_rules(e.id, b.district_id)->>'rule', e.rule),"
    "       effective_phase(e)"
    "  FROM elections e LEFT JOIN results r ON r.election_id = e.id"
    "  LEFT JOIN ballots b ON b.election_id = e.id AND b.tracker = $2"
    " WHERE e.id = $1");

static bool approves(const int64_t *items, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (items[i] == id)
            return true;
    return false;
}

static void share_loaded(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    enum phase phase = PHASE_DRAFT;
    if (db_nrows(res) != 1 || !phase_from_name(db_value(res, 0, 4), &phase) || phase == PHASE_DRAFT) {
        req_fail(r, ERR_NOT_FOUND, NULL, "No such election.");
        return;
    }
    if (!db_value(res, 0, 2)) {
        req_fail(r, ERR_NOT_TALLIED, NULL, "The election has not been counted yet.");
        return;
    }
    if (phase != PHASE_PUBLISHED) {
        req_fail(r, ERR_WRONG_PHASE, NULL, "The results are not published yet.");
        return;
    }
    /* an unknown tracker first: its frame, and so its rule, is not known (the rule the
     * query falls back to is the election's) */
    if (!db_value(res, 0, 0)) {
        req_fail(r, ERR_NOT_FOUND, "tracker", "No counted ballot has this tracker.");
        return;
    }
    if (strcmp(db_value(res, 0, 3), "equal_shares") != 0) {
        req_fail(r, ERR_CONFLICT, NULL, "Only the Method of Equal Shares gives each voter a share of the budget.");
        return;
    }
    int64_t district = db_int64(res, 0, 0), *items = NULL;
    size_t n = 0;
    if (!db_int64_array(res, 0, 1, &items, &n)) {
        req_fail(r, ERR_INTERNAL, NULL, NULL);
        return;
    }
    cJSON *result = cJSON_Parse(db_value(res, 0, 2));
    const cJSON *ds = cJSON_GetObjectItemCaseSensitive(result, "districts"), *d = NULL;
    for (const cJSON *c = ds ? ds->child : NULL; c && !d; c = c->next) {
        int64_t id;
        if (jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(c, "district_id"), 1, JV_MAX_SAFE_INT, &id) && id == district)
            d = c;
    }
    int64_t budget = 0;
    (void)jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(d, "voter_budget"), 0, JV_MAX_SAFE_INT, &budget);
    /* Replay the voter's payments in the order the projects were funded: each funded
     * project the voter approved cost them its price per supporter, or all they had left. */
    double left = (double)budget;
    cJSON *o = cJSON_CreateObject();
    jv_add_int(o, "district_id", district);
    jv_add_int(o, "voter_budget", budget);
    cJSON *paid = cJSON_AddArrayToObject(o, "paid");
    const cJSON *winners = cJSON_GetObjectItemCaseSensitive(d, "winners");
    const cJSON *projects = cJSON_GetObjectItemCaseSensitive(d, "projects");
    for (const cJSON *w = winners ? winners->child : NULL; w; w = w->next) {
        int64_t pid;
        if (!jv_number_to_int64(w, 1, JV_MAX_SAFE_INT, &pid) || !approves(items, n, pid))
            continue;
        double price = 0;
        for (const cJSON *pr = projects ? projects->child : NULL; pr; pr = pr->next) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(pr, "id");
            const cJSON *pp = cJSON_GetObjectItemCaseSensitive(pr, "price_per_supporter");
            if (cJSON_IsNumber(id) && (int64_t)id->valuedouble == pid && cJSON_IsNumber(pp))
                price = pp->valuedouble;
        }
        if (price <= 0)
            continue; /* funded by the greedy completion, not from the voters' shares */
        double amount = price < left ? price : left;
        left -= amount;
        cJSON *e = cJSON_CreateObject();
        jv_add_int(e, "project_id", pid);
        cJSON_AddNumberToObject(e, "amount", amount);
        cJSON_AddItemToArray(paid, e);
    }
    cJSON_AddNumberToObject(o, "unspent", left);
    cJSON_Delete(result);
    free(items);
    req_reply_json(r, 200, o);
}

void result_share(struct req *r)
{
    char *tracker = req_query_param(r, "tracker");
    if (!tracker || strlen(tracker) != 64 || strspn(tracker, "0123456789abcdef") != 64) {
        free(tracker);
        req_fail(r, ERR_INVALID_FIELD, "tracker", "Give your ballot's tracker: ?tracker=<64 hex digits>.");
        return;
    }
    char id[24];
    const char *p[2] = {i64s(id, r->ids[0]), tracker};
    req_db(r, &sql_share, p, share_loaded);
    free(tracker);
}

/* Turnout by age band (on the day voting opened) and by area, from the register and the
 * fact of voting only; a cell of fewer than DEMOGRAPHICS_MIN_CELL voters is suppressed
 * (schema/functions/demographics.sql). Staff of every role, observers included. */
#define DEMOGRAPHICS_MIN_CELL 10

static struct db_stmt sql_demographics = DB_STMT("result.demographics", 2,
                                                 "SELECT turnout_demographics($1, $2)::text");

void result_demographics(struct req *r)
{
    char eid[24], min[24];
    const char *p[2] = {i64s(eid, r->election.id), i64s(min, DEMOGRAPHICS_MIN_CELL)};
    req_db(r, &sql_demographics, p, req_db_reply_ok);
}
