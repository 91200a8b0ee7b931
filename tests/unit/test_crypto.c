/* Crypto wrappers against known answers, and round trips. */
#include "lib/crypto.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

void test_crypto(void)
{
    unsigned char h[32];
    char hex[65];
    crypto_sha256("abc", 3, h);
    crypto_hex(h, 32, hex);
    CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
    /* RFC 4231 test case 2 */
    crypto_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, h);
    crypto_hex(h, 32, hex);
    CHECK(strcmp(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843") == 0);

    unsigned char priv[32], pub[32], sig[64];
    CHECK(crypto_ed25519_keygen(priv, pub));
    CHECK(crypto_ed25519_sign(priv, "hello", 5, sig));
    CHECK(crypto_ed25519_verify(pub, "hello", 5, sig));
    CHECK(!crypto_ed25519_verify(pub, "hellp", 5, sig));
    char *pem = crypto_ed25519_pub_pem(pub);
    unsigned char pub2[32];
    CHECK(pem && crypto_ed25519_pub_from_pem(pem, strlen(pem), pub2) && memcmp(pub, pub2, 32) == 0);
    free(pem);

    unsigned char key[32] = {1}, sealed[32 + CRYPTO_SEAL_OVERHEAD], opened[32];
    CHECK(crypto_seal(key, priv, 32, sealed));
    CHECK(crypto_open(key, sealed, sizeof sealed, opened) && memcmp(opened, priv, 32) == 0);
    sealed[20] ^= 1;
    CHECK(!crypto_open(key, sealed, sizeof sealed, opened));

    unsigned char raw[6]; /* decoding needs room for the padding */
    CHECK(crypto_unbase64("aGVsbG8=", raw, sizeof raw) == 5 && memcmp(raw, "hello", 5) == 0);
    char t1[CRYPTO_TOKEN_STRLEN], t2[CRYPTO_TOKEN_STRLEN];
    crypto_token(t1);
    crypto_token(t2);
    CHECK(strlen(t1) == 43 && strcmp(t1, t2) != 0);
}

/* RFC 6238 appendix B, SHA-1, 8 digits truncated to our 6: T = 59 s gives 94287082. */
void test_totp(void)
{
    const unsigned char secret[] = "12345678901234567890";
    CHECK(crypto_totp(secret, 20, 59 / 30) == 287082);
    CHECK(crypto_totp(secret, 20, 1111111109 / 30) == 81804);
    CHECK(crypto_totp(secret, 20, 20000000000ull / 30) == 353130);
    char b32[64];
    crypto_base32((const unsigned char *)"foobar", 6, b32);
    CHECK(strcmp(b32, "MZXW6YTBOI") == 0);
}
