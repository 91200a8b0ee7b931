/*
 * equal_shares: the Method of Equal Shares as a rule: the completion (add1, with or
 * without Wieliczka's comparison), the optional greedy fill, and the result.
 *
 * add1 is defined by single steps: every voter starts at floor(B/n) whole units, then one
 * unit more, and so on, each a full run; the count goes on while the outcome costs at most
 * B and is not yet exhaustive, and the last outcome within B wins. Budapest 2024 (a budget
 * of 10^9 forint) takes 23,177 such runs. The outcome of a run changes with the starting
 * budget only where some comparison inside it changes, so the search runs once, estimates
 * from the run where its first comparison could change, proves with mes_same_up_to that
 * every start up to the last whole unit before that point decides the same (halving the
 * stretch when it cannot), and runs next just after it. The unit steps remain as
 * add1_unit_steps, the tests' reference.
 */
#include "lib/tally/mes.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SHORT 3

struct outcome {
    bool *selected;
    size_t *order;
    size_t n;
    int64_t spent;
    double *price;
};

static void outcome_alloc(struct outcome *o, size_t np)
{
    o->selected = xcalloc(np ? np : 1, sizeof *o->selected);
    o->order = xcalloc(np ? np : 1, sizeof *o->order);
    o->price = xcalloc(np ? np : 1, sizeof *o->price);
    o->n = 0;
    o->spent = 0;
}

static void outcome_free(struct outcome *o)
{
    free(o->selected);
    free(o->order);
    free(o->price);
}

static void save(const struct mes *m, struct outcome *o)
{
    memset(o->price, 0, m->np * sizeof *o->price);
    memcpy(o->selected, m->selected, m->np * sizeof *o->selected);
    memcpy(o->order, m->order, m->np * sizeof *o->order);
    for (size_t i = 0; i < m->nselected; i++)
        o->price[m->order[i]] = m->price[m->order[i]];
    o->n = m->nselected;
    o->spent = m->spent;
}

static void run_at(struct mes *m, int64_t b)
{
    mpq_t b0;
    mpq_init(b0);
    mpq_set_si(b0, b, 1);
    mes_run(m, b0);
    mpq_clear(b0);
}

struct search {
    int64_t budget, unit, supported;
    int64_t first_spent; /* of the first run, for progress */
    int64_t proven; /* the length of the last stretch proven */
    int64_t failed; /* the last starting budget a proof failed at */
    int runs, checks;
};

/* Progress of add1: how far the outcome's cost has come from the first run's towards B
 * (the search ends when the next outcome would cost more than B). */
static void add1_progress(const struct mes *m, const struct search *s)
{
    if (s->budget <= s->first_spent)
        return;
    double f = (double)(m->spent - s->first_spent) / (double)(s->budget - s->first_spent);
    tally_progress_set(m->opt, (int)(50 + 900 * fmin(1, fmax(0, f))));
}

/* The definition: one run per unit. Sets *found to the per-voter budget of the last
 * outcome within B; false when even the first overspends. */
static bool add1_unit_steps(struct mes *m, int64_t start, struct search *s, int64_t *found)
{
    bool have = false;
    for (int64_t b = start;; b += s->unit) {
        run_at(m, b);
        if (s->runs++ == 0)
            s->first_spent = m->spent;
        if (tally_cancelled(m->opt) || m->spent > s->budget)
            break;
        have = true;
        *found = b;
        add1_progress(m, s);
        if ((int64_t)m->nselected == s->supported || b > s->budget)
            break;
    }
    return have;
}

/* The same answer as add1_unit_steps, skipping the stretches of starting budgets that are
 * proven to give the outcome the last run gave. */
static bool add1_skipping(struct mes *m, int64_t start, struct search *s, int64_t *found)
{
    int64_t unit = s->unit;
    /* the unit steps stop at the first start above B at the latest */
    int64_t last = (s->budget / unit + 1) * unit;
    bool have = false;
    int64_t t = start;
    run_at(m, t);
    s->runs++;
    s->first_spent = m->spent;
    while (!tally_cancelled(m->opt) && m->spent <= s->budget) {
        have = true;
        *found = t;
        add1_progress(m, s);
        if ((int64_t)m->nselected == s->supported || t > s->budget)
            break;
        /* the last whole unit before the estimated first change, then prove it */
        double est = (double)t + m->next_change;
        int64_t g = last;
        if (est < (double)last) {
            g = (int64_t)floor(est / (double)unit) * unit;
            if ((double)g >= est)
                g -= unit;
        }
        /* a point that failed before is likely to fail again: stop short of it */
        if (s->failed > t && g >= s->failed)
            g = s->failed - unit;
        /* a proof costs about as much as SHORT runs: a shorter stretch is cheaper to step */
        while (g > t) {
            if (g - t < SHORT * unit) {
                g = t;
                break;
            }
            s->checks++;
            if (mes_same_up_to(m, (double)g))
                break;
            s->failed = g;
            /* a change the check saw for real: just before it; else half the stretch */
            if (m->change_at > (double)t && m->change_at <= (double)g) {
                int64_t c = (int64_t)floor(m->change_at / (double)unit) * unit;
                g = c >= g ? g - unit : c;
            } else {
                g = t + (g - t) / unit / 2 * unit;
            }
        }
        s->proven = g > t ? g - t : 0;
        if (g > t) {
            *found = g; /* every start in [t, g] gives this outcome */
            if (g >= last)
                break;
        }
        t = (g > t ? g : t) + unit;
        run_at(m, t);
        s->runs++;
    }
    return have;
}

/* Plain greedy by approvals on what is left (for fill and comparison). */
static int by_votes(const void *a, const void *b, void *arg)
{
    const struct mes *m = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (m->g->votes[x] != m->g->votes[y])
        return m->g->votes[x] > m->g->votes[y] ? -1 : 1;
    if (m->in->cost[x] != m->in->cost[y])
        return m->in->cost[x] < m->in->cost[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

static void greedy_fill(const struct mes *m, struct outcome *o)
{
    size_t np = m->np;
    size_t *rank = xcalloc(np ? np : 1, sizeof *rank);
    for (size_t p = 0; p < np; p++)
        rank[p] = p;
    qsort_r(rank, np, sizeof *rank, by_votes, (void *)m);
    for (size_t i = 0; i < np; i++) {
        size_t p = rank[i];
        if (o->selected[p] || m->g->votes[p] == 0 || o->spent + m->in->cost[p] > m->in->budget ||
            (m->opt->excluded && m->opt->excluded[p]))
            continue;
        o->selected[p] = true;
        o->order[o->n++] = p;
        o->spent += m->in->cost[p];
    }
    free(rank);
}

/* Wieliczka's comparison: true when strictly more voters approve more greedy winners than
 * Equal Shares winners than the other way round. */
static bool greedy_preferred(const struct mes *m, const bool *es, const bool *gr)
{
    int64_t prefer_greedy = 0, prefer_es = 0;
    const struct tally_groups *g = m->g;
    for (size_t k = 0; k < g->ngroups; k++) {
        int64_t a = 0, b = 0;
        for (size_t i = g->start[k]; i < g->start[k + 1]; i++) {
            a += es[g->items[i]];
            b += gr[g->items[i]];
        }
        if (b > a)
            prefer_greedy += g->weight[k];
        else if (a > b)
            prefer_es += g->weight[k];
    }
    return prefer_greedy > prefer_es;
}

int tally_equal_shares(const struct tally_input *in, const struct tally_options *opt,
                       struct tally_result *out)
{
    struct tally_groups g;
    if (!tally_approval_groups(in, out, &g))
        return -1;
    size_t np = in->nprojects;
    tally_progress_set(opt, 20);
    struct mes m;
    mes_init(&m, in, &g, opt);
    struct outcome best;
    outcome_alloc(&best, np);
    int64_t n = g.nvoters, voter_budget = 0;
    if (n > 0 && opt->completion == COMPLETION_NONE) {
        mpq_t b0;
        mpq_init(b0);
        mpq_set_si(b0, in->budget, (unsigned long)n);
        mpq_canonicalize(b0);
        mes_run(&m, b0);
        mpq_clear(b0);
        save(&m, &best);
    } else if (n > 0) {
        struct search s = {.budget = in->budget, .unit = opt->unit > 0 ? opt->unit : 1};
        int64_t start = in->budget / n / s.unit * s.unit;
        for (size_t p = 0; p < np; p++)
            s.supported += g.votes[p] > 0;
        bool have = opt->add1_unit_steps ? add1_unit_steps(&m, start, &s, &voter_budget)
                                         : add1_skipping(&m, start, &s, &voter_budget);
        out->runs = (size_t)s.runs;
        out->checks = (size_t)s.checks;
        if (have && !tally_cancelled(opt)) {
            mes_forget(&m); /* every round decided by the run itself, as the unit steps do */
            run_at(&m, voter_budget); /* the outcome with its payments at that budget */
            save(&m, &best);
        }
    }
    if (tally_cancelled(opt)) {
        outcome_free(&best);
        mes_free(&m);
        tally_groups_free(&g);
        return TALLY_CANCELLED;
    }
    if (opt->fill_greedy)
        greedy_fill(&m, &best);
    if (opt->completion == COMPLETION_ADD1_COMPARISON) {
        struct outcome gr;
        outcome_alloc(&gr, np);
        greedy_fill(&m, &gr);
        if (greedy_preferred(&m, best.selected, gr.selected)) {
            outcome_free(&best);
            best = gr;
            out->used_greedy = true;
        } else {
            outcome_free(&gr);
        }
    }
    out->nprojects = np;
    out->score = xcalloc(np ? np : 1, sizeof *out->score);
    memcpy(out->score, g.votes, np * sizeof *out->score);
    out->selected = best.selected;
    out->order = best.order;
    out->nselected = best.n;
    out->spent = best.spent;
    out->price = best.price;
    out->voter_budget = voter_budget;
    mes_free(&m);
    tally_groups_free(&g);
    tally_progress_set(opt, 1000);
    return 0;
}
