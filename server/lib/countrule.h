/*
 * countrule: the counting rules an election may name, their variants, the tally options
 * each means and the name a pabulib file gives it: the one table of that vocabulary,
 * shared by the election settings, the server's count, the exports and pbtally. Pure.
 */
#ifndef PB_COUNTRULE_H
#define PB_COUNTRULE_H

#include "lib/ballot_rules.h"
#include "lib/jsonv.h"
#include "lib/tally/tally.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

/* The election's "rule" values, NULL-terminated (for validation). */
extern const char *const countrule_names[];
/* Values of the rule_params that pick a variant or a setting, NULL-terminated. */
extern const char *const countrule_greedy_variants[];
extern const char *const countrule_completions[];
extern const char *const countrule_utilities[];

/* The tally options for an election's rule and rule_params (validated when set): variant,
 * completion, utilities and score threshold. unit is the add1 step (100: whole units). */
void countrule_options(const char *rule, const cJSON *params, struct tally_options *opt);
/* The pabulib META rule for an election's rule and rule_params ("equalshares/add1"). */
const char *countrule_pabulib_name(const char *rule, const cJSON *params);
/* Reads a pabulib rule name into opt (also the older names files use: "greedy-threshold",
 * "seqphragmen", ...). False for a rule this tally does not implement. */
bool countrule_from_pabulib(const char *name, struct tally_options *opt);

/* Checks an election's (or a group's) rule_params: known keys, each in range. */
bool countrule_params_valid(const cJSON *p, struct verr *e) PB_WUR;
/* False (naming "rule") when the rule cannot count this ballot type. */
bool countrule_fits_ballot(const char *rule, const struct ballot_config *b, struct verr *e) PB_WUR;

#endif
