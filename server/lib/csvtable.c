/*
 * csvtable: libcsv does the CSV grammar; this file feeds it one physical line at a time,
 * so that every row knows the line it starts on (a quoted field may hold line breaks).
 */
#include "lib/csvtable.h"

#include <csv.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct reader {
    struct csvt *t;
    size_t line;        /* the physical line being fed */
    size_t row_line;    /* where the row being read started (0: no field yet) */
    size_t max_rows, max_fields, max_field;
    struct csvt_row cur;
    size_t cap;
    const char *fail;   /* the first limit broken */
};

static void row_clear(struct csvt_row *r)
{
    for (size_t i = 0; i < r->nfields; i++)
        free(r->fields[i]);
    free(r->fields);
    memset(r, 0, sizeof *r);
}

static void on_field(void *s, size_t len, void *data)
{
    struct reader *rd = data;
    if (rd->fail)
        return;
    if (len > rd->max_field) {
        rd->fail = "a field is too long";
        return;
    }
    if (rd->cur.nfields >= rd->max_fields) {
        rd->fail = "a row has too many fields";
        return;
    }
    const char *text = s ? s : "";
    if (!rd->row_line) {
        size_t breaks = 0;
        for (size_t i = 0; i < len; i++)
            breaks += text[i] == '\n';
        rd->row_line = rd->line - breaks;
    }
    if (rd->cur.nfields == rd->cap) {
        rd->cap = rd->cap ? rd->cap * 2 : 8;
        rd->cur.fields = xreallocarray(rd->cur.fields, rd->cap, sizeof *rd->cur.fields);
    }
    rd->cur.fields[rd->cur.nfields++] = xstrndup(text, len);
}

static bool row_empty(const struct csvt_row *r)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (r->fields[i][0])
            return false;
    return true;
}

static void on_row(int c, void *data)
{
    (void)c;
    struct reader *rd = data;
    struct csvt *t = rd->t;
    if (rd->fail || row_empty(&rd->cur)) {
        row_clear(&rd->cur);
    } else if (t->nrows >= rd->max_rows) {
        rd->fail = "the file has too many rows";
        row_clear(&rd->cur);
    } else {
        t->rows = xreallocarray(t->rows, t->nrows + 1, sizeof *t->rows);
        rd->cur.line = rd->row_line ? rd->row_line : rd->line;
        t->rows[t->nrows++] = rd->cur;
        memset(&rd->cur, 0, sizeof rd->cur);
    }
    rd->cap = 0;
    rd->row_line = 0;
}

/* Only the space is trimmed around unquoted fields: a tab may be the separator. */
static int is_space(unsigned char c)
{
    return c == ' ' ? CSV_SPACE : 0;
}

/* The separator the header line uses most: ; (Excel in Danish), tab, or , by default. */
static char find_delim(const char *text, size_t len)
{
    size_t n[3] = {0, 0, 0};
    bool quoted = false;
    for (size_t i = 0; i < len && (quoted || text[i] != '\n'); i++) {
        char c = text[i];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted)
            n[0] += c == ',', n[1] += c == ';', n[2] += c == '\t';
    }
    return n[1] > n[0] && n[1] >= n[2] ? ';' : n[2] > n[0] ? '\t' : ',';
}

bool csvt_read(const char *text, size_t len, size_t max_rows, size_t max_fields, size_t max_field,
               struct csvt *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        snprintf(err, errlen, "The CSV reader could not start.");
        return false;
    }
    out->delim = find_delim(text, len);
    csv_set_delim(&p, (unsigned char)out->delim);
    csv_set_space_func(&p, is_space);
    struct reader rd = {.t = out, .max_rows = max_rows, .max_fields = max_fields, .max_field = max_field};
    bool ok = true;
    size_t at = 0;
    while (at < len && ok && !rd.fail) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (text + at)) + 1 : len - at;
        rd.line++;
        ok = csv_parse(&p, text + at, n, on_field, on_row, &rd) == n;
        at += n;
    }
    if (ok && !rd.fail)
        ok = csv_fini(&p, on_field, on_row, &rd) == 0;
    if (!ok)
        snprintf(err, errlen, "Line %zu is not valid CSV: %s.", rd.line,
                 csv_error(&p) == CSV_EPARSE ? "a quote is not closed, or text follows a closing quote"
                                             : csv_strerror(csv_error(&p)));
    else if (rd.fail)
        snprintf(err, errlen, "Line %zu: %s.", rd.line, rd.fail);
    csv_free(&p);
    row_clear(&rd.cur);
    if (!ok || rd.fail) {
        csvt_free(out);
        return false;
    }
    return true;
}

void csvt_free(struct csvt *t)
{
    for (size_t i = 0; i < t->nrows; i++)
        row_clear(&t->rows[i]);
    free(t->rows);
    t->rows = NULL;
    t->nrows = 0;
}

/* strcasecmp that ignores spaces around a (header field) and a byte-order mark. */
static bool same_name(const char *a, const char *name)
{
    while (*a == ' ')
        a++;
    size_t n = strlen(name);
    if (strncasecmp(a, name, n) != 0)
        return false;
    for (a += n; *a == ' '; a++)
        ;
    return *a == '\0';
}

int csvt_column(const struct csvt *t, const char *name)
{
    if (!t->nrows)
        return -1;
    for (size_t i = 0; i < t->rows[0].nfields; i++)
        if (same_name(t->rows[0].fields[i], name))
            return (int)i;
    return -1;
}

const char *csvt_field(const struct csvt_row *r, int col)
{
    return col >= 0 && (size_t)col < r->nfields ? r->fields[col] : "";
}

void csvt_put(struct buf *out, const char *field, char sep)
{
    size_t n = strlen(field);
    buf_reserve(out, 2 * n + 4);
    out->len += csv_write2(out->data + out->len, out->cap - out->len, field, n, '"');
    out->data[out->len] = '\0';
    if (sep == '\n')
        buf_puts(out, "\r\n");
    else
        buf_putc(out, sep);
}
