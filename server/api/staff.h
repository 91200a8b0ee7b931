/*
 * staff: what other sign-ins of staff share with the password sign-in (staff.c): the
 * session's lifetime and its answer.
 */
#ifndef PB_STAFF_H
#define PB_STAFF_H

#include "core/req.h"

struct db_result;

#define STAFF_SESSION_TTL_S (12 * 3600)

/* Answers 200 {token, csrf_token, role, expires_at, staff_id} and sets the pb_staff cookie,
 * from staff_session_open's row (role, expires_at, staff_id). r->auth.token_hash is the
 * token's hash. */
void staff_session_reply(struct req *r, const struct db_result *res, const char *token);

#endif
