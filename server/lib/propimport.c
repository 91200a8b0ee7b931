/*
 * propimport: the header decides what each column is; each data row becomes one proposal
 * object or one or more problems.
 */
#include "lib/propimport.h"
#include "lib/csvtable.h"
#include "lib/i18n.h"
#include "lib/jsonv.h"
#include "lib/regimport.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FIELD 20000
#define MAX_COLUMNS 64
#define MAX_TITLE 300
#define MAX_SUMMARY 2000
#define MAX_DESCRIPTION 20000
#define MAX_NOTE 2000
#define MAX_ADDRESS 300

enum col_kind { C_DISTRICT, C_TITLE, C_SUMMARY, C_DESCRIPTION, C_CATEGORY, C_COST, C_NOTE, C_STATUS, C_LAT, C_LNG,
                C_ADDRESS, C_GROUP, C_ID };

static const struct {
    const char *name;
    enum col_kind kind;
} plain_cols[] = {
    {"district", C_DISTRICT}, {"district_id", C_DISTRICT}, {"category", C_CATEGORY}, {"cost", C_COST},
    {"cost_note", C_NOTE},    {"status", C_STATUS},        {"lat", C_LAT},           {"lng", C_LNG},
    {"address", C_ADDRESS},   {"exclusive_group", C_GROUP}, {"id", C_ID},
};

static const char *const text_names[] = {"title", "summary", "description"};

struct column {
    enum col_kind kind;
    char lang[12]; /* texts: the language */
};

static const char *default_lang(const cJSON *election)
{
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(election, "default_language");
    return cJSON_IsString(l) ? l->valuestring : "da";
}

static bool election_has_lang(const cJSON *election, const char *lang)
{
    const cJSON *l;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(election, "languages"))
    {
        if (cJSON_IsString(l) && strcmp(l->valuestring, lang) == 0)
            return true;
    }
    return strcmp(lang, default_lang(election)) == 0;
}

/* What the header field h names, into c; false (fatal set) when it names nothing known. */
static bool read_column(const cJSON *election, const char *h, struct column *c, char *fatal, size_t n)
{
    char name[64];
    size_t len = 0;
    for (const char *p = h; *p && len + 1 < sizeof name; p++)
        if (*p != ' ')
            name[len++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
    name[len] = '\0';
    for (size_t i = 0; i < PB_ARRAY_LEN(plain_cols); i++)
        if (strcmp(name, plain_cols[i].name) == 0) {
            c->kind = plain_cols[i].kind;
            return true;
        }
    for (size_t i = 0; i < PB_ARRAY_LEN(text_names); i++) {
        size_t k = strlen(text_names[i]);
        if (strncmp(name, text_names[i], k) != 0 || (name[k] && name[k] != '_'))
            continue;
        c->kind = (enum col_kind)(C_TITLE + (int)i);
        snprintf(c->lang, sizeof c->lang, "%s", name[k] ? name + k + 1 : default_lang(election));
        if (!i18n_lang_valid(c->lang) || !election_has_lang(election, c->lang)) {
            snprintf(fatal, n, "The column \"%.40s\" names a language the election does not have.", h);
            return false;
        }
        return true;
    }
    snprintf(fatal, n,
             "The column \"%.40s\" is not known. Columns: district, title_<language>, summary_<language>, "
             "description_<language>, category, cost, cost_note, status, lat, lng, address, exclusive_group.",
             h);
    return false;
}

/* A text as typed: without an apostrophe the export put before = + - @. */
static const char *unguarded(const char *s)
{
    return s[0] == '\'' && s[1] && strchr("=+-@", s[1]) ? s + 1 : s;
}

static const cJSON *district_by_id(const cJSON *election, int64_t id)
{
    const cJSON *d;
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(election, "districts"))
    {
        int64_t did;
        if (jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(d, "id"), 1, JV_MAX_SAFE_INT, &did) && did == id)
            return d;
    }
    return NULL;
}

/* The category's key for a key or a name in any language; NULL when none. */
static const char *category_key(const cJSON *election, const char *text)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(election, "categories"))
    {
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(c, "key");
        if (!cJSON_IsString(key))
            continue;
        if (strcmp(key->valuestring, text) == 0)
            return key->valuestring;
        const cJSON *name;
        cJSON_ArrayForEach(name, cJSON_GetObjectItemCaseSensitive(c, "name"))
        {
            if (cJSON_IsString(name) && strcasecmp(name->valuestring, text) == 0)
                return key->valuestring;
        }
    }
    return NULL;
}

/* A coordinate written with a point or a comma. */
static bool coordinate(const char *s, double limit, double *out)
{
    char tmp[40];
    if (strlen(s) >= sizeof tmp || strspn(s, "+-0123456789.,") != strlen(s))
        return false;
    snprintf(tmp, sizeof tmp, "%s", s);
    char *comma = strchr(tmp, ',');
    if (comma)
        *comma = '.';
    char *end;
    *out = strtod(tmp, &end);
    return end != tmp && !*end && isfinite(*out) && fabs(*out) <= limit;
}

static const char *example(enum money_style style)
{
    return style == MONEY_DA ? "1.000.000,50" : "1,000,000.50";
}

struct rowctx {
    const cJSON *election;
    enum money_style style;
    const struct column *cols;
    const struct csvt_row *row;
    struct rowerrors *errors;
    bool ok;
};

static void problem(struct rowctx *x, const char *field, const char *msg)
{
    rowerrors_add(x->errors, x->row->line, field, "%s", msg);
    x->ok = false;
}

/* The row's texts of one kind ({lang: text}), checked for length; NULL when none. */
static cJSON *texts(struct rowctx *x, enum col_kind kind, size_t nfields, size_t limit, const char *field)
{
    cJSON *o = NULL;
    for (size_t i = 0; i < nfields; i++) {
        if (x->cols[i].kind != kind)
            continue;
        const char *v = unguarded(csvt_field(x->row, (int)i));
        if (!*v)
            continue;
        if (strlen(v) > limit) {
            char msg[96];
            snprintf(msg, sizeof msg, "The text is longer than %zu characters.", limit);
            problem(x, field, msg);
            continue;
        }
        if (!o)
            o = cJSON_CreateObject();
        cJSON_DeleteItemFromObjectCaseSensitive(o, x->cols[i].lang);
        cJSON_AddStringToObject(o, x->cols[i].lang, v);
    }
    return o;
}

static const char *plain(const struct rowctx *x, size_t nfields, enum col_kind kind)
{
    for (size_t i = 0; i < nfields; i++)
        if (x->cols[i].kind == kind)
            return unguarded(csvt_field(x->row, (int)i));
    return "";
}

static cJSON *read_row(struct rowctx *x, size_t nfields)
{
    cJSON *p = cJSON_CreateObject();
    jv_add_int(p, "line", (int64_t)x->row->line);
    const char *dist = plain(x, nfields, C_DISTRICT);
    int64_t did = regimport_district(cJSON_GetObjectItemCaseSensitive(x->election, "districts"), dist);
    const cJSON *district = did ? district_by_id(x->election, did) : NULL;
    if (!district)
        problem(x, "district", *dist ? "No district of this election has this id or name, or two have this name."
                                     : "The district is missing.");
    else
        jv_add_int(p, "district_id", did);
    cJSON *title = texts(x, C_TITLE, nfields, MAX_TITLE, "title");
    if (!title || !cJSON_GetObjectItemCaseSensitive(title, default_lang(x->election)))
        problem(x, "title", "A title in the election's default language is required.");
    if (title)
        cJSON_AddItemToObject(p, "title", title);
    cJSON *summary = texts(x, C_SUMMARY, nfields, MAX_SUMMARY, "summary");
    if (summary)
        cJSON_AddItemToObject(p, "summary", summary);
    cJSON *description = texts(x, C_DESCRIPTION, nfields, MAX_DESCRIPTION, "description");
    if (description)
        cJSON_AddItemToObject(p, "description", description);

    const char *cat = plain(x, nfields, C_CATEGORY);
    if (*cat) {
        const char *key = category_key(x->election, cat);
        if (key)
            cJSON_AddStringToObject(p, "category", key);
        else
            problem(x, "category", "The election has no category with this key or name.");
    }
    const char *status = plain(x, nfields, C_STATUS);
    bool accepted = !*status || strcasecmp(status, "accepted") == 0;
    if (!accepted && strcasecmp(status, "submitted") != 0)
        problem(x, "status", "The status must be accepted or submitted.");
    cJSON_AddStringToObject(p, "status", accepted ? "accepted" : "submitted");
    const char *cost = plain(x, nfields, C_COST);
    int64_t minor = 0;
    if (*cost) {
        enum money_problem mp = money_read(cost, x->style, &minor);
        if (mp != MONEY_OK) {
            char msg[200];
            snprintf(msg, sizeof msg, "The cost \"%.40s\" %s; write amounts like %s.", cost, money_problem_text(mp),
                     example(x->style));
            problem(x, "cost", msg);
        } else {
            jv_add_int(p, "cost", minor);
        }
    } else if (accepted) {
        problem(x, "cost", "An accepted proposal needs a cost.");
    }
    int64_t budget = 0;
    if (accepted && minor && district &&
        jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(district, "budget"), 1, JV_MAX_SAFE_INT, &budget) &&
        minor > budget) {
        char b[40], msg[160];
        money_write(budget, x->style, b, sizeof b);
        snprintf(msg, sizeof msg, "The cost is more than the district's budget of %s.", b);
        problem(x, "cost", msg);
    }
    const char *note = plain(x, nfields, C_NOTE);
    if (strlen(note) > MAX_NOTE)
        problem(x, "cost_note", "The costing note is longer than 2000 characters.");
    else if (*note)
        cJSON_AddStringToObject(p, "cost_note", note);

    const char *lat = plain(x, nfields, C_LAT), *lng = plain(x, nfields, C_LNG);
    const char *address = plain(x, nfields, C_ADDRESS);
    double la = 0, lo = 0;
    if ((*lat || *lng) && (!coordinate(lat, 90, &la) || !coordinate(lng, 180, &lo)))
        problem(x, "lat", "Give both lat (-90 to 90) and lng (-180 to 180) as decimal degrees, or neither.");
    else if (strlen(address) > MAX_ADDRESS)
        problem(x, "address", "The address is longer than 300 characters.");
    else if (*lat || *address) {
        cJSON *loc = cJSON_AddObjectToObject(p, "location");
        if (*lat) {
            cJSON_AddNumberToObject(loc, "lat", la);
            cJSON_AddNumberToObject(loc, "lng", lo);
        }
        if (*address)
            cJSON_AddStringToObject(loc, "address", address);
    }
    const char *group = plain(x, nfields, C_GROUP);
    int64_t g;
    if (*group && (!parse_int64(group, &g) || g < 1 || g > 1000000))
        problem(x, "exclusive_group", "The exclusive group must be a whole number from 1 to 1000000.");
    else if (*group)
        jv_add_int(p, "exclusive_group", g);
    return p;
}

void propimport_run(const cJSON *election, const char *text, size_t len, enum money_style style,
                    struct propimport *out)
{
    memset(out, 0, sizeof *out);
    struct csvt t;
    char err[160];
    if (!csvt_read(text, len, PROPIMPORT_MAX_ROWS + 1, MAX_COLUMNS, MAX_FIELD, &t, err, sizeof err)) {
        snprintf(out->fatal, sizeof out->fatal, "%s", err);
        return;
    }
    if (t.nrows < 2) {
        snprintf(out->fatal, sizeof out->fatal, "The file has no proposals: a header line, then one line per proposal.");
        csvt_free(&t);
        return;
    }
    size_t nfields = t.rows[0].nfields;
    struct column *cols = xcalloc(nfields, sizeof *cols);
    bool have_district = false, have_title = false;
    for (size_t i = 0; i < nfields && !out->fatal[0]; i++) {
        if (!read_column(election, t.rows[0].fields[i], &cols[i], out->fatal, sizeof out->fatal))
            break;
        for (size_t k = 0; k < i; k++)
            if (cols[k].kind == cols[i].kind && strcmp(cols[k].lang, cols[i].lang) == 0)
                snprintf(out->fatal, sizeof out->fatal, "The column \"%.40s\" is there twice.", t.rows[0].fields[i]);
        have_district = have_district || cols[i].kind == C_DISTRICT;
        have_title = have_title || (cols[i].kind == C_TITLE && strcmp(cols[i].lang, default_lang(election)) == 0);
    }
    if (!out->fatal[0] && (!have_district || !have_title))
        snprintf(out->fatal, sizeof out->fatal, "The first line must name the columns district and title_%s (or title).",
                 default_lang(election));
    if (!out->fatal[0]) {
        out->rows = cJSON_CreateArray();
        for (size_t r = 1; r < t.nrows; r++) {
            struct rowctx x = {election, style, cols, &t.rows[r], &out->errors, true};
            if (t.rows[r].nfields > nfields)
                problem(&x, "", "The line has more fields than the header names.");
            cJSON *p = read_row(&x, nfields);
            if (x.ok)
                cJSON_AddItemToArray(out->rows, p);
            else
                cJSON_Delete(p);
            out->count++;
        }
    }
    free(cols);
    csvt_free(&t);
}

void propimport_free(struct propimport *p)
{
    cJSON_Delete(p->rows);
    rowerrors_free(&p->errors);
}

/* A text for a spreadsheet: one starting with = + - @ gets an apostrophe first. */
static void put_text(struct buf *out, const char *s, char sep)
{
    if (s && s[0] && strchr("=+-@", s[0])) {
        char *guarded = xasprintf("'%s", s);
        csvt_put(out, guarded, sep);
        free(guarded);
    } else {
        csvt_put(out, s ? s : "", sep);
    }
}

static const char *text_in(const cJSON *p, const char *key, const char *lang)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, key), lang);
    return cJSON_IsString(t) ? t->valuestring : "";
}

void propimport_export(const cJSON *election, const cJSON *proposals, enum money_style style, struct buf *out)
{
    char sep = style == MONEY_DA ? ';' : ',';
    const char *lang = default_lang(election);
    const cJSON *langs = cJSON_GetObjectItemCaseSensitive(election, "languages");
    buf_puts(out, "\xEF\xBB\xBF");
    csvt_put(out, "id", sep);
    csvt_put(out, "district", sep);
    csvt_put(out, "status", sep);
    for (size_t k = 0; k < PB_ARRAY_LEN(text_names); k++) {
        const cJSON *l;
        cJSON_ArrayForEach(l, langs)
        {
            char name[48];
            snprintf(name, sizeof name, "%s_%s", text_names[k], l->valuestring);
            csvt_put(out, name, sep);
        }
    }
    static const char *const rest[] = {"category", "cost", "cost_note", "lat", "lng", "address"};
    for (size_t k = 0; k < PB_ARRAY_LEN(rest); k++)
        csvt_put(out, rest[k], sep);
    csvt_put(out, "exclusive_group", '\n');
    const cJSON *p;
    cJSON_ArrayForEach(p, proposals)
    {
        char num[48];
        int64_t v;
        snprintf(num, sizeof num, "%.0f", cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(p, "id")));
        csvt_put(out, num, sep);
        int64_t did = 0;
        (void)jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(p, "district_id"), 1, JV_MAX_SAFE_INT, &did);
        const cJSON *d = district_by_id(election, did);
        put_text(out, d ? i18n_pick(cJSON_GetObjectItemCaseSensitive(d, "name"), lang, lang) : "", sep);
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(p, "status");
        csvt_put(out, cJSON_IsString(st) ? st->valuestring : "", sep);
        for (size_t k = 0; k < PB_ARRAY_LEN(text_names); k++) {
            const cJSON *l;
            cJSON_ArrayForEach(l, langs)
            {
                put_text(out, text_in(p, text_names[k], l->valuestring), sep);
            }
        }
        const cJSON *cat = cJSON_GetObjectItemCaseSensitive(p, "category");
        csvt_put(out, cJSON_IsString(cat) ? cat->valuestring : "", sep);
        num[0] = '\0';
        if (jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(p, "cost"), 1, JV_MAX_SAFE_INT, &v))
            money_write(v, style, num, sizeof num);
        csvt_put(out, num, sep);
        const cJSON *note = cJSON_GetObjectItemCaseSensitive(p, "cost_note");
        put_text(out, cJSON_IsString(note) ? note->valuestring : "", sep);
        const cJSON *loc = cJSON_GetObjectItemCaseSensitive(p, "location");
        const cJSON *lat = cJSON_GetObjectItemCaseSensitive(loc, "lat"), *lng = cJSON_GetObjectItemCaseSensitive(loc, "lng");
        const cJSON *addr = cJSON_GetObjectItemCaseSensitive(loc, "address");
        snprintf(num, sizeof num, "%.10g", cJSON_IsNumber(lat) ? lat->valuedouble : 0);
        csvt_put(out, cJSON_IsNumber(lat) ? num : "", sep);
        snprintf(num, sizeof num, "%.10g", cJSON_IsNumber(lng) ? lng->valuedouble : 0);
        csvt_put(out, cJSON_IsNumber(lng) ? num : "", sep);
        put_text(out, cJSON_IsString(addr) ? addr->valuestring : "", sep);
        num[0] = '\0';
        if (jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(p, "exclusive_group"), 1, JV_MAX_SAFE_INT, &v))
            snprintf(num, sizeof num, "%lld", (long long)v);
        csvt_put(out, num, '\n');
    }
}
