/* Equal Shares with add1: the fast search against the definition (one run per unit of
 * per-voter budget) on thousands of generated elections built to be awkward: small
 * budgets, exact ties, identical ballots and projects, projects over budget, free
 * projects, excluded projects, empty ballots. And the price of one project against the
 * plain passes it was computed with before they were shortened. */
#include "lib/tally/mes.h"
#include "lib/tally/tally.h"
#include "unit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t x = rng_state; /* xorshift64*: deterministic, so a failure can be replayed */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static int64_t pick(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

struct gen {
    size_t m, nb;
    int64_t cost[12], budget;
    size_t start[121];
    uint32_t items[121 * 12];
    bool excluded[12];
};

/* One awkward election; the shape varies with the seed. */
static void generate(struct gen *e)
{
    memset(e, 0, sizeof *e);
    e->m = (size_t)pick(1, 12);
    int style = (int)pick(0, 5);
    int64_t scale = style == 0 ? 1 : style == 1 ? 100 : pick(1, 1000);
    for (size_t p = 0; p < e->m; p++) {
        /* few distinct costs make exact ties; style 2 repeats one cost */
        e->cost[p] = style == 2 ? 3 * scale : pick(0, 6) * scale + (pick(0, 3) == 0 ? pick(0, scale) : 0);
        e->excluded[p] = pick(0, 15) == 0;
    }
    if (pick(0, 3) == 0 && e->m > 1) /* a twin: same cost, and below the same ballots */
        e->cost[e->m - 1] = e->cost[0];
    e->budget = pick(0, 20) * scale + pick(0, scale);
    e->nb = (size_t)pick(0, 120);
    size_t used = 0;
    size_t nkinds = (size_t)pick(1, 8); /* few kinds of ballot: many identical ones */
    for (size_t b = 0; b < e->nb; b++) {
        e->start[b] = used;
        uint64_t kind = (uint64_t)pick(0, (int64_t)nkinds - 1) * 2654435761u + (uint64_t)style;
        for (size_t p = 0; p < e->m; p++) {
            bool approve = ((kind >> (p % 20)) & 1) != 0 || (pick(0, 9) == 0 && style > 3);
            if (p == e->m - 1 && e->m > 1 && e->cost[p] == e->cost[0])
                approve = ((kind >> 0) & 1) != 0; /* the twin follows project 0 */
            if (approve)
                e->items[used++] = (uint32_t)p;
        }
        if (pick(0, 10) == 0)
            used = e->start[b]; /* an empty ballot */
    }
    e->start[e->nb] = used;
}

static bool same(const struct tally_result *a, const struct tally_result *b)
{
    if (a->nselected != b->nselected || a->spent != b->spent || a->voter_budget != b->voter_budget ||
        a->used_greedy != b->used_greedy)
        return false;
    for (size_t i = 0; i < a->nselected; i++)
        if (a->order[i] != b->order[i] || a->price[a->order[i]] != b->price[b->order[i]])
            return false;
    return true;
}

void test_equal_shares_add1(void)
{
    int compared = 0, differ = 0;
    rng_state = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 2400; i++) {
        struct gen e;
        generate(&e);
        struct tally_input in = {e.m, e.cost, e.budget, TALLY_APPROVAL, e.nb, e.start, e.items, NULL};
        for (int v = 0; v < 4; v++) {
            struct tally_options opt = {.rule = RULE_EQUAL_SHARES,
                                        .completion = v & 2 ? COMPLETION_ADD1_COMPARISON : COMPLETION_ADD1,
                                        .utilities = v & 1 ? UTIL_CARDINALITY : UTIL_COST,
                                        .unit = i % 3 == 0 ? 1 : 7,
                                        .excluded = i % 5 == 0 ? e.excluded : NULL};
            struct tally_result fast, ref;
            CHECK(tally_run(&in, &opt, &fast) == 0);
            opt.add1_unit_steps = true;
            CHECK(tally_run(&in, &opt, &ref) == 0);
            compared++;
            if (!same(&fast, &ref)) {
                differ++;
                fprintf(stderr, "add1 differs: election %d variant %d (fast %zu projects, %lld per voter; "
                                "reference %zu, %lld)\n",
                        i, v, fast.nselected, (long long)fast.voter_budget, ref.nselected,
                        (long long)ref.voter_budget);
            }
            CHECK(fast.spent <= e.budget);
            tally_result_free(&fast);
            tally_result_free(&ref);
        }
    }
    CHECK(compared >= 9600 && differ == 0);
}

/* The progress counter rises to 1000, and a set cancel flag stops the count. */
void test_tally_progress(void)
{
    rng_state = 42;
    struct gen e;
    do
        generate(&e);
    while (e.nb < 20);
    struct tally_input in = {e.m, e.cost, e.budget, TALLY_APPROVAL, e.nb, e.start, e.items, NULL};
    static const enum tally_rule rules[] = {RULE_GREEDY, RULE_EQUAL_SHARES, RULE_PHRAGMEN};
    for (size_t i = 0; i < 3; i++) {
        struct tally_progress pr = {0};
        struct tally_options opt = {.rule = rules[i], .completion = COMPLETION_ADD1, .unit = 1, .progress = &pr};
        struct tally_result res;
        CHECK(tally_run(&in, &opt, &res) == 0);
        CHECK(atomic_load(&pr.permille) == 1000);
        tally_result_free(&res);
        atomic_store(&pr.cancel, true);
        CHECK(tally_run(&in, &opt, &res) == TALLY_CANCELLED);
        CHECK(res.selected == NULL && res.nselected == 0);
        tally_result_free(&res);
    }
}

/* The price of a project as mes_rho found it before its passes were shortened (every pass
 * from cost / K over every supporter, until the next cap does not rise): the shortened
 * passes must make the same decisions (affordable, close, uncapped) from the same sums,
 * bit for bit, and the same price up to the order the supporters paying all they hold are
 * added in (they are added as they fall below the cap, not in supporter order). */
static bool rho_by_full_passes(const struct mes *m, const double *b, const double *s, size_t p, struct mes_rho *v)
{
    const struct tally_groups *g = m->g;
    size_t st = g->sup_start[p], n = g->sup_start[p + 1] - st;
    const uint32_t *sup = g->supporters + st;
    const double *wt = m->supw + st;
    double cost = (double)m->in->cost[p], sum = 0, dsum = 0, minb = INFINITY;
    memset(v, 0, sizeof *v);
    if (n == 0)
        return false;
    if (m->in->cost[p] == 0) {
        v->uncapped = true;
        return true;
    }
    for (size_t k = 0; k < n; k++) {
        sum += wt[k] * b[sup[k]];
        dsum += s ? wt[k] * s[sup[k]] : 0;
        minb = b[sup[k]] < minb ? b[sup[k]] : minb;
    }
    v->sum = sum;
    v->dsum = s ? dsum : 0;
    v->close = mes_near(sum, cost);
    if (sum < cost && !v->close)
        return false;
    double K = (double)g->votes[p], q = cost / K, u = mes_utility(m, p);
    if (!v->close && mes_clearly_above(minb, q)) {
        v->uncapped = true;
        v->rho = q / u;
        return true;
    }
    double low_sum = 0, low_w = 0, low_ws = 0;
    for (int pass = 0; pass < 1000; pass++) {
        low_sum = low_w = low_ws = 0;
        for (size_t k = 0; k < n; k++)
            if (b[sup[k]] < q) {
                low_sum += wt[k] * b[sup[k]];
                low_w += wt[k];
                if (s)
                    low_ws += wt[k] * s[sup[k]];
            }
        if (low_w >= K) {
            v->close = true;
            break;
        }
        double next = (cost - low_sum) / (K - low_w);
        if (next <= q)
            break;
        q = next;
    }
    v->rho = q / u;
    if (low_w < K)
        v->drho = -low_ws / (K - low_w) / u;
    return true;
}

static bool same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* equal but for the rounding of a sum taken in another order */
static bool same_but_rounding(double a, double b)
{
    return same_bits(a, b) || fabs(a - b) <= 1e-12 * fmax(fabs(a), fabs(b));
}

/* The scan cap_line made before mes_rho said it: a supporter with something left within
 * the margin of the cap. */
static bool near_cap_by_scan(const struct mes *m, const double *b, size_t p, double q)
{
    for (size_t k = m->g->sup_start[p]; k < m->g->sup_start[p + 1]; k++) {
        double bk = b[m->g->supporters[k]];
        if (bk > 0 && mes_near(bk, q))
            return true;
    }
    return false;
}

void test_equal_shares_price(void)
{
    rng_state = 0xD1B54A32D192ED03ULL;
    int compared = 0, differ = 0;
    for (int i = 0; i < 3000; i++) {
        struct gen e;
        generate(&e);
        struct tally_input in = {e.m, e.cost, e.budget, TALLY_APPROVAL, e.nb, e.start, e.items, NULL};
        struct tally_options opt = {.rule = RULE_EQUAL_SHARES, .utilities = i & 1 ? UTIL_CARDINALITY : UTIL_COST};
        struct tally_groups g;
        struct tally_result unused;
        if (!tally_approval_groups(&in, &unused, &g))
            continue;
        struct mes m;
        mes_init(&m, &in, &g, &opt);
        double *b = calloc(g.ngroups ? g.ngroups : 1, sizeof *b), *s = calloc(g.ngroups ? g.ngroups : 1, sizeof *s);
        for (int round = 0; round < 8; round++) {
            /* budgets from a few values, some of them a project's equal share or a cap just
             * found, so that budgets sit exactly on the boundaries the passes test */
            double pool[9] = {0, (double)pick(0, 40), (double)pick(0, 40) / 7, 1.0 / 3, 0, 0, 0, 0, 0};
            size_t p0 = (size_t)pick(0, (int64_t)e.m - 1);
            if (g.votes[p0] > 0) {
                pool[4] = (double)e.cost[p0] / (double)g.votes[p0];
                struct mes_rho v0;
                if (mes_rho(&m, b, NULL, p0, &v0)) {
                    pool[5] = v0.rho * mes_utility(&m, p0);
                    pool[6] = nextafter(pool[5], INFINITY);
                    pool[7] = pool[5] * (1 + 1e-7);
                    pool[8] = pool[5] * 1.01;
                }
            }
            for (size_t k = 0; k < g.ngroups; k++) {
                b[k] = pool[pick(0, 8)];
                s[k] = pick(0, 2) == 0 ? 0 : 1;
            }
            for (size_t p = 0; p < e.m; p++) {
                for (int slopes = 0; slopes < 2; slopes++) {
                    struct mes_rho got, want;
                    bool a = mes_rho(&m, b, slopes ? s : NULL, p, &got);
                    bool r = rho_by_full_passes(&m, b, slopes ? s : NULL, p, &want);
                    compared++;
                    bool near_ok = !a || got.close || (m.in->cost[p] == 0) ||
                                   got.near_cap == near_cap_by_scan(&m, b, p, want.rho * mes_utility(&m, p));
                    if (a != r || !same_but_rounding(got.rho, want.rho) || !same_but_rounding(got.drho, want.drho) ||
                        !same_bits(got.sum, want.sum) || !same_bits(got.dsum, want.dsum) || got.close != want.close ||
                        got.uncapped != want.uncapped || !near_ok) {
                        differ++;
                        fprintf(stderr, "price differs: election %d project %zu: %.17g against %.17g\n", i, p,
                                got.rho, want.rho);
                    }
                }
            }
        }
        free(b);
        free(s);
        mes_free(&m);
        tally_groups_free(&g);
    }
    CHECK(compared > 50000 && differ == 0);
}

/* The window in front of mes_near says what mes_near says, on values at and around the
 * edges of the margin, at every scale a budget takes (a fraction of a unit to 10^12). */
void test_equal_shares_near_window(void)
{
    rng_state = 0x243F6A8885A308D3ULL;
    int differ = 0, near = 0;
    for (int i = 0; i < 200000; i++) {
        double q = (double)pick(0, 1000000) * pow(10, (double)pick(-3, 6)) / 1000;
        struct mes_window w = mes_window_of(q);
        double rel[] = {0, 1e-9, -1e-9, 1.0000001e-9, -1.0000001e-9, 0.9999999e-9, 2e-9, -2e-9, 1e-6, -1e-6};
        double a = q * (1 + rel[pick(0, 9)]) + (double)pick(-2, 2) * 1e-12;
        if (pick(0, 3) == 0)
            a = nextafter(a, pick(0, 1) ? INFINITY : -INFINITY);
        if (a < 0)
            a = 0;
        bool want = mes_near(a, q);
        near += want;
        differ += mes_near_window(&w, a) != want;
    }
    CHECK(differ == 0 && near > 10000);
}
