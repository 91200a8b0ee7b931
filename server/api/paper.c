/*
 * paper: clerks type in paper ballots (voting days, Manton-style events). The voter is
 * named by their voting code or register details, so a paper ballot stands for that voter:
 * it replaces an online ballot (and says so) and cannot be replaced online afterwards.
 * With double entry, two clerks type each sheet and only matching entries count.
 */
#include "api/ballot.h"
#include "lib/crypto.h"
#include "core/db.h"
#include "api/handlers.h"
#include "lib/jsonv.h"
#include "api/voter.h"

#include <stdlib.h>
#include <string.h>

struct paper_voter {
    int64_t voter_id;
    int64_t district_id;
    char sheet[65];
    bool resolve;
};

static void recorded(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct cast_state *s = r->state;
    struct paper_voter *pv = r->extra;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "sheet", pv->sheet);
    cJSON_AddStringToObject(o, "status", db_value(res, 0, 0));
    bool replaced = db_bool(res, 0, 1);
    cJSON_AddBoolToObject(o, "replaced_online", replaced);
    if (replaced)
        cJSON_AddStringToObject(o, "notice", "This voter had voted online; the paper ballot now counts instead.");
    if (strcmp(db_value(res, 0, 0), "counted") == 0)
        cJSON_AddStringToObject(o, "tracker", s->tracker);
    jv_add_int(o, "district_id", s->b.district_id);
    req_reply_json(r, strcmp(db_value(res, 0, 0), "mismatch") == 0 ? 409 : 201, o);
}

static void paper_validated(struct req *r)
{
    struct cast_state *s = r->state;
    struct paper_voter *pv = r->extra;
    char tag[65], id[24], d[24], clerk[24];
    voter_tag(r->app, r->election.id, pv->voter_id, tag);
    const char *p[9] = {i64s(id, r->election.id), pv->sheet, i64s(d, s->b.district_id), tag, s->items, s->points,
                        s->tracker, i64s(clerk, r->auth.staff_id), pv->resolve ? "true" : "false"};
    req_db(r, "SELECT * FROM record_paper($1, $2, $3, $4, $5::bigint[], $6::bigint[], $7, $8, $9)", 9, p,
           recorded);
}

static void voter_found(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct paper_voter *pv = r->extra;
    if (db_nrows(res) != 1 || !db_value(res, 0, 0)) {
        req_fail(r, ERR_NOT_FOUND, "code", "No voter with these details in this election.");
        return;
    }
    pv->voter_id = db_int64(res, 0, 0);
    pv->district_id = db_int64(res, 0, 1);
    const cJSON *ballot = cJSON_GetObjectItemCaseSensitive(r->json, "ballot");
    ballot_check(r, ballot, r->election.id, pv->district_id, true, paper_validated);
}

static void paper_loaded(struct req *r)
{
    static const char *const keys[] = {"sheet", "code", "register", "ballot", "resolve", NULL};
    struct verr e;
    const char *sheet = NULL, *code = NULL;
    bool resolve = false;
    if (!jv_only_keys(r->json, keys, NULL, &e) || jv_string(r->json, "sheet", 64, &sheet, &e) < 0 ||
        jv_string(r->json, "code", 64, &code, &e) < 0 || jv_bool(r->json, "resolve", &resolve, &e) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (!req_require_role(r, resolve ? ROLE_ADMIN : ROLE_CLERK))
        return;
    const cJSON *ballot = cJSON_GetObjectItemCaseSensitive(r->json, "ballot");
    const cJSON *reg = cJSON_GetObjectItemCaseSensitive(r->json, "register");
    if (!sheet || !cJSON_IsObject(ballot) || (!code == !reg)) {
        req_fail(r, ERR_INVALID_FIELD, !sheet ? "sheet" : !cJSON_IsObject(ballot) ? "ballot" : "code",
                 "Give \"sheet\" (the sheet's number), the voter's \"code\" or \"register\" details, and the \"ballot\".");
        return;
    }
    struct paper_voter *pv = xcalloc(1, sizeof *pv);
    r->extra = pv;
    r->extra_free = free;
    snprintf(pv->sheet, sizeof pv->sheet, "%s", sheet);
    pv->resolve = resolve;
    char hash[65], id[24];
    if (code) {
        char norm[VOTER_CODE_CHARS + 1];
        if (!voter_code_normalise(code, norm)) {
            req_fail(r, ERR_INVALID_FIELD, "code", "\"code\" is not a voting code.");
            return;
        }
        voter_code_hash(r->app, r->election.id, norm, hash);
        const char *p[2] = {i64s(id, r->election.id), hash};
        req_db(r, "SELECT (v).id, (v).district_id FROM (SELECT voter_for_code($1, $2) AS v) x", 2, p, voter_found);
        return;
    }
    if (!voter_register_hash_from_json(r, reg, hash))
        return;
    const char *p[2] = {i64s(id, r->election.id), hash};
    req_db(r, "SELECT (v).id, (v).district_id FROM (SELECT voter_for_register($1, $2) AS v) x", 2, p, voter_found);
}

void paper_enter(struct req *r)
{
    req_load_election(r, r->ids[0], paper_loaded);
}

static void sheets_listed(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    req_reply_member(r, "sheets", db_value(res, 0, 0));
}

static void sheets_loaded(struct req *r)
{
    if (!req_require_role(r, ROLE_CLERK))
        return;
    char id[24];
    const char *p[1] = {i64s(id, r->election.id)};
    req_db(r,
           "SELECT coalesce(jsonb_agg(jsonb_build_object('sheet', s.sheet, 'status', s.status,"
           "  'entries', (SELECT jsonb_agg(jsonb_build_object('clerk_id', pe.clerk_id, 'district_id', pe.district_id,"
           "                'items', pe.items, 'points', pe.points) ORDER BY pe.id)"
           "               FROM paper_entries pe WHERE pe.election_id = s.election_id AND pe.sheet = s.sheet))"
           "  ORDER BY s.sheet), '[]')::text FROM paper_sheets s WHERE s.election_id = $1",
           1, p, sheets_listed);
}

void paper_list(struct req *r)
{
    req_load_election(r, r->ids[0], sheets_loaded);
}
