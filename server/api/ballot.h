/*
 * ballot: checking a ballot against its election's rules and the proposals of its
 * district, shared by online voting (ballot.c) and paper ballots (paper.c).
 */
#ifndef PB_BALLOT_H
#define PB_BALLOT_H

#include "lib/ballot_rules.h"
#include "core/req.h"

struct cast_state {
    const cJSON *body;    /* the ballot as sent (owned by the request) */
    int64_t district_id;  /* the voter's district */
    bool paper;           /* paper ballots may be typed in after voting closed */
    void (*next)(struct req *r);
    struct ballot_config bc;
    struct ballot b;
    char tracker[65];     /* sha256(canonical ballot "|" nonce), hex */
    char nonce[33];
    char *items, *points; /* the ballot as PostgreSQL array literals */
    char cache_key[64];
};

/* Loads the rules and proposals, validates body as a ballot of the voter's district and
 * computes its tracker; then calls next with r->state pointing at a struct cast_state.
 * Answers errors (404, 409 wrong_phase, 422 naming the rule) itself. */
void ballot_check(struct req *r, const cJSON *body, int64_t election, int64_t district, bool paper,
                  void (*next)(struct req *r));

#endif
