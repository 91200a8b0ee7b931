/*
 * idtoken: the header is read first (through libcjose's base64url and cJSON) so that the
 * algorithm is refused before any key is tried; then each JWKS key that fits the kid and
 * the algorithm is imported with libcjose and tried; then the claims.
 */
#include "lib/idtoken.h"

#include <cjose/base64.h>
#include <cjose/jwk.h>
#include <cjose/jws.h>
#include <cjose/util.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The algorithms we accept and the key each needs. */
static const struct {
    const char *alg;
    cjose_jwk_kty_t kty;
    bool p256; /* an EC key on P-256 */
} algs[] = {
    {"RS256", CJOSE_JWK_KTY_RSA, false},
    {"PS256", CJOSE_JWK_KTY_RSA, false},
    {"ES256", CJOSE_JWK_KTY_EC, true},
};

const char *idtoken_err_name(enum idtoken_err e)
{
    switch (e) {
    case IDT_OK: return "ok";
    case IDT_MALFORMED: return "malformed";
    case IDT_ALG: return "algorithm";
    case IDT_NO_KEY: return "no_key";
    case IDT_SIGNATURE: return "signature";
    case IDT_JWKS: return "jwks";
    case IDT_ISSUER: return "issuer";
    case IDT_AUDIENCE: return "audience";
    case IDT_EXPIRED: return "expired";
    case IDT_NOT_YET: return "not_yet_valid";
    case IDT_NONCE: return "nonce";
    case IDT_CLAIMS: return "claims";
    }
    return "unknown";
}

static void cjose_free(void *p)
{
    if (p)
        cjose_get_dealloc()(p);
}

/* True for unpadded base64url text of a length that can be decoded. libcjose's decoder
 * asserts (aborts the process) on some malformed input, such as '=' inside the text: it
 * sees only what passed this check. */
static bool b64url_ok(const char *s, size_t len)
{
    if (len % 4 == 1)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* The JSON object in one base64url part of a compact JWS, or NULL. */
static cJSON *decode_part(const char *part, size_t len)
{
    uint8_t *raw = NULL;
    size_t n = 0;
    cjose_err err;
    if (len == 0 || !b64url_ok(part, len) || !cjose_base64url_decode(part, len, &raw, &n, &err))
        return NULL;
    cJSON *j = utf8_valid((const char *)raw, n) ? cJSON_ParseWithLength((const char *)raw, n) : NULL;
    cjose_free(raw);
    if (j && !cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

static const char *str_member(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* True when key (a JWK object) may verify a token signed with algs[a] and kid. */
static bool key_fits(const cJSON *key, size_t a, const char *kid)
{
    const char *kty = str_member(key, "kty"), *use = str_member(key, "use"), *alg = str_member(key, "alg");
    const char *key_kid = str_member(key, "kid");
    if (!kty || (use && strcmp(use, "sig") != 0) || (alg && strcmp(alg, algs[a].alg) != 0))
        return false;
    if (kid && key_kid && strcmp(kid, key_kid) != 0)
        return false;
    if (kid && !key_kid)
        return false;
    if (algs[a].kty == CJOSE_JWK_KTY_RSA)
        return strcmp(kty, "RSA") == 0;
    const char *crv = str_member(key, "crv");
    return strcmp(kty, "EC") == 0 && crv && strcmp(crv, "P-256") == 0;
}

/* Imports key with libcjose and checks the type it made of it (a JWK that says "RSA" but
 * carries other parameters is refused by the import). Its key parameters must be
 * base64url that libcjose can take (see b64url_ok). */
static cjose_jwk_t *key_import(const cJSON *key, size_t a)
{
    static const char *const params[] = {"n", "e", "x", "y", "d", "p", "q", "dp", "dq", "qi", "k"};
    for (size_t i = 0; i < PB_ARRAY_LEN(params); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(key, params[i]);
        if (v && (!cJSON_IsString(v) || !b64url_ok(v->valuestring, strlen(v->valuestring))))
            return NULL;
    }
    char *text = cJSON_PrintUnformatted(key);
    if (!text)
        return NULL;
    cjose_err err;
    cjose_jwk_t *jwk = cjose_jwk_import(text, strlen(text), &err);
    cJSON_free(text);
    if (!jwk)
        return NULL;
    bool ok = cjose_jwk_get_kty(jwk, &err) == algs[a].kty &&
              (!algs[a].p256 || cjose_jwk_EC_get_curve(jwk, &err) == CJOSE_JWK_EC_P_256);
    if (!ok) {
        cjose_jwk_release(jwk);
        return NULL;
    }
    return jwk;
}

/* A NumericDate claim: a finite integral JSON number. */
static bool numeric_date(const cJSON *claims, const char *name, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(claims, name);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 || v->valuedouble > 1e15)
        return false;
    *out = (int64_t)floor(v->valuedouble);
    return true;
}

static enum idtoken_err check_claims(const cJSON *c, const struct idtoken_expect *x)
{
    const char *iss = str_member(c, "iss"), *sub = str_member(c, "sub");
    if (!iss || strcmp(iss, x->issuer) != 0)
        return IDT_ISSUER;
    if (!sub || !*sub)
        return IDT_CLAIMS;
    /* aud: our client id, alone or in a list; with several audiences azp must name us */
    const cJSON *aud = cJSON_GetObjectItemCaseSensitive(c, "aud");
    bool ours = false;
    int naud = 0;
    if (cJSON_IsString(aud)) {
        ours = strcmp(aud->valuestring, x->client_id) == 0;
        naud = 1;
    } else if (cJSON_IsArray(aud)) {
        for (const cJSON *a = aud->child; a; a = a->next, naud++)
            if (cJSON_IsString(a) && strcmp(a->valuestring, x->client_id) == 0)
                ours = true;
    }
    if (!ours)
        return IDT_AUDIENCE;
    const cJSON *azp = cJSON_GetObjectItemCaseSensitive(c, "azp");
    if (azp && (!cJSON_IsString(azp) || strcmp(azp->valuestring, x->client_id) != 0))
        return IDT_AUDIENCE;
    if (naud > 1 && !azp)
        return IDT_AUDIENCE;
    int64_t exp, iat, nbf;
    if (!numeric_date(c, "exp", &exp) || !numeric_date(c, "iat", &iat))
        return IDT_CLAIMS;
    if (x->now >= exp + x->skew_s || iat + x->max_age_s + x->skew_s < x->now)
        return IDT_EXPIRED;
    if (iat > x->now + x->skew_s)
        return IDT_NOT_YET;
    if (cJSON_GetObjectItemCaseSensitive(c, "nbf")) {
        if (!numeric_date(c, "nbf", &nbf))
            return IDT_CLAIMS;
        if (nbf > x->now + x->skew_s)
            return IDT_NOT_YET;
    }
    const char *nonce = str_member(c, "nonce");
    if (!nonce || !x->nonce || strcmp(nonce, x->nonce) != 0)
        return IDT_NONCE;
    return IDT_OK;
}

enum idtoken_err idtoken_verify(const char *jwt, size_t jwt_len, const char *jwks, size_t jwks_len,
                                const struct idtoken_expect *x, cJSON **claims)
{
    *claims = NULL;
    if (!jwt || jwt_len == 0 || jwt_len > IDTOKEN_MAX_LEN || memchr(jwt, '\0', jwt_len))
        return IDT_MALFORMED;
    const char *dot1 = memchr(jwt, '.', jwt_len);
    const char *dot2 = dot1 ? memchr(dot1 + 1, '.', jwt_len - (size_t)(dot1 + 1 - jwt)) : NULL;
    if (!dot1 || !dot2 || memchr(dot2 + 1, '.', jwt_len - (size_t)(dot2 + 1 - jwt)))
        return IDT_MALFORMED; /* a JWE (five parts) or junk */
    cJSON *header = decode_part(jwt, (size_t)(dot1 - jwt));
    if (!header)
        return IDT_MALFORMED;
    const char *alg = str_member(header, "alg"), *kid = str_member(header, "kid");
    size_t a = PB_ARRAY_LEN(algs);
    for (size_t i = 0; alg && i < PB_ARRAY_LEN(algs); i++)
        if (strcmp(alg, algs[i].alg) == 0)
            a = i;
    /* an extension we cannot honour must not be ignored (RFC 7515, 4.1.11) */
    bool crit = cJSON_GetObjectItemCaseSensitive(header, "crit") != NULL;
    enum idtoken_err rc = IDT_OK;
    cJSON *set = NULL;
    cjose_jws_t *jws = NULL;
    if (a == PB_ARRAY_LEN(algs) || crit) {
        rc = IDT_ALG;
        goto out;
    }
    if (!jwks || jwks_len > IDTOKEN_JWKS_MAX_LEN || !(set = cJSON_ParseWithLength(jwks, jwks_len)) ||
        !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(set, "keys"))) {
        rc = IDT_JWKS;
        goto out;
    }
    cjose_err err;
    if (!b64url_ok(dot1 + 1, (size_t)(dot2 - dot1 - 1)) || !b64url_ok(dot2 + 1, jwt_len - (size_t)(dot2 + 1 - jwt))) {
        rc = IDT_MALFORMED;
        goto out;
    }
    jws = cjose_jws_import(jwt, jwt_len, &err);
    if (!jws) {
        rc = IDT_MALFORMED;
        goto out;
    }
    rc = IDT_NO_KEY;
    for (const cJSON *key = cJSON_GetObjectItemCaseSensitive(set, "keys")->child; key; key = key->next) {
        if (!cJSON_IsObject(key) || !key_fits(key, a, kid))
            continue;
        rc = IDT_SIGNATURE;
        cjose_jwk_t *jwk = key_import(key, a);
        bool ok = jwk && cjose_jws_verify(jws, jwk, &err);
        cjose_jwk_release(jwk);
        if (ok) {
            rc = IDT_OK;
            break;
        }
    }
    if (rc != IDT_OK)
        goto out;
    uint8_t *payload = NULL;
    size_t plen = 0;
    cJSON *c = NULL;
    if (!cjose_jws_get_plaintext(jws, &payload, &plen, &err) || !utf8_valid((const char *)payload, plen) ||
        !(c = cJSON_ParseWithLength((const char *)payload, plen)) || !cJSON_IsObject(c)) {
        cJSON_Delete(c);
        rc = IDT_MALFORMED;
        goto out;
    }
    rc = check_claims(c, x);
    if (rc == IDT_OK)
        *claims = c;
    else
        cJSON_Delete(c);
out:
    cjose_jws_release(jws);
    cJSON_Delete(set);
    cJSON_Delete(header);
    return rc;
}

const char *idtoken_claim_text(const cJSON *claims, const char *name, char buf[32])
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(claims, name);
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble == floor(v->valuedouble) &&
        fabs(v->valuedouble) < 9007199254740992.0) {
        snprintf(buf, 32, "%lld", (long long)v->valuedouble);
        return buf;
    }
    return NULL;
}

int idtoken_age_years(const char *birthdate, int64_t now)
{
    int y, m, d;
    char tail;
    if (!birthdate || strlen(birthdate) != 10 || sscanf(birthdate, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
        m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    int ny = tm.tm_year + 1900, nm = tm.tm_mon + 1, nd = tm.tm_mday;
    int age = ny - y - ((nm < m || (nm == m && nd < d)) ? 1 : 0);
    return age < 0 ? -1 : age;
}
