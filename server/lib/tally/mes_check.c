/*
 * mes_check: the proof behind add1's skipping. Given the run at a starting budget t0
 * (the decisions: which project each round funded, at what cap), shows that every run
 * starting at a budget t in [t0, t1] makes the same decisions.
 *
 * Two runs are followed along those decisions: lo at t0 (it is the run itself) and hi at
 * t1. Two facts make the endpoints enough:
 *
 * Monotone: for a fixed sequence of decisions every budget after every round is a
 * non-decreasing function of t (a higher budget lowers each payment cap, and what is left
 * after paying min(b, q) rises with b). So at every round each budget at t lies between
 * its values in lo and hi, and since rho falls as budgets rise, rho_p(t) >= rho_p(hi) and
 * rho_w(t) <= rho_w(lo). A project p with rho_p(hi) > rho_w(lo) loses to the winner w at
 * every t; one unaffordable at hi is unaffordable at every t.
 *
 * Convex: a cap q solves F(q, t) = sum(w min(b(t), q)) = cost. When every supporter's
 * budget is concave in t, F is jointly concave, {F >= cost} is convex and q(t), its lower
 * edge, is convex in t. A supporter who pays all it holds at both ends does so throughout
 * (its budget minus the cap does not fall as t rises), and is left with 0; one who pays
 * the cap at both ends is left with b - q, concave minus convex: concave. So, round by
 * round, it is known which budgets stay concave. When rho_p and rho_w are both convex,
 * rho_w lies below its chord between t0 and t1 and rho_p above its tangents at t0 and
 * t1 (their slopes follow from the budgets' slopes); the difference of those bounds is
 * piecewise linear, and if it is positive at t1 and where the tangents cross, p loses
 * throughout (at t0 the run itself chose w over p, ties included). This settles what the
 * monotone test cannot: p and w both getting cheaper as t rises.
 *
 * Every comparison is made with the same margin as the run's (1e-9 relative); one that
 * falls inside it fails the check, and the search tries a shorter stretch.
 */
#include "lib/tally/mes.h"

#include <string.h>

/* The payment cap of p given its rho. */
static double cap(const struct mes *m, size_t p, const struct mes_rho *v)
{
    if (m->in->cost[p] == 0)
        return 0;
    if (v->uncapped)
        return (double)m->in->cost[p] / (double)m->g->votes[p];
    return v->rho * mes_utility(m, p);
}

/* Whether every supporter of p has a budget concave in t on [t0, t1], and none is so close
 * to p's cap at either end (qlo, qhi) that the slopes there would be ambiguous: then
 * rho_p is convex on [t0, t1] and its one-sided slopes at the ends are what mes_rho says. */
static bool convex_rho(const struct mes *m, size_t p, double qlo, double qhi)
{
    const struct tally_groups *g = m->g;
    for (size_t k = g->sup_start[p]; k < g->sup_start[p + 1]; k++) {
        uint32_t grp = g->supporters[k];
        double bl = m->lb[grp], bh = m->hb[grp];
        if (!m->gconc[grp] || (bl > 0 && mes_near(bl, qlo)) || (bh > 0 && mes_near(bh, qhi)))
            return false;
    }
    return true;
}

/* After w is paid (caps qlo, qhi; convex: its cap is convex in t): which of its
 * supporters' budgets stay concave, and their slopes at both ends. */
static void pay_both(struct mes *m, size_t w, double qlo, double dqlo, double qhi, double dqhi, bool convex)
{
    const struct tally_groups *g = m->g;
    for (size_t k = g->sup_start[w]; k < g->sup_start[w + 1]; k++) {
        uint32_t grp = g->supporters[k];
        double bl = m->lb[grp], bh = m->hb[grp];
        bool cl = bl <= qlo, ch = bh <= qhi;
        if (cl != ch || (bl > 0 && mes_near(bl, qlo)) || (bh > 0 && mes_near(bh, qhi)))
            m->gconc[grp] = false;
        else if (!cl)
            m->gconc[grp] = m->gconc[grp] && convex;
        else
            m->gconc[grp] = true; /* pays all it holds at every t: nothing left */
        m->lb[grp] = cl ? 0 : bl - qlo;
        m->ls[grp] = cl ? 0 : m->ls[grp] - dqlo;
        m->hb[grp] = ch ? 0 : bh - qhi;
        m->hs[grp] = ch ? 0 : m->hs[grp] - dqhi;
    }
}

/* With rho_p convex (rl, slope dl at t0; rh, slope dh at t1) and rho_w convex (wl at t0,
 * wh at t1): whether max(tangents of p) - chord of w is positive on (t0, t1]. */
static bool convex_apart(double t0, double t1, double rl, double dl, double rh, double dh, double wl, double wh)
{
    if (!mes_clearly_above(rh, wh))
        return false;
    if (dl >= dh) /* the tangents meet at t0 or not at all inside */
        return true;
    double tau = (rh - dh * t1 - rl + dl * t0) / (dl - dh);
    if (!(tau > t0 && tau < t1))
        return true;
    double lb = rl + dl * (tau - t0), ub = wl + (wh - wl) * (tau - t0) / (t1 - t0);
    return mes_clearly_above(lb, ub);
}

bool mes_same_up_to(struct mes *m, double t1)
{
    size_t np = m->np;
    const struct tally_groups *g = m->g;
    double t0 = m->t0;
    for (size_t k = 0; k < g->ngroups; k++) {
        m->hb[k] = t1;
        m->lb[k] = t0;
        m->hs[k] = m->ls[k] = 1;
        m->gconc[k] = true;
    }
    /* the run's scratch now holds hi: rho values are lower bounds until refreshed */
    bool *hdead = m->dead, *hclose = m->close, *hunc = m->uncapped;
    double *hrho = m->rho;
    for (size_t p = 0; p < np; p++) {
        hdead[p] = (m->opt->excluded && m->opt->excluded[p]) || g->votes[p] == 0;
        hrho[p] = 0;
        m->fresh[p] = false;
        m->hsel[p] = false;
    }
    struct mes_rho v, wl, wh;
    for (size_t r = 0; r < m->nselected; r++) {
        size_t w = m->order[r];
        double u = mes_utility(m, w), rw = m->in->cost[w] == 0 ? 0 : m->price[w] / u;
        if (!mes_rho(m, m->hb, m->hs, w, &wh) || wh.close || !mes_rho(m, m->lb, m->ls, w, &wl) || wl.close)
            return false;
        double qhi = cap(m, w, &wh), qlo = m->price[w];
        bool w_convex = convex_rho(m, w, qlo, qhi);
        for (size_t p = 0; p < np; p++) {
            if (p == w || hdead[p] || m->hsel[p] || mes_shadowed(m, m->hsel, p) || mes_clearly_above(hrho[p], rw))
                continue;
            if (!m->fresh[p]) {
                m->fresh[p] = true;
                if (!mes_rho(m, m->hb, NULL, p, &v)) {
                    hdead[p] = true;
                    continue;
                }
                hrho[p] = v.rho;
                hclose[p] = v.close;
                hunc[p] = v.uncapped;
            }
            if (hclose[p])
                return false;
            /* monotone */
            if (mes_clearly_above(hrho[p], rw))
                continue;
            if (mes_near(hrho[p], rw) && hunc[p] && m->exact_rho[w]) {
                int c = mes_uncapped_cmp(m, p, w);
                if (c > 0 || (c == 0 && mes_better_tie(m, w, p)))
                    continue;
            }
            /* convex */
            struct mes_rho pl, ph;
            if (!w_convex)
                return false;
            if (!mes_rho(m, m->lb, m->ls, p, &pl) || pl.close || !mes_rho(m, m->hb, m->hs, p, &ph) || ph.close)
                return false;
            if (!convex_rho(m, p, cap(m, p, &pl), cap(m, p, &ph)))
                return false;
            if (!convex_apart(t0, t1, pl.rho, pl.drho, ph.rho, ph.drho, rw, wh.rho))
                return false;
        }
        m->hsel[w] = true;
        pay_both(m, w, qlo, wl.drho * u, qhi, wh.drho * u, w_convex);
        mes_mark_stale(m, w, hdead);
    }
    for (size_t p = 0; p < np; p++) {
        if (hdead[p] || m->hsel[p] || mes_shadowed(m, m->hsel, p))
            continue;
        if (mes_rho(m, m->hb, NULL, p, &v) || v.close)
            return false;
    }
    return true;
}
