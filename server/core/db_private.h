/*
 * db_private: what the db files share: the pool (db.c), one connection's life (db_conn.c),
 * libpq's parameters and cancel (db_connect.c) and results (db_result.c). Nothing else
 * includes this (or libpq).
 */
#ifndef PB_DB_PRIVATE_H
#define PB_DB_PRIVATE_H

#include "core/db.h"

#include <libpq-fe.h>

struct event;
struct event_base;

struct db_result {
    PGresult *pg;
    enum db_status status;
};

/* Where connections go: the conninfo as given, what libpq must find there, and the host
 * lists for starting an attempt on another host (db_connect.c). */
struct db_target {
    char *conninfo;
    const char *session_attrs; /* default target_session_attrs; the conninfo may override */
    char *host, *hostaddr, *port; /* as in the conninfo, or NULL */
    int nhosts;
    int connect_timeout_ms; /* per attempt: libpq has none in asynchronous use */
    char options[48];       /* libpq options (lock_timeout), unless the conninfo has its own */
};
/* writes: connections must reach a writable server. lock_timeout_ms: a statement waiting
 * longer for a lock fails (0: PostgreSQL's default). False (message in err) for a conninfo
 * libpq cannot parse. */
bool db_target_init(struct db_target *t, const char *conninfo, bool writes, int lock_timeout_ms, char *err,
                    size_t errlen) PB_WUR;
void db_target_free(struct db_target *t);
/* PQconnectStartParams with the hosts tried from host number first on (modulo their count). */
PGconn *db_target_connect_start(const struct db_target *t, int first);
PGconn *db_target_connect_blocking(const struct db_target *t);
/* True when the connected server says it is a hot standby or read-only by default. */
bool db_server_read_only(PGconn *pg);
/* Asks the server to cancel what pg runs now, from a thread of its own (never blocks). */
void db_cancel_on_server(PGconn *pg);

struct db_query {
    struct db_query *next;
    struct db_stmt *stmt; /* NULL for the pool's own LISTEN */
    const char *sql;
    int nparams;
    int64_t sent_us;
    char **params;
    db_done_fn done;
    void *ctx;
    bool cancelled;
    int64_t queued_ms;
    struct db_pool *fallback; /* a read queued on a reader pool: where it runs if that fails */
};

enum conn_state { C_DOWN, C_CONNECTING, C_IDLE, C_BUSY };

struct db_conn {
    struct db_pool *pool;
    PGconn *pg;
    struct event *ev;
    int fd;
    short watching;
    enum conn_state state;
    bool flushing;
    struct db_query *q;
    PGresult *res;
    int retry_ms;
    struct event *retry_ev;
    bool prepared[DB_MAX_STMTS + 1]; /* by statement id */
    bool preparing; /* the PREPARE of statement prep_slot is in flight; its EXECUTE follows */
    int prep_slot;
    struct event *timer_ev; /* the connect timeout, the statement's or its commit's wait */
    bool abandoned; /* the statement's caller was answered; it is being cancelled */
    bool unconfirmed; /* the server cancelled the statement's wait for a synchronous standby */
    int first_host; /* the host a new connection attempt starts on */
};

struct db_pool {
    struct event_base *base;
    struct db_target target;
    enum db_pool_kind kind;
    int wait_ms;
    int size;
    struct db_conn *conns;
    struct db_query *head, *tail;
    int queued;
    struct event *dispatch_ev;
    struct event *tick_ev;
    const char *listen_sql; /* "LISTEN channel", sent on every new connection */
    db_notify_fn on_notify;
    void *notify_ctx;
    struct {
        uint64_t calls, errors;
        int64_t us;
    } stats[DB_MAX_STMTS + 1]; /* by statement id */
    struct db_pool_events events;
    struct db_pool *reader; /* for DB_STMT_READ statements; NULL without --db-read */
    char server[256];       /* host:port of the last connection made, to log a change */
};

/* db.c, for db_conn.c */
int64_t db_now_us(void);
void db_query_free(struct db_query *q);
/* Answers q's caller (unless cancelled) and frees q, or moves a read to its fallback pool. */
void db_query_finish(struct db_query *q, PGresult *pg, enum db_status status);
void db_count_stmt(struct db_pool *p, const struct db_query *q, enum db_status st);
/* Sends queued queries to idle connections. */
void db_dispatch(struct db_pool *pool);

/* db_conn.c, for db.c */
/* Sets connection index of pool up and starts connecting. */
void db_conn_init(struct db_conn *c, struct db_pool *pool, int index);
/* Closes the connection; its query (if any) is freed without a callback. */
void db_conn_release(struct db_conn *c);
void db_conn_send(struct db_conn *c, struct db_query *q);

#endif
