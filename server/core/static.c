/*
 * static: an in-memory table of the frontend's files.
 */
#include "core/static.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "lib/util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FILE_SIZE (8 * 1024 * 1024)

struct static_files {
    struct static_file *files;
    size_t n;
};

static const char *type_for(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"}, {".mjs", "text/javascript; charset=utf-8"},
        {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
        {".jpg", "image/jpeg"}, {".ico", "image/x-icon"}, {".txt", "text/plain; charset=utf-8"},
        {".webmanifest", "application/manifest+json"}, {".woff2", "font/woff2"},
        {".yaml", "application/yaml"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < PB_ARRAY_LEN(types); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

void static_add(struct static_files *s, const char *path, const char *content_type,
                const char *data, size_t len)
{
    s->files = xreallocarray(s->files, s->n + 1, sizeof *s->files);
    struct static_file *f = &s->files[s->n++];
    f->path = xstrdup(path);
    f->content_type = content_type;
    char *copy = xmalloc(len + 1);
    memcpy(copy, data, len);
    copy[len] = '\0';
    f->data = copy;
    f->len = len;
    unsigned char h[CRYPTO_SHA256_LEN];
    crypto_sha256(data, len, h);
    char hex[65];
    crypto_hex(h, sizeof h, hex);
    snprintf(f->etag, sizeof f->etag, "\"%.16s\"", hex);
}

static void load_dir(struct static_files *s, const char *root, const char *rel)
{
    char *dirpath = xasprintf("%s%s", root, rel);
    DIR *d = opendir(dirpath);
    free(dirpath);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "node_modules") == 0)
            continue;
        char *relpath = xasprintf("%s/%s", rel, e->d_name);
        char *full = xasprintf("%s%s", root, relpath);
        struct stat st;
        if (stat(full, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                load_dir(s, root, relpath);
            } else if (S_ISREG(st.st_mode) && st.st_size <= MAX_FILE_SIZE) {
                FILE *fp = fopen(full, "rb");
                if (fp) {
                    char *data = xmalloc((size_t)st.st_size + 1);
                    size_t n = fread(data, 1, (size_t)st.st_size, fp);
                    fclose(fp);
                    static_add(s, relpath, type_for(relpath), data, n);
                    free(data);
                }
            }
        }
        free(relpath);
        free(full);
    }
    closedir(d);
}

struct static_files *static_load(const char *dir)
{
    struct static_files *s = xcalloc(1, sizeof *s);
    if (dir)
        load_dir(s, dir, "");
    log_info("static files loaded dir=%s count=%zu", dir ? dir : "-", s->n);
    return s;
}

void static_free(struct static_files *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free((char *)s->files[i].path);
        free((char *)s->files[i].data);
    }
    free(s->files);
    free(s);
}

const struct static_file *static_find(const struct static_files *s, const char *path)
{
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->files[i].path, path) == 0)
            return &s->files[i];
    return NULL;
}
