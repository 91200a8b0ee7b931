/*
 * worker: a few threads for work that must not run on the event loop (password hashing,
 * tallies, exports). A job's work() runs on a worker thread and must not touch libevent,
 * evhttp or the database pool; its done() runs afterwards on the loop thread.
 */
#ifndef PB_WORKER_H
#define PB_WORKER_H

#include <event2/event.h>

struct worker_pool;

typedef void (*worker_fn)(void *arg);

/* Needs evthread_use_pthreads() before the base was created. */
struct worker_pool *worker_pool_new(struct event_base *base, int nthreads);
/* Finishes running jobs, drops queued ones (their done() is not called), joins. */
void worker_pool_free(struct worker_pool *pool);
void worker_submit(struct worker_pool *pool, worker_fn work, worker_fn done, void *arg);
int worker_pending(struct worker_pool *pool);

#endif
