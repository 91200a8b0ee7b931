/*
 * voter: voting codes for staff to hand out, and the voter sessions citizens open with
 * them. A code is shown once, when it is made; the database keeps only its keyed hash.
 */
#include "api/voter.h"
#include "api/handlers.h"
#include "core/auth.h"
#include "core/db.h"
#include "core/ratelimit.h"
#include "core/reply.h"
#include "lib/crypto.h"
#include "lib/i18n.h"
#include "lib/jsonv.h"
#include "lib/log.h"
#include "lib/votecode.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CODES_PER_CALL 100000

/* Codes being made on a worker thread: the job reads only this. */
struct codes_state {
    const struct server_keys *keys; /* the server's, fixed since start-up */
    int64_t election_id, district_id, count;
    int64_t more[VOTER_MAX_FRAMES - 1]; /* the districts of other groups the codes also vote in */
    size_t nmore;
    cJSON *reply;
    struct buf hashes; /* the keyed hashes as a text[] literal of hex strings */
};

static void codes_state_release(void *p)
{
    struct codes_state *s = p;
    cJSON_Delete(s->reply);
    buf_free(&s->hashes);
}

static void html_escaped(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '&': buf_puts(b, "&amp;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&#39;"); break;
        default: buf_putc(b, *s);
        }
    }
}

/* A printable page of cards, one code per card, with the election's name and address. */
static void reply_cards(struct req *r, const cJSON *codes)
{
    const char *lang = r->election.default_lang;
    const char *title = i18n_pick(cJSON_GetObjectItemCaseSensitive(r->election.row, "title"), lang, lang);
    const char *host = req_header(r, "Host");
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "<!doctype html>\n<html lang=\"");
    html_escaped(&b, lang);
    buf_puts(&b, "\"><head><meta charset=\"utf-8\"><title>");
    html_escaped(&b, title);
    buf_puts(&b, "</title><link rel=\"stylesheet\" href=\"/print-cards.css\"></head><body>\n");
    for (const cJSON *c = codes->child; c; c = c->next) {
        buf_puts(&b, "<section class=\"card\"><h1>");
        html_escaped(&b, title);
        buf_puts(&b, "</h1><p class=\"address\">");
        html_escaped(&b, host ? host : "");
        buf_puts(&b, "</p><p class=\"code\">");
        html_escaped(&b, c->valuestring);
        buf_puts(&b, "</p></section>\n");
    }
    buf_puts(&b, "</body></html>\n");
    req_add_header(r, "Content-Security-Policy", "default-src 'none'; style-src 'self'; frame-ancestors 'none'");
    req_reply_bytes(r, 201, "text/html; charset=utf-8", b.data, b.len);
    buf_free(&b);
}

static void reply_csv(struct req *r, int64_t district, const cJSON *codes)
{
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "district_id,code\r\n");
    for (const cJSON *c = codes->child; c; c = c->next)
        buf_printf(&b, "%lld,%s\r\n", (long long)district, c->valuestring);
    req_add_header(r, "Content-Disposition", "attachment; filename=\"voting-codes.csv\"");
    req_reply_bytes(r, 201, "text/csv; charset=utf-8", b.data, b.len);
    buf_free(&b);
}

static void codes_stored(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct codes_state *s = REQ_STATE(r, struct codes_state);
    cJSON *reply = s->reply;
    s->reply = NULL;
    char *format = req_query_param(r, "format");
    const cJSON *codes = cJSON_GetObjectItemCaseSensitive(reply, "codes");
    int64_t district = 0;
    (void)jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(reply, "district_id"), 1, JV_MAX_SAFE_INT, &district);
    if (format && strcmp(format, "csv") == 0)
        reply_csv(r, district, codes);
    else if (format && (strcmp(format, "html") == 0 || strcmp(format, "cards") == 0))
        reply_cards(r, codes);
    else
        req_reply_json(r, 201, reply), reply = NULL;
    cJSON_Delete(reply);
    free(format);
}

static void code_revoked(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (!db_bool(res, 0, 0)) {
        req_fail(r, ERR_NOT_FOUND, "code", "No such active code in this election.");
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "revoked", true);
    req_reply_json(r, 200, o);
}

static struct db_stmt sql_revoke = DB_STMT("codes.revoke", 3, "SELECT revoke_code($1, $2, $3)");

void codes_revoke(struct req *r)
{
    static const char *const keys[] = {"code", NULL};
    struct verr e;
    const char *code = NULL;
    char norm[VOTECODE_CHARS + 1];
    if (!jv_only_keys(r->json, keys, NULL, &e) || jv_string(r->json, "code", 64, &code, &e) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (!code || !votecode_normalise(code, norm)) {
        req_fail(r, ERR_INVALID_FIELD, "code",
                 "This is not a voting code: a code is four groups of four letters and digits, such as K7QX-9MPD-2TRW-H4NC.");
        return;
    }
    char hash[VOTERKEY_HEX], staff[24], id[24];
    voterkey_code(&r->app->keys, r->election.id, norm, hash);
    const char *p[3] = {i64s(staff, r->auth.staff_id), i64s(id, r->election.id), hash};
    req_db(r, &sql_revoke, p, code_revoked);
}

/* On a worker thread: the codes and their keyed hashes. */
static void codes_work(void *job)
{
    struct codes_state *s = job;
    s->reply = cJSON_CreateObject();
    jv_add_int(s->reply, "district_id", s->district_id);
    cJSON *all = cJSON_AddArrayToObject(s->reply, "district_ids");
    cJSON_AddItemToArray(all, cJSON_CreateNumber((double)s->district_id));
    for (size_t i = 0; i < s->nmore; i++)
        cJSON_AddItemToArray(all, cJSON_CreateNumber((double)s->more[i]));
    jv_add_int(s->reply, "count", s->count);
    cJSON *list = cJSON_AddArrayToObject(s->reply, "codes");
    buf_putc(&s->hashes, '{');
    for (int64_t i = 0; i < s->count; i++) {
        char code[VOTECODE_STRLEN], norm[VOTECODE_CHARS + 1], hash[VOTERKEY_HEX];
        votecode_new(code);
        if (!votecode_normalise(code, norm))
            PB_ASSERT(!"generated code does not normalise");
        voterkey_code(s->keys, s->election_id, norm, hash);
        cJSON_AddItemToArray(list, cJSON_CreateString(code));
        if (i)
            buf_putc(&s->hashes, ',');
        buf_puts(&s->hashes, hash);
    }
    buf_putc(&s->hashes, '}');
}

static struct db_stmt sql_add_codes = DB_STMT("codes.add", 5, "SELECT add_codes($1, $2, $3, $4::bigint[], $5::text[])");

static void codes_made(struct req *r)
{
    struct codes_state *s = REQ_STATE(r, struct codes_state);
    char staff[24], id[24], d[24];
    char *more = db_int64_array_param(s->more, s->nmore);
    const char *p[5] = {i64s(staff, r->auth.staff_id), i64s(id, s->election_id), i64s(d, s->district_id), more,
                        s->hashes.data};
    req_db(r, &sql_add_codes, p, codes_stored);
    free(more);
}

/* "district_ids": the districts a code votes in, at most one per group of districts (the
 * database checks the groups); the first is its district_id. */
static bool read_code_districts(struct req *r, struct codes_state *s)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(r->json, "district_ids");
    int n = cJSON_GetArraySize(list);
    if (!cJSON_IsArray(list) || n < 1 || n > VOTER_MAX_FRAMES) {
        req_fail(r, ERR_INVALID_FIELD, "district_ids", "\"district_ids\" must list 1 to %d districts, one per group.",
                 VOTER_MAX_FRAMES);
        return false;
    }
    int i = 0;
    for (const cJSON *d = list->child; d; d = d->next, i++) {
        int64_t id;
        if (!jv_item_id(d, &id)) {
            req_fail(r, ERR_INVALID_FIELD, "district_ids", "\"district_ids\" must list district ids.");
            return false;
        }
        if (i == 0 && s->district_id && s->district_id != id) {
            req_fail(r, ERR_INVALID_FIELD, "district_ids", "\"district_id\", when given, must be the first of \"district_ids\".");
            return false;
        }
        if (i == 0)
            s->district_id = id;
        else
            s->more[s->nmore++] = id;
    }
    return true;
}

void codes_create(struct req *r)
{
    static const char *const keys[] = {"district_id", "district_ids", "count", NULL};
    struct verr e;
    int64_t district = 0, count = 0;
    int rc_d, rc_c;
    if (!jv_only_keys(r->json, keys, NULL, &e) ||
        (rc_d = jv_id(r->json, "district_id", &district, &e)) < 0 ||
        (rc_c = jv_int(r->json, "count", 1, MAX_CODES_PER_CALL, &count, &e)) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    bool listed = cJSON_GetObjectItemCaseSensitive(r->json, "district_ids") != NULL;
    if ((!rc_d && !listed) || !rc_c) {
        req_fail(r, ERR_INVALID_FIELD, !rc_c ? "count" : "district_id", "\"%s\" is required.",
                 !rc_c ? "count" : "district_id");
        return;
    }
    struct codes_state *s = REQ_STATE_NEW(r, struct codes_state, codes_state_release);
    s->keys = &r->app->keys;
    s->election_id = r->election.id;
    s->district_id = district;
    if (listed && !read_code_districts(r, s))
        return;
    s->count = count;
    buf_init(&s->hashes);
    /* Thousands of codes take a noticeable fraction of a second: not on the event loop. */
    req_worker(r, codes_work, s, codes_made);
}

static struct db_stmt sql_stats = DB_STMT("codes.stats", 1,
    "SELECT coalesce(jsonb_agg(jsonb_build_object('district_id', d.id,"
    "         'issued', (SELECT count(*) FROM voting_codes c WHERE c.district_id = d.id),"
    "         'used', (SELECT count(*) FROM voters v JOIN voting_codes c ON c.id = v.code_id WHERE c.district_id = d.id),"
    "         'revoked', (SELECT count(*) FROM voting_codes c WHERE c.district_id = d.id AND c.revoked_at IS NOT NULL))"
    "       ORDER BY d.id), '[]')::text"
    "  FROM districts d WHERE d.election_id = $1");

static void stats_counted(struct req *r, const struct db_result *res)
{
    if (req_db_ok(r, res))
        req_reply_member(r, "districts", db_value(res, 0, 0));
}

/* How many codes each district has had made, signed in with and revoked. */
void codes_stats(struct req *r)
{
    char id[24];
    const char *p[1] = {i64s(id, r->election.id)};
    req_db(r, &sql_stats, p, stats_counted);
}

/* --- voter sessions --- */

static void signin_state_release(void *p)
{
    struct signin_state *s = p;
    if (s->method && s->method_release)
        s->method_release(s->method);
    free(s->method);
    crypto_wipe(s, sizeof *s);
}

/* The frames are known: the token carries them; the reply says which have a ballot and
 * where a choice of district is still to be made. */
/* The voter's frames as voter_frames_json read them ({districts, voted, choices}), or NULL
 * (answered 500) when they cannot be read: never a session without its frames. */
static cJSON *frames_read(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return NULL;
    cJSON *f = cJSON_Parse(db_value(res, 0, 0));
    if (!cJSON_IsObject(f)) {
        cJSON_Delete(f);
        log_error("voter frames unreadable id=%s", r->id);
        req_fail(r, ERR_INTERNAL, NULL, NULL);
        return NULL;
    }
    return f;
}

/* Where the voter stands, into o (moved out of f): the frames with a ballot, the districts
 * still to choose, and has_voted: a ballot in each of the n frames, nothing left to choose. */
static void add_standing(cJSON *o, cJSON *f, size_t n)
{
    cJSON *voted = cJSON_DetachItemFromObjectCaseSensitive(f, "voted");
    cJSON *choices = cJSON_DetachItemFromObjectCaseSensitive(f, "choices");
    cJSON_AddBoolToObject(o, "has_voted",
                          n > 0 && cJSON_GetArraySize(voted) == (int)n && cJSON_GetArraySize(choices) == 0);
    cJSON_AddItemToObject(o, "voted_districts", voted ? voted : cJSON_CreateArray());
    cJSON_AddItemToObject(o, "choices", choices ? choices : cJSON_CreateArray());
}

static void frames_loaded(struct req *r, const struct db_result *res)
{
    cJSON *f = frames_read(r, res);
    if (!f)
        return;
    struct signin_state *s = REQ_STATE(r, struct signin_state);
    const cJSON *districts = cJSON_GetObjectItemCaseSensitive(f, "districts");
    struct voter_claims c = {.election_id = r->ids[0],
                             .voter_id = s->voter_id,
                             .expires = (int64_t)time(NULL) + VOTER_SESSION_TTL_S};
    const cJSON *d;
    cJSON_ArrayForEach(d, districts)
    {
        if (c.ndistricts == VOTER_MAX_FRAMES ||
            !jv_number_to_int64(d, 1, JV_MAX_SAFE_INT, &c.districts[c.ndistricts])) {
            cJSON_Delete(f);
            log_error("voter frames unreadable id=%s", r->id);
            req_fail(r, ERR_INTERNAL, NULL, NULL);
            return;
        }
        c.ndistricts++;
    }
    voter_token_issue(&r->app->keys, &c, s->token);
    unsigned char h[CRYPTO_SHA256_LEN];
    crypto_sha256(s->token, strlen(s->token), h);
    crypto_hex(h, sizeof h, r->auth.token_hash);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "token", s->token);
    char csrf[65];
    auth_csrf_token(r->app, r->auth.token_hash, csrf);
    cJSON_AddStringToObject(o, "csrf_token", csrf);
    jv_add_int(o, "election_id", r->ids[0]);
    cJSON_AddItemToObject(o, "districts", cJSON_Duplicate(districts, true));
    if (c.ndistricts)
        jv_add_int(o, "district_id", c.districts[0]);
    else
        cJSON_AddNullToObject(o, "district_id");
    add_standing(o, f, c.ndistricts);
    jv_add_int(o, "expires_in", VOTER_SESSION_TTL_S);
    cJSON_Delete(f);
    req_set_cookie(r, "pb_voter", s->token, VOTER_SESSION_TTL_S);
    if (s->counts_login)
        r->app->metrics.voter_logins++;
    req_reply_json(r, s->status, o);
}

static struct db_stmt sql_frames = DB_STMT("voter.frames", 3, "SELECT voter_frames_json($1, $2, $3)::text");

/* Reads the frames of s->voter_id, then answers with a new session. */
static void load_frames(struct req *r)
{
    struct signin_state *s = REQ_STATE(r, struct signin_state);
    char tag[VOTERKEY_HEX], id[24], v[24];
    voterkey_tag(&r->app->keys, r->ids[0], s->voter_id, tag);
    const char *p[3] = {i64s(id, r->ids[0]), i64s(v, s->voter_id), tag};
    req_db(r, &sql_frames, p, frames_loaded);
}

void voter_session_reply(struct req *r, int64_t voter_id)
{
    struct signin_state *s = REQ_STATE(r, struct signin_state);
    s->voter_id = voter_id;
    s->counts_login = true;
    s->status = 201;
    load_frames(r);
}

/* --- the session as it stands (the ballot page asks before drawing a ballot) --- */

static void session_read(struct req *r, const struct db_result *res)
{
    cJSON *f = frames_read(r, res);
    if (!f)
        return;
    cJSON *o = cJSON_CreateObject();
    jv_add_int(o, "election_id", r->ids[0]);
    /* the frames the token carries: what its ballots are accepted for */
    cJSON *ds = cJSON_AddArrayToObject(o, "districts");
    for (size_t i = 0; i < r->auth.ndistricts; i++)
        cJSON_AddItemToArray(ds, cJSON_CreateNumber((double)r->auth.districts[i]));
    add_standing(o, f, r->auth.ndistricts);
    cJSON_Delete(f);
    req_reply_json(r, 200, o);
}

/* Whether the session still holds (401 otherwise) and where the voter stands: the ballots
 * cast (on any device) and the districts still to choose. No new token. */
void voter_session_get(struct req *r)
{
    char tag[VOTERKEY_HEX], id[24], v[24];
    voterkey_tag(&r->app->keys, r->ids[0], r->auth.voter_id, tag);
    const char *p[3] = {i64s(id, r->ids[0]), i64s(v, r->auth.voter_id), tag};
    req_db(r, &sql_frames, p, session_read);
}

/* --- a voter's choice of district, where a group lets voters choose --- */

static void district_chosen(struct req *r, const struct db_result *res)
{
    if (req_db_ok(r, res))
        load_frames(r);
}

static struct db_stmt sql_choose = DB_STMT("voter.choose", 4, "SELECT voter_choose_district($1, $2, $3, $4)");

/* The choice is final (the SQL function decides under parallel requests); the answer is a
 * new session whose token carries the chosen frame, as a sign-in's. */
void voter_choose(struct req *r)
{
    static const char *const keys[] = {"district_id", NULL};
    struct verr e;
    int64_t district = 0;
    int rc;
    if (!jv_only_keys(r->json, keys, NULL, &e) || (rc = jv_id(r->json, "district_id", &district, &e)) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (!rc) {
        req_fail(r, ERR_INVALID_FIELD, "district_id", "\"district_id\" is required.");
        return;
    }
    struct signin_state *s = REQ_STATE_NEW(r, struct signin_state, signin_state_release);
    s->voter_id = r->auth.voter_id;
    s->status = 200;
    char id[24], v[24], d[24];
    const char *p[4] = {i64s(id, r->ids[0]), i64s(v, r->auth.voter_id), r->auth.token_hash, i64s(d, district)};
    req_db(r, &sql_choose, p, district_chosen);
}

static void login_done(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) != 1) {
        log_info("voter login failed id=%s", r->id); /* counted before the lookup */
        req_fail(r, ERR_INVALID_CODE, "code", NULL);
        return;
    }
    auth_attempt_ok(r, &RL_VOTING_CODE);
    voter_session_reply(r, db_int64(res, 0, 0));
}

static struct db_stmt sql_login_code = DB_STMT("voter.login_code", 2, "SELECT * FROM voter_login_code($1, $2)");

/* Counted for the address: now the lookup (a malformed code is a wrong one). */
static void code_counted(struct req *r)
{
    struct signin_state *s = REQ_STATE(r, struct signin_state);
    if (!s->hash[0]) {
        req_fail(r, ERR_INVALID_CODE, "code", NULL);
        return;
    }
    char id[24];
    const char *p[2] = {i64s(id, r->ids[0]), s->hash};
    req_db(r, &sql_login_code, p, login_done);
}

static void login_with_code(struct req *r, const char *code)
{
    if (!code) {
        req_fail(r, ERR_INVALID_FIELD, "code", "\"code\" is required.");
        return;
    }
    struct signin_state *s = REQ_STATE(r, struct signin_state);
    char norm[VOTECODE_CHARS + 1];
    if (votecode_normalise(code, norm))
        voterkey_code(&r->app->keys, r->ids[0], norm, s->hash);
    crypto_wipe(norm, sizeof norm);
    auth_attempt(r, &RL_VOTING_CODE, code_counted);
}

static void signed_out(struct req *r, const struct db_result *res)
{
    req_reply_signed_out(r, res, "pb_voter");
}

static struct db_stmt sql_sign_out = DB_STMT("voter.sign_out", 2, "SELECT voter_sign_out($1, $2)");

void voter_session_delete(struct req *r)
{
    char ttl[24];
    const char *p[2] = {r->auth.token_hash, i64s(ttl, VOTER_SESSION_TTL_S)};
    req_db(r, &sql_sign_out, p, signed_out);
}

void voter_session_create(struct req *r)
{
    static const char *const keys[] = {"method", "code", "register", "contact", "challenge_id", "otp", "lang",
                                       "state", "error", "error_description", "iss", NULL};
    static const char *const methods[] = {"code", "register", "otp", "oidc", NULL};
    struct verr e;
    const char *code = NULL, *lang = NULL;
    int idx = 0;
    if (!jv_only_keys(r->json, keys, NULL, &e) || jv_enum(r->json, "method", methods, &idx, &e) < 0 ||
        (idx != 3 && jv_string(r->json, "code", 64, &code, &e) < 0) || jv_string(r->json, "lang", 12, &lang, &e) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    struct signin_state *s = REQ_STATE_NEW(r, struct signin_state, signin_state_release);
    s->limit = &RL_VOTING_CODE;
    s->givebacks = 1;
    if (idx == 1)
        voter_session_register(r, cJSON_GetObjectItemCaseSensitive(r->json, "register"));
    else if (idx == 2)
        voter_session_otp(r);
    else if (idx == 3)
        voter_session_oidc(r);
    else
        login_with_code(r, code);
}
