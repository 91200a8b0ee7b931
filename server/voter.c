/*
 * voter: voting codes for staff to hand out, and the voter sessions citizens open with
 * them. A code is shown once, when it is made; the database keeps only its keyed hash.
 */
#include "voter.h"
#include "crypto.h"
#include "db.h"
#include "handlers.h"
#include "jsonv.h"
#include "log.h"
#include "ratelimit.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CODES_PER_CALL 20000
#define VOTER_SESSION_TTL_S (2 * 3600)

struct codes_state {
    cJSON *reply;
};

static void codes_state_free(void *p)
{
    struct codes_state *s = p;
    cJSON_Delete(s->reply);
    free(s);
}

static void codes_stored(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct codes_state *s = r->state;
    cJSON *reply = s->reply;
    s->reply = NULL;
    req_reply_json(r, 201, reply);
}

static void codes_loaded(struct req *r)
{
    if (!req_require_role(r, ROLE_ADMIN))
        return;
    static const char *const keys[] = {"district_id", "count", NULL};
    struct verr e;
    int64_t district = 0, count = 0;
    int rc_d, rc_c;
    if (!jv_only_keys(r->json, keys, NULL, &e) ||
        (rc_d = jv_id(r->json, "district_id", &district, &e)) < 0 ||
        (rc_c = jv_int(r->json, "count", 1, MAX_CODES_PER_CALL, &count, &e)) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (!rc_d || !rc_c) {
        req_fail(r, ERR_INVALID_FIELD, !rc_d ? "district_id" : "count", "\"%s\" is required.",
                 !rc_d ? "district_id" : "count");
        return;
    }
    struct codes_state *s = xcalloc(1, sizeof *s);
    r->state = s;
    r->state_free = codes_state_free;
    s->reply = cJSON_CreateObject();
    jv_add_int(s->reply, "district_id", district);
    jv_add_int(s->reply, "count", count);
    cJSON *list = cJSON_AddArrayToObject(s->reply, "codes");
    /* The hashes go to the database as a text[] literal of hex strings. */
    struct buf arr;
    buf_init(&arr);
    buf_putc(&arr, '{');
    for (int64_t i = 0; i < count; i++) {
        char code[VOTER_CODE_STRLEN], norm[VOTER_CODE_CHARS + 1], hash[65];
        voter_code_new(code);
        if (!voter_code_normalise(code, norm))
            PB_ASSERT(!"generated code does not normalise");
        voter_code_hash(r->app, r->election.id, norm, hash);
        cJSON_AddItemToArray(list, cJSON_CreateString(code));
        buf_printf(&arr, "%s%s", i ? "," : "", hash);
    }
    buf_putc(&arr, '}');
    char staff[24], id[24], d[24];
    const char *p[4] = {i64s(staff, r->auth.staff_id), i64s(id, r->election.id),
                        i64s(d, district), arr.data};
    req_db(r, "SELECT add_codes($1, $2, $3, $4::text[])", 4, p, codes_stored);
    buf_free(&arr);
}

void codes_create(struct req *r)
{
    req_load_election(r, r->ids[0], codes_loaded);
}

/* --- voter sessions --- */

struct login_state {
    char token[CRYPTO_TOKEN_STRLEN];
    int64_t voter_id, district_id;
};

static void login_state_free(void *p)
{
    crypto_wipe(p, sizeof(struct login_state));
    free(p);
}

static void has_voted_done(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct login_state *s = r->state;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "token", s->token);
    char csrf[65];
    req_csrf_token(r->app, r->auth.token_hash, csrf);
    cJSON_AddStringToObject(o, "csrf_token", csrf);
    jv_add_int(o, "election_id", r->ids[0]);
    cJSON *d = cJSON_AddArrayToObject(o, "districts");
    cJSON_AddItemToArray(d, cJSON_CreateNumber((double)s->district_id));
    jv_add_int(o, "district_id", s->district_id);
    cJSON_AddBoolToObject(o, "has_voted", db_bool(res, 0, 0));
    jv_add_int(o, "expires_in", VOTER_SESSION_TTL_S);
    req_set_cookie(r, "pb_voter", s->token, VOTER_SESSION_TTL_S);
    r->app->metrics.voter_logins++;
    req_reply_json(r, 201, o);
}

static const char sql_has_voted[] =
    "SELECT EXISTS (SELECT 1 FROM ballots WHERE election_id = $1 AND district_id = $2"
    "                  AND voter_tag = decode($3, 'hex'))";

static void login_done(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) != 1) {
        log_info("voter login failed id=%s", r->id);
        req_rate_failed(r, &RL_VOTING_CODE);
        req_fail(r, ERR_INVALID_CODE, "code", NULL);
        return;
    }
    struct login_state *s = r->state;
    s->voter_id = db_int64(res, 0, 0);
    s->district_id = db_int64(res, 0, 1);
    char tag[65], id[24], d[24];
    voter_tag(r->app, r->ids[0], s->voter_id, tag);
    const char *p[3] = {i64s(id, r->ids[0]), i64s(d, s->district_id), tag};
    req_db(r, sql_has_voted, 3, p, has_voted_done);
}

void voter_session_create(struct req *r)
{
    static const char *const keys[] = {"method", "code", NULL};
    static const char *const methods[] = {"code", NULL};
    struct verr e;
    const char *code = NULL;
    int idx;
    if (!jv_only_keys(r->json, keys, NULL, &e) || jv_enum(r->json, "method", methods, &idx, &e) < 0 ||
        jv_string(r->json, "code", 64, &code, &e) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (!code) {
        req_fail(r, ERR_INVALID_FIELD, "code", "\"code\" is required.");
        return;
    }
    if (req_rate_limited(r, &RL_VOTING_CODE))
        return;
    char norm[VOTER_CODE_CHARS + 1];
    if (!voter_code_normalise(code, norm)) {
        req_rate_failed(r, &RL_VOTING_CODE);
        req_fail(r, ERR_INVALID_CODE, "code", NULL);
        return;
    }
    struct login_state *s = xcalloc(1, sizeof *s);
    r->state = s;
    r->state_free = login_state_free;
    crypto_token(s->token);
    unsigned char h[CRYPTO_SHA256_LEN];
    crypto_sha256(s->token, strlen(s->token), h);
    crypto_hex(h, sizeof h, r->auth.token_hash);
    char hash[65], id[24], ttl[24];
    voter_code_hash(r->app, r->ids[0], norm, hash);
    crypto_wipe(norm, sizeof norm);
    const char *p[4] = {i64s(id, r->ids[0]), hash, r->auth.token_hash,
                        i64s(ttl, VOTER_SESSION_TTL_S)};
    req_db(r, "SELECT * FROM voter_login_code($1, $2, $3, $4)", 4, p, login_done);
}
