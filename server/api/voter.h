/*
 * voter: how citizens prove eligibility and get a voter session: voting codes (voter.c),
 * the voter register and one-time codes (register.c). Every method ends in
 * voter_session_reply, which issues the same signed session token.
 */
#ifndef PB_VOTER_H
#define PB_VOTER_H

#include "core/req.h"
#include "lib/votertoken.h"
#include "lib/voterkeys.h"

#include <stdbool.h>
#include <stdint.h>

struct ratelimit_rule;

/* How long a voter session lasts. */
#define VOTER_SESSION_TTL_S (2 * 3600)

/* The request state of every sign-in method. */
struct signin_state {
    const struct ratelimit_rule *limit; /* what the attempt counts against */
    int givebacks;                      /* counts a success gives back (an OTP request and its check: 2) */
    char hash[VOTERKEY_HEX];            /* the keyed hash of the code, register entry or contact; "" when malformed */
    char code_hash[VOTERKEY_HEX];       /* one-time codes: the code's */
    char token[VOTER_TOKEN_MAX];        /* the new session's token, until it is sent */
    int64_t voter_id;
    int status;        /* 201 for a sign-in, 200 for a choice of district */
    bool counts_login; /* a sign-in (counted in /metrics), not a choice */
    char challenge[40]; /* one-time codes */
    /* a method's own state (OpenID Connect), freed with the request */
    void *method;
    void (*method_release)(void *method);
};

/* Answers a new voter session with a fresh signed token carrying the voter's frames:
 * {token, csrf_token, election_id, districts, district_id, has_voted, voted_districts,
 * choices, expires_in}. */
void voter_session_reply(struct req *r, int64_t voter_id);
/* The sign-in methods besides voting codes (register.c). */
void voter_session_register(struct req *r, const cJSON *reg);
void voter_session_otp(struct req *r);
/* The return from an OpenID Connect provider (api/oidc.c). */
void voter_session_oidc(struct req *r);
/* The keyed register hash of {"personal_id","birth_date","postcode"}; answers 422 itself. */
bool voter_register_hash_from_json(struct req *r, const cJSON *reg, char out[VOTERKEY_HEX]);

#endif
