/*
 * netaddr: client addresses for limits and access rules: numeric IPv4/IPv6 addresses,
 * lists of CIDR blocks (--trusted-proxy, --metrics-allow), the client behind trusted
 * proxies from X-Forwarded-For, and the key a rate limit counts an address under. Pure:
 * parsing is inet_pton's; nothing here resolves names.
 */
#ifndef PB_NETADDR_H
#define PB_NETADDR_H

#include <stdbool.h>
#include <stddef.h>

#define NETADDR_STRLEN 46 /* INET6_ADDRSTRLEN */

struct netaddr {
    int family; /* AF_INET or AF_INET6; an IPv4-mapped IPv6 address is AF_INET */
    unsigned char a[16];
};

struct cidr {
    struct netaddr net;
    int prefix;
};

struct cidr_list {
    struct cidr *v;
    size_t n;
};

/* A numeric address; false for anything else (names, ports, garbage). */
bool netaddr_parse(const char *s, struct netaddr *out);
/* "10.0.0.0/8, ::1" (a bare address is its own block); false (and an empty list) on any
 * malformed entry. NULL or "" gives an empty list. */
bool cidr_list_parse(const char *spec, struct cidr_list *out);
bool cidr_list_has(const struct cidr_list *l, const struct netaddr *a);
void cidr_list_free(struct cidr_list *l);

/* The client of a request that came from peer with the X-Forwarded-For header values
 * xff[0..n): when peer is a trusted proxy, the right-most address that is not itself
 * trusted (each proxy appends the address it was reached from, so everything left of
 * that may be forged); otherwise, or when the header is missing or malformed there, the
 * peer. out gets the address in its canonical text form. */
void netaddr_client(const struct cidr_list *trusted, const char *peer, const char *const *xff, size_t n,
                    char out[NETADDR_STRLEN]);

/* The key rate limits count an address under: an IPv4 address itself, an IPv6 address's
 * /64 (one subscriber's network holds 2^64 addresses: per address would be no limit). */
void netaddr_limit_key(const char *addr, char out[NETADDR_STRLEN + 4]);

#endif
