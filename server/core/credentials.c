/*
 * credentials: environment first, then the files read at start-up. Values are wiped when
 * freed.
 */
#include "core/credentials.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "lib/util.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CREDENTIAL_LEN 4096

struct credential {
    char *name;
    char *value;
};

struct credentials {
    struct credential *items;
    size_t n;
};

bool credential_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 64)
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return false;
    return true;
}

struct credentials *credentials_load(const char *dir)
{
    struct credentials *c = xcalloc(1, sizeof *c);
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d)
        return c;
    for (struct dirent *e; (e = readdir(d));) {
        if (!credential_name_valid(e->d_name))
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        size_t len = 0;
        char *v = read_file(path, &len);
        free(path);
        if (!v)
            continue;
        if (len > MAX_CREDENTIAL_LEN) {
            log_warn("credential file too large; ignored name=%s", e->d_name);
            crypto_wipe(v, len);
            free(v);
            continue;
        }
        while (len && (v[len - 1] == '\n' || v[len - 1] == '\r'))
            v[--len] = '\0';
        c->items = xreallocarray(c->items, c->n + 1, sizeof *c->items);
        c->items[c->n++] = (struct credential){xstrdup(e->d_name), v};
    }
    closedir(d);
    log_info("credentials loaded dir=%s count=%zu", dir, c->n);
    return c;
}

void credentials_free(struct credentials *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        crypto_wipe(c->items[i].value, strlen(c->items[i].value));
        free(c->items[i].value);
        free(c->items[i].name);
    }
    free(c->items);
    free(c);
}

const char *credential_get(const struct credentials *c, const char *name)
{
    if (!credential_name_valid(name))
        return NULL;
    char env[80] = "PB_CREDENTIAL_";
    size_t n = strlen(env);
    for (const char *p = name; *p; p++)
        env[n++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    env[n] = '\0';
    const char *v = getenv(env);
    if (v && *v)
        return v;
    for (size_t i = 0; c && i < c->n; i++)
        if (strcmp(c->items[i].name, name) == 0)
            return c->items[i].value;
    return NULL;
}
