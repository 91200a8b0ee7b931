/*
 * district: an election's districts (budget frames, each with its own budget and voters)
 * and their groups (a voter votes in at most one frame per group, e.g. city-wide plus a
 * home district): added, renamed, given another budget or group, or deleted until voting
 * opens. Shape checks here; the state checks (phase, what depends on a district, codes
 * and register rows naming one frame per group) and the audit entry in the database
 * functions of schema/functions/elections.sql and frames.sql.
 */
#include "api/handlers.h"
#include "core/db.h"
#include "core/reply.h"
#include "lib/ballot_rules.h"
#include "lib/countrule.h"
#include "lib/i18n.h"
#include "lib/jsonv.h"

#include <stdlib.h>
#include <string.h>

#define MAX_NAME 300

/* name, budget and group from the body; each is absent (NULL, 0) or valid. group_id may
 * also be JSON null (ungrouped): *group_null says so. */
static bool read_district(struct req *r, cJSON **name, int64_t *budget, int64_t *group, bool *group_null)
{
    static const char *const keys[] = {"name", "budget", "group_id", NULL};
    struct verr e;
    *name = NULL;
    *budget = 0;
    *group = 0;
    *group_null = cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r->json, "group_id"));
    if (!jv_only_keys(r->json, keys, NULL, &e) ||
        i18n_text(r->json, "name", r->election.default_lang, MAX_NAME, name, &e) < 0 ||
        jv_int(r->json, "budget", 1, JV_MAX_SAFE_INT, budget, &e) < 0 ||
        (!*group_null && jv_id(r->json, "group_id", group, &e) < 0)) {
        cJSON_Delete(*name);
        *name = NULL;
        req_fail_verr(r, &e);
        return false;
    }
    return true;
}

/* Runs a change of the district or group in the path (r->ids[1]) as the staff member:
 * with the patch (consumed) an update answering the changed row, without one a delete. */
static void send_change(struct req *r, struct db_stmt *stmt, cJSON *patch)
{
    char *text = patch ? cJSON_PrintUnformatted(patch) : NULL;
    cJSON_Delete(patch);
    char staff[24], id[24], which[24];
    const char *p[4] = {i64s(staff, r->auth.staff_id), i64s(id, r->election.id), i64s(which, r->ids[1]), text};
    req_db(r, stmt, p, text ? req_db_reply_ok : req_db_reply_none);
    cJSON_free(text);
}

static struct db_stmt sql_add = DB_STMT("district.create", 5,
                                        "SELECT add_district($1, $2, $3::jsonb, $4, $5)::text");

void district_create(struct req *r)
{
    cJSON *name;
    int64_t budget, group;
    bool ungrouped;
    if (!read_district(r, &name, &budget, &group, &ungrouped))
        return;
    if (!name || !budget) {
        cJSON_Delete(name);
        req_fail(r, ERR_INVALID_FIELD, !name ? "name" : "budget", "\"%s\" is required.", !name ? "name" : "budget");
        return;
    }
    char *text = cJSON_PrintUnformatted(name);
    cJSON_Delete(name);
    char staff[24], id[24], b[24], g[24];
    const char *p[5] = {i64s(staff, r->auth.staff_id), i64s(id, r->election.id), text, i64s(b, budget),
                        group ? i64s(g, group) : NULL};
    req_db(r, &sql_add, p, req_db_reply_created);
    cJSON_free(text);
}

/* {key: the list of that name in the election's row}: the districts or the groups. */
static void reply_row_list(struct req *r, const char *key)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *list = cJSON_DetachItemFromObjectCaseSensitive(r->election.row, key);
    cJSON_AddItemToObject(o, key, list ? list : cJSON_CreateArray());
    req_reply_json(r, 200, o);
}

void district_list(struct req *r)
{
    reply_row_list(r, "districts");
}

static struct db_stmt sql_update = DB_STMT("district.update", 4, "SELECT update_district($1, $2, $3, $4::jsonb)::text");

void district_patch(struct req *r)
{
    cJSON *name;
    int64_t budget, group;
    bool ungrouped;
    if (!read_district(r, &name, &budget, &group, &ungrouped))
        return;
    if (!name && !budget && !group && !ungrouped) {
        req_fail(r, ERR_INVALID_FIELD, "name", "Give a new \"name\", \"budget\" or \"group_id\".");
        return;
    }
    cJSON *patch = cJSON_CreateObject();
    if (name)
        cJSON_AddItemToObject(patch, "name", name);
    if (budget)
        jv_add_int(patch, "budget", budget);
    if (group)
        jv_add_int(patch, "group_id", group);
    else if (ungrouped)
        cJSON_AddNullToObject(patch, "group_id");
    send_change(r, &sql_update, patch);
}

static struct db_stmt sql_delete = DB_STMT("district.delete", 3, "SELECT delete_district($1, $2, $3)");

void district_delete(struct req *r)
{
    send_change(r, &sql_delete, NULL);
}

/* --- groups of districts --- */

/* What a group's body gives. rules: the group's own ballot and counting rule
 * ({"ballot", "rule", "rule_params"}), JSON null to follow the election's again, NULL when
 * not given. */
struct group_input {
    cJSON *name;
    bool chooses, have_chooses, have_position;
    int64_t position;
    cJSON *rules;
};

/* The group of the path as the election row has it (NULL on create or when not found). */
static const cJSON *stored_group(struct req *r)
{
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(r->election.row, "district_groups"))
    {
        int64_t id;
        if (r->nids > 1 && jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(g, "id"), 1, JV_MAX_SAFE_INT, &id) &&
            id == r->ids[1])
            return g;
    }
    return NULL;
}

/* A group's own rules from "ballot", "rule" and "rule_params", each falling back to what
 * the group already has (on a change): a ballot is needed, the rule defaults to greedy,
 * and the rule must count that ballot type. */
static bool read_group_rules(struct req *r, struct group_input *in, struct verr *e)
{
    const cJSON *ballot = cJSON_GetObjectItemCaseSensitive(r->json, "ballot");
    const cJSON *rule = cJSON_GetObjectItemCaseSensitive(r->json, "rule");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(r->json, "rule_params");
    if (!ballot && !rule && !params)
        return true;
    if (cJSON_IsNull(ballot)) { /* back to the election's rules, whatever else is given */
        in->rules = cJSON_CreateNull();
        return true;
    }
    const cJSON *had = stored_group(r);
    if (!ballot)
        ballot = cJSON_GetObjectItemCaseSensitive(had, "ballot");
    if (!params || cJSON_IsNull(params))
        params = cJSON_GetObjectItemCaseSensitive(had, "rule_params");
    struct ballot_config bc;
    int idx = 0; /* greedy, unless the body or the group names another */
    if (!cJSON_IsObject(ballot)) {
        verr_set(e, ERR_INVALID_FIELD, "ballot", "Give the group's own \"ballot\" with its rule, or null to follow the election's.");
        return false;
    }
    if (rule && !cJSON_IsNull(rule)) {
        if (jv_enum(r->json, "rule", countrule_names, &idx, e) < 0)
            return false;
    } else if (jv_enum(had, "rule", countrule_names, &idx, e) < 0) {
        idx = 0;
    }
    if (params && !cJSON_IsObject(params) && !cJSON_IsNull(params)) {
        verr_set(e, ERR_INVALID_FIELD, "rule_params", "\"rule_params\" must be an object.");
        return false;
    }
    if (!ballot_config_parse(ballot, &bc, e) || (cJSON_IsObject(params) && !countrule_params_valid(params, e)) ||
        !countrule_fits_ballot(countrule_names[idx], &bc, e))
        return false;
    in->rules = cJSON_CreateObject();
    cJSON_AddItemToObject(in->rules, "ballot", ballot_config_to_json(&bc));
    cJSON_AddStringToObject(in->rules, "rule", countrule_names[idx]);
    cJSON_AddItemToObject(in->rules, "rule_params", cJSON_IsObject(params) ? cJSON_Duplicate(params, 1) : cJSON_CreateObject());
    return true;
}

static bool read_group(struct req *r, struct group_input *in)
{
    static const char *const keys[] = {"name", "voter_chooses", "position", "ballot", "rule", "rule_params", NULL};
    struct verr e;
    int rc_c = 0, rc_p = 0;
    memset(in, 0, sizeof *in);
    if (!jv_only_keys(r->json, keys, NULL, &e) ||
        i18n_text(r->json, "name", r->election.default_lang, MAX_NAME, &in->name, &e) < 0 ||
        (rc_c = jv_bool(r->json, "voter_chooses", &in->chooses, &e)) < 0 ||
        (rc_p = jv_int(r->json, "position", 0, 1000, &in->position, &e)) < 0 || !read_group_rules(r, in, &e)) {
        cJSON_Delete(in->name);
        cJSON_Delete(in->rules);
        req_fail_verr(r, &e);
        return false;
    }
    in->have_chooses = rc_c > 0;
    in->have_position = rc_p > 0;
    return true;
}

static struct db_stmt sql_group_add = DB_STMT("district_group.create", 6,
                                              "SELECT add_district_group($1, $2, $3::jsonb, $4, $5, $6::jsonb)::text");

void district_group_create(struct req *r)
{
    struct group_input in;
    if (!read_group(r, &in))
        return;
    if (!in.name) {
        cJSON_Delete(in.rules);
        req_fail(r, ERR_INVALID_FIELD, "name", "\"name\" is required.");
        return;
    }
    char *text = cJSON_PrintUnformatted(in.name);
    char *rules = cJSON_IsObject(in.rules) ? cJSON_PrintUnformatted(in.rules) : NULL;
    cJSON_Delete(in.name);
    cJSON_Delete(in.rules);
    char staff[24], id[24], pos[24];
    const char *p[6] = {i64s(staff, r->auth.staff_id), i64s(id, r->election.id), text, in.chooses ? "true" : "false",
                        i64s(pos, in.position), rules};
    req_db(r, &sql_group_add, p, req_db_reply_created);
    cJSON_free(text);
    cJSON_free(rules);
}

void district_group_list(struct req *r)
{
    reply_row_list(r, "district_groups");
}

static struct db_stmt sql_group_update = DB_STMT("district_group.update", 4,
                                                 "SELECT update_district_group($1, $2, $3, $4::jsonb)::text");

void district_group_patch(struct req *r)
{
    struct group_input in;
    if (!read_group(r, &in))
        return;
    if (!in.name && !in.have_chooses && !in.have_position && !in.rules) {
        req_fail(r, ERR_INVALID_FIELD, "name",
                 "Give a new \"name\", \"voter_chooses\", \"position\" or the group's \"ballot\" and \"rule\".");
        return;
    }
    cJSON *patch = cJSON_CreateObject();
    if (in.name)
        cJSON_AddItemToObject(patch, "name", in.name);
    if (in.have_chooses)
        cJSON_AddBoolToObject(patch, "voter_chooses", in.chooses);
    if (in.have_position)
        jv_add_int(patch, "position", in.position);
    if (in.rules)
        cJSON_AddItemToObject(patch, "rules", in.rules);
    send_change(r, &sql_group_update, patch);
}

static struct db_stmt sql_group_delete = DB_STMT("district_group.delete", 3, "SELECT delete_district_group($1, $2, $3)");

void district_group_delete(struct req *r)
{
    send_change(r, &sql_group_delete, NULL);
}
