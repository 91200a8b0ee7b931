/*
 * keys: one HMAC per purpose over the server secret. The labels are part of the stored
 * data's meaning (hashes in the database were made with them): never rename one.
 */
#include "lib/keys.h"
#include "lib/crypto.h"

#include <stdio.h>

static void derive(const unsigned char secret[KEY_LEN], const char *purpose, unsigned char out[KEY_LEN])
{
    char label[96];
    int n = snprintf(label, sizeof label, "borgerbudget/%s", purpose);
    crypto_hmac_sha256(secret, KEY_LEN, label, (size_t)n, out);
}

void keys_derive(const unsigned char secret[KEY_LEN], struct server_keys *k)
{
    derive(secret, "voting-code", k->voting_code);
    derive(secret, "voter-ballot-link", k->ballot_link);
    derive(secret, "voter-register", k->voter_register);
    derive(secret, "voter-contact", k->voter_contact);
    derive(secret, "voter-otp", k->voter_otp);
    derive(secret, "voter-session-token", k->voter_session);
    derive(secret, "staff-totp", k->staff_totp);
    derive(secret, "csrf", k->csrf);
    derive(secret, "election-signing-key", k->election_signing);
    derive(secret, "voter-oidc", k->voter_oidc);
    derive(secret, "oidc-login", k->oidc_login);
    derive(secret, "outbox", k->outbox);
}

void keys_wipe(struct server_keys *k)
{
    crypto_wipe(k, sizeof *k);
}
