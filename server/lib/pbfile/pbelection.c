/*
 * pbelection: from pabulib tables to tally input.
 */
#include "lib/pbfile/pbelection.h"
#include "lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int find_project(const struct pb_election *e, const char *id)
{
    for (size_t i = 0; i < e->nprojects; i++)
        if (strcmp(e->ids[i], id) == 0)
            return (int)i;
    return -1;
}

void pb_election_free(struct pb_election *e)
{
    if (!e)
        return;
    free(e->ids);
    free(e->cost);
    free(e->withdrawn);
    free(e->file_support);
    free(e->official);
    free((void *)e->in.start);
    free((void *)e->in.items);
    free((void *)e->in.points);
    memset(e, 0, sizeof *e);
}

/* A comma-separated list; returns the count and fills a malloc'd array of pointers into
 * the (modified) copy. */
static size_t split_list(char *s, char ***out)
{
    size_t n = 0, cap = 8;
    char **v = xcalloc(cap, sizeof *v);
    if (*s) {
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

bool pb_election_build(const struct pbfile *f, struct pb_election *e, char *err, size_t errlen)
{
    memset(e, 0, sizeof *e);
    const struct pb_table *pt = &f->projects, *vt = &f->votes;
    int c_id = pb_table_col(pt, "project_id"), c_cost = pb_table_col(pt, "cost");
    int c_score = pb_table_col(pt, "score"), c_votes = pb_table_col(pt, "votes");
    int c_sel = pb_table_col(pt, "selected");
    const char *budget = pbfile_meta(f, "budget");
    if (c_id < 0 || c_cost < 0 || !budget || !parse_money(budget, 2, &e->in.budget)) {
        snprintf(err, errlen, "the file needs project_id and cost columns and a budget");
        return false;
    }
    e->nprojects = pt->nrows;
    e->ids = xcalloc(e->nprojects, sizeof *e->ids);
    e->cost = xcalloc(e->nprojects, sizeof *e->cost);
    e->withdrawn = xcalloc(e->nprojects, sizeof *e->withdrawn);
    e->file_support = xcalloc(e->nprojects, sizeof *e->file_support);
    e->official = xcalloc(e->nprojects, sizeof *e->official);
    e->has_selected = c_sel >= 0;
    for (size_t i = 0; i < e->nprojects; i++) {
        char **row = pt->rows[i];
        e->ids[i] = row[c_id];
        if (!parse_money(row[c_cost], 2, &e->cost[i]) || e->cost[i] < 0) {
            snprintf(err, errlen, "project %s: invalid cost \"%s\"", row[c_id], row[c_cost]);
            pb_election_free(e);
            return false;
        }
        e->withdrawn[i] = e->cost[i] == (int64_t)PB_WITHDRAWN_COST * 100;
        int64_t v = -1;
        int col = c_score >= 0 ? c_score : c_votes;
        if (col >= 0 && !parse_int64(row[col], &v))
            v = -1;
        e->file_support[i] = v;
        e->official[i] = c_sel >= 0 && strcmp(row[c_sel], "1") == 0;
        if (find_project(e, e->ids[i]) != (int)i) {
            snprintf(err, errlen, "project id %s appears twice", e->ids[i]);
            pb_election_free(e);
            return false;
        }
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
        pb_election_free(e);
        return false;
    }
    int c_vote = pb_table_col(vt, "vote"), c_points = pb_table_col(vt, "points");
    if (vt->nrows && c_vote < 0) {
        snprintf(err, errlen, "VOTES has no vote column");
        pb_election_free(e);
        return false;
    }
    size_t nb = vt->nrows;
    size_t *start = xcalloc(nb + 1, sizeof *start);
    size_t cap = nb * 4 + 1, used = 0;
    uint32_t *items = xcalloc(cap, sizeof *items);
    int64_t *points = with_points ? xcalloc(cap, sizeof *points) : NULL;
    for (size_t b = 0; b < nb; b++) {
        char *vote = xstrdup(vt->rows[b][c_vote]);
        char *pts = with_points && c_points >= 0 ? xstrdup(vt->rows[b][c_points]) : NULL;
        char **ids, **ps = NULL;
        size_t n = split_list(vote, &ids), np = pts ? split_list(pts, &ps) : 0;
        bool ok = !pts || np == n;
        if (used + n >= cap) {
            cap = (used + n) * 2;
            items = xreallocarray(items, cap, sizeof *items);
            if (points)
                points = xreallocarray(points, cap, sizeof *points);
        }
        for (size_t k = 0; ok && k < n; k++) {
            int p = find_project(e, ids[k]);
            if (p < 0) {
                snprintf(err, errlen, "vote %s names unknown project %s", vt->rows[b][0], ids[k]);
                ok = false;
                break;
            }
            items[used + k] = (uint32_t)p;
            if (points) {
                int64_t v = 1;
                if (pts && (!parse_int64(ps[k], &v) || v < 0))
                    ok = false;
                points[used + k] = v;
            }
        }
        if (!ok && !err[0])
            snprintf(err, errlen, "vote %s: points do not match the projects", vt->rows[b][0]);
        free(ids);
        free(ps);
        free(vote);
        free(pts);
        if (!ok) {
            free(start);
            free(items);
            free(points);
            pb_election_free(e);
            return false;
        }
        used += n;
        start[b + 1] = used;
    }
    e->in.nballots = nb;
    e->in.start = start;
    e->in.items = items;
    e->in.points = points;
    e->rule = pbfile_meta(f, "rule") ? pbfile_meta(f, "rule") : "";
    const char *thr = pbfile_meta(f, "min_project_score_threshold");
    if (thr && !parse_int64(thr, &e->min_score))
        e->min_score = 0;
    return true;
}

bool pb_rule_options(const char *rule, struct tally_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->unit = 100;
    opt->utilities = UTIL_COST;
    if (strcmp(rule, "greedy") == 0 || strcmp(rule, "greedy-threshold") == 0 ||
        strcmp(rule, "greedy-exclusive") == 0) {
        opt->rule = RULE_GREEDY;
    } else if (strcmp(rule, "greedy-no-skip") == 0) {
        opt->rule = RULE_GREEDY;
        opt->greedy = GREEDY_NO_SKIP;
    } else if (strcmp(rule, "equalshares") == 0 || strcmp(rule, "equalshares/none") == 0) {
        opt->rule = RULE_EQUAL_SHARES;
    } else if (strcmp(rule, "equalshares/add1") == 0) {
        opt->rule = RULE_EQUAL_SHARES;
        opt->completion = COMPLETION_ADD1;
    } else if (strcmp(rule, "equalshares/add1-comparison") == 0) {
        opt->rule = RULE_EQUAL_SHARES;
        opt->completion = COMPLETION_ADD1_COMPARISON;
    } else if (strcmp(rule, "phragmen") == 0 || strcmp(rule, "seqphragmen") == 0) {
        opt->rule = RULE_PHRAGMEN;
    } else {
        return false;
    }
    return true;
}
