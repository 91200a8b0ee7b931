/*
 * router: matching of decoded path segments against the route table in routes.c.
 */
#include "router.h"

#include <event2/http.h>

#include <stdlib.h>
#include <string.h>

static bool match(const char *pattern, const char *const *segs, size_t nsegs, int64_t ids[4],
                  int *nids)
{
    size_t i = 0;
    int n = 0;
    const char *p = pattern;
    while (*p == '/') {
        p++;
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (i >= nsegs)
            return false;
        const char *s = segs[i];
        if (len == 3 && memcmp(p, ":id", 3) == 0) {
            int64_t v;
            if (!*s || strlen(s) > 15 || strspn(s, "0123456789") != strlen(s) ||
                !parse_int64(s, &v) || v <= 0 || n >= 4)
                return false;
            ids[n++] = v;
        } else if (strlen(s) != len || memcmp(p, s, len) != 0) {
            return false;
        }
        i++;
        p += len;
    }
    if (i != nsegs)
        return false;
    *nids = n;
    return true;
}

const struct route *router_match(enum http_method method, const char *const *segs, size_t nsegs,
                                 int64_t ids[4], int *nids, unsigned *allowed)
{
    size_t n;
    const struct route *table = router_table(&n);
    *allowed = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t tmp[4];
        int ntmp;
        if (!match(table[i].pattern, segs, nsegs, tmp, &ntmp))
            continue;
        if (table[i].method == method || (method == M_HEAD && table[i].method == M_GET)) {
            memcpy(ids, tmp, sizeof tmp);
            *nids = ntmp;
            return &table[i];
        }
        *allowed |= table[i].method;
    }
    return NULL;
}

bool router_split_path(const char *path, char **segs, size_t *nsegs, char **decoded)
{
    *nsegs = 0;
    struct buf full;
    buf_init(&full);
    const char *p = path;
    bool ok = *p == '/';
    while (*p == '/' && ok) {
        p++;
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 0 && !end) /* trailing slash */
            break;
        if (*nsegs >= ROUTER_MAX_SEGMENTS) {
            ok = false;
            break;
        }
        char *raw = xstrndup(p, len);
        size_t outlen = 0;
        char *seg = evhttp_uridecode(raw, 0, &outlen);
        free(raw);
        if (!seg || outlen != strlen(seg) || strchr(seg, '/') || !utf8_valid(seg, outlen) ||
            strcmp(seg, "..") == 0 || strcmp(seg, ".") == 0) {
            free(seg);
            ok = false;
            break;
        }
        segs[(*nsegs)++] = seg;
        buf_putc(&full, '/');
        buf_puts(&full, seg);
        p += len;
    }
    if (full.len == 0)
        buf_putc(&full, '/');
    *decoded = buf_steal(&full);
    return ok;
}
