/*
 * migrate: the schema at start-up: numbered migrations, then the functions.
 */
#include "start/migrate.h"
#include "core/db.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "lib/util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIGRATE_LOCK "7301000001"

/* A directory's .sql files in name order, with their text. */
struct sql_files {
    char **names;
    char **texts;
    size_t *lens;
    size_t n;
};

static void sql_files_free(struct sql_files *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->names[i]);
        if (f->texts)
            free(f->texts[i]);
    }
    free(f->names);
    free(f->texts);
    free(f->lens);
    memset(f, 0, sizeof *f);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_sql(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && name[0] != '.' && strcmp(name + n - 4, ".sql") == 0;
}

static bool is_migration(const char *name)
{
    return is_sql(name) && strlen(name) > 8 && strspn(name, "0123456789") == 4 && name[4] == '_';
}

/* Lists dir's files that keep() accepts, sorted by name; reads them too when read is set. */
static bool sql_files_load(const char *dir, bool (*keep)(const char *), bool read,
                           struct sql_files *out)
{
    memset(out, 0, sizeof *out);
    DIR *d = opendir(dir);
    if (!d) {
        log_error("migrate: no schema directory %s", dir);
        return false;
    }
    for (struct dirent *e; (e = readdir(d));) {
        if (!keep(e->d_name))
            continue;
        out->names = xreallocarray(out->names, out->n + 1, sizeof *out->names);
        out->names[out->n++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (out->n)
        qsort(out->names, out->n, sizeof *out->names, cmp_str);
    if (!read)
        return true;
    out->texts = xcalloc(out->n ? out->n : 1, sizeof *out->texts);
    out->lens = xcalloc(out->n ? out->n : 1, sizeof *out->lens);
    for (size_t i = 0; i < out->n; i++) {
        char *path = xasprintf("%s/%s", dir, out->names[i]);
        out->texts[i] = read_file(path, &out->lens[i]);
        free(path);
        if (!out->texts[i]) {
            log_error("migrate: cannot read %s/%s", dir, out->names[i]);
            sql_files_free(out);
            return false;
        }
    }
    return true;
}

/* PostgreSQL's messages span lines (LINE, CONTEXT); a log record is one line. */
static const char *one_line(char *err)
{
    for (char *p = err; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = p[1] ? ' ' : '\0';
    return err;
}

static void rollback(struct db_sync *c)
{
    char err[256];
    if (!db_sync_exec(c, "ROLLBACK", 0, NULL, NULL, err, sizeof err))
        log_warn("migrate: rollback failed: %s", one_line(err));
}

/* Applies each migration not yet in schema_migrations, each in its own transaction. */
static bool run_migrations(struct db_sync *c, const char *dir)
{
    struct sql_files f;
    if (!sql_files_load(dir, is_migration, false, &f))
        return false;
    bool ok = false;
    int applied = 0;
    char err[2048];
    for (size_t i = 0; i < f.n; i++) {
        struct db_result *res = NULL;
        const char *p[1] = {f.names[i]};
        if (!db_sync_exec(c, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, p, &res,
                          err, sizeof err)) {
            log_error("migrate: %s", one_line(err));
            goto out;
        }
        bool done = db_nrows(res) == 1;
        db_sync_result_free(res);
        if (done)
            continue;
        char *path = xasprintf("%s/%s", dir, f.names[i]);
        char *sql = read_file(path, NULL);
        free(path);
        if (!sql) {
            log_error("migrate: cannot read %s/%s", dir, f.names[i]);
            goto out;
        }
        bool step = db_sync_exec(c, "BEGIN", 0, NULL, NULL, err, sizeof err) &&
                    db_sync_exec(c, sql, 0, NULL, NULL, err, sizeof err) &&
                    db_sync_exec(c, "INSERT INTO schema_migrations (version) VALUES ($1)", 1, p,
                                 NULL, err, sizeof err) &&
                    db_sync_exec(c, "COMMIT", 0, NULL, NULL, err, sizeof err);
        free(sql);
        if (!step) {
            log_error("migrate: migration %s failed: %s", f.names[i], one_line(err));
            rollback(c);
            goto out;
        }
        log_info("migration applied version=%s", f.names[i]);
        applied++;
    }
    log_info("migrations up to date applied=%d total=%zu", applied, f.n);
    ok = true;
out:
    sql_files_free(&f);
    return ok;
}

/* SHA-256 over every file's name, length and text, in order: any edit, added, removed or
 * renamed file changes it. */
static void functions_hash(const struct sql_files *f, char hex[2 * CRYPTO_SHA256_LEN + 1])
{
    struct buf b;
    buf_init(&b);
    for (size_t i = 0; i < f->n; i++) {
        buf_printf(&b, "%s\n%zu\n", f->names[i], f->lens[i]);
        buf_append(&b, f->texts[i], f->lens[i]);
    }
    unsigned char h[CRYPTO_SHA256_LEN];
    crypto_sha256(b.data ? b.data : "", b.len, h);
    crypto_hex(h, sizeof h, hex);
    buf_free(&b);
}

/* The file that defines the function called name, or NULL. */
static const char *defining_file(const struct sql_files *f, const char *name)
{
    char *needle = xasprintf("FUNCTION %s(", name);
    const char *found = NULL;
    for (size_t i = 0; i < f->n && !found; i++)
        if (strstr(f->texts[i], needle))
            found = f->names[i];
    free(needle);
    return found;
}

/* With every function in place, compiles each SQL and PL/pgSQL body (what
 * check_function_bodies = off skipped): a broken body stops start-up here rather than
 * failing its first call. A function this transaction did not (re)create is one no file
 * defines any more: it is named in a warning (a migration should drop it). */
static bool check_bodies(struct db_sync *c, const struct sql_files *f, char *err, size_t errlen)
{
    struct db_result *res = NULL;
    if (!db_sync_exec(c, "SET LOCAL check_function_bodies = on", 0, NULL, NULL, err, errlen) ||
        !db_sync_exec(c,
                      "SELECT p.oid::text, p.proname, p.oid::regprocedure::text, l.lanname = 'sql',"
                      "       p.xmin = pg_current_xact_id()::xid"
                      "  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang"
                      " WHERE p.pronamespace = 'public'::regnamespace"
                      "   AND l.lanname IN ('sql', 'plpgsql')"
                      "   AND NOT EXISTS (SELECT 1 FROM pg_depend d"
                      "                    WHERE d.objid = p.oid AND d.deptype = 'e')"
                      " ORDER BY p.proname",
                      0, NULL, &res, err, errlen)) {
        log_error("migrate: cannot list the functions: %s", one_line(err));
        return false;
    }
    bool ok = true;
    for (int i = 0; i < db_nrows(res) && ok; i++) {
        if (!db_bool(res, i, 4)) {
            log_warn("migrate: function %s is in no file of functions/; drop it in a migration",
                     db_value(res, i, 2));
            continue;
        }
        const char *p[1] = {db_value(res, i, 0)};
        ok = db_sync_exec(c,
                          db_bool(res, i, 3) ? "SELECT fmgr_sql_validator($1::oid)"
                                             : "SELECT plpgsql_validator($1::oid)",
                          1, p, NULL, err, errlen);
        if (!ok) {
            const char *file = defining_file(f, db_value(res, i, 1));
            log_error("migrate: function %s (functions/%s) does not compile: %s",
                      db_value(res, i, 2), file ? file : "?", one_line(err));
        }
    }
    db_sync_result_free(res);
    return ok;
}

/* Re-creates every function from the files of dir in one transaction, unless the files
 * are the ones applied last time (the same hash): many servers starting together then
 * leave the catalog alone. */
static bool apply_functions(struct db_sync *c, const char *dir)
{
    struct sql_files f;
    if (!sql_files_load(dir, is_sql, true, &f))
        return false;
    char hash[2 * CRYPTO_SHA256_LEN + 1], err[2048];
    functions_hash(&f, hash);
    bool ok = false;
    struct db_result *res = NULL;
    if (!db_sync_exec(c, "SELECT sha256 FROM schema_functions", 0, NULL, &res, err, sizeof err)) {
        log_error("migrate: %s", one_line(err));
        goto out;
    }
    bool same = db_nrows(res) == 1 && strcmp(db_value(res, 0, 0), hash) == 0;
    db_sync_result_free(res);
    if (same) {
        log_info("functions up to date files=%zu sha256=%.16s", f.n, hash);
        ok = true;
        goto out;
    }
    /* As pg_dump does: a body may call a function of a later file. */
    if (!db_sync_exec(c, "BEGIN", 0, NULL, NULL, err, sizeof err) ||
        !db_sync_exec(c, "SET LOCAL check_function_bodies = off", 0, NULL, NULL, err, sizeof err)) {
        log_error("migrate: %s", one_line(err));
        rollback(c);
        goto out;
    }
    for (size_t i = 0; i < f.n; i++) {
        if (!db_sync_exec(c, f.texts[i], 0, NULL, NULL, err, sizeof err)) {
            log_error("migrate: functions/%s failed: %s", f.names[i], one_line(err));
            rollback(c);
            goto out;
        }
    }
    const char *p[1] = {hash};
    if (!check_bodies(c, &f, err, sizeof err)) {
        rollback(c);
        goto out;
    }
    if (!db_sync_exec(c,
                      "INSERT INTO schema_functions (sha256) VALUES ($1) ON CONFLICT (id) DO UPDATE"
                      " SET sha256 = EXCLUDED.sha256, applied_at = now()",
                      1, p, NULL, err, sizeof err) ||
        !db_sync_exec(c, "COMMIT", 0, NULL, NULL, err, sizeof err)) {
        log_error("migrate: functions not applied: %s", one_line(err));
        rollback(c);
        goto out;
    }
    log_info("functions applied files=%zu sha256=%.16s", f.n, hash);
    ok = true;
out:
    sql_files_free(&f);
    return ok;
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
                log_info("waiting for the database: %s", one_line(err));
            sleep(1);
        }
    }
    if (!c) {
        log_error("migrate: cannot connect: %s", one_line(err));
        return false;
    }
    bool ok = false;
    if (!db_sync_exec(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", 0, NULL, NULL, err,
                      sizeof err) ||
        !db_sync_exec(c,
                      "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());"
                      "CREATE TABLE IF NOT EXISTS schema_functions ("
                      " id boolean PRIMARY KEY DEFAULT true CHECK (id), sha256 text NOT NULL,"
                      " applied_at timestamptz NOT NULL DEFAULT now())",
                      0, NULL, NULL, err, sizeof err)) {
        log_error("migrate: %s", one_line(err));
        goto out;
    }
    char *migrations = xasprintf("%s/migrations", schema_dir);
    char *functions = xasprintf("%s/functions", schema_dir);
    ok = run_migrations(c, migrations) && apply_functions(c, functions);
    free(migrations);
    free(functions);
out:;
    char e2[256];
    if (!db_sync_exec(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")", 0, NULL, NULL, e2,
                      sizeof e2))
        log_warn("migrate: unlock failed");
    db_sync_close(c);
    return ok;
}
