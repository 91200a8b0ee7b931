/*
 * migrate: brings the database's schema up to date at start-up. First the numbered
 * migrations of schema/migrations/ (tables, indexes, data moves), each exactly once and in
 * its own transaction, recorded by name in schema_migrations. Then every file of
 * schema/functions/ in name order, in one transaction (check_function_bodies off, so the
 * order between functions does not matter; every body is compiled before the commit),
 * skipped when the files' SHA-256 is the one recorded in schema_functions. An advisory
 * lock lets several servers start against one database at the same time. Start-up only
 * (blocking).
 */
#ifndef PB_MIGRATE_H
#define PB_MIGRATE_H

#include <stdbool.h>

/* False (with the failing file in the log) when the schema could not be brought up to
 * date: the server must not start. */
bool migrate_run(const char *conninfo, const char *schema_dir) __attribute__((warn_unused_result));

#endif
