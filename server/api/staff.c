/*
 * staff: staff sign-in and sign-out, password changes, invites and TOTP. Passwords are
 * checked with scrypt on a worker thread, through the fair hashing queue (core/hashq.h).
 * Every attempt is counted before its hash runs, per client address (core/ratelimit) and
 * per account (in PostgreSQL), so parallel guesses cannot pass the limits; a success gives
 * its count back. Ten attempts within 15 minutes lock an account for 15 minutes. An
 * unknown e-mail and a locked account get the same answer after the same hash (of a
 * stand-in), so sign-in tells nobody which e-mails exist or are locked.
 */
#include "api/handlers.h"
#include "api/staff.h"
#include "core/auth.h"
#include "core/db.h"
#include "core/reply.h"
#include "lib/crypto.h"
#include "lib/jsonv.h"
#include "lib/log.h"
#include "core/ratelimit.h"
#include "core/worker.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MIN_PASSWORD 12
#define TOTP_SECRET_LEN 20
#define LOGIN_LIMIT 10
#define LOGIN_WINDOW_S (15 * 60)
#define LOGIN_LOCK_S (15 * 60)
/* Hashed in place of an unknown or locked account's: the same scrypt parameters, so the
 * same work; no password matches it. */
#define STAND_IN_HASH "scrypt$17$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define LOGIN_REFUSED "E-mail or password is wrong, or the account is locked for 15 minutes after 10 failed sign-ins."

/* A sign-in, password change or invite acceptance; worker jobs read only this. */
struct login {
    const struct server_keys *keys; /* the server's, fixed since start-up */
    char *password;
    char *new_password; /* password change */
    char *new_hash;
    char *hash;         /* the account's, or the stand-in's */
    char *email;
    bool known;         /* an account that may sign in now (exists, not locked) */
    char totp_code[16];
    char *totp_sealed;  /* hex, when TOTP is on */
    int64_t totp_last;
    int64_t totp_step;  /* the step the code matched */
    int64_t staff_id;
    bool ok;
    bool totp_missing;
    char token[CRYPTO_TOKEN_STRLEN]; /* a new session's token, until it is sent */
};

static void login_release(void *p)
{
    struct login *l = p;
    char *secrets[] = {l->password, l->new_password};
    for (size_t i = 0; i < 2; i++)
        if (secrets[i]) {
            crypto_wipe(secrets[i], strlen(secrets[i]));
            free(secrets[i]);
        }
    free(l->new_hash);
    free(l->hash);
    free(l->email);
    free(l->totp_sealed);
    crypto_wipe(l->token, sizeof l->token);
}

static struct login *login_new(struct req *r)
{
    struct login *l = REQ_STATE_NEW(r, struct login, login_release);
    l->keys = &r->app->keys;
    return l;
}

/* True when code matches the TOTP secret at now +- 1 step, later than last. */
static bool totp_ok(const struct server_keys *keys, const char *sealed_hex, const char *code, int64_t last,
                    int64_t *step_out)
{
    unsigned char sealed[TOTP_SECRET_LEN + CRYPTO_SEAL_OVERHEAD], secret[TOTP_SECRET_LEN];
    if (!sealed_hex || strlen(code) != 6 || strspn(code, "0123456789") != 6 ||
        !crypto_unhex(sealed_hex, sealed, sizeof sealed))
        return false;
    if (!crypto_open(keys->staff_totp, sealed, sizeof sealed, secret))
        return false;
    int64_t want = 0;
    for (const char *c = code; *c; c++)
        want = want * 10 + (*c - '0');
    int64_t now = (int64_t)time(NULL) / 30;
    bool ok = false;
    for (int64_t step = now - 1; step <= now + 1 && !ok; step++) {
        if (step > last && crypto_totp(secret, sizeof secret, (uint64_t)step) == (uint32_t)want) {
            ok = true;
            *step_out = step;
        }
    }
    crypto_wipe(secret, sizeof secret);
    return ok;
}

static struct db_stmt sql_attempt = DB_STMT("staff.login_attempt", 4,
    "SELECT * FROM staff_login_attempt($1, $2, $3, $4)");

static struct db_stmt sql_giveback = DB_STMT("staff.login_giveback", 2, "SELECT staff_login_giveback($1, $2)");

static struct db_stmt sql_new_session = DB_STMT("staff.session_open", 4,
                                               "SELECT * FROM staff_session_open($1, $2, $3, $4)");

void staff_session_reply(struct req *r, const struct db_result *res, const char *token)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "token", token);
    char csrf[65];
    auth_csrf_token(r->app, r->auth.token_hash, csrf);
    cJSON_AddStringToObject(o, "csrf_token", csrf);
    const char *role = db_value(res, 0, 0);
    if (role)
        cJSON_AddStringToObject(o, "role", role);
    else
        cJSON_AddNullToObject(o, "role");
    cJSON_AddStringToObject(o, "expires_at", db_value(res, 0, 1) ? db_value(res, 0, 1) : "");
    jv_add_int(o, "staff_id", db_int64(res, 0, 2));
    auth_attempt_ok(r, &RL_STAFF_LOGIN);
    req_set_cookie(r, "pb_staff", token, STAFF_SESSION_TTL_S);
    req_reply_json(r, 200, o);
}

static void session_stored(struct req *r, const struct db_result *res)
{
    if (req_db_ok(r, res))
        staff_session_reply(r, res, REQ_STATE(r, struct login)->token);
}

static void login_work(void *job)
{
    struct login *l = job;
    l->ok = crypto_password_verify(l->password, l->hash) && l->known;
    if (l->ok && l->totp_sealed) {
        if (!l->totp_code[0]) {
            l->ok = false;
            l->totp_missing = true;
        } else {
            l->ok = totp_ok(l->keys, l->totp_sealed, l->totp_code, l->totp_last, &l->totp_step);
        }
    }
}

static void totp_asked(struct req *r, const struct db_result *res)
{
    if (req_db_ok(r, res))
        req_fail(r, ERR_TOTP_REQUIRED, "totp", NULL);
}

/* The account's count is given back: now the session. */
static void login_given_back(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct login *l = REQ_STATE(r, struct login);
    crypto_token(l->token);
    unsigned char h[CRYPTO_SHA256_LEN];
    crypto_sha256(l->token, strlen(l->token), h);
    crypto_hex(h, sizeof h, r->auth.token_hash);
    char id[24], ttl[24], step[24];
    const char *p[4] = {r->auth.token_hash, i64s(id, l->staff_id), i64s(ttl, STAFF_SESSION_TTL_S),
                        i64s(step, l->totp_step)};
    req_db(r, &sql_new_session, p, session_stored);
}

static void login_done(struct req *r)
{
    struct login *l = REQ_STATE(r, struct login);
    char id[24], limit[24];
    if (l->totp_missing) {
        /* the password was right: ask for the second factor; the attempt does not count */
        auth_attempt_ok(r, &RL_STAFF_LOGIN);
        const char *p[2] = {i64s(id, l->staff_id), i64s(limit, LOGIN_LIMIT)};
        req_db(r, &sql_giveback, p, totp_asked);
        return;
    }
    if (!l->ok) {
        /* counted already, before the hash; the same answer for every reason */
        log_info("staff login failed id=%s", r->id);
        req_fail(r, ERR_INVALID_CREDENTIALS, NULL, LOGIN_REFUSED);
        return;
    }
    const char *p[2] = {i64s(id, l->staff_id), i64s(limit, LOGIN_LIMIT)};
    req_db(r, &sql_giveback, p, login_given_back);
}

static void staff_found(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct login *l = REQ_STATE(r, struct login);
    l->known = db_nrows(res) == 1 && db_bool(res, 0, 2);
    if (l->known) {
        l->staff_id = db_int64(res, 0, 0);
        l->hash = xstrdup(db_value(res, 0, 1));
        if (db_bool(res, 0, 3) && db_value(res, 0, 4))
            l->totp_sealed = xstrdup(db_value(res, 0, 4));
        l->totp_last = db_int64(res, 0, 5);
    } else {
        l->hash = xstrdup(STAND_IN_HASH);
    }
    if (!auth_hash(r, &RL_STAFF_LOGIN, login_work, l, login_done))
        return;
}

/* The attempt is counted for the address: now for the account, then the hash. */
static void login_counted(struct req *r)
{
    struct login *l = REQ_STATE(r, struct login);
    char limit[24], window[24], lock[24];
    const char *p[4] = {l->email, i64s(limit, LOGIN_LIMIT), i64s(window, LOGIN_WINDOW_S), i64s(lock, LOGIN_LOCK_S)};
    req_db(r, &sql_attempt, p, staff_found);
}

void staff_login(struct req *r)
{
    static const char *const keys[] = {"email", "password", "totp", NULL};
    struct verr e;
    const char *email = NULL, *password = NULL, *totp = NULL;
    if (!jv_only_keys(r->json, keys, NULL, &e) ||
        jv_string(r->json, "email", 254, &email, &e) < 0 ||
        jv_string(r->json, "password", 1024, &password, &e) < 0 ||
        jv_string(r->json, "totp", 10, &totp, &e) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (!email || !password) {
        req_fail(r, ERR_INVALID_FIELD, !email ? "email" : "password",
                 "Give both \"email\" and \"password\".");
        return;
    }
    struct login *l = login_new(r);
    l->password = xstrdup(password);
    l->email = xstrdup(email);
    if (totp)
        snprintf(l->totp_code, sizeof l->totp_code, "%s", totp);
    auth_attempt(r, &RL_STAFF_LOGIN, login_counted);
}

static void logged_out(struct req *r, const struct db_result *res)
{
    req_reply_signed_out(r, res, "pb_staff");
}

static struct db_stmt sql_logout = DB_STMT("staff.session_end", 1, "SELECT staff_session_end($1)");

void staff_logout(struct req *r)
{
    const char *p[1] = {r->auth.token_hash};
    req_db(r, &sql_logout, p, logged_out);
}

static struct db_stmt sql_me = DB_STMT("staff.me", 1,
    "SELECT st.id, st.email, st.is_superadmin, st.totp_enabled,"
    "       coalesce((SELECT jsonb_agg(jsonb_build_object('organisation_id', r.organisation_id,"
    "                 'election_id', r.election_id, 'role', r.role))"
    "                   FROM staff_roles r WHERE r.staff_id = st.id), '[]')::text"
    "  FROM staff st WHERE st.id = $1");

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
    cJSON_AddBoolToObject(o, "totp_enabled", db_bool(res, 0, 3));
    cJSON_AddItemToObject(o, "roles", cJSON_Parse(db_value(res, 0, 4)));
    req_reply_json(r, 200, o);
}

void staff_me(struct req *r)
{
    char id[24];
    const char *p[1] = {i64s(id, r->auth.staff_id)};
    req_db(r, &sql_me, p, me_loaded);
}

/* --- invites and passwords --- */

static bool password_strong(struct req *r, const char *field, const char *pw)
{
    if (strlen(pw) < MIN_PASSWORD) {
        req_fail(r, ERR_INVALID_FIELD, field, "A password needs at least %d characters.", MIN_PASSWORD);
        return false;
    }
    return true;
}

static void hash_work(void *job)
{
    struct login *l = job;
    l->ok = !l->hash || crypto_password_verify(l->password, l->hash);
    if (l->ok)
        l->new_hash = crypto_password_hash(l->new_password);
}

static void accepted(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) != 1) {
        req_fail(r, ERR_NOT_FOUND, "invite_token", "The invite is unknown, used or expired.");
        return;
    }
    auth_attempt_ok(r, &RL_STAFF_LOGIN);
    cJSON *o = cJSON_CreateObject();
    jv_add_int(o, "id", db_int64(res, 0, 0));
    cJSON_AddStringToObject(o, "email", db_value(res, 0, 1));
    req_reply_json(r, 200, o);
}

static struct db_stmt sql_accept = DB_STMT("staff.accept_invite", 2,
    "SELECT * FROM staff_accept_invite($1, $2)");

static void accept_hashed(struct req *r)
{
    struct login *l = REQ_STATE(r, struct login);
    const char *p[2] = {r->auth.token_hash, l->new_hash};
    req_db(r, &sql_accept, p, accepted);
}

static void accept_counted(struct req *r)
{
    if (!auth_hash(r, &RL_STAFF_LOGIN, hash_work, REQ_STATE(r, struct login), accept_hashed))
        return;
}

void staff_accept(struct req *r)
{
    static const char *const keys[] = {"invite_token", "password", NULL};
    struct verr e;
    const char *token = NULL, *password = NULL;
    if (!jv_only_keys(r->json, keys, NULL, &e) || jv_string(r->json, "invite_token", 128, &token, &e) < 0 ||
        jv_string(r->json, "password", 1024, &password, &e) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (!token || !password) {
        req_fail(r, ERR_INVALID_FIELD, !token ? "invite_token" : "password", "Give \"invite_token\" and \"password\".");
        return;
    }
    if (!password_strong(r, "password", password))
        return;
    unsigned char h[CRYPTO_SHA256_LEN];
    crypto_sha256(token, strlen(token), h);
    crypto_hex(h, sizeof h, r->auth.token_hash); /* the invite's hash, not a session */
    struct login *l = login_new(r);
    l->new_password = xstrdup(password);
    auth_attempt(r, &RL_STAFF_LOGIN, accept_counted);
}

static void password_changed(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    req_reply_json(r, 204, NULL);
}

static struct db_stmt sql_set_password = DB_STMT("staff.set_password", 3,
    "SELECT staff_set_password($1, $2, $3)");

static void password_hashed(struct req *r)
{
    struct login *l = REQ_STATE(r, struct login);
    if (!l->ok) {
        req_fail(r, ERR_INVALID_CREDENTIALS, "current_password", "The current password is wrong.");
        return;
    }
    auth_attempt_ok(r, &RL_STAFF_LOGIN);
    char id[24];
    const char *p[3] = {i64s(id, r->auth.staff_id), l->new_hash, r->auth.token_hash};
    /* a new password signs out every other session of this account */
    req_db(r, &sql_set_password, p, password_changed);
}

static void password_loaded(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct login *l = REQ_STATE(r, struct login);
    l->hash = xstrdup(db_value(res, 0, 0) ? db_value(res, 0, 0) : "");
    if (!auth_hash(r, &RL_STAFF_LOGIN, hash_work, l, password_hashed))
        return;
}

static struct db_stmt sql_password_hash = DB_STMT("staff.password_hash", 1,
                                                 "SELECT password_hash FROM staff WHERE id = $1");

static void password_counted(struct req *r)
{
    char id[24];
    const char *p[1] = {i64s(id, r->auth.staff_id)};
    req_db(r, &sql_password_hash, p, password_loaded);
}

void staff_password(struct req *r)
{
    static const char *const keys[] = {"current_password", "new_password", NULL};
    struct verr e;
    const char *cur = NULL, *next = NULL;
    if (!jv_only_keys(r->json, keys, NULL, &e) || jv_string(r->json, "current_password", 1024, &cur, &e) < 0 ||
        jv_string(r->json, "new_password", 1024, &next, &e) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (!cur || !next) {
        req_fail(r, ERR_INVALID_FIELD, !cur ? "current_password" : "new_password",
                 "Give \"current_password\" and \"new_password\".");
        return;
    }
    if (!password_strong(r, "new_password", next))
        return;
    struct login *l = login_new(r);
    l->password = xstrdup(cur);
    l->new_password = xstrdup(next);
    auth_attempt(r, &RL_STAFF_LOGIN, password_counted);
}

/* --- TOTP --- */

/* The set-up answer, kept until the sealed secret is stored. */
struct totp_state {
    cJSON *reply;
    char code[16];
};

static void totp_state_release(void *p)
{
    struct totp_state *s = p;
    cJSON_Delete(s->reply);
    crypto_wipe(s->code, sizeof s->code);
}

static void totp_stored(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct totp_state *s = REQ_STATE(r, struct totp_state);
    cJSON *o = s->reply;
    s->reply = NULL;
    req_reply_json(r, 200, o);
}

static struct db_stmt sql_totp_setup = DB_STMT("staff.totp_setup", 2,
    "SELECT staff_totp_setup($1, $2)");

void staff_totp_setup(struct req *r)
{
    unsigned char secret[TOTP_SECRET_LEN], sealed[TOTP_SECRET_LEN + CRYPTO_SEAL_OVERHEAD];
    crypto_random(secret, sizeof secret);
    bool ok = crypto_seal(r->app->keys.staff_totp, secret, sizeof secret, sealed);
    if (!ok) {
        req_fail(r, ERR_INTERNAL, NULL, NULL);
        return;
    }
    char b32[64], hex[2 * sizeof sealed + 1], id[24];
    crypto_base32(secret, sizeof secret, b32);
    crypto_wipe(secret, sizeof secret);
    crypto_hex(sealed, sizeof sealed, hex);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "secret", b32);
    char *uri = xasprintf("otpauth://totp/Borgerbudget:staff-%lld?secret=%s&issuer=Borgerbudget&algorithm=SHA1&digits=6&period=30",
                          (long long)r->auth.staff_id, b32);
    cJSON_AddStringToObject(o, "otpauth_uri", uri);
    free(uri);
    cJSON_AddStringToObject(o, "next", "POST /api/v1/staff/totp/enable with {\"code\"} to switch it on.");
    REQ_STATE_NEW(r, struct totp_state, totp_state_release)->reply = o;
    const char *p[2] = {i64s(id, r->auth.staff_id), hex};
    req_db(r, &sql_totp_setup, p, totp_stored);
}

static void totp_enabled(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "totp_enabled", true);
    req_reply_json(r, 200, o);
}

static struct db_stmt sql_totp_enable = DB_STMT("staff.totp_enable", 2,
    "SELECT staff_totp_enable($1, $2)");

static void totp_loaded(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    const char *code = REQ_STATE(r, struct totp_state)->code;
    int64_t step = 0;
    if (db_nrows(res) != 1 || !db_value(res, 0, 0) ||
        !totp_ok(&r->app->keys, db_value(res, 0, 0), code, db_int64(res, 0, 1), &step)) {
        req_fail(r, ERR_INVALID_FIELD, "code", "The code does not match; set up TOTP first and use the current code.");
        return;
    }
    auth_attempt_ok(r, &RL_TOTP);
    char id[24], st[24];
    const char *p[2] = {i64s(id, r->auth.staff_id), i64s(st, step)};
    req_db(r, &sql_totp_enable, p, totp_enabled);
}

static struct db_stmt sql_totp_secret = DB_STMT("staff.totp_secret", 1,
    "SELECT encode(totp_secret_sealed, 'hex'), totp_last_step FROM staff WHERE id = $1");

static void totp_counted(struct req *r)
{
    char id[24];
    const char *p[1] = {i64s(id, r->auth.staff_id)};
    req_db(r, &sql_totp_secret, p, totp_loaded);
}

void staff_totp_enable(struct req *r)
{
    static const char *const keys[] = {"code", NULL};
    struct verr e;
    const char *code = NULL;
    if (!jv_only_keys(r->json, keys, NULL, &e) || jv_string(r->json, "code", 10, &code, &e) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (!code) {
        req_fail(r, ERR_INVALID_FIELD, "code", "\"code\" is required.");
        return;
    }
    struct totp_state *s = REQ_STATE_NEW(r, struct totp_state, totp_state_release);
    snprintf(s->code, sizeof s->code, "%s", code);
    auth_attempt(r, &RL_TOTP, totp_counted);
}
