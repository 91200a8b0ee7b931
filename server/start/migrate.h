/*
 * migrate: applies schema/NNNN_name.sql files in order, each exactly once, each in its
 * own transaction, recorded in schema_migrations. An advisory lock lets several servers
 * start against one database at the same time. Start-up only (blocking).
 */
#ifndef PB_MIGRATE_H
#define PB_MIGRATE_H

#include <stdbool.h>

bool migrate_run(const char *conninfo, const char *schema_dir) __attribute__((warn_unused_result));

#endif
