/*
 * greedy: the utilitarian greedy rule most cities use.
 */
#include "lib/tally/tally.h"
#include "lib/tally/groups.h"
#include "lib/util.h"

#include <stdlib.h>
#include <string.h>

void tally_result_free(struct tally_result *r)
{
    if (!r)
        return;
    free(r->score);
    free(r->selected);
    free(r->order);
    free(r->price);
    memset(r, 0, sizeof *r);
}

void tally_scores(const struct tally_input *in, int64_t *score)
{
    memset(score, 0, in->nprojects * sizeof *score);
    for (size_t b = 0; b < in->nballots; b++) {
        size_t len = in->start[b + 1] - in->start[b];
        for (size_t k = in->start[b]; k < in->start[b + 1]; k++) {
            uint32_t p = in->items[k];
            if (p >= in->nprojects)
                continue;
            switch (in->kind) {
            case TALLY_APPROVAL:
                score[p] += 1;
                break;
            case TALLY_CUMULATIVE:
                score[p] += in->points ? in->points[k] : 1;
                break;
            case TALLY_ORDINAL:
                score[p] += (int64_t)(len - (k - in->start[b]));
                break;
            }
        }
    }
}

struct rank_ctx {
    const int64_t *score;
    const int64_t *cost;
};

static int by_score(const void *a, const void *b, void *arg)
{
    const struct rank_ctx *c = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (c->score[x] != c->score[y])
        return c->score[x] > c->score[y] ? -1 : 1;
    if (c->cost[x] != c->cost[y])
        return c->cost[x] < c->cost[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

void tally_rank(const struct tally_input *in, const int64_t *score, size_t *rank)
{
    for (size_t i = 0; i < in->nprojects; i++)
        rank[i] = i;
    struct rank_ctx ctx = {score, in->cost};
    qsort_r(rank, in->nprojects, sizeof *rank, by_score, &ctx);
}

bool tally_input_valid(const struct tally_input *in)
{
    for (size_t b = 0; b < in->nballots; b++) {
        if (in->start[b + 1] < in->start[b])
            return false;
        for (size_t k = in->start[b]; k < in->start[b + 1]; k++)
            if (in->items[k] >= in->nprojects)
                return false;
    }
    return true;
}

int tally_greedy(const struct tally_input *in, const struct tally_options *opt,
                 struct tally_result *out)
{
    memset(out, 0, sizeof *out);
    if (!tally_input_valid(in))
        return -1;
    if (tally_cancelled(opt))
        return TALLY_CANCELLED;
    size_t m = in->nprojects;
    out->nprojects = m;
    out->score = xcalloc(m, sizeof *out->score);
    out->selected = xcalloc(m, sizeof *out->selected);
    out->order = xcalloc(m, sizeof *out->order);
    tally_scores(in, out->score);

    size_t *rank = xcalloc(m ? m : 1, sizeof *rank);
    tally_rank(in, out->score, rank);

    int64_t left = in->budget;
    const int32_t *group = opt ? opt->exclusive_group : NULL;
    for (size_t i = 0; i < m; i++) {
        size_t p = rank[i];
        if (opt && ((opt->min_score > 0 && out->score[p] < opt->min_score) || (opt->excluded && opt->excluded[p])))
            continue;
        bool excluded = false;
        for (size_t k = 0; group && group[p] > 0 && k < out->nselected; k++)
            excluded |= group[out->order[k]] == group[p];
        if (excluded)
            continue;
        if (in->cost[p] <= left) {
            out->selected[p] = true;
            out->order[out->nselected++] = p;
            left -= in->cost[p];
            out->spent += in->cost[p];
        } else if (opt && opt->greedy == GREEDY_NO_SKIP) {
            break;
        }
    }
    free(rank);
    tally_progress_set(opt, 1000);
    return 0;
}

bool tally_cancelled(const struct tally_options *opt)
{
    return opt && opt->progress && atomic_load(&opt->progress->cancel);
}

void tally_progress_set(const struct tally_options *opt, int permille)
{
    if (!opt || !opt->progress)
        return;
    int cur = atomic_load(&opt->progress->permille);
    while (permille > cur && !atomic_compare_exchange_weak(&opt->progress->permille, &cur, permille))
        ;
}

int tally_run(const struct tally_input *in, const struct tally_options *opt,
              struct tally_result *out)
{
    switch (opt->rule) {
    case RULE_EQUAL_SHARES:
        return tally_equal_shares(in, opt, out);
    case RULE_PHRAGMEN:
        return tally_phragmen(in, opt, out);
    case RULE_GREEDY:
        break;
    }
    return tally_greedy(in, opt, out);
}
