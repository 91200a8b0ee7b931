/*
 * regimport: the register's rows, checked and hashed. Nothing of a row survives but its
 * hashes; the copies of the text are wiped by the caller (the upload's buffer) and here.
 */
#include "lib/regimport.h"
#include "lib/crypto.h"
#include "lib/csvtable.h"
#include "lib/jsonv.h"
#include "lib/util.h"
#include "lib/voterkeys.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FIELD 256
#define MAX_FIELDS 32

/* text without the spaces around it, compared with name (ASCII case ignored). */
static bool same_trimmed(const char *text, const char *name)
{
    while (*text == ' ')
        text++;
    size_t n = strlen(text);
    while (n && text[n - 1] == ' ')
        n--;
    return n == strlen(name) && strncasecmp(text, name, n) == 0;
}

int64_t regimport_district(const cJSON *districts, const char *text)
{
    int64_t id = 0, found = 0;
    const char *t = text;
    while (*t == ' ')
        t++;
    bool numeric = *t && strspn(t, "0123456789 ") == strlen(t);
    if (numeric) {
        char digits[24];
        snprintf(digits, sizeof digits, "%.*s", (int)strcspn(t, " "), t);
        if (!parse_int64(digits, &id))
            return 0;
    }
    const cJSON *d;
    cJSON_ArrayForEach(d, districts)
    {
        int64_t did = 0;
        if (!jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(d, "id"), 1, JV_MAX_SAFE_INT, &did))
            continue;
        if (numeric) {
            if (did == id)
                return did;
            continue;
        }
        const cJSON *name;
        bool match = false;
        cJSON_ArrayForEach(name, cJSON_GetObjectItemCaseSensitive(d, "name"))
        {
            match = match || (cJSON_IsString(name) && same_trimmed(text, name->valuestring));
        }
        if (match) {
            if (found && found != did)
                return 0; /* two districts of that name: the id must say which */
            found = did;
        }
    }
    return found;
}

/* The group of district id in the election's districts (0: ungrouped, or unknown). */
static int64_t group_of(const cJSON *districts, int64_t id)
{
    const cJSON *d;
    cJSON_ArrayForEach(d, districts)
    {
        int64_t did = 0, g = 0;
        if (jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(d, "id"), 1, JV_MAX_SAFE_INT, &did) && did == id) {
            (void)jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(d, "group_id"), 1, JV_MAX_SAFE_INT, &g);
            return g;
        }
    }
    return 0;
}

/* The districts a row's cell names: one district (by id or name), or several separated by
 * '|' (a home district and the districts of other groups), at most one per group. Fills
 * ids (n of them); false with the reason in why. */
static bool row_districts(const cJSON *districts, const char *cell, int64_t ids[REGIMPORT_MAX_FRAMES], size_t *n,
                          const char **why)
{
    *n = 0;
    *why = *cell ? "No district of this election has this id or name." : "The district is missing.";
    int64_t whole = regimport_district(districts, cell);
    if (whole) {
        ids[(*n)++] = whole;
        return true;
    }
    if (!*cell || !strchr(cell, '|'))
        return false;
    for (const char *p = cell;;) {
        size_t len = strcspn(p, "|");
        char part[MAX_FIELD + 1];
        snprintf(part, sizeof part, "%.*s", (int)len, p);
        int64_t id = regimport_district(districts, part);
        if (!id)
            return false;
        if (*n == REGIMPORT_MAX_FRAMES) {
            *why = "A row names more districts than a voter can vote in.";
            return false;
        }
        for (size_t i = 0; i < *n; i++)
            if (ids[i] == id || group_of(districts, ids[i]) == group_of(districts, id)) {
                *why = "The row names two districts of one group; a voter votes in one district per group.";
                return false;
            }
        ids[(*n)++] = id;
        if (!p[len])
            return true;
        p += len + 1;
    }
}

/* A birth date in one of the ways registers write it, as YYYY-MM-DD in out. */
static bool birth_date(const char *in, char out[11])
{
    while (*in == ' ')
        in++;
    size_t n = strlen(in);
    while (n && in[n - 1] == ' ')
        n--;
    if (n != 10)
        return false;
    if (in[4] == '-')
        snprintf(out, 11, "%.10s", in);
    else if ((in[2] == '-' || in[2] == '.' || in[2] == '/') && in[5] == in[2])
        snprintf(out, 11, "%.4s-%.2s-%.2s", in + 6, in + 3, in);
    else
        return false;
    return voterkey_date_valid(out);
}

struct seen {
    char hash[VOTERKEY_HEX];
    size_t line;
    size_t index; /* the row's place in the file's rows */
};

static int seen_cmp(const void *a, const void *b)
{
    const struct seen *x = a, *y = b;
    int c = strcmp(x->hash, y->hash);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* The districts' counts, in the order of the election's districts. */
static cJSON *district_counts(const cJSON *districts, const int64_t *ids, size_t n)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *d;
    cJSON_ArrayForEach(d, districts)
    {
        int64_t did = 0, count = 0;
        if (!jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(d, "id"), 1, JV_MAX_SAFE_INT, &did))
            continue;
        for (size_t i = 0; i < n; i++)
            count += ids[i] == did;
        cJSON *o = cJSON_CreateObject();
        jv_add_int(o, "district_id", did);
        jv_add_int(o, "rows", count);
        cJSON_AddItemToArray(out, o);
    }
    return out;
}

void regimport_run(const struct server_keys *keys, int64_t election, const cJSON *districts, const char *text,
                   size_t len, struct regimport *out)
{
    memset(out, 0, sizeof *out);
    buf_init(&out->out);
    struct csvt t;
    char err[160];
    if (!csvt_read(text, len, REGIMPORT_MAX_ROWS + 1, MAX_FIELDS, MAX_FIELD, &t, err, sizeof err)) {
        snprintf(out->fatal, sizeof out->fatal, "%s", err);
        return;
    }
    int c_id = csvt_column(&t, "personal_id"), c_birth = csvt_column(&t, "birth_date");
    int c_post = csvt_column(&t, "postcode"), c_contact = csvt_column(&t, "contact");
    int c_oidc = csvt_column(&t, "oidc_id"), c_dist = csvt_column(&t, "district_id");
    int c_area = csvt_column(&t, "area"); /* optional: for turnout by area (never for matching) */
    if (c_dist < 0)
        c_dist = csvt_column(&t, "district");
    if (c_id < 0 || c_birth < 0 || c_dist < 0) {
        snprintf(out->fatal, sizeof out->fatal,
                 "The first line must name the columns personal_id, birth_date, district_id (or district), and "
                 "optionally postcode and contact.");
        csvt_free(&t);
        return;
    }
    if (t.nrows < 2) {
        snprintf(out->fatal, sizeof out->fatal, "The register has no rows.");
        csvt_free(&t);
        return;
    }
    size_t n = t.nrows - 1;
    struct seen *seen = xcalloc(n, sizeof *seen);
    int64_t (*dist_of)[REGIMPORT_MAX_FRAMES] = xcalloc(n, sizeof *dist_of);
    size_t *ndist_of = xcalloc(n, sizeof *ndist_of);
    char (*contact_of)[VOTERKEY_HEX] = xcalloc(n, sizeof *contact_of);
    char (*oidc_of)[VOTERKEY_HEX] = xcalloc(n, sizeof *oidc_of);
    bool *good = xcalloc(n, sizeof *good);
    char (*date_of)[11] = xcalloc(n, sizeof *date_of);
    for (size_t i = 0; i < n; i++) {
        const struct csvt_row *row = &t.rows[i + 1];
        size_t line = row->line;
        const char *pid = csvt_field(row, c_id), *dist = csvt_field(row, c_dist);
        const char *post = csvt_field(row, c_post), *contact = csvt_field(row, c_contact);
        const char *oidc = csvt_field(row, c_oidc), *area = csvt_field(row, c_area);
        char *date = date_of[i];
        bool ok = true;
        if (!*pid) {
            rowerrors_add(&out->errors, line, "personal_id", "The personal number is missing.");
            ok = false;
        }
        if (!birth_date(csvt_field(row, c_birth), date)) {
            rowerrors_add(&out->errors, line, "birth_date",
                          "The birth date is missing or not a date (write 1990-05-17 or 17-05-1990).");
            ok = false;
        }
        if (strlen(area) > REGIMPORT_MAX_AREA || !utf8_valid(area, strlen(area))) {
            rowerrors_add(&out->errors, line, "area", "The area name is longer than %d bytes.", REGIMPORT_MAX_AREA);
            ok = false;
        }
        const char *why;
        if (!row_districts(districts, dist, dist_of[i], &ndist_of[i], &why)) {
            rowerrors_add(&out->errors, line, c_dist == csvt_column(&t, "district") ? "district" : "district_id", "%s",
                          why);
            ok = false;
        }
        if (*contact && !voterkey_contact(keys, election, contact, contact_of[i])) {
            rowerrors_add(&out->errors, line, "contact", "The contact is neither a phone number nor an e-mail address.");
            ok = false;
        }
        /* an OpenID provider's identifier, when it is not the personal number itself */
        if (*pid && !voterkey_oidc(keys, election, *oidc ? oidc : pid, oidc_of[i])) {
            rowerrors_add(&out->errors, line, *oidc ? "oidc_id" : "personal_id",
                          "The identifier is too long or holds characters a register does not use.");
            ok = false;
        }
        if (ok && !voterkey_register(keys, election, pid, date, post, seen[i].hash)) {
            rowerrors_add(&out->errors, line, *post ? "postcode" : "personal_id",
                          "The personal number or postcode holds characters a register does not use.");
            ok = false;
        }
        seen[i].line = line;
        seen[i].index = i;
        good[i] = ok;
    }
    /* the same person twice (same identity hash): the later lines are the problem */
    struct seen *sorted = xcalloc(n, sizeof *sorted);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (good[i])
            sorted[m++] = seen[i];
    qsort(sorted, m, sizeof *sorted, seen_cmp);
    for (size_t i = 1; i < m; i++)
        if (strcmp(sorted[i].hash, sorted[i - 1].hash) == 0) {
            size_t first = i - 1;
            while (first > 0 && strcmp(sorted[first - 1].hash, sorted[i].hash) == 0)
                first--;
            rowerrors_add(&out->errors, sorted[i].line, "personal_id", "The same person is on line %zu already.",
                          sorted[first].line);
            good[sorted[i].index] = false;
        }
    free(sorted);
    int64_t *good_dist = xcalloc(n * REGIMPORT_MAX_FRAMES, sizeof *good_dist);
    size_t ngood_dist = 0;
    buf_putc(&out->out, '[');
    for (size_t i = 0; i < n; i++) {
        if (!good[i])
            continue;
        for (size_t k = 0; k < ndist_of[i]; k++)
            good_dist[ngood_dist++] = dist_of[i][k];
        /* the area as JSON text (any characters a spreadsheet holds), made by cJSON */
        cJSON *area = cJSON_CreateString(csvt_field(&t.rows[i + 1], c_area));
        char *area_json = cJSON_PrintUnformatted(area);
        cJSON_Delete(area);
        buf_printf(&out->out, "%s[%lld,\"%s\",\"%s\",\"%s\",\"%s\",%s,[", out->rows ? "," : "",
                   (long long)dist_of[i][0], seen[i].hash, contact_of[i], oidc_of[i], date_of[i], area_json);
        for (size_t k = 1; k < ndist_of[i]; k++)
            buf_printf(&out->out, "%s%lld", k > 1 ? "," : "", (long long)dist_of[i][k]);
        buf_puts(&out->out, "]]");
        cJSON_free(area_json);
        out->rows++;
    }
    buf_putc(&out->out, ']');
    out->districts = district_counts(districts, good_dist, ngood_dist);
    if (n > REGIMPORT_MAX_ROWS)
        snprintf(out->fatal, sizeof out->fatal, "The register has more than %d rows.", REGIMPORT_MAX_ROWS);
    free(good_dist);
    crypto_wipe(seen, n * sizeof *seen);
    free(seen);
    free(dist_of);
    free(ndist_of);
    free(date_of);
    free(contact_of);
    crypto_wipe(oidc_of, n * sizeof *oidc_of);
    free(oidc_of);
    free(good);
    for (size_t i = 0; i < t.nrows; i++)
        for (size_t k = 0; k < t.rows[i].nfields; k++)
            crypto_wipe(t.rows[i].fields[k], strlen(t.rows[i].fields[k]));
    csvt_free(&t);
}

void regimport_free(struct regimport *r)
{
    rowerrors_free(&r->errors);
    buf_free(&r->out);
    cJSON_Delete(r->districts);
}
