/*
 * pbfile: the pabulib file format (https://pabulib.org/format), read and written as three
 * tables: META (key;value), PROJECTS and VOTES, each with its header row. Fields are
 * ';'-separated with CSV quoting. Pure: no I/O beyond the caller's buffers.
 *
 * The reader accepts what real files contain: a UTF-8 byte-order mark, CRLF line ends,
 * section names in any letter case, quoted fields with "" escapes and embedded ';'.
 */
#ifndef PB_PBFILE_H
#define PB_PBFILE_H

#include "lib/util.h"

#include <stdbool.h>
#include <stddef.h>

struct pb_table {
    size_t ncols;
    char **cols;   /* header names */
    size_t nrows;
    char ***rows;  /* nrows x ncols strings; missing trailing fields are "" */
    size_t *lines; /* per row, its line in the file read (0 for rows added otherwise) */
};

struct pbfile {
    size_t nmeta;
    char **meta_keys;
    char **meta_values;
    struct pb_table projects;
    struct pb_table votes;
};

void pbfile_init(struct pbfile *f);
void pbfile_free(struct pbfile *f);

/* Parses a whole file. On failure returns false and writes a message with the line number
 * into err. */
bool pbfile_read(const char *data, size_t len, struct pbfile *f, char *err, size_t errlen) PB_WUR;

/* Serialises f so that every pabulib reader takes it: fields with ';' or '"' are quoted,
 * and characters that some readers take for a line end (CR, LF, VT, FF, FS, GS, RS,
 * U+0085, U+2028, U+2029; pabutools splits the file on them before it parses the CSV,
 * quoted or not) are written as spaces. In a points ballot (vote_type cumulative or
 * scoring) an empty vote or points field is written as None. */
void pbfile_write(const struct pbfile *f, struct buf *out);

const char *pbfile_meta(const struct pbfile *f, const char *key);
void pbfile_meta_set(struct pbfile *f, const char *key, const char *value);
/* The column index of name in t, or -1. */
int pb_table_col(const struct pb_table *t, const char *name);
void pb_table_set_cols(struct pb_table *t, size_t ncols, const char *const *cols);
/* Appends a row of t->ncols strings (copied). */
void pb_table_add_row(struct pb_table *t, const char *const *fields);

#endif
