/* libFuzzer target: ID tokens and key sets as a provider (or an attacker posing as one)
 * sends them, through lib/idtoken (our code around libcjose). The input is a token, a
 * newline, and a JWKS. Nothing may crash or leak, and no input may pass: a token needs a
 * signature by a key of the set, which random bytes do not make, and the fuzzer's set
 * holds no private key that could sign one (a signature the fuzzer does find would have
 * to come with claims for this issuer, client and nonce, which abort() reports). */
#include "lib/idtoken.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t tlen = nl ? (size_t)(nl - data) : size;
    const char *jwks = nl ? (const char *)nl + 1 : "{\"keys\":[]}";
    size_t jlen = nl ? size - tlen - 1 : strlen(jwks);
    struct idtoken_expect x = {.issuer = "https://op.example", .client_id = "client", .nonce = "n",
                               .now = 1800000000, .skew_s = 60, .max_age_s = 600};
    cJSON *claims = NULL;
    enum idtoken_err rc = idtoken_verify((const char *)data, tlen, jwks, jlen, &x, &claims);
    if (rc == IDT_OK) {
        /* a forged token passed every check: a signature from nothing */
        abort();
    }
    if (claims)
        abort(); /* claims are only handed out with IDT_OK */
    char buf[32];
    cJSON *c = cJSON_ParseWithLength((const char *)data, size);
    (void)idtoken_claim_text(c, "sub", buf);
    cJSON_Delete(c);
    char date[16];
    size_t n = size < sizeof date - 1 ? size : sizeof date - 1;
    memcpy(date, data, n);
    date[n] = '\0';
    (void)idtoken_age_years(date, 1800000000);
    return 0;
}
