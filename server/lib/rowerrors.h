/*
 * rowerrors: the problems an import finds, one per row and field, for the staff page to
 * list before anything is stored (a dry run) and for the refusal of a real import. Only the
 * first ROWERRORS_MAX are kept with their text; all are counted. Pure.
 */
#ifndef PB_ROWERRORS_H
#define PB_ROWERRORS_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define ROWERRORS_MAX 500

struct rowerror {
    size_t line;
    char field[32];
    char message[200];
};

struct rowerrors {
    size_t count;  /* every problem found */
    size_t kept;   /* those in list (at most ROWERRORS_MAX) */
    struct rowerror *list;
};

void rowerrors_add(struct rowerrors *e, size_t line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* [{"line","field","message"}, ...] of the kept problems. */
cJSON *rowerrors_json(const struct rowerrors *e);
/* "Line 3 (birth_date): ..." of the first problem, for a one-line refusal. */
void rowerrors_first(const struct rowerrors *e, char *out, size_t n);
void rowerrors_free(struct rowerrors *e);

#endif
