/*
 * i18n: language-keyed texts.
 */
#include "lib/i18n.h"

#include <string.h>

bool i18n_lang_valid(const char *lang)
{
    size_t n = 0;
    while (lang[n] >= 'a' && lang[n] <= 'z')
        n++;
    if (n < 2 || n > 3)
        return false;
    if (lang[n] == '\0')
        return true;
    if (lang[n] != '-')
        return false;
    const char *r = lang + n + 1;
    size_t m = 0;
    while ((r[m] >= 'A' && r[m] <= 'Z') || (r[m] >= '0' && r[m] <= '9'))
        m++;
    return (m == 2 || m == 3) && r[m] == '\0';
}

int i18n_text(const cJSON *obj, const char *key, const char *default_lang, size_t maxlen,
              cJSON **out, struct verr *e)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!item || cJSON_IsNull(item))
        return 0;
    if (cJSON_IsString(item)) {
        if (!item->valuestring[0] || strlen(item->valuestring) > maxlen) {
            verr_set(e, ERR_INVALID_FIELD, key, "\"%s\" must be a non-empty text of at most %zu bytes.",
                     key, maxlen);
            return -1;
        }
        *out = cJSON_CreateObject();
        cJSON_AddStringToObject(*out, default_lang, item->valuestring);
        return 1;
    }
    if (!cJSON_IsObject(item) || !item->child) {
        verr_set(e, ERR_INVALID_FIELD, key,
                 "\"%s\" must be an object of texts by language, such as {\"da\": \"...\", \"en\": \"...\"}.",
                 key);
        return -1;
    }
    for (const cJSON *c = item->child; c; c = c->next) {
        if (!i18n_lang_valid(c->string)) {
            verr_set(e, ERR_INVALID_FIELD, key, "\"%s\" has an invalid language code.", key);
            return -1;
        }
        if (!cJSON_IsString(c) || !c->valuestring[0] || strlen(c->valuestring) > maxlen) {
            verr_set(e, ERR_INVALID_FIELD, key,
                     "\"%s.%s\" must be a non-empty text of at most %zu bytes.", key, c->string,
                     maxlen);
            return -1;
        }
    }
    *out = cJSON_Duplicate(item, 1);
    return 1;
}

const char *i18n_pick(const cJSON *text, const char *lang, const char *fallback)
{
    if (!cJSON_IsObject(text))
        return cJSON_IsString(text) ? text->valuestring : "";
    const cJSON *t = lang ? cJSON_GetObjectItemCaseSensitive(text, lang) : NULL;
    if (!cJSON_IsString(t) && fallback)
        t = cJSON_GetObjectItemCaseSensitive(text, fallback);
    if (!cJSON_IsString(t))
        t = text->child;
    return cJSON_IsString(t) ? t->valuestring : "";
}
