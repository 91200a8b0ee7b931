/*
 * count: counting an election with its rule, on a worker thread, and how far a count has
 * got. The edata (api/edata.h) is copied out of the database first, so the worker never
 * touches the loop; a timer on the loop writes the worker's progress to tally_runs twice a
 * second, so the staff page (served by any process) can show it. One count per election at
 * a time (tally_begin).
 */
#include "api/edata.h"
#include "api/handlers.h"
#include "core/db.h"
#include "core/reply.h"
#include "lib/countrule.h"
#include "lib/jsonv.h"
#include "lib/log.h"
#include "lib/tally/tally.h"

#include <event2/event.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_project(const void *key, const void *elem)
{
    int64_t id = *(const int64_t *)key;
    const struct eproject *p = elem;
    return id < p->id ? -1 : id > p->id;
}

static enum tally_ballot_kind kind_of(enum ballot_type t)
{
    return t == BALLOT_CUMULATIVE ? TALLY_CUMULATIVE : t == BALLOT_ORDINAL ? TALLY_ORDINAL : TALLY_APPROVAL;
}

/* Counts one district; returns its result object or NULL with err set. */
static cJSON *count_district(const struct edistrict *d, struct tally_progress *progress,
                             char *err, size_t errlen)
{
    size_t total = d->start ? d->start[d->nballots] : 0;
    uint32_t *items = xcalloc(total, sizeof *items);
    for (size_t k = 0; k < total; k++) {
        const struct eproject *p =
            bsearch(&d->items[k], d->projects, d->nprojects, sizeof *d->projects, cmp_project);
        if (!p) {
            snprintf(err, errlen, "a stored ballot names a proposal that is no longer on the ballot (id %lld)",
                     (long long)d->items[k]);
            free(items);
            return NULL;
        }
        items[k] = (uint32_t)(p - d->projects);
    }
    int64_t *cost = xcalloc(d->nprojects, sizeof *cost);
    for (size_t i = 0; i < d->nprojects; i++)
        cost[i] = d->projects[i].cost;
    size_t zero = 0;
    struct tally_input in = {
        .nprojects = d->nprojects,
        .cost = cost,
        .budget = d->budget,
        .kind = kind_of(d->ballot.type),
        .nballots = d->nballots,
        .start = d->start ? d->start : &zero,
        .items = items,
        .points = d->points,
    };
    struct tally_options opt;
    countrule_options(d->rule, d->rule_params, &opt);
    /* eligibility: a project named on fewer than min_vote_share of the district's ballots
     * is never funded */
    bool *excluded = xcalloc(d->nprojects, sizeof *excluded);
    const cJSON *mvs = cJSON_GetObjectItemCaseSensitive(d->rule_params, "min_vote_share");
    if (cJSON_IsNumber(mvs) && mvs->valuedouble > 0) {
        int64_t ppm = llround(mvs->valuedouble * 1e6);
        int64_t *named = xcalloc(d->nprojects, sizeof *named);
        for (size_t b = 0; b < d->nballots; b++)
            for (size_t k = d->start[b]; k < d->start[b + 1]; k++)
                named[items[k]]++;
        for (size_t i = 0; i < d->nprojects; i++)
            excluded[i] = (__int128)named[i] * 1000000 < (__int128)ppm * (int64_t)d->nballots;
        free(named);
    }
    opt.excluded = excluded;
    opt.progress = progress;
    int32_t *groups = xcalloc(d->nprojects, sizeof *groups);
    for (size_t i = 0; i < d->nprojects; i++)
        groups[i] = (int32_t)d->projects[i].exclusive_group;
    opt.exclusive_group = groups;
    struct tally_result res;
    int rc = tally_run(&in, &opt, &res);
    free(excluded);
    free(groups);
    free(items);
    free(cost);
    if (rc != 0) {
        snprintf(err, errlen, rc == TALLY_CANCELLED ? "the count was stopped" : "the tally rejected the ballots");
        return NULL;
    }
    cJSON *o = cJSON_CreateObject();
    jv_add_int(o, "district_id", d->id);
    jv_add_int(o, "budget", d->budget);
    jv_add_int(o, "spent", res.spent);
    jv_add_int(o, "ballots", (int64_t)d->nballots);
    cJSON_AddStringToObject(o, "rule", d->rule);
    cJSON_AddItemToObject(o, "rule_params", cJSON_Duplicate(d->rule_params, 1));
    if (opt.rule == RULE_EQUAL_SHARES) {
        jv_add_int(o, "voter_budget", res.voter_budget);
        cJSON_AddBoolToObject(o, "switched_to_greedy", res.used_greedy);
    }
    cJSON *winners = cJSON_AddArrayToObject(o, "winners");
    for (size_t i = 0; i < res.nselected; i++)
        cJSON_AddItemToArray(winners, cJSON_CreateNumber((double)d->projects[res.order[i]].id));
    cJSON *projects = cJSON_AddArrayToObject(o, "projects");
    for (size_t i = 0; i < d->nprojects; i++) {
        cJSON *p = cJSON_CreateObject();
        jv_add_int(p, "id", d->projects[i].id);
        jv_add_int(p, "cost", d->projects[i].cost);
        jv_add_int(p, "score", res.score[i]);
        cJSON_AddBoolToObject(p, "selected", res.selected[i]);
        if (res.price && res.selected[i] && res.price[i] > 0)
            cJSON_AddNumberToObject(p, "price_per_supporter", res.price[i]);
        cJSON_AddItemToArray(projects, p);
    }
    tally_result_free(&res);
    return o;
}

/* A count in progress: the election's data (first: edata_load finds it there), the
 * tally's progress, read by a timer on the loop while the worker counts. */
struct count_state {
    struct edata data;
    struct tally_progress progress; /* of the district being counted */
    atomic_int districts_done;
    struct event *timer;
    struct db_pool *db;
    int reported; /* the percent last written */
};

static void count_work(void *job)
{
    struct count_state *st = job;
    struct edata *e = &st->data;
    cJSON *out = cJSON_CreateObject();
    jv_add_int(out, "election_id", e->election_id);
    cJSON_AddStringToObject(out, "rule", e->rule);
    cJSON_AddItemToObject(out, "rule_params", cJSON_Duplicate(e->rule_params, 1));
    cJSON_AddStringToObject(out, "currency", e->currency);
    cJSON *ds = cJSON_AddArrayToObject(out, "districts");
    for (size_t i = 0; i < e->ndistricts; i++) {
        atomic_store(&st->progress.permille, 0);
        cJSON *d = count_district(&e->districts[i], &st->progress, e->error, sizeof e->error);
        if (!d) {
            cJSON_Delete(out);
            return;
        }
        cJSON_AddItemToArray(ds, d);
        atomic_fetch_add(&st->districts_done, 1);
    }
    e->output = cJSON_PrintUnformatted(out);
    e->output_len = strlen(e->output);
    cJSON_Delete(out);
    if (!edata_sign(e))
        snprintf(e->error, sizeof e->error, "the election's signing key is not available");
}

static void count_state_release(void *p)
{
    struct count_state *st = p;
    if (st->timer)
        event_free(st->timer);
    edata_release(&st->data);
}

static void ignore_result(void *ctx, const struct db_result *res)
{
    (void)ctx;
    (void)res;
}

static struct db_stmt sql_progress = DB_STMT("count.progress", 2, "SELECT tally_progress($1, $2)");

/* Twice a second while the worker counts: the percent goes to tally_runs, where any
 * process's GET .../tally finds it. The write is not part of the request's steps. */
static void progress_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct count_state *st = arg;
    size_t n = st->data.ndistricts ? st->data.ndistricts : 1;
    int done = atomic_load(&st->districts_done), permille = atomic_load(&st->progress.permille);
    int percent = (int)(((size_t)done * 1000 + (size_t)(permille > 1000 ? 1000 : permille)) / (n * 10));
    if (percent <= st->reported)
        return;
    st->reported = percent;
    char id[24], pc[24];
    const char *p[2] = {i64s(id, st->data.election_id), i64s(pc, percent)};
    (void)db_query(st->db, &sql_progress, p, false, ignore_result, NULL);
}

static void results_stored(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct count_state *st = REQ_STATE(r, struct count_state);
    r->app->metrics.tallies++;
    cJSON *o = cJSON_Parse(st->data.output);
    cJSON_AddStringToObject(o, "signature", st->data.signature);
    cJSON_AddBoolToObject(o, "published", false);
    req_reply_json(r, 200, o);
}

static struct db_stmt sql_store = DB_STMT("count.store", 4, "SELECT store_results($1, $2, $3, $4)");
static struct db_stmt sql_failed = DB_STMT("count.failed", 2, "SELECT tally_failed($1, $2)");

static void failure_recorded(struct req *r, const struct db_result *res)
{
    if (req_db_ok(r, res))
        req_fail(r, ERR_CONFLICT, NULL, "The election cannot be counted: %s.", REQ_STATE(r, struct count_state)->data.error);
}

static void count_done(struct req *r)
{
    struct count_state *st = REQ_STATE(r, struct count_state);
    event_del(st->timer);
    struct edata *e = &st->data;
    char staff[24], id[24];
    if (e->error[0]) {
        const char *p[2] = {i64s(id, e->election_id), e->error};
        req_db(r, &sql_failed, p, failure_recorded);
        return;
    }
    const char *p[4] = {i64s(staff, r->auth.staff_id), i64s(id, e->election_id), e->output, e->signature};
    req_db(r, &sql_store, p, results_stored);
}

static void count_loaded(struct req *r)
{
    struct count_state *st = REQ_STATE(r, struct count_state);
    st->db = r->app->db;
    st->timer = event_new(r->app->base, -1, EV_PERSIST, progress_tick, st);
    struct timeval half = {0, 500000};
    event_add(st->timer, &half);
    req_worker(r, count_work, st, count_done);
}

static struct db_stmt sql_begin = DB_STMT("count.begin", 2, "SELECT tally_begin($1, $2)");

static void count_begun(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct count_state *st = REQ_STATE(r, struct count_state);
    edata_load(r, &st->data, count_loaded);
}

void result_tally(struct req *r)
{
    REQ_STATE_NEW(r, struct count_state, count_state_release);
    char staff[24], id[24];
    const char *p[2] = {i64s(staff, r->auth.staff_id), i64s(id, r->election.id)};
    req_db(r, &sql_begin, p, count_begun);
}

static struct db_stmt sql_status = DB_STMT("count.status", 1, "SELECT tally_status($1)::text");

void result_tally_status(struct req *r)
{
    char id[24];
    const char *p[1] = {i64s(id, r->election.id)};
    req_db(r, &sql_status, p, req_db_reply_ok);
}
