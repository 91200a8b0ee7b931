/*
 * mes: the Method of Equal Shares (Peters and Skowron) for approval ballots.
 *
 * Every voter holds a budget. A project c is affordable when its supporters hold at least
 * its cost; its price per unit of utility rho is the least value such that the
 * supporters, each paying min(budget, rho * u(c)), cover the cost. Each round funds the
 * affordable project with the lowest rho (ties: lower cost, more votes, lower index) and
 * charges its supporters. With cost utilities u(c) = cost(c); with cardinality utilities
 * u(c) = 1.
 *
 * Arithmetic: budgets are kept exactly (GMP rationals) and as doubles. Rounds compare the
 * doubles and settle any comparison closer than 1e-9 with the rationals, so the outcome is
 * that of exact arithmetic; payments always use the exact values.
 */
#include "lib/tally/groups.h"
#include "lib/tally/tally.h"
#include "lib/util.h"

#include <gmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NEAR 1e-9

struct mes {
    const struct tally_input *in;
    const struct tally_groups *g;
    const struct tally_options *opt;
    double *bd;
    mpq_t *bq;
    bool *selected;
    size_t *order;
    size_t nselected;
    int64_t spent;
    double *price;
    uint32_t *scratch;
};

static bool near(double a, double b)
{
    return fabs(a - b) <= NEAR * fmax(fabs(a), fabs(b)) + 1e-12;
}

static int by_exact(const void *a, const void *b, void *arg)
{
    mpq_t *bq = arg;
    return mpq_cmp(bq[*(const uint32_t *)a], bq[*(const uint32_t *)b]);
}

static double utility(const struct mes *m, size_t p)
{
    return m->opt->utilities == UTIL_CARDINALITY ? 1.0 : (double)m->in->cost[p];
}

/* rho of project p in doubles; false when the supporters cannot afford it. *close is set
 * when affordability itself is too close to call in doubles. */
static bool rho_double(struct mes *m, size_t p, double *rho, bool *close)
{
    const struct tally_groups *g = m->g;
    size_t s = g->sup_start[p], n = g->sup_start[p + 1] - s;
    double cost = (double)m->in->cost[p], sum = 0;
    *close = false;
    if (n == 0)
        return false;
    for (size_t k = 0; k < n; k++)
        sum += (double)g->weight[g->supporters[s + k]] * m->bd[g->supporters[s + k]];
    if (near(sum, cost))
        *close = true;
    if (sum < cost && !*close)
        return false;
    /* The cap q solves sum(w * min(b, q)) = cost. Start from an equal split and move the
     * supporters who cannot pay it to "pays everything" until the set stops growing:
     * q only rises, so this takes a few passes and no sort. */
    double K = (double)g->votes[p], q = cost / K;
    for (int pass = 0; pass < 1000; pass++) {
        double low_sum = 0, low_w = 0;
        for (size_t k = 0; k < n; k++) {
            uint32_t grp = g->supporters[s + k];
            if (m->bd[grp] < q) {
                low_sum += (double)g->weight[grp] * m->bd[grp];
                low_w += (double)g->weight[grp];
            }
        }
        if (low_w >= K) { /* everyone pays all they hold: affordable only just */
            *close = true;
            break;
        }
        double next = (cost - low_sum) / (K - low_w);
        if (next <= q)
            break;
        q = next;
    }
    *rho = q / utility(m, p);
    return true;
}

/* Exact rho (and the payment cap q) of p; false when unaffordable. */
static bool rho_exact(struct mes *m, size_t p, mpq_t rho, mpq_t q)
{
    const struct tally_groups *g = m->g;
    size_t s = g->sup_start[p], n = g->sup_start[p + 1] - s;
    mpq_t sum, R, tmp, K;
    mpq_inits(sum, R, tmp, K, NULL);
    bool ok = false;
    for (size_t k = 0; k < n; k++) {
        uint32_t grp = g->supporters[s + k];
        mpq_set_si(tmp, g->weight[grp], 1);
        mpq_mul(tmp, tmp, m->bq[grp]);
        mpq_add(sum, sum, tmp);
    }
    mpq_set_si(R, m->in->cost[p], 1);
    if (n > 0 && mpq_cmp(sum, R) >= 0) {
        memcpy(m->scratch, g->supporters + s, n * sizeof *m->scratch);
        qsort_r(m->scratch, n, sizeof *m->scratch, by_exact, m->bq);
        mpq_set_si(K, g->votes[p], 1);
        for (size_t k = 0; k < n; k++) {
            uint32_t grp = m->scratch[k];
            mpq_mul(tmp, m->bq[grp], K);
            if (mpq_cmp(tmp, R) >= 0) {
                mpq_div(q, R, K);
                ok = true;
                break;
            }
            mpq_set_si(tmp, g->weight[grp], 1);
            mpq_mul(tmp, tmp, m->bq[grp]);
            mpq_sub(R, R, tmp);
            mpq_set_si(tmp, g->weight[grp], 1);
            mpq_sub(K, K, tmp);
        }
        if (!ok) { /* the supporters' budgets are exactly the cost */
            mpq_set(q, m->bq[m->scratch[n - 1]]);
            ok = true;
        }
        mpq_set_d(tmp, utility(m, p));
        mpq_div(rho, q, tmp);
    }
    mpq_clears(sum, R, tmp, K, NULL);
    return ok;
}

/* Tie-break between projects of equal rho: lower cost, then more votes, then lower index. */
static bool better_tie(const struct mes *m, size_t a, size_t b)
{
    if (m->in->cost[a] != m->in->cost[b])
        return m->in->cost[a] < m->in->cost[b];
    if (m->g->votes[a] != m->g->votes[b])
        return m->g->votes[a] > m->g->votes[b];
    return a < b;
}

/* Charges the supporters of p the cap q (or what they hold, if less), in doubles. */
static void pay_double(struct mes *m, size_t p, double q, bool *charged)
{
    const struct tally_groups *g = m->g;
    for (size_t k = g->sup_start[p]; k < g->sup_start[p + 1]; k++) {
        uint32_t grp = g->supporters[k];
        m->bd[grp] = m->bd[grp] <= q ? 0 : m->bd[grp] - q;
        charged[grp] = true;
    }
}

/* Recomputes every budget exactly by replaying the projects funded so far with rational
 * arithmetic, for the rare comparison that doubles cannot settle. */
static void replay_exact(struct mes *m, const mpq_t b0)
{
    const struct tally_groups *g = m->g;
    for (size_t k = 0; k < g->ngroups; k++)
        mpq_set(m->bq[k], b0);
    mpq_t rho, q;
    mpq_inits(rho, q, NULL);
    for (size_t i = 0; i < m->nselected; i++) {
        size_t p = m->order[i];
        if (!rho_exact(m, p, rho, q))
            mpq_set_ui(q, 0, 1); /* cannot happen for a funded project; keeps budgets sane */
        for (size_t k = g->sup_start[p]; k < g->sup_start[p + 1]; k++) {
            uint32_t grp = g->supporters[k];
            if (mpq_cmp(m->bq[grp], q) <= 0)
                mpq_set_ui(m->bq[grp], 0, 1);
            else
                mpq_sub(m->bq[grp], m->bq[grp], q);
        }
    }
    for (size_t k = 0; k < g->ngroups; k++)
        m->bd[k] = mpq_get_d(m->bq[k]);
    mpq_clears(rho, q, NULL);
}

/* One run of the rule with every voter starting at budget b0.
 *
 * Budgets only fall, so a project's rho only rises: a value computed earlier is a lower
 * bound. Each round therefore works lazily: take the lowest bound; if it is stale, refresh
 * it and look again; once the lowest is fresh (and so is every bound near it) it is the
 * true minimum. Only projects sharing a supporter with the funded one go stale.
 *
 * Budgets are doubles. When two candidates are within 1e-9 of each other, or whether a
 * project is affordable is that close, the budgets are recomputed exactly (replay_exact)
 * and the choice is made with rationals. */
static void mes_run(struct mes *m, const mpq_t b0)
{
    size_t np = m->in->nprojects;
    const struct tally_groups *g = m->g;
    double b0d = mpq_get_d(b0);
    for (size_t k = 0; k < g->ngroups; k++)
        m->bd[k] = b0d;
    memset(m->selected, 0, np * sizeof *m->selected);
    m->nselected = 0;
    m->spent = 0;
    double *rho = xcalloc(np, sizeof *rho);
    bool *fresh = xcalloc(np, sizeof *fresh), *dead = xcalloc(np, sizeof *dead);
    bool *close = xcalloc(np, sizeof *close), *charged = xcalloc(g->ngroups, sizeof *charged);
    size_t *cand = xcalloc(np, sizeof *cand);
    mpq_t best_rho, best_q, r, q;
    mpq_inits(best_rho, best_q, r, q, NULL);
    for (size_t p = 0; p < np; p++)
        dead[p] = m->opt->excluded && m->opt->excluded[p];
    for (;;) {
        size_t best = SIZE_MAX, nc = 0;
        double min = INFINITY;
        for (;;) {
            min = INFINITY;
            size_t at = SIZE_MAX;
            for (size_t p = 0; p < np; p++)
                if (!dead[p] && rho[p] < min) {
                    min = rho[p];
                    at = p;
                }
            if (at == SIZE_MAX)
                break;
            bool refreshed = false;
            for (size_t p = 0; p < np; p++) {
                if (!dead[p] && !fresh[p] && (p == at || near(rho[p], min))) {
                    fresh[p] = true;
                    if (!rho_double(m, p, &rho[p], &close[p]))
                        dead[p] = true; /* budgets only fall: unaffordable for good */
                    refreshed = true;
                }
            }
            if (refreshed)
                continue;
            nc = 0;
            for (size_t p = 0; p < np; p++)
                if (!dead[p] && near(rho[p], min))
                    cand[nc++] = p;
            break;
        }
        if (nc == 0)
            break;
        bool exact = nc > 1;
        for (size_t i = 0; i < nc; i++)
            exact |= close[cand[i]];
        double qd = 0;
        if (!exact) {
            best = cand[0];
            qd = rho[best] * utility(m, best);
        } else {
            replay_exact(m, b0);
            for (size_t i = 0; i < nc; i++) {
                size_t p = cand[i];
                if (!rho_exact(m, p, r, q)) {
                    dead[p] = true;
                    continue;
                }
                int c = best == SIZE_MAX ? -1 : mpq_cmp(r, best_rho);
                if (c < 0 || (c == 0 && better_tie(m, p, best))) {
                    best = p;
                    mpq_set(best_rho, r);
                    mpq_set(best_q, q);
                }
            }
            if (best == SIZE_MAX)
                continue; /* the near candidates were not affordable after all */
            qd = mpq_get_d(best_q);
        }
        pay_double(m, best, qd, charged);
        m->selected[best] = true;
        dead[best] = true;
        m->order[m->nselected++] = best;
        m->spent += m->in->cost[best];
        m->price[best] = qd;
        if (exact)
            replay_exact(m, b0); /* keep the doubles exactly rounded after an exact step */
        /* projects sharing a charged supporter keep their value only as a lower bound */
        for (size_t p = 0; p < np; p++) {
            if (dead[p] || !fresh[p])
                continue;
            for (size_t k = g->sup_start[p]; k < g->sup_start[p + 1]; k++)
                if (charged[g->supporters[k]]) {
                    fresh[p] = false;
                    break;
                }
        }
        for (size_t k = g->sup_start[best]; k < g->sup_start[best + 1]; k++)
            charged[g->supporters[k]] = false;
    }
    mpq_clears(best_rho, best_q, r, q, NULL);
    free(rho);
    free(fresh);
    free(dead);
    free(close);
    free(charged);
    free(cand);
}

struct outcome {
    bool *selected;
    size_t *order;
    size_t n;
    int64_t spent;
    double *price;
};

static void save(const struct mes *m, struct outcome *o, size_t np)
{
    memcpy(o->selected, m->selected, np * sizeof *o->selected);
    memcpy(o->order, m->order, np * sizeof *o->order);
    memcpy(o->price, m->price, np * sizeof *o->price);
    o->n = m->nselected;
    o->spent = m->spent;
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

static void greedy_fill(const struct mes *m, struct outcome *o, size_t np)
{
    size_t *rank = xcalloc(np, sizeof *rank);
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
    memset(out, 0, sizeof *out);
    if (!tally_input_valid(in) || in->kind != TALLY_APPROVAL)
        return -1;
    size_t np = in->nprojects;
    struct tally_groups g;
    tally_groups_build(in, &g);
    struct mes m = {.in = in, .g = &g, .opt = opt};
    m.bd = xcalloc(g.ngroups, sizeof *m.bd);
    m.bq = tally_mpq_new(g.ngroups);
    m.selected = xcalloc(np, sizeof *m.selected);
    m.order = xcalloc(np, sizeof *m.order);
    m.price = xcalloc(np, sizeof *m.price);
    size_t maxsup = 0;
    for (size_t p = 0; p < np; p++)
        if (g.sup_start[p + 1] - g.sup_start[p] > maxsup)
            maxsup = g.sup_start[p + 1] - g.sup_start[p];
    m.scratch = xcalloc(maxsup, sizeof *m.scratch);

    struct outcome best = {xcalloc(np, sizeof(bool)), xcalloc(np, sizeof(size_t)), 0, 0,
                           xcalloc(np, sizeof(double))};
    mpq_t b0;
    mpq_init(b0);
    int64_t n = g.nvoters, unit = opt->unit > 0 ? opt->unit : 1;
    int64_t voter_budget = 0;
    if (n > 0 && opt->completion == COMPLETION_NONE) {
        mpq_set_si(b0, in->budget, (unsigned long)n);
        mpq_canonicalize(b0);
        mes_run(&m, b0);
        save(&m, &best, np);
    } else if (n > 0) {
        /* add1: whole units from floor(B/n) upwards; keep the last outcome within budget */
        int64_t b = in->budget / n / unit * unit;
        int64_t supported = 0;
        for (size_t p = 0; p < np; p++)
            supported += g.votes[p] > 0;
        for (;;) {
            mpq_set_si(b0, b, 1);
            mes_run(&m, b0);
            if (m.spent > in->budget)
                break;
            save(&m, &best, np);
            voter_budget = b;
            if ((int64_t)m.nselected == supported || b > in->budget)
                break;
            b += unit;
        }
    }
    if (opt->fill_greedy)
        greedy_fill(&m, &best, np);
    if (opt->completion == COMPLETION_ADD1_COMPARISON) {
        struct outcome gr = {xcalloc(np, sizeof(bool)), xcalloc(np, sizeof(size_t)), 0, 0,
                             xcalloc(np, sizeof(double))};
        greedy_fill(&m, &gr, np);
        if (greedy_preferred(&m, best.selected, gr.selected)) {
            free(best.selected);
            free(best.order);
            free(best.price);
            best = gr;
            out->used_greedy = true;
        } else {
            free(gr.selected);
            free(gr.order);
            free(gr.price);
        }
    }
    out->nprojects = np;
    out->score = xcalloc(np, sizeof *out->score);
    memcpy(out->score, g.votes, np * sizeof *out->score);
    out->selected = best.selected;
    out->order = best.order;
    out->nselected = best.n;
    out->spent = best.spent;
    out->price = best.price;
    out->voter_budget = voter_budget;

    mpq_clear(b0);
    tally_mpq_free(m.bq, g.ngroups);
    free(m.bd);
    free(m.selected);
    free(m.order);
    free(m.price);
    free(m.scratch);
    tally_groups_free(&g);
    return 0;
}
