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
    int n = snprintf(out, VOTER_TOKEN_MAX, VOTER_TOKEN_PREFIX "%lld.%lld.%lld.%lld.%s", (long long)c->election_id,
                     (long long)c->voter_id, (long long)c->district_id, (long long)c->expires, nonce);
    PB_ASSERT(n > 0 && n + 1 + MAC_HEX < VOTER_TOKEN_MAX);
    token_mac(k, out, (size_t)n, mac);
    snprintf(out + n, VOTER_TOKEN_MAX - (size_t)n, ".%s", mac);
}

bool voter_token_is_signed(const char *token)
{
    return strncmp(token, VOTER_TOKEN_PREFIX, strlen(VOTER_TOKEN_PREFIX)) == 0;
}

/* One positive decimal field ending at '.', advancing *p past the dot. */
static bool take_id(const char **p, int64_t *out)
{
    const char *dot = strchr(*p, '.');
    size_t n = dot ? (size_t)(dot - *p) : 0;
    if (n == 0 || n > 18 || strspn(*p, "0123456789") != n)
        return false;
    char digits[19];
    memcpy(digits, *p, n);
    digits[n] = '\0';
    if (!parse_int64(digits, out) || *out <= 0)
        return false;
    *p = dot + 1;
    return true;
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
    if (!take_id(&p, &t.election_id) || !take_id(&p, &t.voter_id) || !take_id(&p, &t.district_id) ||
        !take_id(&p, &t.expires))
        return false;
    if (last - p != 2 * NONCE_BYTES || strspn(p, "0123456789abcdef") != 2 * NONCE_BYTES)
        return false;
    if (t.expires <= now)
        return false;
    *c = t;
    return true;
}
