/* Strict JSON reading: numbers, duplicate keys, depth, UTF-8, texts by language. */
#include "lib/i18n.h"
#include "lib/jsonv.h"
#include "unit.h"

#include <string.h>

void test_jsonv(void)
{
    struct verr e;
    cJSON *j = cJSON_Parse("{\"a\":1,\"a\":2}");
    CHECK(!jv_check_tree(j, 32, &e) && e.err == ERR_INVALID_JSON);
    cJSON_Delete(j);
    j = cJSON_Parse("[[[[[[1]]]]]]");
    CHECK(!jv_check_tree(j, 4, &e));
    CHECK(jv_check_tree(j, 8, &e));
    cJSON_Delete(j);
    j = cJSON_Parse("{\"s\":\"\xff\xfe\"}");
    CHECK(j && !jv_check_tree(j, 8, &e));
    cJSON_Delete(j);

    j = cJSON_Parse("{\"n\":12,\"f\":1.5,\"big\":1e20,\"s\":\"7\",\"neg\":-3,\"str\":\"x\"}");
    int64_t v;
    CHECK(jv_int(j, "n", 0, 100, &v, &e) == 1 && v == 12);
    CHECK(jv_int(j, "f", 0, 100, &v, &e) == -1 && strcmp(e.field, "f") == 0);
    CHECK(jv_int(j, "big", 0, JV_MAX_SAFE_INT, &v, &e) == -1);
    CHECK(jv_int(j, "missing", 0, 1, &v, &e) == 0);
    CHECK(jv_int(j, "n", 0, 10, &v, &e) == -1);
    CHECK(jv_id(j, "s", &v, &e) == 1 && v == 7);
    CHECK(jv_id(j, "neg", &v, &e) == -1);
    const char *s;
    CHECK(jv_string(j, "str", 10, &s, &e) == 1 && strcmp(s, "x") == 0);
    CHECK(jv_string(j, "n", 10, &s, &e) == -1);
    static const char *const keys[] = {"n", "f", NULL};
    CHECK(!jv_only_keys(j, keys, NULL, &e) && e.err == ERR_UNKNOWN_FIELD);
    cJSON_Delete(j);

    j = cJSON_Parse("{\"t\":{\"da\":\"Hej\",\"en\":\"Hi\"},\"u\":\"Plain\",\"bad\":{\"DA\":\"x\"},\"empty\":{\"da\":\"\"}}");
    cJSON *t = NULL;
    CHECK(i18n_text(j, "t", "da", 100, &t, &e) == 1);
    CHECK(strcmp(i18n_pick(t, "en", "da"), "Hi") == 0);
    CHECK(strcmp(i18n_pick(t, "pl", "da"), "Hej") == 0);
    cJSON_Delete(t);
    CHECK(i18n_text(j, "u", "da", 100, &t, &e) == 1 && strcmp(i18n_pick(t, "da", NULL), "Plain") == 0);
    cJSON_Delete(t);
    CHECK(i18n_text(j, "bad", "da", 100, &t, &e) == -1);
    CHECK(i18n_text(j, "empty", "da", 100, &t, &e) == -1);
    cJSON_Delete(j);

    int64_t m;
    CHECK(parse_money("1546168.66", 2, &m) && m == 154616866);
    CHECK(parse_money("12", 2, &m) && m == 1200);
    CHECK(!parse_money("1.234", 2, &m));
    CHECK(parse_money("1.230", 2, &m) && m == 123);
    CHECK(!parse_money("abc", 2, &m));
    CHECK(utf8_valid("Nørreby", strlen("Nørreby")));
    CHECK(!utf8_valid("\xc0\xaf", 2));
    CHECK(!utf8_valid("\xed\xa0\x80", 3));
}
