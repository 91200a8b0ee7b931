/*
 * i18n: texts people read are objects keyed by language code, {"da": "...", "en": "..."}.
 * This module validates them and picks the right language with a fallback. Pure.
 */
#ifndef PB_I18N_H
#define PB_I18N_H

#include "lib/errors.h"
#include "lib/util.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

/* True for "da", "en", "pl", "de-CH": 2-3 lowercase letters, optional -REGION. */
bool i18n_lang_valid(const char *lang);

/* Validates obj[key] as a text: either an object of language -> non-empty string of at
 * most maxlen bytes, or a plain string taken as the default language. Returns a new
 * normalised object in *out (caller deletes) when present; 0 when absent; -1 invalid. */
int i18n_text(const cJSON *obj, const char *key, const char *default_lang, size_t maxlen,
              cJSON **out, struct verr *e) PB_WUR;

/* The text in lang, else in fallback, else any language; "" when text is not an object. */
const char *i18n_pick(const cJSON *text, const char *lang, const char *fallback);

#endif
