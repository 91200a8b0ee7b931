/*
 * router: matching of decoded path segments against the route table in routes.c.
 */
#include "core/router.h"
#include "lib/log.h"

#include <event2/http.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The patterns cut into segments once, so that matching a request compares lengths and
 * bytes instead of re-scanning every pattern. */
struct pattern_seg {
    const char *s;
    size_t len;
    bool id;
};
struct compiled {
    size_t nsegs;
    struct pattern_seg seg[ROUTER_MAX_SEGMENTS];
};

static struct compiled *compiled_table;
static pthread_once_t compiled_once = PTHREAD_ONCE_INIT;

static void compile_table(void)
{
    size_t n;
    const struct route *table = router_table(&n);
    compiled_table = xcalloc(n, sizeof *compiled_table);
    for (size_t i = 0; i < n; i++) {
        struct compiled *c = &compiled_table[i];
        const char *p = table[i].pattern;
        while (*p == '/') {
            p++;
            const char *end = strchr(p, '/');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            PB_ASSERT(c->nsegs < ROUTER_MAX_SEGMENTS);
            c->seg[c->nsegs++] = (struct pattern_seg){p, len, len == 3 && memcmp(p, ":id", 3) == 0};
            p += len;
        }
    }
}

static bool match(const struct compiled *c, const char *const *segs, const size_t *lens, size_t nsegs,
                  int64_t ids[4], int *nids)
{
    if (c->nsegs != nsegs)
        return false;
    int n = 0;
    for (size_t i = 0; i < nsegs; i++) {
        const struct pattern_seg *ps = &c->seg[i];
        if (ps->id) {
            int64_t v;
            if (lens[i] == 0 || lens[i] > 15 || strspn(segs[i], "0123456789") != lens[i] ||
                !parse_int64(segs[i], &v) || v <= 0 || n >= 4)
                return false;
            ids[n++] = v;
        } else if (lens[i] != ps->len || memcmp(ps->s, segs[i], ps->len) != 0) {
            return false;
        }
    }
    *nids = n;
    return true;
}

const struct route *router_match(enum http_method method, const char *const *segs, size_t nsegs,
                                 int64_t ids[4], int *nids, unsigned *allowed)
{
    pthread_once(&compiled_once, compile_table);
    size_t n;
    const struct route *table = router_table(&n);
    size_t lens[ROUTER_MAX_SEGMENTS];
    *allowed = 0;
    if (nsegs > ROUTER_MAX_SEGMENTS)
        return NULL;
    for (size_t i = 0; i < nsegs; i++)
        lens[i] = strlen(segs[i]);
    for (size_t i = 0; i < n; i++) {
        int64_t tmp[4];
        int ntmp;
        if (!match(&compiled_table[i], segs, lens, nsegs, tmp, &ntmp))
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
        char *seg;
        size_t outlen = len;
        if (memchr(p, '%', len)) {
            char *raw = xstrndup(p, len);
            seg = evhttp_uridecode(raw, 0, &outlen);
            free(raw);
        } else {
            seg = xstrndup(p, len); /* nothing to decode */
        }
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

void router_check_table(void)
{
    size_t n;
    const struct route *table = router_table(&n);
    for (size_t i = 0; i < n; i++) {
        const struct route *rt = &table[i];
        unsigned scoped_role = rt->role & ~(unsigned)ROLE_SUPERADMIN;
        bool loads = rt->scope == SCOPE_PROPOSAL || rt->scope == SCOPE_ORGANISATION ||
                     (rt->scope == SCOPE_ELECTION && !(rt->flags & ROUTE_NO_LOAD));
        bool needs_election = rt->phases || rt->public_phases || rt->elevated;
        if ((scoped_role && !loads) || (needs_election && (!loads || rt->scope == SCOPE_ORGANISATION)) ||
            (rt->scope != SCOPE_NONE && !strstr(rt->pattern, ":id"))) {
            log_error("route table: %s declares needs its scope cannot check", rt->pattern);
            PB_ASSERT(!"inconsistent route table");
        }
    }
}
