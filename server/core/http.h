/*
 * http: the evhttp server: listening socket, limits, and the entry point of every
 * request, which decodes the path and hands it to the router, the static files or an error.
 */
#ifndef PB_HTTP_H
#define PB_HTTP_H

#include "core/app.h"

#include <stdbool.h>

/* Makes a listening socket on cfg.listen:port (port 0 picks a free one) before any process
 * is forked; returns its descriptor and sets *bound to the port, or -1. With reuseport,
 * several sockets share the port and the kernel spreads new connections evenly over them. */
int http_listen(const struct app *app, int port, bool reuseport, int *bound);
/* Serves HTTP(S) on fd from app->base. */
bool http_start(struct app *app, int fd);
void http_stop(struct app *app);

#endif
