/*
 * pgcluster: the private PostgreSQL cluster used when no database is configured. It lives
 * under the data directory (initdb on first use), listens only on a Unix socket there, and
 * runs as an unprivileged user (postgres) when the server was started as root. Start-up
 * only: these calls block and fork.
 */
#ifndef PB_PGCLUSTER_H
#define PB_PGCLUSTER_H

#include <stdbool.h>
#include <stddef.h>

struct pgcluster {
    char *dir;       /* cluster data directory */
    char *sockdir;   /* Unix socket directory */
    char *conninfo;  /* for libpq */
    bool started_by_us;
};

/* Creates (if needed) and starts the cluster under data_dir; fills c. */
bool pgcluster_start(const char *data_dir, struct pgcluster *c) __attribute__((warn_unused_result));
/* Stops the cluster if this process started it (always when force). */
void pgcluster_stop(struct pgcluster *c, bool force);
void pgcluster_free(struct pgcluster *c);

#endif
