/*
 * oidc: what a relying party fetches from an OpenID provider, on the loop through fetch:
 * the discovery document (/.well-known/openid-configuration, OpenID Connect Discovery 1.0,
 * whose issuer must equal the configured one exactly) and the JWKS, each cached per process
 * for an hour; the JWKS is fetched again when a token names a key it does not hold (key
 * rotation), at most once per OIDC_JWKS_MIN_REFRESH_S (a stream of forged kids cannot make the
 * server hammer the provider). A stale copy is used while the
 * provider cannot be reached. Also the token request and the URL and form encoding they
 * need, through libcurl. The checks of the ID token itself are lib/idtoken's.
 *
 * An issuer and the endpoints it names must be https, except on this machine (tests).
 */
#ifndef PB_OIDC_H
#define PB_OIDC_H

#include "core/app.h"
#include "lib/util.h"

#include <stdbool.h>
#include <stdint.h>

#define OIDC_TIMEOUT_MS 10000
#define OIDC_JWKS_MIN_REFRESH_S 30

struct oidc_cache *oidc_cache_new(void);
void oidc_cache_free(struct oidc_cache *c);

/* A provider's endpoints. Valid during the callback only. */
struct oidc_endpoints {
    const char *issuer;
    const char *authorization_endpoint;
    const char *token_endpoint;
    const char *jwks_uri;
};

/* error is NULL on success, else what went wrong (for the operators' log). */
typedef void (*oidc_endpoints_fn)(void *ctx, const struct oidc_endpoints *ep, const char *error);
typedef void (*oidc_jwks_fn)(void *ctx, const char *jwks, const char *error);
typedef void (*oidc_token_fn)(void *ctx, long status, const char *body, const char *error);

/* The issuer's endpoints, from the cache or discovery. Called back later, never from
 * inside this call. */
void oidc_discover(struct app *app, const char *issuer, oidc_endpoints_fn done, void *ctx);
/* The issuer's JWKS (call after oidc_discover); refresh asks the provider again unless it
 * was asked within OIDC_JWKS_MIN_REFRESH_S. */
void oidc_jwks(struct app *app, const char *issuer, bool refresh, oidc_jwks_fn done, void *ctx);
/* POSTs form (application/x-www-form-urlencoded) to the token endpoint, with HTTP Basic
 * client authentication when secret is set (client_secret_basic). error is set when no
 * answer came. */
void oidc_token_request(struct app *app, const char *token_endpoint, const char *client_id, const char *secret,
                        const char *form, oidc_token_fn done, void *ctx);

/* Appends "&key=value" (the first without "&"), form-encoded. */
void oidc_form_add(struct buf *b, const char *key, const char *value);
/* The authorization request URL: endpoint with the form's parameters added to its query.
 * malloc'd, or NULL when the endpoint is not a URL. */
char *oidc_authorization_url(const char *endpoint, const char *form);
/* True for https URLs, and http ones on this machine. */
bool oidc_url_allowed(const char *url);

#endif
