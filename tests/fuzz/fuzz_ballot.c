/* libFuzzer target: request bodies through strict JSON checks, ballot rules and ballot
 * validation, as PUT /ballot does. The first byte picks the ballot type. */
#include "lib/ballot_rules.h"
#include "lib/jsonv.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const configs[] = {
        "{\"type\":\"approval\",\"min_selections\":1,\"max_selections\":3,"
        "\"category_limits\":[{\"category\":\"park\",\"max_selections\":1,\"max_share\":0.3}]}",
        "{\"type\":\"knapsack\",\"min_spend_share\":0.5}",
        "{\"type\":\"cumulative\",\"points\":10,\"max_points_per_project\":4}",
        "{\"type\":\"ordinal\",\"max_ranks\":3}",
    };
    if (size < 1)
        return 0;
    cJSON *cfg = cJSON_Parse(configs[data[0] % 4]);
    struct ballot_config bc;
    struct verr e;
    if (!ballot_config_parse(cfg, &bc, &e))
        abort();
    cJSON_Delete(cfg);
    cJSON *body = cJSON_ParseWithLength((const char *)data + 1, size - 1);
    if (body && jv_check_tree(body, 32, &e) && cJSON_IsObject(body)) {
        static const struct ballot_project projects[] = {
            {1, 7, 40, true, "park"}, {2, 7, 30, true, "park"}, {3, 7, 50, true, NULL}, {4, 7, 5, false, NULL},
            {5, 8, 10, true, "traffic"}};
        struct ballot b;
        if (ballot_parse(body, &bc, &b, &e)) {
            if (!b.district_id)
                b.district_id = 7;
            if (ballot_validate(&b, &bc, 100, projects, 5, &e)) {
                char *canon = ballot_canonical(&b);
                free(canon);
            }
            cJSON_Delete(ballot_to_json(&b, bc.type));
            ballot_free(&b);
        }
        /* and the election settings that staff send */
        struct ballot_config other;
        (void)ballot_config_parse(body, &other, &e);
    }
    cJSON_Delete(body);
    return 0;
}
