/*
 * import: proposals in bulk from a spreadsheet's CSV, and back out as CSV. An import is
 * checked whole on a worker thread (lib/propimport) and stored whole by one database
 * function (import_proposals), or not at all; a dry run lists every row's problem first.
 * Amounts are read and written the way of the language the page asks for (?lang=da reads
 * 1.000.000,50).
 */
#include "api/handlers.h"
#include "api/upload.h"
#include "core/db.h"
#include "core/reply.h"
#include "lib/i18n.h"
#include "lib/jsonv.h"
#include "lib/propimport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool upload_dry_run(const struct req *r)
{
    char *v = req_query_param(r, "dry_run");
    bool yes = v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
    free(v);
    return yes;
}

bool upload_text_ok(struct req *r, const char *what)
{
    if (r->body_len && utf8_valid(r->body, r->body_len))
        return true;
    req_fail(r, ERR_INVALID_FIELD, "body", "Send %s as UTF-8 CSV text.", what);
    return false;
}

cJSON *upload_findings(size_t good_rows, const struct rowerrors *errors)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "dry_run", true);
    cJSON_AddBoolToObject(o, "valid", errors->count == 0);
    jv_add_int(o, "rows", (int64_t)good_rows);
    jv_add_int(o, "error_count", (int64_t)errors->count);
    cJSON_AddItemToObject(o, "errors", rowerrors_json(errors));
    return o;
}

bool upload_clean(struct req *r, const char *what, const struct rowerrors *errors)
{
    if (!errors->count)
        return true;
    char first[300];
    rowerrors_first(errors, first, sizeof first);
    req_fail(r, ERR_INVALID_FIELD, "body", "%s has %zu problem%s, so nothing was stored. %s", what, errors->count,
             errors->count == 1 ? "" : "s", first);
    return false;
}

/* The number style of ?lang=, else of the election's default language; false (answered)
 * for a language that is not a language code. */
static bool style_of(struct req *r, enum money_style *style)
{
    char *lang = req_query_param(r, "lang");
    bool ok = !lang || i18n_lang_valid(lang);
    if (ok)
        *style = money_style_for(lang ? lang : r->election.default_lang);
    else
        req_fail(r, ERR_INVALID_FIELD, "lang", "\"lang\" must be a language code such as da or en.");
    free(lang);
    return ok;
}

/* An import on a worker thread: the job reads only this. */
struct import_state {
    char *text;
    size_t len;
    cJSON *election; /* a copy of the election's JSON */
    enum money_style style;
    bool dry_run;
    struct propimport result;
};

static void import_release(void *p)
{
    struct import_state *s = p;
    free(s->text);
    cJSON_Delete(s->election);
    propimport_free(&s->result);
}

static void import_work(void *job)
{
    struct import_state *s = job;
    propimport_run(s->election, s->text, s->len, s->style, &s->result);
}

static void imported(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    cJSON *o = cJSON_CreateObject();
    jv_add_int(o, "imported", db_int64(res, 0, 0));
    req_reply_json(r, 201, o);
}

static struct db_stmt sql_import = DB_STMT("proposal.import", 3, "SELECT import_proposals($1, $2, $3::jsonb)");

static void import_checked(struct req *r)
{
    struct import_state *s = REQ_STATE(r, struct import_state);
    struct propimport *res = &s->result;
    if (res->fatal[0]) {
        req_fail(r, ERR_INVALID_FIELD, "body", "%s", res->fatal);
        return;
    }
    if (s->dry_run) {
        cJSON *o = upload_findings((size_t)cJSON_GetArraySize(res->rows), &res->errors);
        jv_add_int(o, "lines", (int64_t)res->count);
        req_reply_json(r, 200, o);
        return;
    }
    if (!upload_clean(r, "The file", &res->errors))
        return;
    char *rows = cJSON_PrintUnformatted(res->rows);
    char staff[24], id[24];
    const char *p[3] = {i64s(staff, r->auth.staff_id), i64s(id, r->election.id), rows};
    req_db(r, &sql_import, p, imported);
    cJSON_free(rows);
}

void proposal_import(struct req *r)
{
    enum money_style style;
    if (!style_of(r, &style) || !upload_text_ok(r, "the proposals"))
        return;
    struct import_state *s = REQ_STATE_NEW(r, struct import_state, import_release);
    s->text = xstrndup(r->body, r->body_len);
    s->len = r->body_len;
    s->election = cJSON_Duplicate(r->election.row, 1);
    s->style = style;
    s->dry_run = upload_dry_run(r);
    req_worker(r, import_work, s, import_checked);
}

/* --- export --- */

static struct db_stmt sql_all = DB_STMT("proposal.all", 1,
    "SELECT coalesce(jsonb_agg(proposal_json(p) ORDER BY p.district_id, p.id), '[]')::text"
    "  FROM proposals p WHERE p.election_id = $1");

static void listed(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    enum money_style style;
    if (!style_of(r, &style))
        return;
    cJSON *props = cJSON_Parse(db_value(res, 0, 0));
    struct buf out;
    buf_init(&out);
    propimport_export(r->election.row, props, style, &out);
    cJSON_Delete(props);
    char disp[96];
    snprintf(disp, sizeof disp, "attachment; filename=\"election-%lld-proposals.csv\"", (long long)r->election.id);
    req_add_header(r, "Content-Disposition", disp);
    req_reply_bytes(r, 200, "text/csv; charset=utf-8", out.data, out.len);
    buf_free(&out);
}

/* Every proposal of the election (any status), for a spreadsheet. */
void proposal_export(struct req *r)
{
    enum money_style style;
    if (!style_of(r, &style))
        return;
    char id[24];
    const char *p[1] = {i64s(id, r->election.id)};
    req_db(r, &sql_all, p, listed);
}
