/*
 * http: the evhttp server: listening socket, limits, and the entry point of every
 * request, which decodes the path and hands it to the router, the static files or an error.
 */
#ifndef PB_HTTP_H
#define PB_HTTP_H

#include "app.h"

#include <stdbool.h>

/* Makes the listening socket on cfg.listen:cfg.port (port 0 picks a free one) before any
 * process is forked; returns its descriptor and sets *port, or -1. */
int http_listen(const struct app *app, int *port);
/* Serves HTTP(S) on fd from app->base. */
bool http_start(struct app *app, int fd);
void http_stop(struct app *app);

#endif
