/* ID tokens as a provider signs them (keys made and tokens signed with libcjose here), and
 * the forgeries a relying party must refuse: alg none, HMAC with the public key (alg
 * confusion), a key of another type, an unknown kid, a changed payload, wrong iss, aud,
 * azp and nonce, expired and future tokens. */
#include "lib/idtoken.h"
#include "unit.h"

#include <cjose/base64.h>
#include <cjose/header.h>
#include <cjose/jwk.h>
#include <cjose/jws.h>
#include <cjose/util.h>

#include <stdlib.h>
#include <string.h>

#define NOW 1800000000

static cjose_jwk_t *rsa, *ec, *rsa_other;

static char *sign_with(cjose_jwk_t *key, const char *alg, const char *kid, const char *payload)
{
    cjose_err err;
    cjose_header_t *h = cjose_header_new(&err);
    cjose_header_set(h, CJOSE_HDR_ALG, alg, &err);
    if (kid)
        cjose_header_set(h, CJOSE_HDR_KID, kid, &err);
    cjose_jws_t *jws = cjose_jws_sign(key, h, (const uint8_t *)payload, strlen(payload), &err);
    const char *ser = NULL;
    char *out = jws && cjose_jws_export(jws, &ser, &err) ? strdup(ser) : NULL;
    cjose_jws_release(jws);
    cjose_header_release(h);
    return out;
}

/* A token with a hand-made header and no valid signature (alg none, HS256). */
static char *unsigned_token(const char *header, const char *payload, const char *sig)
{
    cjose_err err;
    char *h = NULL, *p = NULL;
    size_t hl, pl;
    cjose_base64url_encode((const uint8_t *)header, strlen(header), &h, &hl, &err);
    cjose_base64url_encode((const uint8_t *)payload, strlen(payload), &p, &pl, &err);
    size_t n = hl + pl + strlen(sig) + 3;
    char *out = malloc(n);
    snprintf(out, n, "%s.%s.%s", h, p, sig);
    cjose_get_dealloc()(h);
    cjose_get_dealloc()(p);
    return out;
}

static char *claims_json(const char *iss, const char *aud, const char *nonce, long long iat, long long exp,
                         const char *extra)
{
    char *out = malloc(1024);
    snprintf(out, 1024,
             "{\"iss\":\"%s\",\"sub\":\"user-1\",\"aud\":%s,\"nonce\":\"%s\",\"iat\":%lld,\"exp\":%lld%s%s}", iss,
             aud, nonce, iat, exp, extra ? "," : "", extra ? extra : "");
    return out;
}

static char *jwks_of(cjose_jwk_t *const *keys, int n)
{
    char *out = malloc(16384);
    strcpy(out, "{\"keys\":[");
    cjose_err err;
    for (int i = 0; i < n; i++) {
        char *j = cjose_jwk_to_json(keys[i], false, &err);
        strcat(out, i ? "," : "");
        strcat(out, j);
        cjose_get_dealloc()(j);
    }
    strcat(out, "]}");
    return out;
}

static enum idtoken_err verify(const char *jwt, const char *jwks, const char *nonce)
{
    struct idtoken_expect x = {.issuer = "https://op.example", .client_id = "client-1", .nonce = nonce,
                               .now = NOW, .skew_s = 60, .max_age_s = 600};
    cJSON *claims = NULL;
    enum idtoken_err rc = idtoken_verify(jwt, jwt ? strlen(jwt) : 0, jwks, strlen(jwks), &x, &claims);
    if (rc == IDT_OK) {
        char buf[32];
        CHECK(claims && strcmp(idtoken_claim_text(claims, "sub", buf), "user-1") == 0);
    } else {
        CHECK(claims == NULL);
    }
    cJSON_Delete(claims);
    return rc;
}

static void check_token(cjose_jwk_t *key, const char *alg, const char *kid, const char *payload, const char *jwks,
                        enum idtoken_err want)
{
    char *jwt = sign_with(key, alg, kid, payload);
    CHECK(jwt != NULL);
    enum idtoken_err got = verify(jwt, jwks, "n-1");
    if (got != want)
        fprintf(stderr, "  %s %s: got %s, want %s\n", alg, payload, idtoken_err_name(got), idtoken_err_name(want));
    CHECK(got == want);
    free(jwt);
}

void test_idtoken(void)
{
    cjose_err err;
    static const uint8_t e[] = {1, 0, 1};
    rsa = cjose_jwk_create_RSA_random(2048, e, sizeof e, &err);
    rsa_other = cjose_jwk_create_RSA_random(2048, e, sizeof e, &err);
    ec = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &err);
    CHECK(rsa && ec && rsa_other);
    cjose_jwk_set_kid(rsa, "r1", 2, &err);
    cjose_jwk_set_kid(ec, "e1", 2, &err);
    cjose_jwk_set_kid(rsa_other, "r2", 2, &err);
    cjose_jwk_t *both[] = {rsa, ec};
    char *jwks = jwks_of(both, 2);
    char *good = claims_json("https://op.example", "\"client-1\"", "n-1", NOW - 5, NOW + 300, NULL);

    /* the three algorithms a provider may use */
    check_token(rsa, "RS256", "r1", good, jwks, IDT_OK);
    check_token(rsa, "PS256", "r1", good, jwks, IDT_OK);
    check_token(ec, "ES256", "e1", good, jwks, IDT_OK);
    check_token(rsa, "RS256", NULL, good, jwks, IDT_OK); /* no kid: every fitting key is tried */

    /* a key that is not in the set: refresh the set once, then refuse */
    check_token(rsa_other, "RS256", "r2", good, jwks, IDT_NO_KEY);
    /* the kid of a key in the set, signed with another key */
    check_token(rsa_other, "RS256", "r1", good, jwks, IDT_SIGNATURE);
    /* an algorithm the key cannot have made: ES256 named with the RSA key's kid */
    check_token(ec, "ES256", "r1", good, jwks, IDT_NO_KEY);
    /* algorithms we never accept */
    check_token(rsa, "RS384", "r1", good, jwks, IDT_ALG);
    check_token(rsa, "RS512", "r1", good, jwks, IDT_ALG);

    char *t = unsigned_token("{\"alg\":\"none\"}", good, "");
    CHECK(verify(t, jwks, "n-1") == IDT_ALG);
    free(t);
    t = unsigned_token("{\"alg\":\"NONE\",\"kid\":\"r1\"}", good, "");
    CHECK(verify(t, jwks, "n-1") == IDT_ALG);
    free(t);
    /* alg confusion: an HMAC "signed" with the provider's public key as the secret */
    t = unsigned_token("{\"alg\":\"HS256\",\"kid\":\"r1\"}", good, "c2lnbmF0dXJl");
    CHECK(verify(t, jwks, "n-1") == IDT_ALG);
    free(t);
    t = unsigned_token("{\"alg\":\"RS256\",\"kid\":\"r1\",\"crit\":[\"exp\"]}", good, "c2ln");
    CHECK(verify(t, jwks, "n-1") == IDT_ALG);
    free(t);
    /* a payload changed after signing */
    char *jwt = sign_with(rsa, "RS256", "r1", good);
    char *other = claims_json("https://op.example", "\"client-1\"", "n-1", NOW - 5, NOW + 300, "\"admin\":true");
    char *forged = unsigned_token("{\"alg\":\"RS256\",\"kid\":\"r1\"}", other, strrchr(jwt, '.') + 1);
    CHECK(verify(forged, jwks, "n-1") == IDT_SIGNATURE);
    free(forged);
    free(other);
    /* the right token, the wrong nonce (a replay into another sign-in) */
    CHECK(verify(jwt, jwks, "n-2") == IDT_NONCE);
    free(jwt);

    struct {
        const char *iss, *aud, *nonce;
        long long iat, exp;
        const char *extra;
        enum idtoken_err want;
    } cases[] = {
        {"https://evil.example", "\"client-1\"", "n-1", NOW, NOW + 300, NULL, IDT_ISSUER},
        {"https://op.example/", "\"client-1\"", "n-1", NOW, NOW + 300, NULL, IDT_ISSUER},
        {"https://op.example", "\"client-2\"", "n-1", NOW, NOW + 300, NULL, IDT_AUDIENCE},
        {"https://op.example", "[\"client-2\",\"client-1\"]", "n-1", NOW, NOW + 300, NULL, IDT_AUDIENCE},
        {"https://op.example", "[\"client-2\",\"client-1\"]", "n-1", NOW, NOW + 300, "\"azp\":\"client-1\"", IDT_OK},
        {"https://op.example", "\"client-1\"", "n-1", NOW, NOW + 300, "\"azp\":\"client-2\"", IDT_AUDIENCE},
        {"https://op.example", "[\"client-1\"]", "n-1", NOW, NOW + 300, NULL, IDT_OK},
        {"https://op.example", "\"client-1\"", "n-1", NOW - 400, NOW - 61, NULL, IDT_EXPIRED},
        {"https://op.example", "\"client-1\"", "n-1", NOW - 400, NOW - 30, NULL, IDT_OK}, /* within skew */
        {"https://op.example", "\"client-1\"", "n-1", NOW - 3600, NOW + 300, NULL, IDT_EXPIRED}, /* iat too old */
        {"https://op.example", "\"client-1\"", "n-1", NOW + 120, NOW + 600, NULL, IDT_NOT_YET},
        {"https://op.example", "\"client-1\"", "n-1", NOW, NOW + 300, "\"nbf\":1800000500", IDT_NOT_YET},
        {"https://op.example", "\"client-1\"", "n-9", NOW, NOW + 300, NULL, IDT_NONCE},
        {"https://op.example", "17", "n-1", NOW, NOW + 300, NULL, IDT_AUDIENCE},
    };
    for (size_t i = 0; i < PB_ARRAY_LEN(cases); i++) {
        char *p = claims_json(cases[i].iss, cases[i].aud, cases[i].nonce, cases[i].iat, cases[i].exp, cases[i].extra);
        check_token(rsa, "RS256", "r1", p, jwks, cases[i].want);
        free(p);
    }
    check_token(rsa, "RS256", "r1", "{\"iss\":\"https://op.example\",\"aud\":\"client-1\",\"nonce\":\"n-1\"}", jwks,
                IDT_CLAIMS);
    check_token(rsa, "RS256", "r1", "[1,2]", jwks, IDT_MALFORMED);

    /* garbage in every place */
    CHECK(verify("", jwks, "n-1") == IDT_MALFORMED);
    CHECK(verify("a.b", jwks, "n-1") == IDT_MALFORMED);
    CHECK(verify("a.b.c.d.e", jwks, "n-1") == IDT_MALFORMED);
    CHECK(verify("!!!.???.###", jwks, "n-1") == IDT_MALFORMED);
    /* found by make fuzz: '=' inside a part makes libcjose's decoder abort the process */
    CHECK(verify("eyJibGciOiJub25lInGci=OiJubnIl5320.MfQ.c2ln", jwks, "n-1") == IDT_MALFORMED);
    CHECK(verify("eyJhbGciOiJSUzI1NiJ9.e=yJ9.c2ln", jwks, "n-1") == IDT_MALFORMED);
    CHECK(verify("eyJhbGciOiJSUzI1NiJ9.eyJ9.c2=ln", jwks, "n-1") == IDT_MALFORMED);
    jwt = sign_with(rsa, "RS256", "r1", good);
    CHECK(verify(jwt, "{}", "n-1") == IDT_JWKS);
    CHECK(verify(jwt, "not json", "n-1") == IDT_JWKS);
    CHECK(verify(jwt, "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"r1\",\"n\":\"AQAB\"}]}", "n-1") == IDT_SIGNATURE);
    CHECK(verify(jwt, "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"r1\",\"k\":\"c2VjcmV0\"}]}", "n-1") == IDT_NO_KEY);
    CHECK(verify(jwt, "{\"keys\":[1,\"x\",null]}", "n-1") == IDT_NO_KEY);
    CHECK(verify(jwt, "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"r1\",\"n\":\"AQ=AB\",\"e\":\"AQAB\"}]}", "n-1") ==
          IDT_SIGNATURE);
    free(jwt);

    /* claims as text, and ages */
    cJSON *c = cJSON_Parse("{\"cpr\":\"0101901234\",\"n\":123456,\"f\":1.5,\"o\":{}}");
    char buf[32];
    CHECK(strcmp(idtoken_claim_text(c, "cpr", buf), "0101901234") == 0);
    CHECK(strcmp(idtoken_claim_text(c, "n", buf), "123456") == 0);
    CHECK(idtoken_claim_text(c, "f", buf) == NULL && idtoken_claim_text(c, "o", buf) == NULL &&
          idtoken_claim_text(c, "x", buf) == NULL);
    cJSON_Delete(c);
    /* NOW is 2027-01-15 */
    CHECK(idtoken_age_years("2009-01-15", NOW) == 18);
    CHECK(idtoken_age_years("2009-01-16", NOW) == 17);
    CHECK(idtoken_age_years("2030-01-01", NOW) == -1);
    CHECK(idtoken_age_years("2009-13-01", NOW) == -1 && idtoken_age_years("2009-01-1", NOW) == -1);

    free(good);
    free(jwks);
    cjose_jwk_release(rsa);
    cjose_jwk_release(ec);
    cjose_jwk_release(rsa_other);
}
