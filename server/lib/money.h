/*
 * money: amounts as people write them, read and written in one language's way, to and
 * from integer minor units (two decimals). Danish writes 1.000.000,50 and English
 * 1,000,000.50; both may group thousands with spaces. Reading is strict, so that nothing
 * ambiguous becomes an amount: "200.000" is two hundred thousand in Danish and refused in
 * English (a point there starts decimals, and an amount has at most two). The staff pages
 * read money fields by the same rules (web/js/admin-money.js). Pure.
 */
#ifndef PB_MONEY_H
#define PB_MONEY_H

#include "lib/util.h"

#include <stdbool.h>
#include <stdint.h>

enum money_style { MONEY_DA, MONEY_EN };

enum money_problem {
    MONEY_OK,
    MONEY_EMPTY,
    MONEY_CHARACTERS, /* something else than digits, separators and spaces */
    MONEY_GROUPING,   /* thousands separators where they cannot be (1.00.000, 1,5 in English) */
    MONEY_DECIMALS,   /* more than two decimals (1.000 in English) */
    MONEY_RANGE,      /* zero, or more than 2^53 minor units */
};

/* The style for a language code ("da" reads the Danish way; every other language the
 * English way). */
enum money_style money_style_for(const char *lang);
/* Reads text (surrounding spaces allowed) into minor units; the amount must be above 0. */
enum money_problem money_read(const char *text, enum money_style style, int64_t *minor) PB_WUR;
/* What went wrong, in English, for an error message. */
const char *money_problem_text(enum money_problem p);
/* Writes minor units in the style without grouping ("1000000,50"; "1000000" for whole
 * amounts), which money_read reads back. */
void money_write(int64_t minor, enum money_style style, char *out, size_t n);

#endif
