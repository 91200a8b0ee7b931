/*
 * util: allocation that never returns NULL, a growable byte buffer, and strict number
 * parsing. Pure: no I/O, no globals, so the tally, pbfile and tools link it alone.
 */
#ifndef PB_UTIL_H
#define PB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PB_WUR __attribute__((warn_unused_result))
#define PB_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Abort on out-of-memory and on size overflow: a half-allocated state is worse than a crash. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xreallocarray(void *p, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable buffer that is always NUL-terminated; buf_free accepts an empty buffer. */
struct buf {
    char *data;
    size_t len;
    size_t cap;
};
void buf_init(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_putc(struct buf *b, char c);
/* Hands the bytes to the caller (free() them) and leaves the buffer empty. */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);

/* The whole of a file (path "-" is standard input), NUL-terminated, malloc'd, with its
 * length in *len (may be NULL); NULL when it cannot be opened. Start-up and tools only:
 * it blocks. */
char *read_file(const char *path, size_t *len);

/* Whole-string decimal parsing; false on anything but an in-range integer. */
bool parse_int64(const char *s, int64_t *out) PB_WUR;
/* Parses "123" or "123.45" into minor units with the given number of decimals (2 for most
 * currencies); false when the text has more decimals than that or is out of range. */
bool parse_money(const char *s, int decimals, int64_t *out) PB_WUR;

/* True when the bytes are valid UTF-8 with no NUL and no overlong or surrogate forms. */
bool utf8_valid(const char *s, size_t n);

#endif
