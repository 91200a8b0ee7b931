/*
 * phragmen: sequential Phragmén for approval ballots, as pabutools and TALLY-NOTES define
 * it. Loads start at 0 and projects costing more than the budget are dropped. Each step
 * picks the project with the lowest new load t = (sum of its supporters' loads + cost) /
 * supporters (ties: lower cost, more votes, lower index) and sets every supporter's load
 * to t. The count stops completely as soon as the chosen project, or one tied with it,
 * does not fit the budget that remains.
 *
 * Loads are exact rationals (GMP) mirrored in doubles; doubles pick the step unless two
 * candidates are within 1e-9, which the rationals then settle.
 */
#include "lib/tally/groups.h"
#include "lib/tally/tally.h"
#include "lib/util.h"

#include <gmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NEAR 1e-9

static void load_exact(const struct tally_groups *g, mpq_t *lq, const int64_t *cost, size_t p,
                       mpq_t t)
{
    mpq_t tmp;
    mpq_init(tmp);
    mpq_set_si(t, cost[p], 1);
    for (size_t k = g->sup_start[p]; k < g->sup_start[p + 1]; k++) {
        uint32_t grp = g->supporters[k];
        mpq_set_si(tmp, g->weight[grp], 1);
        mpq_mul(tmp, tmp, lq[grp]);
        mpq_add(t, t, tmp);
    }
    mpq_set_si(tmp, g->votes[p], 1);
    mpq_div(t, t, tmp);
    mpq_clear(tmp);
}

int tally_phragmen(const struct tally_input *in, const struct tally_options *opt,
                   struct tally_result *out)
{
    memset(out, 0, sizeof *out);
    if (!tally_input_valid(in) || in->kind != TALLY_APPROVAL)
        return -1;
    size_t np = in->nprojects;
    struct tally_groups g;
    tally_groups_build(in, &g);
    double *ld = xcalloc(g.ngroups, sizeof *ld);
    mpq_t *lq = tally_mpq_new(g.ngroups);
    out->nprojects = np;
    out->score = xcalloc(np, sizeof *out->score);
    memcpy(out->score, g.votes, np * sizeof *out->score);
    out->selected = xcalloc(np, sizeof *out->selected);
    out->order = xcalloc(np, sizeof *out->order);
    bool *out_of_play = xcalloc(np, sizeof *out_of_play);
    double *t = xcalloc(np, sizeof *t);
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
            double sum = (double)in->cost[p];
            for (size_t k = g.sup_start[p]; k < g.sup_start[p + 1]; k++)
                sum += (double)g.weight[g.supporters[k]] * ld[g.supporters[k]];
            t[p] = sum / (double)g.votes[p];
            if (t[p] < min)
                min = t[p];
        }
        if (min == INFINITY)
            break;
        size_t best = SIZE_MAX;
        for (size_t p = 0; p < np; p++) {
            if (out_of_play[p] || out->selected[p] ||
                fabs(t[p] - min) > NEAR * fmax(fabs(t[p]), fabs(min)))
                continue;
            load_exact(&g, lq, in->cost, p, cur);
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
            load_exact(&g, lq, in->cost, p, cur);
            stop = mpq_cmp(cur, best_t) == 0;
        }
        if (stop)
            break;
        for (size_t k = g.sup_start[best]; k < g.sup_start[best + 1]; k++) {
            uint32_t grp = g.supporters[k];
            mpq_set(lq[grp], best_t);
            ld[grp] = mpq_get_d(best_t);
        }
        out->selected[best] = true;
        out->order[out->nselected++] = best;
        out->spent += in->cost[best];
        left -= in->cost[best];
    }
    mpq_clears(best_t, cur, NULL);
    tally_mpq_free(lq, g.ngroups);
    free(ld);
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
