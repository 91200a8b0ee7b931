/*
 * auth: who is calling, and the gate every API request passes before its handler. The
 * gate resolves the caller's token (a staff session row, or a signed voter token), checks
 * the CSRF token of cookie sessions, and then what the route's row declares
 * (core/router.h): the kind of caller, the election (or organisation) loaded and visible
 * to the caller, a voter belonging to it, a minimum role, the phases the route may run
 * in. It answers 401/403/404/409 itself; the handler starts with r->auth and r->election
 * ready and checks none of this by hand.
 */
#ifndef PB_AUTH_H
#define PB_AUTH_H

#include "core/req.h"

struct ratelimit_rule;

/* Starts a request whose route has been matched (called by http): authentication, the
 * gate, then the handler. */
void auth_start(struct req *r);

/* The CSRF token that goes with a session (a keyed hash of its token hash). */
void auth_csrf_token(const struct app *app, const char *token_hash_hex, char out[65]);

/* Counts an attempt at this kind of secret before it is checked (core/ratelimit.h), then
 * goes on with next(r): at once, or after a pause when everyone together is over the
 * global limit. Over the client's own limit it answers 429 with Retry-After instead. Keep
 * what next needs in the request's state. */
void auth_attempt(struct req *r, const struct ratelimit_rule *rule, req_step_fn next);
/* Password hashing for this sign-in through the fair queue (req_worker_hashing), ahead of
 * addresses that have made more attempts at rule lately. */
bool auth_hash(struct req *r, const struct ratelimit_rule *rule, void (*work)(void *job), void *job,
               req_step_fn done) PB_WUR;
/* The attempt succeeded: its count is given back. */
void auth_attempt_ok(struct req *r, const struct ratelimit_rule *rule);

#endif
