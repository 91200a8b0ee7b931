/*
 * reply: the one answer of a request. Every answer goes through the same pipeline: the
 * security headers, gzip for large text (on a worker above 64 KB), public reads stored in
 * and replayed from the cache with an ETag, the metrics and the log line; then the
 * request is freed. Errors are always {"error":{"code","message"[,"field"]}} from the one
 * error table (lib/errors.h).
 */
#ifndef PB_REPLY_H
#define PB_REPLY_H

#include "core/req.h"

struct db_result;
struct evkeyvalq;

/* Sends the body (owned; NULL for no body) and frees r. */
void req_reply_json(struct req *r, int status, cJSON *body);
/* Sends JSON text as it is (such as a document built by the database). */
void req_reply_json_text(struct req *r, int status, const char *json);
/* Sends 200 {"key": json}, for lists the database built as JSON text. */
void req_reply_member(struct req *r, const char *key, const char *json);
void req_reply_bytes(struct req *r, int status, const char *content_type, const void *data, size_t len);
/* An error reply {"error":{"code","message"[,"field"]}}. */
void req_fail(struct req *r, enum pb_err err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void req_fail_verr(struct req *r, const struct verr *e);

/* req_db callbacks for statements whose first column is the whole JSON answer: reply 200
 * or 201 with it (or the error, as req_db_ok). */
void req_db_reply_ok(struct req *r, const struct db_result *res);
void req_db_reply_created(struct req *r, const struct db_result *res);
/* req_db callback for a statement that answers nothing (a delete): 204, or the error. */
void req_db_reply_none(struct req *r, const struct db_result *res);
/* After the statement that ended a session: clears its cookie and answers 204. */
void req_reply_signed_out(struct req *r, const struct db_result *res, const char *cookie);

void req_add_header(struct req *r, const char *name, const char *value);
/* The headers every answer carries: nosniff, Referrer-Policy, X-Frame-Options, Date, and
 * Strict-Transport-Security when serving TLS. */
void reply_common_headers(struct app *app, struct evkeyvalq *out);
/* Sets an HttpOnly, SameSite=Strict cookie (Secure when served over TLS). */
void req_set_cookie(struct req *r, const char *name, const char *value, int max_age);

/* For the gate: answers an anonymous cacheable read from the cache (true), or marks the
 * request so that its 200 answer is stored (false: go on and compute it). */
bool reply_cached(struct req *r);

#endif
