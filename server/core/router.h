/*
 * router: the table of API routes and the matching of a method and decoded path against
 * it. A pattern segment ":id" matches a positive integer, captured in order.
 */
#ifndef PB_ROUTER_H
#define PB_ROUTER_H

#include "core/req.h"

#include <stddef.h>

enum route_flags {
    ROUTE_OPTIONAL_AUTH = 1, /* public, but a token (if any) is resolved for richer answers */
    ROUTE_JSON_BODY = 2,     /* expects a JSON object body */
    ROUTE_LARGE_BODY = 4,    /* uploads (registers): the server's largest body limit */
    ROUTE_CACHED = 8,        /* anonymous GETs answered from the cache for up to a second */
    ROUTE_VOTER_CHECKED = 16, /* the handler's own statement checks the voter is still active */
};

struct route {
    enum http_method method;
    const char *pattern;
    void (*handler)(struct req *r);
    enum auth_kind auth;
    unsigned flags;
};

/* The route for method and path, with ids captured. When the path exists with other
 * methods, returns NULL and sets *allowed to their mask (else 0). */
const struct route *router_match(enum http_method method, const char *const *segs, size_t nsegs,
                                 int64_t ids[4], int *nids, unsigned *allowed);
const struct route *router_table(size_t *n);

#define ROUTER_MAX_SEGMENTS 16
/* Splits a raw request path into percent-decoded segments (malloc'd, at most
 * ROUTER_MAX_SEGMENTS) and the decoded path (*decoded, malloc'd, always set). False for an
 * encoded NUL or '/', invalid UTF-8, "." or "..", or too many segments; the segments
 * decoded so far are in segs either way and belong to the caller. */
bool router_split_path(const char *path, char **segs, size_t *nsegs, char **decoded);

#endif
