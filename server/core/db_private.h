/*
 * db_private: what db.c, db_result.c and db_connect.c share about libpq. Nothing else
 * includes this (or libpq).
 */
#ifndef PB_DB_PRIVATE_H
#define PB_DB_PRIVATE_H

#include "core/db.h"

#include <libpq-fe.h>

struct db_result {
    PGresult *pg;
    enum db_status status;
};

/* A notice processor that drops notices (they would go to stderr). */
void db_notice_quiet(void *arg, const char *message);

/* Where connections go: the conninfo as given, what libpq must find there, and the host
 * lists for starting an attempt on another host (db_connect.c). */
struct db_target {
    char *conninfo;
    const char *session_attrs; /* default target_session_attrs; the conninfo may override */
    char *host, *hostaddr, *port; /* as in the conninfo, or NULL */
    int nhosts;
    int connect_timeout_ms; /* per attempt: libpq has none in asynchronous use */
};
/* writes: connections must reach a writable server. False (message in err) for a conninfo
 * libpq cannot parse. */
bool db_target_init(struct db_target *t, const char *conninfo, bool writes, char *err, size_t errlen) PB_WUR;
void db_target_free(struct db_target *t);
/* PQconnectStartParams with the hosts tried from host number first on (modulo their count). */
PGconn *db_target_connect_start(const struct db_target *t, int first);
PGconn *db_target_connect_blocking(const struct db_target *t);
/* True when the connected server says it is a hot standby or read-only by default. */
bool db_server_read_only(PGconn *pg);
/* Asks the server to cancel what pg runs now, from a thread of its own (never blocks). */
void db_cancel_on_server(PGconn *pg);

#endif
