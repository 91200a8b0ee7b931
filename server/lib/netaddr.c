/*
 * netaddr: addresses, CIDR lists and the forwarded client (see netaddr.h).
 */
#include "lib/netaddr.h"
#include "lib/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool netaddr_parse(const char *s, struct netaddr *out)
{
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, s, out->a) == 1) {
        out->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, s, out->a) != 1)
        return false;
    out->family = AF_INET6;
    if (memcmp(out->a, v4_mapped, sizeof v4_mapped) == 0) {
        memmove(out->a, out->a + 12, 4);
        memset(out->a + 4, 0, 12);
        out->family = AF_INET;
    }
    return true;
}

static void netaddr_text(const struct netaddr *a, char out[NETADDR_STRLEN])
{
    if (!inet_ntop(a->family, a->a, out, NETADDR_STRLEN))
        out[0] = '\0';
}

/* Copies s[0..len) without surrounding blanks into out; false when it does not fit. */
static bool trimmed(const char *s, size_t len, char *out, size_t outlen)
{
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len + 1 > outlen)
        return false;
    memcpy(out, s, len);
    out[len] = '\0';
    return true;
}

static bool cidr_parse(const char *s, struct cidr *c)
{
    char addr[NETADDR_STRLEN + 8];
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : strlen(s);
    if (alen >= sizeof addr)
        return false;
    memcpy(addr, s, alen);
    addr[alen] = '\0';
    if (!netaddr_parse(addr, &c->net))
        return false;
    int max = c->net.family == AF_INET ? 32 : 128;
    c->prefix = max;
    if (slash) {
        int64_t p;
        if (!parse_int64(slash + 1, &p) || p < 0 || p > 128)
            return false;
        /* an IPv4-mapped block (::ffff:10.0.0.0/104) is the IPv4 block it maps */
        if (c->net.family == AF_INET && strchr(addr, ':'))
            p -= 96;
        if (p < 0 || p > max)
            return false;
        c->prefix = (int)p;
    }
    return true;
}

bool cidr_list_parse(const char *spec, struct cidr_list *out)
{
    memset(out, 0, sizeof *out);
    for (const char *p = spec; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[NETADDR_STRLEN + 8];
        struct cidr c;
        if (!trimmed(p, len, item, sizeof item) || !cidr_parse(item, &c)) {
            cidr_list_free(out);
            return false;
        }
        out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
        out->v[out->n++] = c;
        p = end ? end + 1 : p + len;
    }
    return true;
}

bool cidr_list_has(const struct cidr_list *l, const struct netaddr *a)
{
    for (size_t i = 0; l && i < l->n; i++) {
        const struct cidr *c = &l->v[i];
        if (c->net.family != a->family)
            continue;
        int full = c->prefix / 8, rest = c->prefix % 8;
        if (memcmp(c->net.a, a->a, (size_t)full) != 0)
            continue;
        unsigned char mask = (unsigned char)(0xff00 >> rest);
        if (rest == 0 || (c->net.a[full] & mask) == (a->a[full] & mask))
            return true;
    }
    return false;
}

void cidr_list_free(struct cidr_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

void netaddr_client(const struct cidr_list *trusted, const char *peer, const char *const *xff, size_t n,
                    char out[NETADDR_STRLEN])
{
    struct netaddr a;
    snprintf(out, NETADDR_STRLEN, "%s", peer ? peer : "");
    if (!peer || !netaddr_parse(peer, &a))
        return;
    netaddr_text(&a, out); /* canonical: an IPv4-mapped peer counts as its IPv4 address */
    if (!cidr_list_has(trusted, &a))
        return;
    /* From the right: the last header's last entry is the one our own proxy appended. */
    for (size_t h = n; h-- > 0;) {
        const char *v = xff[h];
        size_t end = strlen(v);
        while (end > 0) {
            size_t start = end;
            while (start > 0 && v[start - 1] != ',')
                start--;
            char item[NETADDR_STRLEN + 8];
            if (trimmed(v + start, end - start, item, sizeof item) && item[0]) {
                if (!netaddr_parse(item, &a))
                    return; /* malformed at this point: trust no more of it, keep the last good hop */
                netaddr_text(&a, out);
                if (!cidr_list_has(trusted, &a))
                    return;
            }
            end = start ? start - 1 : 0;
        }
    }
}

void netaddr_limit_key(const char *addr, char out[NETADDR_STRLEN + 4])
{
    struct netaddr a;
    if (!netaddr_parse(addr, &a) || a.family == AF_INET) {
        snprintf(out, NETADDR_STRLEN + 4, "%s", addr);
        return;
    }
    memset(a.a + 8, 0, 8);
    char text[NETADDR_STRLEN];
    netaddr_text(&a, text);
    snprintf(out, NETADDR_STRLEN + 4, "%s/64", text);
}
