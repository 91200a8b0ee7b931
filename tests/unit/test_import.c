/* Imports staff make from spreadsheets: amounts as languages write them, CSV as Excel and
 * others write it, the voter register and proposals in bulk, and the proposals' export. */
#include "lib/csvtable.h"
#include "lib/keys.h"
#include "lib/money.h"
#include "lib/propimport.h"
#include "lib/regimport.h"
#include "unit.h"

#include <string.h>

static void test_money(void)
{
    static const struct {
        const char *text;
        enum money_style style;
        enum money_problem want;
        int64_t minor;
    } cases[] = {
        {"1.000.000", MONEY_DA, MONEY_OK, 100000000},
        {"1.000.000,50", MONEY_DA, MONEY_OK, 100000050},
        {"200.000", MONEY_DA, MONEY_OK, 20000000},
        {" 1 000 000,5 ", MONEY_DA, MONEY_OK, 100000050},
        {"1\xC2\xA0" "000", MONEY_DA, MONEY_OK, 100000},
        {"1\xE2\x80\xAF" "000", MONEY_EN, MONEY_OK, 100000},
        {"250000", MONEY_DA, MONEY_OK, 25000000},
        {"0,5", MONEY_DA, MONEY_OK, 50},
        {"1,000,000.50", MONEY_EN, MONEY_OK, 100000050},
        {"1000000.5", MONEY_EN, MONEY_OK, 100000050},
        /* ambiguous or wrong: refused, never another amount */
        {"1.000.000", MONEY_EN, MONEY_GROUPING, 0},
        {"200.000", MONEY_EN, MONEY_DECIMALS, 0},
        {"1,000", MONEY_DA, MONEY_DECIMALS, 0},
        {"1,5", MONEY_EN, MONEY_GROUPING, 0},
        {"1.5", MONEY_DA, MONEY_GROUPING, 0},
        {"1000.50", MONEY_DA, MONEY_GROUPING, 0},
        {"10.00.000", MONEY_DA, MONEY_GROUPING, 0},
        {"1.000 000", MONEY_DA, MONEY_GROUPING, 0},
        {"1.000,", MONEY_DA, MONEY_GROUPING, 0},
        {",50", MONEY_DA, MONEY_GROUPING, 0},
        {"12,345", MONEY_DA, MONEY_DECIMALS, 0},
        {"kr. 100", MONEY_DA, MONEY_CHARACTERS, 0},
        {"-100", MONEY_DA, MONEY_CHARACTERS, 0},
        {"", MONEY_DA, MONEY_EMPTY, 0},
        {"   ", MONEY_EN, MONEY_EMPTY, 0},
        {"0", MONEY_EN, MONEY_RANGE, 0},
        {"99999999999999999999", MONEY_EN, MONEY_RANGE, 0},
    };
    for (size_t i = 0; i < PB_ARRAY_LEN(cases); i++) {
        int64_t m = 0;
        enum money_problem p = money_read(cases[i].text, cases[i].style, &m);
        CHECK(p == cases[i].want);
        if (p != cases[i].want)
            fprintf(stderr, "  money_read(\"%s\") = %d, want %d\n", cases[i].text, p, cases[i].want);
        CHECK(p != MONEY_OK || m == cases[i].minor);
    }
    char out[40];
    money_write(100000050, MONEY_DA, out, sizeof out);
    CHECK(strcmp(out, "1000000,50") == 0);
    money_write(100000000, MONEY_EN, out, sizeof out);
    CHECK(strcmp(out, "1000000") == 0);
    int64_t m;
    CHECK(money_read(out, MONEY_EN, &m) == MONEY_OK && m == 100000000);
    CHECK(money_style_for("da") == MONEY_DA && money_style_for("en") == MONEY_EN && money_style_for(NULL) == MONEY_EN);
}

static void test_csvtable(void)
{
    struct csvt t;
    char err[160];
    /* Excel in Danish: BOM, semicolons, CRLF, a quoted field with a separator, a quote and a
     * line break; blank and all-empty lines are left out */
    const char *text = "\xEF\xBB\xBFname;cost\r\n\"Bænk; grøn\";100\r\n\r\n;;\r\n\"Sti \"\"ny\"\"\nlinje 2\";200\r\nLast;3";
    CHECK(csvt_read(text, strlen(text), 100, 10, 1000, &t, err, sizeof err));
    CHECK(t.delim == ';' && t.nrows == 4);
    CHECK(csvt_column(&t, "NAME") == 0 && csvt_column(&t, "Cost") == 1 && csvt_column(&t, "x") == -1);
    CHECK(strcmp(t.rows[1].fields[0], "Bænk; grøn") == 0 && t.rows[1].line == 2);
    CHECK(strcmp(t.rows[2].fields[0], "Sti \"ny\"\nlinje 2") == 0 && t.rows[2].line == 5);
    CHECK(strcmp(t.rows[3].fields[0], "Last") == 0 && t.rows[3].line == 7);
    CHECK(strcmp(csvt_field(&t.rows[3], 5), "") == 0 && strcmp(csvt_field(&t.rows[3], -1), "") == 0);
    csvt_free(&t);
    CHECK(csvt_read("a,b\n1,2\n", 8, 100, 10, 1000, &t, err, sizeof err) && t.delim == ',' && t.nrows == 2);
    csvt_free(&t);
    CHECK(csvt_read("a\tb\n1\t 2\n", 9, 100, 10, 1000, &t, err, sizeof err) && t.delim == '\t' &&
          strcmp(t.rows[1].fields[1], "2") == 0);
    csvt_free(&t);
    /* malformed or too big: refused with the line */
    CHECK(!csvt_read("a,b\n\"open,2\n", 12, 100, 10, 1000, &t, err, sizeof err) && strstr(err, "not valid CSV"));
    CHECK(!csvt_read("a,b\n\"x\"y,2\n", 11, 100, 10, 1000, &t, err, sizeof err) && strstr(err, "Line 2"));
    CHECK(!csvt_read("a\n1\n2\n3\n", 8, 3, 10, 1000, &t, err, sizeof err) && strstr(err, "too many rows"));
    CHECK(!csvt_read("a,b,c\n", 6, 3, 2, 1000, &t, err, sizeof err) && strstr(err, "too many fields"));
    CHECK(!csvt_read("abcdef\n", 7, 3, 2, 3, &t, err, sizeof err) && strstr(err, "too long"));
    /* writing quotes every field, so that it reads back */
    struct buf b;
    buf_init(&b);
    csvt_put(&b, "a;\"b\"", ';');
    csvt_put(&b, "x\ny", '\n');
    CHECK(strcmp(b.data, "\"a;\"\"b\"\"\";\"x\ny\"\r\n") == 0);
    CHECK(csvt_read(b.data, b.len, 10, 10, 100, &t, err, sizeof err) && t.nrows == 1 &&
          strcmp(t.rows[0].fields[0], "a;\"b\"") == 0 && strcmp(t.rows[0].fields[1], "x\ny") == 0);
    csvt_free(&t);
    buf_free(&b);
}

static const char *election_json =
    "{\"default_language\":\"da\",\"languages\":[\"da\",\"en\"],"
    "\"districts\":[{\"id\":7,\"name\":{\"da\":\"Nord\",\"en\":\"North\"},\"budget\":50000000},"
    "{\"id\":8,\"name\":{\"da\":\"Syd\",\"en\":\"South\"},\"budget\":100000}],"
    "\"categories\":[{\"key\":\"park\",\"name\":{\"da\":\"Parker\",\"en\":\"Parks\"}}]}";

static void test_regimport(void)
{
    struct server_keys keys;
    unsigned char secret[KEY_LEN] = {1};
    keys_derive(secret, &keys);
    cJSON *e = cJSON_Parse(election_json);
    const cJSON *ds = cJSON_GetObjectItemCaseSensitive(e, "districts");
    CHECK(regimport_district(ds, "7") == 7 && regimport_district(ds, " south ") == 8 &&
          regimport_district(ds, "Nord") == 7 && regimport_district(ds, "9") == 0 && regimport_district(ds, "") == 0);
    const char *csv = "personal_id;birth_date;postcode;district;contact\n"
                      "010190-1234;1990-01-01;7100;Nord;+4512345678\n"
                      "020285-4321;02.02.1985;;8;borger@example.dk\n"
                      "030370-1111;1970-13-03;;7;\n"          /* month 13 */
                      ";1970-01-03;;7;\n"                     /* no personal number */
                      "040480-2222;04/04/1980;;Vest;x\n"      /* no such district, bad contact */
                      "0101901234;01-01-1990;7100;7;\n";      /* line 2's person again */
    struct regimport r;
    regimport_run(&keys, 42, ds, csv, strlen(csv), &r);
    CHECK(!r.fatal[0] && r.rows == 2 && r.errors.count == 5);
    CHECK(r.errors.kept == 5 && r.errors.list[0].line == 4 && strcmp(r.errors.list[0].field, "birth_date") == 0);
    CHECK(strcmp(r.errors.list[1].field, "personal_id") == 0 && r.errors.list[1].line == 5);
    CHECK(strcmp(r.errors.list[2].field, "district") == 0 && strcmp(r.errors.list[3].field, "contact") == 0);
    CHECK(r.errors.list[4].line == 7 && strstr(r.errors.list[4].message, "line 2"));
    CHECK(r.out.data[0] == '[' && strstr(r.out.data, "[7,\"") && strstr(r.out.data, "[8,\""));
    char *counts = cJSON_PrintUnformatted(r.districts);
    CHECK(strcmp(counts, "[{\"district_id\":7,\"rows\":1},{\"district_id\":8,\"rows\":1}]") == 0);
    cJSON_free(counts);
    regimport_free(&r);
    regimport_run(&keys, 42, ds, "name,birth\nx,y\n", 15, &r);
    CHECK(strstr(r.fatal, "personal_id"));
    regimport_free(&r);
    regimport_run(&keys, 42, ds, "personal_id,birth_date,district_id\n", 35, &r);
    CHECK(strstr(r.fatal, "no rows"));
    regimport_free(&r);
    cJSON_Delete(e);
}

static void test_propimport(void)
{
    cJSON *e = cJSON_Parse(election_json);
    const char *csv = "district;title_da;title_en;summary_da;category;cost;cost_note;lat;lng;address;status\n"
                      "Nord;Bænk;Bench;Ny bænk;Parker;1.500,50;Skøn;55,67;12,56;Torvet 1;\n"
                      "7;'=Sti;;;park;200.000;;;;;submitted\n"
                      "Syd;For dyr;;;;1.500;;;;;\n"              /* more than Syd's budget of 1.000 */
                      "Vest;Ukendt;;;Trafik;1.000,123;;91;;;\n"  /* district, category, cost, lat */
                      "7;;Only English;;;100;;;;;maybe\n";       /* no Danish title, status */
    struct propimport p;
    propimport_run(e, csv, strlen(csv), MONEY_DA, &p);
    CHECK(!p.fatal[0] && p.count == 5 && cJSON_GetArraySize(p.rows) == 2);
    const cJSON *first = cJSON_GetArrayItem(p.rows, 0);
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(first, "cost")) == 150050);
    CHECK(strcmp(cJSON_GetObjectItemCaseSensitive(first, "category")->valuestring, "park") == 0);
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(first, "line")) == 2);
    const cJSON *second = cJSON_GetArrayItem(p.rows, 1);
    CHECK(strcmp(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(second, "title"), "da")->valuestring,
                 "=Sti") == 0);
    CHECK(strcmp(cJSON_GetObjectItemCaseSensitive(second, "status")->valuestring, "submitted") == 0);
    CHECK(p.errors.count == 7);
    CHECK(p.errors.list[0].line == 4 && strstr(p.errors.list[0].message, "1000"));
    propimport_free(&p);
    /* unknown or missing columns stop the whole file */
    propimport_run(e, "district,titel\n7,x\n", 18, MONEY_EN, &p);
    CHECK(strstr(p.fatal, "\"titel\" is not known"));
    propimport_free(&p);
    propimport_run(e, "district,title_de\n7,x\n", 21, MONEY_EN, &p);
    CHECK(strstr(p.fatal, "language"));
    propimport_free(&p);
    propimport_run(e, "district,cost\n7,1\n", 17, MONEY_EN, &p);
    CHECK(strstr(p.fatal, "title_da"));
    propimport_free(&p);
    /* the export reads back as the same proposals */
    cJSON *props = cJSON_Parse("[{\"id\":1,\"district_id\":7,\"status\":\"accepted\",\"title\":{\"da\":\"A; b\",\"en\":\"A\"},"
                               "\"summary\":{},\"description\":{\"da\":\"Linje 1\\nlinje 2\"},\"category\":\"park\","
                               "\"cost\":123456,\"cost_note\":\"+moms\",\"location\":{\"lat\":55.5,\"lng\":12.25},"
                               "\"exclusive_group\":3}]");
    struct buf b;
    buf_init(&b);
    propimport_export(e, props, MONEY_DA, &b);
    CHECK(strstr(b.data, "\"1234,56\"") && strstr(b.data, "\"'+moms\"") && strstr(b.data, "\"Nord\""));
    propimport_run(e, b.data, b.len, MONEY_DA, &p);
    CHECK(!p.fatal[0] && cJSON_GetArraySize(p.rows) == 1 && p.errors.count == 0);
    const cJSON *back = cJSON_GetArrayItem(p.rows, 0);
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(back, "cost")) == 123456);
    CHECK(strcmp(cJSON_GetObjectItemCaseSensitive(back, "cost_note")->valuestring, "+moms") == 0);
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(back, "exclusive_group")) == 3);
    propimport_free(&p);
    buf_free(&b);
    cJSON_Delete(props);
    cJSON_Delete(e);
}

void test_import(void)
{
    test_money();
    test_csvtable();
    test_regimport();
    test_propimport();
}
