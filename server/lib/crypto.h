/*
 * crypto: every cryptographic primitive the server uses, all through OpenSSL. No other
 * module includes OpenSSL headers for hashing, randomness or signatures.
 */
#ifndef PB_CRYPTO_H
#define PB_CRYPTO_H

#include "lib/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRYPTO_SHA256_LEN 32
#define CRYPTO_ED25519_KEY_LEN 32
#define CRYPTO_ED25519_SIG_LEN 64
#define CRYPTO_TOKEN_BYTES 32
/* base64url of CRYPTO_TOKEN_BYTES without padding, plus NUL */
#define CRYPTO_TOKEN_STRLEN 44

/* Fills buf from OpenSSL's CSPRNG; aborts if the generator fails, since no caller can
 * continue safely without randomness. */
void crypto_random(void *buf, size_t n);
/* A uniform integer in [0, bound) by rejection sampling. */
uint32_t crypto_random_below(uint32_t bound);
/* A fresh bearer token: 256 random bits as base64url (out holds CRYPTO_TOKEN_STRLEN). */
void crypto_token(char out[CRYPTO_TOKEN_STRLEN]);

void crypto_sha256(const void *data, size_t n, unsigned char out[CRYPTO_SHA256_LEN]);
void crypto_hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
                        unsigned char out[CRYPTO_SHA256_LEN]);
bool crypto_equal(const void *a, const void *b, size_t n);
void crypto_wipe(void *p, size_t n);

/* Lowercase hex; out holds 2n+1 bytes. */
void crypto_hex(const unsigned char *in, size_t n, char *out);
bool crypto_unhex(const char *hex, unsigned char *out, size_t n) PB_WUR;
/* base64 (standard alphabet, padded); returns a malloc'd string. */
char *crypto_base64(const unsigned char *in, size_t n);
/* Decodes standard base64; returns the decoded length or -1. out holds at least 3*len/4. */
int crypto_unbase64(const char *in, unsigned char *out, size_t outcap) PB_WUR;

/* Password storage: scrypt (N=2^17, r=8, p=1, per-user salt) encoded as
 * "scrypt$17$8$1$<salt b64>$<hash b64>". Slow on purpose: call off the event loop. */
char *crypto_password_hash(const char *password);
bool crypto_password_verify(const char *password, const char *encoded) PB_WUR;

/* Ed25519 keys as raw 32-byte strings. */
bool crypto_ed25519_keygen(unsigned char priv[CRYPTO_ED25519_KEY_LEN],
                           unsigned char pub[CRYPTO_ED25519_KEY_LEN]) PB_WUR;
bool crypto_ed25519_sign(const unsigned char priv[CRYPTO_ED25519_KEY_LEN], const void *msg,
                         size_t n, unsigned char sig[CRYPTO_ED25519_SIG_LEN]) PB_WUR;
bool crypto_ed25519_verify(const unsigned char pub[CRYPTO_ED25519_KEY_LEN], const void *msg,
                           size_t n, const unsigned char sig[CRYPTO_ED25519_SIG_LEN]) PB_WUR;
/* The public key as a PEM SubjectPublicKeyInfo (malloc'd), and back. */
char *crypto_ed25519_pub_pem(const unsigned char pub[CRYPTO_ED25519_KEY_LEN]);
bool crypto_ed25519_pub_from_pem(const char *pem, size_t n,
                                 unsigned char pub[CRYPTO_ED25519_KEY_LEN]) PB_WUR;

/* AES-256-GCM with a random 12-byte nonce: out = nonce || ciphertext || tag, so out holds
 * n + 28 bytes. Used to keep signing keys in the database unreadable without the secret. */
#define CRYPTO_SEAL_OVERHEAD 28
bool crypto_seal(const unsigned char key[32], const void *in, size_t n, unsigned char *out) PB_WUR;
bool crypto_open(const unsigned char key[32], const unsigned char *in, size_t n,
                 unsigned char *out) PB_WUR;

/* A keyed pseudo-random function of 64-bit values (AES-128 of one block under a random
 * key made by crypto_idmask_new): ids that are unique in practice and reveal no count. */
struct crypto_idmask;
struct crypto_idmask *crypto_idmask_new(void);
uint64_t crypto_idmask_apply(struct crypto_idmask *m, uint64_t v);
void crypto_idmask_free(struct crypto_idmask *m);

/* RFC 6238 TOTP (HMAC-SHA1, 6 digits) for the 30-second step. */
uint32_t crypto_totp(const unsigned char *secret, size_t len, uint64_t step);
/* RFC 4648 base32 without padding; out holds 8 * ceil(n / 5) + 1 bytes. */
void crypto_base32(const unsigned char *in, size_t n, char *out);

#endif
