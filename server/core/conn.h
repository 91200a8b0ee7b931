/*
 * conn: what evhttp (libevent 2.1) does not do for a connection. Two things, watched on
 * the connection's buffers, since 2.1 has no hook for either:
 *  - the error pages evhttp writes itself (a malformed request line or header, a header
 *    block or body over the limit, an unsupported Expect) are HTML without our headers:
 *    they are rewritten, still unsent, into our JSON error with the security headers;
 *  - a request must arrive whole within --header-timeout seconds of its first byte (a body
 *    may take longer while it keeps coming at 16 KiB per period); a client that trickles
 *    its headers to hold the connection open is cut off.
 */
#ifndef PB_CONN_H
#define PB_CONN_H

#include "core/app.h"

struct bufferevent;

/* Watches a new connection's bufferevent (from evhttp's bevcb, before evhttp uses it). */
void conn_watch(struct app *app, struct bufferevent *bev);
/* After evhttp_free: lets go of what is still watched. */
void conn_stop(struct app *app);

#endif
