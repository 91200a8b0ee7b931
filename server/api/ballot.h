/*
 * ballot: checking a ballot against its election's rules and the proposals of its
 * district (frame), shared by online voting (ballot.c) and paper ballots (paper.c). A
 * voter may vote in several frames (one per group of districts), one ballot each.
 */
#ifndef PB_BALLOT_H
#define PB_BALLOT_H

#include "core/req.h"
#include "lib/ballot_rules.h"

/* One ballot being checked; lives inside the caller's request state. */
struct cast_state {
    const cJSON *body;    /* the ballot as sent (owned by the request) */
    const int64_t *districts; /* the frames the voter votes in (owned by the request) */
    size_t ndistricts;
    bool paper;           /* paper ballots may be typed in after voting closed */
    req_step_fn next;     /* runs once the ballot is valid */
    int64_t asked_district; /* the district the ballot names (its context's cache key) */
    struct ballot b;
    char tracker[65];     /* sha256(canonical ballot "|" nonce), hex */
    char nonce[33];
    char *items, *points; /* the ballot as PostgreSQL array literals */
};

/* Frees what s holds (not s itself): call from the release of the state that holds it. */
void cast_state_release(struct cast_state *s);

/* Finds the election's rules and the proposals of the district the ballot names (cached
 * for a second while voting is open), validates body as a ballot of one of the voter's
 * frames (districts, n of them; body's district_id may be left out when n is 1) into s and
 * computes its tracker; then calls next. Answers errors (403 for a district the voter does
 * not vote in, 404, 409 wrong_phase, 422 naming the rule) itself. s and districts must
 * live as long as the request. */
void ballot_check(struct req *r, struct cast_state *s, const cJSON *body, int64_t election, const int64_t *districts,
                  size_t n, bool paper, req_step_fn next);

#endif
