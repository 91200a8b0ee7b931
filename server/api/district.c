/*
 * district: an election's districts (budget frames, each with its own budget and voters):
 * added, renamed, given another budget or deleted until voting opens. Shape checks here;
 * the state checks (phase, what depends on a district) and the audit entry in the
 * database functions of schema/functions/elections.sql.
 */
#include "api/handlers.h"
#include "core/db.h"
#include "core/reply.h"
#include "lib/i18n.h"
#include "lib/jsonv.h"

#include <stdlib.h>
#include <string.h>

#define MAX_NAME 300

/* name and budget from the body; each is absent (NULL, 0) or valid. */
static bool read_district(struct req *r, cJSON **name, int64_t *budget)
{
    static const char *const keys[] = {"name", "budget", NULL};
    struct verr e;
    *name = NULL;
    *budget = 0;
    if (!jv_only_keys(r->json, keys, NULL, &e) ||
        i18n_text(r->json, "name", r->election.default_lang, MAX_NAME, name, &e) < 0 ||
        jv_int(r->json, "budget", 1, JV_MAX_SAFE_INT, budget, &e) < 0) {
        cJSON_Delete(*name);
        *name = NULL;
        req_fail_verr(r, &e);
        return false;
    }
    return true;
}

static struct db_stmt sql_add = DB_STMT("district.create", 4, "SELECT add_district($1, $2, $3::jsonb, $4)::text");

void district_create(struct req *r)
{
    cJSON *name;
    int64_t budget;
    if (!read_district(r, &name, &budget))
        return;
    if (!name || !budget) {
        cJSON_Delete(name);
        req_fail(r, ERR_INVALID_FIELD, !name ? "name" : "budget", "\"%s\" is required.", !name ? "name" : "budget");
        return;
    }
    char *text = cJSON_PrintUnformatted(name);
    cJSON_Delete(name);
    char staff[24], id[24], b[24];
    const char *p[4] = {i64s(staff, r->auth.staff_id), i64s(id, r->election.id), text, i64s(b, budget)};
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
    int64_t budget;
    if (!read_district(r, &name, &budget))
        return;
    if (!name && !budget) {
        req_fail(r, ERR_INVALID_FIELD, "name", "Give a new \"name\", \"budget\" or both.");
        return;
    }
    cJSON *patch = cJSON_CreateObject();
    if (name)
        cJSON_AddItemToObject(patch, "name", name);
    if (budget)
        jv_add_int(patch, "budget", budget);
    char *text = cJSON_PrintUnformatted(patch);
    cJSON_Delete(patch);
    char staff[24], id[24], d[24];
    const char *p[4] = {i64s(staff, r->auth.staff_id), i64s(id, r->election.id), i64s(d, r->ids[1]), text};
    req_db(r, &sql_update, p, req_db_reply_ok);
    cJSON_free(text);
}

static struct db_stmt sql_delete = DB_STMT("district.delete", 3, "SELECT delete_district($1, $2, $3)");

void district_delete(struct req *r)
{
    char staff[24], id[24], d[24];
    const char *p[3] = {i64s(staff, r->auth.staff_id), i64s(id, r->election.id), i64s(d, r->ids[1])};
    req_db(r, &sql_delete, p, req_db_reply_none);
}
