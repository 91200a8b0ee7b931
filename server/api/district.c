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

void district_list(struct req *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *d = cJSON_DetachItemFromObjectCaseSensitive(r->election.row, "districts");
    cJSON_AddItemToObject(o, "districts", d ? d : cJSON_CreateArray());
    req_reply_json(r, 200, o);
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

/* name, voter_chooses and position from the body; *have says which were given. */
static bool read_group(struct req *r, cJSON **name, bool *chooses, int64_t *position, bool have[3])
{
    static const char *const keys[] = {"name", "voter_chooses", "position", NULL};
    struct verr e;
    int rc_c = 0, rc_p = 0;
    *name = NULL;
    *chooses = false;
    *position = 0;
    if (!jv_only_keys(r->json, keys, NULL, &e) ||
        i18n_text(r->json, "name", r->election.default_lang, MAX_NAME, name, &e) < 0 ||
        (rc_c = jv_bool(r->json, "voter_chooses", chooses, &e)) < 0 ||
        (rc_p = jv_int(r->json, "position", 0, 1000, position, &e)) < 0) {
        cJSON_Delete(*name);
        *name = NULL;
        req_fail_verr(r, &e);
        return false;
    }
    have[0] = *name != NULL;
    have[1] = rc_c > 0;
    have[2] = rc_p > 0;
    return true;
}

static struct db_stmt sql_group_add = DB_STMT("district_group.create", 5,
                                              "SELECT add_district_group($1, $2, $3::jsonb, $4, $5)::text");

void district_group_create(struct req *r)
{
    cJSON *name;
    bool chooses, have[3];
    int64_t position;
    if (!read_group(r, &name, &chooses, &position, have))
        return;
    if (!name) {
        req_fail(r, ERR_INVALID_FIELD, "name", "\"name\" is required.");
        return;
    }
    char *text = cJSON_PrintUnformatted(name);
    cJSON_Delete(name);
    char staff[24], id[24], pos[24];
    const char *p[5] = {i64s(staff, r->auth.staff_id), i64s(id, r->election.id), text, chooses ? "true" : "false",
                        i64s(pos, position)};
    req_db(r, &sql_group_add, p, req_db_reply_created);
    cJSON_free(text);
}

void district_group_list(struct req *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *g = cJSON_DetachItemFromObjectCaseSensitive(r->election.row, "district_groups");
    cJSON_AddItemToObject(o, "district_groups", g ? g : cJSON_CreateArray());
    req_reply_json(r, 200, o);
}

static struct db_stmt sql_group_update = DB_STMT("district_group.update", 4,
                                                 "SELECT update_district_group($1, $2, $3, $4::jsonb)::text");

void district_group_patch(struct req *r)
{
    cJSON *name;
    bool chooses, have[3];
    int64_t position;
    if (!read_group(r, &name, &chooses, &position, have))
        return;
    if (!have[0] && !have[1] && !have[2]) {
        req_fail(r, ERR_INVALID_FIELD, "name", "Give a new \"name\", \"voter_chooses\" or \"position\".");
        return;
    }
    cJSON *patch = cJSON_CreateObject();
    if (name)
        cJSON_AddItemToObject(patch, "name", name);
    if (have[1])
        cJSON_AddBoolToObject(patch, "voter_chooses", chooses);
    if (have[2])
        jv_add_int(patch, "position", position);
    send_change(r, &sql_group_update, patch);
}

static struct db_stmt sql_group_delete = DB_STMT("district_group.delete", 3, "SELECT delete_district_group($1, $2, $3)");

void district_group_delete(struct req *r)
{
    send_change(r, &sql_group_delete, NULL);
}
