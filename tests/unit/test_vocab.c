/* The vocabulary tables: phases, ballot types, counting rules and their pabulib names. */
#include "lib/ballot_rules.h"
#include "lib/countrule.h"
#include "lib/vocab.h"
#include "unit.h"

#include <string.h>

void test_vocab(void)
{
    for (int p = 0; p < PHASE_COUNT; p++) {
        enum phase back;
        CHECK(phase_from_name(phase_name((enum phase)p), &back) && back == (enum phase)p);
    }
    enum phase ph;
    CHECK(phase_from_name("ideas", &ph) && ph == PHASE_PROPOSALS);
    /* supports sits between ideas and review (route tables and the SQL phase_rank rely on it) */
    CHECK(phase_from_name("supports", &ph) && ph == PHASE_SUPPORTS && PHASE_PROPOSALS < ph && ph < PHASE_REVIEW);
    CHECK(!phase_from_name("Voting", &ph) && !phase_from_name("", &ph) && !phase_from_name(NULL, &ph));

    enum ballot_type t;
    for (int i = BALLOT_APPROVAL; i <= BALLOT_ORDINAL; i++)
        CHECK(ballot_type_from_name(ballot_type_name((enum ballot_type)i), &t) && t == (enum ballot_type)i);
    CHECK(!ballot_type_from_name("scoring", &t));

    /* every election rule and variant names a pabulib rule that reads back as the same options */
    static const char *const params[] = {
        "{}", "{\"greedy_variant\":\"no-skip\"}", "{\"completion\":\"none\"}", "{\"completion\":\"add1\"}",
        "{\"completion\":\"add1-comparison\"}"};
    for (int i = 0; countrule_names[i]; i++)
        for (size_t j = 0; j < sizeof params / sizeof params[0]; j++) {
            cJSON *p = cJSON_Parse(params[j]);
            struct tally_options a, b;
            countrule_options(countrule_names[i], p, &a);
            const char *name = countrule_pabulib_name(countrule_names[i], p);
            CHECK(countrule_from_pabulib(name, &b));
            CHECK(a.rule == b.rule && a.greedy == b.greedy && a.completion == b.completion);
            cJSON_Delete(p);
        }
    struct tally_options o;
    cJSON *none = cJSON_Parse("{}");
    countrule_options("equal_shares", none, &o); /* the server's default completion */
    CHECK(o.rule == RULE_EQUAL_SHARES && o.completion == COMPLETION_ADD1 && o.unit == 100);
    CHECK(strcmp(countrule_pabulib_name("equal_shares", none), "equalshares/add1") == 0);
    cJSON_Delete(none);
    CHECK(countrule_from_pabulib("seqphragmen", &o) && o.rule == RULE_PHRAGMEN);
    CHECK(countrule_from_pabulib("greedy-threshold", &o) && o.rule == RULE_GREEDY);
    CHECK(!countrule_from_pabulib("borda", &o));
}
