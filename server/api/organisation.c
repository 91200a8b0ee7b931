/*
 * organisation: municipalities on one installation, and their staff. The installation
 * admin creates organisations; an organisation's admins invite staff with a role for the
 * whole organisation or one election. Staff of one organisation never see another's.
 */
#include "lib/crypto.h"
#include "core/db.h"
#include "core/outbox.h"
#include "core/reply.h"
#include "api/handlers.h"
#include "lib/jsonv.h"

#include <stdlib.h>
#include <string.h>

static const char *const roles[] = {"admin", "moderator", "clerk", "observer", NULL};

static struct db_stmt sql_create = DB_STMT("organisation.create", 2,
    "SELECT create_organisation($1, $2)::text");

void organisation_create(struct req *r)
{
    static const char *const keys[] = {"name", NULL};
    struct verr e;
    const char *name = NULL;
    if (!jv_only_keys(r->json, keys, NULL, &e) || jv_string(r->json, "name", 200, &name, &e) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (!name) {
        req_fail(r, ERR_INVALID_FIELD, "name", "\"name\" is required.");
        return;
    }
    char id[24];
    const char *p[2] = {name, i64s(id, r->auth.staff_id)};
    req_db(r, &sql_create, p, req_db_reply_created);
}

static void orgs_listed(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    req_reply_member(r, "organisations", db_value(res, 0, 0));
}

static struct db_stmt sql_list = DB_STMT("organisation.list", 2,
    "SELECT coalesce(jsonb_agg(jsonb_build_object('id', o.id, 'name', o.name) ORDER BY o.id), '[]')::text"
    "  FROM organisations o WHERE $2::boolean"
    "    OR EXISTS (SELECT 1 FROM staff_roles r WHERE r.organisation_id = o.id AND r.staff_id = $1)");

void organisation_list(struct req *r)
{
    char id[24];
    const char *p[2] = {i64s(id, r->auth.staff_id), r->auth.superadmin ? "true" : "false"};
    req_db(r, &sql_list, p, orgs_listed);
}

struct invite_state {
    char token[CRYPTO_TOKEN_STRLEN];
    char role[16];
    char email[256];
};

static void invited(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct invite_state *s = REQ_STATE(r, struct invite_state);
    if (db_bool(res, 0, 1))
        outbox_kick(r->app->outbox); /* the invite e-mail was queued with it */
    cJSON *o = cJSON_CreateObject();
    jv_add_int(o, "id", db_int64(res, 0, 0));
    cJSON_AddStringToObject(o, "email", s->email);
    cJSON_AddStringToObject(o, "role", s->role);
    if (db_bool(res, 0, 1))
        cJSON_AddStringToObject(o, "invite_token", s->token);
    else
        cJSON_AddNullToObject(o, "invite_token"); /* an existing account only gained the role */
    req_reply_json(r, 201, o);
}

static void invite_state_release(void *p)
{
    crypto_wipe(p, sizeof(struct invite_state));
}

static struct db_stmt sql_invite = DB_STMT("staff.invite", 10,
                                           "SELECT * FROM invite_staff($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");

void organisation_staff_invite(struct req *r)
{
    static const char *const keys[] = {"email", "role", "election_id", NULL};
    struct verr e;
    const char *email = NULL;
    int role = -1, rc_role;
    int64_t election = 0;
    if (!jv_only_keys(r->json, keys, NULL, &e) || jv_string(r->json, "email", 254, &email, &e) < 0 ||
        (rc_role = jv_enum(r->json, "role", roles, &role, &e)) < 0 ||
        jv_id(r->json, "election_id", &election, &e) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (!email || rc_role == 0) {
        req_fail(r, ERR_INVALID_FIELD, !email ? "email" : "role", "Give \"email\" and \"role\".");
        return;
    }
    const char *at = strchr(email, '@');
    if (!at || at == email || !strchr(at, '.') || strpbrk(email, " \t\r\n<>\"")) {
        req_fail(r, ERR_INVALID_FIELD, "email", "\"email\" must be an e-mail address.");
        return;
    }
    struct invite_state *s = REQ_STATE_NEW(r, struct invite_state, invite_state_release);
    crypto_token(s->token);
    snprintf(s->role, sizeof s->role, "%s", roles[role]);
    snprintf(s->email, sizeof s->email, "%s", email);
    unsigned char h[CRYPTO_SHA256_LEN];
    char hex[65], actor[24], org[24], el[24];
    crypto_sha256(s->token, strlen(s->token), h);
    crypto_hex(h, sizeof h, hex);
    /* the invite e-mail: the link with the token, sealed in the outbox (core/outbox.h) */
    cJSON *params = cJSON_CreateObject();
    char *link = xasprintf("%s/admin.html#/accept/%s", r->app->cfg.public_url, s->token);
    cJSON_AddStringToObject(params, "invite_url", link);
    cJSON_AddStringToObject(params, "role", roles[role]);
    free(link);
    struct outbox_sealed sealed;
    bool mail = outbox_seal(&r->app->keys, email, params, &sealed);
    cJSON_Delete(params);
    const char *p[10] = {i64s(actor, r->auth.staff_id), r->auth.superadmin ? "true" : "false",
                         i64s(org, r->ids[0]), email, roles[role], election ? i64s(el, election) : NULL, hex,
                         mail ? sealed.recipient_hex : NULL, mail ? sealed.hint : NULL, mail ? sealed.params_hex : NULL};
    req_db(r, &sql_invite, p, invited);
    if (mail)
        outbox_sealed_free(&sealed);
}

static struct db_stmt sql_staff = DB_STMT("organisation.staff", 1,
    "SELECT coalesce((SELECT jsonb_agg(jsonb_build_object('id', s.id, 'email', s.email,"
    "      'active', s.password_hash IS NOT NULL AND s.disabled_at IS NULL,"
    "      'invited', s.password_hash IS NULL AND s.invite_expires_at > now(),"
    "      'totp_enabled', s.totp_enabled,"
    "      'roles', (SELECT jsonb_agg(jsonb_build_object('role', r.role, 'election_id', r.election_id)"
    "                                 ORDER BY r.election_id NULLS FIRST, r.role)"
    "                  FROM staff_roles r WHERE r.staff_id = s.id AND r.organisation_id = $1)) ORDER BY s.id)"
    "    FROM staff s WHERE EXISTS (SELECT 1 FROM staff_roles r WHERE r.staff_id = s.id AND r.organisation_id = $1)),"
    "    '[]')::text");

static void staff_listed(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    req_reply_member(r, "staff", db_value(res, 0, 0));
}

void organisation_staff_list(struct req *r)
{
    char org[24];
    const char *p[1] = {i64s(org, r->ids[0])};
    req_db(r, &sql_staff, p, staff_listed);
}

static struct db_stmt sql_remove = DB_STMT("staff.remove", 4, "SELECT remove_staff($1, $2, $3, $4)");

/* Every role of the person in the organisation goes (remove_staff says what stays). */
void organisation_staff_remove(struct req *r)
{
    char actor[24], org[24], staff[24];
    const char *p[4] = {i64s(actor, r->auth.staff_id), r->auth.superadmin ? "true" : "false", i64s(org, r->ids[0]),
                        i64s(staff, r->ids[1])};
    req_db(r, &sql_remove, p, req_db_reply_none);
}
