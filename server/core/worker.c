/*
 * worker: a mutex-protected job queue, N threads, and one libevent event through which
 * finished jobs are handed back to the loop thread.
 */
#include "core/worker.h"
#include "lib/log.h"
#include "lib/util.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct job {
    struct job *next;
    worker_fn work, done;
    void *arg;
};

struct worker_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *todo, *todo_tail;
    struct job *finished;
    int pending;
    bool stopping;
    int nthreads;
    pthread_t *threads;
    struct event *done_ev;
};

static void *worker_main(void *arg)
{
    struct worker_pool *pool = arg;
    pthread_mutex_lock(&pool->mu);
    for (;;) {
        while (!pool->todo && !pool->stopping)
            pthread_cond_wait(&pool->cv, &pool->mu);
        if (pool->stopping)
            break;
        struct job *j = pool->todo;
        pool->todo = j->next;
        if (!pool->todo)
            pool->todo_tail = NULL;
        pthread_mutex_unlock(&pool->mu);
        j->work(j->arg);
        pthread_mutex_lock(&pool->mu);
        j->next = pool->finished;
        pool->finished = j;
        event_active(pool->done_ev, EV_READ, 0);
    }
    pthread_mutex_unlock(&pool->mu);
    return NULL;
}

static void done_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct worker_pool *pool = arg;
    pthread_mutex_lock(&pool->mu);
    struct job *list = pool->finished;
    pool->finished = NULL;
    pthread_mutex_unlock(&pool->mu);
    /* The list is newest first; hand jobs back in the order they finished. */
    struct job *rev = NULL;
    while (list) {
        struct job *n = list->next;
        list->next = rev;
        rev = list;
        list = n;
    }
    while (rev) {
        struct job *j = rev;
        rev = j->next;
        pthread_mutex_lock(&pool->mu);
        pool->pending--;
        pthread_mutex_unlock(&pool->mu);
        j->done(j->arg);
        free(j);
    }
}

struct worker_pool *worker_pool_new(struct event_base *base, int nthreads)
{
    struct worker_pool *pool = xcalloc(1, sizeof *pool);
    pthread_mutex_init(&pool->mu, NULL);
    pthread_cond_init(&pool->cv, NULL);
    pool->done_ev = event_new(base, -1, EV_PERSIST, done_cb, pool);
    pool->nthreads = nthreads;
    pool->threads = xcalloc((size_t)nthreads, sizeof *pool->threads);
    for (int i = 0; i < nthreads; i++)
        if (pthread_create(&pool->threads[i], NULL, worker_main, pool) != 0)
            die("cannot start worker thread");
    return pool;
}

void worker_pool_free(struct worker_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->mu);
    pool->stopping = true;
    pthread_cond_broadcast(&pool->cv);
    pthread_mutex_unlock(&pool->mu);
    for (int i = 0; i < pool->nthreads; i++)
        pthread_join(pool->threads[i], NULL);
    for (struct job *lists[2] = {pool->todo, pool->finished}, **l = lists; l < lists + 2; l++)
        while (*l) {
            struct job *j = *l;
            *l = j->next;
            free(j);
        }
    event_free(pool->done_ev);
    pthread_mutex_destroy(&pool->mu);
    pthread_cond_destroy(&pool->cv);
    free(pool->threads);
    free(pool);
}

void worker_submit(struct worker_pool *pool, worker_fn work, worker_fn done, void *arg)
{
    struct job *j = xcalloc(1, sizeof *j);
    j->work = work;
    j->done = done;
    j->arg = arg;
    pthread_mutex_lock(&pool->mu);
    if (pool->todo_tail)
        pool->todo_tail->next = j;
    else
        pool->todo = j;
    pool->todo_tail = j;
    pool->pending++;
    pthread_cond_signal(&pool->cv);
    pthread_mutex_unlock(&pool->mu);
}

int worker_pending(struct worker_pool *pool)
{
    pthread_mutex_lock(&pool->mu);
    int n = pool->pending;
    pthread_mutex_unlock(&pool->mu);
    return n;
}
