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

struct pb_election {
    size_t nprojects;
    char **ids;            /* borrowed from the pbfile */
    int64_t *cost;         /* in 1/scale of the currency */
    int64_t scale;         /* 100, or 10^d when the file's costs or budget have d > 2 decimals */
    int64_t *file_support; /* the PROJECTS score (or votes) column, -1 when absent */
    int has_selected;      /* the file has an official "selected" column */
    bool *official;        /* its values */
    struct tally_input in; /* owns start, items, points */
    const char *rule;      /* META rule, or "" */
    int64_t min_score;     /* META min_project_score_threshold */
};

/* Builds e from f (which must outlive e). False with a message naming the line on what
 * the format does not allow. Reads what pabulib readers read: costs and the budget with
 * up to 6 decimals, with a decimal point or a decimal comma; "None" for an empty vote or
 * points field. A cost is a cost (999999999 too; pabutools reads it as one). A project
 * named twice in one approval ballot counts once; in a ranking or a points ballot it is
 * refused (which rank, which points?). */
bool pb_election_build(const struct pbfile *f, struct pb_election *e, char *err, size_t errlen);
void pb_election_free(struct pb_election *e);

/* A file's META rule reads into tally options with countrule_from_pabulib (lib/countrule.h). */

#endif
