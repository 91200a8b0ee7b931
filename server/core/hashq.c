/*
 * hashq: a small fair queue in front of the worker pool (see hashq.h). Few jobs wait at a
 * time (at most `queued`), so choosing the next one is a scan.
 */
#include "core/hashq.h"
#include "core/worker.h"
#include "lib/netaddr.h"
#include "lib/util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Clients remembered for fairness: those with jobs, then the most recently served. */
#define CLIENTS 256

struct client {
    char key[NETADDR_STRLEN + 4];
    int active;           /* jobs waiting or running */
    uint64_t last_served; /* 0: never (or forgotten) */
};

struct job {
    struct hashq *q;
    struct client *c;
    void (*work)(void *);
    void (*done)(void *);
    void *arg;
    int priority;
    struct job *next; /* waiting jobs, oldest first */
};

struct hashq {
    struct worker_pool *workers;
    int max_running, reserve, per_client, max_queued;
    int running, queued;
    uint64_t seq;
    struct job *waiting;
    struct client clients[CLIENTS];
};

struct hashq *hashq_new(struct worker_pool *workers, int running, int reserve, int per_client, int queued)
{
    struct hashq *q = xcalloc(1, sizeof *q);
    q->workers = workers;
    q->max_running = running > 0 ? running : 1;
    q->reserve = reserve > 0 ? reserve : 0;
    q->per_client = per_client;
    q->max_queued = queued;
    return q;
}

void hashq_free(struct hashq *q)
{
    if (!q)
        return;
    while (q->waiting) {
        struct job *j = q->waiting;
        q->waiting = j->next;
        free(j);
    }
    free(q);
}

/* The client's entry: its own, else a free one (no jobs, served longest ago). */
static struct client *client_of(struct hashq *q, const char *key)
{
    struct client *free_slot = NULL;
    for (size_t i = 0; i < CLIENTS; i++) {
        struct client *c = &q->clients[i];
        if (c->key[0] && strcmp(c->key, key) == 0)
            return c;
        if (c->active == 0 && (!free_slot || c->last_served < free_slot->last_served))
            free_slot = c;
    }
    if (!free_slot)
        return NULL;
    snprintf(free_slot->key, sizeof free_slot->key, "%s", key);
    free_slot->last_served = 0;
    return free_slot;
}

static void dispatch(struct hashq *q);

static void job_work(void *arg)
{
    struct job *j = arg;
    j->work(j->arg);
}

static void job_done(void *arg)
{
    struct job *j = arg;
    struct hashq *q = j->q;
    void (*done)(void *) = j->done;
    void *user = j->arg;
    j->c->active--;
    q->running--;
    free(j);
    dispatch(q);
    done(user);
}

static void dispatch(struct hashq *q)
{
    while (q->waiting && q->running < q->max_running + q->reserve) {
        struct job **best = &q->waiting;
        for (struct job **p = &q->waiting; *p; p = &(*p)->next) {
            const struct job *a = *p, *b = *best;
            if (a->priority < b->priority || (a->priority == b->priority && a->c->last_served < b->c->last_served))
                best = p; /* ties: the oldest, which comes first */
        }
        struct job *j = *best;
        if (q->running >= q->max_running && j->priority > HASHQ_FRESH)
            break; /* the reserve is for clients who have hardly tried */
        *best = j->next;
        q->queued--;
        q->running++;
        j->c->last_served = ++q->seq;
        worker_submit(q->workers, job_work, job_done, j);
    }
}

enum hashq_verdict hashq_submit(struct hashq *q, const char *client, int priority, void (*work)(void *),
                                void (*done)(void *), void *arg)
{
    char key[NETADDR_STRLEN + 4];
    netaddr_limit_key(client, key);
    struct client *c = client_of(q, key);
    if (!c || q->queued >= q->max_queued)
        return HASHQ_FULL;
    if (c->active >= q->per_client)
        return HASHQ_CLIENT_BUSY;
    struct job *j = xcalloc(1, sizeof *j);
    *j = (struct job){.q = q, .c = c, .work = work, .done = done, .arg = arg, .priority = priority};
    struct job **tail = &q->waiting;
    while (*tail)
        tail = &(*tail)->next;
    *tail = j;
    c->active++;
    q->queued++;
    dispatch(q);
    return HASHQ_OK;
}
