/*
 * votertoken: voter sessions as signed tokens. A token names the election, the voter and
 * the districts (frames) the voter votes in, and carries its own expiry, under an HMAC keyed from the server secret, so
 * any server process that holds the secret can check it without asking the database.
 * Ending a session early (a revoked code) is checked in the database where it matters.
 * Pure: no I/O.
 */
#ifndef PB_VOTERTOKEN_H
#define PB_VOTERTOKEN_H

#include "lib/keys.h"
#include "lib/util.h"

#include <stdbool.h>
#include <stdint.h>

/* "pbv1.<election>.<voter>.<districts>.<expires>.<nonce>.<mac>" plus NUL, with room to
 * spare; <districts> is "12" or "12-40" (one per group of districts), "0" for none yet. */
#define VOTER_TOKEN_MAX 360
#define VOTER_TOKEN_PREFIX "pbv1."
/* At most this many frames (groups of districts) per voter. */
#define VOTER_MAX_FRAMES 8

struct voter_claims {
    int64_t election_id;
    int64_t voter_id;
    int64_t districts[VOTER_MAX_FRAMES]; /* in the order of the election's groups */
    size_t ndistricts;
    int64_t expires; /* Unix time */
};

/* True when district d is one of a voter's n frames (the districts of their claims). */
bool voter_frames_include(const int64_t *districts, size_t n, int64_t d);

/* A new token for these claims, with a random nonce so that no two tokens are alike. */
void voter_token_issue(const struct server_keys *k, const struct voter_claims *c, char out[VOTER_TOKEN_MAX]);
/* True when the token has the signed form (it may still be forged or expired). */
bool voter_token_is_signed(const char *token);
/* Checks the signature and that the token has not expired at now; fills c. */
bool voter_token_verify(const struct server_keys *k, const char *token, int64_t now, struct voter_claims *c) PB_WUR;

#endif
