/*
 * groups: grouping identical approval ballots.
 */
#include "lib/tally/groups.h"
#include "lib/util.h"

#include <stdlib.h>
#include <string.h>

struct bref {
    const uint32_t *items;
    size_t n;
};

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Ballots as their projects' ranks by approvals (most approved 0), ascending, compared
 * lexicographically (a ballot before any longer one it begins): the supporters of the most
 * approved project come out as one run of groups, those of the next as two, and so on, so
 * that the rules' scans of a popular project's supporters read the per-group arrays in long
 * runs instead of all over them. */
static int cmp_bref(const void *a, const void *b)
{
    const struct bref *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    for (size_t i = 0; i < n; i++)
        if (x->items[i] != y->items[i])
            return x->items[i] < y->items[i] ? -1 : 1;
    return x->n < y->n ? -1 : x->n > y->n;
}

/* most approvals first, then by index */
static int cmp_by_approvals(const void *a, const void *b, void *arg)
{
    const uint32_t *approvals = arg, x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (approvals[x] != approvals[y])
        return approvals[x] > approvals[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

void tally_groups_build(const struct tally_input *in, struct tally_groups *g)
{
    memset(g, 0, sizeof *g);
    size_t nb = in->nballots, total = in->start[nb];
    /* each project's rank by approvals (see cmp_bref) */
    size_t np = in->nprojects;
    uint32_t *approvals = xcalloc(np ? np : 1, sizeof *approvals), *byrank = xcalloc(np ? np : 1, sizeof *byrank),
             *rank = xcalloc(np ? np : 1, sizeof *rank);
    for (size_t i = 0; i < total; i++)
        approvals[in->items[i]]++;
    for (size_t p = 0; p < np; p++)
        byrank[p] = (uint32_t)p;
    qsort_r(byrank, np, sizeof *byrank, cmp_by_approvals, approvals);
    for (size_t r = 0; r < np; r++)
        rank[byrank[r]] = (uint32_t)r;
    /* normalised copies, as ranks: sorted, duplicates removed */
    uint32_t *norm = xcalloc(total, sizeof *norm);
    struct bref *refs = xcalloc(nb, sizeof *refs);
    for (size_t b = 0; b < nb; b++) {
        size_t s = in->start[b], n = in->start[b + 1] - s;
        for (size_t k = 0; k < n; k++)
            norm[s + k] = rank[in->items[s + k]];
        qsort(norm + s, n, sizeof *norm, cmp_u32);
        size_t m = 0;
        for (size_t k = 0; k < n; k++)
            if (m == 0 || norm[s + k] != norm[s + m - 1])
                norm[s + m++] = norm[s + k];
        refs[b].items = norm + s;
        refs[b].n = m;
    }
    qsort(refs, nb, sizeof *refs, cmp_bref);
    g->weight = xcalloc(nb, sizeof *g->weight);
    g->start = xcalloc(nb + 1, sizeof *g->start);
    g->items = xcalloc(total, sizeof *g->items);
    size_t at = 0;
    for (size_t b = 0; b < nb; b++) {
        if (b > 0 && cmp_bref(&refs[b], &refs[b - 1]) == 0) {
            g->weight[g->ngroups - 1]++;
            continue;
        }
        for (size_t k = 0; k < refs[b].n; k++)
            g->items[at + k] = byrank[refs[b].items[k]];
        qsort(g->items + at, refs[b].n, sizeof *g->items, cmp_u32);
        g->start[g->ngroups] = at;
        at += refs[b].n;
        g->weight[g->ngroups] = 1;
        g->ngroups++;
        g->start[g->ngroups] = at;
    }
    g->nvoters = (int64_t)nb;
    size_t m = in->nprojects;
    g->votes = xcalloc(m, sizeof *g->votes);
    g->sup_start = xcalloc(m + 1, sizeof *g->sup_start);
    size_t *count = xcalloc(m, sizeof *count);
    for (size_t k = 0; k < g->ngroups; k++)
        for (size_t i = g->start[k]; i < g->start[k + 1]; i++) {
            count[g->items[i]]++;
            g->votes[g->items[i]] += g->weight[k];
        }
    for (size_t p = 0; p < m; p++)
        g->sup_start[p + 1] = g->sup_start[p] + count[p];
    g->supporters = xcalloc(g->sup_start[m], sizeof *g->supporters);
    memset(count, 0, m * sizeof *count);
    for (size_t k = 0; k < g->ngroups; k++)
        for (size_t i = g->start[k]; i < g->start[k + 1]; i++) {
            uint32_t p = g->items[i];
            g->supporters[g->sup_start[p] + count[p]++] = (uint32_t)k;
        }
    free(count);
    free(refs);
    free(norm);
    free(approvals);
    free(byrank);
    free(rank);
}

bool tally_approval_groups(const struct tally_input *in, struct tally_result *out, struct tally_groups *g)
{
    memset(out, 0, sizeof *out);
    if (!tally_input_valid(in) || in->kind != TALLY_APPROVAL)
        return false;
    tally_groups_build(in, g);
    return true;
}

void tally_groups_free(struct tally_groups *g)
{
    free(g->weight);
    free(g->start);
    free(g->items);
    free(g->sup_start);
    free(g->supporters);
    free(g->votes);
    memset(g, 0, sizeof *g);
}

mpq_t *tally_mpq_new(size_t n)
{
    mpq_t *q = xcalloc(n ? n : 1, sizeof *q);
    for (size_t k = 0; k < n; k++)
        mpq_init(q[k]);
    return q;
}

void tally_mpq_free(mpq_t *q, size_t n)
{
    for (size_t k = 0; k < n; k++)
        mpq_clear(q[k]);
    free(q);
}
