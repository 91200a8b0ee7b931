/* Equal Shares with add1: the fast search against the definition (one run per unit of
 * per-voter budget) on thousands of generated elections built to be awkward: small
 * budgets, exact ties, identical ballots and projects, projects over budget, free
 * projects, excluded projects, empty ballots. */
#include "lib/tally/tally.h"
#include "unit.h"

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
