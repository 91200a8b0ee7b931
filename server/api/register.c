/*
 * register: eligibility by the municipality's voter register and by one-time codes sent
 * to a phone or e-mail address on it. The register is stored as keyed hashes only: one
 * hash over identifier, birth date and postcode, so a failed match cannot say which field
 * was wrong, and one over the contact address.
 */
#include "lib/crypto.h"
#include "core/db.h"
#include "api/handlers.h"
#include "lib/jsonv.h"
#include "lib/log.h"
#include "core/ratelimit.h"
#include "core/sender.h"
#include "api/voter.h"
#include "core/worker.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REGISTER_ROWS 500000

/* Uppercases and drops spaces and dashes; false when empty or too long. */
static bool normalise_id(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        if (*p == ' ' || *p == '-' || *p == '\t')
            continue;
        if (n + 1 >= cap || (unsigned char)*p < 0x20)
            return false;
        out[n++] = (char)toupper((unsigned char)*p);
    }
    out[n] = '\0';
    return n > 0;
}

static bool date_valid(const char *d)
{
    return strlen(d) == 10 && isdigit((unsigned char)d[0]) && isdigit((unsigned char)d[3]) && d[4] == '-' &&
           d[7] == '-' && strspn(d, "0123456789-") == 10 && memcmp(d + 5, "13", 2) < 0 &&
           memcmp(d + 8, "32", 2) < 0 && memcmp(d + 5, "00", 2) > 0 && memcmp(d + 8, "00", 2) > 0;
}

/* The keyed hash of one register identity; false on malformed fields. */
static bool register_hash(const struct app *app, int64_t election, const char *id, const char *birth,
                          const char *postcode, char out[65])
{
    char nid[128], npc[32] = "";
    if (!normalise_id(id, nid, sizeof nid) || !date_valid(birth))
        return false;
    if (postcode && *postcode && !normalise_id(postcode, npc, sizeof npc))
        return false;
    unsigned char key[32], mac[CRYPTO_SHA256_LEN];
    char *msg = xasprintf("%lld|%s|%s|%s", (long long)election, nid, birth, npc);
    app_derive_key(app, "voter-register", key);
    crypto_hmac_sha256(key, sizeof key, msg, strlen(msg), mac);
    crypto_hex(mac, sizeof mac, out);
    crypto_wipe(key, sizeof key);
    crypto_wipe(msg, strlen(msg));
    free(msg);
    return true;
}

/* Contact addresses: e-mail lowercased, phone digits with an optional leading +. */
static bool contact_hash(const struct app *app, int64_t election, const char *contact, char out[65])
{
    char norm[256];
    size_t n = 0;
    bool email = strchr(contact, '@') != NULL;
    for (const char *p = contact; *p && n + 1 < sizeof norm; p++) {
        if (email) {
            if (!isspace((unsigned char)*p))
                norm[n++] = (char)tolower((unsigned char)*p);
        } else if (isdigit((unsigned char)*p) || (*p == '+' && n == 0)) {
            norm[n++] = *p;
        }
    }
    norm[n] = '\0';
    if (n < 5)
        return false;
    unsigned char key[32], mac[CRYPTO_SHA256_LEN];
    char *msg = xasprintf("%lld|%s", (long long)election, norm);
    app_derive_key(app, "voter-contact", key);
    crypto_hmac_sha256(key, sizeof key, msg, strlen(msg), mac);
    crypto_hex(mac, sizeof mac, out);
    crypto_wipe(key, sizeof key);
    free(msg);
    return true;
}

bool voter_register_hash_from_json(struct req *r, const cJSON *reg, char out[65])
{
    static const char *const keys[] = {"personal_id", "birth_date", "postcode", NULL};
    struct verr e;
    const char *id = NULL, *birth = NULL, *postcode = NULL;
    if (!jv_only_keys(reg, keys, "register", &e) || jv_string(reg, "personal_id", 100, &id, &e) < 0 ||
        jv_string(reg, "birth_date", 10, &birth, &e) < 0 || jv_string(reg, "postcode", 20, &postcode, &e) < 0) {
        req_fail_verr(r, &e);
        return false;
    }
    if (!id || !birth || !register_hash(r->app, r->ids[0], id, birth, postcode, out)) {
        req_fail(r, ERR_INVALID_FIELD, "register",
                 "Give \"personal_id\" and \"birth_date\" (YYYY-MM-DD), and \"postcode\" if asked.");
        return false;
    }
    return true;
}

/* --- upload --- */

/* Splits a CSV line on commas (quotes allowed around fields) into at most max fields. */
static int csv_fields(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        while (*p == ' ')
            p++;
        if (*p == '"') {
            char *w = ++p;
            f[n++] = w;
            while (*p && !(*p == '"' && p[1] != '"')) {
                if (*p == '"')
                    p++;
                *w++ = *p++;
            }
            if (*p == '"')
                p++;
            *w = '\0';
            while (*p && *p != ',')
                p++;
        } else {
            f[n++] = p;
            while (*p && *p != ',')
                p++;
        }
        if (*p != ',') {
            if (*p)
                *p = '\0';
            break;
        }
        *p++ = '\0';
    }
    for (int i = 0; i < n; i++) {
        size_t len = strlen(f[i]);
        while (len && (f[i][len - 1] == ' ' || f[i][len - 1] == '\r'))
            f[i][--len] = '\0';
    }
    return n;
}

static void register_stored(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    cJSON *o = cJSON_CreateObject();
    jv_add_int(o, "rows", db_int64(res, 0, 0));
    req_reply_json(r, 201, o);
}

/* An upload being hashed on a worker thread: the CSV in, the rows for add_register out. */
struct upload {
    char *text;
    size_t len;
    int64_t election;
    struct buf rows;
    size_t count;
    char error[160];
};

static void upload_free(void *p)
{
    struct upload *u = p;
    crypto_wipe(u->text, u->len);
    free(u->text);
    buf_free(&u->rows);
    free(u);
}

/* Parses and hashes every row (worker thread: up to 500,000 rows of HMACs stay off the
 * loop). Reads only the request's app secret, which never changes. */
static void upload_work(void *arg)
{
    struct req *r = arg;
    struct upload *u = r->state;
    int cols[5] = {-1, -1, -1, -1, -1}; /* personal_id, birth_date, postcode, district_id, contact */
    static const char *const names[5] = {"personal_id", "birth_date", "postcode", "district_id", "contact"};
    size_t lineno = 0;
    char *save = NULL;
    buf_putc(&u->rows, '[');
    for (char *line = strtok_r(u->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *f[16];
        int n = csv_fields(line, f, 16);
        if (lineno == 1) {
            for (int i = 0; i < n; i++)
                for (int k = 0; k < 5; k++)
                    if (strcmp(f[i], names[k]) == 0)
                        cols[k] = i;
            if (cols[0] < 0 || cols[1] < 0 || cols[3] < 0) {
                snprintf(u->error, sizeof u->error,
                         "The first line must name the columns: personal_id,birth_date,postcode,district_id[,contact].");
                return;
            }
            continue;
        }
        if (n == 1 && !f[0][0])
            continue;
        char hash[65], chash[65] = "";
        int64_t district;
        const char *pc = cols[2] >= 0 && cols[2] < n ? f[cols[2]] : "";
        const char *contact = cols[4] >= 0 && cols[4] < n ? f[cols[4]] : "";
        if (cols[3] >= n || cols[1] >= n || cols[0] >= n || !parse_int64(f[cols[3]], &district) ||
            !register_hash(r->app, u->election, f[cols[0]], f[cols[1]], pc, hash) ||
            (*contact && !contact_hash(r->app, u->election, contact, chash)) || ++u->count > MAX_REGISTER_ROWS) {
            snprintf(u->error, sizeof u->error, "Line %zu of the register is malformed.", lineno);
            return;
        }
        buf_printf(&u->rows, "%s[%lld,\"%s\",\"%s\"]", u->count > 1 ? "," : "", (long long)district, hash, chash);
    }
    buf_putc(&u->rows, ']');
    if (u->count == 0)
        snprintf(u->error, sizeof u->error, "The register has no rows.");
}

static void upload_done(void *arg)
{
    struct req *r = arg;
    struct upload *u = r->state;
    r->in_worker = false;
    if (u->error[0]) {
        req_fail(r, ERR_INVALID_FIELD, strstr(u->error, "first line") ? "header" : "body", "%s", u->error);
        return;
    }
    char staff[24], id[24];
    const char *p[3] = {i64s(staff, r->auth.staff_id), i64s(id, u->election), u->rows.data};
    req_db(r, "SELECT add_register($1, $2, $3::jsonb)", 3, p, register_stored);
}

static void register_loaded(struct req *r)
{
    if (!req_require_role(r, ROLE_ADMIN))
        return;
    if (!r->body_len || !utf8_valid(r->body, r->body_len)) {
        req_fail(r, ERR_INVALID_FIELD, "body", "Send the register as UTF-8 CSV text.");
        return;
    }
    struct upload *u = xcalloc(1, sizeof *u);
    u->text = xstrndup(r->body, r->body_len);
    u->len = r->body_len;
    u->election = r->election.id;
    buf_init(&u->rows);
    r->state = u;
    r->state_free = upload_free;
    req_worker(r, upload_work, upload_done);
}

void register_upload(struct req *r)
{
    req_load_election(r, r->ids[0], register_loaded);
}

/* --- voter sessions by register match and by one-time code --- */

struct reg_login {
    char challenge[40];
    char *contact;
    char *message;
    bool send;
};

static void reg_login_free(void *p)
{
    struct reg_login *l = p;
    if (l->contact) {
        crypto_wipe(l->contact, strlen(l->contact));
        free(l->contact);
    }
    free(l->message);
    crypto_wipe(l, sizeof *l);
    free(l);
}

static void session_opened(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) != 1) {
        req_rate_failed(r, r->state_rule);
        req_fail(r, ERR_INVALID_CODE, NULL, "These details do not match the register.");
        return;
    }
    voter_session_reply(r, db_int64(res, 0, 0), db_int64(res, 0, 1));
}

void voter_session_register(struct req *r, const cJSON *reg)
{
    r->state_rule = &RL_REGISTER;
    if (req_rate_limited(r, &RL_REGISTER))
        return;
    char hash[65];
    if (!voter_register_hash_from_json(r, reg, hash))
        return;
    char id[24];
    const char *p[2] = {i64s(id, r->ids[0]), hash};
    req_db(r, "SELECT * FROM voter_login_register($1, $2)", 2, p, session_opened);
}

static void otp_code_hash(const struct app *app, const char *challenge, const char *code, char out[65])
{
    unsigned char key[32], mac[CRYPTO_SHA256_LEN];
    char *msg = xasprintf("%s|%s", challenge, code);
    app_derive_key(app, "voter-otp", key);
    crypto_hmac_sha256(key, sizeof key, msg, strlen(msg), mac);
    crypto_hex(mac, sizeof mac, out);
    crypto_wipe(key, sizeof key);
    free(msg);
}

static void otp_sent(void *arg)
{
    struct req *r = arg;
    struct reg_login *l = r->state;
    r->in_worker = false;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "challenge_id", l->challenge);
    jv_add_int(o, "expires_in", 600);
    cJSON_AddStringToObject(o, "message", "If the address is on the register, a code is on its way.");
    req_reply_json(r, 202, o);
}

static void otp_send_work(void *arg)
{
    struct req *r = arg;
    struct reg_login *l = r->state;
    if (l->send && sender_send(r->app, l->contact, l->message) != 0)
        log_warn("one-time code could not be sent id=%s", r->id);
}

static void otp_started(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct reg_login *l = r->state;
    l->send = db_value(res, 0, 0) != NULL;
    /* Unknown contacts get the same answer and the same delay: nothing is revealed. */
    req_worker(r, otp_send_work, otp_sent);
}

static void otp_request(struct req *r, const char *contact)
{
    struct reg_login *l = xcalloc(1, sizeof *l);
    r->state = l;
    r->state_free = reg_login_free;
    char chash[65];
    if (!contact_hash(r->app, r->ids[0], contact, chash)) {
        req_fail(r, ERR_INVALID_FIELD, "contact", "\"contact\" must be a phone number or an e-mail address.");
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
    char codehash[65], id[24];
    otp_code_hash(r->app, l->challenge, code, codehash);
    l->contact = xstrdup(contact);
    l->message = xasprintf("Your Borgerbudget code is %s. It is valid for 10 minutes.", code);
    crypto_wipe(code, sizeof code);
    const char *p[4] = {i64s(id, r->ids[0]), chash, l->challenge, codehash};
    req_db(r, "SELECT otp_start($1, $2, $3::uuid, $4)", 4, p, otp_started);
}

static void otp_verify(struct req *r, const char *challenge, const char *code)
{
    r->state_rule = &RL_OTP;
    if (strlen(challenge) != 36 || strspn(challenge, "0123456789abcdef-") != 36) {
        req_fail(r, ERR_INVALID_FIELD, "challenge_id", "\"challenge_id\" is not a challenge.");
        return;
    }
    char codehash[65], id[24];
    otp_code_hash(r->app, challenge, code, codehash);
    const char *p[3] = {i64s(id, r->ids[0]), challenge, codehash};
    req_db(r, "SELECT * FROM otp_finish($1, $2::uuid, $3)", 3, p, session_opened);
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
    if (req_rate_limited(r, &RL_OTP))
        return;
    if (challenge && otp)
        otp_verify(r, challenge, otp);
    else if (contact && !challenge && !otp)
        otp_request(r, contact);
    else
        req_fail(r, ERR_INVALID_FIELD, "contact",
                 "Give \"contact\" to get a code, then \"challenge_id\" and \"otp\" to sign in.");
}
