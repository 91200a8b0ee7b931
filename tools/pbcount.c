/*
 * pbcount: reading and counting a pabulib file for pbtally.
 */
#include "pbcount.h"
#include "lib/countrule.h"
#include "lib/util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

double pbcount_money(const struct pbcount *c, int64_t v)
{
    return (double)v / (double)c->e.scale;
}

void pbcount_free(struct pbcount *c)
{
    tally_result_free(&c->res);
    pb_election_free(&c->e);
    pbfile_free(&c->f);
}

int pbcount_run(const char *path, const char *data, size_t len, const struct pbcount_args *a, struct pbcount *c)
{
    memset(c, 0, sizeof *c);
    c->path = path;
    char err[512] = "";
    if (!pbfile_read(data, len, &c->f, err, sizeof err)) {
        fprintf(stderr, "pbtally: %s: %s\n", path, err);
        return 2;
    }
    if (!pb_election_build(&c->f, &c->e, err, sizeof err)) {
        fprintf(stderr, "pbtally: %s: %s\n", path, err);
        pbfile_free(&c->f);
        return 2;
    }
    /* --rule names our rules; the file's META names pabulib's */
    c->rule_from = "META rule";
    snprintf(c->rule, sizeof c->rule, "%s", c->e.rule);
    if (a->rule) {
        c->rule_from = "--rule";
        snprintf(c->rule, sizeof c->rule, "%s", strcmp(a->rule, "equal_shares") == 0 ? "equalshares/add1" : a->rule);
    }
    /* --completion sets or replaces the completion of pabulib's Equal Shares names
     * (equalshares has none), whether the rule came from --rule or from META */
    bool equal_shares = strncmp(c->rule, "equalshares", 11) == 0 && (c->rule[11] == 0 || c->rule[11] == '/');
    if (a->completion && equal_shares) {
        snprintf(c->rule, sizeof c->rule, "equalshares/%s", a->completion);
    } else if (a->completion && a->rule) {
        fprintf(stderr, "pbtally: --completion is Equal Shares' and --rule %s is not\n", a->rule);
        pbcount_free(c);
        return 2;
    }
    if (!countrule_from_pabulib(c->rule, &c->opt)) {
        fprintf(stderr, "pbtally: %s: rule \"%s\" (%s) is not implemented; give --rule\n", path, c->rule, c->rule_from);
        pbcount_free(c);
        return 2;
    }
    c->opt.unit = c->e.scale; /* add1 steps in whole currency units */
    /* the score threshold: the file's, where its rule is greedy-threshold; --threshold
     * N sets one for any greedy rule, --threshold none drops it */
    c->threshold_from = NULL;
    if (a->threshold && strcmp(a->threshold, "none") != 0) {
        int64_t t;
        if (!parse_int64(a->threshold, &t) || t < 0) {
            fprintf(stderr, "pbtally: --threshold takes a whole number or none\n");
            pbcount_free(c);
            return 2;
        }
        c->opt.min_score = t;
        c->threshold_from = "--threshold";
    } else if (!a->threshold && strcmp(c->rule, "greedy-threshold") == 0 && c->e.min_score > 0) {
        c->opt.min_score = c->e.min_score;
        c->threshold_from = "META min_project_score_threshold";
    }
    if (a->utilities && strcmp(a->utilities, "cardinality") == 0)
        c->opt.utilities = UTIL_CARDINALITY;
    c->opt.fill_greedy = a->fill;
    c->opt.add1_unit_steps = a->unit_steps;
    if (c->opt.rule != RULE_GREEDY && c->e.in.kind != TALLY_APPROVAL) {
        fprintf(stderr, "pbtally: %s: %s counts approval ballots only\n", path, c->rule);
        pbcount_free(c);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = tally_run(&c->e.in, &c->opt, &c->res);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    c->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (rc != 0) {
        fprintf(stderr, "pbtally: %s: the ballots cannot be counted\n", path);
        pbcount_free(c);
        return 2;
    }
    return 0;
}

void pbcount_settings(const struct pbcount *c, FILE *out)
{
    fprintf(out, "rule %s (%s)", c->rule, c->rule_from);
    if (c->opt.rule == RULE_GREEDY) {
        if (c->threshold_from)
            fprintf(out, ", score threshold %lld (%s; --threshold none drops it)", (long long)c->opt.min_score,
                    c->threshold_from);
        else if (c->e.min_score > 0)
            fprintf(out, ", no score threshold (META min_project_score_threshold %lld not applied; --threshold %lld applies it)",
                    (long long)c->e.min_score, (long long)c->e.min_score);
    }
    if (c->opt.rule == RULE_EQUAL_SHARES && c->opt.completion == COMPLETION_NONE)
        fprintf(out, ", %s utilities, no completion", c->opt.utilities == UTIL_CARDINALITY ? "cardinality" : "cost");
    else if (c->opt.rule == RULE_EQUAL_SHARES)
        fprintf(out, ", %s utilities, add1 step %g", c->opt.utilities == UTIL_CARDINALITY ? "cardinality" : "cost",
                pbcount_money(c, c->opt.unit));
    fputc('\n', out);
}
