/*
 * crypto: thin, checked wrappers over OpenSSL 3. Failures of the library itself (no
 * randomness, no memory) abort; failures caused by input (bad signature) return false.
 */
#include "lib/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCRYPT_LOG_N 17
#define SCRYPT_R 8
#define SCRYPT_P 1
#define SCRYPT_SALT_LEN 16
#define SCRYPT_HASH_LEN 32
/* N=2^17, r=8 needs 128 MiB; OpenSSL refuses above its maxmem, so give it headroom. */
#define SCRYPT_MAXMEM (256u * 1024u * 1024u)

void crypto_random(void *buf, size_t n)
{
    if (n > INT32_MAX || RAND_bytes(buf, (int)n) != 1) {
        fputs("fatal: RAND_bytes failed\n", stderr);
        abort();
    }
}

uint32_t crypto_random_below(uint32_t bound)
{
    uint32_t limit = UINT32_MAX - (UINT32_MAX % bound);
    for (;;) {
        uint32_t v;
        crypto_random(&v, sizeof v);
        if (v < limit)
            return v % bound;
    }
}

void crypto_token(char out[CRYPTO_TOKEN_STRLEN])
{
    unsigned char raw[CRYPTO_TOKEN_BYTES];
    crypto_random(raw, sizeof raw);
    char *b64 = crypto_base64(raw, sizeof raw);
    size_t j = 0;
    for (size_t i = 0; b64[i] && j < CRYPTO_TOKEN_STRLEN - 1; i++) {
        char c = b64[i];
        if (c == '=')
            break;
        out[j++] = c == '+' ? '-' : c == '/' ? '_' : c;
    }
    out[j] = '\0';
    free(b64);
    crypto_wipe(raw, sizeof raw);
}

void crypto_sha256(const void *data, size_t n, unsigned char out[CRYPTO_SHA256_LEN])
{
    unsigned int len = 0;
    if (EVP_Digest(data, n, out, &len, EVP_sha256(), NULL) != 1) {
        fputs("fatal: EVP_Digest failed\n", stderr);
        abort();
    }
}

void crypto_hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
                        unsigned char out[CRYPTO_SHA256_LEN])
{
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key, (int)keylen, data, n, out, &len)) {
        fputs("fatal: HMAC failed\n", stderr);
        abort();
    }
}

bool crypto_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

void crypto_wipe(void *p, size_t n)
{
    if (p)
        OPENSSL_cleanse(p, n);
}

void crypto_hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool crypto_unhex(const char *hex, unsigned char *out, size_t n)
{
    if (strlen(hex) != 2 * n)
        return false;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}

char *crypto_base64(const unsigned char *in, size_t n)
{
    char *out = xmalloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, in, (int)n);
    return out;
}

int crypto_unbase64(const char *in, unsigned char *out, size_t outcap)
{
    size_t len = strlen(in);
    if (len % 4 != 0 || len / 4 * 3 > outcap || len > INT32_MAX)
        return -1;
    int n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
    if (n < 0)
        return -1;
    /* EVP_DecodeBlock counts padding as zero bytes; take them back off. */
    if (len >= 1 && in[len - 1] == '=')
        n--;
    if (len >= 2 && in[len - 2] == '=')
        n--;
    return n;
}

static bool scrypt_raw(const char *password, const unsigned char *salt, size_t saltlen,
                       uint64_t n, uint64_t r, uint64_t p, unsigned char *out, size_t outlen)
{
    return EVP_PBE_scrypt(password, strlen(password), salt, saltlen, n, r, p, SCRYPT_MAXMEM,
                          out, outlen) == 1;
}

char *crypto_password_hash(const char *password)
{
    unsigned char salt[SCRYPT_SALT_LEN], hash[SCRYPT_HASH_LEN];
    crypto_random(salt, sizeof salt);
    if (!scrypt_raw(password, salt, sizeof salt, 1ull << SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, hash,
                    sizeof hash)) {
        fputs("fatal: scrypt failed\n", stderr);
        abort();
    }
    char *s64 = crypto_base64(salt, sizeof salt), *h64 = crypto_base64(hash, sizeof hash);
    char *out = xasprintf("scrypt$%d$%d$%d$%s$%s", SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, s64, h64);
    free(s64);
    free(h64);
    crypto_wipe(hash, sizeof hash);
    return out;
}

bool crypto_password_verify(const char *password, const char *encoded)
{
    int logn, r, p;
    char salt64[64], hash64[128];
    if (!encoded || sscanf(encoded, "scrypt$%d$%d$%d$%63[^$]$%127s", &logn, &r, &p, salt64,
                           hash64) != 5)
        return false;
    if (logn < 10 || logn > 22 || r < 1 || r > 32 || p < 1 || p > 16)
        return false;
    unsigned char salt[48], want[96], got[96];
    int saltlen = crypto_unbase64(salt64, salt, sizeof salt);
    int hashlen = crypto_unbase64(hash64, want, sizeof want);
    if (saltlen <= 0 || hashlen <= 0)
        return false;
    bool ok = scrypt_raw(password, salt, (size_t)saltlen, 1ull << logn, (uint64_t)r,
                         (uint64_t)p, got, (size_t)hashlen) &&
              crypto_equal(got, want, (size_t)hashlen);
    crypto_wipe(got, sizeof got);
    return ok;
}

bool crypto_ed25519_keygen(unsigned char priv[CRYPTO_ED25519_KEY_LEN],
                           unsigned char pub[CRYPTO_ED25519_KEY_LEN])
{
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    size_t privlen = CRYPTO_ED25519_KEY_LEN, publen = CRYPTO_ED25519_KEY_LEN;
    bool ok = ctx && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_keygen(ctx, &key) == 1 &&
              EVP_PKEY_get_raw_private_key(key, priv, &privlen) == 1 &&
              EVP_PKEY_get_raw_public_key(key, pub, &publen) == 1;
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

bool crypto_ed25519_sign(const unsigned char priv[CRYPTO_ED25519_KEY_LEN], const void *msg,
                         size_t n, unsigned char sig[CRYPTO_ED25519_SIG_LEN])
{
    EVP_PKEY *key =
        EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, priv, CRYPTO_ED25519_KEY_LEN);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t siglen = CRYPTO_ED25519_SIG_LEN;
    bool ok = key && md && EVP_DigestSignInit(md, NULL, NULL, NULL, key) == 1 &&
              EVP_DigestSign(md, sig, &siglen, msg, n) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    return ok;
}

bool crypto_ed25519_verify(const unsigned char pub[CRYPTO_ED25519_KEY_LEN], const void *msg,
                           size_t n, const unsigned char sig[CRYPTO_ED25519_SIG_LEN])
{
    EVP_PKEY *key =
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, CRYPTO_ED25519_KEY_LEN);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = key && md && EVP_DigestVerifyInit(md, NULL, NULL, NULL, key) == 1 &&
              EVP_DigestVerify(md, sig, CRYPTO_ED25519_SIG_LEN, msg, n) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    return ok;
}

char *crypto_ed25519_pub_pem(const unsigned char pub[CRYPTO_ED25519_KEY_LEN])
{
    EVP_PKEY *key =
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, CRYPTO_ED25519_KEY_LEN);
    BIO *bio = BIO_new(BIO_s_mem());
    char *out = NULL;
    if (key && bio && PEM_write_bio_PUBKEY(bio, key) == 1) {
        char *data;
        long len = BIO_get_mem_data(bio, &data);
        if (len > 0)
            out = xstrndup(data, (size_t)len);
    }
    BIO_free(bio);
    EVP_PKEY_free(key);
    return out;
}

bool crypto_ed25519_pub_from_pem(const char *pem, size_t n,
                                 unsigned char pub[CRYPTO_ED25519_KEY_LEN])
{
    BIO *bio = BIO_new_mem_buf(pem, (int)n);
    EVP_PKEY *key = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
    size_t len = CRYPTO_ED25519_KEY_LEN;
    bool ok = key && EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 &&
              EVP_PKEY_get_raw_public_key(key, pub, &len) == 1 && len == CRYPTO_ED25519_KEY_LEN;
    EVP_PKEY_free(key);
    BIO_free(bio);
    return ok;
}

bool crypto_seal(const unsigned char key[32], const void *in, size_t n, unsigned char *out)
{
    unsigned char *nonce = out, *ct = out + 12, *tag = out + 12 + n;
    crypto_random(nonce, 12);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0;
    bool ok = ctx && n <= INT32_MAX &&
              EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) == 1 &&
              EVP_EncryptUpdate(ctx, ct, &len, in, (int)n) == 1 &&
              EVP_EncryptFinal_ex(ctx, ct + len, &fin) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

bool crypto_open(const unsigned char key[32], const unsigned char *in, size_t n,
                 unsigned char *out)
{
    if (n < CRYPTO_SEAL_OVERHEAD)
        return false;
    size_t ctlen = n - CRYPTO_SEAL_OVERHEAD;
    const unsigned char *nonce = in, *ct = in + 12, *tag = in + 12 + ctlen;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0;
    bool ok = ctx && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) == 1 &&
              EVP_DecryptUpdate(ctx, out, &len, ct, (int)ctlen) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) == 1 &&
              EVP_DecryptFinal_ex(ctx, out + len, &fin) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

uint32_t crypto_totp(const unsigned char *secret, size_t len, uint64_t step)
{
    unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
    for (int i = 7; i >= 0; i--) {
        msg[i] = (unsigned char)(step & 0xff);
        step >>= 8;
    }
    unsigned int maclen = 0;
    if (!HMAC(EVP_sha1(), secret, (int)len, msg, sizeof msg, mac, &maclen) || maclen < 20) {
        fputs("fatal: HMAC failed\n", stderr);
        abort();
    }
    size_t off = mac[maclen - 1] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    return bin % 1000000;
}

void crypto_base32(const unsigned char *in, size_t n, char *out)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    size_t j = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            out[j++] = alphabet[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[j++] = alphabet[(acc << (5 - bits)) & 31];
    out[j] = '\0';
}

struct crypto_idmask {
    EVP_CIPHER_CTX *ctx;
};

struct crypto_idmask *crypto_idmask_new(void)
{
    unsigned char key[16];
    crypto_random(key, sizeof key);
    struct crypto_idmask *m = xcalloc(1, sizeof *m);
    m->ctx = EVP_CIPHER_CTX_new();
    if (!m->ctx || EVP_EncryptInit_ex(m->ctx, EVP_aes_128_ecb(), NULL, key, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(m->ctx, 0) != 1) {
        fputs("fatal: AES-128 is not available\n", stderr);
        abort();
    }
    crypto_wipe(key, sizeof key);
    return m;
}

uint64_t crypto_idmask_apply(struct crypto_idmask *m, uint64_t v)
{
    unsigned char in[16] = {0}, out[32];
    memcpy(in, &v, sizeof v);
    int len = 0;
    if (EVP_EncryptUpdate(m->ctx, out, &len, in, sizeof in) != 1 || len != 16) {
        fputs("fatal: AES-128 failed\n", stderr);
        abort();
    }
    uint64_t r;
    memcpy(&r, out, sizeof r);
    return r;
}

void crypto_idmask_free(struct crypto_idmask *m)
{
    if (!m)
        return;
    EVP_CIPHER_CTX_free(m->ctx);
    free(m);
}
