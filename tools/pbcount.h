/*
 * pbcount: a pabulib file read and counted with the settings pbtally was given, each
 * setting remembering whether it came from the file's META, the command line or the
 * default, so that every output can show what was applied.
 */
#ifndef PB_TOOLS_PBCOUNT_H
#define PB_TOOLS_PBCOUNT_H

#include "lib/pbfile/pbelection.h"
#include "lib/pbfile/pbfile.h"
#include "lib/tally/tally.h"

#include <stdio.h>

struct pbcount_args {
    const char *rule, *completion, *utilities, *threshold; /* NULL: not given */
    bool fill, unit_steps;
};

struct pbcount {
    const char *path;
    struct pbfile f;
    struct pb_election e;
    struct tally_options opt;
    struct tally_result res;
    char rule[64];
    const char *rule_from; /* "META rule", "--rule" */
    const char *threshold_from;
    double seconds;
};

/* Reads and counts path; on failure prints why on stderr and returns the exit code (2),
 * else 0. Free with pbcount_free. */
int pbcount_run(const char *path, const char *data, size_t len, const struct pbcount_args *a, struct pbcount *c);
void pbcount_free(struct pbcount *c);

/* One line: the rule and the settings applied, with where each came from. */
void pbcount_settings(const struct pbcount *c, FILE *out);
/* An amount in the file's currency. */
double pbcount_money(const struct pbcount *c, int64_t v);

/* The outputs (pbtally_report.c). */
void pbtally_json(const struct pbcount *c, FILE *out);
void pbtally_explain(const struct pbcount *c, FILE *out);
/* The differences between two results; returns 1 when they differ, 0 when not. */
int pbtally_compare(const struct pbcount *a, const struct pbcount *b, FILE *out);

#endif
