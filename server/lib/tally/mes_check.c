/*
 * mes_check: the proof behind add1's skipping. Given the run at a starting budget t0
 * (the decisions: which project each round funded, at what cap), shows that every run
 * starting at a budget t in [t0, t1] makes the same decisions.
 *
 * Two runs are followed along those decisions: lo at t0 (it is the run itself) and hi at
 * t1. Two facts make the endpoints enough.
 *
 * Monotone: for a fixed sequence of decisions every budget after every round is a
 * non-decreasing function of t (a higher budget lowers each payment cap, and what is left
 * after paying min(b, q) rises with b). So at every round each budget at t lies between
 * its values in lo and hi, and since rho falls as budgets rise, rho_p(t) >= rho_p(hi) and
 * rho_w(t) <= rho_w(lo). A project p with rho_p(hi) > rho_w(lo) loses to the winner w at
 * every t; one unaffordable at hi is unaffordable at every t. Whether a supporter pays all
 * it holds can change only once as t rises (its budget minus the cap does not fall): the
 * same at both ends means the same throughout.
 *
 * Convex: a cap q solves F(q, t) = sum(w min(b(t), q)) = cost. When every budget in it is
 * concave in t, F is jointly concave, {F >= cost} is convex and q(t), its lower edge, is
 * convex. So each budget is kept between two concave functions of t, L <= b <= U, known
 * at both ends (U with its slopes): at first both are t; a supporter who pays all it holds
 * at both ends has 0; one who pays the cap at both ends has L - q_U and U - q_L, where q_U
 * (from the L budgets) and q_L (from the U budgets) are convex bounds q_L <= q <= q_U; one
 * who pays all it holds at t0 and the cap at t1 has 0 and the lower of two lines: its
 * budget at t1, and the tangent at t1 of U - q_L lifted to 0 at t0 if below (its budget
 * max(0, b - q) lies under both); any other has 0 and its budget at t1. The tangents of a
 * concave U are what its values and slopes at the ends stand for; a lower tangent slope
 * at t1 or a higher one at t0 keeps every line drawn from them a bound. Then rho_w lies
 * below the chord of q_U / u and below
 * rho_w(lo), and rho_p above the tangents of q_L / u at t0 and t1 and above rho_p(hi):
 * lines, so if the highest lower line clears the lowest upper line at t0, at t1 and where
 * lines cross, p loses throughout. This settles what the monotone test cannot: p and w
 * both getting cheaper as t rises.
 *
 * Every comparison keeps the run's margin (1e-9 relative); one inside it fails the check,
 * and the search tries a shorter stretch.
 */
#include "lib/tally/mes.h"

#include <math.h>
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

/* cap_line's answer from mes_rho's */
static bool cap_of(const struct mes *m, size_t p, bool affordable, const struct mes_rho *v, bool slopes,
                   double *q, double *dq)
{
    if (!affordable || v->close)
        return false;
    *q = cap(m, p, v);
    *dq = v->drho * mes_utility(m, p);
    return !(slopes && v->near_cap);
}

/* The cap of p with budgets b (slopes s, or NULL) and its slope; false when p is not
 * clearly affordable with them, or (with slopes) when a supporter is so close to the cap
 * that the slope could be either side's. */
static bool cap_line(const struct mes *m, size_t p, const double *b, const double *s, double *q, double *dq)
{
    struct mes_rho v;
    bool affordable = mes_rho(m, b, s, p, &v);
    return cap_of(m, p, affordable, &v, s != NULL, q, dq);
}

struct line {
    double a, s; /* a + s (t - t0) */
};

static double at(struct line l, double t, double t0)
{
    return l.a + l.s * (t - t0);
}

/* Whether max(lower lines) clearly exceeds min(upper lines) on [t0, t1]: both are piecewise
 * linear, their difference convex, so the ends and the crossings decide. */
static bool lines_apart(const struct line *lo, size_t nlo, const struct line *up, size_t nup, double t0, double t1)
{
    double pts[16];
    size_t n = 0;
    pts[n++] = t0;
    pts[n++] = t1;
    for (size_t i = 0; i < nlo; i++)
        for (size_t j = i + 1; j < nlo; j++)
            if (lo[i].s != lo[j].s)
                pts[n++] = t0 + (lo[j].a - lo[i].a) / (lo[i].s - lo[j].s);
    for (size_t i = 0; i < nup; i++)
        for (size_t j = i + 1; j < nup; j++)
            if (up[i].s != up[j].s)
                pts[n++] = t0 + (up[j].a - up[i].a) / (up[i].s - up[j].s);
    for (size_t k = 0; k < n; k++) {
        double t = pts[k];
        if (!(t >= t0 && t <= t1))
            continue;
        double hi = -INFINITY, low = INFINITY;
        for (size_t i = 0; i < nlo; i++)
            hi = fmax(hi, at(lo[i], t, t0));
        for (size_t j = 0; j < nup; j++)
            low = fmin(low, at(up[j], t, t0));
        if (!mes_clearly_above(hi, low))
            return false;
    }
    return true;
}

/* The winner's bounds for a round. */
struct winner {
    size_t w;
    double u, rw;       /* utility; rho at t0 */
    bool chord;         /* q_U known at both ends */
    double qU0, qU1;    /* q_U at t0 and t1 */
    bool lower;         /* q_L known at both ends with its slopes */
    double qL0, dqL0, qL1, dqL1;
};

/* Whether p (rho rp at hi, lower bound) clearly loses to the winner for every t in [t0, t1]
 * by the convex bounds. */
static bool loses_by_bounds(const struct mes *m, const struct winner *W, size_t p, double rp, double t0, double t1)
{
    if (m->in->cost[p] == 0 || m->in->cost[W->w] == 0)
        return false;
    double up = mes_utility(m, p), q, dq;
    struct line lo[3], top[2];
    size_t nlo = 0, nup = 0;
    top[nup++] = (struct line){W->rw, 0};
    if (W->chord)
        top[nup++] = (struct line){W->qU0 / W->u, (W->qU1 - W->qU0) / W->u / (t1 - t0)};
    /* fewer lower lines make a weaker test: the tangent at t1 costs a scan, and is taken
     * only when the one at t0 does not settle it */
    lo[nlo++] = (struct line){rp, 0};
    if (cap_line(m, p, m->u0, m->us0, &q, &dq)) {
        lo[nlo++] = (struct line){q / up, dq / up};
        if (lines_apart(lo, nlo, top, nup, t0, t1))
            return true;
    }
    if (cap_line(m, p, m->u1, m->us1, &q, &dq))
        lo[nlo++] = (struct line){q / up - dq / up * (t1 - t0), dq / up};
    return lines_apart(lo, nlo, top, nup, t0, t1);
}

/* The winner's bounds when every supporter's still equal its budgets, bit for bit: L and U
 * at t0 are lo's budgets and at t1 hi's, as they stay while each round's bounds come out
 * so (pay_winner then subtracts the same caps from both). The caps from L and U are then
 * lo's cap and hi's, and only the slopes need a scan, which also says what cap_line would
 * (affordable, not close, no supporter within the margin of the cap). False when some
 * supporter's bounds have come apart from its budgets: the caps need their own scans. */
static bool tight_bounds(const struct mes *m, struct winner *W, double qlo, double qhi)
{
    const struct tally_groups *g = m->g;
    size_t w = W->w;
    if (m->in->cost[w] == 0)
        return false;
    double cost = (double)m->in->cost[w], K = (double)g->votes[w];
    double sum0 = 0, sum1 = 0, lw0 = 0, lw1 = 0, ls0 = 0, ls1 = 0;
    struct mes_window n0 = mes_window_of(qlo), n1 = mes_window_of(qhi);
    bool near = false;
    for (size_t k = g->sup_start[w]; k < g->sup_start[w + 1]; k++) {
        uint32_t i = g->supporters[k];
        double a0 = m->lb[i], a1 = m->hb[i], wk = m->supw[k];
        if (m->l0[i] != a0 || m->u0[i] != a0 || m->l1[i] != a1 || m->u1[i] != a1)
            return false;
        sum0 += wk * a0;
        sum1 += wk * a1;
        if (a0 < qlo) {
            lw0 += wk;
            ls0 += wk * m->us0[i];
        }
        if (a1 < qhi) {
            lw1 += wk;
            ls1 += wk * m->us1[i];
        }
        near |= (a0 > 0 && mes_near_window(&n0, a0)) || (a1 > 0 && mes_near_window(&n1, a1));
    }
    W->chord = sum0 >= cost && sum1 >= cost && !mes_near(sum0, cost) && !mes_near(sum1, cost) && lw0 < K && lw1 < K;
    W->qU0 = W->qL0 = qlo;
    W->qU1 = W->qL1 = qhi;
    W->lower = W->chord && !near;
    if (W->lower) {
        W->dqL0 = -ls0 / (K - lw0);
        W->dqL1 = -ls1 / (K - lw1);
    }
    return true;
}

/* The winner's convex bounds: the caps from the L budgets at both ends (the chord) and from
 * the U budgets with their slopes (the tangents). Taken from lo and hi while they are the
 * same (tight_bounds, always so for a winner none of whose supporters has paid yet), else
 * the four caps from one scan of the winner's supporters; q_U comes from budgets at most
 * lo's and hi's, so it is at least their caps, where its passes start. */
static void winner_bounds(const struct mes *m, struct winner *W, double qlo, double qhi)
{
    const struct tally_groups *g = m->g;
    size_t w = W->w, st = g->sup_start[w], n = g->sup_start[w + 1] - st;
    if (m->in->cost[w] == 0) { /* free: funded at no charge, every cap 0 */
        W->chord = W->lower = true;
        W->qU0 = W->qU1 = W->qL0 = W->qL1 = W->dqL0 = W->dqL1 = 0;
        return;
    }
    if (tight_bounds(m, W, qlo, qhi))
        return;
    const uint32_t *sup = g->supporters + st;
    const double *wt = m->supw + st;
    struct mes_cap a = mes_cap_start(m, w, qlo / W->u, 0, false), b = mes_cap_start(m, w, qhi / W->u, 1, false);
    struct mes_cap c = mes_cap_start(m, w, 0, 2, true), d = mes_cap_start(m, w, 0, 3, true);
    const double *l0 = m->l0, *l1 = m->l1, *u0 = m->u0, *u1 = m->u1, *us0 = m->us0, *us1 = m->us1;
    for (size_t k = 0; k < n; k++) {
        uint32_t i = sup[k];
        double wk = wt[k];
        mes_cap_add(&a, l0[i], 0, wk, false);
        mes_cap_add(&b, l1[i], 0, wk, false);
        mes_cap_add(&c, u0[i], us0[i], wk, true);
        mes_cap_add(&d, u1[i], us1[i], wk, true);
    }
    struct mes_rho v;
    double dq;
    bool ok = mes_cap_finish(a, &v);
    W->chord = cap_of(m, w, ok, &v, false, &W->qU0, &dq);
    ok = mes_cap_finish(b, &v);
    W->chord = cap_of(m, w, ok, &v, false, &W->qU1, &dq) && W->chord;
    ok = mes_cap_finish(c, &v);
    W->lower = cap_of(m, w, ok, &v, true, &W->qL0, &W->dqL0);
    ok = mes_cap_finish(d, &v);
    W->lower = cap_of(m, w, ok, &v, true, &W->qL1, &W->dqL1) && W->lower;
}

/* Pays the winner at both ends and moves every supporter's bounds along. */
static void pay_winner(struct mes *m, const struct winner *W, double qlo, double qhi, double t0, double t1)
{
    const struct tally_groups *g = m->g;
    struct mes_window n0 = mes_window_of(qlo), n1 = mes_window_of(qhi);
    for (size_t k = g->sup_start[W->w]; k < g->sup_start[W->w + 1]; k++) {
        uint32_t i = g->supporters[k];
        double a0 = m->lb[i], a1 = m->hb[i];
        bool c0 = a0 <= qlo, c1 = a1 <= qhi;
        bool sure = !(a0 > 0 && mes_near_window(&n0, a0)) && !(a1 > 0 && mes_near_window(&n1, a1));
        m->lb[i] = c0 ? 0 : a0 - qlo;
        m->hb[i] = c1 ? 0 : a1 - qhi;
        if (sure && c0 && c1) { /* pays all it holds throughout */
            m->l0[i] = m->l1[i] = m->u0[i] = m->u1[i] = m->us0[i] = m->us1[i] = 0;
        } else if (sure && !c0 && !c1) { /* pays the cap throughout */
            if (W->chord) {
                m->l0[i] -= W->qU0;
                m->l1[i] -= W->qU1;
            } else {
                m->l0[i] = m->l1[i] = 0;
            }
            if (W->lower) {
                m->u0[i] -= W->qL0;
                m->us0[i] -= W->dqL0;
                m->u1[i] -= W->qL1;
                m->us1[i] -= W->dqL1;
            } else {
                m->u0[i] = m->u1[i] = m->hb[i];
                m->us0[i] = m->us1[i] = 0;
            }
        } else if (sure && c0 && !c1 && W->lower) {
            /* pays all it holds at t0, the cap at t1: its budget is max(0, b - q), which
             * lies under T, the tangent at t1 of U - q_L, lifted to 0 at t0 if below, and
             * under its budget at t1 (budgets rise with t); the lower of the two lines is
             * a concave bound tighter than the budget at t1 alone */
            double s1 = m->us1[i] - W->dqL1, tt1 = m->u1[i] - W->qL1, tt0 = tt1 - s1 * (t1 - t0);
            double hi = m->hb[i];
            if (tt0 < 0)
                tt0 = 0;
            m->l0[i] = m->l1[i] = 0;
            m->u1[i] = hi;
            m->us1[i] = 0;
            if (tt0 < hi) {
                m->u0[i] = tt0;
                m->us0[i] = s1;
            } else {
                m->u0[i] = hi;
                m->us0[i] = 0;
            }
        } else { /* starts paying less somewhere inside: 0 below, its budget at t1 above */
            m->l0[i] = m->l1[i] = 0;
            m->u0[i] = m->u1[i] = m->hb[i];
            m->us0[i] = m->us1[i] = 0;
        }
    }
}

/* Where between t0 and t1 a value that is a at t0 and c at t1 reaches the target, on a
 * straight line; INFINITY unless it crosses inside. */
static double crossing(double t0, double t1, double a, double c, double target)
{
    if (!(a < target && c >= target))
        return INFINITY;
    return t0 + (t1 - t0) * (target - a) / (c - a);
}

/* A project p that beats the winner (rho rw at t0, rwh at t1) at t1, where it has rho rph
 * (or is affordable at the end, rph NAN): where it most likely starts to, from its rho or
 * its supporters' money at t0. */
static double change_of(struct mes *m, size_t p, double rw, double rwh, double rph, double t0, double t1)
{
    struct mes_rho lo, hi;
    bool afford_lo = mes_rho(m, m->lb, NULL, p, &lo);
    double cost = (double)m->in->cost[p];
    if (!afford_lo) { /* becomes affordable inside: the supporters' money on a line */
        if (!mes_rho(m, m->hb, NULL, p, &hi))
            return INFINITY;
        return crossing(t0, t1, lo.sum, hi.sum, cost);
    }
    if (isnan(rph))
        return INFINITY;
    /* rho(p) - rho(w) falls from above 0 at t0 to below it at t1 */
    return crossing(t0, t1, -(lo.rho - rw), -(rph - rwh), 0);
}

/* Sets *round to the round it failed at (nselected: at the end). */
static bool same_up_to(struct mes *m, double t1, size_t *round)
{
    size_t np = m->np;
    const struct tally_groups *g = m->g;
    double t0 = m->t0;
    /* rounds a failed check over a stretch holding this one proved need no competitors */
    size_t known = mes_known(m, t0, t1) ? m->known_rounds : 0;
    for (size_t k = 0; k < g->ngroups; k++) {
        m->hb[k] = m->l1[k] = m->u1[k] = t1;
        m->lb[k] = m->l0[k] = m->u0[k] = t0;
        m->us0[k] = m->us1[k] = 1;
    }
    /* the run's scratch now holds hi: rho values are lower bounds until refreshed */
    bool *hdead = m->dead, *hclose = m->close, *hunc = m->uncapped;
    double *hrho = m->rho;
    for (size_t p = 0; p < np; p++) {
        hdead[p] = (m->opt->excluded && m->opt->excluded[p]) || g->votes[p] == 0;
        hrho[p] = known ? m->known_rho[p] : 0;
        hdead[p] |= known && m->known_dead[p];
        m->fresh[p] = false;
        m->hsel[p] = false;
    }
    struct mes_rho v;
    for (size_t r = 0; r < m->nselected; r++) {
        *round = r;
        struct winner W = {.w = m->order[r]};
        size_t w = W.w;
        W.u = mes_utility(m, w);
        W.rw = m->in->cost[w] == 0 ? 0 : m->price[w] / W.u;
        /* rho found earlier at hi (or known from a failed check) are lower bounds */
        if (!mes_rho_from(m, m->hb, NULL, w, hrho[w], &v) || v.close)
            return false;
        double qhi = cap(m, w, &v), qlo = m->price[w];
        winner_bounds(m, &W, qlo, qhi);
        for (size_t p = 0; p < np && r >= known; p++) {
            if (p == w || hdead[p] || m->hsel[p] || mes_shadowed(m, m->hsel, p) || mes_clearly_above(hrho[p], W.rw))
                continue;
            if (!m->fresh[p]) {
                m->fresh[p] = true;
                if (!mes_rho_from(m, m->hb, NULL, p, hrho[p], &v)) {
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
            if (mes_clearly_above(hrho[p], W.rw))
                continue;
            if (mes_near(hrho[p], W.rw) && hunc[p] && m->exact_rho[w]) {
                int c = mes_uncapped_cmp(m, p, w);
                if (c > 0 || (c == 0 && mes_better_tie(m, w, p)))
                    continue;
            }
            /* convex */
            if (!loses_by_bounds(m, &W, p, hrho[p], t0, t1)) {
                double rwh = m->in->cost[w] == 0 ? 0 : qhi / W.u;
                if (mes_clearly_above(rwh, hrho[p])) /* p beats w at t1 for real */
                    m->change_at = change_of(m, p, W.rw, rwh, hrho[p], t0, t1);
                return false;
            }
        }
        pay_winner(m, &W, qlo, qhi, t0, t1);
        m->hsel[w] = true;
        mes_mark_stale(m, w, hdead);
    }
    *round = m->nselected;
    for (size_t p = 0; p < np; p++) {
        if (hdead[p] || m->hsel[p] || mes_shadowed(m, m->hsel, p))
            continue;
        if (mes_rho(m, m->hb, NULL, p, &v) || v.close) {
            if (!v.close)
                m->change_at = change_of(m, p, 0, 0, NAN, t0, t1);
            return false;
        }
    }
    return true;
}

bool mes_same_up_to(struct mes *m, double t1)
{
    /* the check's own arrays, all at t0 or t1 (slope 1) where nobody has paid */
    const double *plain[] = {m->hb, m->l0, m->l1, m->u0, m->u1, m->us0, m->us1};
    mes_untouched_start(m, plain, sizeof plain / sizeof *plain);
    size_t round = 0;
    m->change_at = INFINITY;
    bool same = same_up_to(m, t1, &round);
    mes_untouched_start(m, NULL, 0);
    /* Failing at a round, the check has proved every round before it for every start in
     * [t0, t1]; its rho values (fresh or not) and deaths at t1 bound those of any start in
     * the stretch from that round on, as budgets there are at most those at t1. Kept unless
     * what is known already covers this stretch with more rounds. */
    if (!same && round > 0 && !(mes_known(m, m->t0, t1) && m->known_rounds >= round)) {
        m->known_rounds = round;
        m->known_lo = m->t0;
        m->known_hi = t1;
        memcpy(m->known_order, m->order, round * sizeof *m->known_order);
        memcpy(m->known_rho, m->rho, m->np * sizeof *m->known_rho);
        memcpy(m->known_dead, m->dead, m->np * sizeof *m->known_dead);
    }
    return same;
}
