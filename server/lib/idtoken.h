/*
 * idtoken: checks an OpenID Connect ID token (OpenID Connect Core 1.0, 3.1.3.7) against
 * the provider's JWKS: the signature through libcjose (RS256, PS256 and ES256 only: "none",
 * HMAC and every other algorithm are refused, so a provider's public key can never be
 * used as an HMAC secret), a key of the right type for the algorithm, then iss, aud, azp,
 * exp, iat, nbf and nonce. Pure: no I/O; the caller fetches the JWKS and gives the clock.
 * Base64url and JSON are libcjose's and cJSON's, never written here.
 */
#ifndef PB_IDTOKEN_H
#define PB_IDTOKEN_H

#include "lib/util.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Larger tokens and key sets are refused before parsing. */
#define IDTOKEN_MAX_LEN (16 * 1024)
#define IDTOKEN_JWKS_MAX_LEN (256 * 1024)

enum idtoken_err {
    IDT_OK,
    IDT_MALFORMED,   /* not a compact JWS with a JSON header and payload */
    IDT_ALG,         /* an algorithm we do not accept ("none", HS256, ...), or a "crit" header */
    IDT_NO_KEY,      /* the JWKS has no key for the token's kid and algorithm: refresh it once */
    IDT_SIGNATURE,   /* no matching key verifies the signature */
    IDT_JWKS,        /* the JWKS is not a JSON object with a "keys" array */
    IDT_ISSUER,
    IDT_AUDIENCE,    /* aud does not hold our client id, or azp names another client */
    IDT_EXPIRED,     /* exp is past, or iat is too old */
    IDT_NOT_YET,     /* iat or nbf is in the future beyond the allowed skew */
    IDT_NONCE,
    IDT_CLAIMS,      /* a required claim (sub, exp, iat) is missing or of the wrong type */
};

struct idtoken_expect {
    const char *issuer;    /* exactly the discovery document's issuer */
    const char *client_id; /* our client id: must be in aud; azp, when present, must be it */
    const char *nonce;     /* the nonce sent with this sign-in */
    int64_t now;           /* seconds since the epoch */
    int64_t skew_s;        /* clock difference allowed for exp, iat and nbf */
    int64_t max_age_s;     /* iat older than this (plus skew) is refused */
};

/* Verifies jwt (compact serialisation) with the keys of jwks (a JWK Set as JSON text).
 * On IDT_OK, *claims is the payload (the caller deletes it); otherwise *claims is NULL. */
enum idtoken_err idtoken_verify(const char *jwt, size_t jwt_len, const char *jwks, size_t jwks_len,
                                const struct idtoken_expect *x, cJSON **claims) PB_WUR;

/* A stable snake_case name for logs and error codes ("expired", "audience", ...). */
const char *idtoken_err_name(enum idtoken_err e);

/* A claim as text: a string as it is, an integral number in decimal. NULL when absent or
 * of another type. buf holds a number's digits. */
const char *idtoken_claim_text(const cJSON *claims, const char *name, char buf[32]);

/* Whole years between a birth date "YYYY-MM-DD" and the day of now (UTC); -1 when the date
 * is malformed or in the future. */
int idtoken_age_years(const char *birthdate, int64_t now);

#endif
