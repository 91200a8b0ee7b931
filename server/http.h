/*
 * http: the evhttp server: listening socket, limits, and the entry point of every
 * request, which decodes the path and hands it to the router, the static files or an error.
 */
#ifndef PB_HTTP_H
#define PB_HTTP_H

#include "app.h"

/* Binds cfg.listen:cfg.port (port 0 picks a free one) and returns the bound port, or -1. */
int http_start(struct app *app);
void http_stop(struct app *app);

#endif
