/*
 * voterkeys: the message layouts below are part of what the database stores (hashes made
 * with them): changing one makes every stored code, register row or ballot link unmatched.
 */
#include "lib/voterkeys.h"
#include "lib/crypto.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void mac_hex(const unsigned char key[KEY_LEN], const char *msg, size_t n, char out[VOTERKEY_HEX])
{
    unsigned char mac[CRYPTO_SHA256_LEN];
    crypto_hmac_sha256(key, KEY_LEN, msg, n, mac);
    crypto_hex(mac, sizeof mac, out);
}

void voterkey_code(const struct server_keys *k, int64_t election, const char *code, char out[VOTERKEY_HEX])
{
    char msg[64];
    int n = snprintf(msg, sizeof msg, "%lld:%s", (long long)election, code);
    mac_hex(k->voting_code, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1, out);
    crypto_wipe(msg, sizeof msg);
}

void voterkey_tag(const struct server_keys *k, int64_t election, int64_t voter, char out[VOTERKEY_HEX])
{
    char msg[64];
    int n = snprintf(msg, sizeof msg, "%lld:%lld", (long long)election, (long long)voter);
    mac_hex(k->ballot_link, msg, (size_t)n, out);
}

/* Uppercases and drops spaces, tabs and dashes; false when empty, too long or holding
 * control characters. */
static bool normalise_id(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        if (*p == ' ' || *p == '-' || *p == '\t')
            continue;
        if (n + 1 >= cap || (unsigned char)*p < 0x20)
            return false;
        out[n++] = (char)toupper((unsigned char)*p);
    }
    out[n] = '\0';
    return n > 0;
}

bool voterkey_date_valid(const char *d)
{
    return strlen(d) == 10 && strspn(d, "0123456789-") == 10 && isdigit((unsigned char)d[0]) &&
           isdigit((unsigned char)d[3]) && d[4] == '-' && d[7] == '-' && isdigit((unsigned char)d[5]) &&
           isdigit((unsigned char)d[8]) && memcmp(d + 5, "13", 2) < 0 && memcmp(d + 8, "32", 2) < 0 &&
           memcmp(d + 5, "00", 2) > 0 && memcmp(d + 8, "00", 2) > 0;
}

bool voterkey_register(const struct server_keys *k, int64_t election, const char *personal_id,
                       const char *birth_date, const char *postcode, char out[VOTERKEY_HEX])
{
    char nid[128], npc[32] = "";
    if (!normalise_id(personal_id, nid, sizeof nid) || !voterkey_date_valid(birth_date))
        return false;
    if (postcode && *postcode && !normalise_id(postcode, npc, sizeof npc))
        return false;
    char *msg = xasprintf("%lld|%s|%s|%s", (long long)election, nid, birth_date, npc);
    mac_hex(k->voter_register, msg, strlen(msg), out);
    crypto_wipe(msg, strlen(msg));
    crypto_wipe(nid, sizeof nid);
    free(msg);
    return true;
}

/* The keyed hash of a normalised value in an election (contacts, OIDC claims). */
static void mac_election(const unsigned char key[KEY_LEN], int64_t election, const char *norm, char out[VOTERKEY_HEX])
{
    char *msg = xasprintf("%lld|%s", (long long)election, norm);
    mac_hex(key, msg, strlen(msg), out);
    crypto_wipe(msg, strlen(msg));
    free(msg);
}

bool voterkey_contact(const struct server_keys *k, int64_t election, const char *contact, char out[VOTERKEY_HEX])
{
    char norm[256];
    size_t n = 0;
    bool email = strchr(contact, '@') != NULL;
    for (const char *p = contact; *p && n + 1 < sizeof norm; p++) {
        if (email) {
            if (!isspace((unsigned char)*p))
                norm[n++] = (char)tolower((unsigned char)*p);
        } else if (isdigit((unsigned char)*p) || (*p == '+' && n == 0)) {
            norm[n++] = *p;
        }
    }
    norm[n] = '\0';
    if (n < 5)
        return false;
    mac_election(k->voter_contact, election, norm, out);
    crypto_wipe(norm, sizeof norm);
    return true;
}

bool voterkey_oidc(const struct server_keys *k, int64_t election, const char *claim, char out[VOTERKEY_HEX])
{
    char nid[256];
    if (!normalise_id(claim, nid, sizeof nid))
        return false;
    mac_election(k->voter_oidc, election, nid, out);
    crypto_wipe(nid, sizeof nid);
    return true;
}

void voterkey_otp(const struct server_keys *k, const char *challenge, const char *code, char out[VOTERKEY_HEX])
{
    char *msg = xasprintf("%s|%s", challenge, code);
    mac_hex(k->voter_otp, msg, strlen(msg), out);
    crypto_wipe(msg, strlen(msg));
    free(msg);
}
