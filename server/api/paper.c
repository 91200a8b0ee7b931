/*
 * paper: clerks type in paper ballots (voting days, Manton-style events). The voter is
 * named by their voting code or register details, so a paper ballot stands for that voter:
 * it replaces an online ballot (and says so) and cannot be replaced online afterwards.
 * With double entry, two clerks type each sheet and only matching entries count. An admin
 * corrects a counted sheet that was typed wrong (audited, with the reason).
 */
#include "api/ballot.h"
#include "api/handlers.h"
#include "api/voter.h"
#include "core/db.h"
#include "core/reply.h"
#include "lib/jsonv.h"
#include "lib/votecode.h"
#include "lib/voterkeys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct paper_state {
    struct cast_state cast; /* first: ballot_check finds it there */
    int64_t voter_id;
    int64_t *districts; /* the voter's frames */
    size_t ndistricts;
    char sheet[65];
    bool resolve;
};

static void paper_state_release(void *p)
{
    struct paper_state *s = p;
    cast_state_release(&s->cast);
    free(s->districts);
}

bool paper_resolves(const struct req *r)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->json, "resolve"));
}

static void recorded(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct paper_state *s = REQ_STATE(r, struct paper_state);
    const char *status = db_value(res, 0, 0);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "sheet", s->sheet);
    cJSON_AddStringToObject(o, "status", status);
    bool replaced = db_bool(res, 0, 1);
    cJSON_AddBoolToObject(o, "replaced_online", replaced);
    if (replaced)
        cJSON_AddStringToObject(o, "notice", "This voter had voted online; the paper ballot now counts instead.");
    if (strcmp(status, "counted") == 0)
        cJSON_AddStringToObject(o, "tracker", s->cast.tracker);
    jv_add_int(o, "district_id", s->cast.b.district_id);
    req_reply_json(r, strcmp(status, "mismatch") == 0 ? 409 : 201, o);
}

static struct db_stmt sql_record = DB_STMT("paper.record", 9,
    "SELECT * FROM record_paper($1, $2, $3, $4, $5::bigint[], $6::bigint[], $7, $8, $9)");

static void paper_validated(struct req *r)
{
    struct paper_state *s = REQ_STATE(r, struct paper_state);
    char tag[VOTERKEY_HEX], id[24], d[24], clerk[24];
    voterkey_tag(&r->app->keys, r->election.id, s->voter_id, tag);
    const char *p[9] = {i64s(id, r->election.id), s->sheet, i64s(d, s->cast.b.district_id), tag, s->cast.items,
                        s->cast.points, s->cast.tracker, i64s(clerk, r->auth.staff_id), s->resolve ? "true" : "false"};
    req_db(r, &sql_record, p, recorded);
}

static void voter_found(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct paper_state *s = REQ_STATE(r, struct paper_state);
    if (db_nrows(res) != 1 || !db_value(res, 0, 0)) {
        req_fail(r, ERR_NOT_FOUND, "code", "No voter with these details in this election.");
        return;
    }
    s->voter_id = db_int64(res, 0, 0);
    if (!db_int64_array(res, 0, 1, &s->districts, &s->ndistricts)) {
        req_fail(r, ERR_INTERNAL, NULL, NULL);
        return;
    }
    const cJSON *ballot = cJSON_GetObjectItemCaseSensitive(r->json, "ballot");
    ballot_check(r, &s->cast, ballot, r->election.id, s->districts, s->ndistricts, true, paper_validated);
}

/* The voter and their frames (a paper sheet is one frame's ballot: it names its district
 * when the voter votes in several). */
#define PAPER_VOTER_FRAMES                                                                                   \
    "(SELECT coalesce(array_agg(f.district_id ORDER BY f.o), '{}') FROM"                                  \
    "   (SELECT district_id, row_number() OVER () AS o FROM voter_frames($1, (v).id)) f"                    \
    "  WHERE f.district_id IS NOT NULL)"
static struct db_stmt sql_voter_by_code = DB_STMT("paper.voter_by_code", 2,
    "SELECT (v).id, " PAPER_VOTER_FRAMES " FROM (SELECT voter_for_code($1, $2) AS v) x");
static struct db_stmt sql_voter_by_register = DB_STMT("paper.voter_by_register", 2,
    "SELECT (v).id, " PAPER_VOTER_FRAMES " FROM (SELECT voter_for_register($1, $2) AS v) x");

void paper_enter(struct req *r)
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
    const cJSON *ballot = cJSON_GetObjectItemCaseSensitive(r->json, "ballot");
    const cJSON *reg = cJSON_GetObjectItemCaseSensitive(r->json, "register");
    if (!sheet || !cJSON_IsObject(ballot) || (!code == !reg)) {
        req_fail(r, ERR_INVALID_FIELD, !sheet ? "sheet" : !cJSON_IsObject(ballot) ? "ballot" : "code",
                 "Give \"sheet\" (the sheet's number), the voter's \"code\" or \"register\" details, and the \"ballot\".");
        return;
    }
    struct paper_state *s = REQ_STATE_NEW(r, struct paper_state, paper_state_release);
    snprintf(s->sheet, sizeof s->sheet, "%s", sheet);
    s->resolve = resolve;
    char hash[VOTERKEY_HEX], id[24];
    const char *p[2] = {i64s(id, r->election.id), hash};
    if (code) {
        char norm[VOTECODE_CHARS + 1];
        if (!votecode_normalise(code, norm)) {
            req_fail(r, ERR_INVALID_FIELD, "code", "\"code\" is not a voting code.");
            return;
        }
        voterkey_code(&r->app->keys, r->election.id, norm, hash);
        req_db(r, &sql_voter_by_code, p, voter_found);
        return;
    }
    if (!voter_register_hash_from_json(r, reg, hash))
        return;
    req_db(r, &sql_voter_by_register, p, voter_found);
}

static struct db_stmt sql_sheets = DB_STMT("paper.list", 1,
    "SELECT coalesce(jsonb_agg(jsonb_build_object('sheet', s.sheet, 'status', s.status,"
    "  'corrected', s.corrected_at IS NOT NULL,"
    "  'entries', (SELECT jsonb_agg(jsonb_build_object('clerk_id', pe.clerk_id, 'clerk', st.email,"
    "                'district_id', pe.district_id, 'items', pe.items, 'points', pe.points,"
    "                'at', to_char(pe.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) ORDER BY pe.id)"
    "               FROM paper_entries pe JOIN staff st ON st.id = pe.clerk_id"
    "              WHERE pe.election_id = s.election_id AND pe.sheet = s.sheet))"
    "  ORDER BY s.sheet), '[]')::text FROM paper_sheets s WHERE s.election_id = $1");

static void sheets_listed(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    req_reply_member(r, "sheets", db_value(res, 0, 0));
}

void paper_list(struct req *r)
{
    char id[24];
    const char *p[1] = {i64s(id, r->election.id)};
    req_db(r, &sql_sheets, p, sheets_listed);
}

/* --- corrections --- */

struct correction_state {
    struct cast_state cast; /* first: ballot_check finds it there */
    char sheet[65];
    char *reason;
    int64_t district; /* the sheet's: a correction stays in its frame */
};

static void correction_release(void *p)
{
    struct correction_state *s = p;
    cast_state_release(&s->cast);
    free(s->reason);
}

static void corrected(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct correction_state *s = REQ_STATE(r, struct correction_state);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "sheet", s->sheet);
    cJSON_AddStringToObject(o, "status", "counted");
    cJSON_AddBoolToObject(o, "corrected", true);
    cJSON_AddStringToObject(o, "tracker", s->cast.tracker);
    jv_add_int(o, "district_id", db_int64(res, 0, 0));
    req_reply_json(r, 200, o);
}

static struct db_stmt sql_correct = DB_STMT("paper.correct", 7,
    "SELECT * FROM correct_paper($1, $2, $3::bigint[], $4::bigint[], $5, $6, $7)");

static void correction_validated(struct req *r)
{
    struct correction_state *s = REQ_STATE(r, struct correction_state);
    char id[24], staff[24];
    const char *p[7] = {i64s(id, r->election.id), s->sheet, s->cast.items, s->cast.points, s->cast.tracker,
                        i64s(staff, r->auth.staff_id), s->reason};
    req_db(r, &sql_correct, p, corrected);
}

static void sheet_found(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct correction_state *s = REQ_STATE(r, struct correction_state);
    if (db_nrows(res) != 1) {
        req_fail(r, ERR_NOT_FOUND, "sheet", "No sheet with this number has been entered.");
        return;
    }
    if (strcmp(db_value(res, 0, 0), "counted") != 0) {
        req_fail(r, ERR_CONFLICT, "sheet",
                 "Only a counted sheet can be corrected; a sheet waiting for its second entry or held for review is "
                 "settled by entering it.");
        return;
    }
    s->district = db_int64(res, 0, 1);
    ballot_check(r, &s->cast, cJSON_GetObjectItemCaseSensitive(r->json, "ballot"), r->election.id, &s->district, 1,
                 true, correction_validated);
}

static struct db_stmt sql_sheet_voter = DB_STMT("paper.sheet_voter", 2, "SELECT * FROM paper_sheet_voter($1, $2)");

/* A counted sheet typed wrong gets its right choices (admin, with a reason; audited). */
void paper_correct(struct req *r)
{
    static const char *const keys[] = {"sheet", "ballot", "reason", NULL};
    struct verr e;
    const char *sheet = NULL, *reason = NULL;
    if (!jv_only_keys(r->json, keys, NULL, &e) || jv_string(r->json, "sheet", 64, &sheet, &e) < 0 ||
        jv_string(r->json, "reason", 2000, &reason, &e) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    const cJSON *ballot = cJSON_GetObjectItemCaseSensitive(r->json, "ballot");
    const char *missing = !sheet ? "sheet" : !cJSON_IsObject(ballot) ? "ballot" : !reason ? "reason" : NULL;
    if (missing) {
        req_fail(r, ERR_INVALID_FIELD, missing,
                 "Give the \"sheet\" number, its right \"ballot\" and the \"reason\" for the correction.");
        return;
    }
    struct correction_state *s = REQ_STATE_NEW(r, struct correction_state, correction_release);
    snprintf(s->sheet, sizeof s->sheet, "%s", sheet);
    s->reason = xstrdup(reason);
    char id[24];
    const char *p[2] = {i64s(id, r->election.id), s->sheet};
    req_db(r, &sql_sheet_voter, p, sheet_found);
}
