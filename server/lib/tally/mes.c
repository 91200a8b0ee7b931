/*
 * mes: one run of the Method of Equal Shares (Peters and Skowron) for approval ballots.
 *
 * Every voter holds a budget. A project c is affordable when its supporters hold at least
 * its cost; its price per unit of utility rho is the least value such that the
 * supporters, each paying min(budget, rho * u(c)), cover the cost. Each round funds the
 * affordable project with the lowest rho (ties: lower cost, more votes, lower index) and
 * charges its supporters. With cost utilities u(c) = cost(c); with cardinality utilities
 * u(c) = 1.
 *
 * Arithmetic: budgets are doubles. Rounds compare the doubles and settle any comparison
 * closer than 1e-9 exactly: when no supporter of any near candidate is capped, rho is
 * cost / (votes * u) and integers decide; otherwise the budgets are recomputed with GMP
 * rationals and the rationals decide. The outcome is that of exact arithmetic.
 */
#include "lib/tally/mes.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


double mes_utility(const struct mes *m, size_t p)
{
    return m->opt->utilities == UTIL_CARDINALITY ? 1.0 : (double)m->in->cost[p];
}

bool mes_shadowed(const struct mes *m, const bool *sel, size_t p)
{
    return m->twin_prev[p] != MES_NONE && !sel[m->twin_prev[p]];
}

void mes_untouched_start(struct mes *m, const double *const *arrays, size_t n)
{
    memset(m->touched, 0, m->np * sizeof *m->touched);
    for (size_t i = 0; i < n; i++)
        m->plain[i] = arrays[i];
    m->nplain = n;
}

static bool is_plain(const struct mes *m, const double *a)
{
    for (size_t i = 0; i < m->nplain; i++)
        if (m->plain[i] == a)
            return true;
    return false;
}

bool mes_plain(const struct mes *m, const double *b, const double *s, size_t p)
{
    return !m->touched[p] && is_plain(m, b) && (!s || is_plain(m, s));
}

/* rho of p when every supporter holds b0 (slope s0): found without a scan when p is
 * clearly unaffordable or clearly uncapped; false otherwise (the scan decides). */
static bool rho_plain(const struct mes *m, size_t p, double b0, double s0, bool *affordable, struct mes_rho *v)
{
    double cost = (double)m->in->cost[p], K = (double)m->g->votes[p], q = cost / K;
    v->sum = K * b0;
    v->dsum = K * s0;
    v->close = mes_near(v->sum, cost);
    if (v->close)
        return false;
    if (v->sum < cost) {
        *affordable = false;
        return true;
    }
    if (!mes_clearly_above(b0, q))
        return false;
    v->uncapped = true;
    v->rho = q / mes_utility(m, p);
    *affordable = true;
    return true;
}

bool mes_rho(const struct mes *m, const double *b, const double *s, size_t p, struct mes_rho *v)
{
    return mes_rho_from(m, b, s, p, 0, v);
}

/* rho of project p with budgets b (and budget slopes s, or NULL); false when the
 * supporters cannot afford p. rho_low is a known lower bound of rho (0: none). */
bool mes_rho_from(const struct mes *m, const double *b, const double *s, size_t p, double rho_low,
                  struct mes_rho *v)
{
    const struct tally_groups *g = m->g;
    size_t st = g->sup_start[p], n = g->sup_start[p + 1] - st;
    const uint32_t *sup = g->supporters + st;
    const double *wt = m->supw + st; /* the supporters' weights, in the same order */
    memset(v, 0, sizeof *v);
    if (n == 0)
        return false;
    if (m->in->cost[p] == 0) { /* free: funded at no charge */
        v->uncapped = true;
        return true;
    }
    bool affordable;
    if (mes_plain(m, b, s, p) && rho_plain(m, p, b[sup[0]], s ? s[sup[0]] : 0, &affordable, v))
        return affordable;
    struct mes_cap c = mes_cap_start(m, p, rho_low, 0, s != NULL);
    if (s)
        for (size_t k = 0; k < n; k++)
            mes_cap_add(&c, b[sup[k]], s[sup[k]], wt[k], true);
    else
        for (size_t k = 0; k < n; k++)
            mes_cap_add(&c, b[sup[k]], 0, wt[k], false);
    return mes_cap_finish(c, v);
}

/* One later pass of the cap (see mes_cap_finish): moves the kept supporters now below q
 * to the sums and keeps the others. Inlined with slopes a constant, so that a scan without
 * slopes neither reads nor copies them. */
static inline void cap_pass(struct mes_cap *c, bool slopes)
{
    size_t keep = 0;
    c->above = INFINITY;
    for (size_t k = 0; k < c->nr; k++) {
        double bk = c->gb[k], wk = c->gw[k];
        if (bk < c->q) {
            c->low_sum += wk * bk;
            c->low_w += wk;
            if (slopes)
                c->low_ws += wk * c->gs[k];
            c->below = bk > c->below ? bk : c->below;
        } else {
            c->gb[keep] = bk;
            if (slopes)
                c->gs[keep] = c->gs[k];
            c->gw[keep++] = wk;
            c->above = bk < c->above ? bk : c->above;
        }
    }
    c->nr = keep;
}

bool mes_cap_finish(struct mes_cap c, struct mes_rho *v)
{
    memset(v, 0, sizeof *v);
    v->sum = c.sum;
    v->dsum = c.dsum;
    v->close = mes_near(c.sum, c.cost);
    if (c.sum < c.cost && !v->close)
        return false;
    if (!v->close && mes_clearly_above(c.minb, c.q_equal)) {
        v->uncapped = true;
        v->rho = c.q_equal / c.u;
        return true;
    }
    /* The cap q solves sum(w * min(b, q)) = cost. Start from an equal split and move the
     * supporters who cannot pay it to "pays everything" until the set stops growing:
     * q only rises, so this takes a few passes and no sort. The scan made the first pass
     * (mes_cap_add). Each later pass moves the kept supporters now below q to the sums and
     * notes the least budget of the others (above): when the next q does not pass it, the
     * set stays as it is, a further pass would compute the same q again, and the passes
     * stop one early with that q. */
    for (int pass = 0; pass < 1000; pass++) {
        if (pass > 0 && c.slopes)
            cap_pass(&c, true);
        else if (pass > 0)
            cap_pass(&c, false);
        if (c.low_w >= c.K) { /* everyone pays all they hold: affordable only just */
            v->close = true;
            break;
        }
        double next = (c.cost - c.low_sum) / (c.K - c.low_w);
        if (next <= c.q)
            break;
        c.q = next;
        if (c.above >= next)
            break;
    }
    /* the supporters nearest the cap are the highest of those paying all they hold and
     * the lowest of the others: if neither is within the margin, none is */
    v->near_cap = (c.below > 0 && mes_near(c.below, c.q)) || (c.above < INFINITY && mes_near(c.above, c.q));
    v->rho = c.q / c.u;
    if (c.low_w < c.K)
        v->drho = -c.low_ws / (c.K - c.low_w) / c.u;
    return true;
}

static int by_exact(const void *a, const void *b, void *arg)
{
    mpq_t *bq = arg;
    return mpq_cmp(bq[*(const uint32_t *)a], bq[*(const uint32_t *)b]);
}

/* Exact rho (and the payment cap q) of p; false when unaffordable. */
static bool rho_exact(struct mes *m, size_t p, mpq_t rho, mpq_t q)
{
    const struct tally_groups *g = m->g;
    size_t s = g->sup_start[p], n = g->sup_start[p + 1] - s;
    if (n > 0 && m->in->cost[p] == 0) {
        mpq_set_ui(rho, 0, 1);
        mpq_set_ui(q, 0, 1);
        return true;
    }
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
        mpq_set_d(tmp, mes_utility(m, p));
        mpq_div(rho, q, tmp);
    }
    mpq_clears(sum, R, tmp, K, NULL);
    return ok;
}

/* Tie-break between projects of equal rho: lower cost, then more votes, then lower index. */
bool mes_better_tie(const struct mes *m, size_t a, size_t b)
{
    if (m->in->cost[a] != m->in->cost[b])
        return m->in->cost[a] < m->in->cost[b];
    if (m->g->votes[a] != m->g->votes[b])
        return m->g->votes[a] > m->g->votes[b];
    return a < b;
}

/* Compares the rho of two projects nobody is capped for: cost / (K u), exactly. */
int mes_uncapped_cmp(const struct mes *m, size_t a, size_t b)
{
    const int64_t *cost = m->in->cost, *K = m->g->votes;
    if (cost[a] == 0 || cost[b] == 0)
        return (cost[a] != 0) - (cost[b] != 0);
    __int128 x, y;
    if (m->opt->utilities == UTIL_CARDINALITY) {
        x = (__int128)cost[a] * K[b];
        y = (__int128)cost[b] * K[a];
    } else { /* 1/K */
        x = K[b];
        y = K[a];
    }
    return x < y ? -1 : x > y;
}

/* The projects sharing a supporter with p, as a bit set (bit x of word x / 64): found once
 * per project, the first time it is funded, by marking its supporters and looking at
 * each other project's until one is marked. */
static const uint64_t *neighbours(struct mes *m, size_t p)
{
    if (m->neighbours[p])
        return m->neighbours[p];
    const struct tally_groups *g = m->g;
    uint64_t *row = xcalloc(m->np / 64 + 1, sizeof *row);
    for (size_t k = g->sup_start[p]; k < g->sup_start[p + 1]; k++)
        m->charged[g->supporters[k]] = true;
    for (size_t x = 0; x < m->np; x++)
        for (size_t k = g->sup_start[x]; k < g->sup_start[x + 1]; k++)
            if (m->charged[g->supporters[k]]) {
                row[x / 64] |= (uint64_t)1 << (x % 64);
                break;
            }
    for (size_t k = g->sup_start[p]; k < g->sup_start[p + 1]; k++)
        m->charged[g->supporters[k]] = false;
    m->neighbours[p] = row;
    return row;
}

/* A project sharing a supporter with p (just funded) keeps its rho only as a lower bound:
 * it is marked stale unless gone[x]. */
void mes_mark_stale(struct mes *m, size_t p, const bool *gone)
{
    const uint64_t *row = neighbours(m, p);
    for (size_t x = 0; x < m->np; x++) {
        if (!(row[x / 64] >> (x % 64) & 1))
            continue;
        if (!gone[x])
            m->fresh[x] = false;
        /* touched is kept for the gone too: the end of a run prices the projects that died */
        m->touched[x] = true;
    }
}

/* Charges the supporters of p the cap q (or what they hold, if less) in budgets b and
 * moves the slopes s along by dq (s NULL: none). */
static void pay(struct mes *m, double *b, double *s, size_t p, double q, double dq)
{
    const struct tally_groups *g = m->g;
    for (size_t k = g->sup_start[p]; k < g->sup_start[p + 1]; k++) {
        uint32_t grp = g->supporters[k];
        if (b[grp] <= q) {
            b[grp] = 0;
            s[grp] = 0;
        } else {
            b[grp] -= q;
            s[grp] -= dq;
        }
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

/* The cheapest rho among the live projects, refreshing lazily: budgets only fall, so a
 * rho computed earlier is a lower bound; once the lowest is fresh (and so is every value
 * near it) it is the true minimum. Fills m->cand with the near candidates; returns their
 * count. Projects found unaffordable die. */
static size_t candidates(struct mes *m)
{
    size_t np = m->np;
    for (;;) {
        double min = INFINITY;
        size_t at = SIZE_MAX;
        for (size_t p = 0; p < np; p++)
            if (!m->dead[p] && !mes_shadowed(m, m->selected, p) && m->rho[p] < min) {
                min = m->rho[p];
                at = p;
            }
        if (at == SIZE_MAX)
            return 0;
        bool refreshed = false;
        for (size_t p = 0; p < np; p++) {
            if (m->dead[p] || m->fresh[p] || mes_shadowed(m, m->selected, p) || (p != at && !mes_near(m->rho[p], min)))
                continue;
            struct mes_rho v;
            m->fresh[p] = true;
            refreshed = true;
            if (!mes_rho_from(m, m->bd, m->sd, p, m->rho[p], &v)) {
                m->dead[p] = true; /* budgets only fall: unaffordable for good */
                m->death[p] = v.dsum > 0 ? ((double)m->in->cost[p] - v.sum) / v.dsum : INFINITY;
                continue;
            }
            m->rho[p] = v.rho;
            m->drho[p] = v.drho;
            m->close[p] = v.close;
            m->uncapped[p] = v.uncapped;
        }
        if (refreshed)
            continue;
        size_t nc = 0;
        for (size_t p = 0; p < np; p++)
            if (!m->dead[p] && !mes_shadowed(m, m->selected, p) && mes_near(m->rho[p], min))
                m->cand[nc++] = p;
        return nc;
    }
}

/* Picks the winner among n near candidates exactly; returns it (SIZE_MAX if none of them
 * is affordable after all) with its cap q, and whether its rho is known exactly. */
static size_t settle(struct mes *m, size_t n, const mpq_t b0, double *qd, bool *exact_rho, bool *replayed)
{
    bool close = false, all_uncapped = true;
    for (size_t i = 0; i < n; i++) {
        close |= m->close[m->cand[i]];
        all_uncapped &= m->uncapped[m->cand[i]];
    }
    *replayed = false;
    if (!close && (n == 1 || all_uncapped)) {
        size_t best = m->cand[0];
        for (size_t i = 1; i < n; i++) {
            int c = mes_uncapped_cmp(m, m->cand[i], best);
            if (c < 0 || (c == 0 && mes_better_tie(m, m->cand[i], best)))
                best = m->cand[i];
        }
        *qd = m->in->cost[best] == 0 ? 0 : m->rho[best] * mes_utility(m, best);
        if (all_uncapped && m->in->cost[best] != 0)
            *qd = (double)m->in->cost[best] / (double)m->g->votes[best];
        *exact_rho = all_uncapped;
        return best;
    }
    *exact_rho = false;
    *replayed = true;
    replay_exact(m, b0);
    mpq_t best_rho, best_q, r, q;
    mpq_inits(best_rho, best_q, r, q, NULL);
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t p = m->cand[i];
        if (!rho_exact(m, p, r, q)) {
            m->dead[p] = true;
            continue;
        }
        int c = best == SIZE_MAX ? -1 : mpq_cmp(r, best_rho);
        if (c < 0 || (c == 0 && mes_better_tie(m, p, best))) {
            best = p;
            mpq_set(best_rho, r);
            mpq_set(best_q, q);
        }
    }
    *qd = best == SIZE_MAX ? 0 : mpq_get_d(best_q);
    mpq_clears(best_rho, best_q, r, q, NULL);
    return best;
}

void mes_forget(struct mes *m)
{
    m->known_rounds = 0;
}

bool mes_known(const struct mes *m, double t0, double t1)
{
    return m->known_rounds > 0 && m->known_lo <= t0 && t1 <= m->known_hi;
}

/* Funds p (the winner of the round) at cap qd and keeps the books. */
static void fund(struct mes *m, size_t p, double qd, bool exact_rho)
{
    pay(m, m->bd, m->sd, p, qd, m->drho[p] * mes_utility(m, p));
    mes_mark_stale(m, p, m->dead);
    m->selected[p] = true;
    m->dead[p] = true;
    m->order[m->nselected++] = p;
    m->spent += m->in->cost[p];
    m->price[p] = qd;
    m->exact_rho[p] = exact_rho;
}

/* The rounds a failed check proved (mes_known): each known winner is priced and funded
 * without looking at the others, and the lazy search then starts from the bounds the check
 * left. False when a winner's price is too close to call in doubles: the rounds before it
 * stand, and the run decides the rest itself from bounds of 0. */
static bool fund_known_rounds(struct mes *m)
{
    size_t np = m->np;
    for (size_t r = 0; r < m->known_rounds; r++) {
        size_t w = m->known_order[r];
        struct mes_rho v;
        if (!mes_rho(m, m->bd, m->sd, w, &v) || v.close) {
            for (size_t p = 0; p < np; p++)
                m->fresh[p] = false; /* the rho values below are 0: lower bounds still */
            return false;
        }
        double qd = m->in->cost[w] == 0 ? 0
                    : v.uncapped        ? (double)m->in->cost[w] / (double)m->g->votes[w]
                                        : v.rho * mes_utility(m, w);
        m->rho[w] = v.rho;
        m->drho[w] = v.drho;
        fund(m, w, qd, v.uncapped);
    }
    for (size_t p = 0; p < np; p++) {
        m->fresh[p] = false;
        if (m->selected[p])
            continue;
        m->rho[p] = m->known_rho[p];
        if (m->known_dead[p] && !m->dead[p]) {
            m->dead[p] = true;
            m->death[p] = INFINITY; /* not known: the end-of-run estimate skips it */
        }
    }
    return true;
}

void mes_run(struct mes *m, const mpq_t b0)
{
    size_t np = m->np;
    const struct tally_groups *g = m->g;
    double b0d = mpq_get_d(b0);
    m->t0 = b0d;
    for (size_t k = 0; k < g->ngroups; k++) {
        m->bd[k] = b0d;
        m->sd[k] = 1;
    }
    memset(m->selected, 0, np * sizeof *m->selected);
    memset(m->fresh, 0, np * sizeof *m->fresh);
    const double *plain[] = {m->bd, m->sd};
    mes_untouched_start(m, plain, 2);
    m->nselected = 0;
    m->spent = 0;
    m->next_change = INFINITY;
    for (size_t p = 0; p < np; p++) {
        m->rho[p] = 0;
        m->drho[p] = 0;
        m->dead[p] = (m->opt->excluded && m->opt->excluded[p]) || g->votes[p] == 0;
        m->death[p] = 0;
    }
    /* Inside a stretch whose first rounds are known: those rounds cannot change before its
     * end, and without their competitors nothing says how soon after it they may, so the
     * estimate of the first change is at most the end. */
    if (mes_known(m, b0d, b0d) && b0d < m->known_hi && fund_known_rounds(m))
        m->next_change = m->known_hi - b0d;
    for (;;) {
        size_t nc = candidates(m);
        if (nc == 0)
            break;
        double qd;
        bool exact_rho, replayed;
        size_t best = settle(m, nc, b0, &qd, &exact_rho, &replayed);
        if (best == SIZE_MAX)
            continue; /* the near candidates were not affordable after all */
        double u = mes_utility(m, best), rb = m->in->cost[best] == 0 ? 0 : qd / u;
        /* where, going up from b0, a project still in play may overtake the winner */
        for (size_t p = 0; p < np; p++) {
            if (p == best || m->dead[p] || !m->fresh[p] || mes_shadowed(m, m->selected, p))
                continue;
            double rate = m->drho[best] - m->drho[p];
            if (rate > 0)
                m->next_change = fmin(m->next_change, fmax(0, m->rho[p] - rb) / rate);
        }
        fund(m, best, qd, exact_rho);
        if (replayed)
            replay_exact(m, b0); /* keep the doubles exactly rounded after an exact step */
    }
    /* where, going up from b0, a project left out may become affordable at the end */
    struct mes_rho v;
    for (size_t p = 0; p < np; p++) {
        /* when it died its supporters held more than now: if even then it was further
         * from affordable than the change already found, look no closer */
        if (m->selected[p] || g->votes[p] == 0 || (m->opt->excluded && m->opt->excluded[p]) ||
            mes_shadowed(m, m->selected, p) || m->death[p] >= m->next_change ||
            mes_rho(m, m->bd, m->sd, p, &v) || v.dsum <= 0)
            continue;
        m->next_change = fmin(m->next_change, ((double)m->in->cost[p] - v.sum) / v.dsum);
    }
    mes_untouched_start(m, NULL, 0);
}

static int cmp_twin(const void *a, const void *b, void *arg)
{
    const struct mes *m = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    const struct tally_groups *g = m->g;
    bool ex = m->opt->excluded && m->opt->excluded[x], ey = m->opt->excluded && m->opt->excluded[y];
    if (ex != ey)
        return ex ? 1 : -1;
    if (m->in->cost[x] != m->in->cost[y])
        return m->in->cost[x] < m->in->cost[y] ? -1 : 1;
    size_t nx = g->sup_start[x + 1] - g->sup_start[x], ny = g->sup_start[y + 1] - g->sup_start[y];
    if (nx != ny)
        return nx < ny ? -1 : 1;
    int c = memcmp(g->supporters + g->sup_start[x], g->supporters + g->sup_start[y], nx * sizeof(uint32_t));
    if (c)
        return c;
    return x < y ? -1 : x > y;
}

void mes_init(struct mes *m, const struct tally_input *in, const struct tally_groups *g,
              const struct tally_options *opt)
{
    memset(m, 0, sizeof *m);
    size_t np = in->nprojects;
    m->in = in;
    m->g = g;
    m->opt = opt;
    m->np = np;
    m->bd = xcalloc(g->ngroups, sizeof *m->bd);
    m->sd = xcalloc(g->ngroups, sizeof *m->sd);
    m->hb = xcalloc(g->ngroups, sizeof *m->hb);
    m->lb = xcalloc(g->ngroups, sizeof *m->lb);
    m->bq = tally_mpq_new(g->ngroups);
    m->selected = xcalloc(np, sizeof *m->selected);
    m->order = xcalloc(np, sizeof *m->order);
    m->price = xcalloc(np, sizeof *m->price);
    m->exact_rho = xcalloc(np, sizeof *m->exact_rho);
    m->rho = xcalloc(np, sizeof *m->rho);
    m->drho = xcalloc(np, sizeof *m->drho);
    m->fresh = xcalloc(np, sizeof *m->fresh);
    m->dead = xcalloc(np, sizeof *m->dead);
    m->close = xcalloc(np, sizeof *m->close);
    m->uncapped = xcalloc(np, sizeof *m->uncapped);
    m->hsel = xcalloc(np, sizeof *m->hsel);
    m->touched = xcalloc(np ? np : 1, sizeof *m->touched);
    m->known_order = xcalloc(np ? np : 1, sizeof *m->known_order);
    m->known_rho = xcalloc(np ? np : 1, sizeof *m->known_rho);
    m->known_dead = xcalloc(np ? np : 1, sizeof *m->known_dead);
    m->charged = xcalloc(g->ngroups ? g->ngroups : 1, sizeof *m->charged);
    m->neighbours = xcalloc(np ? np : 1, sizeof *m->neighbours);
    double **bounds[] = {&m->l0, &m->l1, &m->u0, &m->u1, &m->us0, &m->us1};
    for (size_t i = 0; i < sizeof bounds / sizeof *bounds; i++)
        *bounds[i] = xcalloc(g->ngroups ? g->ngroups : 1, sizeof(double));
    m->cand = xcalloc(np, sizeof *m->cand);
    m->twin_prev = xcalloc(np, sizeof *m->twin_prev);
    m->death = xcalloc(np ? np : 1, sizeof *m->death);
    size_t maxsup = 1;
    for (size_t p = 0; p < np; p++)
        if (g->sup_start[p + 1] - g->sup_start[p] > maxsup)
            maxsup = g->sup_start[p + 1] - g->sup_start[p];
    m->scratch = xcalloc(maxsup, sizeof *m->scratch);
    m->maxsup = maxsup;
    m->gather_b = xcalloc(MES_CAP_BUFFERS * maxsup, sizeof *m->gather_b);
    m->gather_s = xcalloc(MES_CAP_BUFFERS * maxsup, sizeof *m->gather_s);
    m->gather_w = xcalloc(MES_CAP_BUFFERS * maxsup, sizeof *m->gather_w);
    m->supw = xcalloc(g->sup_start[np] ? g->sup_start[np] : 1, sizeof *m->supw);
    for (size_t k = 0; k < g->sup_start[np]; k++)
        m->supw[k] = (double)g->weight[g->supporters[k]];
    /* twins: sort by (excluded, cost, supporters, index); equal neighbours chain up.
     * Supporter lists are in group order, so equal sets are equal arrays. An excluded
     * project has no twin (it never takes part). */
    size_t *idx = xcalloc(np ? np : 1, sizeof *idx);
    for (size_t p = 0; p < np; p++) {
        idx[p] = p;
        m->twin_prev[p] = MES_NONE;
    }
    qsort_r(idx, np, sizeof *idx, cmp_twin, m);
    for (size_t i = 1; i < np; i++) {
        size_t a = idx[i - 1], b = idx[i];
        bool excl = opt->excluded && (opt->excluded[a] || opt->excluded[b]);
        if (!excl && g->votes[a] > 0 && in->cost[a] == in->cost[b] &&
            g->sup_start[a + 1] - g->sup_start[a] == g->sup_start[b + 1] - g->sup_start[b] &&
            memcmp(g->supporters + g->sup_start[a], g->supporters + g->sup_start[b],
                   (g->sup_start[a + 1] - g->sup_start[a]) * sizeof(uint32_t)) == 0)
            m->twin_prev[b] = (uint32_t)a;
    }
    free(idx);
}

void mes_free(struct mes *m)
{
    tally_mpq_free(m->bq, m->g->ngroups);
    free(m->bd);
    free(m->sd);
    free(m->hb);
    free(m->lb);
    free(m->selected);
    free(m->order);
    free(m->price);
    free(m->exact_rho);
    free(m->rho);
    free(m->drho);
    free(m->fresh);
    free(m->dead);
    free(m->close);
    free(m->uncapped);
    free(m->hsel);
    free(m->touched);
    free(m->known_order);
    free(m->known_rho);
    free(m->known_dead);
    free(m->charged);
    for (size_t p = 0; p < m->np; p++)
        free(m->neighbours[p]);
    free(m->neighbours);
    free(m->l0);
    free(m->l1);
    free(m->u0);
    free(m->u1);
    free(m->us0);
    free(m->us1);
    free(m->cand);
    free(m->twin_prev);
    free(m->death);
    free(m->scratch);
    free(m->gather_b);
    free(m->gather_s);
    free(m->gather_w);
    free(m->supw);
    memset(m, 0, sizeof *m);
}
