/*
 * migrate: schema migrations at start-up.
 */
#include "start/migrate.h"
#include "core/db.h"
#include "lib/log.h"
#include "lib/util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIGRATE_LOCK "7301000001"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_migration(const char *name)
{
    size_t n = strlen(name);
    return n > 8 && strspn(name, "0123456789") == 4 && name[4] == '_' &&
           strcmp(name + n - 4, ".sql") == 0;
}

bool migrate_run(const char *conninfo, const char *schema_dir)
{
    char err[1024];
    /* The database may still be starting (containers): wait for it up to a minute. */
    struct db_sync *c = NULL;
    for (int attempt = 0; attempt < 60 && !c; attempt++) {
        c = db_sync_connect(conninfo, err, sizeof err);
        if (!c) {
            if (attempt == 0)
                log_info("waiting for the database: %s", err);
            sleep(1);
        }
    }
    if (!c) {
        log_error("migrate: cannot connect: %s", err);
        return false;
    }
    bool ok = false;
    char **files = NULL;
    size_t nfiles = 0;
    DIR *d = opendir(schema_dir);
    if (!d) {
        log_error("migrate: no schema directory %s", schema_dir);
        goto out;
    }
    for (struct dirent *e; (e = readdir(d));) {
        if (!is_migration(e->d_name))
            continue;
        files = xreallocarray(files, nfiles + 1, sizeof *files);
        files[nfiles++] = xstrdup(e->d_name);
    }
    closedir(d);
    qsort(files, nfiles, sizeof *files, cmp_str);

    if (!db_sync_exec(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", 0, NULL, NULL, err,
                      sizeof err) ||
        !db_sync_exec(c,
                      "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                      0, NULL, NULL, err, sizeof err)) {
        log_error("migrate: %s", err);
        goto out;
    }
    int applied = 0;
    for (size_t i = 0; i < nfiles; i++) {
        struct db_result *res = NULL;
        const char *p[1] = {files[i]};
        if (!db_sync_exec(c, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, p, &res,
                          err, sizeof err)) {
            log_error("migrate: %s", err);
            goto out;
        }
        bool done = db_nrows(res) == 1;
        db_sync_result_free(res);
        if (done)
            continue;
        char *path = xasprintf("%s/%s", schema_dir, files[i]);
        char *sql = read_file(path, NULL);
        free(path);
        if (!sql) {
            log_error("migrate: cannot read %s", files[i]);
            goto out;
        }
        bool step = db_sync_exec(c, "BEGIN", 0, NULL, NULL, err, sizeof err) &&
                    db_sync_exec(c, sql, 0, NULL, NULL, err, sizeof err) &&
                    db_sync_exec(c, "INSERT INTO schema_migrations (version) VALUES ($1)", 1, p,
                                 NULL, err, sizeof err) &&
                    db_sync_exec(c, "COMMIT", 0, NULL, NULL, err, sizeof err);
        free(sql);
        if (!step) {
            log_error("migrate: %s failed: %s", files[i], err);
            char e2[64];
            if (!db_sync_exec(c, "ROLLBACK", 0, NULL, NULL, e2, sizeof e2))
                log_warn("migrate: rollback failed");
            goto out;
        }
        log_info("migration applied version=%s", files[i]);
        applied++;
    }
    log_info("migrations up to date applied=%d total=%zu", applied, nfiles);
    ok = true;
out:
    if (c) {
        char e2[64];
        if (!db_sync_exec(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")", 0, NULL, NULL, e2,
                          sizeof e2))
            log_warn("migrate: unlock failed");
    }
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    db_sync_close(c);
    return ok;
}
