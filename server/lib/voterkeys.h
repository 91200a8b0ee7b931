/*
 * voterkeys: every keyed value that stands for a voter in the database. The database
 * never holds a voting code, a personal identifier, a contact address or the link from a
 * voter to their ballot in a form it could reverse: only these HMACs, under keys that live
 * outside it (lib/keys.h). Inputs are normalised here first, so that "0101-901234" and
 * "0101 901234" give the same hash. Pure: no I/O; outputs are lowercase hex.
 */
#ifndef PB_VOTERKEYS_H
#define PB_VOTERKEYS_H

#include "lib/keys.h"
#include "lib/util.h"

#include <stdbool.h>
#include <stdint.h>

#define VOTERKEY_HEX 65 /* 64 hex digits and NUL */

/* The stored hash of a normalised voting code (votecode_normalise). */
void voterkey_code(const struct server_keys *k, int64_t election, const char *code, char out[VOTERKEY_HEX]);
/* The ballot's link to its voter: the same voter always gives the same tag. */
void voterkey_tag(const struct server_keys *k, int64_t election, int64_t voter, char out[VOTERKEY_HEX]);
/* One register identity: personal identifier, birth date (YYYY-MM-DD) and postcode (may be
 * NULL or empty). One hash over all three, so a failed match cannot tell which field was
 * wrong. False when a field is malformed. */
bool voterkey_register(const struct server_keys *k, int64_t election, const char *personal_id,
                       const char *birth_date, const char *postcode, char out[VOTERKEY_HEX]) PB_WUR;
/* A contact address: e-mail (lowercased, no spaces) or phone (digits, optional leading +).
 * False when too short to be either. */
bool voterkey_contact(const struct server_keys *k, int64_t election, const char *contact,
                      char out[VOTERKEY_HEX]) PB_WUR;
/* The identifier an OpenID Connect provider vouches for (the claim the election's provider
 * names: a CPR-derived identifier, or "sub"), normalised like a register's personal_id, so
 * that a register row matches by its personal_id (or its oidc_id column). False when the
 * value is empty, too long or holds control characters. */
bool voterkey_oidc(const struct server_keys *k, int64_t election, const char *claim, char out[VOTERKEY_HEX]) PB_WUR;
/* A one-time code under its challenge id. */
void voterkey_otp(const struct server_keys *k, const char *challenge, const char *code, char out[VOTERKEY_HEX]);

/* True for a calendar date written YYYY-MM-DD (month 01-12, day 01-31). */
bool voterkey_date_valid(const char *d);

#endif
