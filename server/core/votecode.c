/*
 * votecode: voting codes and the keyed hashes that stand for voters in the database.
 */
#include "lib/crypto.h"
#include "api/voter.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

void voter_code_new(char out[VOTER_CODE_STRLEN])
{
    /* Uniform symbols by rejection: bytes of 248 and over would favour the first letters.
     * One call to the CSPRNG usually covers the whole code. */
    const unsigned n = sizeof alphabet - 1, limit = 256 - 256 % n;
    unsigned char pool[32];
    size_t used = sizeof pool, j = 0;
    for (int i = 0; i < VOTER_CODE_CHARS;) {
        if (used == sizeof pool) {
            crypto_random(pool, sizeof pool);
            used = 0;
        }
        unsigned b = pool[used++];
        if (b >= limit)
            continue;
        if (i && i % 4 == 0)
            out[j++] = '-';
        out[j++] = alphabet[b % n];
        i++;
    }
    out[j] = '\0';
    crypto_wipe(pool, sizeof pool);
}

bool voter_code_normalise(const char *in, char out[VOTER_CODE_CHARS + 1])
{
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        if (*p == '-' || *p == ' ')
            continue;
        char c = (char)toupper((unsigned char)*p);
        if (!memchr(alphabet, c, sizeof alphabet - 1) || c == '\0' || n >= VOTER_CODE_CHARS)
            return false;
        out[n++] = c;
    }
    out[n] = '\0';
    return n == VOTER_CODE_CHARS;
}

void voter_code_hash(const struct app *app, int64_t election_id, const char *code, char out[65])
{
    unsigned char key[32], mac[CRYPTO_SHA256_LEN];
    char msg[64];
    int n = snprintf(msg, sizeof msg, "%lld:%s", (long long)election_id, code);
    app_derive_key(app, "voting-code", key);
    crypto_hmac_sha256(key, sizeof key, msg, (size_t)n, mac);
    crypto_hex(mac, sizeof mac, out);
    crypto_wipe(key, sizeof key);
}

void voter_tag(const struct app *app, int64_t election_id, int64_t voter_id, char out[65])
{
    unsigned char key[32], mac[CRYPTO_SHA256_LEN];
    char msg[64];
    int n = snprintf(msg, sizeof msg, "%lld:%lld", (long long)election_id, (long long)voter_id);
    app_derive_key(app, "voter-ballot-link", key);
    crypto_hmac_sha256(key, sizeof key, msg, (size_t)n, mac);
    crypto_hex(mac, sizeof mac, out);
    crypto_wipe(key, sizeof key);
}
