/*
 * proposal: the projects citizens vote on. Staff create, edit, cost and moderate them
 * until voting opens; citizens submit ideas in the ideas phase (the rough cost is
 * theirs to give or not) and edit them until review; only accepted proposals are on the
 * ballot and shown to the public.
 *
 * The author may ask to be told the moderation decision ("notify": {"to", "lang"} with the
 * idea or an edit, null in an edit or DELETE .../notify to withdraw): the address is sealed
 * here, as every outbox recipient is, and the message is queued by the database in the
 * decision's transaction (schema/functions/ideanotices.sql).
 */
#include "core/db.h"
#include "core/outbox.h"
#include "core/reply.h"
#include "api/handlers.h"
#include "lib/i18n.h"
#include "lib/jsonv.h"

#include <stdlib.h>
#include <string.h>

#define MAX_TITLE 300
#define MAX_SUMMARY 2000
#define MAX_DESCRIPTION 20000
#define MAX_NOTE 2000

static const char *const statuses[] = {"submitted", "accepted", "rejected", NULL};

#define PHOTO_PATH "/api/v1/photos/"

/* A proposal's picture is one of this server's uploaded photos: an address elsewhere
 * would let whoever runs it follow every reader of the page (a tracking pixel). */
static bool url_valid(const char *u)
{
    size_t n = strlen(PHOTO_PATH);
    if (strncmp(u, PHOTO_PATH, n) != 0)
        return false;
    size_t id = strlen(u + n);
    return id >= 1 && id <= 64 && strspn(u + n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == id;
}

/* Reads the editable fields present in body into patch (as the database expects them). */
static bool read_fields(struct req *r, const char *lang, cJSON *patch, struct verr *e)
{
    cJSON *t = NULL;
    const char *texts[] = {"title", "summary", "description"};
    const size_t limits[] = {MAX_TITLE, MAX_SUMMARY, MAX_DESCRIPTION};
    for (size_t i = 0; i < 3; i++) {
        int rc = i18n_text(r->json, texts[i], lang, limits[i], &t, e);
        if (rc < 0)
            return false;
        if (rc == 1)
            cJSON_AddItemToObject(patch, texts[i], t);
    }
    const char *category = NULL, *image = NULL, *reason = NULL;
    int64_t cost;
    int idx, rc;
    if (jv_string(r->json, "category", 100, &category, e) < 0 ||
        jv_string(r->json, "image_url", 2000, &image, e) < 0 ||
        jv_string(r->json, "reason", 2000, &reason, e) < 0)
        return false;
    if (image && !url_valid(image)) {
        verr_set(e, ERR_INVALID_FIELD, "image_url", "\"image_url\" must be a photo uploaded here: /api/v1/photos/{id}.");
        return false;
    }
    if ((rc = jv_int(r->json, "cost", 1, JV_MAX_SAFE_INT, &cost, e)) < 0)
        return false;
    if (rc == 1)
        jv_add_int(patch, "cost", cost);
    if ((rc = jv_enum(r->json, "status", statuses, &idx, e)) < 0)
        return false;
    if (rc == 1)
        cJSON_AddStringToObject(patch, "status", statuses[idx]);
    if (category) {
        const cJSON *cats = cJSON_GetObjectItemCaseSensitive(r->election.row, "categories");
        bool known = cJSON_GetArraySize(cats) == 0;
        for (const cJSON *c = cats ? cats->child : NULL; c && !known; c = c->next) {
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(c, "key");
            known = cJSON_IsString(k) && strcmp(k->valuestring, category) == 0;
        }
        if (!known) {
            verr_set(e, ERR_INVALID_FIELD, "category", "\"category\" must be one of the election's categories.");
            return false;
        }
        cJSON_AddStringToObject(patch, "category", category);
    }
    const cJSON *loc = cJSON_GetObjectItemCaseSensitive(r->json, "location");
    if (loc && !cJSON_IsNull(loc)) {
        static const char *const lkeys[] = {"lat", "lng", "address", NULL};
        const cJSON *lat = cJSON_GetObjectItemCaseSensitive(loc, "lat");
        const cJSON *lng = cJSON_GetObjectItemCaseSensitive(loc, "lng");
        const char *addr = NULL;
        if (!jv_only_keys(loc, lkeys, "location", e) || jv_string(loc, "address", 300, &addr, e) < 0 ||
            (lat && (!cJSON_IsNumber(lat) || lat->valuedouble < -90 || lat->valuedouble > 90)) ||
            (lng && (!cJSON_IsNumber(lng) || lng->valuedouble < -180 || lng->valuedouble > 180)) ||
            (!lat != !lng) || (!lat && !addr)) {
            verr_set(e, ERR_INVALID_FIELD, "location", "\"location\" is {\"lat\", \"lng\"} and/or {\"address\"}.");
            return false;
        }
        cJSON_AddItemToObject(patch, "location", cJSON_Duplicate(loc, 1));
    }
    /* the costing note may be emptied ("" clears it) */
    const cJSON *note = cJSON_GetObjectItemCaseSensitive(r->json, "cost_note");
    if (note && !cJSON_IsNull(note)) {
        if (!cJSON_IsString(note) || strlen(note->valuestring) > MAX_NOTE) {
            verr_set(e, ERR_INVALID_FIELD, "cost_note", "\"cost_note\" must be a text of at most %d characters.", MAX_NOTE);
            return false;
        }
        cJSON_AddStringToObject(patch, "cost_note", note->valuestring);
    }
    if (image)
        cJSON_AddStringToObject(patch, "image_url", image);
    if (reason)
        cJSON_AddStringToObject(patch, "reason", reason);
    return true;
}

/* The author's address for the decision, read from body's "notify": absent (keep what is
 * there), null (withdraw) or {"to", "lang"?}. A given address is sealed into n (free it
 * with outbox_sealed_free); *lang is the language the message is written in. */
enum notify_op { NOTIFY_KEEP, NOTIFY_SET, NOTIFY_DROP };

static bool read_notify(struct req *r, enum notify_op *op, struct outbox_sealed *n, const char **lang)
{
    static const char *const keys[] = {"to", "lang", NULL};
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(r->json, "notify");
    memset(n, 0, sizeof *n);
    *op = !o ? NOTIFY_KEEP : cJSON_IsNull(o) ? NOTIFY_DROP : NOTIFY_SET;
    *lang = r->election.default_lang;
    if (*op != NOTIFY_SET)
        return true;
    struct verr e;
    const char *to = NULL, *l = NULL;
    if (!cJSON_IsObject(o)) {
        req_fail(r, ERR_INVALID_FIELD, "notify", "\"notify\" is {\"to\": an e-mail address or a phone number} or null.");
        return false;
    }
    if (!jv_only_keys(o, keys, "notify", &e) || jv_string(o, "lang", 12, &l, &e) < 0) {
        req_fail_verr(r, &e);
        return false;
    }
    if (l && !i18n_lang_valid(l)) {
        req_fail(r, ERR_INVALID_FIELD, "notify.lang", "\"notify.lang\" must be a language code such as \"da\".");
        return false;
    }
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "to");
    if (cJSON_IsString(t) && strlen(t->valuestring) <= 254)
        to = t->valuestring;
    /* no values of its own: the database fills in the decision when it queues the message */
    cJSON *params = cJSON_CreateObject();
    bool ok = to && outbox_seal(&r->app->keys, to, params, n);
    cJSON_Delete(params);
    if (!ok) {
        req_fail(r, ERR_INVALID_FIELD, "notify", "\"notify.to\" must be an e-mail address or a phone number.");
        return false;
    }
    if (l)
        *lang = l;
    return true;
}

static struct db_stmt sql_add = DB_STMT("proposal.create", 12,
    "SELECT add_proposal_at($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, $7, $8, $9, $10, $11::jsonb, $12)::text");

static struct db_stmt sql_submit = DB_STMT("proposal.submit", 15,
    "SELECT submit_idea($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, $7, $8, $9, $10::jsonb,"
    "                   $11, $12, $13, $14, $15)::text");

void proposal_create(struct req *r)
{
    bool citizen = r->auth.kind == AUTH_VOTER;
    /* "notify" is the citizen's alone: it comes first, so that staff are checked from the next */
    static const char *const keys[] = {"notify", "district_id", "title", "summary", "description", "cost",
                                       "cost_note", "category", "status", "image_url", "location", NULL};
    struct verr e;
    int64_t district = 0;
    cJSON *f = cJSON_CreateObject();
    if (!jv_only_keys(r->json, citizen ? keys : keys + 1, NULL, &e) ||
        jv_id(r->json, "district_id", &district, &e) < 0 || !read_fields(r, r->election.default_lang, f, &e)) {
        cJSON_Delete(f);
        req_fail_verr(r, &e);
        return;
    }
    enum notify_op op = NOTIFY_KEEP;
    struct outbox_sealed n = {0};
    const char *nlang = NULL;
    if (citizen && !read_notify(r, &op, &n, &nlang)) {
        cJSON_Delete(f);
        return;
    }
    if (op == NOTIFY_DROP)
        op = NOTIFY_KEEP; /* null with a new idea: no address */
    /* staff proposals are accepted unless they say otherwise, and an accepted one needs a
     * cost; a submitted one (and a citizen's idea) may wait for it */
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(f, "status");
    bool waits = citizen || (status && strcmp(status->valuestring, "accepted") != 0);
    const char *missing = !district                                                  ? "district_id"
                          : !cJSON_GetObjectItemCaseSensitive(f, "title")            ? "title"
                          : !waits && !cJSON_GetObjectItemCaseSensitive(f, "cost") ? "cost"
                                                                                      : NULL;
    if (missing) {
        cJSON_Delete(f);
        if (citizen)
            outbox_sealed_free(&n);
        req_fail(r, ERR_INVALID_FIELD, missing, "\"%s\" is required.", missing);
        return;
    }
    char *title = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(f, "title"));
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(f, "summary");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(f, "description");
    char *summary = s ? cJSON_PrintUnformatted(s) : NULL;
    char *desc = d ? cJSON_PrintUnformatted(d) : NULL;
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(f, "status");
    const cJSON *cat = cJSON_GetObjectItemCaseSensitive(f, "category");
    const cJSON *img = cJSON_GetObjectItemCaseSensitive(f, "image_url");
    int64_t cost = 0;
    bool costed = jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(f, "cost"), 1, JV_MAX_SAFE_INT, &cost);
    const cJSON *note = cJSON_GetObjectItemCaseSensitive(f, "cost_note");
    char staff[24], id[24], dist[24], c[24];
    const cJSON *loc = cJSON_GetObjectItemCaseSensitive(f, "location");
    char *location = loc ? cJSON_PrintUnformatted(loc) : NULL;
    if (citizen) {
        /* a citizen's proposal waits for review; it names no status of its own */
        bool set = op == NOTIFY_SET;
        const char *p[15] = {i64s(staff, r->auth.voter_id), i64s(id, r->election.id), i64s(dist, district),
                             title, summary, desc, cat ? cat->valuestring : NULL, costed ? i64s(c, cost) : NULL,
                             img ? img->valuestring : NULL, location, set ? n.channel : NULL,
                             set ? nlang : NULL, n.recipient_hex, set ? n.hint : NULL, n.params_hex};
        if (st || note)
            req_fail(r, ERR_INVALID_FIELD, st ? "status" : "cost_note",
                     "Citizens cannot set a proposal's status or costing note.");
        else
            req_db(r, &sql_submit, p, req_db_reply_created);
        outbox_sealed_free(&n);
    } else {
        /* Staff write proposals after checking them: accepted unless they say otherwise. */
        const char *p[12] = {i64s(staff, r->auth.staff_id), i64s(id, r->election.id),
                             i64s(dist, district), title, summary, desc,
                             cat ? cat->valuestring : NULL, costed ? i64s(c, cost) : NULL,
                             st ? st->valuestring : "accepted", img ? img->valuestring : NULL, location,
                             note && note->valuestring[0] ? note->valuestring : NULL};
        req_db(r, &sql_add, p, req_db_reply_created);
    }
    cJSON_free(location);
    cJSON_free(title);
    cJSON_free(summary);
    cJSON_free(desc);
    cJSON_Delete(f);
}

static struct db_stmt sql_list = DB_STMT_READ("proposal.list", 3,
    "SELECT coalesce(jsonb_agg(proposal_json(p) || proposal_supports_json(p, $2) ORDER BY p.district_id, p.id),"
    "                '[]')::text"
    "  FROM proposals p WHERE p.election_id = $1 AND ($2::boolean OR p.status = 'accepted')"
    "   AND ($3::bigint IS NULL OR p.district_id = $3)");

static void list_done(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    req_reply_member(r, "proposals", db_value(res, 0, 0));
}

void proposal_list(struct req *r)
{
    char *district = req_query_param(r, "district");
    if (!district)
        district = req_query_param(r, "district_id");
    int64_t d = 0;
    if (district && (!parse_int64(district, &d) || d <= 0)) {
        free(district);
        req_fail(r, ERR_INVALID_FIELD, "district", "\"district\" must be a district id.");
        return;
    }
    free(district);
    char id[24], ds[24];
    const char *p[3] = {i64s(id, r->election.id), req_has_role(r, ROLE_ANY_STAFF) ? "true" : "false",
                        d ? i64s(ds, d) : NULL};
    req_db(r, &sql_list, p, list_done);
}

static struct db_stmt sql_get = DB_STMT_READ("proposal.get", 2,
    "SELECT (proposal_json(p) || proposal_supports_json(p, $2))::text, p.status = 'accepted'"
    "  FROM proposals p WHERE p.id = $1");

static void got_proposal(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    /* Proposals not (yet) on the ballot are for the election's staff only. */
    if (db_nrows(res) != 1 || (!db_bool(res, 0, 1) && !req_has_role(r, ROLE_ANY_STAFF))) {
        req_fail(r, ERR_NOT_FOUND, NULL, "No such proposal.");
        return;
    }
    req_reply_json_text(r, 200, db_value(res, 0, 0));
}

void proposal_get(struct req *r)
{
    char id[24];
    const char *p[2] = {i64s(id, r->ids[0]), req_has_role(r, ROLE_ANY_STAFF) ? "true" : "false"};
    req_db(r, &sql_get, p, got_proposal);
}

/* The exclusion group travels in the patch: one statement, one transaction. */
/* A decision on an idea queues its message in the same statement; $4 is the address the
 * message links to. */
static struct db_stmt sql_update = DB_STMT("proposal.update", 4,
                                           "SELECT moderate_proposal($1, $2, $3::jsonb, $4)::text");

static struct db_stmt sql_edit_own = DB_STMT("proposal.edit_own", 9,
    "SELECT edit_own_idea($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9)::text");

static const char *const notify_ops[] = {"keep", "set", "drop"};

/* The author's edit of an idea waiting for review: its texts, district, category, rough
 * cost ("cost": null takes it back) and place; never its status or the moderator's fields. */
static void citizen_patch(struct req *r)
{
    static const char *const keys[] = {"title", "summary", "description", "cost", "category", "location",
                                       "district_id", "notify", NULL};
    struct verr e;
    cJSON *patch = cJSON_CreateObject();
    int64_t district = 0;
    if (!jv_only_keys(r->json, keys, NULL, &e) || !read_fields(r, r->election.default_lang, patch, &e) ||
        jv_id(r->json, "district_id", &district, &e) < 0) {
        cJSON_Delete(patch);
        req_fail_verr(r, &e);
        return;
    }
    enum notify_op op;
    struct outbox_sealed n;
    const char *nlang;
    if (!read_notify(r, &op, &n, &nlang)) {
        cJSON_Delete(patch);
        return;
    }
    if (district)
        jv_add_int(patch, "district_id", district);
    static const char *const clearable[] = {"cost", "location", "category"};
    for (size_t i = 0; i < PB_ARRAY_LEN(clearable); i++)
        if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r->json, clearable[i])))
            cJSON_AddNullToObject(patch, clearable[i]);
    char *text = cJSON_PrintUnformatted(patch);
    cJSON_Delete(patch);
    char w[24], id[24];
    bool set = op == NOTIFY_SET;
    const char *p[9] = {i64s(w, r->auth.voter_id), i64s(id, r->ids[0]), text, notify_ops[op],
                        set ? n.channel : NULL, set ? nlang : NULL, n.recipient_hex, set ? n.hint : NULL,
                        n.params_hex};
    req_db(r, &sql_edit_own, p, req_db_reply_ok);
    cJSON_free(text);
    outbox_sealed_free(&n);
}

/* A decision may have queued a message to the idea's author: send it now, not at the
 * dispatcher's next poll. */
static void moderated(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    outbox_kick(r->app->outbox);
    req_reply_json_text(r, 200, db_value(res, 0, 0));
}

void proposal_patch(struct req *r)
{
    if (r->auth.kind == AUTH_VOTER) {
        citizen_patch(r);
        return;
    }
    static const char *const keys[] = {"title", "summary", "description", "cost", "cost_note", "category",
                                       "status", "image_url", "reason", "location", "merged_into",
                                       "district_id", "exclusive_group", NULL};
    struct verr e;
    cJSON *patch = cJSON_CreateObject();
    int64_t merged = 0, district = 0, group = -1;
    if (!jv_only_keys(r->json, keys, NULL, &e) ||
        !read_fields(r, r->election.default_lang, patch, &e) ||
        jv_id(r->json, "merged_into", &merged, &e) < 0 || jv_id(r->json, "district_id", &district, &e) < 0 ||
        jv_int(r->json, "exclusive_group", 0, 1000000, &group, &e) < 0) {
        cJSON_Delete(patch);
        req_fail_verr(r, &e);
        return;
    }
    if (merged)
        jv_add_int(patch, "merged_into", merged);
    if (district)
        jv_add_int(patch, "district_id", district);
    if (group >= 0)
        jv_add_int(patch, "exclusive_group", group);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(patch, "status");
    if (st && strcmp(st->valuestring, "rejected") == 0 &&
        !cJSON_GetObjectItemCaseSensitive(patch, "reason")) {
        cJSON_Delete(patch);
        req_fail(r, ERR_INVALID_FIELD, "reason", "Give the author a \"reason\" when rejecting.");
        return;
    }
    char *text = cJSON_PrintUnformatted(patch);
    cJSON_Delete(patch);
    char w[24], id[24];
    const char *p[4] = {i64s(w, r->auth.staff_id), i64s(id, r->ids[0]), text, r->app->cfg.public_url};
    req_db(r, &sql_update, p, moderated);
    cJSON_free(text);
}

static struct db_stmt sql_withdraw = DB_STMT("proposal.notify_withdraw", 2, "SELECT idea_notice_withdraw($1, $2)");

static void notify_withdrawn(struct req *r, const struct db_result *res)
{
    if (req_db_ok(r, res))
        req_reply_bytes(r, 204, NULL, NULL, 0);
}

/* The author no longer wants the decision sent: in any phase, at once. */
void proposal_notify_withdraw(struct req *r)
{
    char v[24], id[24];
    const char *p[2] = {i64s(v, r->auth.voter_id), i64s(id, r->ids[0])};
    req_db(r, &sql_withdraw, p, notify_withdrawn);
}

static struct db_stmt sql_history = DB_STMT("proposal.history", 2,
    "SELECT coalesce(jsonb_agg(jsonb_build_object('seq', a.seq, 'at', a.at, 'staff_id', a.staff_id,"
    "         'staff', (SELECT s.email FROM staff s WHERE s.id = a.staff_id),"
    "         'action', a.action, 'before', a.details->'before', 'after', a.details->'after') ORDER BY a.seq), '[]')::text"
    "  FROM audit_log a WHERE a.election_id = $2 AND a.action IN ('proposal.create', 'proposal.update')"
    "   AND coalesce(a.details->'after'->>'id', a.details->>'proposal_id') = $1::text");

static void history_done(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct buf b;
    buf_init(&b);
    buf_printf(&b, "{\"proposal_id\":%lld,\"history\":%s}", (long long)r->ids[0], db_value(res, 0, 0));
    req_reply_json_text(r, 200, b.data);
    buf_free(&b);
}

void proposal_history(struct req *r)
{
    char id[24], el[24];
    const char *p[2] = {i64s(id, r->ids[0]), i64s(el, r->election.id)};
    req_db(r, &sql_history, p, history_done);
}

static struct db_stmt sql_mine = DB_STMT("proposal.mine", 2,
    "SELECT coalesce(jsonb_agg(proposal_json(p) || jsonb_build_object('notify', idea_notice_json(p.id))"
    "                          ORDER BY p.id), '[]')::text FROM proposals p"
    " WHERE p.election_id = $1 AND p.author_voter_id = $2");

static void mine_listed(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    req_reply_member(r, "proposals", db_value(res, 0, 0));
}

/* A citizen's own proposals with their status, when rejected the reason, and whether (and
 * by which masked address) the decision will be sent to them. */
void proposal_mine(struct req *r)
{
    char id[24], v[24];
    const char *p[2] = {i64s(id, r->ids[0]), i64s(v, r->auth.voter_id)};
    req_db(r, &sql_mine, p, mine_listed);
}
