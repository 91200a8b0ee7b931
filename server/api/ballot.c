/*
 * ballot: citizens cast, replace and read their ballot. The ballot is checked against the
 * election's rules in C (ballot_rules), then written by one statement (cast_ballot) that
 * re-checks the phase and replaces any earlier ballot of the same voter atomically; the
 * 200 goes out only after that statement has committed.
 */
#include "lib/ballot_rules.h"
#include "core/cache.h"
#include "lib/crypto.h"
#include "core/db.h"
#include "api/handlers.h"
#include "lib/jsonv.h"
#include "lib/log.h"
#include "api/voter.h"
#include "api/ballot.h"

#include <stdlib.h>
#include <string.h>

static void cast_state_free(void *p)
{
    struct cast_state *s = p;
    ballot_free(&s->b);
    free(s->items);
    free(s->points);
    free(s);
}

static bool voter_may_use(struct req *r)
{
    if (r->auth.election_id != r->ids[0]) {
        req_fail(r, ERR_FORBIDDEN, NULL, "This voter session belongs to another election.");
        return false;
    }
    return true;
}

/* The election's ballot rules, the phase, and the accepted proposals of the district. */
static const char sql_context[] =
    "SELECT effective_phase(e), e.ballot::text, d.budget,"
    "       coalesce((SELECT jsonb_agg(jsonb_build_array(p.id, p.cost, p.category))"
    "                   FROM proposals p WHERE p.district_id = d.id AND p.status = 'accepted'),"
    "                '[]')::text"
    "  FROM elections e JOIN districts d ON d.election_id = e.id AND d.id = $2"
    " WHERE e.id = $1";

static const char sql_cast[] =
    "SELECT * FROM cast_online_ballot($1, $2, $7, $3, $4::bigint[], $5::bigint[], $6, $8)";

static char *int_array(const int64_t *v, size_t n)
{
    struct buf b;
    buf_init(&b);
    buf_putc(&b, '{');
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%lld", i ? "," : "", (long long)v[i]);
    buf_putc(&b, '}');
    return buf_steal(&b);
}

static void cast_done(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct cast_state *s = r->state;
    if (db_nrows(res) != 1) {
        req_fail(r, ERR_PAPER_BALLOT, NULL, NULL);
        return;
    }
    bool replaced = db_bool(res, 0, 0);
    r->app->metrics.ballots_cast++;
    if (replaced)
        r->app->metrics.ballots_replaced++;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "tracker", s->tracker);
    cJSON_AddBoolToObject(o, "replaced", replaced);
    jv_add_int(o, "district_id", s->b.district_id);
    cJSON_AddStringToObject(o, "nonce", s->nonce);
    char *canon = ballot_canonical(&s->b);
    cJSON_AddStringToObject(o, "ballot", canon);
    free(canon);
    req_reply_json(r, 200, o);
}

/* The checks once the rules are known: phase, ballot_json, budget, accepted proposals
 * ([[id, cost], ...]) of the district. */
static void context_ready(struct req *r, const char *phase, const char *ballot_json, int64_t budget,
                          const char *proposals_json)
{
    struct cast_state *s = r->state;
    if (strcmp(phase, "voting") != 0 && !(s->paper && strcmp(phase, "closed") == 0)) {
        req_fail(r, ERR_WRONG_PHASE, NULL, "Voting is not open.");
        return;
    }
    cJSON *ballot = cJSON_Parse(ballot_json);
    struct verr e;
    bool ok = ballot_config_parse(ballot, &s->bc, &e);
    cJSON_Delete(ballot);
    if (!ok) {
        log_error("stored ballot rules invalid election=%lld", (long long)r->ids[0]);
        req_fail(r, ERR_INTERNAL, NULL, NULL);
        return;
    }
    if (!ballot_parse(s->body, &s->bc, &s->b, &e)) {
        req_fail_verr(r, &e);
        return;
    }
    if (!s->b.district_id)
        s->b.district_id = s->district_id;
    if (s->b.district_id != s->district_id) {
        req_fail(r, ERR_FORBIDDEN, "district_id", "The voter is not eligible to vote in that district.");
        return;
    }
    cJSON *plist = cJSON_Parse(proposals_json);
    int np = cJSON_GetArraySize(plist);
    struct ballot_project *projects = xcalloc((size_t)np, sizeof *projects);
    int i = 0;
    for (const cJSON *p = plist ? plist->child : NULL; p && i < np; p = p->next, i++) {
        projects[i].id = (int64_t)cJSON_GetArrayItem(p, 0)->valuedouble;
        projects[i].cost = (int64_t)cJSON_GetArrayItem(p, 1)->valuedouble;
        const cJSON *cat = cJSON_GetArrayItem(p, 2);
        projects[i].category = cJSON_IsString(cat) ? cat->valuestring : NULL;
        projects[i].district_id = s->b.district_id;
        projects[i].accepted = true;
    }
    ok = ballot_validate(&s->b, &s->bc, budget, projects, (size_t)np, &e);
    cJSON_Delete(plist); /* the projects' categories point into it */
    free(projects);
    if (!ok) {
        req_fail_verr(r, &e);
        return;
    }
    /* The tracker commits to the ballot and a random nonce: sha256(canonical "|" nonce). */
    unsigned char nonce[16], h[CRYPTO_SHA256_LEN];
    crypto_random(nonce, sizeof nonce);
    crypto_hex(nonce, sizeof nonce, s->nonce);
    char *canon = ballot_canonical(&s->b);
    char *msg = xasprintf("%s|%s", canon, s->nonce);
    crypto_sha256(msg, strlen(msg), h);
    crypto_hex(h, sizeof h, s->tracker);
    free(msg);
    free(canon);
    s->items = int_array(s->b.items, s->b.n);
    s->points = s->b.points ? int_array(s->b.points, s->b.n) : NULL;
    s->next(r);
}

static void context_loaded(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) != 1) {
        req_fail(r, ERR_NOT_FOUND, NULL, "No such election or district.");
        return;
    }
    struct cast_state *s = r->state;
    const char *phase = db_value(res, 0, 0);
    if (strcmp(phase, "voting") == 0) {
        /* The rules and proposals are locked while voting is open: keep them for a second.
         * cast_ballot checks the phase again in its own statement. */
        cJSON *c = cJSON_CreateArray();
        cJSON_AddItemToArray(c, cJSON_CreateString(phase));
        cJSON_AddItemToArray(c, cJSON_CreateString(db_value(res, 0, 1)));
        cJSON_AddItemToArray(c, cJSON_CreateNumber((double)db_int64(res, 0, 2)));
        cJSON_AddItemToArray(c, cJSON_CreateString(db_value(res, 0, 3)));
        char *text = cJSON_PrintUnformatted(c);
        cache_put(r->app->cache, s->cache_key, text, strlen(text));
        cJSON_free(text);
        cJSON_Delete(c);
    }
    context_ready(r, phase, db_value(res, 0, 1), db_int64(res, 0, 2), db_value(res, 0, 3));
}

static void cast_validated(struct req *r)
{
    struct cast_state *s = r->state;
    char tag[65], id[24], d[24], v[24];
    voter_tag(r->app, r->ids[0], r->auth.voter_id, tag);
    const char *p[8] = {i64s(id, r->ids[0]), i64s(d, s->b.district_id), tag, s->items, s->points,
                        s->tracker, i64s(v, r->auth.voter_id), r->auth.token_hash};
    req_db(r, sql_cast, 8, p, cast_done);
}

void ballot_check(struct req *r, const cJSON *body, int64_t election, int64_t district, bool paper,
                  void (*next)(struct req *r))
{
    if (r->state_free && r->state)
        r->state_free(r->state);
    struct cast_state *s = xcalloc(1, sizeof *s);
    r->state = s;
    r->state_free = cast_state_free;
    s->body = body;
    s->district_id = district;
    s->paper = paper;
    s->next = next;
    struct verr e;
    int64_t asked = district;
    if (jv_id(body, "district_id", &asked, &e) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    snprintf(s->cache_key, sizeof s->cache_key, "ballot-context:%lld:%lld", (long long)election, (long long)asked);
    size_t len;
    const char *hit = cache_get(r->app->cache, s->cache_key, 1000, &len, NULL);
    if (hit) {
        cJSON *c = cJSON_Parse(hit);
        int64_t budget = (int64_t)cJSON_GetArrayItem(c, 2)->valuedouble;
        context_ready(r, cJSON_GetArrayItem(c, 0)->valuestring, cJSON_GetArrayItem(c, 1)->valuestring, budget,
                      cJSON_GetArrayItem(c, 3)->valuestring);
        cJSON_Delete(c);
        return;
    }
    char id[24], d[24];
    const char *p[2] = {i64s(id, election), i64s(d, asked)};
    req_db(r, sql_context, 2, p, context_loaded);
}

void ballot_put(struct req *r)
{
    if (!voter_may_use(r))
        return;
    ballot_check(r, r->json, r->ids[0], r->auth.district_id, false, cast_validated);
}

static const char sql_get[] =
    "SELECT b.items, b.points, b.tracker, b.source, e.ballot->>'type', b.district_id"
    "  FROM ballots b JOIN elections e ON e.id = b.election_id"
    " WHERE b.election_id = $1 AND b.district_id = $2 AND b.voter_tag = decode($3, 'hex')";

static void got_ballot(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) != 1) {
        req_fail(r, ERR_NOT_FOUND, NULL, "You have not voted yet.");
        return;
    }
    struct ballot b = {0};
    b.district_id = db_int64(res, 0, 5);
    size_t np = 0;
    if (!db_int64_array(res, 0, 0, &b.items, &b.n) || !db_int64_array(res, 0, 1, &b.points, &np)) {
        ballot_free(&b);
        req_fail(r, ERR_INTERNAL, NULL, NULL);
        return;
    }
    const char *type = db_value(res, 0, 4);
    enum ballot_type t = strcmp(type, "cumulative") == 0 ? BALLOT_CUMULATIVE
                         : strcmp(type, "ordinal") == 0  ? BALLOT_ORDINAL
                         : strcmp(type, "knapsack") == 0 ? BALLOT_KNAPSACK
                                                         : BALLOT_APPROVAL;
    cJSON *o = ballot_to_json(&b, t);
    ballot_free(&b);
    cJSON_AddStringToObject(o, "tracker", db_value(res, 0, 2));
    cJSON_AddStringToObject(o, "source", db_value(res, 0, 3));
    req_reply_json(r, 200, o);
}

void ballot_get(struct req *r)
{
    if (!voter_may_use(r))
        return;
    char tag[65], id[24], d[24];
    voter_tag(r->app, r->ids[0], r->auth.voter_id, tag);
    const char *p[3] = {i64s(id, r->ids[0]), i64s(d, r->auth.district_id), tag};
    req_db(r, sql_get, 3, p, got_ballot);
}
