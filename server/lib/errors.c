/*
 * errors: status, code and message for every API error.
 */
#include "lib/errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    int status;
    const char *code;
    const char *message;
} table[ERR_COUNT] = {
    [ERR_NONE] = {200, "ok", "OK"},
#define PB_ERR_ROW(name, st, cd, msg) [name] = {st, cd, msg},
    PB_ERRORS(PB_ERR_ROW)
#undef PB_ERR_ROW
};

int err_status(enum pb_err e)
{
    return e > 0 && e < ERR_COUNT ? table[e].status : 500;
}

const char *err_code(enum pb_err e)
{
    return e > 0 && e < ERR_COUNT ? table[e].code : "internal_error";
}

const char *err_message(enum pb_err e)
{
    return e > 0 && e < ERR_COUNT ? table[e].message : "Something went wrong on the server.";
}

void verr_set(struct verr *e, enum pb_err err, const char *field, const char *fmt, ...)
{
    e->err = err;
    e->code[0] = '\0';
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->message, sizeof e->message, fmt, ap);
        va_end(ap);
    } else {
        snprintf(e->message, sizeof e->message, "%s", err_message(err));
    }
}
