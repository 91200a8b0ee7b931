/*
 * jsonv: strict reading of request JSON (cJSON trees) into C values. Every getter
 * validates type and range and fills a struct verr naming the field on failure. Pure.
 *
 * Getters return 1 when the key is present and valid, 0 when it is absent (or JSON null),
 * and -1 when it is present but invalid (e is filled).
 */
#ifndef PB_JSONV_H
#define PB_JSONV_H

#include "lib/errors.h"
#include "lib/util.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

/* Largest integer a JSON number carries exactly through a double. */
#define JV_MAX_SAFE_INT 9007199254740991LL

/* Checks a whole parsed body: nesting depth, duplicate keys in any object, valid UTF-8 in
 * every key and string. cJSON itself accepts all three. */
bool jv_check_tree(const cJSON *root, int max_depth, struct verr *e) PB_WUR;

/* Fails with unknown_field naming the first key of obj not in the NULL-terminated list. */
bool jv_only_keys(const cJSON *obj, const char *const *allowed, const char *prefix,
                  struct verr *e) PB_WUR;

/* A JSON number that is an exact integer within [min, max]. */
bool jv_number_to_int64(const cJSON *item, int64_t min, int64_t max, int64_t *out);
int jv_int(const cJSON *obj, const char *key, int64_t min, int64_t max, int64_t *out,
           struct verr *e) PB_WUR;
/* An id: a positive integer, as a JSON number or a string of digits. */
int jv_id(const cJSON *obj, const char *key, int64_t *out, struct verr *e) PB_WUR;
bool jv_item_id(const cJSON *item, int64_t *out);
/* A non-empty string of at most maxlen bytes; *out points into the tree. */
int jv_string(const cJSON *obj, const char *key, size_t maxlen, const char **out,
              struct verr *e) PB_WUR;
int jv_bool(const cJSON *obj, const char *key, bool *out, struct verr *e) PB_WUR;
/* A number between 0 and 1 inclusive (shares such as min_spend_share). */
int jv_share(const cJSON *obj, const char *key, double *out, struct verr *e) PB_WUR;
/* One of the NULL-terminated choices; *idx is its position. */
int jv_enum(const cJSON *obj, const char *key, const char *const *choices, int *idx,
            struct verr *e) PB_WUR;

/* Adds an int64 as a JSON number (exact up to 2^53, which covers every amount we store). */
cJSON *jv_add_int(cJSON *obj, const char *key, int64_t v);

#endif
