/*
 * delivery: what staff configure and see of outbound messages, and the receipt a voter may
 * ask for by e-mail or SMS.
 *
 *   GET|PUT /organisations/{id}/delivery       SMTP and SMS gateway settings (no secret:
 *                                              credentials are named, core/credentials.h)
 *   POST    /organisations/{id}/delivery/test  queue a test message
 *   GET     /organisations/{id}/outbox         queued, sent and failed messages (masked)
 *   GET|PUT /elections/{id}/message-templates  the texts, per kind, channel and language
 *   POST    /elections/{id}/receipt-email      a voter's receipt (tracker and board link)
 *
 * Every message is queued in the statement that causes it and sent by core/outbox.
 */
#include "api/handlers.h"
#include "core/credentials.h"
#include "core/db.h"
#include "core/deliver.h"
#include "core/outbox.h"
#include "core/reply.h"
#include "lib/crypto.h"
#include "lib/i18n.h"
#include "lib/jsonv.h"
#include "lib/log.h"
#include "lib/outmsg.h"
#include "lib/voterkeys.h"

#include <stdlib.h>
#include <string.h>

/* --- settings --- */

/* The settings as stored, with whether each named credential is set on this server. */
static void reply_settings(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    cJSON *o = cJSON_Parse(db_value(res, 0, 0));
    if (!o) {
        req_fail(r, ERR_NOT_FOUND, NULL, "No such organisation.");
        return;
    }
    const char *refs[2][2] = {{"email", "password_ref"}, {"sms", "credential_ref"}};
    for (int i = 0; i < 2; i++) {
        cJSON *ch = cJSON_GetObjectItemCaseSensitive(o, refs[i][0]);
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(ch, refs[i][1]);
        if (cJSON_IsObject(ch))
            cJSON_AddBoolToObject(ch, "credential_available",
                                  cJSON_IsString(ref) && credential_get(r->app->credentials, ref->valuestring));
    }
    req_reply_json(r, 200, o);
}

static struct db_stmt sql_settings = DB_STMT("delivery.settings", 1, "SELECT delivery_settings_json($1)");
static struct db_stmt sql_put_settings = DB_STMT("delivery.put_settings", 4,
                                                 "SELECT put_delivery_settings($1, $2, $3::jsonb, $4::jsonb)");

void delivery_get(struct req *r)
{
    char org[24];
    const char *p[1] = {i64s(org, r->ids[0])};
    req_db(r, &sql_settings, p, reply_settings);
}

static bool fail_field(struct verr *e, const char *field, const char *msg)
{
    verr_set(e, ERR_INVALID_FIELD, field, "%s", msg);
    return false;
}

/* An optional string member: absent, or a string of at most max bytes without controls. */
static bool opt_string(const cJSON *o, const char *key, size_t max, const char *field, const char **out,
                       struct verr *e)
{
    *out = NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v))
        return true;
    if (!cJSON_IsString(v) || !*v->valuestring || strlen(v->valuestring) > max)
        return fail_field(e, field, "must be a non-empty string of limited length");
    for (const char *p = v->valuestring; *p; p++)
        if ((unsigned char)*p < 0x20)
            return fail_field(e, field, "must not hold control characters");
    *out = v->valuestring;
    return true;
}

static bool email_valid(const cJSON *s, struct verr *e)
{
    static const char *const keys[] = {"transport", "url", "from", "username", "password_ref", "security", NULL};
    static const char *const transports[] = {"server", "off", "smtp", NULL};
    static const char *const securities[] = {"starttls", "tls", "none", NULL};
    int t = 0, sec = 0;
    const char *url, *from, *user, *ref;
    if (!cJSON_IsObject(s))
        return fail_field(e, "email", "\"email\" must be an object.");
    if (!jv_only_keys(s, keys, "email", e) || jv_enum(s, "transport", transports, &t, e) <= 0 ||
        jv_enum(s, "security", securities, &sec, e) < 0 || !opt_string(s, "url", 300, "email.url", &url, e) ||
        !opt_string(s, "from", 254, "email.from", &from, e) || !opt_string(s, "username", 200, "email.username", &user, e) ||
        !opt_string(s, "password_ref", 64, "email.password_ref", &ref, e)) {
        if (e->err == ERR_NONE || !e->message[0])
            fail_field(e, "email.transport", "\"transport\" is one of server, off, smtp.");
        return false;
    }
    if (t != 2)
        return true;
    char norm[256];
    if (!url || (strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0))
        return fail_field(e, "email.url", "\"url\" must be smtp://host:587 or smtps://host:465.");
    if (!from || !outmsg_channel(from, norm) || strcmp(outmsg_channel(from, norm), "email") != 0)
        return fail_field(e, "email.from", "\"from\" must be an e-mail address.");
    if (ref && !credential_name_valid(ref))
        return fail_field(e, "email.password_ref", "\"password_ref\" names a credential: letters, digits, _ and -.");
    if (sec == 2 && !deliver_loopback_url(url))
        return fail_field(e, "email.security", "SMTP without TLS is allowed only to this machine.");
    if (sec == 1 && strncmp(url, "smtps://", 8) != 0)
        return fail_field(e, "email.security", "\"tls\" (implicit TLS) needs an smtps:// url.");
    return true;
}

static bool sms_valid(const cJSON *s, struct verr *e)
{
    static const char *const keys[] = {"transport", "url", "auth", "username", "credential_ref", "sender", "body", NULL};
    static const char *const transports[] = {"server", "off", "https", NULL};
    static const char *const auths[] = {"none", "bearer", "basic", NULL};
    int t = 0, a = 0;
    const char *url, *user, *ref, *sender;
    if (!cJSON_IsObject(s))
        return fail_field(e, "sms", "\"sms\" must be an object.");
    if (!jv_only_keys(s, keys, "sms", e) || jv_enum(s, "transport", transports, &t, e) <= 0 ||
        jv_enum(s, "auth", auths, &a, e) < 0 || !opt_string(s, "url", 300, "sms.url", &url, e) ||
        !opt_string(s, "username", 200, "sms.username", &user, e) ||
        !opt_string(s, "credential_ref", 64, "sms.credential_ref", &ref, e) ||
        !opt_string(s, "sender", 20, "sms.sender", &sender, e)) {
        if (e->err == ERR_NONE || !e->message[0])
            fail_field(e, "sms.transport", "\"transport\" is one of server, off, https.");
        return false;
    }
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(s, "body");
    if (body && !cJSON_IsObject(body))
        return fail_field(e, "sms.body", "\"body\" is the gateway's JSON object, with \"{{to}}\" and \"{{message}}\".");
    if (t != 2)
        return true;
    if (!url || (strncmp(url, "https://", 8) != 0 && !(strncmp(url, "http://", 7) == 0 && deliver_loopback_url(url))))
        return fail_field(e, "sms.url", "\"url\" must be the gateway's https:// address.");
    if (a != 0 && (!ref || !credential_name_valid(ref)))
        return fail_field(e, "sms.credential_ref", "\"credential_ref\" names the gateway's credential.");
    return true;
}

void delivery_put(struct req *r)
{
    static const char *const keys[] = {"email", "sms", NULL};
    struct verr e;
    memset(&e, 0, sizeof e);
    const cJSON *email = cJSON_GetObjectItemCaseSensitive(r->json, "email");
    const cJSON *sms = cJSON_GetObjectItemCaseSensitive(r->json, "sms");
    if (!jv_only_keys(r->json, keys, NULL, &e) || (email && !email_valid(email, &e)) || (sms && !sms_valid(sms, &e))) {
        req_fail_verr(r, &e);
        return;
    }
    if (!email && !sms) {
        req_fail(r, ERR_INVALID_FIELD, "email", "Give \"email\", \"sms\" or both.");
        return;
    }
    char *et = email ? cJSON_PrintUnformatted(email) : NULL, *st = sms ? cJSON_PrintUnformatted(sms) : NULL;
    char staff[24], org[24];
    const char *p[4] = {i64s(staff, r->auth.staff_id), i64s(org, r->ids[0]), et, st};
    req_db(r, &sql_put_settings, p, reply_settings);
    cJSON_free(et);
    cJSON_free(st);
}

/* --- test message and the outbox --- */

static void queued(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    outbox_kick(r->app->outbox);
    cJSON *o = cJSON_CreateObject();
    jv_add_int(o, "message_id", db_int64(res, 0, 0));
    cJSON_AddStringToObject(o, "state", "queued");
    req_reply_json(r, 202, o);
}

bool delivery_read_recipient(struct req *r, const char **to, const char **lang)
{
    static const char *const keys[] = {"to", "lang", NULL};
    struct verr e;
    *to = *lang = NULL;
    if (!jv_only_keys(r->json, keys, NULL, &e) || jv_string(r->json, "to", 254, to, &e) < 0 ||
        jv_string(r->json, "lang", 12, lang, &e) < 0) {
        req_fail_verr(r, &e);
        return false;
    }
    if (*lang && !i18n_lang_valid(*lang)) {
        req_fail(r, ERR_INVALID_FIELD, "lang", "\"lang\" must be a language code such as \"da\".");
        return false;
    }
    return true;
}

static struct db_stmt sql_test = DB_STMT("delivery.test", 7, "SELECT outbox_test($1, $2, $3, $4, $5, $6, $7)");

void delivery_test(struct req *r)
{
    const char *to, *lang;
    if (!delivery_read_recipient(r, &to, &lang))
        return;
    struct outbox_sealed sealed;
    cJSON *params = cJSON_CreateObject();
    bool ok = to && outbox_seal(&r->app->keys, to, params, &sealed);
    cJSON_Delete(params);
    if (!ok) {
        req_fail(r, ERR_INVALID_FIELD, "to", "\"to\" must be an e-mail address or a phone number.");
        return;
    }
    char staff[24], org[24];
    const char *p[7] = {i64s(staff, r->auth.staff_id), i64s(org, r->ids[0]), sealed.channel, lang ? lang : "en",
                        sealed.recipient_hex, sealed.hint, sealed.params_hex};
    req_db(r, &sql_test, p, queued);
    outbox_sealed_free(&sealed);
}

static struct db_stmt sql_outbox = DB_STMT("delivery.outbox", 3, "SELECT outbox_list($1, $2, $3)");

void delivery_outbox(struct req *r)
{
    static const char *const states[] = {"queued", "sending", "sent", "failed", NULL};
    char *state = req_query_param(r, "state"), *limit = req_query_param(r, "limit");
    int64_t n = 100;
    bool ok = true;
    if (state) {
        ok = false;
        for (size_t i = 0; states[i]; i++)
            ok = ok || strcmp(state, states[i]) == 0;
    }
    if (!ok) {
        req_fail(r, ERR_INVALID_FIELD, "state", "\"state\" is one of queued, sending, sent, failed.");
    } else if (limit && (!parse_int64(limit, &n) || n < 1 || n > 1000)) {
        req_fail(r, ERR_INVALID_FIELD, "limit", "\"limit\" must be 1..1000.");
    } else {
        char org[24], lim[24];
        const char *p[3] = {i64s(org, r->ids[0]), state, i64s(lim, n)};
        req_db(r, &sql_outbox, p, req_db_reply_ok);
    }
    free(state);
    free(limit);
}

/* --- message texts --- */

static struct db_stmt sql_templates = DB_STMT("delivery.templates", 1,
                                              "SELECT jsonb_build_object('templates', message_templates_json($1))");
static struct db_stmt sql_put_template = DB_STMT("delivery.put_template", 7,
    "SELECT jsonb_build_object('templates', put_message_template($1, $2, $3, $4, $5, $6, $7))");

void templates_get(struct req *r)
{
    char eid[24];
    const char *p[1] = {i64s(eid, r->election.id)};
    req_db(r, &sql_templates, p, req_db_reply_ok);
}

void templates_put(struct req *r)
{
    static const char *const keys[] = {"kind", "channel", "lang", "subject", "body", NULL};
    static const char *const kinds[] = {"otp", "receipt", "reminder", "idea_decision", "invite", "test", NULL};
    static const char *const channels[] = {"email", "sms", NULL};
    struct verr e;
    int k = 0, c = 0;
    const char *lang = NULL, *subject = NULL, *body = NULL;
    if (!jv_only_keys(r->json, keys, NULL, &e) || jv_enum(r->json, "kind", kinds, &k, &e) < 0 ||
        jv_enum(r->json, "channel", channels, &c, &e) < 0 || jv_string(r->json, "lang", 12, &lang, &e) < 0 ||
        jv_string(r->json, "subject", 200, &subject, &e) < 0 || jv_string(r->json, "body", 4000, &body, &e) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (!cJSON_GetObjectItemCaseSensitive(r->json, "kind") || !cJSON_GetObjectItemCaseSensitive(r->json, "channel") ||
        !lang || !i18n_lang_valid(lang)) {
        req_fail(r, ERR_INVALID_FIELD, lang ? "lang" : "kind", "Give \"kind\", \"channel\" and \"lang\" (such as \"da\").");
        return;
    }
    if (subject && (strchr(subject, '\r') || strchr(subject, '\n'))) {
        req_fail(r, ERR_INVALID_FIELD, "subject", "\"subject\" is one line.");
        return;
    }
    /* "body": null goes back to the default text */
    char staff[24], eid[24];
    const char *p[7] = {i64s(staff, r->auth.staff_id), i64s(eid, r->election.id), kinds[k], channels[c], lang,
                        subject, body};
    req_db(r, &sql_put_template, p, req_db_reply_ok);
}

/* --- a voter's receipt --- */

static struct db_stmt sql_receipt = DB_STMT("delivery.receipt", 10,
    "SELECT outbox_receipt($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");

void receipt_email(struct req *r)
{
    static const char *const keys[] = {"to", "tracker", "lang", NULL};
    struct verr e;
    const char *to = NULL, *tracker = NULL, *lang = NULL;
    if (!jv_only_keys(r->json, keys, NULL, &e) || jv_string(r->json, "to", 254, &to, &e) < 0 ||
        jv_string(r->json, "tracker", 128, &tracker, &e) < 0 || jv_string(r->json, "lang", 12, &lang, &e) < 0) {
        req_fail_verr(r, &e);
        return;
    }
    if (!tracker || strspn(tracker, "0123456789abcdef") != strlen(tracker)) {
        req_fail(r, ERR_INVALID_FIELD, "tracker", "\"tracker\" is the receipt shown after voting.");
        return;
    }
    if (lang && !i18n_lang_valid(lang)) {
        req_fail(r, ERR_INVALID_FIELD, "lang", "\"lang\" must be a language code such as \"da\".");
        return;
    }
    char norm[256];
    if (!to || !outmsg_channel(to, norm)) {
        req_fail(r, ERR_INVALID_FIELD, "to", "\"to\" must be an e-mail address or a phone number.");
        return;
    }
    cJSON *params = cJSON_CreateObject();
    cJSON_AddStringToObject(params, "tracker", tracker);
    char *board = xasprintf("%s/#/e/%lld/board?t=%s", r->app->cfg.public_url, (long long)r->ids[0], tracker);
    cJSON_AddStringToObject(params, "board_url", board);
    free(board);
    struct outbox_sealed sealed;
    bool ok = outbox_seal(&r->app->keys, to, params, &sealed);
    cJSON_Delete(params);
    if (!ok) {
        req_fail(r, ERR_INVALID_FIELD, "to", "\"to\" must be an e-mail address or a phone number.");
        return;
    }
    /* keys that repeat for a repeated request, without showing the tag or the address */
    char tag[VOTERKEY_HEX], eid[24], ballot_key[65], recipient_key[65];
    voterkey_tag(&r->app->keys, r->ids[0], r->auth.voter_id, tag);
    unsigned char h[CRYPTO_SHA256_LEN];
    char *bk = xasprintf("%s|%s", tag, tracker);
    crypto_hmac_sha256(r->app->keys.outbox, KEY_LEN, bk, strlen(bk), h);
    crypto_hex(h, sizeof h, ballot_key);
    free(bk);
    crypto_hmac_sha256(r->app->keys.outbox, KEY_LEN, norm, strlen(norm), h);
    crypto_hex(h, sizeof h, recipient_key);
    crypto_wipe(norm, sizeof norm);
    const char *p[10] = {i64s(eid, r->ids[0]), tag, tracker, sealed.channel, lang,
                         sealed.recipient_hex, sealed.hint, sealed.params_hex, ballot_key, recipient_key};
    req_db(r, &sql_receipt, p, queued);
    outbox_sealed_free(&sealed);
}
