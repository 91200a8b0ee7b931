/*
 * log: timestamped single-line records on stderr.
 */
#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static enum log_level min_level = LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level)
{
    min_level = level;
}

static void log_va(enum log_level level, const char *fmt, va_list ap)
{
    char ts[32];
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    char line[2048];
    int n = snprintf(line, sizeof line, "%s.%03ldZ %s ", ts, now.tv_nsec / 1000000,
                     level_names[level]);
    if (n < 0 || (size_t)n >= sizeof line)
        return;
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    fprintf(stderr, "%s\n", line);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (level < min_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    log_va(level, fmt, ap);
    va_end(ap);
}

void log_fatal(const char *file, int line, const char *what)
{
    log_msg(LOG_ERROR, "assertion failed file=%s line=%d cond=\"%s\"", file, line, what);
    abort();
}

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_va(LOG_ERROR, fmt, ap);
    va_end(ap);
    exit(1);
}
