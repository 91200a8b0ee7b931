/*
 * ratelimit: two-window counters in a fixed hash table, in memory shared by the serving
 * processes. Each key keeps the count of the current and the previous window; the estimate
 * weighs the previous one by how much of it still overlaps the sliding window. When the
 * table is full the stalest slot is reused.
 */
#include "core/ratelimit.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "lib/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SLOTS 16384
#define PROBE 16

/* 30 failed codes per address per 10 minutes, 1,000 for everyone (then slowed): a 79-bit
 * code space makes guessing hopeless at that rate (tests/api/test_identity.py computes it). */
const struct ratelimit_rule RL_VOTING_CODE = {"code", 30, 1000, 600};
const struct ratelimit_rule RL_STAFF_LOGIN = {"login", 10, 500, 900};
const struct ratelimit_rule RL_REGISTER = {"register", 10, 1000, 600};
const struct ratelimit_rule RL_OTP = {"otp", 10, 1000, 600};
/* codes sent to one phone or e-mail address (keyed by its hash), whoever asks and from
 * wherever: each costs money and lands on someone's phone; never given back */
const struct ratelimit_rule RL_OTP_SEND = {"otp-send", 3, 1 << 30, 900};
/* staff confirming their authenticator: apart from citizens' one-time codes at the same address */
const struct ratelimit_rule RL_TOTP = {"totp", 10, 500, 900};

struct slot {
    uint64_t key;
    int64_t window;  /* index of the current window */
    int cur, prev;
};

struct ratelimit {
    pthread_mutex_t lock; /* shared by the serving processes */
    struct slot slots[SLOTS];
    unsigned char salt[16];
    int code_global;
};

struct ratelimit *ratelimit_new(int code_global)
{
    /* A shared mapping made before the serving processes are forked: they all count into
     * the same table, so more processes do not mean more guesses. */
    struct ratelimit *rl = mmap(NULL, sizeof *rl, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (rl == MAP_FAILED)
        die("cannot map the rate limit table");
    crypto_random(rl->salt, sizeof rl->salt); /* keys cannot be aimed at one slot */
    rl->code_global = code_global;
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (pthread_mutex_init(&rl->lock, &a) != 0)
        die("cannot make the rate limit lock");
    pthread_mutexattr_destroy(&a);
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    munmap(rl, sizeof *rl);
}

/* A process killed while holding the lock leaves it to the next taker, whose counts may
 * miss that one update: harmless for a limit. */
static void lock(struct ratelimit *rl)
{
    if (pthread_mutex_lock(&rl->lock) == EOWNERDEAD)
        pthread_mutex_consistent(&rl->lock);
}

static uint64_t key_of(const struct ratelimit *rl, const char *kind, const char *client)
{
    char buf[160];
    int n = snprintf(buf, sizeof buf, "%s|%s", kind, client);
    unsigned char h[CRYPTO_SHA256_LEN];
    crypto_hmac_sha256(rl->salt, sizeof rl->salt, buf, (size_t)n, h);
    uint64_t k;
    memcpy(&k, h, sizeof k);
    return k ? k : 1;
}

static struct slot *find(struct ratelimit *rl, uint64_t key, bool create, int64_t window)
{
    size_t at = (size_t)(key % SLOTS), stalest = at;
    for (size_t i = 0; i < PROBE; i++) {
        struct slot *s = &rl->slots[(at + i) % SLOTS];
        if (s->key == key)
            return s;
        if (s->window < rl->slots[stalest].window)
            stalest = (at + i) % SLOTS;
    }
    if (!create)
        return NULL;
    struct slot *s = &rl->slots[stalest];
    s->key = key;
    s->window = window;
    s->cur = s->prev = 0;
    return s;
}

static void roll(struct slot *s, int64_t window)
{
    if (window == s->window)
        return;
    s->prev = window == s->window + 1 ? s->cur : 0;
    s->cur = 0;
    s->window = window;
}

static int estimate(const struct slot *s, int64_t now_s, int window_s)
{
    double into = (double)(now_s % window_s) / window_s;
    return s->cur + (int)((double)s->prev * (1.0 - into));
}

/* The seconds until the window ends (for Retry-After). */
static int window_left(int64_t now_s, int window_s)
{
    int wait = (int)(window_s - now_s % window_s);
    return wait > 0 ? wait : 1;
}

static struct slot *counter(struct ratelimit *rl, const char *kind, const char *client, bool create,
                            int64_t now_s, int window_s)
{
    int64_t window = now_s / window_s;
    struct slot *s = find(rl, key_of(rl, kind, client), create, window);
    if (s)
        roll(s, window);
    return s;
}

static int global_of(const struct ratelimit *rl, const struct ratelimit_rule *rule)
{
    return rule == &RL_VOTING_CODE && rl->code_global > 0 ? rl->code_global : rule->global;
}

int ratelimit_take(struct ratelimit *rl, const struct ratelimit_rule *rule, const char *client, int64_t now_s,
                   bool *slow)
{
    char key[NETADDR_STRLEN + 4];
    netaddr_limit_key(client, key);
    *slow = false;
    lock(rl);
    struct slot *mine = counter(rl, rule->kind, key, true, now_s, rule->window_s);
    if (estimate(mine, now_s, rule->window_s) >= rule->per_client) {
        pthread_mutex_unlock(&rl->lock);
        return window_left(now_s, rule->window_s);
    }
    mine->cur++;
    struct slot *all = counter(rl, rule->kind, "*", true, now_s, rule->window_s);
    *slow = estimate(all, now_s, rule->window_s) >= global_of(rl, rule);
    all->cur++;
    pthread_mutex_unlock(&rl->lock);
    return 0;
}

int ratelimit_count(struct ratelimit *rl, const struct ratelimit_rule *rule, const char *client, int64_t now_s)
{
    char key[NETADDR_STRLEN + 4];
    netaddr_limit_key(client, key);
    lock(rl);
    struct slot *s = counter(rl, rule->kind, key, false, now_s, rule->window_s);
    int n = s ? estimate(s, now_s, rule->window_s) : 0;
    pthread_mutex_unlock(&rl->lock);
    return n;
}

void ratelimit_giveback(struct ratelimit *rl, const struct ratelimit_rule *rule, const char *client, int64_t now_s)
{
    char key[NETADDR_STRLEN + 4];
    netaddr_limit_key(client, key);
    const char *keys[2] = {key, "*"};
    lock(rl);
    for (int i = 0; i < 2; i++) {
        struct slot *s = counter(rl, rule->kind, keys[i], false, now_s, rule->window_s);
        if (s && s->cur > 0)
            s->cur--;
        else if (s && s->prev > 0)
            s->prev--;
    }
    pthread_mutex_unlock(&rl->lock);
}
