/*
 * outmsg: what the outbox sends, made from its parts: the channel a contact address takes,
 * the masked form staff may see, a template with its {{values}} filled in, an e-mail
 * (RFC 5322 with MIME, UTF-8 subject per RFC 2047, base64 body) and an SMS gateway's JSON
 * body from the organisation's template. Pure: no I/O. Header values never carry CR or LF
 * (checked here), so a template or a contact cannot add headers.
 */
#ifndef PB_OUTMSG_H
#define PB_OUTMSG_H

#include "lib/util.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

/* "email" for an address with one @ and no spaces or controls (at most 254 bytes), "sms"
 * for a phone number (an optional +, then 8 to 15 digits, spaces allowed between), NULL
 * for anything else. norm receives the address as it is sent (phone without spaces). */
const char *outmsg_channel(const char *contact, char norm[256]);

/* The masked address for staff pages: "+45****5678", "b***@example.dk". */
void outmsg_hint(const char *contact, char out[64]);

/* Fills {{name}} from params (a JSON object of strings and numbers); an unknown name
 * becomes empty. The result is appended to out. */
void outmsg_render(const char *tmpl, const cJSON *params, struct buf *out);

/* An e-mail ready for SMTP: headers, a blank line, the body in base64, CRLF line ends.
 * message_id is the part before the @ of the Message-ID (the outbox's idempotency key, so
 * a message sent again carries the same id; characters a dot-atom cannot hold become dots); date is seconds since the epoch. False when
 * an address or the subject cannot be a header value. */
bool outmsg_email(const char *from, const char *to, const char *subject, const char *body,
                  const char *message_id, int64_t date, struct buf *out) PB_WUR;

/* The gateway's JSON body: tmpl (a JSON object, may be NULL for the default
 * {"recipient":"{{to}}","message":"{{message}}","sender":"{{sender}}"}) with every string
 * that is exactly "{{to}}", "{{message}}" or "{{sender}}" replaced by the value, and
 * "{{to_number}}" by the phone number's digits as a JSON number. malloc'd text. */
char *outmsg_sms_json(const cJSON *tmpl, const char *to, const char *message, const char *sender);

#endif
