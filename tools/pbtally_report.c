/*
 * pbtally_report: what pbtally prints beyond the list of winners: --json for scripts,
 * --explain for observers (why each project won or lost), --compare (what differs
 * between two results).
 */
#include "pbcount.h"
#include "lib/util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

void pbtally_json(const struct pbcount *c, FILE *out)
{
    const struct tally_result *res = &c->res;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "rule", c->rule);
    cJSON *st = cJSON_AddObjectToObject(o, "settings");
    cJSON_AddStringToObject(st, "rule_from", c->rule_from);
    if (c->opt.rule == RULE_GREEDY) {
        cJSON_AddNumberToObject(st, "min_project_score_threshold", (double)c->opt.min_score);
        cJSON_AddStringToObject(st, "threshold_from", c->threshold_from ? c->threshold_from : "none");
        cJSON_AddNumberToObject(st, "meta_min_project_score_threshold", (double)c->e.min_score);
    }
    if (c->opt.rule == RULE_EQUAL_SHARES) {
        cJSON_AddStringToObject(st, "utilities", c->opt.utilities == UTIL_CARDINALITY ? "cardinality" : "cost");
        cJSON_AddNumberToObject(st, "add1_step", pbcount_money(c, c->opt.unit));
    }
    cJSON_AddNumberToObject(o, "budget", pbcount_money(c, c->e.in.budget));
    cJSON_AddNumberToObject(o, "spent", pbcount_money(c, res->spent));
    cJSON_AddNumberToObject(o, "ballots", (double)c->e.in.nballots);
    cJSON_AddNumberToObject(o, "seconds", c->seconds);
    if (c->opt.rule == RULE_EQUAL_SHARES) {
        cJSON_AddNumberToObject(o, "voter_budget", pbcount_money(c, res->voter_budget));
        cJSON_AddBoolToObject(o, "switched_to_greedy", res->used_greedy);
        cJSON_AddNumberToObject(o, "runs", (double)res->runs);
        cJSON_AddNumberToObject(o, "checks", (double)res->checks);
    }
    cJSON *sel = cJSON_AddArrayToObject(o, "selected");
    for (size_t i = 0; i < res->nselected; i++)
        cJSON_AddItemToArray(sel, cJSON_CreateString(c->e.ids[res->order[i]]));
    cJSON *ps = cJSON_AddArrayToObject(o, "projects");
    for (size_t i = 0; i < c->e.nprojects; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "id", c->e.ids[i]);
        cJSON_AddNumberToObject(p, "cost", pbcount_money(c, c->e.cost[i]));
        cJSON_AddNumberToObject(p, "score", (double)res->score[i]);
        cJSON_AddBoolToObject(p, "selected", res->selected[i]);
        if (res->price && res->selected[i] && res->price[i] > 0)
            cJSON_AddNumberToObject(p, "price_per_supporter", res->price[i] / (double)c->e.scale);
        cJSON_AddItemToArray(ps, p);
    }
    char *text = cJSON_Print(o);
    fputs(text, out);
    fputc('\n', out);
    cJSON_free(text);
    cJSON_Delete(o);
}

/* Greedy: each project in rank order, with the budget left when its turn came. */
static void explain_greedy(const struct pbcount *c, FILE *out)
{
    size_t m = c->e.nprojects;
    size_t *rank = xcalloc(m ? m : 1, sizeof *rank);
    tally_rank(&c->e.in, c->res.score, rank);
    int64_t left = c->e.in.budget;
    bool stopped = false;
    fprintf(out, "%5s  %-14s %10s %14s %14s  %s\n", "rank", "project", "score", "cost", "left before", "outcome");
    for (size_t i = 0; i < m; i++) {
        size_t p = rank[i];
        const char *why;
        char buf[96];
        if (c->res.selected[p]) {
            why = "funded";
        } else if (stopped) {
            why = "not reached: the count stopped (no-skip)";
        } else if (c->opt.min_score > 0 && c->res.score[p] < c->opt.min_score) {
            snprintf(buf, sizeof buf, "not funded: score below the threshold %lld", (long long)c->opt.min_score);
            why = buf;
        } else if (c->e.cost[p] > left) {
            snprintf(buf, sizeof buf, "not funded: costs more than the %.2f left", pbcount_money(c, left));
            why = buf;
            stopped = c->opt.greedy == GREEDY_NO_SKIP;
        } else {
            why = "not funded: excluded";
        }
        fprintf(out, "%5zu  %-14s %10lld %14.2f %14.2f  %s\n", i + 1, c->e.ids[p], (long long)c->res.score[p],
                pbcount_money(c, c->e.cost[p]), pbcount_money(c, left), why);
        if (c->res.selected[p])
            left -= c->e.cost[p];
    }
    free(rank);
}

/* Equal Shares: the winners in the order funded, with what each supporter paid; for the
 * others, what their supporters had left at the end against the cost. Replays the
 * payments per ballot from the per-voter budget. */
static void explain_equal_shares(const struct pbcount *c, FILE *out)
{
    const struct tally_input *in = &c->e.in;
    const struct tally_result *res = &c->res;
    size_t m = c->e.nprojects, nb = in->nballots;
    double b0 = c->opt.completion == COMPLETION_NONE ? (nb ? (double)in->budget / (double)nb : 0)
                                                     : (double)res->voter_budget;
    double *left = xcalloc(nb ? nb : 1, sizeof *left), *held = xcalloc(m ? m : 1, sizeof *held);
    for (size_t b = 0; b < nb; b++)
        left[b] = b0;
    fprintf(out, "per-voter budget %.2f; %zu ballots\n", b0 / (double)c->e.scale, nb);
    fprintf(out, "%5s  %-14s %10s %14s %18s\n", "round", "project", "votes", "cost", "paid per supporter");
    for (size_t i = 0; i < res->nselected; i++) {
        size_t p = res->order[i];
        double q = res->price[p];
        if (q <= 0 && in->cost[p] > 0) {
            fprintf(out, "%5s  %-14s %10lld %14.2f %18s\n", "fill", c->e.ids[p], (long long)res->score[p],
                    pbcount_money(c, in->cost[p]), "(greedy fill)");
            continue;
        }
        for (size_t b = 0; b < nb; b++)
            for (size_t k = in->start[b]; k < in->start[b + 1]; k++)
                if (in->items[k] == p)
                    left[b] = left[b] <= q ? 0 : left[b] - q;
        fprintf(out, "%5zu  %-14s %10lld %14.2f %18.2f\n", i + 1, c->e.ids[p], (long long)res->score[p],
                pbcount_money(c, in->cost[p]), q / (double)c->e.scale);
    }
    for (size_t b = 0; b < nb; b++)
        for (size_t k = in->start[b]; k < in->start[b + 1]; k++)
            held[in->items[k]] += left[b];
    fprintf(out, "not funded (what their supporters had left at the end, against the cost):\n");
    for (size_t p = 0; p < m; p++)
        if (!res->selected[p])
            fprintf(out, "       %-14s %10lld %14.2f   supporters hold %.2f\n", c->e.ids[p], (long long)res->score[p],
                    pbcount_money(c, in->cost[p]), held[p] / (double)c->e.scale);
    if (res->used_greedy)
        fprintf(out, "the comparison step preferred the greedy outcome, which is the result\n");
    free(left);
    free(held);
}

void pbtally_explain(const struct pbcount *c, FILE *out)
{
    fprintf(out, "%s: ", c->path);
    pbcount_settings(c, out);
    fprintf(out, "budget %.2f, spent %.2f, %zu of %zu projects funded\n", pbcount_money(c, c->e.in.budget),
            pbcount_money(c, c->res.spent), c->res.nselected, c->e.nprojects);
    if (c->opt.rule == RULE_EQUAL_SHARES && !c->res.used_greedy) {
        explain_equal_shares(c, out);
    } else if (c->opt.rule == RULE_PHRAGMEN) {
        fprintf(out, "%5s  %-14s %10s %14s\n", "round", "project", "votes", "cost");
        for (size_t i = 0; i < c->res.nselected; i++) {
            size_t p = c->res.order[i];
            fprintf(out, "%5zu  %-14s %10lld %14.2f\n", i + 1, c->e.ids[p], (long long)c->res.score[p],
                    pbcount_money(c, c->e.cost[p]));
        }
        fprintf(out, "the count stopped when the project with the lowest load did not fit what was left\n");
    } else {
        explain_greedy(c, out);
    }
}

int pbtally_compare(const struct pbcount *a, const struct pbcount *b, FILE *out)
{
    int differs = 0;
    fprintf(out, "A %s: ", a->path);
    pbcount_settings(a, out);
    fprintf(out, "B %s: ", b->path);
    pbcount_settings(b, out);
    for (size_t i = 0; i < a->e.nprojects; i++) {
        size_t j = 0;
        while (j < b->e.nprojects && strcmp(a->e.ids[i], b->e.ids[j]) != 0)
            j++;
        bool in_b = j < b->e.nprojects && b->res.selected[j];
        if (j == b->e.nprojects) {
            fprintf(out, "only in A: project %s (%s)\n", a->e.ids[i], a->res.selected[i] ? "funded" : "not funded");
            differs = 1;
        } else if (a->res.selected[i] != in_b) {
            fprintf(out, "%s %s: funded in %s only\n", in_b ? "+" : "-", a->e.ids[i], in_b ? "B" : "A");
            differs = 1;
        } else if (a->e.cost[i] * b->e.scale != b->e.cost[j] * a->e.scale || a->res.score[i] != b->res.score[j]) {
            fprintf(out, "  %s: cost %.2f / %.2f, score %lld / %lld\n", a->e.ids[i], pbcount_money(a, a->e.cost[i]),
                    pbcount_money(b, b->e.cost[j]), (long long)a->res.score[i], (long long)b->res.score[j]);
        }
    }
    for (size_t j = 0; j < b->e.nprojects; j++) {
        size_t i = 0;
        while (i < a->e.nprojects && strcmp(a->e.ids[i], b->e.ids[j]) != 0)
            i++;
        if (i == a->e.nprojects) {
            fprintf(out, "only in B: project %s (%s)\n", b->e.ids[j], b->res.selected[j] ? "funded" : "not funded");
            differs = 1;
        }
    }
    fprintf(out, "spent: A %.2f, B %.2f; funded: A %zu, B %zu\n", pbcount_money(a, a->res.spent),
            pbcount_money(b, b->res.spent), a->res.nselected, b->res.nselected);
    fprintf(out, differs ? "the results differ\n" : "the same projects are funded\n");
    return differs;
}
