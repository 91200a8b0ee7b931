/*
 * ratelimit: counts failed attempts at guessable secrets (voting codes, register matches,
 * one-time codes, staff passwords) per client address and per kind over sliding windows,
 * and globally. Only failures count, so a town hall signing in hundreds of voters an hour
 * from one address is not slowed down; a guesser is. In memory shared by the serving
 * processes of one server (make it before they are forked); several servers behind a
 * balancer each count their own (docs/SECURITY.md).
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

struct ratelimit *ratelimit_new(void);
void ratelimit_free(struct ratelimit *rl);
/* 0 when the client may try; otherwise the seconds to wait (for Retry-After). */
int ratelimit_wait(struct ratelimit *rl, const struct ratelimit_rule *rule, const char *client, int64_t now_s);
void ratelimit_failed(struct ratelimit *rl, const struct ratelimit_rule *rule, const char *client, int64_t now_s);

extern const struct ratelimit_rule RL_VOTING_CODE, RL_STAFF_LOGIN, RL_REGISTER, RL_OTP;

#endif
