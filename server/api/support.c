/*
 * support: the supports phase (pre-selection). A signed-in citizen supports up to the
 * election's limit of accepted proposals of their district and withdraws until the phase
 * ends; staff read the ranking. Every rule (session, phase, district, status, limit,
 * one support per proposal) is checked by set_support in schema/functions/supports.sql,
 * in the one transaction that writes, so that parallel clicks cannot get past it. The
 * supporter is a keyed hash of the voter (lib/voterkeys.h), never their id.
 */
#include "core/db.h"
#include "core/reply.h"
#include "api/handlers.h"
#include "lib/voterkeys.h"

static struct db_stmt sql_set = DB_STMT("support.set", 6,
    "SELECT set_support($1, $2, $3, $4, $5, $6)::text");

/* Adds (on) or withdraws the caller's support for the proposal the path names. */
static void support_set(struct req *r, bool on)
{
    char supporter[VOTERKEY_HEX], id[24], v[24], pid[24];
    voterkey_supporter(&r->app->keys, r->ids[0], r->auth.voter_id, supporter);
    const char *p[6] = {i64s(id, r->ids[0]), i64s(v, r->auth.voter_id), r->auth.token_hash, supporter,
                        i64s(pid, r->ids[1]), on ? "true" : "false"};
    req_db(r, &sql_set, p, req_db_reply_ok);
}

void support_put(struct req *r)
{
    support_set(r, true);
}

void support_delete(struct req *r)
{
    support_set(r, false);
}

static struct db_stmt sql_mine = DB_STMT("support.mine", 2, "SELECT my_supports($1, $2)::text");

void support_list(struct req *r)
{
    char supporter[VOTERKEY_HEX], id[24];
    voterkey_supporter(&r->app->keys, r->ids[0], r->auth.voter_id, supporter);
    const char *p[2] = {i64s(id, r->ids[0]), supporter};
    req_db(r, &sql_mine, p, req_db_reply_ok);
}

static struct db_stmt sql_ranking = DB_STMT("support.ranking", 1, "SELECT support_ranking($1)::text");

void support_ranking(struct req *r)
{
    char id[24];
    const char *p[1] = {i64s(id, r->election.id)};
    req_db(r, &sql_ranking, p, req_db_reply_ok);
}
