/*
 * db: a small pool of asynchronous PostgreSQL connections on the event loop. The only
 * module that includes libpq. Queries are single parameterized statements (several steps
 * that must be atomic are one statement with CTEs, or a function from schema/), sent with
 * PQsendQueryParams; nothing here ever blocks the loop.
 *
 * The primary pool writes: its connections reach only a writable server (libpq's
 * target_session_attrs=read-write unless the conninfo says otherwise; a multi-host conninfo
 * "host=a,b" follows a failover by itself), and a statement counts as done only when
 * PostgreSQL has committed it as configured (a synchronous standby included). A statement
 * that may be served by a hot standby says so (DB_STMT_READ), and a pool may have a reader
 * pool for those (--db-read).
 *
 * Start-up code that runs before the loop (migrations, bootstrap) uses the db_sync_*
 * calls, which do block.
 */
#ifndef PB_DB_H
#define PB_DB_H

#include "lib/util.h"

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db_pool;
struct db_query;
struct db_result;

enum db_status {
    DB_OK,          /* the statement ran; rows may be empty */
    DB_ERROR,       /* the statement failed: see db_sqlstate */
    DB_UNAVAILABLE, /* no connection, it broke while the statement ran, the statement
                     * found no answer in time, its commit included (then it is cancelled),
                     * or its commit was not confirmed (a standby's wait cancelled): the outcome
                     * is unknown, and the caller answers 503 */
    DB_TIMEOUT,     /* waited too long for a free connection */
};

/* Called once per query on the loop thread, unless the query was cancelled first. res is
 * valid only during the call. */
typedef void (*db_done_fn)(void *ctx, const struct db_result *res);

/* What a pool's connections must reach. */
enum db_pool_kind {
    DB_POOL_PRIMARY, /* a writable server; a read-only one (a standby, or a primary demoted
                      * or fenced read-only later) is dropped and another one sought */
    DB_POOL_READER,  /* hot standbys preferred (target_session_attrs=prefer-standby) */
};

/* size connections to conninfo. wait_ms: the longest wait for a statement's outcome, its
 * commit included (the server's ReadyForQuery, which comes after a synchronous standby
 * confirmed the commit); after it the caller gets DB_UNAVAILABLE, PostgreSQL is asked to
 * cancel the statement or its wait, and a connection that does not answer even that is
 * dropped. It is also the primary's lock_timeout (statements queued behind the locks of
 * such a commit fail as soon). */
struct db_pool *db_pool_new(struct event_base *base, const char *conninfo, int size, enum db_pool_kind kind,
                            int wait_ms);
/* Statements marked DB_STMT_READ and queried with replica = true go to reader while it has
 * a connection up; one that fails there for want of a server runs on pool instead. */
void db_pool_set_reader(struct db_pool *pool, struct db_pool *reader);
/* Notifications (NOTIFY) on a channel: every connection made from now on first runs
 * listen_sql ("LISTEN channel", a static string), and fn is called on the loop thread for
 * each notification any connection receives. Call right after db_pool_new. */
typedef void (*db_notify_fn)(void *ctx, const char *channel, const char *payload);
void db_pool_listen(struct db_pool *pool, const char *listen_sql, db_notify_fn fn, void *ctx);

/* Closes every connection; queued queries are dropped without callbacks. NULL is fine. */
void db_pool_free(struct db_pool *pool);

/* A statement the server runs on the loop: a static object owned by the module that uses
 * it, and the only way to issue a query there. Each connection prepares it on first use
 * and finds it again by its number (never by a text address that a later allocation could
 * reuse); the pool counts its calls and time for /metrics under its name. */
struct db_stmt {
    const char *name; /* "module.what" */
    const char *sql;
    int nparams;
    bool replica_ok; /* only reads, and its readers tolerate a replica's delay */
    int id; /* assigned by the pool on first use; 0 until then */
};
#define DB_STMT(name_, nparams_, sql_) {.name = (name_), .sql = (sql_), .nparams = (nparams_), .id = 0}
/* A public read that a hot standby may serve (see docs/SCALING.md for the delay). */
#define DB_STMT_READ(name_, nparams_, sql_)                                                        \
    {.name = (name_), .sql = (sql_), .nparams = (nparams_), .replica_ok = true, .id = 0}
/* At most this many distinct statements in one process. */
#define DB_MAX_STMTS 256

/* Queues stmt with its text parameters (stmt->nparams of them; a NULL entry is SQL NULL;
 * they are copied). replica: the caller may read a replica's delayed state (a public read
 * by an anonymous caller); it takes effect only for a DB_STMT_READ statement. The returned
 * handle stays valid until the callback returns or db_cancel. */
struct db_query *db_query(struct db_pool *pool, struct db_stmt *stmt, const char *const *params, bool replica,
                          db_done_fn done, void *ctx);
/* The callback of q will not be called; the statement may still run to completion. */
void db_cancel(struct db_query *q);

bool db_pool_healthy(const struct db_pool *pool);
/* Calls fn for each statement used so far, with its calls, failures and seconds spent
 * waiting for results, for /metrics. */
void db_pool_stmt_stats(const struct db_pool *pool,
                        void (*fn)(void *ctx, const char *name, uint64_t calls, uint64_t errors, double seconds),
                        void *ctx);
void db_pool_stats(const struct db_pool *pool, int *size, int *connected, int *busy,
                   int *queued);
/* Events that say the database side is in trouble, for /metrics (a reader pool's
 * included). */
struct db_pool_events {
    uint64_t connects;     /* connections made (more than the pool size: reconnects) */
    uint64_t refused;      /* connections dropped because the server was read-only */
    uint64_t abandoned;    /* statements answered 503 after the wait limit, then cancelled */
    uint64_t unconfirmed;  /* statements whose commit PostgreSQL did not confirm (a warning) */
    uint64_t replica_fallbacks; /* reads moved from the reader pool to this one */
};
void db_pool_events(const struct db_pool *pool, struct db_pool_events *out);
/* The reader pool, or NULL. */
struct db_pool *db_pool_reader(const struct db_pool *pool);

enum db_status db_status(const struct db_result *res);
const char *db_sqlstate(const struct db_result *res); /* "" when none */
const char *db_error_message(const struct db_result *res);
/* The field an own SQL error names (RAISE ... USING COLUMN = 'budget'), or "". */
const char *db_error_column(const struct db_result *res);
int db_nrows(const struct db_result *res);
/* The text of a column, or NULL for SQL NULL (or out of range). */
const char *db_value(const struct db_result *res, int row, int col);
int64_t db_int64(const struct db_result *res, int row, int col); /* 0 for NULL */
bool db_bool(const struct db_result *res, int row, int col);
/* Parses a bigint[] column ("{1,2,3}") into a malloc'd array; NULL gives n = 0. */
bool db_int64_array(const struct db_result *res, int row, int col, int64_t **out, size_t *n) PB_WUR;
/* The other way: "{1,2,3}" (malloc'd) for a bigint[] parameter. */
char *db_int64_array_param(const int64_t *v, size_t n);

/* Blocking helpers for start-up and tools only. */
struct db_sync;
struct db_sync *db_sync_connect(const char *conninfo, char *err, size_t errlen);
void db_sync_close(struct db_sync *c);
/* Runs one statement (or a script when nparams is 0). Returns rows in *res (free with
 * db_sync_result_free; may pass NULL to discard). False on error, message in err. */
bool db_sync_exec(struct db_sync *c, const char *sql, int nparams, const char *const *params,
                  struct db_result **res, char *err, size_t errlen) PB_WUR;
void db_sync_result_free(struct db_result *res);

#endif
