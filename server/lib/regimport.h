/*
 * regimport: a voter register as staff upload it (CSV with a header naming the columns
 * personal_id, birth_date, district_id or district, and optionally postcode, contact and
 * oidc_id: the identifier an OpenID provider gives, when it is not the personal_id)
 * The district cell may name a district of each group, separated by '|' ("Nord | Byen").
 * checked row by row and turned into keyed hashes (lib/voterkeys.h): every problem is named
 * with its line before anything is stored, and the same person twice is one of them. Birth
 * dates may be written 1990-05-17, 17-05-1990, 17.05.1990 or 17/05/1990. Pure; runs on a
 * worker thread (500,000 rows are a second of HMACs).
 */
#ifndef PB_REGIMPORT_H
#define PB_REGIMPORT_H

#include "lib/keys.h"
#include "lib/rowerrors.h"
#include "lib/util.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define REGIMPORT_MAX_ROWS 500000
#define REGIMPORT_MAX_AREA 100 /* bytes of an area name (turnout by area) */
#define REGIMPORT_MAX_FRAMES 8  /* districts a row may name, one per group (VOTER_MAX_FRAMES) */

struct regimport {
    size_t rows;            /* good rows */
    struct rowerrors errors;
    struct buf out;         /* [[district_id, "match hash", "contact hash", "oidc hash", "birth date",
                             *   "area", [more district ids]], ...] for add_register */
    cJSON *districts;       /* [{"district_id", "rows"}] of the good rows */
    char fatal[200];        /* the file cannot be read at all (not CSV, no header) */
};

/* Reads and checks text (len bytes) for the election whose districts ([{id, name}, ...] as
 * in the election's JSON) are given. Fills out (zeroed here; free with regimport_free). */
void regimport_run(const struct server_keys *keys, int64_t election, const cJSON *districts, const char *text,
                   size_t len, struct regimport *out);
void regimport_free(struct regimport *r);

/* Finds a district of the election by its id or by its name in any language (trimmed, any
 * case); 0 when none or when the name is not unique. */
int64_t regimport_district(const cJSON *districts, const char *text);

#endif
