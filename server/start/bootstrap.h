/*
 * bootstrap: start-up data. The installation admin (from PB_ADMIN_EMAIL and
 * PB_ADMIN_PASSWORD, or a generated password printed once per start in demo mode) and,
 * with --demo, a demo election in the voting phase with fresh voting codes. Start-up only
 * (blocking).
 */
#ifndef PB_BOOTSTRAP_H
#define PB_BOOTSTRAP_H

#include "core/app.h"

#include <stdbool.h>

bool bootstrap_run(struct app *app, const char *conninfo, int port) __attribute__((warn_unused_result));

#endif
