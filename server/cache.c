/*
 * cache: a fixed-size table of (key, bytes, ETag, time), replaced by hash slot.
 */
#include "cache.h"
#include "crypto.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct entry {
    char *key;
    char *data;
    size_t len;
    char etag[24];
    int64_t at_ms;
};

struct cache {
    struct entry *slots;
    size_t n;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t slot_of(const struct cache *c, const char *key)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a: spreading keys, not security */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return (size_t)(h % c->n);
}

struct cache *cache_new(size_t slots)
{
    struct cache *c = xcalloc(1, sizeof *c);
    c->n = slots;
    c->slots = xcalloc(slots, sizeof *c->slots);
    return c;
}

void cache_free(struct cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->slots[i].key);
        free(c->slots[i].data);
    }
    free(c->slots);
    free(c);
}

const char *cache_get(struct cache *c, const char *key, int64_t max_age_ms, size_t *len, const char **etag)
{
    struct entry *e = &c->slots[slot_of(c, key)];
    if (!e->key || strcmp(e->key, key) != 0 || now_ms() - e->at_ms > max_age_ms)
        return NULL;
    *len = e->len;
    if (etag)
        *etag = e->etag;
    return e->data;
}

const char *cache_put(struct cache *c, const char *key, const char *data, size_t len)
{
    struct entry *e = &c->slots[slot_of(c, key)];
    free(e->key);
    free(e->data);
    e->key = xstrdup(key);
    e->data = xmalloc(len + 1);
    memcpy(e->data, data, len);
    e->data[len] = '\0';
    e->len = len;
    e->at_ms = now_ms();
    unsigned char h[CRYPTO_SHA256_LEN];
    char hex[65];
    crypto_sha256(data, len, h);
    crypto_hex(h, sizeof h, hex);
    snprintf(e->etag, sizeof e->etag, "\"%.16s\"", hex);
    return e->etag;
}

void cache_clear(struct cache *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->slots[i].key);
        free(c->slots[i].data);
        c->slots[i].key = NULL;
        c->slots[i].data = NULL;
    }
}
