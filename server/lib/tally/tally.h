/*
 * tally: counting rules over an election held in memory. Pure: no I/O, no globals, no
 * allocation that outlives a call except the result, which the caller frees. Projects
 * are indices 0..nprojects-1; the caller maps them to its own ids, and orders them so
 * that a lower index means a lower id (the last tie-break).
 *
 * Ballots are stored flat: ballot b lists items[start[b] .. start[b+1]-1], with points
 * (cumulative) in the same positions, or in rank order (ordinal, best first).
 */
#ifndef PB_TALLY_H
#define PB_TALLY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tally_ballot_kind { TALLY_APPROVAL, TALLY_CUMULATIVE, TALLY_ORDINAL };

struct tally_input {
    size_t nprojects;
    const int64_t *cost; /* minor units */
    int64_t budget;
    enum tally_ballot_kind kind;
    size_t nballots;
    const size_t *start;  /* nballots + 1 offsets */
    const uint32_t *items; /* project indices */
    const int64_t *points; /* NULL unless TALLY_CUMULATIVE */
};

enum tally_greedy_variant {
    GREEDY_SKIP,    /* skip what no longer fits (default) */
    GREEDY_NO_SKIP, /* stop at the first project that does not fit */
};

enum tally_rule { RULE_GREEDY, RULE_EQUAL_SHARES, RULE_PHRAGMEN };
enum tally_utilities { UTIL_COST, UTIL_CARDINALITY };
enum tally_completion { COMPLETION_NONE, COMPLETION_ADD1, COMPLETION_ADD1_COMPARISON };

/* Progress of a count, for a caller on another thread (the server's tally job shows
 * "percent done" and may stop a count). Zero-initialise it and pass it in
 * tally_options.progress. The tally stores in permille an estimate of how much is done,
 * 0 to 1000, that only rises and is 1000 when the count returns; once cancel is set, the
 * rule stops at its next step (a round, a run of Equal Shares) and returns
 * TALLY_CANCELLED with nothing in the result. Both fields are atomic: read and set them
 * from any thread while the count runs. */
struct tally_progress {
    atomic_int permille;
    atomic_bool cancel;
};

#define TALLY_CANCELLED (-2)

struct tally_options {
    enum tally_rule rule;
    enum tally_greedy_variant greedy;
    int64_t min_score; /* greedy: a project scoring below this is never funded (0: none) */
    /* greedy: projects with the same group number (> 0) exclude each other; NULL: none */
    const int32_t *exclusive_group;
    /* projects that may not be funded by any rule (below an eligibility threshold); NULL: none */
    const bool *excluded;
    enum tally_utilities utilities;   /* equal shares */
    enum tally_completion completion; /* equal shares */
    bool fill_greedy;                 /* equal shares: fill what is left greedily at the end */
    int64_t unit; /* add1 step and rounding unit in minor units (100: whole kroner) */
    /* add1 by its definition, one run of Equal Shares per unit of per-voter budget. Slow
     * (23,000 runs for Budapest 2024): the reference the tests hold the fast search to. */
    bool add1_unit_steps;
    struct tally_progress *progress; /* NULL: none */
};

struct tally_result {
    size_t nprojects;
    int64_t *score;    /* per project: approvals, points or rank score */
    bool *selected;    /* per project */
    size_t *order;     /* selected project indices in the order they were chosen */
    size_t nselected;
    int64_t spent;
    /* equal shares: the per-voter budget (minor units, a whole number of units) the outcome
     * was found with, whether add1-comparison switched to greedy, and per project what
     * each supporter paid (price per supporter: payment, as a double for display) */
    int64_t voter_budget;
    bool used_greedy;
    double *price;
    /* equal shares with add1: the runs of the rule the search made, and the stretches of
     * starting budgets it proved to give one outcome (see docs/TALLY.md) */
    size_t runs, checks;
};

void tally_result_free(struct tally_result *r);

/* Per-project support: approvals, points, or for an ordinal ballot of length n the ranks
 * worth n, n-1, ..., 1. */
void tally_scores(const struct tally_input *in, int64_t *score);

/* The projects in greedy's order: score (higher first), then lower cost, then lower index. */
void tally_rank(const struct tally_input *in, const int64_t *score, size_t *rank);

/* Greedy utilitarian: projects in order of score (higher first), ties by lower cost, then
 * lower index; each is funded when it fits the budget that remains. Returns 0, -1 on
 * invalid input (an item index out of range), or TALLY_CANCELLED. Every rule below
 * returns the same. */
int tally_greedy(const struct tally_input *in, const struct tally_options *opt,
                 struct tally_result *out) __attribute__((warn_unused_result));

/* The Method of Equal Shares for approval ballots, with cost or cardinality utilities and
 * the completion in opt (see docs/TALLY.md). Exact: floating point decides only where no
 * tie is near; near ties are settled with rational arithmetic (GMP). */
int tally_equal_shares(const struct tally_input *in, const struct tally_options *opt,
                       struct tally_result *out) __attribute__((warn_unused_result));

/* Sequential Phragmén for approval ballots; exact in the same way. */
int tally_phragmen(const struct tally_input *in, const struct tally_options *opt,
                   struct tally_result *out) __attribute__((warn_unused_result));

/* Runs opt->rule. */
int tally_run(const struct tally_input *in, const struct tally_options *opt,
              struct tally_result *out) __attribute__((warn_unused_result));

#endif
