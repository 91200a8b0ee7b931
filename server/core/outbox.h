/*
 * outbox: the sender of queued messages (schema/migrations/0030_outbox.sql). Each serving
 * process runs one dispatcher on its loop: it claims due messages (outbox_claim: SKIP
 * LOCKED with a lease, so each message goes to one dispatcher of one server), opens their
 * sealed recipient and values, fills in the text, hands each to its transport
 * (core/deliver.h) and records the attempt (outbox_finish), with exponential backoff on
 * failure. It polls once a second, and at once when a request of this process queued a
 * message (outbox_kick). A restart loses nothing: what was queued stays queued, and a
 * message whose sender died is claimed again when its lease ends.
 *
 * Handlers queue a message in their own statement, with the values sealed by outbox_seal.
 */
#ifndef PB_OUTBOX_H
#define PB_OUTBOX_H

#include "core/app.h"
#include "lib/keys.h"
#include "lib/util.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

struct outbox;

struct outbox *outbox_new(struct app *app);
/* Something was queued: claim now rather than at the next poll. NULL is fine. */
void outbox_kick(struct outbox *o);
/* Stops claiming (shutdown); messages being sent finish and are recorded. */
void outbox_stop(struct outbox *o);
/* True when nothing is being claimed, sent or recorded. */
bool outbox_idle(const struct outbox *o);
/* Frees the dispatcher; call after fetch_free and before the pool is freed. NULL is fine. */
void outbox_free(struct outbox *o);

/* A message's sealed parts, as the outbox functions take them (hex). */
struct outbox_sealed {
    const char *channel; /* "email" or "sms" */
    char hint[64];
    char *recipient_hex;
    char *params_hex;
};

/* Seals contact and params (a JSON object of the template's values) with the outbox key.
 * False when contact is neither an e-mail address nor a phone number. */
bool outbox_seal(const struct server_keys *k, const char *contact, const cJSON *params,
                 struct outbox_sealed *out) PB_WUR;
void outbox_sealed_free(struct outbox_sealed *s);

#endif
