/*
 * outbox: the dispatcher (see outbox.h). At most OUTBOX_BATCH messages of this process are
 * in flight at once; a full batch claims again as soon as there is room.
 */
#include "core/outbox.h"
#include "core/db.h"
#include "core/deliver.h"
#include "core/req.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "lib/outmsg.h"

#include <event2/event.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUTBOX_BATCH 16
#define OUTBOX_LEASE_S 120
#define OUTBOX_POLL_MS 1000
#define OUTBOX_MAX_RETRY_S 3600.0

struct outbox {
    struct app *app;
    struct event *poll;
    struct event *reminders; /* queues the reminders that are due, now and then */
    bool queueing;
    bool claiming;
    bool stopping;
    int inflight; /* messages being sent or recorded */
    struct msg *msgs; /* the same, to free those a stop cut short */
};

struct msg {
    struct outbox *o;
    int64_t id;
    int attempt;
    struct msg *prev, *next;
};

static struct msg *msg_new(struct outbox *o)
{
    struct msg *m = xcalloc(1, sizeof *m);
    m->o = o;
    m->next = o->msgs;
    if (o->msgs)
        o->msgs->prev = m;
    o->msgs = m;
    o->inflight++;
    return m;
}

static void msg_free(struct msg *m)
{
    struct outbox *o = m->o;
    if (m->prev)
        m->prev->next = m->next;
    else
        o->msgs = m->next;
    if (m->next)
        m->next->prev = m->prev;
    o->inflight--;
    free(m);
}

static struct db_stmt sql_claim = DB_STMT("outbox.claim", 2, "SELECT * FROM outbox_claim($1, $2)");
static struct db_stmt sql_finish = DB_STMT("outbox.finish", 5,
                                           "SELECT outbox_finish($1, $2::int, $3::boolean, $4, $5::float8)");

static void claim(struct outbox *o);

static void poll_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    claim(arg);
}

static void schedule_poll(struct outbox *o)
{
    if (o->stopping)
        return;
    struct timeval tv = {OUTBOX_POLL_MS / 1000, (OUTBOX_POLL_MS % 1000) * 1000};
    evtimer_add(o->poll, &tv);
}

/* --- sealing --- */

bool outbox_seal(const struct server_keys *k, const char *contact, const cJSON *params, struct outbox_sealed *out)
{
    memset(out, 0, sizeof *out);
    char norm[256];
    out->channel = outmsg_channel(contact, norm);
    if (!out->channel)
        return false;
    outmsg_hint(norm, out->hint);
    char *text = cJSON_PrintUnformatted(params);
    const char *parts[2] = {norm, text ? text : "{}"};
    char **hex[2] = {&out->recipient_hex, &out->params_hex};
    for (int i = 0; i < 2; i++) {
        size_t n = strlen(parts[i]);
        unsigned char *sealed = xmalloc(n + CRYPTO_SEAL_OVERHEAD);
        if (!crypto_seal(k->outbox, parts[i], n, sealed))
            PB_ASSERT(!"sealing failed");
        *hex[i] = xmalloc(2 * (n + CRYPTO_SEAL_OVERHEAD) + 1);
        crypto_hex(sealed, n + CRYPTO_SEAL_OVERHEAD, *hex[i]);
        free(sealed);
    }
    if (text) {
        crypto_wipe(text, strlen(text));
        cJSON_free(text);
    }
    crypto_wipe(norm, sizeof norm);
    return true;
}

void outbox_sealed_free(struct outbox_sealed *s)
{
    free(s->recipient_hex);
    free(s->params_hex);
    s->recipient_hex = s->params_hex = NULL;
}

/* The plaintext of a sealed hex value (malloc'd, NUL-terminated), or NULL. */
static char *unseal(const struct server_keys *k, const char *hex)
{
    size_t hlen = hex ? strlen(hex) : 0;
    if (hlen % 2 || hlen / 2 < CRYPTO_SEAL_OVERHEAD)
        return NULL;
    size_t n = hlen / 2;
    unsigned char *sealed = xmalloc(n);
    char *plain = xmalloc(n - CRYPTO_SEAL_OVERHEAD + 1);
    bool ok = crypto_unhex(hex, sealed, n) && crypto_open(k->outbox, sealed, n, (unsigned char *)plain);
    free(sealed);
    if (!ok) {
        free(plain);
        return NULL;
    }
    plain[n - CRYPTO_SEAL_OVERHEAD] = '\0';
    return plain;
}

/* --- recording an attempt --- */

static void finished(void *ctx, const struct db_result *res)
{
    struct msg *m = ctx;
    struct outbox *o = m->o;
    if (db_status(res) != DB_OK)
        log_warn("outbox attempt not recorded; the lease will bring it back message=%lld error=\"%s\"",
                 (long long)m->id, db_error_message(res));
    else if (db_value(res, 0, 0))
        log_info("outbox message=%lld attempt=%d state=%s", (long long)m->id, m->attempt, db_value(res, 0, 0));
    msg_free(m);
    claim(o);
}

static void record(struct msg *m, enum deliver_result r, const char *detail)
{
    struct outbox *o = m->o;
    char id[24], attempt[24], retry[32];
    const char *retry_s = NULL;
    if (r == DELIVER_RETRY) {
        double s = (double)o->app->cfg.outbox_retry_ms / 1000.0;
        for (int i = 1; i < m->attempt && s < OUTBOX_MAX_RETRY_S; i++)
            s *= 2;
        if (s > OUTBOX_MAX_RETRY_S)
            s = OUTBOX_MAX_RETRY_S;
        s *= 0.8 + 0.4 * (double)crypto_random_below(1000) / 1000.0; /* senders do not retry in step */
        snprintf(retry, sizeof retry, "%.3f", s);
        retry_s = retry;
        log_warn("outbox send failed; will retry message=%lld attempt=%d in_s=%s reason=\"%s\"", (long long)m->id,
                 m->attempt, retry, detail);
    } else if (r == DELIVER_FINAL) {
        log_warn("outbox send failed for good message=%lld attempt=%d reason=\"%s\"", (long long)m->id, m->attempt,
                 detail);
    }
    const char *p[5] = {i64s(id, m->id), i64s(attempt, m->attempt), r == DELIVER_SENT ? "true" : "false", detail,
                        retry_s};
    db_query(o->app->db, &sql_finish, p, false, finished, m);
}

static void delivered(void *ctx, enum deliver_result r, const char *detail)
{
    struct msg *m = ctx;
    if (r == DELIVER_CANCELLED) {
        /* the server is stopping: the lease brings the message back to a sender */
        msg_free(m);
        return;
    }
    record(m, r, detail);
}

/* --- sending one claimed row --- */

static void send_row(struct outbox *o, const struct db_result *res, int row)
{
    struct msg *m = msg_new(o);
    m->id = db_int64(res, row, 0);
    m->attempt = (int)db_int64(res, row, 1);
    const char *key = db_value(res, row, 2), *channel = db_value(res, row, 4);
    if (db_bool(res, row, 8)) {
        record(m, DELIVER_FINAL, "expired before it could be sent");
        return;
    }
    const struct server_keys *k = &o->app->keys;
    char *to = unseal(k, db_value(res, row, 6)), *values = unseal(k, db_value(res, row, 7));
    cJSON *params = values ? cJSON_Parse(values) : NULL;
    cJSON *settings = cJSON_Parse(db_value(res, row, strcmp(channel, "email") == 0 ? 12 : 13));
    if (!to || !params) {
        record(m, DELIVER_FINAL, "the sealed recipient or values cannot be opened (was the server secret changed?)");
    } else if (!db_value(res, row, 10)) {
        record(m, DELIVER_FINAL, "no text for this kind of message");
    } else {
        if (!cJSON_GetObjectItemCaseSensitive(params, "election"))
            cJSON_AddStringToObject(params, "election", db_value(res, row, 11));
        if (!cJSON_GetObjectItemCaseSensitive(params, "closes"))
            cJSON_AddStringToObject(params, "closes", db_value(res, row, 15) ? db_value(res, row, 15) : "");
        if (!cJSON_GetObjectItemCaseSensitive(params, "organisation"))
            cJSON_AddStringToObject(params, "organisation", db_value(res, row, 14) ? db_value(res, row, 14) : "");
        /* what the database filled in when it queued the message (an idea's decision) */
        cJSON *vars = db_value(res, row, 16) ? cJSON_Parse(db_value(res, row, 16)) : NULL;
        for (const cJSON *v = cJSON_IsObject(vars) ? vars->child : NULL; v; v = v->next)
            if (v->string && cJSON_IsString(v) && !cJSON_GetObjectItemCaseSensitive(params, v->string))
                cJSON_AddStringToObject(params, v->string, v->valuestring);
        cJSON_Delete(vars);
        struct buf subject, body;
        buf_init(&subject);
        buf_init(&body);
        outmsg_render(db_value(res, row, 9) ? db_value(res, row, 9) : "", params, &subject);
        outmsg_render(db_value(res, row, 10), params, &body);
        struct deliver_msg dm = {.channel = channel, .to = to, .subject = subject.data ? subject.data : "",
                                 .body = body.data ? body.data : "", .key = key, .settings = settings};
        deliver_send(o->app, &dm, delivered, m);
        if (body.data)
            crypto_wipe(body.data, body.len);
        buf_free(&subject);
        buf_free(&body);
    }
    cJSON_Delete(settings);
    cJSON_Delete(params);
    if (values) {
        crypto_wipe(values, strlen(values));
        free(values);
    }
    if (to) {
        crypto_wipe(to, strlen(to));
        free(to);
    }
}

static void claimed(void *ctx, const struct db_result *res)
{
    struct outbox *o = ctx;
    o->claiming = false;
    if (db_status(res) != DB_OK) {
        if (db_status(res) == DB_ERROR)
            log_warn("outbox claim failed error=\"%s\"", db_error_message(res));
        schedule_poll(o);
        return;
    }
    int n = db_nrows(res);
    for (int i = 0; i < n; i++)
        send_row(o, res, i);
    if (n == 0)
        schedule_poll(o);
    /* a full batch may have more behind it: claim again when there is room */
}

static void claim(struct outbox *o)
{
    if (o->stopping || o->claiming || o->inflight >= OUTBOX_BATCH)
        return;
    evtimer_del(o->poll);
    o->claiming = true;
    char limit[24], lease[24];
    const char *p[2] = {i64s(limit, OUTBOX_BATCH - o->inflight), i64s(lease, OUTBOX_LEASE_S)};
    db_query(o->app->db, &sql_claim, p, false, claimed, o);
}

/* --- reminders before voting closes: requests become messages when they are due --- */

static struct db_stmt sql_reminders = DB_STMT("outbox.reminders", 1, "SELECT queue_due_reminders($1)");

static void schedule_reminders(struct outbox *o)
{
    if (o->stopping)
        return;
    struct timeval tv = {o->app->cfg.reminder_check_s, 0};
    evtimer_add(o->reminders, &tv);
}

static void reminders_queued(void *ctx, const struct db_result *res)
{
    struct outbox *o = ctx;
    o->queueing = false;
    if (db_status(res) == DB_ERROR)
        log_warn("queueing reminders failed error=\"%s\"", db_error_message(res));
    else if (db_status(res) == DB_OK && db_int64(res, 0, 0) > 0) {
        log_info("reminders queued n=%lld", (long long)db_int64(res, 0, 0));
        claim(o);
    }
    schedule_reminders(o);
}

static void reminders_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct outbox *o = arg;
    if (o->stopping || o->queueing)
        return;
    o->queueing = true;
    char hours[24];
    const char *p[1] = {i64s(hours, o->app->cfg.reminder_hours)};
    db_query(o->app->db, &sql_reminders, p, false, reminders_queued, o);
}

struct outbox *outbox_new(struct app *app)
{
    struct outbox *o = xcalloc(1, sizeof *o);
    o->app = app;
    o->poll = evtimer_new(app->base, poll_cb, o);
    /* the first claim soon after start: what an earlier run left queued goes out */
    struct timeval tv = {0, 200 * 1000};
    evtimer_add(o->poll, &tv);
    o->reminders = evtimer_new(app->base, reminders_cb, o);
    schedule_reminders(o);
    return o;
}

void outbox_kick(struct outbox *o)
{
    if (o)
        claim(o);
}

void outbox_stop(struct outbox *o)
{
    if (!o)
        return;
    o->stopping = true;
    evtimer_del(o->poll);
    evtimer_del(o->reminders);
}

bool outbox_idle(const struct outbox *o)
{
    return !o || (!o->claiming && !o->queueing && o->inflight == 0);
}

void outbox_free(struct outbox *o)
{
    if (!o)
        return;
    while (o->msgs)
        msg_free(o->msgs);
    event_free(o->poll);
    event_free(o->reminders);
    free(o);
}
