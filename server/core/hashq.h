/*
 * hashq: admission and order for password hashing. scrypt takes a core for about half a
 * second and 128 MiB, so a flood of sign-ins would otherwise queue every worker behind
 * the attacker's guesses. Jobs wait here, at most `running` on the workers at a time; the
 * next to run is the waiting job with the lowest priority number (the caller gives the
 * attempts its address has made lately), then the client (address) served least
 * recently, then the oldest: the real admin goes before a flood from others. `reserve`
 * more may run for jobs of priority HASHQ_FRESH or less, so that a client who has hardly
 * tried does not even wait for a flood's hash to finish. A
 * client with `per_client` jobs waiting or running is refused (429), and so is everyone
 * when `queued` jobs wait (503). One per serving process; loop thread only.
 */
#ifndef PB_HASHQ_H
#define PB_HASHQ_H

struct hashq;
struct worker_pool;

enum hashq_verdict { HASHQ_OK, HASHQ_CLIENT_BUSY, HASHQ_FULL };

#define HASHQ_FRESH 1

struct hashq *hashq_new(struct worker_pool *workers, int running, int reserve, int per_client, int queued);
/* Drops waiting jobs (their done is not called, as the worker pool does at shutdown). */
void hashq_free(struct hashq *q);
/* Queues work(arg) for client (an address); done(arg) runs on the loop after it. */
enum hashq_verdict hashq_submit(struct hashq *q, const char *client, int priority, void (*work)(void *),
                                void (*done)(void *), void *arg);

#endif
