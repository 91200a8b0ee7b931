/*
 * errors: the one table of API errors. Each has an HTTP status, a stable snake_case code
 * that clients may rely on, and a default human message. Pure: shared by validators,
 * handlers and tools.
 */
#ifndef PB_ERRORS_H
#define PB_ERRORS_H

#define PB_ERRORS(X)                                                                           \
    X(ERR_INVALID_JSON, 400, "invalid_json", "The request body is not valid JSON.")            \
    X(ERR_BAD_REQUEST, 400, "bad_request", "The request is malformed.")                        \
    X(ERR_UNAUTHORIZED, 401, "unauthorized", "Authentication is required.")                    \
    X(ERR_INVALID_CREDENTIALS, 401, "invalid_credentials", "E-mail or password is wrong.")     \
    X(ERR_INVALID_CODE, 401, "invalid_code", "The voting code is not valid for this election.") \
    X(ERR_TOTP_REQUIRED, 401, "totp_required",                                                 \
      "Give the 6-digit code from your authenticator app as \"totp\".")                          \
    X(ERR_OIDC_CANCELLED, 401, "oidc_cancelled", "The sign-in at the identity provider was cancelled.") \
    X(ERR_OIDC_STATE, 401, "oidc_state_invalid",                                               \
      "This sign-in has expired, was used already or began in another browser; start again.")  \
    X(ERR_OIDC_TOKEN, 401, "oidc_token_invalid",                                               \
      "The identity provider's answer could not be verified; start again.")                    \
    X(ERR_FORBIDDEN, 403, "forbidden", "You are not allowed to do this.")                      \
    X(ERR_OIDC_NOT_ELIGIBLE, 403, "oidc_not_eligible",                                         \
      "You are not among the people who may take part in this election.")                     \
    X(ERR_CSRF, 403, "csrf_token_invalid", "The X-CSRF-Token header is missing or wrong.")     \
    X(ERR_NOT_FOUND, 404, "not_found", "No such resource.")                                    \
    X(ERR_OIDC_NOT_CONFIGURED, 404, "oidc_not_configured",                                     \
      "Sign-in through an identity provider is not set up here.")                             \
    X(ERR_METHOD, 405, "method_not_allowed", "This method is not allowed on this resource.")   \
    X(ERR_CONFLICT, 409, "conflict", "The request conflicts with the current state.")          \
    X(ERR_WRONG_PHASE, 409, "wrong_phase", "The election is not in a phase that allows this.") \
    X(ERR_NOT_TALLIED, 409, "not_tallied", "The election has not been counted yet.")           \
    X(ERR_IDEMPOTENCY_CONFLICT, 409, "idempotency_conflict",                                   \
      "This Idempotency-Key was used with a different request.")                              \
    X(ERR_PAPER_BALLOT, 409, "paper_ballot_exists",                                            \
      "A paper ballot has been recorded for this voter; it takes precedence.")                 \
    X(ERR_DISTRICT_CHOSEN, 409, "district_already_chosen",                                     \
      "A district of this group has already been chosen; the choice is final.")              \
    X(ERR_TOO_MANY_PHOTOS, 409, "too_many_photos", "A proposal has at most 3 photos.")           \
    X(ERR_TOO_LARGE, 413, "payload_too_large", "The request body or headers are too large.")   \
    X(ERR_EXPECTATION, 417, "expectation_failed", "Only \"Expect: 100-continue\" is supported.") \
    X(ERR_UNSUPPORTED_MEDIA, 415, "unsupported_media_type", "Send application/json.")          \
    X(ERR_INVALID_FIELD, 422, "invalid_field", "A field is missing or out of range.")          \
    X(ERR_UNKNOWN_FIELD, 422, "unknown_field", "The request has a field this route does not accept.") \
    X(ERR_INVALID_IMAGE, 422, "invalid_image", "The file is not a JPEG, PNG or WebP picture.")  \
    X(ERR_IMAGE_DIMENSIONS, 422, "image_dimensions", "The picture has too many pixels.")         \
    X(ERR_IMAGE_UNDECODABLE, 422, "image_undecodable",                                         \
      "The picture cannot be read: it is damaged, cut short or of an unusual kind.")         \
    X(ERR_BALLOT_RULE, 422, "ballot_rule", "The ballot breaks a rule of this election.")       \
    X(ERR_SUPPORT_LIMIT, 422, "support_limit",                                                 \
      "All of your supports are in use; withdraw one to support another proposal.")           \
    X(ERR_RATE_LIMITED, 429, "rate_limited", "Too many attempts; try again later.")            \
    X(ERR_INTERNAL, 500, "internal_error", "Something went wrong on the server.")              \
    X(ERR_NOT_IMPLEMENTED, 501, "not_implemented", "The server does not support this request.") \
    X(ERR_UNAVAILABLE, 503, "unavailable", "The service is temporarily unavailable; retry.")  \
    X(ERR_OIDC_UNAVAILABLE, 503, "oidc_unavailable",                                           \
      "The identity provider cannot be reached or answered wrongly; try again in a few minutes.")

enum pb_err {
    ERR_NONE = 0,
#define PB_ERR_ENUM(name, status, code, msg) name,
    PB_ERRORS(PB_ERR_ENUM)
#undef PB_ERR_ENUM
    ERR_COUNT
};

int err_status(enum pb_err e);
const char *err_code(enum pb_err e);
const char *err_message(enum pb_err e);

/* A validation failure: which error, which field (may be empty), and a message. code
 * overrides the table's code where a more precise stable code exists (ballot rules). */
struct verr {
    enum pb_err err;
    char code[48];
    char field[96];
    char message[256];
};
void verr_set(struct verr *e, enum pb_err err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
