/*
 * db_private: what db.c and db_result.c share about libpq results. Nothing else includes
 * this (or libpq).
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

#endif
