/*
 * idp: an organisation's OpenID providers as its admins configure them, for citizens of
 * all its elections or of one, and for its staff. The client secret is never sent or
 * stored: client_secret_ref names a credential of the server (core/credentials.h), and the
 * answers say whether it is set here.
 *
 *   GET    /organisations/{id}/oidc-providers
 *   PUT    /organisations/{id}/oidc-providers        one provider per purpose and election
 *   DELETE /organisations/{id}/oidc-providers/{pid}
 */
#include "api/handlers.h"
#include "core/credentials.h"
#include "core/db.h"
#include "core/oidc.h"
#include "core/reply.h"
#include "lib/i18n.h"
#include "lib/jsonv.h"

#include <ctype.h>
#include <string.h>

/* Adds client_secret_available to one provider object. */
static void annotate(const struct req *r, cJSON *p)
{
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(p, "client_secret_ref");
    cJSON_AddBoolToObject(p, "client_secret_available",
                          cJSON_IsString(ref) && credential_get(r->app->credentials, ref->valuestring));
}

static void reply_list(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    cJSON *list = cJSON_Parse(db_value(res, 0, 0));
    for (cJSON *p = list ? list->child : NULL; p; p = p->next)
        annotate(r, p);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "providers", list ? list : cJSON_CreateArray());
    req_reply_json(r, 200, o);
}

static void reply_one(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    cJSON *p = cJSON_Parse(db_value(res, 0, 0));
    if (!p) {
        req_fail(r, ERR_INTERNAL, NULL, NULL);
        return;
    }
    annotate(r, p);
    req_reply_json(r, 200, p);
}

static struct db_stmt sql_list = DB_STMT("idp.list", 1, "SELECT oidc_providers_json($1)");
static struct db_stmt sql_put = DB_STMT("idp.put", 3, "SELECT put_oidc_provider($1, $2, $3::jsonb)");
static struct db_stmt sql_delete = DB_STMT("idp.delete", 3, "SELECT delete_oidc_provider($1, $2, $3)");

void idp_list(struct req *r)
{
    char org[24];
    const char *p[1] = {i64s(org, r->ids[0])};
    req_db(r, &sql_list, p, reply_list);
}

/* A claim name: what providers use (sub, birthdate, dk:cpr, https://...: no). */
static bool claim_name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 100)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("_.:-", *s))
            return false;
    return true;
}

static bool scopes_valid(const char *s)
{
    bool openid = false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_:.- ", *p))
            return false;
    for (const char *p = strstr(s, "openid"); p; p = strstr(p + 1, "openid"))
        if ((p == s || p[-1] == ' ') && (p[6] == '\0' || p[6] == ' '))
            openid = true;
    return openid && strlen(s) <= 300;
}

void idp_put(struct req *r)
{
    static const char *const keys[] = {"purpose", "election_id", "issuer", "client_id", "client_secret_ref",
                                       "scopes", "eligibility_claim", "birthdate_claim", "min_age", "open_to_all",
                                       "button_text", "enabled", NULL};
    static const char *const purposes[] = {"citizen", "staff", NULL};
    struct verr e;
    int purpose = 0;
    int64_t election = 0, min_age = 0;
    bool b;
    const char *issuer = NULL, *client = NULL, *ref = NULL, *scopes = NULL, *claim = NULL, *birth = NULL;
    cJSON *button = NULL;
    const cJSON *j = r->json;
    if (!jv_only_keys(j, keys, NULL, &e) || jv_enum(j, "purpose", purposes, &purpose, &e) < 0 ||
        jv_id(j, "election_id", &election, &e) < 0 || jv_string(j, "issuer", 300, &issuer, &e) < 0 ||
        jv_string(j, "client_id", 300, &client, &e) < 0 || jv_string(j, "client_secret_ref", 64, &ref, &e) < 0 ||
        jv_string(j, "scopes", 300, &scopes, &e) < 0 || jv_string(j, "eligibility_claim", 100, &claim, &e) < 0 ||
        jv_string(j, "birthdate_claim", 100, &birth, &e) < 0 || jv_int(j, "min_age", 0, 130, &min_age, &e) < 0 ||
        jv_bool(j, "open_to_all", &b, &e) < 0 || jv_bool(j, "enabled", &b, &e) < 0 ||
        i18n_text(j, "button_text", "da", 60, &button, &e) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    const char *bad = NULL, *why = NULL;
    if (!cJSON_GetObjectItemCaseSensitive(j, "purpose"))
        bad = "purpose", why = "\"purpose\" is citizen or staff.";
    else if (!issuer || !oidc_url_allowed(issuer))
        bad = "issuer", why = "\"issuer\" is the provider's https:// address, as its discovery document names it.";
    else if (!client)
        bad = "client_id", why = "\"client_id\" is required.";
    else if (ref && !credential_name_valid(ref))
        bad = "client_secret_ref", why = "\"client_secret_ref\" names a credential: letters, digits, _ and -.";
    else if (scopes && !scopes_valid(scopes))
        bad = "scopes", why = "\"scopes\" are space-separated and include openid.";
    else if (claim && !claim_name_valid(claim))
        bad = "eligibility_claim", why = "\"eligibility_claim\" is a claim name such as sub.";
    else if (birth && !claim_name_valid(birth))
        bad = "birthdate_claim", why = "\"birthdate_claim\" is a claim name such as birthdate.";
    if (bad) {
        cJSON_Delete(button);
        req_fail(r, ERR_INVALID_FIELD, bad, "%s", why);
        return;
    }
    cJSON *row = cJSON_Duplicate(j, true);
    if (button)
        cJSON_ReplaceItemInObjectCaseSensitive(row, "button_text", button);
    char *text = cJSON_PrintUnformatted(row);
    cJSON_Delete(row);
    char staff[24], org[24];
    const char *p[3] = {i64s(staff, r->auth.staff_id), i64s(org, r->ids[0]), text};
    req_db(r, &sql_put, p, reply_one);
    cJSON_free(text);
}

static void deleted(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (!db_bool(res, 0, 0))
        req_fail(r, ERR_NOT_FOUND, NULL, "No such provider in this organisation.");
    else
        req_reply_json(r, 204, NULL);
}

void idp_delete(struct req *r)
{
    char staff[24], org[24], id[24];
    const char *p[3] = {i64s(staff, r->auth.staff_id), i64s(org, r->ids[0]), i64s(id, r->ids[1])};
    req_db(r, &sql_delete, p, deleted);
}
