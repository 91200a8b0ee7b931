/*
 * ballot_rules: the four ballot types and their limits, read from an election's "ballot"
 * object, and the exact check of one citizen's ballot against them. Pure: no I/O, so the
 * server, the paper-ballot path and the tests share one definition of a valid ballot.
 */
#ifndef PB_BALLOT_RULES_H
#define PB_BALLOT_RULES_H

#include "lib/errors.h"
#include "lib/util.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

enum ballot_type { BALLOT_APPROVAL, BALLOT_KNAPSACK, BALLOT_CUMULATIVE, BALLOT_ORDINAL };

#define BALLOT_MAX_CATEGORY_LIMITS 16

/* A per-category quota: at most max_selections proposals, or at most max_share_ppm of the
 * district's budget, from one category (0: no limit). */
struct category_limit {
    char category[65];
    int64_t max_selections;
    int64_t max_share_ppm;
};

/* Limits; 0 means "no limit" for every count. */
struct ballot_config {
    enum ballot_type type;
    int64_t min_selections;
    int64_t max_selections;
    int64_t min_spend_ppm;          /* knapsack: least share of the budget to spend, in 1e-6 */
    int64_t points;                 /* cumulative: points to distribute (at most) */
    int64_t max_points_per_project; /* cumulative */
    int64_t max_ranks;              /* ordinal */
    size_t ncategory_limits;
    struct category_limit category_limits[BALLOT_MAX_CATEGORY_LIMITS];
};

/* The type's name in the API, the database and exports ("knapsack"), and back. */
const char *ballot_type_name(enum ballot_type t);
bool ballot_type_from_name(const char *name, enum ballot_type *out) PB_WUR;
/* Reads and validates the election's "ballot" object (type and the limits that type takes). */
bool ballot_config_parse(const cJSON *ballot, struct ballot_config *out, struct verr *e) PB_WUR;
cJSON *ballot_config_to_json(const struct ballot_config *c);

/* What the ballot may choose from: the election's proposals. */
struct ballot_project {
    int64_t id;
    int64_t district_id;
    int64_t cost;
    bool accepted;
    const char *category; /* NULL: none */
};

/* One ballot in normal form. items are proposal ids: sorted for approval, knapsack and
 * cumulative; in rank order (best first) for ordinal. points[i] belongs to items[i] and is
 * only set for cumulative ballots. */
struct ballot {
    int64_t district_id;
    size_t n;
    int64_t *items;
    int64_t *points;
};
void ballot_free(struct ballot *b);

/* Reads the request body {"district_id", "approvals"|"points"|"ranking"} for the type.
 * district_id may be absent (0) when the caller fills it in. */
bool ballot_parse(const cJSON *body, const struct ballot_config *c, struct ballot *out,
                  struct verr *e) PB_WUR;

/* Checks the ballot against the rules: every item an accepted proposal of the ballot's
 * district, no duplicates, counts, budget, points and ranks. On failure e->code names the
 * rule that was broken. */
bool ballot_validate(const struct ballot *b, const struct ballot_config *c, int64_t budget,
                     const struct ballot_project *projects, size_t nprojects,
                     struct verr *e) PB_WUR;

/* The canonical text of a ballot, the bytes its tracker commits to:
 * "district=<id>;items=<id>[:<points>],..." (malloc'd). */
char *ballot_canonical(const struct ballot *b);

/* The ballot as the API returns it: {"district_id", "approvals"|"points"|"ranking"}. */
cJSON *ballot_to_json(const struct ballot *b, enum ballot_type t);

#endif
