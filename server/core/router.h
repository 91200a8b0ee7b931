/*
 * router: the table of API routes and the matching of a method and decoded path against
 * it. A pattern segment ":id" matches a positive integer, captured in order.
 */
#ifndef PB_ROUTER_H
#define PB_ROUTER_H

#include "core/req.h"
#include "lib/vocab.h"

#include <stddef.h>

enum route_flags {
    ROUTE_OPTIONAL_AUTH = 1,  /* public, but a token (if any) is resolved for richer answers */
    ROUTE_JSON_BODY = 2,      /* expects a JSON object body */
    ROUTE_LARGE_BODY = 4,     /* uploads (registers): the server's largest body limit */
    ROUTE_CACHED = 8,         /* anonymous GETs answered from the cache for up to a second */
    ROUTE_VOTER_CHECKED = 16, /* the handler's own statement checks the voter is still active */
    ROUTE_NO_LOAD = 32,       /* hot or self-contained paths: the handler's own statement reads
                               * the election; the gate checks only what the token says */
    ROUTE_EMPTY_BODY = 64,    /* an action that takes no fields: no body, or {} (any field: 422) */
};

/* What the path's first id names. A voter may only reach the election of their session. */
enum route_scope {
    SCOPE_NONE,         /* nothing: the route is not about one election */
    SCOPE_ELECTION,     /* an election */
    SCOPE_PROPOSAL,     /* a proposal: the gate loads the election it belongs to */
    SCOPE_ORGANISATION, /* an organisation: the gate loads the caller's roles in it */
};

/* One row of the route table (api/routes.c): the handler and what it needs. The gate
 * (core/auth) checks all of it before the handler runs. */
struct route {
    enum http_method method;
    const char *pattern;
    void (*handler)(struct req *r);
    enum auth_kind auth;    /* who must be signed in (AUTH_NONE: anyone) */
    unsigned flags;         /* enum route_flags */
    enum route_scope scope;
    unsigned role;          /* staff callers need one of these roles in the scope (admin holds all) */
    unsigned phases;        /* PH() bits the election must be in (0: any) */
    unsigned public_phases; /* for callers without a staff role in the election, in addition */
    const char *phase_hint; /* what to do about a wrong phase, appended to the 409 message */
    /* A further role when the request asks for more (paper: resolving a mismatch). */
    bool (*elevated)(const struct req *r);
    unsigned elevated_role;
    /* Answers that show more than others on the same route (export: ballots and counts
     * rather than trackers): when reveals(r) is true, the election must also be in one of
     * reveal_phases, for every caller, staff of any role and the public alike. */
    bool (*reveals)(const struct req *r);
    unsigned reveal_phases;
    const char *reveal_hint;
};

/* The route for method and path, with ids captured. When the path exists with other
 * methods, returns NULL and sets *allowed to their mask (else 0). */
const struct route *router_match(enum http_method method, const char *const *segs, size_t nsegs,
                                 int64_t ids[4], int *nids, unsigned *allowed);
const struct route *router_table(size_t *n);
/* Checks the table's rows are consistent (a role or phases need the election loaded);
 * aborts at start-up on a broken row. */
void router_check_table(void);

#define ROUTER_MAX_SEGMENTS 16
/* Splits a raw request path into percent-decoded segments (malloc'd, at most
 * ROUTER_MAX_SEGMENTS) and the decoded path (*decoded, malloc'd, always set). False for an
 * encoded NUL or '/', invalid UTF-8, "." or "..", or too many segments; the segments
 * decoded so far are in segs either way and belong to the caller. */
bool router_split_path(const char *path, char **segs, size_t *nsegs, char **decoded);

#endif
