/*
 * db_result: reading a statement's result (on the loop and at start-up alike), and the
 * blocking connection that start-up code and tools use before the loop runs (it reaches a
 * writable server, as the pool's connections do). With db.c and db_connect.c the only
 * files that include libpq.
 */
#include "core/db.h"
#include "core/db_private.h"
#include "lib/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum db_status db_status(const struct db_result *res)
{
    return res->status;
}

const char *db_sqlstate(const struct db_result *res)
{
    const char *s = res->pg ? PQresultErrorField(res->pg, PG_DIAG_SQLSTATE) : NULL;
    return s ? s : "";
}

const char *db_error_message(const struct db_result *res)
{
    const char *s = res->pg ? PQresultErrorField(res->pg, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    return s ? s : "";
}

const char *db_error_column(const struct db_result *res)
{
    const char *s = res->pg ? PQresultErrorField(res->pg, PG_DIAG_COLUMN_NAME) : NULL;
    return s ? s : "";
}

int db_nrows(const struct db_result *res)
{
    return res->pg && res->status == DB_OK ? PQntuples(res->pg) : 0;
}

const char *db_value(const struct db_result *res, int row, int col)
{
    if (!res->pg || row < 0 || row >= PQntuples(res->pg) || col < 0 || col >= PQnfields(res->pg))
        return NULL;
    if (PQgetisnull(res->pg, row, col))
        return NULL;
    return PQgetvalue(res->pg, row, col);
}

int64_t db_int64(const struct db_result *res, int row, int col)
{
    const char *v = db_value(res, row, col);
    int64_t out = 0;
    if (v && !parse_int64(v, &out))
        return 0;
    return out;
}

bool db_bool(const struct db_result *res, int row, int col)
{
    const char *v = db_value(res, row, col);
    return v && v[0] == 't';
}

struct db_sync {
    PGconn *pg;
};

/* Start-up statements say nothing worth a line on stderr. */
static void notice_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

struct db_sync *db_sync_connect(const char *conninfo, char *err, size_t errlen)
{
    struct db_target t;
    if (!db_target_init(&t, conninfo, true, 0, err, errlen))
        return NULL;
    PGconn *pg = db_target_connect_blocking(&t);
    db_target_free(&t);
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        snprintf(err, errlen, "%s", pg ? PQerrorMessage(pg) : "out of memory");
        PQfinish(pg);
        return NULL;
    }
    PQsetNoticeProcessor(pg, notice_quiet, NULL);
    struct db_sync *c = xcalloc(1, sizeof *c);
    c->pg = pg;
    return c;
}

void db_sync_close(struct db_sync *c)
{
    if (!c)
        return;
    PQfinish(c->pg);
    free(c);
}

bool db_sync_exec(struct db_sync *c, const char *sql, int nparams, const char *const *params,
                  struct db_result **res, char *err, size_t errlen)
{
    PGresult *r = nparams ? PQexecParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0)
                          : PQexec(c->pg, sql);
    ExecStatusType es = PQresultStatus(r);
    if (es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "%s", PQresultErrorMessage(r));
        PQclear(r);
        if (res)
            *res = NULL;
        return false;
    }
    if (res) {
        *res = xcalloc(1, sizeof **res);
        (*res)->pg = r;
        (*res)->status = DB_OK;
    } else {
        PQclear(r);
    }
    return true;
}

void db_sync_result_free(struct db_result *res)
{
    if (!res)
        return;
    PQclear(res->pg);
    free(res);
}

bool db_int64_array(const struct db_result *res, int row, int col, int64_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const char *v = db_value(res, row, col);
    if (!v)
        return true;
    size_t len = strlen(v);
    if (len < 2 || v[0] != '{' || v[len - 1] != '}')
        return false;
    size_t cap = 1;
    for (size_t i = 0; i < len; i++)
        cap += v[i] == ',';
    int64_t *arr = xcalloc(cap, sizeof *arr);
    size_t count = 0;
    const char *p = v + 1;
    while (*p != '}') {
        char *end;
        errno = 0;
        long long x = strtoll(p, &end, 10);
        if (end == p || errno || count >= cap || (*end != ',' && *end != '}')) {
            free(arr);
            return false;
        }
        arr[count++] = x;
        p = *end == ',' ? end + 1 : end;
    }
    *out = arr;
    *n = count;
    return true;
}

char *db_int64_array_param(const int64_t *v, size_t n)
{
    struct buf b;
    buf_init(&b);
    buf_putc(&b, '{');
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%lld", i ? "," : "", (long long)v[i]);
    buf_putc(&b, '}');
    return buf_steal(&b);
}
