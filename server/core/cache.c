/*
 * cache: a fixed-size table of (key, bytes, ETag, time), replaced by hash slot.
 */
#include "core/cache.h"
#include "lib/crypto.h"
#include "lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cache_bytes {
    unsigned refs;
    size_t len;
    char data[]; /* len bytes and a NUL */
};

struct entry {
    char *key;
    struct cache_bytes *bytes, *variant;
    char etag[24], variant_etag[24];
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

void cache_bytes_release(struct cache_bytes *b)
{
    if (b && --b->refs == 0)
        free(b);
}

static void entry_clear(struct entry *e)
{
    free(e->key);
    cache_bytes_release(e->bytes);
    cache_bytes_release(e->variant);
    e->key = NULL;
    e->bytes = NULL;
    e->variant = NULL;
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
    cache_clear(c);
    free(c->slots);
    free(c);
}

static struct entry *fresh(struct cache *c, const char *key, int64_t max_age_ms)
{
    struct entry *e = &c->slots[slot_of(c, key)];
    if (!e->key || strcmp(e->key, key) != 0 || now_ms() - e->at_ms > max_age_ms)
        return NULL;
    return e;
}

const char *cache_get(struct cache *c, const char *key, int64_t max_age_ms, size_t *len, const char **etag)
{
    struct entry *e = fresh(c, key, max_age_ms);
    if (!e)
        return NULL;
    *len = e->bytes->len;
    if (etag)
        *etag = e->etag;
    return e->bytes->data;
}

struct cache_bytes *cache_hold(struct cache *c, const char *key, int64_t max_age_ms, bool variant, const char **data,
                               size_t *len, const char **etag)
{
    struct entry *e = fresh(c, key, max_age_ms);
    struct cache_bytes *b = e ? (variant ? e->variant : e->bytes) : NULL;
    if (!b)
        return NULL;
    b->refs++;
    *data = b->data;
    *len = b->len;
    if (etag)
        *etag = variant ? e->variant_etag : e->etag;
    return b;
}

static struct cache_bytes *bytes_new(const char *data, size_t len, char etag[24])
{
    struct cache_bytes *b = xmalloc(sizeof *b + len + 1);
    b->refs = 1;
    b->len = len;
    memcpy(b->data, data, len);
    b->data[len] = '\0';
    unsigned char h[CRYPTO_SHA256_LEN];
    char hex[65];
    crypto_sha256(data, len, h);
    crypto_hex(h, sizeof h, hex);
    snprintf(etag, 24, "\"%.16s\"", hex);
    return b;
}

const char *cache_put(struct cache *c, const char *key, const char *data, size_t len)
{
    struct entry *e = &c->slots[slot_of(c, key)];
    entry_clear(e);
    e->key = xstrdup(key);
    e->bytes = bytes_new(data, len, e->etag);
    e->at_ms = now_ms();
    return e->etag;
}

void cache_put_variant(struct cache *c, const char *key, const char *data, size_t len)
{
    struct entry *e = &c->slots[slot_of(c, key)];
    if (!e->key || strcmp(e->key, key) != 0)
        return;
    cache_bytes_release(e->variant);
    e->variant = bytes_new(data, len, e->variant_etag);
}

void cache_clear(struct cache *c)
{
    for (size_t i = 0; i < c->n; i++)
        entry_clear(&c->slots[i]);
}
