/*
 * election: creating and configuring elections (budget frames), their districts and
 * phases. Shape and range checks happen here; state checks, authorisation that depends
 * on the organisation, and the audit entry happen atomically in the database functions
 * of schema/functions/elections.sql.
 */
#include "core/app.h"
#include "lib/ballot_rules.h"
#include "lib/countrule.h"
#include "lib/crypto.h"
#include "core/db.h"
#include "core/reply.h"
#include "api/handlers.h"
#include "lib/i18n.h"
#include "lib/jsonv.h"
#include "lib/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TITLE 300
#define MAX_DESCRIPTION 20000

static const char *const phases[] = {"proposals", "supports", "review", "voting", "closed", "ideas", NULL};

static bool slug_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 63 || s[0] == '-')
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static bool currency_valid(const char *s)
{
    return strlen(s) == 3 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 3;
}

static bool phases_valid(const cJSON *p, struct verr *e)
{
    static const char *const keys[] = {"proposals", "supports", "review", "voting", "closed", NULL};
    if (!jv_only_keys(p, keys, "phases", e))
        return false;
    for (const cJSON *c = p->child; c; c = c->next) {
        if (!cJSON_IsString(c) || strlen(c->valuestring) > 40 || strlen(c->valuestring) < 10) {
            verr_set(e, ERR_INVALID_FIELD, "phases",
                     "Phase times must be ISO 8601 timestamps such as 2026-05-01T08:00:00Z.");
            return false;
        }
    }
    return true;
}

/* Validated election settings shared by create and patch. Present fields only. */
struct election_input {
    int paper_double_entry; /* -1 absent */
    cJSON *title, *description, *ballot, *rule_params, *phases, *languages, *categories, *supports;
    const char *slug, *currency, *rule, *lang;
    int64_t organisation_id;
    struct ballot_config bc;
    bool has_ballot;
};

static void input_free(struct election_input *in)
{
    cJSON_Delete(in->title);
    cJSON_Delete(in->description);
    cJSON_Delete(in->ballot);
    cJSON_Delete(in->rule_params);
    cJSON_Delete(in->phases);
    cJSON_Delete(in->languages);
    cJSON_Delete(in->categories);
    cJSON_Delete(in->supports);
}

/* supports: {"max_per_voter": 1..1000, "show_counts": bool}, either or both. */
static cJSON *supports_read(const cJSON *s, struct verr *e)
{
    static const char *const keys[] = {"max_per_voter", "show_counts", NULL};
    int64_t max = 0;
    bool show = false;
    int rc_max, rc_show;
    if (!cJSON_IsObject(s)) {
        verr_set(e, ERR_INVALID_FIELD, "supports", "\"supports\" must be {\"max_per_voter\", \"show_counts\"}.");
        return NULL;
    }
    if (!jv_only_keys(s, keys, "supports", e))
        return NULL;
    if ((rc_max = jv_int(s, "max_per_voter", 1, 1000, &max, e)) < 0 ||
        (rc_show = jv_bool(s, "show_counts", &show, e)) < 0) {
        /* name the member where it sits (both keys are short) */
        char field[sizeof e->field];
        snprintf(field, sizeof field, "supports.%.40s", e->field);
        snprintf(e->field, sizeof e->field, "%s", field);
        return NULL;
    }
    cJSON *out = cJSON_CreateObject();
    if (rc_max == 1)
        jv_add_int(out, "max_per_voter", max);
    if (rc_show == 1)
        cJSON_AddBoolToObject(out, "show_counts", show);
    return out;
}

/* languages: a non-empty list of distinct language codes. */
static bool languages_valid(const cJSON *l, struct verr *e)
{
    int n = cJSON_GetArraySize(l);
    if (!cJSON_IsArray(l) || n < 1 || n > 20)
        goto bad;
    for (const cJSON *c = l->child; c; c = c->next) {
        if (!cJSON_IsString(c) || !i18n_lang_valid(c->valuestring))
            goto bad;
        for (const cJSON *d = c->next; d; d = d->next)
            if (cJSON_IsString(d) && strcmp(c->valuestring, d->valuestring) == 0)
                goto bad;
    }
    return true;
bad:
    verr_set(e, ERR_INVALID_FIELD, "languages", "\"languages\" must list distinct language codes, such as [\"da\", \"en\"].");
    return false;
}

/* categories: [{"key": "park", "name": {"da": ..., "en": ...}}, ...] with distinct keys. */
static cJSON *categories_read(const cJSON *l, const char *lang, struct verr *e)
{
    if (!cJSON_IsArray(l) || cJSON_GetArraySize(l) > 100) {
        verr_set(e, ERR_INVALID_FIELD, "categories", "\"categories\" must be a list of {\"key\", \"name\"}.");
        return NULL;
    }
    cJSON *out = cJSON_CreateArray();
    static const char *const keys[] = {"key", "name", NULL};
    for (const cJSON *c = l->child; c; c = c->next) {
        const char *key = NULL;
        cJSON *name = NULL;
        if (!jv_only_keys(c, keys, "categories", e) || jv_string(c, "key", 64, &key, e) <= 0 ||
            strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(key) ||
            i18n_text(c, "name", lang, 200, &name, e) <= 0) {
            cJSON_Delete(name);
            cJSON_Delete(out);
            verr_set(e, ERR_INVALID_FIELD, "categories",
                     "Each category needs a \"key\" (lowercase letters, digits, dashes) and a \"name\".");
            return NULL;
        }
        for (const cJSON *d = out->child; d; d = d->next)
            if (strcmp(cJSON_GetObjectItemCaseSensitive(d, "key")->valuestring, key) == 0) {
                cJSON_Delete(name);
                cJSON_Delete(out);
                verr_set(e, ERR_INVALID_FIELD, "categories", "Category keys must be distinct.");
                return NULL;
            }
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "key", key);
        cJSON_AddItemToObject(o, "name", name);
        cJSON_AddItemToArray(out, o);
    }
    return out;
}

static bool read_input(const cJSON *body, const char *default_lang, struct election_input *in,
                       struct verr *e)
{
    static const char *const keys[] = {"slug", "title", "description", "currency", "ballot",
                                       "rule", "rule_params", "phases", "organisation_id",
                                       "default_language", "languages", "categories",
                                       "paper_double_entry", "supports", NULL};
    memset(in, 0, sizeof *in);
    int idx = 0, rc_rule;
    if (!jv_only_keys(body, keys, NULL, e) || jv_string(body, "slug", 63, &in->slug, e) < 0 ||
        jv_string(body, "default_language", 11, &in->lang, e) < 0 ||
        jv_string(body, "currency", 3, &in->currency, e) < 0 ||
        (rc_rule = jv_enum(body, "rule", countrule_names, &idx, e)) < 0 ||
        jv_id(body, "organisation_id", &in->organisation_id, e) < 0)
        return false;
    if (rc_rule == 1)
        in->rule = countrule_names[idx];
    if (in->slug && !slug_valid(in->slug)) {
        verr_set(e, ERR_INVALID_FIELD, "slug",
                 "\"slug\" must be 1-63 lowercase letters, digits and dashes.");
        return false;
    }
    if (in->lang && !i18n_lang_valid(in->lang)) {
        verr_set(e, ERR_INVALID_FIELD, "default_language", "\"default_language\" must be a language code such as \"da\".");
        return false;
    }
    if (in->currency && !currency_valid(in->currency)) {
        verr_set(e, ERR_INVALID_FIELD, "currency", "\"currency\" must be an ISO 4217 code such as \"DKK\".");
        return false;
    }
    const char *lang = in->lang ? in->lang : default_lang;
    if (i18n_text(body, "title", lang, MAX_TITLE, &in->title, e) < 0 ||
        i18n_text(body, "description", lang, MAX_DESCRIPTION, &in->description, e) < 0)
        return false;
    const cJSON *ballot = cJSON_GetObjectItemCaseSensitive(body, "ballot");
    if (ballot && !cJSON_IsNull(ballot)) {
        if (!ballot_config_parse(ballot, &in->bc, e))
            return false;
        in->ballot = ballot_config_to_json(&in->bc);
        in->has_ballot = true;
    }
    bool pde = false;
    int rc_pde = jv_bool(body, "paper_double_entry", &pde, e);
    if (rc_pde < 0)
        return false;
    in->paper_double_entry = rc_pde == 1 ? pde : -1;
    const cJSON *langs = cJSON_GetObjectItemCaseSensitive(body, "languages");
    if (langs && !cJSON_IsNull(langs)) {
        if (!languages_valid(langs, e))
            return false;
        in->languages = cJSON_Duplicate(langs, 1);
    }
    const cJSON *cats = cJSON_GetObjectItemCaseSensitive(body, "categories");
    if (cats && !cJSON_IsNull(cats) && !(in->categories = categories_read(cats, lang, e)))
        return false;
    const cJSON *sup = cJSON_GetObjectItemCaseSensitive(body, "supports");
    if (sup && !cJSON_IsNull(sup) && !(in->supports = supports_read(sup, e)))
        return false;
    const cJSON *rp = cJSON_GetObjectItemCaseSensitive(body, "rule_params");
    if (rp && !cJSON_IsNull(rp)) {
        if (!countrule_params_valid(rp, e))
            return false;
        in->rule_params = cJSON_Duplicate(rp, 1);
    }
    const cJSON *ph = cJSON_GetObjectItemCaseSensitive(body, "phases");
    if (ph && !cJSON_IsNull(ph)) {
        if (!phases_valid(ph, e))
            return false;
        in->phases = cJSON_Duplicate(ph, 1);
    }
    return true;
}

static char *print(const cJSON *j)
{
    return j ? cJSON_PrintUnformatted(j) : NULL;
}

static struct db_stmt sql_create = DB_STMT("election.create", 16,
    "SELECT create_election_frame($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9::jsonb, $10,"
    "       $11::jsonb, $12::jsonb, decode($13, 'hex'), decode($14, 'hex'), $15::jsonb, $16::jsonb)::text");

void election_create(struct req *r)
{
    struct election_input in;
    struct verr e;
    if (!read_input(r->json, "da", &in, &e)) {
        input_free(&in);
        req_fail_verr(r, &e);
        return;
    }
    const char *missing = !in.slug ? "slug" : !in.title ? "title" : !in.has_ballot ? "ballot" : NULL;
    if ((in.paper_double_entry >= 0 || in.supports) && !missing) {
        const char *f = in.supports ? "supports" : "paper_double_entry";
        input_free(&in);
        req_fail(r, ERR_INVALID_FIELD, f, "Set \"%s\" with PATCH after creating the election.", f);
        return;
    }
    if (missing) {
        input_free(&in);
        req_fail(r, ERR_INVALID_FIELD, missing, "\"%s\" is required.", missing);
        return;
    }
    const char *rule = in.rule ? in.rule : "greedy";
    if (!countrule_fits_ballot(rule, &in.bc, &e)) {
        input_free(&in);
        req_fail_verr(r, &e);
        return;
    }
    unsigned char priv[CRYPTO_ED25519_KEY_LEN], pub[CRYPTO_ED25519_KEY_LEN];
    unsigned char sealed[CRYPTO_ED25519_KEY_LEN + CRYPTO_SEAL_OVERHEAD];
    if (!crypto_ed25519_keygen(priv, pub) || !crypto_seal(r->app->keys.election_signing, priv, sizeof priv, sealed)) {
        crypto_wipe(priv, sizeof priv);
        input_free(&in);
        req_fail(r, ERR_INTERNAL, NULL, "Cannot create the election's signing key.");
        return;
    }
    crypto_wipe(priv, sizeof priv);
    char pubhex[2 * sizeof pub + 1], sealedhex[2 * sizeof sealed + 1];
    crypto_hex(pub, sizeof pub, pubhex);
    crypto_hex(sealed, sizeof sealed, sealedhex);

    char staff[24], org[24];
    char *title = print(in.title), *desc = print(in.description), *ballot = print(in.ballot),
         *rp = print(in.rule_params), *ph = print(in.phases), *langs = print(in.languages),
         *cats = print(in.categories);
    const char *p[16] = {i64s(staff, r->auth.staff_id), r->auth.superadmin ? "true" : "false",
                         in.organisation_id ? i64s(org, in.organisation_id) : NULL, in.slug,
                         title, desc, in.lang ? in.lang : "da",
                         in.currency ? in.currency : "DKK", ballot, rule, rp, ph, pubhex,
                         sealedhex, langs, cats};
    req_db(r, &sql_create, p, req_db_reply_created);
    cJSON_free(langs);
    cJSON_free(cats);
    cJSON_free(title);
    cJSON_free(desc);
    cJSON_free(ballot);
    cJSON_free(rp);
    cJSON_free(ph);
    input_free(&in);
}

static struct db_stmt sql_list = DB_STMT("election.list", 2,
    "SELECT coalesce(jsonb_agg(election_json(e) ORDER BY e.id), '[]')::text FROM elections e"
    " WHERE e.phase <> 'draft' OR $2::boolean"
    "    OR ($1::bigint IS NOT NULL AND staff_role_mask($1, e.id) > 0)");

static void list_done(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    req_reply_member(r, "elections", db_value(res, 0, 0));
}

void election_list(struct req *r)
{
    char staff[24];
    bool is_staff = r->auth.kind == AUTH_STAFF;
    const char *p[2] = {is_staff ? i64s(staff, r->auth.staff_id) : NULL,
                        is_staff && r->auth.superadmin ? "true" : "false"};
    req_db(r, &sql_list, p, list_done);
}

void election_get(struct req *r)
{
    cJSON *row = r->election.row;
    r->election.row = NULL;
    req_reply_json(r, 200, row);
}

static struct db_stmt sql_patch = DB_STMT("election.update", 3, "SELECT update_election($1, $2, $3::jsonb)::text");

void election_patch(struct req *r)
{
    struct election_input in;
    struct verr e;
    if (!read_input(r->json, r->election.default_lang, &in, &e)) {
        input_free(&in);
        req_fail_verr(r, &e);
        return;
    }
    if (in.slug || in.organisation_id) {
        input_free(&in);
        req_fail(r, ERR_INVALID_FIELD, in.slug ? "slug" : "organisation_id",
                 "The slug and organisation of an election cannot change.");
        return;
    }
    struct ballot_config current;
    const cJSON *cur_ballot = cJSON_GetObjectItemCaseSensitive(r->election.row, "ballot");
    if (!in.has_ballot && !ballot_config_parse(cur_ballot, &current, &e)) {
        input_free(&in);
        req_fail(r, ERR_INTERNAL, NULL, NULL);
        return;
    }
    if (!countrule_fits_ballot(in.rule ? in.rule : r->election.rule, in.has_ballot ? &in.bc : &current,
                          &e)) {
        input_free(&in);
        req_fail_verr(r, &e);
        return;
    }
    cJSON *patch = cJSON_CreateObject();
    if (in.title)
        cJSON_AddItemToObject(patch, "title", cJSON_Duplicate(in.title, 1));
    if (in.description)
        cJSON_AddItemToObject(patch, "description", cJSON_Duplicate(in.description, 1));
    if (in.lang)
        cJSON_AddStringToObject(patch, "default_language", in.lang);
    if (in.currency)
        cJSON_AddStringToObject(patch, "currency", in.currency);
    if (in.ballot)
        cJSON_AddItemToObject(patch, "ballot", cJSON_Duplicate(in.ballot, 1));
    if (in.rule)
        cJSON_AddStringToObject(patch, "rule", in.rule);
    if (in.rule_params)
        cJSON_AddItemToObject(patch, "rule_params", cJSON_Duplicate(in.rule_params, 1));
    if (in.phases)
        cJSON_AddItemToObject(patch, "phases", cJSON_Duplicate(in.phases, 1));
    if (in.languages)
        cJSON_AddItemToObject(patch, "languages", cJSON_Duplicate(in.languages, 1));
    if (in.paper_double_entry >= 0)
        cJSON_AddBoolToObject(patch, "paper_double_entry", in.paper_double_entry);
    if (in.categories)
        cJSON_AddItemToObject(patch, "categories", cJSON_Duplicate(in.categories, 1));
    if (in.supports)
        cJSON_AddItemToObject(patch, "supports", cJSON_Duplicate(in.supports, 1));
    input_free(&in);
    char *text = cJSON_PrintUnformatted(patch);
    cJSON_Delete(patch);
    char staff[24], id[24];
    const char *p[3] = {i64s(staff, r->auth.staff_id), i64s(id, r->election.id), text};
    req_db(r, &sql_patch, p, req_db_reply_ok);
    cJSON_free(text);
}

static struct db_stmt sql_set_phase = DB_STMT("election.set_phase", 3, "SELECT set_phase($1, $2, $3)::text");

void election_phase(struct req *r)
{
    static const char *const keys[] = {"phase", NULL};
    struct verr e;
    int idx = -1;
    int rc;
    if (!jv_only_keys(r->json, keys, NULL, &e) || (rc = jv_enum(r->json, "phase", phases, &idx, &e)) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (rc == 0) {
        req_fail(r, ERR_INVALID_FIELD, "phase", "\"phase\" is required.");
        return;
    }
    enum phase phase = PHASE_DRAFT;
    if (!phase_from_name(phases[idx], &phase)) /* "ideas" is the pages' word for proposals */
        PB_ASSERT(!"phase list and vocabulary disagree");
    char staff[24], id[24];
    const char *p[3] = {i64s(staff, r->auth.staff_id), i64s(id, r->election.id), phase_name(phase)};
    req_db(r, &sql_set_phase, p, req_db_reply_ok);
}

static struct db_stmt sql_audit = DB_STMT("audit.list", 1,
    "SELECT coalesce(jsonb_agg(jsonb_build_object('seq', a.seq, 'at', a.at, 'staff_id', a.staff_id,"
    "         'action', a.action, 'details', a.details, 'prev_hash', encode(a.prev_hash, 'hex'),"
    "         'hash', encode(a.hash, 'hex'), 'text', audit_entry_text(a), 'staff_email', s.email)"
    "         ORDER BY a.seq), '[]')::text"
    "  FROM audit_log a LEFT JOIN staff s ON s.id = a.staff_id WHERE a.election_id = $1");

static void audit_done(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    req_reply_member(r, "entries", db_value(res, 0, 0));
}

void election_audit(struct req *r)
{
    char id[24];
    const char *p[1] = {i64s(id, r->election.id)};
    req_db(r, &sql_audit, p, audit_done);
}

static void audit_verified(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    cJSON *o = cJSON_CreateObject();
    jv_add_int(o, "election_id", r->election.id);
    jv_add_int(o, "entries", db_int64(res, 0, 0));
    bool valid = db_value(res, 0, 1) == NULL;
    cJSON_AddBoolToObject(o, "valid", valid);
    if (!valid) {
        jv_add_int(o, "first_broken_seq", db_int64(res, 0, 1));
        cJSON_AddStringToObject(o, "reason", db_value(res, 0, 2));
    }
    req_reply_json(r, 200, o);
}

static struct db_stmt sql_audit_verify = DB_STMT("audit.verify", 1, "SELECT * FROM audit_verify($1)");

void election_audit_verify(struct req *r)
{
    char id[24];
    const char *p[1] = {i64s(id, r->election.id)};
    req_db(r, &sql_audit_verify, p, audit_verified);
}
