/*
 * pbelection: from pabulib tables to tally input.
 */
#include "lib/pbfile/pbelection.h"
#include "lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Project ids sorted for lookup: a million ballots name projects five million times. */
struct id_index {
    const char **ids;
    size_t *at;
    size_t n;
};

static int cmp_id_at(const void *a, const void *b, void *arg)
{
    const char *const *ids = arg;
    int c = strcmp(ids[*(const size_t *)a], ids[*(const size_t *)b]);
    return c ? c : (*(const size_t *)a > *(const size_t *)b) - (*(const size_t *)a < *(const size_t *)b);
}

/* Sorts the ids; returns the index of an id that appears twice, or SIZE_MAX. */
static size_t index_build(struct id_index *x, char **ids, size_t n)
{
    x->n = n;
    x->ids = (const char **)ids;
    x->at = xcalloc(n ? n : 1, sizeof *x->at);
    for (size_t i = 0; i < n; i++)
        x->at[i] = i;
    qsort_r(x->at, n, sizeof *x->at, cmp_id_at, (void *)x->ids);
    for (size_t i = 1; i < n; i++)
        if (strcmp(ids[x->at[i]], ids[x->at[i - 1]]) == 0)
            return x->at[i];
    return SIZE_MAX;
}

static int index_find(const struct id_index *x, const char *id)
{
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(x->ids[x->at[mid]], id);
        if (c == 0)
            return (int)x->at[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

void pb_election_free(struct pb_election *e)
{
    if (!e)
        return;
    free(e->ids);
    free(e->cost);
    free(e->file_support);
    free(e->official);
    free((void *)e->in.start);
    free((void *)e->in.items);
    free((void *)e->in.points);
    memset(e, 0, sizeof *e);
}

/* A comma-separated list; returns the count and fills a malloc'd array of pointers into
 * the (modified) copy. "None" (pabulib's missing value) and "" are empty lists. */
static size_t split_list(char *s, char ***out)
{
    size_t n = 0, cap = 8;
    char **v = xcalloc(cap, sizeof *v);
    if (*s && strcasecmp(s, "none") != 0) {
        for (char *p = s;;) {
            char *comma = strchr(p, ',');
            if (comma)
                *comma = '\0';
            if (n == cap) {
                cap *= 2;
                v = xreallocarray(v, cap, sizeof *v);
            }
            v[n++] = p;
            if (!comma)
                break;
            p = comma + 1;
        }
    }
    *out = v;
    return n;
}

#define MAX_DECIMALS 6

/* An amount as pabulib writes it: digits with a decimal point or a decimal comma. Copies
 * it with a point into buf and returns its significant decimals, or -1. */
static int amount_decimals(const char *s, char *buf, size_t len)
{
    size_t n = strlen(s);
    if (n == 0 || n >= len)
        return -1;
    int seps = 0, dec = 0, last = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = s[i];
        if (c == ',' || c == '.') {
            if (++seps > 1 || i == 0 || i + 1 == n)
                return -1;
            c = '.';
        } else if (c && (c < '0' || c > '9')) {
            return -1;
        } else if (c && seps) {
            dec++;
            if (c != '0')
                last = dec;
        }
        buf[i] = c;
    }
    return last;
}

static bool amount(const char *s, int decimals, int64_t *out)
{
    char buf[64];
    return amount_decimals(s, buf, sizeof buf) >= 0 && parse_money(buf, decimals, out) && *out >= 0;
}

/* Reads the budget and the costs in the smallest scale that holds them all exactly. */
static bool read_amounts(const struct pbfile *f, int c_id, int c_cost, struct pb_election *e, char *err, size_t errlen)
{
    const struct pb_table *pt = &f->projects;
    const char *budget = pbfile_meta(f, "budget");
    char buf[64];
    int d = amount_decimals(budget, buf, sizeof buf);
    if (d < 0 || d > MAX_DECIMALS) {
        snprintf(err, errlen, "META budget \"%s\" is not an amount (digits, one decimal point or comma, at most %d decimals)",
                 budget, MAX_DECIMALS);
        return false;
    }
    for (size_t i = 0; i < pt->nrows; i++) {
        int di = amount_decimals(pt->rows[i][c_cost], buf, sizeof buf);
        if (di < 0 || di > MAX_DECIMALS) {
            snprintf(err, errlen, "line %zu: project %s: cost \"%s\" is not an amount (digits, one decimal point or comma, at most %d decimals)",
                     pt->lines[i], pt->rows[i][c_id], pt->rows[i][c_cost], MAX_DECIMALS);
            return false;
        }
        d = di > d ? di : d;
    }
    if (d < 2)
        d = 2;
    e->scale = 1;
    for (int i = 0; i < d; i++)
        e->scale *= 10;
    if (!amount(budget, d, &e->in.budget)) {
        snprintf(err, errlen, "META budget \"%s\" is too large", budget);
        return false;
    }
    for (size_t i = 0; i < pt->nrows; i++)
        if (!amount(pt->rows[i][c_cost], d, &e->cost[i])) {
            snprintf(err, errlen, "line %zu: project %s: cost \"%s\" is too large", pt->lines[i], pt->rows[i][c_id],
                     pt->rows[i][c_cost]);
            return false;
        }
    return true;
}

/* Reads the ballots into e->in; false with a message naming the line. */
static bool read_votes(const struct pbfile *f, const struct id_index *idx, bool with_points, struct pb_election *e,
                       char *err, size_t errlen)
{
    const struct pb_table *vt = &f->votes;
    int c_vote = pb_table_col(vt, "vote"), c_points = pb_table_col(vt, "points");
    if (vt->nrows && c_vote < 0) {
        snprintf(err, errlen, "VOTES has no vote column");
        return false;
    }
    size_t nb = vt->nrows;
    size_t *start = xcalloc(nb + 1, sizeof *start);
    size_t cap = nb * 4 + 1, used = 0;
    uint32_t *items = xcalloc(cap, sizeof *items);
    int64_t *points = with_points ? xcalloc(cap, sizeof *points) : NULL;
    uint32_t *seen = xcalloc(e->nprojects ? e->nprojects : 1, sizeof *seen); /* ballot number + 1 */
    bool ok = true;
    for (size_t b = 0; ok && b < nb; b++) {
        char *vote = xstrdup(vt->rows[b][c_vote]);
        char *pts = with_points && c_points >= 0 ? xstrdup(vt->rows[b][c_points]) : NULL;
        char **ids, **ps = NULL;
        size_t n = split_list(vote, &ids), np = pts ? split_list(pts, &ps) : 0;
        size_t line = vt->lines[b];
        if (pts && np != n) {
            snprintf(err, errlen, "line %zu: %zu projects but %zu points", line, n, np);
            ok = false;
        }
        if (used + n >= cap) {
            cap = (used + n) * 2;
            items = xreallocarray(items, cap, sizeof *items);
            if (points)
                points = xreallocarray(points, cap, sizeof *points);
        }
        size_t m = 0;
        for (size_t k = 0; ok && k < n; k++) {
            int p = index_find(idx, ids[k]);
            if (p < 0) {
                snprintf(err, errlen, "line %zu: the vote names project %s, which is not in PROJECTS", line, ids[k]);
                ok = false;
                break;
            }
            if (seen[p] == b + 1) {
                if (e->in.kind == TALLY_APPROVAL)
                    continue; /* an approval is a set: a repeat adds nothing */
                snprintf(err, errlen, "line %zu: the vote names project %s twice", line, ids[k]);
                ok = false;
                break;
            }
            seen[p] = (uint32_t)(b + 1);
            items[used + m] = (uint32_t)p;
            if (points) {
                int64_t v = 1;
                if (pts && (!parse_int64(ps[k], &v) || v < 0)) {
                    snprintf(err, errlen, "line %zu: points \"%s\" are not a whole number >= 0", line, ps[k]);
                    ok = false;
                }
                points[used + m] = v;
            }
            m++;
        }
        free(ids);
        free(ps);
        free(vote);
        free(pts);
        used += m;
        start[b + 1] = used;
    }
    free(seen);
    e->in.nballots = nb;
    e->in.start = start;
    e->in.items = items;
    e->in.points = points;
    return ok;
}

bool pb_election_build(const struct pbfile *f, struct pb_election *e, char *err, size_t errlen)
{
    memset(e, 0, sizeof *e);
    const struct pb_table *pt = &f->projects;
    int c_id = pb_table_col(pt, "project_id"), c_cost = pb_table_col(pt, "cost");
    int c_score = pb_table_col(pt, "score"), c_votes = pb_table_col(pt, "votes");
    int c_sel = pb_table_col(pt, "selected");
    if (c_id < 0 || c_cost < 0 || !pbfile_meta(f, "budget")) {
        snprintf(err, errlen, "the file needs project_id and cost columns and a budget");
        return false;
    }
    e->nprojects = pt->nrows;
    e->ids = xcalloc(e->nprojects ? e->nprojects : 1, sizeof *e->ids);
    e->cost = xcalloc(e->nprojects ? e->nprojects : 1, sizeof *e->cost);
    e->file_support = xcalloc(e->nprojects ? e->nprojects : 1, sizeof *e->file_support);
    e->official = xcalloc(e->nprojects ? e->nprojects : 1, sizeof *e->official);
    e->has_selected = c_sel >= 0;
    for (size_t i = 0; i < e->nprojects; i++) {
        char **row = pt->rows[i];
        e->ids[i] = row[c_id];
        int64_t v = -1;
        int col = c_score >= 0 ? c_score : c_votes;
        if (col >= 0 && !parse_int64(row[col], &v))
            v = -1;
        e->file_support[i] = v;
        e->official[i] = c_sel >= 0 && strcmp(row[c_sel], "1") == 0;
    }
    struct id_index idx;
    size_t twice = index_build(&idx, e->ids, e->nprojects);
    if (twice != SIZE_MAX) {
        snprintf(err, errlen, "line %zu: project id %s appears twice", pt->lines[twice], e->ids[twice]);
        free(idx.at);
        pb_election_free(e);
        return false;
    }
    if (!read_amounts(f, c_id, c_cost, e, err, errlen)) {
        free(idx.at);
        pb_election_free(e);
        return false;
    }
    e->in.nprojects = e->nprojects;
    e->in.cost = e->cost;
    const char *vtype = pbfile_meta(f, "vote_type");
    if (!vtype)
        vtype = "approval";
    bool with_points = strcmp(vtype, "cumulative") == 0 || strcmp(vtype, "scoring") == 0;
    e->in.kind = strcmp(vtype, "ordinal") == 0 ? TALLY_ORDINAL
                 : with_points                ? TALLY_CUMULATIVE
                                              : TALLY_APPROVAL;
    if (strcmp(vtype, "approval") && strcmp(vtype, "choose-1") && strcmp(vtype, "ordinal") && !with_points) {
        snprintf(err, errlen, "unknown vote_type %s", vtype);
        free(idx.at);
        pb_election_free(e);
        return false;
    }
    bool ok = read_votes(f, &idx, with_points, e, err, errlen);
    free(idx.at);
    if (!ok) {
        pb_election_free(e);
        return false;
    }
    e->rule = pbfile_meta(f, "rule") ? pbfile_meta(f, "rule") : "";
    const char *thr = pbfile_meta(f, "min_project_score_threshold");
    if (thr && !parse_int64(thr, &e->min_score))
        e->min_score = 0;
    return true;
}
