/*
 * voter: how citizens prove eligibility (voting codes now; register and one-time codes
 * build on the same pieces) and the keyed values that identify a voter without revealing
 * who they are.
 */
#ifndef PB_VOTER_H
#define PB_VOTER_H

#include "core/app.h"

#include <stdbool.h>
#include <stdint.h>

#define VOTER_CODE_CHARS 16
/* "XXXX-XXXX-XXXX-XXXX" plus NUL */
#define VOTER_CODE_STRLEN 20

/* A fresh code: 16 symbols from a 31-letter alphabet without 0/O, 1/I/L (79 bits). */
void voter_code_new(char out[VOTER_CODE_STRLEN]);
/* Uppercases and drops dashes and spaces; false when the result is not a well-formed code. */
bool voter_code_normalise(const char *in, char out[VOTER_CODE_CHARS + 1]);
/* The keyed hash stored for a normalised code (hex). */
void voter_code_hash(const struct app *app, int64_t election_id, const char *code, char out[65]);
/* The ballot's link to its voter: HMAC(secret, election, voter), hex. */
void voter_tag(const struct app *app, int64_t election_id, int64_t voter_id, char out[65]);

/* How long a voter session lasts. */
#define VOTER_SESSION_TTL_S (2 * 3600)

struct req;
struct cJSON;
/* Answers a new voter session with a fresh signed token:
 * {token, csrf_token, districts, district_id, has_voted}. */
void voter_session_reply(struct req *r, int64_t voter_id, int64_t district_id);
/* The sign-in methods besides voting codes (register.c). */
void voter_session_register(struct req *r, const struct cJSON *reg);
void voter_session_otp(struct req *r);
/* The keyed register hash of {"personal_id","birth_date","postcode"}; answers 422 itself. */
bool voter_register_hash_from_json(struct req *r, const struct cJSON *reg, char out[65]);

#endif
