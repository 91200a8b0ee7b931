/* Ballot rules: each type's limits, and each way a ballot can break them. */
#include "lib/ballot_rules.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static bool config(const char *json, struct ballot_config *c, struct verr *e)
{
    cJSON *j = cJSON_Parse(json);
    bool ok = ballot_config_parse(j, c, e);
    cJSON_Delete(j);
    return ok;
}

static bool check(const struct ballot_config *c, const char *body, struct verr *e)
{
    static const struct ballot_project projects[] = {
        {1, 10, 40, true, "park"}, {2, 10, 30, true, "park"}, {3, 10, 50, true, "traffic"},
        {4, 10, 5, false, NULL}, {5, 20, 10, true, NULL}};
    cJSON *j = cJSON_Parse(body);
    struct ballot b;
    bool ok = ballot_parse(j, c, &b, e);
    cJSON_Delete(j);
    if (!ok)
        return false;
    if (!b.district_id)
        b.district_id = 10;
    ok = ballot_validate(&b, c, 100, projects, 5, e);
    ballot_free(&b);
    return ok;
}

void test_ballot_rules(void)
{
    struct ballot_config c;
    struct verr e;
    CHECK(!config("{}", &c, &e) && strcmp(e.field, "ballot.type") == 0);
    CHECK(!config("{\"type\":\"ranked\"}", &c, &e));
    CHECK(!config("{\"type\":\"approval\",\"points\":5}", &c, &e) && e.err == ERR_INVALID_FIELD);
    CHECK(!config("{\"type\":\"approval\",\"min_selections\":3,\"max_selections\":2}", &c, &e));
    CHECK(!config("{\"type\":\"approval\",\"extra\":1}", &c, &e) && e.err == ERR_UNKNOWN_FIELD);
    CHECK(!config("{\"type\":\"cumulative\"}", &c, &e));
    CHECK(!config("{\"type\":\"knapsack\",\"min_spend_share\":1.5}", &c, &e));

    CHECK(config("{\"type\":\"approval\",\"min_selections\":1,\"max_selections\":2}", &c, &e));
    CHECK(check(&c, "{\"approvals\":[1,2]}", &e));
    CHECK(!check(&c, "{\"approvals\":[1,2,3]}", &e) && strcmp(e.code, "max_selections") == 0);
    CHECK(!check(&c, "{\"approvals\":[]}", &e) && strcmp(e.code, "min_selections") == 0);
    CHECK(!check(&c, "{\"approvals\":[1,1]}", &e) && strcmp(e.code, "duplicate_proposal") == 0);
    CHECK(!check(&c, "{\"approvals\":[4]}", &e) && strcmp(e.code, "proposal_not_on_ballot") == 0);
    CHECK(!check(&c, "{\"approvals\":[5]}", &e) && strcmp(e.code, "proposal_not_on_ballot") == 0);
    CHECK(!check(&c, "{\"approvals\":[99]}", &e) && strcmp(e.code, "proposal_not_on_ballot") == 0);
    CHECK(!check(&c, "{\"approvals\":\"1\"}", &e) && e.err == ERR_INVALID_FIELD);
    CHECK(!check(&c, "{\"approvals\":[1.5]}", &e) && e.err == ERR_INVALID_FIELD);
    CHECK(!check(&c, "{\"approvals\":[-1]}", &e) && e.err == ERR_INVALID_FIELD);
    CHECK(!check(&c, "{\"approvals\":[1e300]}", &e) && e.err == ERR_INVALID_FIELD);
    CHECK(!check(&c, "{\"points\":{\"1\":1}}", &e) && e.err == ERR_UNKNOWN_FIELD);
    CHECK(!check(&c, "{}", &e) && e.err == ERR_INVALID_FIELD);

    CHECK(config("{\"type\":\"knapsack\",\"min_spend_share\":0.5}", &c, &e));
    CHECK(check(&c, "{\"approvals\":[1,2]}", &e));
    CHECK(!check(&c, "{\"approvals\":[1,2,3]}", &e) && strcmp(e.code, "budget_exceeded") == 0);
    CHECK(!check(&c, "{\"approvals\":[2]}", &e) && strcmp(e.code, "min_spend_share") == 0);
    CHECK(check(&c, "{\"approvals\":[3]}", &e)); /* exactly half */

    CHECK(config("{\"type\":\"cumulative\",\"points\":10,\"max_points_per_project\":6}", &c, &e));
    CHECK(check(&c, "{\"points\":{\"1\":6,\"2\":4}}", &e));
    CHECK(!check(&c, "{\"points\":{\"1\":7}}", &e) && strcmp(e.code, "max_points_per_project") == 0);
    CHECK(!check(&c, "{\"points\":{\"1\":6,\"2\":5}}", &e) && strcmp(e.code, "points_exceeded") == 0);
    CHECK(!check(&c, "{\"points\":{\"x\":1}}", &e) && e.err == ERR_INVALID_FIELD);
    CHECK(!check(&c, "{\"points\":{\"1\":-1}}", &e) && e.err == ERR_INVALID_FIELD);

    CHECK(config("{\"type\":\"ordinal\",\"max_ranks\":2}", &c, &e));
    CHECK(check(&c, "{\"ranking\":[3,1]}", &e));
    CHECK(!check(&c, "{\"ranking\":[3,1,2]}", &e) && strcmp(e.code, "max_ranks") == 0);
    CHECK(!check(&c, "{\"ranking\":[3,3]}", &e) && strcmp(e.code, "duplicate_proposal") == 0);

    /* per-category quotas combine with the other limits */
    struct ballot_config cq;
    CHECK(config("{\"type\":\"approval\",\"category_limits\":[{\"category\":\"park\",\"max_selections\":1}]}", &cq, &e));
    CHECK(check(&cq, "{\"approvals\":[1,3]}", &e));
    CHECK(!check(&cq, "{\"approvals\":[1,2]}", &e) && strcmp(e.code, "category_max_selections") == 0);
    CHECK(config("{\"type\":\"knapsack\",\"category_limits\":[{\"category\":\"park\",\"max_share\":0.5}]}", &cq, &e));
    CHECK(check(&cq, "{\"approvals\":[1,3]}", &e));
    CHECK(!check(&cq, "{\"approvals\":[1,2]}", &e) && strcmp(e.code, "category_max_share") == 0);
    cJSON *round = ballot_config_to_json(&cq);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(round, "category_limits")) == 1);
    cJSON_Delete(round);
    struct ballot_config bad;
    CHECK(!config("{\"type\":\"approval\",\"category_limits\":[{\"category\":\"park\"}]}", &bad, &e));
    CHECK(!config("{\"type\":\"approval\",\"category_limits\":{\"park\":1}}", &bad, &e));

    /* canonical text keeps rank order and sorts approvals */
    struct ballot b;
    cJSON *j = cJSON_Parse("{\"district_id\":10,\"ranking\":[3,1]}");
    CHECK(ballot_parse(j, &c, &b, &e));
    char *canon = ballot_canonical(&b);
    CHECK(strcmp(canon, "district=10;items=3,1") == 0);
    free(canon);
    ballot_free(&b);
    cJSON_Delete(j);
    CHECK(config("{\"type\":\"approval\"}", &c, &e));
    j = cJSON_Parse("{\"district_id\":10,\"approvals\":[3,1]}");
    CHECK(ballot_parse(j, &c, &b, &e));
    canon = ballot_canonical(&b);
    CHECK(strcmp(canon, "district=10;items=1,3") == 0);
    free(canon);
    ballot_free(&b);
    cJSON_Delete(j);
}
