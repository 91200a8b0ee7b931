/*
 * app: what belongs to the running server as a whole rather than to one module.
 */
#include "core/app.h"
#include "lib/crypto.h"

#include <stdio.h>

void app_derive_key(const struct app *app, const char *purpose, unsigned char out[32])
{
    char label[96];
    int n = snprintf(label, sizeof label, "borgerbudget/%s", purpose);
    crypto_hmac_sha256(app->secret, sizeof app->secret, label, (size_t)n, out);
}
