/* libFuzzer target: the two spreadsheet uploads staff make, the voter register
 * (lib/regimport) and the proposals import (lib/propimport), both over libcsv (lib/csvtable).
 * Any bytes are read without reading past their end (ASan), leak nothing, and every row is
 * either good or named with its line: the good rows and the problems never exceed the rows. */
#include "lib/keys.h"
#include "lib/propimport.h"
#include "lib/regimport.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Two districts of a group and a city-wide one, with names in two languages, as the
 * election's JSON gives them. */
static const char *const ELECTION =
    "{\"default_language\": \"da\", \"languages\": [\"da\", \"en\"], \"currency\": \"DKK\","
    " \"categories\": [{\"key\": \"natur\", \"name\": {\"da\": \"Natur\"}}],"
    " \"district_groups\": [{\"id\": 7, \"name\": {\"da\": \"Bydele\"}}],"
    " \"districts\": [{\"id\": 1, \"name\": {\"da\": \"Nord\", \"en\": \"North\"}, \"budget\": 100000, \"group_id\": 7},"
    "                {\"id\": 2, \"name\": {\"da\": \"Syd\"}, \"budget\": 100000, \"group_id\": 7},"
    "                {\"id\": 3, \"name\": {\"da\": \"Hele byen\"}, \"budget\": 900000, \"group_id\": null}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1); /* exactly size bytes and a NUL, so ASan sees any overread */
    memcpy(text, data, size);
    text[size] = '\0';
    cJSON *e = cJSON_Parse(ELECTION);
    struct server_keys keys;
    unsigned char secret[KEY_LEN];
    memset(secret, 0x5a, sizeof secret);
    keys_derive(secret, &keys);

    struct regimport r;
    regimport_run(&keys, 1, cJSON_GetObjectItemCaseSensitive(e, "districts"), text, size, &r);
    if (!r.fatal[0] && r.rows > REGIMPORT_MAX_ROWS)
        abort();
    regimport_free(&r);

    struct propimport p;
    propimport_run(e, text, size, size % 2 ? MONEY_DA : MONEY_EN, &p);
    if (!p.fatal[0] && (size_t)cJSON_GetArraySize(p.rows) > p.count)
        abort(); /* more good rows than rows */
    propimport_free(&p);

    cJSON_Delete(e);
    free(text);
    return 0;
}
