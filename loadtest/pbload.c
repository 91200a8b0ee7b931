/*
 * pbload: plays many voters against a running Borgerbudget server, as on the last day of
 * a city-wide vote. Each virtual voter fetches the election and its proposals, signs in
 * with a voting code, casts a valid random ballot of the election's type, sometimes
 * replaces it and sometimes reads the turnout. Prints throughput, latency percentiles and
 * errors, and checks that the server counts exactly as many new ballots as voters got a
 * 200 for.
 *
 * A request answered 503, or whose connection broke, is sent again as a browser would
 * (after Retry-After, at most 2 s), for up to --retry-for seconds; a ballot is sent again
 * with the same body and Idempotency-Key. So through a database failover every voter ends
 * with a definite answer and the count can still be checked exactly; the longest time with
 * no ballot acknowledged is the failover time voters saw. A ballot left without a definite
 * answer is "in doubt" and fails the check.
 *
 *   pbload --url http://127.0.0.1:8080 --election ID --admin-email E --admin-password P
 *          [--voters 1000] [--concurrency 32] [--duration 60] [--replace 20] [--reads 10]
 *          [--retry-for 60] [--trackers FILE]
 *
 * --trackers writes "epoch-seconds tracker" for the last acknowledged ballot of each voter.
 * Codes are made through the API with the admin account before the clock starts.
 */
#include "lib/util.h"

#include <cjson/cJSON.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <getopt.h>
#include <math.h>
#include <sys/random.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum step { S_ELECTION, S_PROPOSALS, S_LOGIN, S_CHOOSE, S_CAST, S_RECAST, S_READ, S_DONE };
static const char *const step_names[] = {"election", "proposals", "login", "choose", "cast", "recast", "read"};
#define NSTEPS 7
#define MAX_FRAMES 8 /* the server's VOTER_MAX_FRAMES */

struct proposal {
    int64_t id, district, cost;
};

/* A frame's ballot: its group's own, else the election's. */
struct ballot_kind {
    char type[16];
    int64_t max_sel, points, max_pp, max_ranks;
};

struct run {
    struct event_base *base;
    char host[128];
    int port;
    int64_t election;
    struct proposal *props;
    size_t nprops;
    struct {
        int64_t id, budget, group; /* group 0: ungrouped */
        bool chooses;              /* voters choose their district in its group */
        struct ballot_kind ballot;
    } districts[64];
    size_t ndistricts;
    char **codes;
    size_t ncodes, next_code;
    int replace_pct, read_pct;
    double deadline;
    /* results */
    double *lat[NSTEPS];
    size_t nlat[NSTEPS], caplat[NSTEPS];
    long ok[NSTEPS], errors[NSTEPS], status_hist[NSTEPS];
    long voters_acked; /* first ballots acknowledged: one per voter and frame */
    int active;
    double retry_for;
    long retries, in_doubt;
    double last_ballot_ok, ballot_gap_max, ballot_wait_max;
    FILE *trackers;
};

struct voter {
    struct run *run;
    struct evhttp_connection *conn;
    enum step step;
    char token[400];
    int64_t district;              /* the frame being voted in */
    int64_t frames[MAX_FRAMES];    /* every frame of the voter's, one ballot each */
    size_t nframes, at;
    int64_t choose;                /* a district to choose (0: none left to choose) */
    unsigned acked_frames;         /* bit i: frames[i] has a ballot acknowledged */
    double started;
    double first_sent; /* the step's first attempt: retries send it again until give-up */
    bool acked;
    char *body;        /* the step's request body, the same on every attempt */
    char idem_key[33]; /* a ballot's Idempotency-Key */
    char tracker[MAX_FRAMES][65]; /* the last acknowledged ballot's, per frame */
    double acked_at[MAX_FRAMES];  /* wall clock, for --trackers */
    struct event *retry_ev;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void record(struct run *run, enum step s, double ms, bool ok)
{
    if (run->nlat[s] == run->caplat[s]) {
        run->caplat[s] = run->caplat[s] ? run->caplat[s] * 2 : 1024;
        run->lat[s] = xreallocarray(run->lat[s], run->caplat[s], sizeof(double));
    }
    run->lat[s][run->nlat[s]++] = ms;
    if (ok)
        run->ok[s]++;
    else
        run->errors[s]++;
}

static void voter_next(struct voter *v);
static void voter_send(struct voter *v);

static char *body_of(struct evhttp_request *req)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t n = evbuffer_get_length(in);
    char *s = xmalloc(n + 1);
    evbuffer_remove(in, s, n);
    s[n] = '\0';
    return s;
}

static void send_req(struct voter *v, enum evhttp_cmd_type method, const char *uri, const char *json,
                     void (*cb)(struct evhttp_request *, void *));

static void read_ballot_kind(const cJSON *ballot, struct ballot_kind *k)
{
    const cJSON *x;
    memset(k, 0, sizeof *k);
    snprintf(k->type, sizeof k->type, "%s", cJSON_GetObjectItemCaseSensitive(ballot, "type")->valuestring);
    if ((x = cJSON_GetObjectItemCaseSensitive(ballot, "max_selections")))
        k->max_sel = (int64_t)x->valuedouble;
    if ((x = cJSON_GetObjectItemCaseSensitive(ballot, "points")))
        k->points = (int64_t)x->valuedouble;
    if ((x = cJSON_GetObjectItemCaseSensitive(ballot, "max_points_per_project")))
        k->max_pp = (int64_t)x->valuedouble;
    if ((x = cJSON_GetObjectItemCaseSensitive(ballot, "max_ranks")))
        k->max_ranks = (int64_t)x->valuedouble;
}

static char *ballot_json(struct voter *v)
{
    struct run *run = v->run;
    int64_t budget = 0;
    const struct ballot_kind *kind = &run->districts[0].ballot; /* the voter's frame's, found below */
    for (size_t i = 0; i < run->ndistricts; i++)
        if (run->districts[i].id == v->district) {
            budget = run->districts[i].budget;
            kind = &run->districts[i].ballot;
        }
    size_t n = 0;
    struct proposal *mine[512];
    for (size_t i = 0; i < run->nprops && n < 512; i++)
        if (run->props[i].district == v->district)
            mine[n++] = &run->props[i];
    for (size_t i = n; i > 1; i--) { /* shuffle */
        size_t j = (size_t)rand() % i;
        struct proposal *t = mine[i - 1];
        mine[i - 1] = mine[j];
        mine[j] = t;
    }
    struct buf b;
    buf_init(&b);
    int64_t spent = 0, left = kind->points;
    size_t want = n ? (size_t)(rand() % (int)n) + 1 : 0;
    if (kind->max_sel && want > (size_t)kind->max_sel)
        want = (size_t)kind->max_sel;
    if (!strcmp(kind->type, "ordinal") && kind->max_ranks && want > (size_t)kind->max_ranks)
        want = (size_t)kind->max_ranks;
    if (!strcmp(kind->type, "cumulative")) {
        buf_printf(&b, "{\"district_id\":%lld,\"points\":{", (long long)v->district);
        size_t k = 0;
        for (size_t i = 0; i < n && left > 0; i++) {
            int64_t p = 1 + rand() % (kind->max_pp ? kind->max_pp : 1);
            if (p > left)
                p = left;
            left -= p;
            buf_printf(&b, "%s\"%lld\":%lld", k++ ? "," : "", (long long)mine[i]->id, (long long)p);
        }
        buf_puts(&b, "}}");
    } else {
        buf_printf(&b, "{\"district_id\":%lld,\"%s\":[", (long long)v->district,
                   !strcmp(kind->type, "ordinal") ? "ranking" : "approvals");
        size_t k = 0;
        for (size_t i = 0; i < n && k < want; i++) {
            if (!strcmp(kind->type, "knapsack") && spent + mine[i]->cost > budget)
                continue;
            spent += mine[i]->cost;
            buf_printf(&b, "%s%lld", k++ ? "," : "", (long long)mine[i]->id);
        }
        buf_puts(&b, "]}");
    }
    return buf_steal(&b);
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void retry_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    voter_send(arg);
}

/* 503 and a broken connection mean "not now": the outcome of a ballot is unknown, and the
 * same request with the same Idempotency-Key settles it. */
static bool try_again(struct voter *v, struct evhttp_request *req, int code)
{
    struct run *run = v->run;
    if ((code != 0 && code != 503) || now() - v->first_sent > run->retry_for)
        return false;
    run->retries++;
    if (code == 0) { /* connection lost: a fresh one */
        evhttp_connection_free_on_completion(v->conn);
        v->conn = evhttp_connection_base_new(run->base, NULL, run->host, (unsigned short)run->port);
    }
    double wait = 0.25;
    const char *ra = req ? evhttp_find_header(evhttp_request_get_input_headers(req), "Retry-After") : NULL;
    int64_t secs;
    if (ra && parse_int64(ra, &secs) && secs >= 0)
        wait = secs > 2 ? 2.0 : secs == 0 ? 0.1 : (double)secs;
    wait *= 0.5 + (double)rand() / RAND_MAX; /* voters do not all come back at once */
    struct timeval tv = {(time_t)wait, (suseconds_t)((wait - (double)(time_t)wait) * 1e6)};
    evtimer_add(v->retry_ev, &tv);
    return true;
}

static void ballot_acked(struct voter *v, const char *body)
{
    struct run *run = v->run;
    double t = now();
    if (t - run->last_ballot_ok > run->ballot_gap_max)
        run->ballot_gap_max = t - run->last_ballot_ok;
    run->last_ballot_ok = t;
    if (t - v->first_sent > run->ballot_wait_max)
        run->ballot_wait_max = t - v->first_sent;
    cJSON *j = cJSON_Parse(body);
    const cJSON *tr = cJSON_GetObjectItemCaseSensitive(j, "tracker");
    if (cJSON_IsString(tr))
        snprintf(v->tracker[v->at], sizeof v->tracker[v->at], "%s", tr->valuestring);
    cJSON_Delete(j);
    v->acked_at[v->at] = wall_now();
    v->acked = true;
    if (!(v->acked_frames & (1u << v->at))) { /* the frame's first ballot: one more in the turnout */
        v->acked_frames |= 1u << v->at;
        run->voters_acked++;
    }
}

/* A session's answer (a sign-in or a choice of district): the token, the voter's frames,
 * and a district to choose where a group lets voters choose. False when unreadable. */
static bool session_read(struct voter *v, const char *body)
{
    cJSON *j = cJSON_Parse(body);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "token");
    const cJSON *ds = cJSON_GetObjectItemCaseSensitive(j, "districts");
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(j, "choices");
    bool ok = cJSON_IsString(t) && cJSON_IsArray(ds);
    if (ok) {
        snprintf(v->token, sizeof v->token, "%s", t->valuestring);
        v->nframes = 0;
        for (const cJSON *d = ds->child; d && v->nframes < MAX_FRAMES; d = d->next)
            v->frames[v->nframes++] = (int64_t)d->valuedouble;
        v->choose = 0;
        const cJSON *first = cJSON_GetArrayItem(choices, 0);
        const cJSON *among = cJSON_GetObjectItemCaseSensitive(first, "districts");
        int n = cJSON_GetArraySize(among);
        if (n > 0)
            v->choose = (int64_t)cJSON_GetArrayItem(among, rand() % n)->valuedouble;
        v->at = 0;
        v->district = v->nframes ? v->frames[0] : 0;
        ok = v->nframes > 0 || v->choose;
    }
    cJSON_Delete(j);
    return ok;
}

static void on_response(struct evhttp_request *req, void *arg)
{
    struct voter *v = arg;
    struct run *run = v->run;
    double ms = (now() - v->started) * 1000.0;
    int code = req ? evhttp_request_get_response_code(req) : 0;
    bool ok = code >= 200 && code < 300;
    record(run, v->step, ms, ok);
    if (!ok) {
        if (try_again(v, req, code))
            return;
        if (code == 0) { /* connection lost: start over with a fresh connection */
            evhttp_connection_free_on_completion(v->conn);
            v->conn = evhttp_connection_base_new(run->base, NULL, run->host, (unsigned short)run->port);
        }
        /* a ballot with no definite answer may or may not be stored */
        if ((v->step == S_CAST || v->step == S_RECAST) && (code == 0 || code >= 500))
            run->in_doubt++;
        v->step = S_DONE;
        voter_next(v);
        return;
    }
    char *body = body_of(req);
    switch (v->step) {
    case S_LOGIN:
    case S_CHOOSE:
        /* choose a district first where the voter is to choose; then a ballot per frame */
        v->step = !session_read(v, body) ? S_DONE : v->choose ? S_CHOOSE : S_CAST;
        break;
    case S_CAST:
        ballot_acked(v, body);
        if (v->at + 1 < v->nframes) { /* the next frame's ballot */
            v->district = v->frames[++v->at];
            break;
        }
        v->step = rand() % 100 < run->replace_pct ? S_RECAST : rand() % 100 < run->read_pct ? S_READ : S_DONE;
        break;
    case S_RECAST:
        ballot_acked(v, body);
        v->step = rand() % 100 < run->read_pct ? S_READ : S_DONE;
        break;
    default:
        v->step = v->step == S_ELECTION ? S_PROPOSALS : v->step == S_PROPOSALS ? S_LOGIN : S_DONE;
    }
    free(body);
    voter_next(v);
}

static void send_req(struct voter *v, enum evhttp_cmd_type method, const char *uri, const char *json,
                     void (*cb)(struct evhttp_request *, void *))
{
    struct evhttp_request *req = evhttp_request_new(cb, v);
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Host", v->run->host);
    if (v->token[0]) {
        char auth[440];
        snprintf(auth, sizeof auth, "Bearer %s", v->token);
        evhttp_add_header(h, "Authorization", auth);
    }
    if (json) {
        evhttp_add_header(h, "Content-Type", "application/json");
        evbuffer_add(evhttp_request_get_output_buffer(req), json, strlen(json));
    }
    if (method == EVHTTP_REQ_PUT && v->idem_key[0])
        evhttp_add_header(h, "Idempotency-Key", v->idem_key);
    v->started = now();
    evhttp_make_request(v->conn, req, method, uri);
}

/* A fresh key for a new ballot (kept for its retries). */
static void new_idem_key(struct voter *v)
{
    unsigned char raw[16];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        for (size_t i = 0; i < sizeof raw; i++)
            raw[i] = (unsigned char)rand();
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(v->idem_key + 2 * i, 3, "%02x", raw[i]);
}

static void voter_finish(struct voter *v)
{
    struct run *run = v->run;
    for (size_t i = 0; i < v->nframes && run->trackers; i++)
        if (v->acked && v->tracker[i][0])
            fprintf(run->trackers, "%.3f %s\n", v->acked_at[i], v->tracker[i]);
}

static void voter_next(struct voter *v)
{
    struct run *run = v->run;
    if (v->step == S_DONE) {
        voter_finish(v);
        if (now() > run->deadline || run->next_code >= run->ncodes) {
            evhttp_connection_free(v->conn);
            event_free(v->retry_ev);
            free(v->body);
            free(v);
            if (--run->active == 0)
                event_base_loopbreak(run->base);
            return;
        }
        v->step = S_ELECTION;
        v->token[0] = '\0';
        memset(v->tracker, 0, sizeof v->tracker);
        v->acked = false;
        v->acked_frames = 0;
        v->nframes = v->at = 0;
    }
    free(v->body);
    v->body = NULL;
    v->idem_key[0] = '\0';
    switch (v->step) {
    case S_LOGIN:
        if (run->next_code >= run->ncodes) { /* every code is in use: this voter stops */
            v->step = S_DONE;
            run->deadline = 0;
            voter_next(v);
            return;
        }
        v->body = xasprintf("{\"method\":\"code\",\"code\":\"%s\"}", run->codes[run->next_code++]);
        break;
    case S_CHOOSE:
        v->body = xasprintf("{\"district_id\":%lld}", (long long)v->choose);
        break;
    case S_CAST:
    case S_RECAST:
        v->body = ballot_json(v);
        new_idem_key(v);
        break;
    default:
        break;
    }
    v->first_sent = now();
    voter_send(v);
}

/* Sends the voter's current step (again, on a retry: the same body and key). */
static void voter_send(struct voter *v)
{
    struct run *run = v->run;
    char uri[256];
    switch (v->step) {
    case S_ELECTION:
        snprintf(uri, sizeof uri, "/api/v1/elections/%lld", (long long)run->election);
        send_req(v, EVHTTP_REQ_GET, uri, NULL, on_response);
        break;
    case S_PROPOSALS:
        snprintf(uri, sizeof uri, "/api/v1/elections/%lld/proposals", (long long)run->election);
        send_req(v, EVHTTP_REQ_GET, uri, NULL, on_response);
        break;
    case S_LOGIN:
        snprintf(uri, sizeof uri, "/api/v1/elections/%lld/voter-sessions", (long long)run->election);
        send_req(v, EVHTTP_REQ_POST, uri, v->body, on_response);
        break;
    case S_CHOOSE:
        snprintf(uri, sizeof uri, "/api/v1/elections/%lld/district-choice", (long long)run->election);
        send_req(v, EVHTTP_REQ_POST, uri, v->body, on_response);
        break;
    case S_CAST:
    case S_RECAST:
        snprintf(uri, sizeof uri, "/api/v1/elections/%lld/ballot", (long long)run->election);
        send_req(v, EVHTTP_REQ_PUT, uri, v->body, on_response);
        break;
    case S_READ:
        snprintf(uri, sizeof uri, "/api/v1/elections/%lld/turnout", (long long)run->election);
        send_req(v, EVHTTP_REQ_GET, uri, NULL, on_response);
        break;
    case S_DONE:
        break;
    }
}

/* --- set-up through the API, synchronously (before the clock starts) --- */

/* How many districts of district i's group a code names from (0 where voters choose);
 * with k, the index of district i among them. */
static size_t assigned_in_group(const struct run *run, size_t i, size_t *k)
{
    size_t n = 0;
    for (size_t j = 0; j < run->ndistricts; j++)
        if (run->districts[j].group == run->districts[i].group && !run->districts[j].chooses) {
            if (j == i && k)
                *k = n;
            n++;
        }
    return n;
}

/* The districts the codes of combination c name, as a JSON list's items: the c-th (cycling)
 * of each group of several, or the first district when no group has several. */
static void code_districts(const struct run *run, size_t c, char *out, size_t len)
{
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < run->ndistricts; i++) {
        size_t k = 0, n = assigned_in_group(run, i, &k);
        if (n > 1 && k == c % n)
            at += (size_t)snprintf(out + at, len - at, "%s%lld", at ? "," : "", (long long)run->districts[i].id);
    }
    for (size_t i = 0; !at && i < run->ndistricts; i++) /* none to pick: a district voters do not choose */
        if (!run->districts[i].chooses)
            at += (size_t)snprintf(out, len, "%lld", (long long)run->districts[i].id);
    if (!at)
        snprintf(out, len, "%lld", (long long)run->districts[0].id);
}

struct sync_ctx {
    char *body;
    int code;
    struct event_base *base;
};

static void sync_cb(struct evhttp_request *req, void *arg)
{
    struct sync_ctx *c = arg;
    c->code = req ? evhttp_request_get_response_code(req) : 0;
    c->body = req ? body_of(req) : xstrdup("");
    event_base_loopbreak(c->base);
}

static cJSON *sync_call(struct run *run, enum evhttp_cmd_type m, const char *uri, const char *json, const char *token)
{
    struct evhttp_connection *conn = evhttp_connection_base_new(run->base, NULL, run->host, (unsigned short)run->port);
    struct sync_ctx c = {NULL, 0, run->base};
    struct evhttp_request *req = evhttp_request_new(sync_cb, &c);
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Host", run->host);
    if (token) {
        char auth[160];
        snprintf(auth, sizeof auth, "Bearer %s", token);
        evhttp_add_header(h, "Authorization", auth);
    }
    if (json) {
        evhttp_add_header(h, "Content-Type", "application/json");
        evbuffer_add(evhttp_request_get_output_buffer(req), json, strlen(json));
    }
    evhttp_make_request(conn, req, m, uri);
    event_base_dispatch(run->base);
    evhttp_connection_free(conn);
    cJSON *j = c.code >= 200 && c.code < 300 ? cJSON_Parse(c.body) : NULL;
    if (!j)
        fprintf(stderr, "pbload: %s -> %d %s\n", uri, c.code, c.body ? c.body : "");
    free(c.body);
    return j;
}

static int64_t turnout_total(struct run *run)
{
    char uri[128];
    snprintf(uri, sizeof uri, "/api/v1/elections/%lld/turnout", (long long)run->election);
    cJSON *t = sync_call(run, EVHTTP_REQ_GET, uri, NULL, NULL);
    int64_t n = t ? (int64_t)cJSON_GetObjectItemCaseSensitive(t, "total")->valuedouble : -1;
    cJSON_Delete(t);
    return n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
    if (!n)
        return 0;
    size_t i = (size_t)ceil(p / 100.0 * (double)n) - 1;
    return v[i < n ? i : n - 1];
}

int main(int argc, char **argv)
{
    const char *url = "http://127.0.0.1:8080", *email = NULL, *password = NULL;
    long voters = 1000, concurrency = 32, duration = 60;
    struct run run;
    memset(&run, 0, sizeof run);
    run.replace_pct = 20;
    run.read_pct = 10;
    static const struct option opts[] = {
        {"url", required_argument, NULL, 'u'}, {"election", required_argument, NULL, 'e'},
        {"admin-email", required_argument, NULL, 'a'}, {"admin-password", required_argument, NULL, 'p'},
        {"voters", required_argument, NULL, 'n'}, {"concurrency", required_argument, NULL, 'c'},
        {"duration", required_argument, NULL, 'd'}, {"replace", required_argument, NULL, 'r'},
        {"reads", required_argument, NULL, 'R'}, {"retry-for", required_argument, NULL, 'T'},
        {"trackers", required_argument, NULL, 't'}, {NULL, 0, NULL, 0}};
    const char *trackers_path = NULL;
    run.retry_for = 60;
    int ch;
    int64_t num = 0;
    bool bad = false;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (strchr("encdrRT", ch) && (!parse_int64(optarg, &num) || num < 0 || num > 100000000)) {
            bad = true;
            continue;
        }
        switch (ch) {
        case 'u': url = optarg; break;
        case 'e': run.election = num; break;
        case 'a': email = optarg; break;
        case 'p': password = optarg; break;
        case 'n': voters = (long)num; break;
        case 'c': concurrency = (long)num; break;
        case 'd': duration = (long)num; break;
        case 'r': run.replace_pct = (int)num; break;
        case 'R': run.read_pct = (int)num; break;
        case 'T': run.retry_for = (double)num; break;
        case 't': trackers_path = optarg; break;
        default:
            fprintf(stderr, "usage: pbload --url URL --election ID --admin-email E --admin-password P "
                            "[--voters N] [--concurrency C] [--duration S] [--replace PCT] [--reads PCT] "
                            "[--retry-for S] [--trackers FILE]\n");
            return 2;
        }
    }
    if (bad || !run.election || !email || !password || voters < 1 || concurrency < 1) {
        fprintf(stderr, "pbload: --election, --admin-email and --admin-password are required\n");
        return 2;
    }
    if (sscanf(url, "http://%127[^:/]:%d", run.host, &run.port) != 2) {
        fprintf(stderr, "pbload: --url must be http://HOST:PORT\n");
        return 2;
    }
    if (trackers_path && !(run.trackers = fopen(trackers_path, "w"))) {
        fprintf(stderr, "pbload: cannot write %s\n", trackers_path);
        return 2;
    }
    srand((unsigned)time(NULL));
    run.base = event_base_new();

    char body[512], uri[160];
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    cJSON *login = sync_call(&run, EVHTTP_REQ_POST, "/api/v1/staff/login", body, NULL);
    if (!login)
        return 1;
    char *admin = xstrdup(cJSON_GetObjectItemCaseSensitive(login, "token")->valuestring);
    cJSON_Delete(login);
    snprintf(uri, sizeof uri, "/api/v1/elections/%lld", (long long)run.election);
    cJSON *e = sync_call(&run, EVHTTP_REQ_GET, uri, NULL, NULL);
    if (!e)
        return 1;
    const cJSON *ballot = cJSON_GetObjectItemCaseSensitive(e, "ballot");
    for (const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "districts")->child; d && run.ndistricts < 64; d = d->next) {
        run.districts[run.ndistricts].id = (int64_t)cJSON_GetObjectItemCaseSensitive(d, "id")->valuedouble;
        run.districts[run.ndistricts].budget = (int64_t)cJSON_GetObjectItemCaseSensitive(d, "budget")->valuedouble;
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(d, "group_id");
        run.districts[run.ndistricts].group = cJSON_IsNumber(g) ? (int64_t)g->valuedouble : 0;
        const cJSON *own = NULL;
        for (const cJSON *gr = cJSON_GetObjectItemCaseSensitive(e, "district_groups") ?
                                   cJSON_GetObjectItemCaseSensitive(e, "district_groups")->child : NULL;
             gr; gr = gr->next)
            if (cJSON_IsNumber(g) && (int64_t)cJSON_GetObjectItemCaseSensitive(gr, "id")->valuedouble == (int64_t)g->valuedouble) {
                run.districts[run.ndistricts].chooses = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(gr, "voter_chooses"));
                own = cJSON_GetObjectItemCaseSensitive(gr, "ballot");
            }
        read_ballot_kind(cJSON_IsObject(own) ? own : ballot, &run.districts[run.ndistricts].ballot);
        run.ndistricts++;
    }
    cJSON_Delete(e);
    snprintf(uri, sizeof uri, "/api/v1/elections/%lld/proposals", (long long)run.election);
    cJSON *ps = sync_call(&run, EVHTTP_REQ_GET, uri, NULL, NULL);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(ps, "proposals");
    run.nprops = (size_t)cJSON_GetArraySize(list);
    run.props = xcalloc(run.nprops, sizeof *run.props);
    size_t k = 0;
    for (const cJSON *p = list ? list->child : NULL; p; p = p->next, k++) {
        run.props[k].id = (int64_t)cJSON_GetObjectItemCaseSensitive(p, "id")->valuedouble;
        run.props[k].district = (int64_t)cJSON_GetObjectItemCaseSensitive(p, "district_id")->valuedouble;
        run.props[k].cost = (int64_t)cJSON_GetObjectItemCaseSensitive(p, "cost")->valuedouble;
    }
    cJSON_Delete(ps);
    /* codes, spread over the districts: a code names one district of each group that has
     * several (a group of one, such as a city-wide budget, comes with every code; where
     * voters choose, they choose after signing in) */
    run.codes = xcalloc((size_t)voters, sizeof(char *));
    size_t ncombos = 1;
    for (size_t i = 0; i < run.ndistricts; i++)
        if (assigned_in_group(&run, i, NULL) > 1 && assigned_in_group(&run, i, NULL) > ncombos)
            ncombos = assigned_in_group(&run, i, NULL);
    for (size_t c = 0; c < ncombos && run.ncodes < (size_t)voters; c++) {
        char ids[400];
        code_districts(&run, c, ids, sizeof ids);
        long share = (voters - (long)run.ncodes) / (long)(ncombos - c);
        while (share > 0) {
            long batch = share > 20000 ? 20000 : share;
            snprintf(uri, sizeof uri, "/api/v1/elections/%lld/codes", (long long)run.election);
            snprintf(body, sizeof body, "{\"district_ids\":[%s],\"count\":%ld}", ids, batch);
            cJSON *cj = sync_call(&run, EVHTTP_REQ_POST, uri, body, admin);
            if (!cj)
                return 1;
            for (const cJSON *code = cJSON_GetObjectItemCaseSensitive(cj, "codes")->child; code; code = code->next)
                run.codes[run.ncodes++] = xstrdup(code->valuestring);
            cJSON_Delete(cj);
            share -= batch;
        }
    }
    for (size_t i = run.ncodes; i > 1; i--) { /* voters arrive in random order */
        size_t j = (size_t)rand() % i;
        char *t = run.codes[i - 1];
        run.codes[i - 1] = run.codes[j];
        run.codes[j] = t;
    }
    int64_t before = turnout_total(&run);

    printf("pbload: load starts\n");
    fflush(stdout);
    double t0 = now();
    run.deadline = t0 + (double)duration;
    run.last_ballot_ok = t0;
    for (long i = 0; i < concurrency; i++) {
        struct voter *v = xcalloc(1, sizeof *v);
        v->run = &run;
        v->retry_ev = evtimer_new(run.base, retry_cb, v);
        v->conn = evhttp_connection_base_new(run.base, NULL, run.host, (unsigned short)run.port);
        v->step = S_ELECTION;
        run.active++;
        voter_next(v);
    }
    event_base_dispatch(run.base);
    double elapsed = now() - t0;
    if (run.trackers)
        fclose(run.trackers);
    /* The turnout may come from a read replica a moment behind: give it a few seconds. */
    int64_t after = turnout_total(&run);
    for (int i = 0; i < 50 && after - before != run.voters_acked; i++) {
        struct timespec pause = {0, 100000000};
        nanosleep(&pause, NULL);
        after = turnout_total(&run);
    }

    long total_ok = 0, total_err = 0;
    double cast_p50 = 0, cast_p99 = 0;
    printf("pbload: %ld voters, concurrency %ld, %.2f s\n", (long)run.next_code, concurrency, elapsed);
    printf("%-10s %8s %8s %9s %8s %8s %8s %8s\n", "request", "ok", "errors", "per s", "p50 ms", "p90 ms", "p99 ms", "max ms");
    for (int s = 0; s < NSTEPS; s++) {
        qsort(run.lat[s], run.nlat[s], sizeof(double), cmp_double);
        printf("%-10s %8ld %8ld %9.1f %8.2f %8.2f %8.2f %8.2f\n", step_names[s], run.ok[s], run.errors[s],
               (double)run.ok[s] / elapsed, pct(run.lat[s], run.nlat[s], 50), pct(run.lat[s], run.nlat[s], 90),
               pct(run.lat[s], run.nlat[s], 99), run.nlat[s] ? run.lat[s][run.nlat[s] - 1] : 0);
        if (s == S_CAST) {
            cast_p50 = pct(run.lat[s], run.nlat[s], 50);
            cast_p99 = pct(run.lat[s], run.nlat[s], 99);
        }
        total_ok += run.ok[s];
        total_err += run.errors[s];
        free(run.lat[s]);
    }
    double ballots_s = (double)(run.ok[S_CAST] + run.ok[S_RECAST]) / elapsed;
    printf("requests %ld ok, %ld errors; ballots (cast + replaced) %.1f per second\n", total_ok, total_err, ballots_s);
    long counted = (long)(after - before);
    bool exact = counted == run.voters_acked && run.in_doubt == 0;
    printf("check: server counts %ld new ballots, first ballots answered 200 (per voter and frame): %ld, "
           "ballots in doubt: %ld -> %s\n", counted,
           run.voters_acked, run.in_doubt, exact ? "EXACT" : "MISMATCH");
    if (run.retries)
        printf("retried %ld requests (503 or connection lost); longest wait for a ballot's 200 %.2f s, "
               "longest time with no ballot acknowledged %.2f s\n",
               run.retries, run.ballot_wait_max, run.ballot_gap_max);
    printf("PBLOAD ballots_per_s=%.1f requests_per_s=%.1f cast_p50_ms=%.2f cast_p99_ms=%.2f errors=%ld counted=%ld acked=%ld "
           "in_doubt=%ld retries=%ld ballot_wait_max_s=%.3f ballot_gap_max_s=%.3f\n",
           ballots_s, (double)total_ok / elapsed, cast_p50, cast_p99, total_err, counted, run.voters_acked, run.in_doubt,
           run.retries, run.ballot_wait_max, run.ballot_gap_max);
    for (size_t i = 0; i < run.ncodes; i++)
        free(run.codes[i]);
    free(run.codes);
    free(run.props);
    free(admin);
    event_base_free(run.base);
    /* Answers that were retried to success are no failure; any other error is. */
    return exact && total_err == run.retries ? 0 : 1;
}
