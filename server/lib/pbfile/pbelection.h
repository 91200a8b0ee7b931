/*
 * pbelection: a pabulib file turned into something the tally can count: projects with
 * integer costs in minor units, the budget, the ballots as project indices (with points
 * or ranks), and the rule the file's META names. Pure.
 */
#ifndef PB_PBELECTION_H
#define PB_PBELECTION_H

#include "lib/pbfile/pbfile.h"
#include "lib/tally/tally.h"

#include <stdbool.h>

#define PB_WITHDRAWN_COST 999999999

struct pb_election {
    size_t nprojects;
    char **ids;            /* borrowed from the pbfile */
    int64_t *cost;         /* minor units (cents): pabulib costs may have two decimals */
    bool *withdrawn;       /* cost 999999999 in the file */
    int64_t *file_support; /* the PROJECTS score (or votes) column, -1 when absent */
    int has_selected;      /* the file has an official "selected" column */
    bool *official;        /* its values */
    struct tally_input in; /* owns start, items, points */
    const char *rule;      /* META rule, or "" */
    int64_t min_score;     /* META min_project_score_threshold */
};

/* Builds e from f (which must outlive e). False with a message on malformed content. */
bool pb_election_build(const struct pbfile *f, struct pb_election *e, char *err, size_t errlen);
void pb_election_free(struct pb_election *e);

/* Reads a pabulib rule name ("greedy", "greedy-threshold", "greedy-no-skip",
 * "equalshares/add1", "equalshares/add1-comparison", "phragmen", ...) into opt. False
 * for a rule this tally does not implement. */
bool pb_rule_options(const char *rule, struct tally_options *opt);

#endif
