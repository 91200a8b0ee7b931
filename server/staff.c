/*
 * staff: staff sign-in and sign-out. Passwords are checked with scrypt on a worker
 * thread; an unknown e-mail costs the same time as a wrong password.
 */
#include "crypto.h"
#include "db.h"
#include "handlers.h"
#include "jsonv.h"
#include "log.h"
#include "worker.h"

#include <stdlib.h>
#include <string.h>

#define STAFF_SESSION_TTL_S (12 * 3600)

struct login {
    char *password;
    char *hash; /* NULL: unknown e-mail */
    int64_t staff_id;
    bool ok;
};

static void login_free(void *p)
{
    struct login *l = p;
    if (l->password) {
        crypto_wipe(l->password, strlen(l->password));
        free(l->password);
    }
    free(l->hash);
    free(l);
}

static const char sql_find_staff[] =
    "SELECT id, password_hash FROM staff"
    " WHERE lower(email) = lower($1) AND disabled_at IS NULL AND password_hash IS NOT NULL";

static const char sql_new_session[] =
    "WITH s AS (INSERT INTO sessions (token_hash, kind, staff_id, expires_at)"
    "           VALUES (decode($1, 'hex'), 'staff', $2, now() + make_interval(secs => $3))"
    "           RETURNING staff_id, expires_at)"
    "SELECT CASE WHEN st.is_superadmin THEN 'admin' ELSE"
    "         (SELECT r.role FROM staff_roles r WHERE r.staff_id = st.id"
    "           ORDER BY array_position(ARRAY['admin','moderator','clerk','observer'], r.role)"
    "           LIMIT 1) END,"
    "       to_char(s.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    "  FROM s JOIN staff st ON st.id = s.staff_id";

static void session_stored(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    const char *token = r->state_token;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "token", token);
    char csrf[65];
    req_csrf_token(r->app, r->auth.token_hash, csrf);
    cJSON_AddStringToObject(o, "csrf_token", csrf);
    const char *role = db_value(res, 0, 0);
    if (role)
        cJSON_AddStringToObject(o, "role", role);
    else
        cJSON_AddNullToObject(o, "role");
    cJSON_AddStringToObject(o, "expires_at", db_value(res, 0, 1) ? db_value(res, 0, 1) : "");
    req_set_cookie(r, "pb_staff", token, STAFF_SESSION_TTL_S);
    req_reply_json(r, 200, o);
}

static void login_work(void *arg)
{
    struct req *r = arg;
    struct login *l = r->state;
    if (l->hash) {
        l->ok = crypto_password_verify(l->password, l->hash);
    } else {
        char *waste = crypto_password_hash(l->password); /* same cost as a real check */
        free(waste);
        l->ok = false;
    }
}

static void login_done(void *arg)
{
    struct req *r = arg;
    struct login *l = r->state;
    r->in_worker = false;
    if (!l->ok) {
        log_info("staff login failed id=%s", r->id);
        req_fail(r, ERR_INVALID_CREDENTIALS, NULL, NULL);
        return;
    }
    char token[CRYPTO_TOKEN_STRLEN];
    crypto_token(token);
    unsigned char h[CRYPTO_SHA256_LEN];
    crypto_sha256(token, strlen(token), h);
    crypto_hex(h, sizeof h, r->auth.token_hash);
    snprintf(r->state_token, sizeof r->state_token, "%s", token);
    crypto_wipe(token, sizeof token);
    char id[24], ttl[24];
    const char *p[3] = {r->auth.token_hash, i64s(id, l->staff_id), i64s(ttl, STAFF_SESSION_TTL_S)};
    req_db(r, sql_new_session, 3, p, session_stored);
}

static void staff_found(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct login *l = r->state;
    if (db_nrows(res) == 1) {
        l->staff_id = db_int64(res, 0, 0);
        l->hash = xstrdup(db_value(res, 0, 1));
    }
    r->in_worker = true;
    worker_submit(r->app->workers, login_work, login_done, r);
}

void staff_login(struct req *r)
{
    static const char *const keys[] = {"email", "password", "totp", NULL};
    struct verr e;
    const char *email = NULL, *password = NULL;
    if (!jv_only_keys(r->json, keys, NULL, &e) ||
        jv_string(r->json, "email", 254, &email, &e) < 0 ||
        jv_string(r->json, "password", 1024, &password, &e) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (!email || !password) {
        req_fail(r, ERR_INVALID_FIELD, !email ? "email" : "password",
                 "Give both \"email\" and \"password\".");
        return;
    }
    struct login *l = xcalloc(1, sizeof *l);
    l->password = xstrdup(password);
    r->state = l;
    r->state_free = login_free;
    const char *p[1] = {email};
    req_db(r, sql_find_staff, 1, p, staff_found);
}

static void logged_out(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    req_set_cookie(r, "pb_staff", "", 0);
    req_reply_json(r, 204, NULL);
}

void staff_logout(struct req *r)
{
    const char *p[1] = {r->auth.token_hash};
    req_db(r, "DELETE FROM sessions WHERE token_hash = decode($1, 'hex')", 1, p, logged_out);
}

static const char sql_me[] =
    "SELECT st.id, st.email, st.is_superadmin,"
    "       coalesce((SELECT jsonb_agg(jsonb_build_object('organisation_id', r.organisation_id,"
    "                 'election_id', r.election_id, 'role', r.role))"
    "                   FROM staff_roles r WHERE r.staff_id = st.id), '[]')::text"
    "  FROM staff st WHERE st.id = $1";

static void me_loaded(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) != 1) {
        req_fail(r, ERR_UNAUTHORIZED, NULL, NULL);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    jv_add_int(o, "id", db_int64(res, 0, 0));
    cJSON_AddStringToObject(o, "email", db_value(res, 0, 1));
    cJSON_AddBoolToObject(o, "superadmin", db_bool(res, 0, 2));
    cJSON_AddItemToObject(o, "roles", cJSON_Parse(db_value(res, 0, 3)));
    req_reply_json(r, 200, o);
}

void staff_me(struct req *r)
{
    char id[24];
    const char *p[1] = {i64s(id, r->auth.staff_id)};
    req_db(r, sql_me, 1, p, me_loaded);
}
