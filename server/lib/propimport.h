/*
 * propimport: proposals in bulk, as a spreadsheet holds them, to and from CSV. One row per
 * proposal, the columns named in the header (any order, any case):
 *   district (or district_id)  the district's id or its name in any language (required)
 *   title_<lang>, summary_<lang>, description_<lang>   texts per language; title, summary and
 *                              description alone are the election's default language; a
 *                              title in the default language is required
 *   category                   the category's key or its name in any language
 *   cost                       an amount written the way of the import's language
 *                              (lib/money.h: 1.000.000,50 in Danish, 1,000,000.50 in English)
 *   cost_note                  how the cost was estimated
 *   status                     accepted (the default) or submitted
 *   lat, lng, address          where it is
 *   exclusive_group            a number shared by proposals never funded together
 *   id                         written by the export; an import always adds new proposals
 * Every problem is named with its line and column before anything is stored. Spreadsheets
 * run a text beginning with = + - @ as a formula, so the export starts such texts with an
 * apostrophe and the import takes it off again. Pure.
 */
#ifndef PB_PROPIMPORT_H
#define PB_PROPIMPORT_H

#include "lib/money.h"
#include "lib/rowerrors.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#define PROPIMPORT_MAX_ROWS 5000

/* What rows are checked against: the election's JSON (districts with budgets, categories,
 * languages, default_language). */
struct propimport {
    cJSON *rows;             /* [{"line", "district_id", "title", ...}] of the good rows */
    size_t count;            /* every data row, good or not */
    struct rowerrors errors;
    char fatal[300];         /* the file cannot be read (not CSV, a column unknown or missing) */
};

void propimport_run(const cJSON *election, const char *text, size_t len, enum money_style style,
                    struct propimport *out);
void propimport_free(struct propimport *p);

/* The CSV of proposals (the election's proposal_json list) in the same columns, so that it
 * reads back: separator ';' for the Danish style (Excel in Danish), ',' otherwise, with a
 * byte-order mark, which Excel needs to read UTF-8. */
void propimport_export(const cJSON *election, const cJSON *proposals, enum money_style style, struct buf *out);

#endif
