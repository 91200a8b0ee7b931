/*
 * keys: the keys derived from the server secret, one per purpose, so that a leak of one
 * derived value says nothing about the others or the secret. They are derived once at
 * start-up (keys_derive) and then only read, from the loop and from worker threads alike.
 * Pure: no I/O.
 */
#ifndef PB_KEYS_H
#define PB_KEYS_H

#define KEY_LEN 32

struct server_keys {
    unsigned char voting_code[KEY_LEN];     /* voting codes -> stored hash */
    unsigned char ballot_link[KEY_LEN];     /* voter -> ballot (voter_tag) */
    unsigned char voter_register[KEY_LEN];  /* register identity -> stored hash */
    unsigned char voter_contact[KEY_LEN];   /* phone or e-mail -> stored hash */
    unsigned char voter_otp[KEY_LEN];       /* one-time code -> stored hash */
    unsigned char voter_session[KEY_LEN];   /* signed voter session tokens */
    unsigned char staff_totp[KEY_LEN];      /* seals TOTP secrets at rest */
    unsigned char csrf[KEY_LEN];            /* CSRF tokens of cookie sessions */
    unsigned char election_signing[KEY_LEN]; /* seals elections' Ed25519 private keys */
    unsigned char voter_oidc[KEY_LEN];      /* an OpenID Connect identity claim -> stored hash */
    unsigned char oidc_login[KEY_LEN];      /* seals PKCE verifiers of sign-ins in progress */
    unsigned char outbox[KEY_LEN];          /* seals outbox recipients and message values */
};

/* Fills every key as HMAC-SHA256(secret, "borgerbudget/<purpose>"). */
void keys_derive(const unsigned char secret[KEY_LEN], struct server_keys *out);
/* Wipes every key (at shutdown). */
void keys_wipe(struct server_keys *k);

#endif
