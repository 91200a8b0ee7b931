/*
 * credentials: the secrets that outbound calls need (SMTP passwords, SMS gateway keys,
 * OpenID Connect client secrets), by name. The database stores only the name
 * ("client_secret_ref": "mitid"); the value comes from the environment
 * (PB_CREDENTIAL_MITID: the name upper-cased, '-' as '_') or from a file of that name in
 * the credentials directory, read once at start-up (no file is read on the loop). A name
 * can only point into these two places, so staff who configure a provider cannot make the
 * server send another file, such as its own secret, to a host they choose.
 */
#ifndef PB_CREDENTIALS_H
#define PB_CREDENTIALS_H

#include <stdbool.h>

struct credentials;

/* Reads every file of dir (missing dir: none), before the fork. */
struct credentials *credentials_load(const char *dir);
void credentials_free(struct credentials *c);
/* True for a well-formed name: 1 to 64 of A-Z a-z 0-9 _ -. */
bool credential_name_valid(const char *name);
/* The value of name, or NULL when it is set nowhere. Valid until credentials_free. */
const char *credential_get(const struct credentials *c, const char *name);

#endif
