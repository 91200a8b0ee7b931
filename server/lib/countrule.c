/*
 * countrule: one row per rule variant. The first row of a rule is its default variant:
 * the server counts Equal Shares with add1 unless rule_params says otherwise (TALLY.md).
 */
#include "lib/countrule.h"
#include "lib/jsonv.h"

#include <string.h>

const char *const countrule_names[] = {"greedy", "equal_shares", "phragmen", NULL};
const char *const countrule_greedy_variants[] = {"skip", "no-skip", NULL};
const char *const countrule_completions[] = {"none", "add1", "add1-comparison", NULL};
const char *const countrule_utilities[] = {"cost", "cardinality", NULL};

static const struct variant {
    const char *rule;    /* the election's rule */
    const char *param;   /* the rule_params key that picks this variant (NULL: none) */
    const char *value;   /* its value */
    const char *pabulib; /* the META rule of pabulib files */
    enum tally_rule trule;
    enum tally_greedy_variant greedy;
    enum tally_completion completion;
} variants[] = {
    {"greedy", "greedy_variant", "skip", "greedy", RULE_GREEDY, GREEDY_SKIP, COMPLETION_NONE},
    {"greedy", "greedy_variant", "no-skip", "greedy-no-skip", RULE_GREEDY, GREEDY_NO_SKIP, COMPLETION_NONE},
    {"equal_shares", "completion", "add1", "equalshares/add1", RULE_EQUAL_SHARES, GREEDY_SKIP, COMPLETION_ADD1},
    {"equal_shares", "completion", "none", "equalshares", RULE_EQUAL_SHARES, GREEDY_SKIP, COMPLETION_NONE},
    {"equal_shares", "completion", "add1-comparison", "equalshares/add1-comparison", RULE_EQUAL_SHARES,
     GREEDY_SKIP, COMPLETION_ADD1_COMPARISON},
    {"phragmen", NULL, NULL, "phragmen", RULE_PHRAGMEN, GREEDY_SKIP, COMPLETION_NONE},
};

/* Older or alternative names pabulib files use for the same rules. */
static const struct {
    const char *name, *same_as;
} aliases[] = {
    {"greedy-threshold", "greedy"}, {"greedy-exclusive", "greedy"}, {"equalshares/none", "equalshares"},
    {"seqphragmen", "phragmen"},
};

static const struct variant *variant_of(const char *rule, const cJSON *params)
{
    const struct variant *first = NULL;
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        const struct variant *v = &variants[i];
        if (strcmp(v->rule, rule) != 0)
            continue;
        if (!first)
            first = v;
        const cJSON *p = v->param ? cJSON_GetObjectItemCaseSensitive(params, v->param) : NULL;
        if (cJSON_IsString(p) && strcmp(p->valuestring, v->value) == 0)
            return v;
    }
    return first ? first : &variants[0];
}

static void apply(const struct variant *v, struct tally_options *opt)
{
    opt->rule = v->trule;
    opt->greedy = v->greedy;
    opt->completion = v->completion;
}

void countrule_options(const char *rule, const cJSON *params, struct tally_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->unit = 100; /* add1 steps in whole currency units */
    apply(variant_of(rule, params), opt);
    int64_t threshold = 0;
    if (jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(params, "min_project_score_threshold"), 0,
                           JV_MAX_SAFE_INT, &threshold))
        opt->min_score = threshold;
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(params, "utilities");
    opt->utilities = cJSON_IsString(u) && strcmp(u->valuestring, "cardinality") == 0 ? UTIL_CARDINALITY : UTIL_COST;
}

const char *countrule_pabulib_name(const char *rule, const cJSON *params)
{
    return variant_of(rule, params)->pabulib;
}

bool countrule_from_pabulib(const char *name, struct tally_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->unit = 100;
    opt->utilities = UTIL_COST;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(name, aliases[i].name) == 0)
            name = aliases[i].same_as;
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        if (strcmp(name, variants[i].pabulib) == 0) {
            apply(&variants[i], opt);
            return true;
        }
    return false;
}

/* rule_params: the rule's variant and parameters, see docs/TALLY.md. */
bool countrule_params_valid(const cJSON *p, struct verr *e)
{
    static const char *const keys[] = {"greedy_variant", "min_project_score_threshold",
                                       "completion", "utilities", "min_vote_share", NULL};
    int idx;
    int64_t v;
    if (!jv_only_keys(p, keys, "rule_params", e) ||
        jv_enum(p, "greedy_variant", countrule_greedy_variants, &idx, e) < 0 ||
        jv_int(p, "min_project_score_threshold", 0, JV_MAX_SAFE_INT, &v, e) < 0 ||
        jv_enum(p, "completion", countrule_completions, &idx, e) < 0 ||
        jv_enum(p, "utilities", countrule_utilities, &idx, e) < 0)
        return false;
    double share;
    if (jv_share(p, "min_vote_share", &share, e) < 0)
        return false;
    return true;
}

bool countrule_fits_ballot(const char *rule, const struct ballot_config *b, struct verr *e)
{
    if (strcmp(rule, "phragmen") == 0 && b->type != BALLOT_APPROVAL && b->type != BALLOT_KNAPSACK) {
        verr_set(e, ERR_INVALID_FIELD, "rule", "Phragmén counts approval and knapsack ballots only.");
        return false;
    }
    if (strcmp(rule, "equal_shares") == 0 && b->type != BALLOT_APPROVAL && b->type != BALLOT_KNAPSACK) {
        verr_set(e, ERR_INVALID_FIELD, "rule", "Equal Shares counts approval and knapsack ballots only.");
        return false;
    }
    return true;
}
