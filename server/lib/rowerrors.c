/*
 * rowerrors: a list that grows to ROWERRORS_MAX entries and then only counts.
 */
#include "lib/rowerrors.h"
#include "lib/jsonv.h"
#include "lib/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void rowerrors_add(struct rowerrors *e, size_t line, const char *field, const char *fmt, ...)
{
    e->count++;
    if (e->kept >= ROWERRORS_MAX)
        return;
    if (e->kept % 32 == 0)
        e->list = xreallocarray(e->list, e->kept + 32, sizeof *e->list);
    struct rowerror *r = &e->list[e->kept++];
    r->line = line;
    snprintf(r->field, sizeof r->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
}

cJSON *rowerrors_json(const struct rowerrors *e)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < e->kept; i++) {
        cJSON *o = cJSON_CreateObject();
        jv_add_int(o, "line", (int64_t)e->list[i].line);
        if (e->list[i].field[0])
            cJSON_AddStringToObject(o, "field", e->list[i].field);
        cJSON_AddStringToObject(o, "message", e->list[i].message);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

void rowerrors_first(const struct rowerrors *e, char *out, size_t n)
{
    if (!e->kept) {
        snprintf(out, n, "%s", "");
        return;
    }
    const struct rowerror *r = &e->list[0];
    snprintf(out, n, "Line %zu%s%s%s: %s", r->line, r->field[0] ? " (" : "", r->field, r->field[0] ? ")" : "",
             r->message);
}

void rowerrors_free(struct rowerrors *e)
{
    free(e->list);
    e->list = NULL;
    e->count = e->kept = 0;
}
