/*
 * phragmen: sequential Phragmén for approval ballots, as pabutools and TALLY-NOTES define
 * it. Loads start at 0 and projects costing more than the budget are dropped. Each step
 * picks the project with the lowest new load t = (sum of its supporters' loads + cost) /
 * supporters (ties: lower cost, more votes, lower index) and sets every supporter's load
 * to t. The count stops completely as soon as the chosen project, or one tied with it,
 * does not fit the budget that remains.
 *
 * Loads are doubles, with each group's exact load (GMP) known as that of the step that set
 * it; doubles pick the step unless two candidates are within 1e-9, which the rationals then
 * settle.
 */
#include "lib/tally/groups.h"
#include "lib/tally/tally.h"
#include "lib/util.h"

#include <gmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NEAR 1e-9

#define NOT_SET UINT32_MAX

/* A group's load, exactly: the load of the last step that set it (steps[last]), or 0. */
struct loads {
    double *ld;     /* per group, as a double */
    uint32_t *last; /* per group, the step that set it, or NOT_SET */
    mpq_t *steps;   /* per step, the load it set */
    size_t nsteps;
    int64_t *wsum;  /* scratch: per step, weight (all 0 between uses) */
};

/* The new load of p exactly. The supporters' loads are step loads, so their weights are
 * summed per step first (integers) and GMP multiplies once per step, not per group. */
static void load_exact(const struct tally_groups *g, struct loads *L, const int64_t *cost, size_t p, mpq_t t)
{
    mpq_t tmp;
    mpq_init(tmp);
    mpq_set_si(t, cost[p], 1);
    for (size_t k = g->sup_start[p]; k < g->sup_start[p + 1]; k++) {
        uint32_t grp = g->supporters[k];
        if (L->last[grp] != NOT_SET)
            L->wsum[L->last[grp]] += g->weight[grp];
    }
    for (size_t s = 0; s < L->nsteps; s++) {
        if (!L->wsum[s])
            continue;
        mpq_set_si(tmp, L->wsum[s], 1);
        mpq_mul(tmp, tmp, L->steps[s]);
        mpq_add(t, t, tmp);
        L->wsum[s] = 0;
    }
    mpq_set_si(tmp, g->votes[p], 1);
    mpq_div(t, t, tmp);
    mpq_clear(tmp);
}

/* The new load of p from scratch in doubles (the running sums drift by rounding). */
static double load_double(const struct tally_groups *g, const struct loads *L, const int64_t *cost, size_t p)
{
    double sum = (double)cost[p];
    for (size_t k = g->sup_start[p]; k < g->sup_start[p + 1]; k++)
        sum += (double)g->weight[g->supporters[k]] * L->ld[g->supporters[k]];
    return sum / (double)g->votes[p];
}

int tally_phragmen(const struct tally_input *in, const struct tally_options *opt,
                   struct tally_result *out)
{
    struct tally_groups g;
    if (!tally_approval_groups(in, out, &g))
        return -1;
    size_t np = in->nprojects;
    struct loads L = {xcalloc(g.ngroups ? g.ngroups : 1, sizeof(double)),
                      xcalloc(g.ngroups ? g.ngroups : 1, sizeof(uint32_t)), tally_mpq_new(np), 0,
                      xcalloc(np ? np : 1, sizeof(int64_t))};
    for (size_t k = 0; k < g.ngroups; k++)
        L.last[k] = NOT_SET;
    out->nprojects = np;
    out->score = xcalloc(np ? np : 1, sizeof *out->score);
    memcpy(out->score, g.votes, np * sizeof *out->score);
    out->selected = xcalloc(np ? np : 1, sizeof *out->selected);
    out->order = xcalloc(np ? np : 1, sizeof *out->order);
    bool *out_of_play = xcalloc(np ? np : 1, sizeof *out_of_play);
    double *t = xcalloc(np ? np : 1, sizeof *t);
    /* per project, the sum of its supporters' loads (times their weight), kept up to date
     * as loads change: a step costs the ballots of the funded project's supporters, not
     * every approval */
    double *S = xcalloc(np ? np : 1, sizeof *S);
    for (size_t p = 0; p < np; p++)
        out_of_play[p] = in->cost[p] > in->budget || g.votes[p] == 0 || (opt && opt->excluded && opt->excluded[p]);
    int64_t left = in->budget;
    mpq_t best_t, cur;
    mpq_inits(best_t, cur, NULL);
    int rc = 0;
    for (;;) {
        if (tally_cancelled(opt)) {
            rc = TALLY_CANCELLED;
            break;
        }
        if (in->budget > 0)
            tally_progress_set(opt, (int)(1000 * (double)out->spent / (double)in->budget * 0.95));
        double min = INFINITY;
        for (size_t p = 0; p < np; p++) {
            if (out_of_play[p] || out->selected[p])
                continue;
            t[p] = (S[p] + (double)in->cost[p]) / (double)g.votes[p];
            if (t[p] < min)
                min = t[p];
        }
        if (min == INFINITY)
            break;
        /* the running sums may have drifted: recompute those anywhere near the minimum */
        double min2 = INFINITY;
        for (size_t p = 0; p < np; p++) {
            if (out_of_play[p] || out->selected[p] || t[p] > min * (1 + 1e-6) + 1e-9)
                continue;
            t[p] = load_double(&g, &L, in->cost, p);
            if (t[p] < min2)
                min2 = t[p];
        }
        min = min2;
        size_t best = SIZE_MAX;
        for (size_t p = 0; p < np; p++) {
            if (out_of_play[p] || out->selected[p] ||
                fabs(t[p] - min) > NEAR * fmax(fabs(t[p]), fabs(min)))
                continue;
            load_exact(&g, &L, in->cost, p, cur);
            int c = best == SIZE_MAX ? -1 : mpq_cmp(cur, best_t);
            bool wins = c < 0;
            if (c == 0) {
                if (in->cost[p] != in->cost[best])
                    wins = in->cost[p] < in->cost[best];
                else if (g.votes[p] != g.votes[best])
                    wins = g.votes[p] > g.votes[best];
                else
                    wins = p < best;
            }
            if (wins) {
                best = p;
                mpq_set(best_t, cur);
            }
        }
        /* Sequential Phragmén stops at the first project that does not fit, and so when any
         * project tied exactly with the chosen one does not fit: the load rises for all of
         * them at once, and which of them "comes first" is only a tie-break (pabutools
         * stops the same way). */
        bool stop = in->cost[best] > left;
        for (size_t p = 0; !stop && p < np; p++) {
            if (p == best || out_of_play[p] || out->selected[p] || in->cost[p] <= left ||
                fabs(t[p] - min) > NEAR * fmax(fabs(t[p]), fabs(min)))
                continue;
            load_exact(&g, &L, in->cost, p, cur);
            stop = mpq_cmp(cur, best_t) == 0;
        }
        if (stop)
            break;
        uint32_t step = (uint32_t)out->nselected;
        mpq_set(L.steps[step], best_t);
        L.nsteps = step + 1;
        double tb = mpq_get_d(best_t);
        for (size_t k = g.sup_start[best]; k < g.sup_start[best + 1]; k++) {
            uint32_t grp = g.supporters[k];
            double delta = (double)g.weight[grp] * (tb - L.ld[grp]);
            for (size_t i = g.start[grp]; i < g.start[grp + 1]; i++)
                S[g.items[i]] += delta;
            L.last[grp] = step;
            L.ld[grp] = tb;
        }
        out->selected[best] = true;
        out->order[out->nselected++] = best;
        out->spent += in->cost[best];
        left -= in->cost[best];
    }
    mpq_clears(best_t, cur, NULL);
    tally_mpq_free(L.steps, np);
    free(L.ld);
    free(L.last);
    free(L.wsum);
    free(S);
    free(t);
    free(out_of_play);
    tally_groups_free(&g);
    if (rc != 0) {
        tally_result_free(out);
        return rc;
    }
    tally_progress_set(opt, 1000);
    return 0;
}
