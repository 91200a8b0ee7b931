/*
 * jsonv: validation of untrusted JSON. cJSON's valueint saturates, so numbers are taken
 * from valuedouble and accepted only when integral and within 2^53.
 */
#include "lib/jsonv.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static bool check_tree(const cJSON *item, int depth, int max_depth, struct verr *e)
{
    if (depth > max_depth) {
        verr_set(e, ERR_INVALID_JSON, "", "JSON nesting is deeper than %d levels.", max_depth);
        return false;
    }
    if (cJSON_IsString(item) && !utf8_valid(item->valuestring, strlen(item->valuestring))) {
        verr_set(e, ERR_INVALID_JSON, item->string ? item->string : "",
                 "A string is not valid UTF-8.");
        return false;
    }
    if (cJSON_IsNumber(item) && !isfinite(item->valuedouble)) {
        verr_set(e, ERR_INVALID_FIELD, item->string ? item->string : "",
                 "A number is out of range.");
        return false;
    }
    bool is_object = cJSON_IsObject(item);
    for (const cJSON *c = item->child; c; c = c->next) {
        if (is_object) {
            if (!c->string || !utf8_valid(c->string, strlen(c->string))) {
                verr_set(e, ERR_INVALID_JSON, "", "An object key is not valid UTF-8.");
                return false;
            }
            for (const cJSON *d = c->next; d; d = d->next) {
                if (d->string && strcmp(c->string, d->string) == 0) {
                    verr_set(e, ERR_INVALID_JSON, c->string, "Duplicate key \"%.64s\".",
                             c->string);
                    return false;
                }
            }
        }
        if (!check_tree(c, depth + 1, max_depth, e))
            return false;
    }
    return true;
}

bool jv_check_tree(const cJSON *root, int max_depth, struct verr *e)
{
    return check_tree(root, 1, max_depth, e);
}

bool jv_only_keys(const cJSON *obj, const char *const *allowed, const char *prefix,
                  struct verr *e)
{
    if (!cJSON_IsObject(obj)) {
        verr_set(e, ERR_INVALID_FIELD, prefix ? prefix : "", "Expected a JSON object.");
        return false;
    }
    for (const cJSON *c = obj->child; c; c = c->next) {
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++) {
            if (strcmp(c->string, allowed[i]) == 0) {
                ok = true;
                break;
            }
        }
        if (!ok) {
            char field[96];
            snprintf(field, sizeof field, "%s%s%.60s", prefix ? prefix : "",
                     prefix && *prefix ? "." : "", c->string);
            verr_set(e, ERR_UNKNOWN_FIELD, field, "Unknown field \"%s\".", field);
            return false;
        }
    }
    return true;
}

bool jv_number_to_int64(const cJSON *item, int64_t min, int64_t max, int64_t *out)
{
    if (!cJSON_IsNumber(item))
        return false;
    double d = item->valuedouble;
    if (!isfinite(d) || d != floor(d) || d > (double)JV_MAX_SAFE_INT ||
        d < -(double)JV_MAX_SAFE_INT)
        return false;
    int64_t v = (int64_t)d;
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

static const cJSON *get(const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    return item && !cJSON_IsNull(item) ? item : NULL;
}

int jv_int(const cJSON *obj, const char *key, int64_t min, int64_t max, int64_t *out,
           struct verr *e)
{
    const cJSON *item = get(obj, key);
    if (!item)
        return 0;
    if (!jv_number_to_int64(item, min, max, out)) {
        verr_set(e, ERR_INVALID_FIELD, key, "\"%s\" must be a whole number from %lld to %lld.",
                 key, (long long)min, (long long)max);
        return -1;
    }
    return 1;
}

bool jv_item_id(const cJSON *item, int64_t *out)
{
    if (cJSON_IsString(item)) {
        const char *s = item->valuestring;
        if (!*s || strlen(s) > 18)
            return false;
        for (const char *p = s; *p; p++)
            if (*p < '0' || *p > '9')
                return false;
        if (!parse_int64(s, out))
            return false;
        return *out > 0;
    }
    return jv_number_to_int64(item, 1, JV_MAX_SAFE_INT, out);
}

int jv_id(const cJSON *obj, const char *key, int64_t *out, struct verr *e)
{
    const cJSON *item = get(obj, key);
    if (!item)
        return 0;
    if (!jv_item_id(item, out)) {
        verr_set(e, ERR_INVALID_FIELD, key, "\"%s\" must be an id.", key);
        return -1;
    }
    return 1;
}

int jv_string(const cJSON *obj, const char *key, size_t maxlen, const char **out,
              struct verr *e)
{
    const cJSON *item = get(obj, key);
    if (!item)
        return 0;
    if (!cJSON_IsString(item) || !item->valuestring[0] || strlen(item->valuestring) > maxlen) {
        verr_set(e, ERR_INVALID_FIELD, key, "\"%s\" must be a non-empty text of at most %zu bytes.",
                 key, maxlen);
        return -1;
    }
    *out = item->valuestring;
    return 1;
}

int jv_bool(const cJSON *obj, const char *key, bool *out, struct verr *e)
{
    const cJSON *item = get(obj, key);
    if (!item)
        return 0;
    if (!cJSON_IsBool(item)) {
        verr_set(e, ERR_INVALID_FIELD, key, "\"%s\" must be true or false.", key);
        return -1;
    }
    *out = cJSON_IsTrue(item);
    return 1;
}

int jv_share(const cJSON *obj, const char *key, double *out, struct verr *e)
{
    const cJSON *item = get(obj, key);
    if (!item)
        return 0;
    if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble) || item->valuedouble < 0 ||
        item->valuedouble > 1) {
        verr_set(e, ERR_INVALID_FIELD, key, "\"%s\" must be a number from 0 to 1.", key);
        return -1;
    }
    *out = item->valuedouble;
    return 1;
}

int jv_enum(const cJSON *obj, const char *key, const char *const *choices, int *idx,
            struct verr *e)
{
    const cJSON *item = get(obj, key);
    if (!item)
        return 0;
    if (cJSON_IsString(item)) {
        for (int i = 0; choices[i]; i++) {
            if (strcmp(item->valuestring, choices[i]) == 0) {
                *idx = i;
                return 1;
            }
        }
    }
    char list[200] = "";
    size_t used = 0;
    for (int i = 0; choices[i] && used < sizeof list - 1; i++) {
        int n = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", choices[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    verr_set(e, ERR_INVALID_FIELD, key, "\"%s\" must be one of: %s.", key, list);
    return -1;
}

cJSON *jv_add_int(cJSON *obj, const char *key, int64_t v)
{
    return cJSON_AddNumberToObject(obj, key, (double)v);
}
