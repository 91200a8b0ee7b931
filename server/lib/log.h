/*
 * log: one line per event on stderr, "ts level msg key=value ...". Callers never pass
 * tokens, codes, passwords, personal identifiers or anything linking a voter to a ballot.
 */
#ifndef PB_LOG_H
#define PB_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* For broken invariants and start-up failures only: logs file and line, then aborts. */
#define PB_ASSERT(cond)                                                                        \
    do {                                                                                       \
        if (!(cond))                                                                           \
            log_fatal(__FILE__, __LINE__, #cond);                                              \
    } while (0)
void log_fatal(const char *file, int line, const char *what) __attribute__((noreturn));
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
