/*
 * pbfile: reader and writer of pabulib files.
 */
#include "lib/pbfile/pbfile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void pbfile_init(struct pbfile *f)
{
    memset(f, 0, sizeof *f);
}

static void table_free(struct pb_table *t)
{
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++)
            free(t->rows[r][c]);
        free(t->rows[r]);
    }
    for (size_t c = 0; c < t->ncols; c++)
        free(t->cols[c]);
    free(t->rows);
    free(t->lines);
    free(t->cols);
    memset(t, 0, sizeof *t);
}

void pbfile_free(struct pbfile *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nmeta; i++) {
        free(f->meta_keys[i]);
        free(f->meta_values[i]);
    }
    free(f->meta_keys);
    free(f->meta_values);
    table_free(&f->projects);
    table_free(&f->votes);
    pbfile_init(f);
}

const char *pbfile_meta(const struct pbfile *f, const char *key)
{
    for (size_t i = 0; i < f->nmeta; i++)
        if (strcmp(f->meta_keys[i], key) == 0)
            return f->meta_values[i];
    return NULL;
}

void pbfile_meta_set(struct pbfile *f, const char *key, const char *value)
{
    for (size_t i = 0; i < f->nmeta; i++) {
        if (strcmp(f->meta_keys[i], key) == 0) {
            free(f->meta_values[i]);
            f->meta_values[i] = xstrdup(value);
            return;
        }
    }
    f->meta_keys = xreallocarray(f->meta_keys, f->nmeta + 1, sizeof(char *));
    f->meta_values = xreallocarray(f->meta_values, f->nmeta + 1, sizeof(char *));
    f->meta_keys[f->nmeta] = xstrdup(key);
    f->meta_values[f->nmeta] = xstrdup(value);
    f->nmeta++;
}

int pb_table_col(const struct pb_table *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->cols[c], name) == 0)
            return (int)c;
    return -1;
}

void pb_table_set_cols(struct pb_table *t, size_t ncols, const char *const *cols)
{
    table_free(t);
    t->ncols = ncols;
    t->cols = xcalloc(ncols, sizeof(char *));
    for (size_t c = 0; c < ncols; c++)
        t->cols[c] = xstrdup(cols[c]);
}

void pb_table_add_row(struct pb_table *t, const char *const *fields)
{
    if ((t->nrows & (t->nrows - 1)) == 0) { /* grow at powers of two */
        t->rows = xreallocarray(t->rows, t->nrows ? t->nrows * 2 : 1, sizeof(char **));
        t->lines = xreallocarray(t->lines, t->nrows ? t->nrows * 2 : 1, sizeof(size_t));
    }
    t->lines[t->nrows] = 0;
    char **row = xcalloc(t->ncols, sizeof(char *));
    for (size_t c = 0; c < t->ncols; c++)
        row[c] = xstrdup(fields[c] ? fields[c] : "");
    t->rows[t->nrows++] = row;
}

/* Splits one line (without its line end) into fields; returns the count. Fields are
 * malloc'd into *out. A quote opens a quoted field only at the start of a field. */
static size_t split_line(const char *s, size_t n, char ***out)
{
    size_t cap = 8, count = 0;
    char **fields = xcalloc(cap, sizeof(char *));
    size_t i = 0;
    for (;;) {
        struct buf f;
        buf_init(&f);
        buf_reserve(&f, 0);
        if (i < n && s[i] == '"') {
            i++;
            while (i < n) {
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') {
                        buf_putc(&f, '"');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                buf_putc(&f, s[i++]);
            }
            while (i < n && s[i] != ';') /* text after a closing quote is kept verbatim */
                buf_putc(&f, s[i++]);
        } else {
            while (i < n && s[i] != ';')
                buf_putc(&f, s[i++]);
        }
        if (count == cap) {
            cap *= 2;
            fields = xreallocarray(fields, cap, sizeof(char *));
        }
        fields[count++] = buf_steal(&f);
        if (i >= n)
            break;
        i++; /* the ';' */
    }
    *out = fields;
    return count;
}

static void free_fields(char **fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(fields[i]);
    free(fields);
}

static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* A line end may fall inside a quoted field: find the end of the logical line. */
static size_t logical_line_end(const char *data, size_t len, size_t pos)
{
    bool quoted = false, at_field_start = true;
    for (size_t i = pos; i < len; i++) {
        char c = data[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < len && data[i + 1] == '"')
                    i++;
                else
                    quoted = false;
            }
            continue;
        }
        if (c == '\n')
            return i;
        if (c == '"' && at_field_start)
            quoted = true;
        at_field_start = c == ';';
    }
    return len;
}

bool pbfile_read(const char *data, size_t len, struct pbfile *f, char *err, size_t errlen)
{
    enum { NONE, META, PROJECTS, VOTES } section = NONE;
    bool want_header = false;
    size_t lineno = 0, pos = 0;
    bool seen[4] = {false, false, false, false};
    pbfile_init(f);
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        size_t end = logical_line_end(data, len, pos);
        lineno++;
        size_t n = end - pos;
        if (n && data[pos + n - 1] == '\r')
            n--;
        const char *line = data + pos;
        pos = end + 1;
        if (memchr(line, '\0', n)) {
            snprintf(err, errlen, "line %zu: NUL byte", lineno);
            goto fail;
        }
        if (!utf8_valid(line, n)) {
            snprintf(err, errlen, "line %zu: invalid UTF-8", lineno);
            goto fail;
        }
        char *copy = xstrndup(line, n);
        char *t = trim(copy);
        if (*t == '\0') {
            free(copy);
            continue;
        }
        int next = strcasecmp(t, "META") == 0       ? META
                   : strcasecmp(t, "PROJECTS") == 0 ? PROJECTS
                   : strcasecmp(t, "VOTES") == 0    ? VOTES
                                                    : NONE;
        free(copy);
        if (next != NONE) {
            if (seen[next]) {
                snprintf(err, errlen, "line %zu: section repeated", lineno);
                goto fail;
            }
            seen[next] = true;
            section = next;
            want_header = true;
            continue;
        }
        if (section == NONE) {
            snprintf(err, errlen, "line %zu: data before the META section", lineno);
            goto fail;
        }
        char **fields;
        size_t nf = split_line(line, n, &fields);
        for (size_t i = 0; i < nf; i++) {
            char *tr = trim(fields[i]);
            if (tr != fields[i])
                memmove(fields[i], tr, strlen(tr) + 1);
        }
        if (want_header) {
            want_header = false;
            if (section != META) {
                struct pb_table *tb = section == PROJECTS ? &f->projects : &f->votes;
                pb_table_set_cols(tb, nf, (const char *const *)fields);
            }
            free_fields(fields, nf);
            continue;
        }
        if (section == META) {
            if (nf < 2) {
                snprintf(err, errlen, "line %zu: META row needs key;value", lineno);
                free_fields(fields, nf);
                goto fail;
            }
            pbfile_meta_set(f, fields[0], fields[1]);
        } else {
            struct pb_table *tb = section == PROJECTS ? &f->projects : &f->votes;
            if (nf > tb->ncols) {
                /* tolerate trailing empty fields, nothing else */
                for (size_t i = tb->ncols; i < nf; i++) {
                    if (fields[i][0]) {
                        snprintf(err, errlen, "line %zu: %zu fields, header has %zu", lineno,
                                 nf, tb->ncols);
                        free_fields(fields, nf);
                        goto fail;
                    }
                }
            }
            const char **row = xcalloc(tb->ncols, sizeof(char *));
            for (size_t c = 0; c < tb->ncols; c++)
                row[c] = c < nf ? fields[c] : "";
            pb_table_add_row(tb, row);
            tb->lines[tb->nrows - 1] = lineno;
            free(row);
        }
        free_fields(fields, nf);
    }
    if (!seen[META] || !seen[PROJECTS]) {
        snprintf(err, errlen, "missing %s section", !seen[META] ? "META" : "PROJECTS");
        goto fail;
    }
    if (pb_table_col(&f->projects, "project_id") < 0) {
        snprintf(err, errlen, "PROJECTS has no project_id column");
        goto fail;
    }
    return true;
fail:
    pbfile_free(f);
    return false;
}

/* The length of a line-break character at s (see pbfile_write), or 0. */
static size_t line_break_at(const unsigned char *s)
{
    if (*s == '\r' || *s == '\n' || *s == '\v' || *s == '\f' || (*s >= 0x1c && *s <= 0x1e))
        return 1;
    if (s[0] == 0xC2 && s[1] == 0x85)
        return 2;
    if (s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0xA8 || s[2] == 0xA9))
        return 3;
    return 0;
}

static void write_field(struct buf *out, const char *s)
{
    bool quote = strpbrk(s, ";\"") != NULL;
    if (quote)
        buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = line_break_at(p);
        if (n) {
            buf_putc(out, ' ');
            p += n;
            continue;
        }
        if (*p == '"')
            buf_putc(out, '"');
        buf_putc(out, (char)*p++);
    }
    if (quote)
        buf_putc(out, '"');
}

/* none_empty: write an empty field of column none_col as None (see pbfile_write). */
static void write_table(struct buf *out, const char *name, const struct pb_table *t, int none_a, int none_b)
{
    buf_puts(out, name);
    buf_putc(out, '\n');
    for (size_t c = 0; c < t->ncols; c++) {
        if (c)
            buf_putc(out, ';');
        write_field(out, t->cols[c]);
    }
    buf_putc(out, '\n');
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            if (c)
                buf_putc(out, ';');
            bool none = ((int)c == none_a || (int)c == none_b) && t->rows[r][c][0] == '\0';
            write_field(out, none ? "None" : t->rows[r][c]);
        }
        buf_putc(out, '\n');
    }
}

void pbfile_write(const struct pbfile *f, struct buf *out)
{
    buf_puts(out, "META\nkey;value\n");
    for (size_t i = 0; i < f->nmeta; i++) {
        write_field(out, f->meta_keys[i]);
        buf_putc(out, ';');
        write_field(out, f->meta_values[i]);
        buf_putc(out, '\n');
    }
    write_table(out, "PROJECTS", &f->projects, -1, -1);
    /* An abstention in a points ballot is None in vote and points: pabutools reads an
     * empty points field as one project named "" and fails. (An empty approval or
     * ranking stays empty: there pabutools needs the field and skips empty names.) */
    const char *vt = pbfile_meta(f, "vote_type");
    bool points = vt && (strcmp(vt, "cumulative") == 0 || strcmp(vt, "scoring") == 0);
    write_table(out, "VOTES", &f->votes, points ? pb_table_col(&f->votes, "vote") : -1,
                points ? pb_table_col(&f->votes, "points") : -1);
}
