/*
 * cache: a small in-process cache of public responses and ballot contexts, each kept for
 * a short time (one second by default). Public reads (an election, its proposals) and the
 * rules a ballot is checked against change rarely and never while voting is open, so a
 * second of staleness costs nothing and saves the database most of the election-day
 * reads. Writes that must see the truth (casting a ballot) still check the phase in
 * their own statement. Per process; not shared between servers (docs/SCALING.md).
 */
#ifndef PB_CACHE_H
#define PB_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct cache;

struct cache *cache_new(size_t slots);
void cache_free(struct cache *c);
/* The entry for key if younger than max_age_ms, else NULL. Valid until the next put. */
const char *cache_get(struct cache *c, const char *key, int64_t max_age_ms, size_t *len, const char **etag);
void cache_put(struct cache *c, const char *key, const char *data, size_t len);

#endif
