/*
 * votertoken: signed voter session tokens (see votertoken.h). The MAC covers every byte
 * before the last dot, so nothing in the claims can change without the key.
 */
#include "lib/votertoken.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "lib/util.h"

#include <stdio.h>
#include <string.h>

#define NONCE_BYTES 8
#define MAC_HEX (2 * CRYPTO_SHA256_LEN)

static void token_mac(const struct server_keys *k, const char *data, size_t n, char out[MAC_HEX + 1])
{
    unsigned char mac[CRYPTO_SHA256_LEN];
    crypto_hmac_sha256(k->voter_session, KEY_LEN, data, n, mac);
    crypto_hex(mac, sizeof mac, out);
}

void voter_token_issue(const struct server_keys *k, const struct voter_claims *c, char out[VOTER_TOKEN_MAX])
{
    unsigned char raw[NONCE_BYTES];
    char nonce[2 * NONCE_BYTES + 1], mac[MAC_HEX + 1];
    crypto_random(raw, sizeof raw);
    crypto_hex(raw, sizeof raw, nonce);
    char districts[VOTER_MAX_FRAMES * 20 + 2] = "0";
    PB_ASSERT(c->ndistricts <= VOTER_MAX_FRAMES);
    for (size_t i = 0, at = 0; i < c->ndistricts; i++)
        at += (size_t)snprintf(districts + at, sizeof districts - at, "%s%lld", i ? "-" : "", (long long)c->districts[i]);
    int n = snprintf(out, VOTER_TOKEN_MAX, VOTER_TOKEN_PREFIX "%lld.%lld.%s.%lld.%s", (long long)c->election_id,
                     (long long)c->voter_id, districts, (long long)c->expires, nonce);
    PB_ASSERT(n > 0 && n + 1 + MAC_HEX < VOTER_TOKEN_MAX);
    token_mac(k, out, (size_t)n, mac);
    snprintf(out + n, VOTER_TOKEN_MAX - (size_t)n, ".%s", mac);
}

bool voter_token_is_signed(const char *token)
{
    return strncmp(token, VOTER_TOKEN_PREFIX, strlen(VOTER_TOKEN_PREFIX)) == 0;
}

bool voter_frames_include(const int64_t *districts, size_t n, int64_t d)
{
    for (size_t i = 0; i < n; i++)
        if (districts[i] == d)
            return true;
    return false;
}

/* One positive decimal number ending at end (a '.' or '-'), advancing *p past it. */
static bool take_number(const char **p, char end, int64_t *out)
{
    const char *stop = strchr(*p, end);
    size_t n = stop ? (size_t)(stop - *p) : 0;
    if (n == 0 || n > 18 || strspn(*p, "0123456789") != n)
        return false;
    char digits[19];
    memcpy(digits, *p, n);
    digits[n] = '\0';
    if (!parse_int64(digits, out) || *out <= 0)
        return false;
    *p = stop + 1;
    return true;
}

static bool take_id(const char **p, int64_t *out)
{
    return take_number(p, '.', out);
}

/* The districts field: "0" (none yet) or ids joined by '-', ending at '.'. */
static bool take_districts(const char **p, struct voter_claims *t)
{
    t->ndistricts = 0;
    if (strncmp(*p, "0.", 2) == 0) {
        *p += 2;
        return true;
    }
    const char *dot = strchr(*p, '.');
    if (!dot)
        return false;
    for (;;) {
        const char *dash = memchr(*p, '-', (size_t)(dot - *p));
        if (t->ndistricts == VOTER_MAX_FRAMES || !take_number(p, dash ? '-' : '.', &t->districts[t->ndistricts]))
            return false;
        t->ndistricts++;
        if (!dash)
            return true;
    }
}

bool voter_token_verify(const struct server_keys *k, const char *token, int64_t now, struct voter_claims *c)
{
    size_t len = strnlen(token, VOTER_TOKEN_MAX);
    if (len >= VOTER_TOKEN_MAX || !voter_token_is_signed(token))
        return false;
    const char *last = strrchr(token, '.');
    if (!last || strlen(last + 1) != MAC_HEX)
        return false;
    char want[MAC_HEX + 1];
    token_mac(k, token, (size_t)(last - token), want);
    if (!crypto_equal(want, last + 1, MAC_HEX))
        return false;
    const char *p = token + strlen(VOTER_TOKEN_PREFIX);
    struct voter_claims t;
    if (!take_id(&p, &t.election_id) || !take_id(&p, &t.voter_id) || !take_districts(&p, &t) ||
        !take_id(&p, &t.expires))
        return false;
    if (last - p != 2 * NONCE_BYTES || strspn(p, "0123456789abcdef") != 2 * NONCE_BYTES)
        return false;
    if (t.expires <= now)
        return false;
    *c = t;
    return true;
}
