/*
 * oidc: citizens sign in through their municipality's OpenID provider (MitID through
 * NemLog-in, Criipto or Signicat): the authorization code flow with PKCE (S256), state and
 * nonce (OpenID Connect Core 1.0, 3.1).
 *
 *   POST .../oidc/start       a sign-in leaves: state, nonce and PKCE verifier are made and
 *                             stored (state hashed, verifier sealed), a cookie binds the
 *                             sign-in to this browser; the answer is the provider's URL
 *   POST .../voter-sessions   {"method":"oidc","code","state"} on the return: the sign-in is
 *                             taken once, the code exchanged at the token endpoint, the ID
 *                             token checked (lib/idtoken), the eligibility claim matched to
 *                             the register by its keyed hash, and the voter gets the same
 *                             session as every other method (voter_session_reply)
 *
 * Outbound calls run on the loop (core/oidc, core/fetch); while one is in flight the
 * request waits like a worker job (its deadline waits for the call's own timeout).
 * Operators read why a sign-in failed in the log; the person gets a stable error code.
 */
#include "api/handlers.h"
#include "api/staff.h"
#include "api/voter.h"
#include "core/auth.h"
#include "core/credentials.h"
#include "core/db.h"
#include "core/oidc.h"
#include "core/reply.h"
#include "core/router.h"
#include "lib/crypto.h"
#include "lib/idtoken.h"
#include "lib/jsonv.h"
#include "lib/log.h"

#include <cjose/base64.h>
#include <cjose/util.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OIDC_LOGIN_TTL_S 600
#define OIDC_SKEW_S 120
#define OIDC_MAX_TOKEN_AGE_S 600
#define OIDC_COOKIE "pb_oidc"

/* While an outbound call is in flight the request waits as for a worker job: the deadline
 * does not answer under the call, which ends by its own timeout (OIDC_TIMEOUT_MS). */
static void wait_outbound(struct req *r)
{
    req_arm_deadline(r);
    r->in_worker = true;
}

static void resume(struct req *r)
{
    r->in_worker = false;
}

/* base64url(SHA-256(verifier)), RFC 7636 4.2, through libcjose's encoder. */
static bool pkce_challenge(const char *verifier, char out[64])
{
    unsigned char h[CRYPTO_SHA256_LEN];
    crypto_sha256(verifier, strlen(verifier), h);
    char *enc = NULL;
    size_t n = 0;
    cjose_err err;
    if (!cjose_base64url_encode(h, sizeof h, &enc, &n, &err) || n >= 64) {
        cjose_get_dealloc()(enc);
        return false;
    }
    memcpy(out, enc, n);
    out[n] = '\0';
    cjose_get_dealloc()(enc);
    return true;
}

static void sha256_hex(const char *s, char out[65])
{
    unsigned char h[CRYPTO_SHA256_LEN];
    crypto_sha256(s, strlen(s), h);
    crypto_hex(h, sizeof h, out);
}

static char *redirect_uri(const struct req *r)
{
    return xasprintf("%s/oidc/callback", r->app->cfg.public_url);
}

/* --- the start --- */

struct oidc_start {
    int64_t provider_id;
    int64_t election_id; /* 0: a staff sign-in */
    char *issuer, *client_id, *scopes;
    char state[CRYPTO_TOKEN_STRLEN], nonce[CRYPTO_TOKEN_STRLEN], verifier[CRYPTO_TOKEN_STRLEN];
    char browser[CRYPTO_TOKEN_STRLEN];
    char *url;
};

static void start_release(void *p)
{
    struct oidc_start *s = p;
    free(s->issuer);
    free(s->client_id);
    free(s->scopes);
    free(s->url);
    crypto_wipe(s, sizeof *s);
}

static void start_stored(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct oidc_start *s = REQ_STATE(r, struct oidc_start);
    /* SameSite=Strict: the return is a same-site fetch from our own page */
    req_set_cookie(r, OIDC_COOKIE, s->browser, OIDC_LOGIN_TTL_S);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "authorization_url", s->url);
    jv_add_int(o, "expires_in", OIDC_LOGIN_TTL_S);
    req_reply_json(r, 200, o);
}

static struct db_stmt sql_login_start = DB_STMT("oidc.login_start", 6,
                                                "SELECT oidc_login_start($1, $2, $3, $4, $5, $6)");

static void start_discovered(void *ctx, const struct oidc_endpoints *ep, const char *error)
{
    struct req *r = ctx;
    resume(r);
    struct oidc_start *s = REQ_STATE(r, struct oidc_start);
    if (!ep) {
        log_warn("OIDC sign-in cannot start id=%s issuer=%s reason=\"%s\"", r->id, s->issuer, error);
        req_fail(r, ERR_OIDC_UNAVAILABLE, NULL, NULL);
        return;
    }
    crypto_token(s->state);
    crypto_token(s->nonce);
    crypto_token(s->verifier);
    crypto_token(s->browser);
    char challenge[64];
    if (!pkce_challenge(s->verifier, challenge)) {
        req_fail(r, ERR_INTERNAL, NULL, NULL);
        return;
    }
    char *redirect = redirect_uri(r);
    struct buf form;
    buf_init(&form);
    oidc_form_add(&form, "response_type", "code");
    oidc_form_add(&form, "client_id", s->client_id);
    oidc_form_add(&form, "redirect_uri", redirect);
    oidc_form_add(&form, "scope", s->scopes);
    oidc_form_add(&form, "state", s->state);
    oidc_form_add(&form, "nonce", s->nonce);
    oidc_form_add(&form, "code_challenge", challenge);
    oidc_form_add(&form, "code_challenge_method", "S256");
    s->url = oidc_authorization_url(ep->authorization_endpoint, form.data);
    buf_free(&form);
    free(redirect);
    if (!s->url) {
        log_warn("OIDC authorization endpoint is not a URL id=%s issuer=%s", r->id, s->issuer);
        req_fail(r, ERR_OIDC_UNAVAILABLE, NULL, NULL);
        return;
    }
    size_t vlen = strlen(s->verifier);
    unsigned char sealed[CRYPTO_TOKEN_STRLEN + CRYPTO_SEAL_OVERHEAD];
    char sealed_hex[2 * sizeof sealed + 1], state_hash[65], browser_hash[65], pid[24], eid[24];
    if (!crypto_seal(r->app->keys.oidc_login, s->verifier, vlen, sealed))
        PB_ASSERT(!"sealing failed");
    crypto_hex(sealed, vlen + CRYPTO_SEAL_OVERHEAD, sealed_hex);
    sha256_hex(s->state, state_hash);
    sha256_hex(s->browser, browser_hash);
    const char *p[6] = {state_hash, i64s(pid, s->provider_id), s->election_id ? i64s(eid, s->election_id) : NULL,
                        browser_hash, s->nonce, sealed_hex};
    req_db(r, &sql_login_start, p, start_stored);
}

static void provider_found(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) != 1 || !db_value(res, 0, 0)) {
        req_fail(r, ERR_OIDC_NOT_CONFIGURED, NULL, NULL);
        return;
    }
    struct oidc_start *s = REQ_STATE_NEW(r, struct oidc_start, start_release);
    s->election_id = r->route->handler == oidc_start ? r->election.id : 0;
    s->provider_id = db_int64(res, 0, 0);
    s->issuer = xstrdup(db_value(res, 0, 1));
    s->client_id = xstrdup(db_value(res, 0, 2));
    s->scopes = xstrdup(db_value(res, 0, 3));
    wait_outbound(r);
    oidc_discover(r->app, s->issuer, start_discovered, r);
}

static struct db_stmt sql_provider_for = DB_STMT("oidc.provider_for", 3,
    "SELECT id, issuer, client_id, scopes FROM oidc_provider_for($1, $2, $3)");

void oidc_start(struct req *r)
{
    char org[24], eid[24];
    const char *p[3] = {i64s(org, r->election.organisation_id), i64s(eid, r->election.id), "citizen"};
    req_db(r, &sql_provider_for, p, provider_found);
}

/* Staff of an organisation sign in through its own provider (Entra ID, AD FS). */
void staff_oidc_start(struct req *r)
{
    static const char *const keys[] = {"organisation_id", NULL};
    struct verr e;
    int64_t org = 0;
    int rc;
    if (!jv_only_keys(r->json, keys, NULL, &e) || (rc = jv_id(r->json, "organisation_id", &org, &e)) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (!rc) {
        req_fail(r, ERR_INVALID_FIELD, "organisation_id", "\"organisation_id\" says whose sign-in to use.");
        return;
    }
    char o[24];
    const char *p[3] = {i64s(o, org), NULL, "staff"};
    req_db(r, &sql_provider_for, p, provider_found);
}

/* --- the return --- */

struct oidc_signin {
    int64_t provider_id;
    char *issuer, *client_id, *secret_ref, *claim, *birthdate_claim;
    int min_age;
    char *nonce, *verifier, *code, *id_token;
    char *iss; /* the issuer the provider named in its redirect (RFC 9207), if it did */
    int64_t organisation_id;
    bool staff;
    char token[CRYPTO_TOKEN_STRLEN]; /* a staff session's token, until it is sent */
    bool refreshed;
};

static void signin_release(void *p)
{
    struct oidc_signin *s = p;
    char *wipe[] = {s->nonce, s->verifier, s->code, s->id_token};
    for (size_t i = 0; i < PB_ARRAY_LEN(wipe); i++)
        if (wipe[i]) {
            crypto_wipe(wipe[i], strlen(wipe[i]));
            free(wipe[i]);
        }
    free(s->iss);
    free(s->issuer);
    free(s->client_id);
    free(s->secret_ref);
    free(s->claim);
    free(s->birthdate_claim);
}

/* A staff sign-in's request state; a citizen's is the voter sign-in's (api/voter.h). */
struct staff_oidc {
    struct oidc_signin *flow;
};

static void staff_oidc_release(void *p)
{
    struct staff_oidc *st = p;
    if (st->flow) {
        signin_release(st->flow);
        crypto_wipe(st->flow, sizeof *st->flow);
        free(st->flow);
    }
}

static struct oidc_signin *signin_of(struct req *r)
{
    if (r->route->handler == staff_oidc_session)
        return REQ_STATE(r, struct staff_oidc)->flow;
    return REQ_STATE(r, struct signin_state)->method;
}

static void staff_signed_in(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) != 1) {
        log_info("OIDC staff sign-in refused: no account with a role here for this e-mail id=%s", r->id);
        req_fail(r, ERR_OIDC_NOT_ELIGIBLE, NULL, "No staff account of this organisation has the e-mail address you signed in with.");
        return;
    }
    staff_session_reply(r, res, signin_of(r)->token);
}

static struct db_stmt sql_staff_session = DB_STMT("oidc.staff_session", 4, "SELECT * FROM staff_oidc_session($1, $2, $3, $4)");

/* Roles stay Borgerbudget's: the provider only says which account's e-mail this is. */
static void staff_verified(struct req *r, cJSON *claims)
{
    struct oidc_signin *s = signin_of(r);
    const cJSON *verified = cJSON_GetObjectItemCaseSensitive(claims, "email_verified");
    char buf[32];
    const char *email = idtoken_claim_text(claims, s->claim, buf);
    if (!email || !strchr(email, '@') || (verified && !cJSON_IsTrue(verified))) {
        log_warn("OIDC staff sign-in without a verified e-mail claim id=%s claim=%s", r->id, s->claim);
        req_fail(r, ERR_OIDC_NOT_ELIGIBLE, NULL, "The identity provider did not give a verified e-mail address.");
        return;
    }
    crypto_token(s->token);
    unsigned char h[CRYPTO_SHA256_LEN];
    crypto_sha256(s->token, strlen(s->token), h);
    crypto_hex(h, sizeof h, r->auth.token_hash);
    char org[24], ttl[24];
    const char *p[4] = {i64s(org, s->organisation_id), email, r->auth.token_hash, i64s(ttl, STAFF_SESSION_TTL_S)};
    req_db(r, &sql_staff_session, p, staff_signed_in);
}

static void signed_in(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) != 1) {
        log_info("OIDC sign-in not eligible: no register entry for the claim id=%s", r->id);
        req_fail(r, ERR_OIDC_NOT_ELIGIBLE, NULL, NULL);
        return;
    }
    voter_session_reply(r, db_int64(res, 0, 0));
}

static struct db_stmt sql_voter_login = DB_STMT("oidc.voter_login", 3, "SELECT * FROM voter_login_oidc($1, $2, $3)");

/* The token is verified: eligibility by claim (and age), then the voter. */
static void token_verified(struct req *r, cJSON *claims)
{
    struct oidc_signin *s = signin_of(r);
    if (s->staff) {
        staff_verified(r, claims);
        return;
    }
    char buf[32], hash[VOTERKEY_HEX];
    const char *value = idtoken_claim_text(claims, s->claim, buf);
    if (!value || !voterkey_oidc(&r->app->keys, r->ids[0], value, hash)) {
        log_warn("OIDC sign-in not eligible: the token lacks the eligibility claim id=%s claim=%s", r->id, s->claim);
        req_fail(r, ERR_OIDC_NOT_ELIGIBLE, NULL, "The identity provider did not say who you are in a way this election can check.");
        return;
    }
    if (s->min_age > 0) {
        const char *birth = idtoken_claim_text(claims, s->birthdate_claim ? s->birthdate_claim : "birthdate", buf);
        int age = birth ? idtoken_age_years(birth, (int64_t)time(NULL)) : -1;
        if (age < s->min_age) {
            log_info("OIDC sign-in not eligible by age id=%s known=%s", r->id, age < 0 ? "no" : "yes");
            req_fail(r, ERR_OIDC_NOT_ELIGIBLE, NULL, "You must be at least %d years old to take part.", s->min_age);
            return;
        }
    }
    char eid[24], pid[24];
    const char *p[3] = {i64s(eid, r->ids[0]), i64s(pid, s->provider_id), hash};
    req_db(r, &sql_voter_login, p, signed_in);
}

static void keys_ready(void *ctx, const char *jwks, const char *error);

static void check_token(struct req *r, const char *jwks)
{
    struct oidc_signin *s = signin_of(r);
    struct idtoken_expect x = {.issuer = s->issuer, .client_id = s->client_id, .nonce = s->nonce,
                               .now = (int64_t)time(NULL), .skew_s = OIDC_SKEW_S,
                               .max_age_s = OIDC_MAX_TOKEN_AGE_S};
    cJSON *claims = NULL;
    enum idtoken_err rc = idtoken_verify(s->id_token, strlen(s->id_token), jwks, strlen(jwks), &x, &claims);
    if (rc == IDT_NO_KEY && !s->refreshed) {
        s->refreshed = true; /* the provider may have rotated its keys */
        wait_outbound(r);
        oidc_jwks(r->app, s->issuer, true, keys_ready, r);
        return;
    }
    if (rc != IDT_OK) {
        log_warn("OIDC ID token refused id=%s issuer=%s reason=%s", r->id, s->issuer, idtoken_err_name(rc));
        req_fail(r, rc == IDT_JWKS ? ERR_OIDC_UNAVAILABLE : ERR_OIDC_TOKEN, NULL, NULL);
        return;
    }
    token_verified(r, claims);
    cJSON_Delete(claims);
}

static void keys_ready(void *ctx, const char *jwks, const char *error)
{
    struct req *r = ctx;
    resume(r);
    if (!jwks) {
        log_warn("OIDC keys unavailable id=%s issuer=%s reason=\"%s\"", r->id, signin_of(r)->issuer, error);
        req_fail(r, ERR_OIDC_UNAVAILABLE, NULL, NULL);
        return;
    }
    check_token(r, jwks);
}

static void token_answered(void *ctx, long status, const char *body, const char *error)
{
    struct req *r = ctx;
    resume(r);
    struct oidc_signin *s = signin_of(r);
    if (error) {
        log_warn("OIDC token endpoint unreachable id=%s issuer=%s reason=\"%s\"", r->id, s->issuer, error);
        req_fail(r, ERR_OIDC_UNAVAILABLE, NULL, NULL);
        return;
    }
    cJSON *j = cJSON_Parse(body);
    const cJSON *idt = cJSON_GetObjectItemCaseSensitive(j, "id_token");
    if (status != 200 || !cJSON_IsString(idt)) {
        const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
        log_warn("OIDC token request refused id=%s issuer=%s http=%ld error=%s", r->id, s->issuer, status,
                 cJSON_IsString(err) ? err->valuestring : "-");
        cJSON_Delete(j);
        /* a 4xx is about this sign-in (a code used twice, expired); 5xx or garbage is the provider's */
        req_fail(r, status >= 400 && status < 500 ? ERR_OIDC_TOKEN : ERR_OIDC_UNAVAILABLE, NULL, NULL);
        return;
    }
    s->id_token = xstrdup(idt->valuestring);
    cJSON_Delete(j);
    wait_outbound(r);
    oidc_jwks(r->app, s->issuer, false, keys_ready, r);
}

static void callback_discovered(void *ctx, const struct oidc_endpoints *ep, const char *error)
{
    struct req *r = ctx;
    resume(r);
    struct oidc_signin *s = signin_of(r);
    if (!ep) {
        log_warn("OIDC provider unavailable id=%s issuer=%s reason=\"%s\"", r->id, s->issuer, error);
        req_fail(r, ERR_OIDC_UNAVAILABLE, NULL, NULL);
        return;
    }
    const char *secret = NULL;
    if (s->secret_ref && !(secret = credential_get(r->app->credentials, s->secret_ref))) {
        log_error("OIDC client secret is not set on this server id=%s credential=%s", r->id, s->secret_ref);
        req_fail(r, ERR_OIDC_UNAVAILABLE, NULL, NULL);
        return;
    }
    char *redirect = redirect_uri(r);
    struct buf form;
    buf_init(&form);
    oidc_form_add(&form, "grant_type", "authorization_code");
    oidc_form_add(&form, "code", s->code);
    oidc_form_add(&form, "redirect_uri", redirect);
    oidc_form_add(&form, "code_verifier", s->verifier);
    if (!secret)
        oidc_form_add(&form, "client_id", s->client_id); /* a public client */
    free(redirect);
    wait_outbound(r);
    oidc_token_request(r->app, ep->token_endpoint, s->client_id, secret, form.data, token_answered, r);
    crypto_wipe(form.data, form.len);
    buf_free(&form);
}

static void login_taken(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct oidc_signin *s = signin_of(r);
    if (db_nrows(res) != 1) {
        log_info("OIDC return with an unknown, used, expired or foreign state id=%s", r->id);
        req_fail(r, ERR_OIDC_STATE, NULL, NULL);
        return;
    }
    if (!s->code) { /* the provider said the person cancelled or failed */
        req_fail(r, ERR_OIDC_CANCELLED, NULL, NULL);
        return;
    }
    s->provider_id = db_int64(res, 0, 0);
    s->issuer = xstrdup(db_value(res, 0, 1));
    if (s->iss && strcmp(s->iss, s->issuer) != 0) {
        /* a mix-up: the code came from another provider than this sign-in went to */
        log_warn("OIDC return names another issuer id=%s", r->id);
        req_fail(r, ERR_OIDC_TOKEN, NULL, NULL);
        return;
    }
    if (s->iss && strcmp(s->iss, s->issuer) != 0) {
        /* a mix-up: the code came from another provider than this sign-in went to */
        log_warn("OIDC return names another issuer id=%s", r->id);
        req_fail(r, ERR_OIDC_TOKEN, NULL, NULL);
        return;
    }
    s->client_id = xstrdup(db_value(res, 0, 2));
    s->secret_ref = db_value(res, 0, 3) ? xstrdup(db_value(res, 0, 3)) : NULL;
    s->claim = xstrdup(db_value(res, 0, 4));
    s->birthdate_claim = db_value(res, 0, 5) ? xstrdup(db_value(res, 0, 5)) : NULL;
    s->min_age = (int)db_int64(res, 0, 6);
    s->organisation_id = db_int64(res, 0, 9);
    s->nonce = xstrdup(db_value(res, 0, 7));
    const char *hex = db_value(res, 0, 8);
    size_t n = hex ? strlen(hex) / 2 : 0;
    unsigned char sealed[CRYPTO_TOKEN_STRLEN + CRYPTO_SEAL_OVERHEAD];
    char verifier[CRYPTO_TOKEN_STRLEN + 1];
    if (n < CRYPTO_SEAL_OVERHEAD || n > sizeof sealed || !crypto_unhex(hex, sealed, n) ||
        !crypto_open(r->app->keys.oidc_login, sealed, n, (unsigned char *)verifier)) {
        log_error("OIDC verifier cannot be opened id=%s", r->id);
        req_fail(r, ERR_OIDC_STATE, NULL, NULL);
        return;
    }
    verifier[n - CRYPTO_SEAL_OVERHEAD] = '\0';
    s->verifier = xstrdup(verifier);
    crypto_wipe(verifier, sizeof verifier);
    wait_outbound(r);
    oidc_discover(r->app, s->issuer, callback_discovered, r);
}

static struct db_stmt sql_login_take = DB_STMT("oidc.login_take", 3, "SELECT * FROM oidc_login_take($1, $2, $3)");

/* The return from the provider, for a citizen or a staff sign-in: s is the request's. */
static void oidc_return(struct req *r, struct oidc_signin *s)
{
    static const char *const keys[] = {"method", "code", "state", "error", "error_description", "iss",
                                       "lang", NULL};
    static const char *const staff_keys[] = {"code", "state", "error", "error_description", "iss", NULL};
    struct verr e;
    const char *code = NULL, *state = NULL, *error = NULL, *iss = NULL;
    if (!jv_only_keys(r->json, s->staff ? staff_keys : keys, NULL, &e) ||
        jv_string(r->json, "code", 2048, &code, &e) < 0 || jv_string(r->json, "iss", 300, &iss, &e) < 0 ||
        jv_string(r->json, "state", 100, &state, &e) < 0 || jv_string(r->json, "error", 100, &error, &e) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (!state || (!code && !error) || (code && error)) {
        req_fail(r, ERR_INVALID_FIELD, state ? "code" : "state",
                 "Give \"state\" with the provider's \"code\" (or its \"error\").");
        return;
    }
    char browser[CRYPTO_TOKEN_STRLEN + 8] = "";
    if (!req_cookie(r, OIDC_COOKIE, browser, sizeof browser) || !*browser) {
        req_fail(r, ERR_OIDC_STATE, NULL, NULL);
        return;
    }
    s->code = code ? xstrdup(code) : NULL;
    s->iss = iss ? xstrdup(iss) : NULL;
    if (error)
        log_info("OIDC provider returned an error id=%s error=%s", r->id, error);
    /* the sign-in is used up either way: a cancelled one cannot be resumed */
    req_set_cookie(r, OIDC_COOKIE, "", 0);
    char state_hash[65], browser_hash[65], eid[24];
    sha256_hex(state, state_hash);
    sha256_hex(browser, browser_hash);
    crypto_wipe(browser, sizeof browser);
    const char *p[3] = {state_hash, browser_hash, s->staff ? NULL : i64s(eid, r->ids[0])};
    req_db(r, &sql_login_take, p, login_taken);
}

void voter_session_oidc(struct req *r)
{
    struct signin_state *st = REQ_STATE(r, struct signin_state);
    struct oidc_signin *s = xcalloc(1, sizeof *s);
    st->method = s;
    st->method_release = signin_release;
    oidc_return(r, s);
}

void staff_oidc_session(struct req *r)
{
    struct staff_oidc *st = REQ_STATE_NEW(r, struct staff_oidc, staff_oidc_release);
    st->flow = xcalloc(1, sizeof *st->flow);
    st->flow->staff = true;
    oidc_return(r, st->flow);
}
