/*
 * auth: authentication and the gate (see auth.h). The order of the checks is the order of
 * the answers a client can learn something from: 401 (who are you) before 403 (CSRF, the
 * wrong election) before 404 (a scope the caller may not see) before 403 (role) before
 * 409 (phase). An election a caller has no role in answers 404 for staff routes, so its
 * existence is not revealed to another municipality's staff.
 */
#include "core/auth.h"
#include "core/db.h"
#include "core/ratelimit.h"
#include "core/reply.h"
#include "core/router.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "lib/votertoken.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static bool is_mutation(enum http_method m)
{
    return m == M_POST || m == M_PUT || m == M_PATCH || m == M_DELETE;
}

void auth_csrf_token(const struct app *app, const char *token_hash_hex, char out[65])
{
    unsigned char mac[CRYPTO_SHA256_LEN];
    crypto_hmac_sha256(app->keys.csrf, KEY_LEN, token_hash_hex, strlen(token_hash_hex), mac);
    crypto_hex(mac, sizeof mac, out);
}

/* Over the global limit every attempt waits this long: a guesser with many addresses gets
 * slower, and nobody is shut out. */
#define GLOBAL_PAUSE_MS 1000

void auth_attempt(struct req *r, const struct ratelimit_rule *rule, req_step_fn next)
{
    bool slow = false;
    int wait = ratelimit_take(r->app->limits, rule, r->client_ip, (int64_t)time(NULL), &slow);
    if (wait > 0) {
        char s[16];
        snprintf(s, sizeof s, "%d", wait);
        req_add_header(r, "Retry-After", s);
        req_fail(r, ERR_RATE_LIMITED, NULL, "Too many attempts from your address; try again in %d seconds.", wait);
        return;
    }
    if (slow)
        req_after(r, GLOBAL_PAUSE_MS, next);
    else
        next(r);
}

bool auth_hash(struct req *r, const struct ratelimit_rule *rule, void (*work)(void *job), void *job,
               req_step_fn done)
{
    int tried = ratelimit_count(r->app->limits, rule, r->client_ip, (int64_t)time(NULL));
    return req_worker_hashing(r, tried, work, job, done);
}

void auth_attempt_ok(struct req *r, const struct ratelimit_rule *rule)
{
    ratelimit_giveback(r->app->limits, rule, r->client_ip, (int64_t)time(NULL));
}

/* --- the gate: the route row's needs, checked in order --- */

static void gate_loaded_election(struct req *r, const struct db_result *res);
static void gate_loaded_organisation(struct req *r, const struct db_result *res);

/* The election with the caller's roles in it (staff_role_mask: 0 for anyone else). */
static struct db_stmt sql_election_by_id = DB_STMT("gate.election", 2,
    "SELECT e.id, e.organisation_id, effective_phase(e), e.rule, e.currency, e.default_lang,"
    "       election_json(e)::text, staff_role_mask($2::bigint, e.id)"
    "  FROM elections e WHERE e.id = $1");

static struct db_stmt sql_election_by_proposal = DB_STMT("gate.proposal_election", 2,
    "SELECT e.id, e.organisation_id, effective_phase(e), e.rule, e.currency, e.default_lang,"
    "       election_json(e)::text, staff_role_mask($2::bigint, e.id)"
    "  FROM proposals p JOIN elections e ON e.id = p.election_id WHERE p.id = $1");

/* The caller's organisation-wide roles as enum role bits, and ROLE_ELECTION_ONLY for roles
 * in some of its elections (such staff learn the organisation exists: 403, not 404); no
 * row: no such organisation. */
static struct db_stmt sql_organisation = DB_STMT("gate.organisation", 2,
    "SELECT coalesce(bit_or(CASE WHEN r.election_id IS NOT NULL THEN 64"
    "                            WHEN r.role = 'admin' THEN 8 WHEN r.role = 'moderator' THEN 4"
    "                            WHEN r.role = 'clerk' THEN 2 WHEN r.role = 'observer' THEN 1 END), 0)"
    "  FROM organisations o"
    "  LEFT JOIN staff_roles r ON r.organisation_id = o.id AND r.staff_id = $2"
    " WHERE o.id = $1 GROUP BY o.id");

static bool holds(unsigned have, unsigned need)
{
    if (!need || (have & ROLE_ADMIN))
        return true;
    if (need & ROLE_ANY_STAFF)
        return have != 0;
    return (have & need) != 0;
}

/* 401 for a caller who is not staff, 404 for staff with no role in the scope (its
 * existence is not revealed), 403 for a role too small. */
static bool require_role(struct req *r, unsigned have, unsigned need, const char *what)
{
    if (holds(have, need))
        return true;
    if (r->auth.kind != AUTH_STAFF)
        req_fail(r, ERR_UNAUTHORIZED, NULL, "Staff authentication is required.");
    else if (have == 0)
        req_fail(r, ERR_NOT_FOUND, NULL, "No such %s.", what);
    else
        req_fail(r, ERR_FORBIDDEN, NULL, "Your role does not allow this.");
    return false;
}

/* Where the election is, in words a citizen or a clerk can act on. */
static const char *phase_situation(enum phase p)
{
    switch (p) {
    case PHASE_DRAFT:
        return "The election is still being set up.";
    case PHASE_PROPOSALS:
        return "The election is in its ideas phase.";
    case PHASE_SUPPORTS:
        return "Citizens are supporting proposals; voting has not opened.";
    case PHASE_REVIEW:
        return "The proposals are being reviewed; voting has not opened.";
    case PHASE_VOTING:
        return "Voting is open.";
    case PHASE_CLOSED:
        return "Voting has closed.";
    case PHASE_PUBLISHED:
        return "The results are published; the election is finished.";
    case PHASE_COUNT:
        break;
    }
    return "The election is not in a phase that allows this.";
}

static void fail_phase(struct req *r, const char *hint)
{
    enum phase p = r->election.phase;
    /* after publication nothing is left to do: the hint would only mislead */
    if (hint && p != PHASE_PUBLISHED)
        req_fail(r, ERR_WRONG_PHASE, NULL, "%s %s", phase_situation(p), hint);
    else
        req_fail(r, ERR_WRONG_PHASE, NULL, "%s", phase_situation(p));
}

/* A voter acting (not only reading in public) must be in the election of their session. */
static bool voter_acts_elsewhere(const struct req *r, int64_t election)
{
    return r->auth.kind == AUTH_VOTER && (r->route->auth == AUTH_VOTER || r->route->auth == AUTH_ANY) &&
           r->auth.election_id != election;
}

/* The checks once the election is known; then the handler. */
static void gate_election_ready(struct req *r)
{
    const struct route *rt = r->route;
    struct election_ctx *e = &r->election;
    if (voter_acts_elsewhere(r, e->id)) {
        req_fail(r, ERR_FORBIDDEN, NULL, "This voter session belongs to another election.");
        return;
    }
    /* drafts exist only for the organisation's staff */
    if (e->phase == PHASE_DRAFT && !holds(e->roles, ROLE_ANY_STAFF)) {
        req_fail(r, ERR_NOT_FOUND, NULL, "No such %s.", rt->scope == SCOPE_PROPOSAL ? "proposal" : "election");
        return;
    }
    if (r->auth.kind != AUTH_VOTER) {
        if (!require_role(r, e->roles, rt->role, rt->scope == SCOPE_PROPOSAL ? "proposal" : "election"))
            return;
        if (rt->elevated && rt->elevated(r) && !require_role(r, e->roles, rt->elevated_role, "election"))
            return;
    }
    if (rt->phases && !(PH(e->phase) & rt->phases)) {
        fail_phase(r, rt->phase_hint);
        return;
    }
    if (rt->public_phases && !holds(e->roles, ROLE_ANY_STAFF) && !(PH(e->phase) & rt->public_phases)) {
        fail_phase(r, NULL);
        return;
    }
    if (rt->reveals && !(PH(e->phase) & rt->reveal_phases) && rt->reveals(r)) {
        fail_phase(r, rt->reveal_hint);
        return;
    }
    rt->handler(r);
}

static void gate_loaded_election(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) == 0) {
        req_fail(r, ERR_NOT_FOUND, NULL, "No such %s.", r->route->scope == SCOPE_PROPOSAL ? "proposal" : "election");
        return;
    }
    struct election_ctx *e = &r->election;
    e->id = db_int64(res, 0, 0);
    e->organisation_id = db_int64(res, 0, 1);
    if (!phase_from_name(db_value(res, 0, 2), &e->phase)) {
        log_error("election has an unknown phase id=%s election=%lld", r->id, (long long)e->id);
        req_fail(r, ERR_INTERNAL, NULL, NULL);
        return;
    }
    snprintf(e->rule, sizeof e->rule, "%s", db_value(res, 0, 3));
    snprintf(e->currency, sizeof e->currency, "%s", db_value(res, 0, 4));
    snprintf(e->default_lang, sizeof e->default_lang, "%s", db_value(res, 0, 5));
    e->row = cJSON_Parse(db_value(res, 0, 6));
    e->roles = (unsigned)db_int64(res, 0, 7);
    if (r->auth.superadmin)
        e->roles |= ROLE_ADMIN;
    gate_election_ready(r);
}

static void gate_loaded_organisation(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) == 0 && !r->auth.superadmin) {
        req_fail(r, ERR_NOT_FOUND, NULL, "No such organisation.");
        return;
    }
    unsigned roles = db_nrows(res) ? (unsigned)db_int64(res, 0, 0) : 0;
    if (r->auth.superadmin)
        roles |= ROLE_ADMIN;
    if (!require_role(r, roles, r->route->role, "organisation"))
        return;
    if (db_nrows(res) == 0) {
        req_fail(r, ERR_NOT_FOUND, NULL, "No such organisation.");
        return;
    }
    r->route->handler(r);
}

/* Everything the route row declares, once the caller is known. */
static void gate(struct req *r)
{
    const struct route *rt = r->route;
    if (rt->auth != AUTH_NONE && r->auth.kind == AUTH_NONE) {
        req_fail(r, ERR_UNAUTHORIZED, NULL, "%s",
                 rt->auth == AUTH_VOTER   ? "Sign in to vote first: your voting session is missing or has ended."
                 : rt->auth == AUTH_ANY ? "Sign in first, as staff or as a citizen of this election."
                                          : "Sign in first: staff sign-in is missing or has expired.");
        return;
    }
    if ((rt->auth == AUTH_STAFF || rt->auth == AUTH_VOTER) && r->auth.kind != rt->auth) {
        req_fail(r, ERR_UNAUTHORIZED, NULL,
                 rt->auth == AUTH_STAFF ? "This needs a staff sign-in." : "This needs a voter sign-in.");
        return;
    }
    if (r->auth.via_cookie && is_mutation(r->method)) {
        char want[65];
        auth_csrf_token(r->app, r->auth.token_hash, want);
        const char *got = req_header(r, "X-CSRF-Token");
        if (!got || strlen(got) != 64 || !crypto_equal(got, want, 64)) {
            req_fail(r, ERR_CSRF, NULL, NULL);
            return;
        }
    }
    if ((rt->role & ROLE_SUPERADMIN) && !r->auth.superadmin) {
        req_fail(r, ERR_FORBIDDEN, NULL, "Only the installation's admin may do this.");
        return;
    }
    char id[24], staff[24];
    const char *p[2] = {i64s(id, r->nids ? r->ids[0] : 0),
                        r->auth.kind == AUTH_STAFF ? i64s(staff, r->auth.staff_id) : "0"};
    switch (rt->scope) {
    case SCOPE_NONE:
        break;
    case SCOPE_ELECTION:
        if (voter_acts_elsewhere(r, r->ids[0])) {
            req_fail(r, ERR_FORBIDDEN, NULL, "This voter session belongs to another election.");
            return;
        }
        if (rt->flags & ROUTE_NO_LOAD)
            break;
        req_db(r, &sql_election_by_id, p, gate_loaded_election);
        return;
    case SCOPE_PROPOSAL:
        req_db(r, &sql_election_by_proposal, p, gate_loaded_election);
        return;
    case SCOPE_ORGANISATION:
        req_db(r, &sql_organisation, p, gate_loaded_organisation);
        return;
    }
    rt->handler(r);
}

/* --- authentication --- */

static struct db_stmt sql_session = DB_STMT("auth.session", 1,
    "SELECT s.kind, s.staff_id, s.voter_id, s.election_id, v.district_id,"
    "       coalesce(st.is_superadmin, false)"
    "  FROM sessions s"
    "  LEFT JOIN staff st ON st.id = s.staff_id"
    "  LEFT JOIN voters v ON v.id = s.voter_id"
    " WHERE s.token_hash = decode($1, 'hex') AND s.expires_at > now()"
    "   AND (s.kind <> 'staff' OR st.disabled_at IS NULL)");

static void session_loaded(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) == 1) {
        if (strcmp(db_value(res, 0, 0), "staff") == 0) {
            r->auth.kind = AUTH_STAFF;
            r->auth.staff_id = db_int64(res, 0, 1);
            r->auth.superadmin = db_bool(res, 0, 5);
        } else {
            r->auth.kind = AUTH_VOTER;
            r->auth.voter_id = db_int64(res, 0, 2);
            r->auth.election_id = db_int64(res, 0, 3);
            r->auth.district_id = db_int64(res, 0, 4);
            r->auth.districts[0] = r->auth.district_id;
            r->auth.ndistricts = r->auth.district_id > 0;
        }
    } else if (r->route->auth != AUTH_NONE) {
        req_fail(r, ERR_UNAUTHORIZED, NULL, "Your sign-in is unknown or has expired; sign in again.");
        return;
    } else {
        r->auth.via_cookie = false; /* an anonymous public read */
    }
    gate(r);
}

/* Finds the caller's token: the Authorization header first, then the cookie that fits
 * the route. Returns false when the request carries none. */
static bool find_token(struct req *r, char *token, size_t len)
{
    const char *h = req_header(r, "Authorization");
    if (h && strncasecmp(h, "Bearer ", 7) == 0) {
        const char *t = h + 7;
        while (*t == ' ')
            t++;
        if (strlen(t) + 1 > len)
            return false;
        snprintf(token, len, "%s", t);
        return *token != '\0';
    }
    enum auth_kind want = r->route->auth;
    const char *cookie = want == AUTH_VOTER ? "pb_voter" : "pb_staff";
    if (req_cookie(r, cookie, token, len) && *token) {
        r->auth.via_cookie = true;
        return true;
    }
    if ((want == AUTH_NONE || want == AUTH_ANY) && req_cookie(r, "pb_voter", token, len) && *token) {
        r->auth.via_cookie = true;
        return true;
    }
    return false;
}

/* A signed voter token needs no session row; a revoked code still ends it, which the
 * database says (voter_active) unless the handler's own statement checks it. */
static struct db_stmt sql_voter_active = DB_STMT("auth.voter_active", 3, "SELECT voter_active($1, $2, $3)");

static void voter_checked(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (!db_bool(res, 0, 0)) {
        if (r->route->auth != AUTH_NONE) {
            req_fail(r, ERR_UNAUTHORIZED, NULL, "This voting session has ended; sign in again.");
            return;
        }
        memset(&r->auth, 0, sizeof r->auth);
    }
    gate(r);
}

static void start_signed_voter(struct req *r, const char *token, bool via_cookie)
{
    struct voter_claims c;
    if (!voter_token_verify(&r->app->keys, token, (int64_t)time(NULL), &c)) {
        if (r->route->auth != AUTH_NONE) {
            req_fail(r, ERR_UNAUTHORIZED, NULL, "This voting session is unknown or has expired; sign in again.");
            return;
        }
        gate(r);
        return;
    }
    r->auth.kind = AUTH_VOTER;
    r->auth.voter_id = c.voter_id;
    r->auth.election_id = c.election_id;
    memcpy(r->auth.districts, c.districts, sizeof c.districts);
    r->auth.ndistricts = c.ndistricts;
    r->auth.district_id = c.ndistricts ? c.districts[0] : 0;
    r->auth.via_cookie = via_cookie;
    unsigned char h[CRYPTO_SHA256_LEN];
    crypto_sha256(token, strlen(token), h);
    crypto_hex(h, sizeof h, r->auth.token_hash);
    if (r->route->flags & ROUTE_VOTER_CHECKED) {
        gate(r);
        return;
    }
    char e[24], v[24];
    const char *p[3] = {i64s(e, c.election_id), i64s(v, c.voter_id), r->auth.token_hash};
    req_db(r, &sql_voter_active, p, voter_checked);
}

void auth_start(struct req *r)
{
    char token[VOTER_TOKEN_MAX];
    bool want = r->route->auth != AUTH_NONE || (r->route->flags & ROUTE_OPTIONAL_AUTH);
    bool cached = (r->route->flags & ROUTE_CACHED) && r->method == M_GET;
    if (!want || !find_token(r, token, sizeof token)) {
        if (!(cached && reply_cached(r)))
            gate(r);
        return;
    }
    if (voter_token_is_signed(token)) {
        bool via_cookie = r->auth.via_cookie;
        r->auth.via_cookie = false;
        /* Public reads show a voter what they show anyone: answer them as anonymous ones. */
        if (cached) {
            if (!reply_cached(r))
                gate(r);
        } else {
            start_signed_voter(r, token, via_cookie);
        }
        crypto_wipe(token, sizeof token);
        return;
    }
    unsigned char h[CRYPTO_SHA256_LEN];
    crypto_sha256(token, strlen(token), h);
    crypto_hex(h, sizeof h, r->auth.token_hash);
    crypto_wipe(token, sizeof token);
    const char *p[1] = {r->auth.token_hash};
    req_db(r, &sql_session, p, session_loaded);
}
