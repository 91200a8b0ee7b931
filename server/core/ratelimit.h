/*
 * ratelimit: counts attempts at guessable secrets (voting codes, register matches, one-time
 * codes, staff passwords) per client address and per kind over sliding windows, and
 * globally. An attempt is counted when it arrives, before the secret is checked, so that
 * parallel attempts cannot pass the limit while the first ones are still being checked;
 * a success gives its count back, so a town hall signing in hundreds of voters an hour
 * from one address is not slowed down; a guesser is. Over the per-address limit an
 * attempt is refused; over the global limit (everyone together) attempts are only slowed,
 * so that a guesser with many addresses cannot shut everyone out. In memory shared by the
 * serving processes of one server (make it before they are forked); several servers behind
 * a balancer each count their own (docs/SECURITY.md).
 */
#ifndef PB_RATELIMIT_H
#define PB_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit;

struct ratelimit_rule {
    const char *kind;   /* "code", "login", ... */
    int per_client;     /* failures per window from one address */
    int global;         /* failures per window from everyone */
    int window_s;
};

/* code_global: the global limit of RL_VOTING_CODE (--code-global-limit). */
struct ratelimit *ratelimit_new(int code_global);
void ratelimit_free(struct ratelimit *rl);
/* Counts one attempt by client (an address) before it is checked. Returns 0 when it may go
 * on, with *slow set when everyone together is over the global limit (go on after a
 * pause); otherwise the seconds the client must wait (for Retry-After), and nothing is
 * counted. */
int ratelimit_take(struct ratelimit *rl, const struct ratelimit_rule *rule, const char *client, int64_t now_s,
                   bool *slow);
/* The attempts counted for client now (for ordering work: fewer goes first). */
int ratelimit_count(struct ratelimit *rl, const struct ratelimit_rule *rule, const char *client, int64_t now_s);
/* The attempt succeeded: its count is given back. */
void ratelimit_giveback(struct ratelimit *rl, const struct ratelimit_rule *rule, const char *client, int64_t now_s);

extern const struct ratelimit_rule RL_VOTING_CODE, RL_STAFF_LOGIN, RL_REGISTER, RL_OTP, RL_OTP_SEND, RL_TOTP;

#endif
