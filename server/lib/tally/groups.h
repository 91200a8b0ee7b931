/*
 * groups: identical ballots grouped with their multiplicity, and for each project the
 * groups that approve it. Voters with the same ballot always hold the same budget or load
 * under Equal Shares and Phragmén, so the rules work on groups: Łódź 2023 has 70,747
 * ballots but 34k distinct ones, Wrocław 52. Internal to the tally.
 */
#ifndef PB_TALLY_GROUPS_H
#define PB_TALLY_GROUPS_H

#include "lib/tally/tally.h"

#include <gmp.h>

struct tally_groups {
    size_t ngroups;
    int64_t *weight;      /* voters per group */
    size_t *start;        /* ngroups + 1 offsets into items */
    uint32_t *items;      /* sorted, distinct project indices */
    size_t *sup_start;    /* nprojects + 1 offsets into supporters */
    uint32_t *supporters; /* group indices per project */
    int64_t *votes;       /* approvals per project */
    int64_t nvoters;      /* including empty ballots */
};

void tally_groups_build(const struct tally_input *in, struct tally_groups *g);
/* For the rules on approval ballots: clears out, and builds g unless in is invalid or not
 * approval (false). */
bool tally_approval_groups(const struct tally_input *in, struct tally_result *out, struct tally_groups *g);
void tally_groups_free(struct tally_groups *g);
bool tally_input_valid(const struct tally_input *in);
/* The caller's progress (tally_options.progress): whether it asked to stop, and raising
 * the permille done (it never falls). */
bool tally_cancelled(const struct tally_options *opt);
void tally_progress_set(const struct tally_options *opt, int permille);

/* n exact rationals, each 0 (the per-group budgets or loads the rules keep exactly beside
 * their double copies); free with tally_mpq_free. */
mpq_t *tally_mpq_new(size_t n);
void tally_mpq_free(mpq_t *q, size_t n);

#endif
