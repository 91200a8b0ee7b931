/*
 * register: eligibility by the municipality's voter register and by one-time codes sent
 * to a phone or e-mail address on it. The register is stored as keyed hashes only: one
 * hash over identifier, birth date and postcode, so a failed match cannot say which field
 * was wrong, one over the contact address, and one over the identifier alone (or the
 * oidc_id column) that an OpenID provider's claim is matched with (api/oidc.c). An upload
 * is read and checked by lib/regimport on a worker thread; a dry run (?dry_run=true) lists
 * every row's problem and stores nothing, and an upload with any problem stores nothing
 * either.
 */
#include "api/handlers.h"
#include "api/upload.h"
#include "api/voter.h"
#include "core/auth.h"
#include "core/db.h"
#include "core/ratelimit.h"
#include "core/reply.h"
#include "core/outbox.h"
#include "lib/i18n.h"
#include "lib/crypto.h"
#include "lib/jsonv.h"
#include "lib/log.h"
#include "lib/regimport.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool voter_register_hash_from_json(struct req *r, const cJSON *reg, char out[VOTERKEY_HEX])
{
    static const char *const keys[] = {"personal_id", "birth_date", "postcode", NULL};
    struct verr e;
    const char *id = NULL, *birth = NULL, *postcode = NULL;
    if (!jv_only_keys(reg, keys, "register", &e) || jv_string(reg, "personal_id", 100, &id, &e) < 0 ||
        jv_string(reg, "birth_date", 10, &birth, &e) < 0 || jv_string(reg, "postcode", 20, &postcode, &e) < 0) {
        req_fail_verr(r, &e);
        return false;
    }
    if (!id || !birth || !voterkey_register(&r->app->keys, r->ids[0], id, birth, postcode, out)) {
        req_fail(r, ERR_INVALID_FIELD, "register",
                 "Give \"personal_id\" and \"birth_date\" (YYYY-MM-DD), and \"postcode\" if asked.");
        return false;
    }
    return true;
}

/* --- upload --- */

/* An upload being read on a worker thread (lib/regimport: CSV through libcsv, every row
 * checked and hashed): the job reads only this. */
struct upload {
    const struct server_keys *keys; /* the server's, fixed since start-up */
    char *text;
    size_t len;
    int64_t election;
    cJSON *districts; /* the election's, to check rows against */
    bool dry_run;
    struct regimport result;
};

static void upload_release(void *p)
{
    struct upload *u = p;
    crypto_wipe(u->text, u->len);
    free(u->text);
    cJSON_Delete(u->districts);
    regimport_free(&u->result);
}

static void upload_work(void *job)
{
    struct upload *u = job;
    regimport_run(u->keys, u->election, u->districts, u->text, u->len, &u->result);
}

static void register_stored(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct upload *u = REQ_STATE(r, struct upload);
    cJSON *o = cJSON_CreateObject();
    jv_add_int(o, "rows", db_int64(res, 0, 0));
    cJSON_AddItemToObject(o, "districts", u->result.districts);
    u->result.districts = NULL;
    req_reply_json(r, 201, o);
}

/* What a dry run finds: the good rows per district and every problem with its line. */
static void reply_dry_run(struct req *r, struct regimport *res)
{
    cJSON *o = upload_findings(res->rows, &res->errors);
    cJSON_AddItemToObject(o, "districts", res->districts);
    res->districts = NULL;
    req_reply_json(r, 200, o);
}

static struct db_stmt sql_add_register = DB_STMT("register.add", 3, "SELECT add_register($1, $2, $3::jsonb)");

static void upload_done(struct req *r)
{
    struct upload *u = REQ_STATE(r, struct upload);
    struct regimport *res = &u->result;
    if (res->fatal[0]) {
        req_fail(r, ERR_INVALID_FIELD, "body", "%s", res->fatal);
        return;
    }
    if (u->dry_run) {
        reply_dry_run(r, res);
        return;
    }
    if (!upload_clean(r, "The register", &res->errors))
        return;
    char staff[24], id[24];
    const char *p[3] = {i64s(staff, r->auth.staff_id), i64s(id, u->election), res->out.data};
    req_db(r, &sql_add_register, p, register_stored);
}

void register_upload(struct req *r)
{
    if (!upload_text_ok(r, "the register"))
        return;
    struct upload *u = REQ_STATE_NEW(r, struct upload, upload_release);
    u->keys = &r->app->keys;
    u->text = xstrndup(r->body, r->body_len);
    u->len = r->body_len;
    u->election = r->election.id;
    u->districts = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(r->election.row, "districts"), 1);
    u->dry_run = upload_dry_run(r);
    req_worker(r, upload_work, u, upload_done);
}

/* --- voter sessions by register match and by one-time code --- */

static void session_opened(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct signin_state *s = REQ_STATE(r, struct signin_state);
    if (db_nrows(res) != 1) {
        req_fail(r, ERR_INVALID_CODE, NULL, "These details do not match the register."); /* counted already */
        return;
    }
    for (int i = 0; i < s->givebacks; i++)
        auth_attempt_ok(r, s->limit);
    voter_session_reply(r, db_int64(res, 0, 0));
}

static struct db_stmt sql_login_register = DB_STMT("voter.login_register", 2,
                                                   "SELECT * FROM voter_login_register($1, $2)");

static void register_counted(struct req *r)
{
    char id[24];
    const char *p[2] = {i64s(id, r->ids[0]), REQ_STATE(r, struct signin_state)->hash};
    req_db(r, &sql_login_register, p, session_opened);
}

void voter_session_register(struct req *r, const cJSON *reg)
{
    struct signin_state *s = REQ_STATE(r, struct signin_state);
    s->limit = &RL_REGISTER;
    if (!voter_register_hash_from_json(r, reg, s->hash))
        return;
    auth_attempt(r, &RL_REGISTER, register_counted);
}

static void otp_started(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct signin_state *l = REQ_STATE(r, struct signin_state);
    /* The message was queued with the challenge; this process sends it at once. Unknown
     * contacts get the same answer after the same statement: nothing is revealed. */
    if (db_value(res, 0, 0))
        outbox_kick(r->app->outbox);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "challenge_id", l->challenge);
    jv_add_int(o, "expires_in", 600);
    cJSON_AddStringToObject(o, "message", "If the address is on the register, a code is on its way.");
    req_reply_json(r, 202, o);
}

static struct db_stmt sql_otp_start = DB_STMT("voter.otp_start", 9,
    "SELECT otp_start($1, $2, $3::uuid, $4, $5, $6, $7, $8, $9)");
static struct db_stmt sql_otp_finish = DB_STMT("voter.otp_finish", 3, "SELECT * FROM otp_finish($1, $2::uuid, $3)");

/* The citizen's language: the one asked for, else the election's. */
static const char *otp_lang(struct req *r)
{
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(r->json, "lang");
    return cJSON_IsString(l) && i18n_lang_valid(l->valuestring) ? l->valuestring : NULL;
}

/* The sealed message waits in the sign-in state until the attempt is counted. */
static void sealed_release(void *p)
{
    outbox_sealed_free(p);
}

/* Counted for the address (each code sent is an attempt, given back when it signs in):
 * the challenge and its message are stored in one statement. */
static void otp_request_counted(struct req *r)
{
    struct signin_state *l = REQ_STATE(r, struct signin_state);
    const struct outbox_sealed *sealed = l->method;
    char id[24];
    const char *p[9] = {i64s(id, r->ids[0]), l->hash,           l->challenge,         l->code_hash, sealed->channel,
                        otp_lang(r),          sealed->recipient_hex, sealed->hint, sealed->params_hex};
    req_db(r, &sql_otp_start, p, otp_started);
}

static void otp_request(struct req *r, const char *contact)
{
    struct signin_state *l = REQ_STATE(r, struct signin_state);
    if (!voterkey_contact(&r->app->keys, r->ids[0], contact, l->hash)) {
        req_fail(r, ERR_INVALID_FIELD, "contact", "\"contact\" must be a phone number or an e-mail address.");
        return;
    }
    /* The same answer whether or not the address is on the register, so the limit says
     * nothing about who is on it. */
    bool slow;
    int wait = ratelimit_take(r->app->limits, &RL_OTP_SEND, l->hash, (int64_t)time(NULL), &slow);
    if (wait > 0) {
        char s[16];
        snprintf(s, sizeof s, "%d", wait);
        req_add_header(r, "Retry-After", s);
        req_fail(r, ERR_RATE_LIMITED, "contact",
                 "Codes have been sent to this address %d times in %d minutes; try again in %d seconds.",
                 RL_OTP_SEND.per_client, RL_OTP_SEND.window_s / 60, wait);
        return;
    }
    unsigned char raw[16];
    crypto_random(raw, sizeof raw);
    char hex[33];
    crypto_hex(raw, sizeof raw, hex);
    snprintf(l->challenge, sizeof l->challenge, "%.8s-%.4s-4%.3s-a%.3s-%.12s", hex, hex + 8, hex + 13, hex + 17, hex + 20);
    char code[9];
    for (int i = 0; i < 8; i++)
        code[i] = (char)('0' + crypto_random_below(10));
    code[8] = '\0';
    voterkey_otp(&r->app->keys, l->challenge, code, l->code_hash);
    cJSON *params = cJSON_CreateObject();
    cJSON_AddStringToObject(params, "code", code);
    jv_add_int(params, "minutes", 10);
    struct outbox_sealed *sealed = xcalloc(1, sizeof *sealed);
    bool ok = outbox_seal(&r->app->keys, contact, params, sealed);
    cJSON_Delete(params);
    crypto_wipe(code, sizeof code);
    l->method = sealed;
    l->method_release = sealed_release;
    if (!ok) {
        req_fail(r, ERR_INVALID_FIELD, "contact", "\"contact\" must be a phone number or an e-mail address.");
        return;
    }
    auth_attempt(r, &RL_OTP, otp_request_counted);
}

static void otp_verify_counted(struct req *r)
{
    struct signin_state *l = REQ_STATE(r, struct signin_state);
    char id[24];
    const char *p[3] = {i64s(id, r->ids[0]), l->challenge, l->code_hash};
    req_db(r, &sql_otp_finish, p, session_opened);
}

static void otp_verify(struct req *r, const char *challenge, const char *code)
{
    struct signin_state *l = REQ_STATE(r, struct signin_state);
    l->limit = &RL_OTP;
    l->givebacks = 2; /* the code sent, and this check */
    if (strlen(challenge) != 36 || strspn(challenge, "0123456789abcdef-") != 36) {
        req_fail(r, ERR_INVALID_FIELD, "challenge_id", "\"challenge_id\" is not a challenge.");
        return;
    }
    snprintf(l->challenge, sizeof l->challenge, "%s", challenge);
    voterkey_otp(&r->app->keys, challenge, code, l->code_hash);
    auth_attempt(r, &RL_OTP, otp_verify_counted);
}

void voter_session_otp(struct req *r)
{
    struct verr e;
    const char *contact = NULL, *challenge = NULL, *otp = NULL;
    if (jv_string(r->json, "contact", 254, &contact, &e) < 0 ||
        jv_string(r->json, "challenge_id", 64, &challenge, &e) < 0 || jv_string(r->json, "otp", 16, &otp, &e) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (challenge && otp)
        otp_verify(r, challenge, otp);
    else if (contact && !challenge && !otp)
        otp_request(r, contact);
    else
        req_fail(r, ERR_INVALID_FIELD, "contact",
                 "Give \"contact\" to get a code, then \"challenge_id\" and \"otp\" to sign in.");
}
