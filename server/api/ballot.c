/*
 * ballot: citizens cast, replace and read their ballot. The ballot is checked against the
 * election's rules in C (ballot_rules), then written by one statement (cast_online_ballot)
 * that re-checks the phase and replaces any earlier ballot of the same voter atomically;
 * the 200 goes out only after that statement has committed.
 *
 * The rules and proposals a ballot is checked against are locked while voting is open, so
 * each process keeps them as typed structs for a second (a flat block in the cache, no
 * pointers inside, so the cache can copy it); a staff change clears them at once.
 */
#include "api/ballot.h"
#include "api/handlers.h"
#include "core/cache.h"
#include "core/db.h"
#include "core/reply.h"
#include "lib/crypto.h"
#include "lib/jsonv.h"
#include "lib/log.h"
#include "lib/voterkeys.h"
#include "lib/votertoken.h"

#include <stdlib.h>
#include <string.h>

#define CONTEXT_MAX_AGE_MS 1000
#define CONTEXT_MAX_PROJECTS 10000

/* What a ballot of one district is checked against. */
struct ballot_context {
    enum phase phase;
    int64_t budget;
    struct ballot_config rules;
    size_t nprojects;
    struct context_project {
        int64_t id, cost;
        char category[65]; /* "" for none */
    } projects[];
};

static size_t context_size(size_t nprojects)
{
    return sizeof(struct ballot_context) + nprojects * sizeof(struct context_project);
}

void cast_state_release(struct cast_state *s)
{
    ballot_free(&s->b);
    free(s->items);
    free(s->points);
}

/* The frame's ballot rules (its group's or the election's), the phase, and the accepted
 * proposals of the district. */
static struct db_stmt sql_context = DB_STMT("ballot.context", 2,
    "SELECT effective_phase(e), (frame_rules(e.id, d.id)->'ballot')::text, d.budget,"
    "       coalesce((SELECT jsonb_agg(jsonb_build_array(p.id, p.cost, p.category))"
    "                   FROM proposals p WHERE p.district_id = d.id AND p.status = 'accepted'),"
    "                '[]')::text"
    "  FROM elections e JOIN districts d ON d.election_id = e.id AND d.id = $2"
    " WHERE e.id = $1");

/* The checks once the context is known: phase, the ballot's shape and rules. */
static void context_ready(struct req *r, struct cast_state *s, const struct ballot_context *c)
{
    if (c->phase != PHASE_VOTING && !(s->paper && c->phase == PHASE_CLOSED)) {
        req_fail(r, ERR_WRONG_PHASE, NULL, "Voting is not open.");
        return;
    }
    struct verr e;
    if (!ballot_parse(s->body, &c->rules, &s->b, &e)) {
        req_fail_verr(r, &e);
        return;
    }
    s->b.district_id = s->asked_district;
    struct ballot_project *projects = xcalloc(c->nprojects ? c->nprojects : 1, sizeof *projects);
    for (size_t i = 0; i < c->nprojects; i++)
        projects[i] = (struct ballot_project){.id = c->projects[i].id,
                                              .district_id = s->b.district_id,
                                              .cost = c->projects[i].cost,
                                              .accepted = true,
                                              .category = c->projects[i].category[0] ? c->projects[i].category : NULL};
    bool ok = ballot_validate(&s->b, &c->rules, c->budget, projects, c->nprojects, &e);
    free(projects);
    if (!ok) {
        req_fail_verr(r, &e);
        return;
    }
    /* The tracker commits to the ballot and a random nonce: sha256(canonical "|" nonce). */
    unsigned char nonce[16], h[CRYPTO_SHA256_LEN];
    crypto_random(nonce, sizeof nonce);
    crypto_hex(nonce, sizeof nonce, s->nonce);
    char *canon = ballot_canonical(&s->b);
    char *msg = xasprintf("%s|%s", canon, s->nonce);
    crypto_sha256(msg, strlen(msg), h);
    crypto_hex(h, sizeof h, s->tracker);
    free(msg);
    free(canon);
    s->items = db_int64_array_param(s->b.items, s->b.n);
    s->points = s->b.points ? db_int64_array_param(s->b.points, s->b.n) : NULL;
    s->next(r);
}

/* Builds the typed context from the statement's row; NULL (logged) when the stored rules
 * or proposals cannot be read, which is the server's fault, not the voter's. */
static struct ballot_context *context_from_row(struct req *r, const struct db_result *res, size_t *size)
{
    enum phase phase;
    struct ballot_config rules;
    struct verr e;
    cJSON *ballot = cJSON_Parse(db_value(res, 0, 1));
    bool ok = phase_from_name(db_value(res, 0, 0), &phase) && ballot_config_parse(ballot, &rules, &e);
    cJSON_Delete(ballot);
    cJSON *plist = cJSON_Parse(db_value(res, 0, 3));
    int n = cJSON_GetArraySize(plist);
    if (!ok || !cJSON_IsArray(plist) || n > CONTEXT_MAX_PROJECTS) {
        cJSON_Delete(plist);
        log_error("stored ballot context unreadable id=%s election=%lld", r->id, (long long)r->ids[0]);
        return NULL;
    }
    *size = context_size((size_t)n);
    struct ballot_context *c = xcalloc(1, *size);
    c->phase = phase;
    c->budget = db_int64(res, 0, 2);
    c->rules = rules;
    for (const cJSON *p = plist->child; p; p = p->next) {
        struct context_project *cp = &c->projects[c->nprojects];
        const cJSON *cat = cJSON_GetArrayItem(p, 2);
        if (!jv_number_to_int64(cJSON_GetArrayItem(p, 0), 1, JV_MAX_SAFE_INT, &cp->id) ||
            !jv_number_to_int64(cJSON_GetArrayItem(p, 1), 0, JV_MAX_SAFE_INT, &cp->cost) ||
            (cJSON_IsString(cat) && strlen(cat->valuestring) >= sizeof cp->category)) {
            free(c);
            cJSON_Delete(plist);
            log_error("stored proposal unreadable id=%s election=%lld", r->id, (long long)r->ids[0]);
            return NULL;
        }
        if (cJSON_IsString(cat))
            memcpy(cp->category, cat->valuestring, strlen(cat->valuestring) + 1);
        c->nprojects++;
    }
    cJSON_Delete(plist);
    return c;
}

static void context_key(char key[64], int64_t election, int64_t district)
{
    snprintf(key, 64, "ballot-context:%lld:%lld", (long long)election, (long long)district);
}

/* The cast state is the first member of the request's state (ballot.h). */
static struct cast_state *cast_of(struct req *r)
{
    PB_ASSERT(r->state && r->state_size >= sizeof(struct cast_state));
    return r->state;
}

static void context_loaded(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) != 1) {
        req_fail(r, ERR_NOT_FOUND, NULL, "No such election or district.");
        return;
    }
    struct cast_state *s = cast_of(r);
    size_t size = 0;
    struct ballot_context *c = context_from_row(r, res, &size);
    if (!c) {
        req_fail(r, ERR_INTERNAL, NULL, NULL);
        return;
    }
    /* The rules and proposals are locked while voting is open: keep them for a second.
     * cast_online_ballot checks the phase again in its own statement. */
    if (c->phase == PHASE_VOTING) {
        char key[64];
        context_key(key, r->ids[0], s->asked_district);
        cache_put(r->app->cache, key, (const char *)c, size);
    }
    context_ready(r, s, c);
    free(c);
}

/* An online cast: the ballot and, with an Idempotency-Key, the request it answers. */
struct put_state {
    struct cast_state cast; /* first: ballot_check finds it there */
    char request[VOTERKEY_HEX]; /* sha256(voter_tag "|" key), or "" without a key */
};

static struct db_stmt sql_cast = DB_STMT("ballot.cast", 11,
    "SELECT * FROM cast_online_ballot($1, $2, $7, $3, $4::bigint[], $5::bigint[], $6, $8, $9, $10, $11)");

static void cast_done(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct cast_state *s = cast_of(r);
    if (db_nrows(res) != 1) {
        req_fail(r, ERR_PAPER_BALLOT, NULL, NULL);
        return;
    }
    bool replaced = db_bool(res, 0, 0), repeated = db_bool(res, 0, 3);
    if (!repeated) {
        r->app->metrics.ballots_cast++;
        if (replaced)
            r->app->metrics.ballots_replaced++;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "tracker", db_value(res, 0, 1));
    cJSON_AddBoolToObject(o, "replaced", replaced);
    jv_add_int(o, "district_id", s->b.district_id);
    cJSON_AddStringToObject(o, "nonce", db_value(res, 0, 2));
    char *canon = ballot_canonical(&s->b);
    cJSON_AddStringToObject(o, "ballot", canon);
    free(canon);
    req_reply_json(r, 200, o);
}

static void sha256_hex(const char *text, char out[VOTERKEY_HEX])
{
    unsigned char h[CRYPTO_SHA256_LEN];
    crypto_sha256(text, strlen(text), h);
    crypto_hex(h, sizeof h, out);
}

static void cast_validated(struct req *r)
{
    struct put_state *ps = REQ_STATE(r, struct put_state);
    struct cast_state *s = &ps->cast;
    char tag[VOTERKEY_HEX], id[24], d[24], v[24], body[VOTERKEY_HEX] = "";
    voterkey_tag(&r->app->keys, r->ids[0], r->auth.voter_id, tag);
    const char *key = req_header(r, "Idempotency-Key");
    if (key) {
        /* the request is the voter's key; the same ballot is the same canonical text */
        char *scoped = xasprintf("%s|%s", tag, key);
        sha256_hex(scoped, ps->request);
        free(scoped);
        char *canon = ballot_canonical(&s->b);
        sha256_hex(canon, body);
        free(canon);
    }
    const char *p[11] = {i64s(id, r->ids[0]), i64s(d, s->b.district_id), tag, s->items, s->points,
                         s->tracker, i64s(v, r->auth.voter_id), r->auth.token_hash,
                         key ? ps->request : NULL, key ? body : NULL, s->nonce};
    req_db(r, &sql_cast, p, cast_done);
}

/* 1 to 64 visible ASCII characters (a UUID, or any random token the page makes). */
static bool idempotency_key_valid(const char *k)
{
    size_t n = strlen(k);
    if (n < 1 || n > 64)
        return false;
    for (const char *c = k; *c; c++)
        if (*c < 0x21 || *c > 0x7e)
            return false;
    return true;
}

void ballot_check(struct req *r, struct cast_state *s, const cJSON *body, int64_t election, const int64_t *districts,
                  size_t n, bool paper, req_step_fn next)
{
    PB_ASSERT(s == r->state); /* the callbacks find it there */
    s->body = body;
    s->districts = districts;
    s->ndistricts = n;
    s->paper = paper;
    s->next = next;
    struct verr e;
    int64_t asked = 0;
    int rc = jv_id(body, "district_id", &asked, &e);
    if (rc < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (!rc && n != 1) {
        req_fail(r, n ? ERR_INVALID_FIELD : ERR_FORBIDDEN, "district_id",
                 n ? "\"district_id\" is required: this voter votes in several districts, one ballot each."
                   : "Choose your district before you vote.");
        return;
    }
    if (!rc)
        asked = districts[0];
    if (!voter_frames_include(districts, n, asked)) {
        req_fail(r, ERR_FORBIDDEN, "district_id", "The voter is not eligible to vote in that district.");
        return;
    }
    s->asked_district = asked;
    char key[64];
    context_key(key, election, asked);
    const char *data;
    size_t len;
    struct cache_bytes *held = cache_hold(r->app->cache, key, CONTEXT_MAX_AGE_MS, false, &data, &len, NULL);
    if (held) {
        const struct ballot_context *c = (const struct ballot_context *)data;
        PB_ASSERT(len == context_size(c->nprojects));
        context_ready(r, s, c); /* checks synchronously, before the reference goes */
        cache_bytes_release(held);
        return;
    }
    char id[24], d[24];
    const char *p[2] = {i64s(id, election), i64s(d, asked)};
    req_db(r, &sql_context, p, context_loaded);
}

static void ballot_state_release(void *p)
{
    cast_state_release(&((struct put_state *)p)->cast);
}

void ballot_put(struct req *r)
{
    const char *key = req_header(r, "Idempotency-Key");
    if (key && !idempotency_key_valid(key)) {
        req_fail(r, ERR_BAD_REQUEST, "Idempotency-Key", "The Idempotency-Key header must be 1 to 64 visible ASCII characters.");
        return;
    }
    struct put_state *s = REQ_STATE_NEW(r, struct put_state, ballot_state_release);
    ballot_check(r, &s->cast, r->json, r->ids[0], r->auth.districts, r->auth.ndistricts, false, cast_validated);
}

static struct db_stmt sql_get = DB_STMT("ballot.get", 3,
    "SELECT b.items, b.points, b.tracker, b.source, frame_rules(b.election_id, b.district_id)->'ballot'->>'type',"
    "       b.district_id"
    "  FROM ballots b"
    " WHERE b.election_id = $1 AND b.district_id = $2 AND b.voter_tag = decode($3, 'hex')");

static void got_ballot(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) != 1) {
        req_fail(r, ERR_NOT_FOUND, NULL, "You have not voted yet.");
        return;
    }
    enum ballot_type t;
    if (!ballot_type_from_name(db_value(res, 0, 4), &t)) {
        req_fail(r, ERR_INTERNAL, NULL, NULL);
        return;
    }
    struct ballot b = {0};
    b.district_id = db_int64(res, 0, 5);
    size_t np = 0;
    if (!db_int64_array(res, 0, 0, &b.items, &b.n) || !db_int64_array(res, 0, 1, &b.points, &np)) {
        ballot_free(&b);
        req_fail(r, ERR_INTERNAL, NULL, NULL);
        return;
    }
    cJSON *o = ballot_to_json(&b, t);
    ballot_free(&b);
    cJSON_AddStringToObject(o, "tracker", db_value(res, 0, 2));
    cJSON_AddStringToObject(o, "source", db_value(res, 0, 3));
    req_reply_json(r, 200, o);
}

/* The district (frame) a voter's request is about: the query's district_id when given
 * (it must be one of the voter's), else the voter's first. False (answered) when not. */
static bool ballot_frame_from_query(struct req *r, int64_t *district)
{
    char *q = req_query_param(r, "district_id");
    bool ok = true;
    *district = r->auth.district_id;
    if (q && (!parse_int64(q, district) || *district <= 0)) {
        req_fail(r, ERR_INVALID_FIELD, "district_id", "\"district_id\" must be a district id.");
        ok = false;
    } else if (q && !voter_frames_include(r->auth.districts, r->auth.ndistricts, *district)) {
        req_fail(r, ERR_FORBIDDEN, "district_id", "The voter does not vote in that district.");
        ok = false;
    } else if (!*district) {
        req_fail(r, ERR_NOT_FOUND, NULL, "You have not voted yet.");
        ok = false;
    }
    free(q);
    return ok;
}

/* The voter's ballot in one of their frames (?district_id=, default the first). */
void ballot_get(struct req *r)
{
    int64_t district;
    if (!ballot_frame_from_query(r, &district))
        return;
    char tag[VOTERKEY_HEX], id[24], d[24];
    voterkey_tag(&r->app->keys, r->ids[0], r->auth.voter_id, tag);
    const char *p[3] = {i64s(id, r->ids[0]), i64s(d, district), tag};
    req_db(r, &sql_get, p, got_ballot);
}
