/*
 * reminder: a voter who has signed in but not cast asks to be reminded before voting
 * closes (issue 16).
 *
 *   POST   /elections/{id}/reminder  {"to", "lang"?}  -> 201 {"channel", "hint", "closes_at"}
 *   GET    /elections/{id}/reminder                   -> {"reminder": {"channel","hint"} | null}
 *   DELETE /elections/{id}/reminder                   -> 204
 *
 * The address is sealed as every outbox recipient is; the request is dropped when the
 * voter casts, and queued once by core/reminders when the vote is about to close.
 */
#include "api/handlers.h"
#include "core/db.h"
#include "core/outbox.h"
#include "core/reply.h"
#include "lib/util.h"
#include "lib/voterkeys.h"

#include <stdlib.h>
#include <string.h>

static struct db_stmt sql_request = DB_STMT("reminder.request", 10,
    "SELECT reminder_request($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");
static struct db_stmt sql_get = DB_STMT("reminder.get", 2,
    "SELECT jsonb_build_object('reminder', reminder_of($1, $2))");
static struct db_stmt sql_withdraw = DB_STMT("reminder.withdraw", 3, "SELECT reminder_withdraw($1, $2, $3)");

static void requested(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    req_reply_json_text(r, 201, db_value(res, 0, 0));
}

void reminder_request(struct req *r)
{
    const char *to, *lang;
    if (!delivery_read_recipient(r, &to, &lang))
        return;
    cJSON *params = cJSON_CreateObject();
    char *url = xasprintf("%s/#/e/%lld", r->app->cfg.public_url, (long long)r->election.id);
    cJSON_AddStringToObject(params, "url", url);
    free(url);
    struct outbox_sealed sealed;
    bool ok = to && outbox_seal(&r->app->keys, to, params, &sealed);
    cJSON_Delete(params);
    if (!ok) {
        req_fail(r, ERR_INVALID_FIELD, "to", "\"to\" must be an e-mail address or a phone number.");
        return;
    }
    char tag[VOTERKEY_HEX], eid[24], vid[24], did[24];
    voterkey_tag(&r->app->keys, r->election.id, r->auth.voter_id, tag);
    const char *p[10] = {i64s(eid, r->election.id), i64s(vid, r->auth.voter_id), r->auth.token_hash,
                         i64s(did, r->auth.district_id), tag, sealed.channel,
                         lang ? lang : r->election.default_lang, sealed.recipient_hex, sealed.hint,
                         sealed.params_hex};
    req_db(r, &sql_request, p, requested);
    outbox_sealed_free(&sealed);
}

void reminder_get(struct req *r)
{
    char eid[24], vid[24];
    const char *p[2] = {i64s(eid, r->election.id), i64s(vid, r->auth.voter_id)};
    req_db(r, &sql_get, p, req_db_reply_ok);
}

static void withdrawn(struct req *r, const struct db_result *res)
{
    if (req_db_ok(r, res))
        req_reply_bytes(r, 204, NULL, NULL, 0);
}

void reminder_withdraw(struct req *r)
{
    char eid[24], vid[24];
    const char *p[3] = {i64s(eid, r->election.id), i64s(vid, r->auth.voter_id), r->auth.token_hash};
    req_db(r, &sql_withdraw, p, withdrawn);
}
