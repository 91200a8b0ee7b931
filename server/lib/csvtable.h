/*
 * csvtable: a whole CSV text read into rows of fields through libcsv, the way staff's
 * spreadsheets write it: comma, semicolon (Excel in Danish) or tab separated, a UTF-8
 * byte-order mark, CRLF, quoted fields with separators, quotes ("") and line breaks inside.
 * Each row keeps the line it starts on, so an import can name the line of every problem.
 * Rows whose fields are all empty (";;;" from a spreadsheet) are left out. Also the writing
 * side: one field quoted as CSV. Pure: no I/O.
 */
#ifndef PB_CSVTABLE_H
#define PB_CSVTABLE_H

#include "lib/util.h"

#include <stdbool.h>
#include <stddef.h>

struct csvt_row {
    size_t line;    /* the line (from 1) the row starts on */
    size_t nfields;
    char **fields;  /* NUL-terminated, malloc'd */
};

struct csvt {
    char delim;     /* the separator found in the first line */
    size_t nrows;   /* the header included */
    struct csvt_row *rows;
};

/* Reads text (len bytes, not NUL-terminated) into out. False with a message in err for
 * malformed CSV (a quote not closed, text after a closing quote), more than max_rows rows
 * or max_fields fields in a row, or a field longer than max_field bytes; out then holds
 * nothing. */
bool csvt_read(const char *text, size_t len, size_t max_rows, size_t max_fields, size_t max_field,
               struct csvt *out, char *err, size_t errlen) PB_WUR;
/* Frees what t holds; accepts an emptied or zeroed table. */
void csvt_free(struct csvt *t);

/* The index of the header (row 0) field called name, compared without case and around
 * spaces; -1 when there is none. */
int csvt_column(const struct csvt *t, const char *name);
/* The row's field at col, or "" when col is -1 or past the row's end. */
const char *csvt_field(const struct csvt_row *r, int col);

/* Appends one field as CSV (quoted, inner quotes doubled) and then sep (a separator, or
 * '\n' for "\r\n" at the end of a row). */
void csvt_put(struct buf *out, const char *field, char sep);

#endif
