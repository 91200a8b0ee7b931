/*
 * static: the web frontend, read into memory once at start-up (no file reads while the
 * loop runs) and served by path. Only files below the web directory can ever be served:
 * paths are looked up in the loaded table, never joined onto the file system.
 */
#ifndef PB_STATIC_H
#define PB_STATIC_H

#include <stddef.h>

struct static_files;

struct static_file {
    const char *path; /* "/index.html" */
    const char *content_type;
    const char *data;
    size_t len;
    char etag[24];
};

/* Loads every regular file below dir (skipping dotfiles); NULL dir or a missing dir
 * gives an empty table. */
struct static_files *static_load(const char *dir);
void static_free(struct static_files *s);
/* The file for a decoded request path ("/" means "/index.html"), or NULL. */
const struct static_file *static_find(const struct static_files *s, const char *path);
/* Adds an in-memory document (such as the OpenAPI JSON) under path; data is copied. */
void static_add(struct static_files *s, const char *path, const char *content_type,
                const char *data, size_t len);

#endif
