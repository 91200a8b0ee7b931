/*
 * mes: one run of the Method of Equal Shares at a given per-voter budget, and the proof
 * that runs over a range of per-voter budgets all decide the same (what lets the add1
 * completion skip ahead instead of trying every unit). Internal to the tally.
 */
#ifndef PB_TALLY_MES_H
#define PB_TALLY_MES_H

#include "lib/tally/groups.h"
#include "lib/tally/tally.h"

#include <gmp.h>
#include <math.h>

#define MES_NONE UINT32_MAX

struct mes {
    const struct tally_input *in;
    const struct tally_groups *g;
    const struct tally_options *opt;
    size_t np;
    /* the last run: budgets (doubles, exact copies after a replay), and each budget's rate
     * of change with the starting budget (an estimate that only guides the search) */
    double *bd, *sd;
    mpq_t *bq;
    bool *selected;
    size_t *order;
    size_t nselected;
    int64_t spent;
    double *price;   /* per funded project: the payment cap q of its supporters */
    bool *exact_rho; /* per funded project: nobody was capped, so rho is cost / (K u) exactly */
    /* how far above the run's starting budget the first decision may change (estimate) */
    double next_change;
    /* twins (same supporters, same cost) always have the same rho: the lower index wins
     * every tie, so only the lowest unfunded twin takes part; MES_NONE when none */
    uint32_t *twin_prev;
    /* scratch for a run and for a check */
    double t0;     /* the last run's starting budget */
    double *death; /* per project that died in the run: how far above t0 it looked affordable again */
    double *rho, *drho, *hb, *lb;
    /* the check's concave bounds on each budget between t0 and t1: the lower one's values
     * at both ends, the upper one's values and slopes */
    double *l0, *l1, *u0, *u1, *us0, *us1;
    bool *fresh, *dead, *close, *uncapped, *hsel, *charged;
    uint64_t **neighbours; /* per project, once funded: the projects sharing a supporter */
    size_t *cand;
    uint32_t *scratch;
    /* mes_cap: the supporters that may still be capped, MES_CAP_BUFFERS sets of maxsup */
    double *gather_b, *gather_s, *gather_w;
    size_t maxsup;
    double *supw; /* weight of each entry of g->supporters, as a double */
    /* Projects none of whose supporters has paid yet in the current run or check: every
     * supporter then holds the same (the starting budget) in each of the arrays in plain,
     * so mes_rho needs no scan to find them unaffordable or uncapped. */
    bool *touched;
    const double *plain[8];
    size_t nplain;
    /* What the last failed check still proved: every start in [known_lo, known_hi] makes
     * the first known_rounds decisions of known_order (a check fails at a round only after
     * proving every round before it). known_rho and known_dead, taken at known_hi when it
     * failed, are lower bounds of rho and deaths for any start in the stretch from round
     * known_rounds on. A run or check inside the stretch takes those rounds as known and
     * starts its lazy search from those bounds. 0 rounds: nothing known. */
    size_t known_rounds;
    double known_lo, known_hi;
    size_t *known_order;
    double *known_rho;
    bool *known_dead;
    /* After a failed check: where between its ends a decision most likely changes for real
     * (a project that beats the winner, or becomes affordable, at the top end but not at
     * the bottom; a straight line between the two), INFINITY when the failure says nothing
     * of it (the bounds were too loose). Only guides the search. */
    double change_at;
};

void mes_init(struct mes *m, const struct tally_input *in, const struct tally_groups *g,
              const struct tally_options *opt);
void mes_free(struct mes *m);

/* One run with every voter starting at b0. */
void mes_run(struct mes *m, const mpq_t b0);

/* True when it is proven that every run starting at a per-voter budget in [t0, t1] funds
 * the same projects in the same order as the last run (which started at t0). False when
 * that is not so or cannot be shown cheaply; what it proved before failing is kept (see
 * known_rounds) for the runs and checks that follow inside [t0, t1]. */
bool mes_same_up_to(struct mes *m, double t1);

/* Forgets what failed checks proved: the next run decides every round itself (its prices
 * are then the same bits whatever the search did before). */
void mes_forget(struct mes *m);

/* Whether the first known_rounds decisions are known for every start in [t0, t1]. */
bool mes_known(const struct mes *m, double t0, double t1);

/* The utility of project p to each supporter (cost or 1). */
double mes_utility(const struct mes *m, size_t p);

/* Shared by the run and the check. */
struct mes_rho {
    double rho, drho; /* rho and its rate of change with the starting budget (estimate) */
    double sum, dsum; /* what the supporters hold, and its rate */
    bool close;       /* whether p is affordable is too close to call in doubles */
    bool uncapped;    /* every supporter can pay the equal share: rho = cost / (K u) exactly */
    bool near_cap;    /* a supporter with something left holds within the margin of the cap */
};
/* rho of project p with budgets b (and budget slopes s, or NULL); false when the
 * supporters cannot afford p. */
bool mes_rho(const struct mes *m, const double *b, const double *s, size_t p, struct mes_rho *v);
/* The same, given a lower bound of rho (0: none), which saves passes of the cap. */
bool mes_rho_from(const struct mes *m, const double *b, const double *s, size_t p, double rho_low,
                  struct mes_rho *v);
/* After p is funded: marks the projects sharing a supporter with it as touched, and as
 * stale (their rho is now only a lower bound) unless gone[x]. */
void mes_mark_stale(struct mes *m, size_t p, const bool *gone);
/* How mes_rho finds a cap, in three steps, so that one scan of a project's supporters can
 * find the caps of several arrays of budgets (mes_check does for the winner's bounds):
 * start, add each supporter's budget, slope and weight (in supporter order), finish. The
 * scan sums the budgets (and slopes) and makes the first pass of the cap at q = cost / K,
 * or at the cap of rho_low if higher (both known before it and at most the cap), keeping
 * aside only the supporters holding q or more: q only rises, so the others stay below it
 * and later passes need not see them again. A rho found earlier with budgets that have
 * only fallen since is such a lower bound; starting from it saves most passes. */
#define MES_CAP_BUFFERS 4
struct mes_cap {
    double cost, K, u, q_equal, q;
    double sum, dsum, minb, low_sum, low_w, low_ws, above, below;
    double *gb, *gs, *gw; /* kept aside, in gather buffer set `buffer` */
    size_t nr;
    bool slopes; /* false: no slopes are added, and gs holds nothing */
};
/* mes_rho's answer for the budgets added (p's cost not 0, at least one supporter); c by
 * value, so that the scan's sums can live in registers */
bool mes_cap_finish(struct mes_cap c, struct mes_rho *v);

static inline struct mes_cap mes_cap_start(const struct mes *m, size_t p, double rho_low, size_t buffer,
                                           bool slopes)
{
    struct mes_cap c;
    c.cost = (double)m->in->cost[p];
    c.K = (double)m->g->votes[p];
    c.u = mes_utility(m, p);
    c.q_equal = c.cost / c.K;
    /* lowered by a rounding margin: a lower bound equal to the cap, rounded up, must not
     * start above it */
    c.q = fmax(c.q_equal, rho_low * c.u * (1 - 1e-12));
    c.sum = c.dsum = c.low_sum = c.low_w = c.low_ws = c.below = 0;
    c.minb = c.above = INFINITY;
    c.gb = m->gather_b + buffer * m->maxsup;
    c.gs = m->gather_s + buffer * m->maxsup;
    c.gw = m->gather_w + buffer * m->maxsup;
    c.nr = 0;
    c.slopes = slopes;
    return c;
}

/* slopes: the start's, a constant where it is inlined, so that a scan without slopes
 * neither adds nor keeps them (sk is then ignored) */
static inline void mes_cap_add(struct mes_cap *c, double bk, double sk, double wk, bool slopes)
{
    c->sum += wk * bk;
    if (slopes)
        c->dsum += wk * sk;
    c->minb = bk < c->minb ? bk : c->minb;
    if (bk < c->q) {
        c->low_sum += wk * bk;
        c->low_w += wk;
        if (slopes)
            c->low_ws += wk * sk;
        c->below = bk > c->below ? bk : c->below;
    } else {
        c->gb[c->nr] = bk;
        if (slopes)
            c->gs[c->nr] = sk;
        c->gw[c->nr++] = wk;
        c->above = bk < c->above ? bk : c->above;
    }
}

/* Whether two values are too close for rounding to have decided their order. */
static inline bool mes_near(double a, double b)
{
    double d = a - b, ma = a < 0 ? -a : a, mb = b < 0 ? -b : b;
    return (d < 0 ? -d : d) <= 1e-9 * (ma > mb ? ma : mb) + 1e-12;
}

/* mes_near(a, q) for many a against one q >= 0: a window holding every a near q is
 * tested first (two comparisons; most budgets are far from the cap), mes_near itself only
 * inside it, so the answer is mes_near's. */
struct mes_window {
    double lo, hi, q;
};

static inline struct mes_window mes_window_of(double q)
{
    return (struct mes_window){q * (1 - 2e-9) - 2e-12, q * (1 + 2e-9) + 2e-12, q};
}

static inline bool mes_near_window(const struct mes_window *w, double a)
{
    return a >= w->lo && a <= w->hi && mes_near(a, w->q);
}

/* a > b, and not so close that rounding could have decided it */
static inline bool mes_clearly_above(double a, double b)
{
    return a > b && !mes_near(a, b);
}
/* Starts the touched flags for a run or check whose untouched supporters hold the same
 * value in each of the n arrays (n 0: none, after it). */
void mes_untouched_start(struct mes *m, const double *const *arrays, size_t n);
/* Whether every supporter of p holds the same value in b (and in s, if given). */
bool mes_plain(const struct mes *m, const double *b, const double *s, size_t p);
bool mes_shadowed(const struct mes *m, const bool *sel, size_t p);
bool mes_better_tie(const struct mes *m, size_t a, size_t b);
int mes_uncapped_cmp(const struct mes *m, size_t a, size_t b);

#endif
