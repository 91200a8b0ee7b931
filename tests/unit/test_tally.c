/* Greedy on small hand-made elections: order, skipping, no-skip, threshold, ties. */
#include "lib/tally/tally.h"
#include "unit.h"

#include <string.h>

static int run(const int64_t *cost, size_t m, int64_t budget, enum tally_ballot_kind kind,
               const size_t *start, size_t nb, const uint32_t *items, const int64_t *points,
               struct tally_options opt, struct tally_result *res)
{
    struct tally_input in = {m, cost, budget, kind, nb, start, items, points};
    return tally_greedy(&in, &opt, res);
}

void test_tally(void)
{
    struct tally_result res;
    /* approvals: p0:3 p1:2 p2:2 p3:1; budget 100; costs 60 50 30 10 */
    const int64_t cost[] = {60, 50, 30, 10};
    const size_t start[] = {0, 3, 5, 7, 8};
    const uint32_t items[] = {0, 1, 2, 0, 2, 0, 1, 3};
    struct tally_options skip = {.greedy = GREEDY_SKIP};
    CHECK(run(cost, 4, 100, TALLY_APPROVAL, start, 4, items, NULL, skip, &res) == 0);
    CHECK(res.score[0] == 3 && res.score[1] == 2 && res.score[2] == 2 && res.score[3] == 1);
    /* p0 (60), then tie p1/p2 at 2: lower cost p2 (30) first, p1 no longer fits, p3 (10) fits */
    CHECK(res.nselected == 3 && res.order[0] == 0 && res.order[1] == 2 && res.order[2] == 3);
    CHECK(res.spent == 100 && !res.selected[1]);
    tally_result_free(&res);

    struct tally_options noskip = {.greedy = GREEDY_NO_SKIP};
    const int64_t cost2[] = {60, 50, 10};
    /* p0: 3 votes, p1: 2, p2: 1; p1 does not fit after p0 */
    const size_t start2[] = {0, 2, 4, 6};
    const uint32_t items2[] = {0, 1, 0, 1, 0, 2};
    CHECK(run(cost2, 3, 100, TALLY_APPROVAL, start2, 3, items2, NULL, noskip, &res) == 0);
    CHECK(res.nselected == 1 && res.selected[0] && !res.selected[2]);
    tally_result_free(&res);
    CHECK(run(cost2, 3, 100, TALLY_APPROVAL, start2, 3, items2, NULL, skip, &res) == 0);
    CHECK(res.nselected == 2 && res.selected[0] && res.selected[2]);
    tally_result_free(&res);

    struct tally_options thr = {.min_score = 2};
    CHECK(run(cost2, 3, 100, TALLY_APPROVAL, start2, 3, items2, NULL, thr, &res) == 0);
    CHECK(res.nselected == 1 && !res.selected[2]);
    tally_result_free(&res);

    /* equal score and cost: lower index first */
    const int64_t cost3[] = {50, 50};
    const size_t start3[] = {0, 2};
    const uint32_t items3[] = {1, 0};
    CHECK(run(cost3, 2, 50, TALLY_APPROVAL, start3, 1, items3, NULL, skip, &res) == 0);
    CHECK(res.nselected == 1 && res.selected[0]);
    tally_result_free(&res);

    /* cumulative points and ordinal ranks */
    const int64_t pts[] = {5, 1, 3, 3};
    const size_t start4[] = {0, 2, 4};
    const uint32_t items4[] = {0, 1, 1, 0};
    CHECK(run(cost3, 2, 100, TALLY_CUMULATIVE, start4, 2, items4, pts, skip, &res) == 0);
    CHECK(res.score[0] == 8 && res.score[1] == 4);
    tally_result_free(&res);
    const uint32_t ranks[] = {0, 1, 1};
    const size_t start5[] = {0, 2, 3};
    CHECK(run(cost3, 2, 100, TALLY_ORDINAL, start5, 2, ranks, NULL, skip, &res) == 0);
    CHECK(res.score[0] == 2 && res.score[1] == 2);
    tally_result_free(&res);

    /* out-of-range item is refused, not read */
    const uint32_t bad[] = {7};
    const size_t start6[] = {0, 1};
    CHECK(run(cost3, 2, 100, TALLY_APPROVAL, start6, 1, bad, NULL, skip, &res) == -1);
    tally_result_free(&res);
}

/* Equal Shares and Phragmén on an instance small enough to count by hand (docs/TALLY.md
 * walks through it): B = 100, four voters; A costs 60 (voters 1-3), B 40 (voter 4),
 * C 40 (voters 3 and 4). */
void test_tally_proportional(void)
{
    const int64_t cost[] = {60, 40, 40};
    const size_t start[] = {0, 1, 2, 4, 6};
    const uint32_t items[] = {0, 0, 0, 2, 1, 2};
    struct tally_input in = {3, cost, 100, TALLY_APPROVAL, 4, start, items, NULL};
    struct tally_result res;

    struct tally_options es = {.rule = RULE_EQUAL_SHARES, .utilities = UTIL_COST, .unit = 1};
    CHECK(tally_run(&in, &es, &res) == 0);
    CHECK(res.nselected == 1 && res.order[0] == 0 && res.spent == 60);
    CHECK(res.price[0] > 19.999 && res.price[0] < 20.001);
    tally_result_free(&res);

    /* cardinality utilities: A and C tie at 20 per supporter; the cheaper C goes first */
    es.utilities = UTIL_CARDINALITY;
    CHECK(tally_run(&in, &es, &res) == 0);
    CHECK(res.nselected == 1 && res.order[0] == 2);
    tally_result_free(&res);

    /* add1: C becomes affordable exactly at 30 per voter; B only at 60, which overspends */
    es.utilities = UTIL_COST;
    es.completion = COMPLETION_ADD1;
    CHECK(tally_run(&in, &es, &res) == 0);
    CHECK(res.nselected == 2 && res.selected[0] && res.selected[2] && res.spent == 100);
    CHECK(res.voter_budget == 59);
    tally_result_free(&res);

    /* the same with the fill: nothing more fits */
    es.fill_greedy = true;
    CHECK(tally_run(&in, &es, &res) == 0 && res.spent == 100);
    tally_result_free(&res);

    /* the order of ballots does not matter */
    const uint32_t items2[] = {2, 1, 0, 0, 2, 0};
    const size_t start2[] = {0, 2, 3, 4, 6};
    struct tally_input in2 = {3, cost, 100, TALLY_APPROVAL, 4, start2, items2, NULL};
    es.fill_greedy = false;
    CHECK(tally_run(&in2, &es, &res) == 0 && res.nselected == 2 && res.voter_budget == 59);
    tally_result_free(&res);

    /* Phragmén: A and C tie at load 20, C (cheaper) first; then A at 80/3; B would need
     * 60 more and only 0 is left, so the count stops */
    struct tally_options ph = {.rule = RULE_PHRAGMEN};
    CHECK(tally_run(&in, &ph, &res) == 0);
    CHECK(res.nselected == 2 && res.order[0] == 2 && res.order[1] == 0);
    tally_result_free(&res);

    /* a tie between a project that fits and one that no longer does stops the count, as
     * in pabutools: budget 2; costs c=1, a=1, b=2; votes c, c, a, b, b. c first (load
     * 1/2); then a and b tie at load 1 with 1 left: b does not fit, so nothing more. */
    {
        const int64_t cost3[] = {1, 1, 2}; /* c, a, b */
        const size_t start3[] = {0, 1, 2, 3, 4, 5};
        const uint32_t items3[] = {0, 0, 1, 2, 2};
        struct tally_input tie = {3, cost3, 2, TALLY_APPROVAL, 5, start3, items3, NULL};
        CHECK(tally_run(&tie, &ph, &res) == 0);
        CHECK(res.nselected == 1 && res.order[0] == 0 && res.spent == 1);
        tally_result_free(&res);
    }

    /* comparison step: greedy (A then C... by votes A:3, C:2) gives the same set here, so
     * Equal Shares stands */
    es.completion = COMPLETION_ADD1_COMPARISON;
    CHECK(tally_run(&in, &es, &res) == 0 && !res.used_greedy);
    tally_result_free(&res);

    /* no voters, no projects chosen */
    const size_t none[] = {0};
    struct tally_input empty = {3, cost, 100, TALLY_APPROVAL, 0, none, items, NULL};
    es.completion = COMPLETION_ADD1;
    CHECK(tally_run(&empty, &es, &res) == 0 && res.nselected == 0);
    tally_result_free(&res);
    CHECK(tally_run(&empty, &ph, &res) == 0 && res.nselected == 0);
    tally_result_free(&res);
}
