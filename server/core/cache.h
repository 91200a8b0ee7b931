/*
 * cache: a small in-process cache of public responses and ballot contexts, each kept for
 * a short time. Public reads (an election, its proposals) and the rules a ballot is
 * checked against change rarely and never while voting is open. Every staff change
 * notifies pb_changed (in audit_append), which clears the cache of every process at once;
 * the age limit (5 s for public reads, 1 s for ballot rules) only covers phases moved by
 * the clock. Writes that must see the truth (casting a ballot) still check the phase in
 * their own statement.
 */
#ifndef PB_CACHE_H
#define PB_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cache;
/* Cached bytes with a reference count: a reply can send them without a copy while the
 * cache replaces or clears the entry. */
struct cache_bytes;

struct cache *cache_new(size_t slots);
void cache_free(struct cache *c);
/* The entry for key if younger than max_age_ms, else NULL. Valid until the next put. */
const char *cache_get(struct cache *c, const char *key, int64_t max_age_ms, size_t *len, const char **etag);
/* Like cache_get, but the caller holds a reference until cache_bytes_release. With
 * variant, the entry's second form (such as its gzip encoding), if one was attached. */
struct cache_bytes *cache_hold(struct cache *c, const char *key, int64_t max_age_ms, bool variant, const char **data,
                               size_t *len, const char **etag);
/* Attaches a second form of the entry under key (same age, cleared with it). */
void cache_put_variant(struct cache *c, const char *key, const char *data, size_t len);
void cache_bytes_release(struct cache_bytes *b);
/* Stores a copy of data; returns its ETag (valid until the next put). */
const char *cache_put(struct cache *c, const char *key, const char *data, size_t len);
/* Forgets everything (data changed somewhere: NOTIFY pb_changed). */
void cache_clear(struct cache *c);

#endif
