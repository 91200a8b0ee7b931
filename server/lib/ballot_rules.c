/*
 * ballot_rules: validation of ballots. Money is compared in integer minor units and the
 * minimum spending share in parts per million, so no float decides whether a ballot counts.
 */
#include "lib/ballot_rules.h"
#include "lib/jsonv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BALLOT_ITEMS 1000
#define MAX_LIMIT 100000

static const char *const type_names[] = {"approval", "knapsack", "cumulative", "ordinal", NULL};

const char *ballot_type_name(enum ballot_type t)
{
    return type_names[t];
}

bool ballot_type_from_name(const char *name, enum ballot_type *out)
{
    for (int i = 0; name && type_names[i]; i++)
        if (strcmp(name, type_names[i]) == 0) {
            *out = (enum ballot_type)i;
            return true;
        }
    return false;
}

bool ballot_config_parse(const cJSON *ballot, struct ballot_config *out, struct verr *e)
{
    static const char *const keys[] = {"type", "min_selections", "max_selections",
                                       "min_spend_share", "points", "max_points_per_project",
                                       "max_ranks", "category_limits", NULL};
    memset(out, 0, sizeof *out);
    if (!jv_only_keys(ballot, keys, "ballot", e))
        return false;
    int type;
    int rc = jv_enum(ballot, "type", type_names, &type, e);
    if (rc <= 0) {
        if (rc == 0)
            verr_set(e, ERR_INVALID_FIELD, "ballot.type",
                     "\"ballot.type\" is required: approval, knapsack, cumulative or ordinal.");
        else
            snprintf(e->field, sizeof e->field, "ballot.type");
        return false;
    }
    out->type = (enum ballot_type)type;
    if (jv_int(ballot, "min_selections", 0, MAX_LIMIT, &out->min_selections, e) < 0 ||
        jv_int(ballot, "max_selections", 0, MAX_LIMIT, &out->max_selections, e) < 0 ||
        jv_int(ballot, "points", 1, 1000000, &out->points, e) < 0 ||
        jv_int(ballot, "max_points_per_project", 1, 1000000, &out->max_points_per_project, e) < 0 ||
        jv_int(ballot, "max_ranks", 1, MAX_LIMIT, &out->max_ranks, e) < 0)
        goto fail_field;
    double share = 0;
    if (jv_share(ballot, "min_spend_share", &share, e) < 0)
        goto fail_field;
    out->min_spend_ppm = llround(share * 1e6);
    const cJSON *limits = cJSON_GetObjectItemCaseSensitive(ballot, "category_limits");
    if (limits && !cJSON_IsNull(limits)) {
        static const char *const lkeys[] = {"category", "max_selections", "max_share", NULL};
        if (!cJSON_IsArray(limits) || cJSON_GetArraySize(limits) > BALLOT_MAX_CATEGORY_LIMITS) {
            verr_set(e, ERR_INVALID_FIELD, "ballot.category_limits",
                     "\"category_limits\" is a list of at most %d {\"category\", \"max_selections\", \"max_share\"}.",
                     BALLOT_MAX_CATEGORY_LIMITS);
            return false;
        }
        for (const cJSON *l = limits->child; l; l = l->next) {
            struct category_limit *cl = &out->category_limits[out->ncategory_limits];
            const char *cat = NULL;
            double maxshare = 0;
            int rs, rm;
            if (!jv_only_keys(l, lkeys, "ballot.category_limits", e) || jv_string(l, "category", 64, &cat, e) <= 0 ||
                (rs = jv_int(l, "max_selections", 0, MAX_LIMIT, &cl->max_selections, e)) < 0 ||
                (rm = jv_share(l, "max_share", &maxshare, e)) < 0 || (rs == 0 && rm == 0)) {
                verr_set(e, ERR_INVALID_FIELD, "ballot.category_limits",
                         "Each category limit names a \"category\" and \"max_selections\" and/or \"max_share\" (0 to 1).");
                return false;
            }
            snprintf(cl->category, sizeof cl->category, "%s", cat);
            cl->max_share_ppm = rm == 1 ? llround(maxshare * 1e6) : 0;
            if (rm == 1 && cl->max_share_ppm == 0)
                cl->max_share_ppm = -1; /* a share of 0: nothing from this category */
            out->ncategory_limits++;
        }
    }

    /* Said the way staff set them up in the page: the limit, not the field's name. */
    if (out->max_selections && out->min_selections > out->max_selections) {
        verr_set(e, ERR_INVALID_FIELD, "ballot.min_selections",
                 "The minimum number of choices (%lld) is more than the maximum (%lld).",
                 (long long)out->min_selections, (long long)out->max_selections);
        return false;
    }
    if (out->min_spend_ppm && out->type != BALLOT_KNAPSACK) {
        verr_set(e, ERR_INVALID_FIELD, "ballot.min_spend_share",
                 "A share of the budget to spend is only for knapsack ballots.");
        return false;
    }
    if ((out->points || out->max_points_per_project) && out->type != BALLOT_CUMULATIVE) {
        verr_set(e, ERR_INVALID_FIELD, out->points ? "ballot.points" : "ballot.max_points_per_project",
                 "Points to give are only for cumulative ballots.");
        return false;
    }
    if (out->max_ranks && out->type != BALLOT_ORDINAL) {
        verr_set(e, ERR_INVALID_FIELD, "ballot.max_ranks", "A number of ranks is only for ordinal ballots.");
        return false;
    }
    if (out->type == BALLOT_CUMULATIVE) {
        if (!out->points) {
            verr_set(e, ERR_INVALID_FIELD, "ballot.points",
                     "A cumulative ballot needs the number of points each voter gives.");
            return false;
        }
        if (!out->max_points_per_project || out->max_points_per_project > out->points)
            out->max_points_per_project = out->points;
    }
    if (out->type == BALLOT_ORDINAL && !out->max_ranks)
        out->max_ranks = out->max_selections ? out->max_selections : 0;
    return true;

fail_field : {
    char field[96];
    snprintf(field, sizeof field, "ballot.%.80s", e->field);
    snprintf(e->field, sizeof e->field, "%s", field);
    return false;
}
}

cJSON *ballot_config_to_json(const struct ballot_config *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", type_names[c->type]);
    if (c->min_selections)
        jv_add_int(o, "min_selections", c->min_selections);
    if (c->max_selections)
        jv_add_int(o, "max_selections", c->max_selections);
    if (c->min_spend_ppm)
        cJSON_AddNumberToObject(o, "min_spend_share", (double)c->min_spend_ppm / 1e6);
    if (c->points)
        jv_add_int(o, "points", c->points);
    if (c->max_points_per_project)
        jv_add_int(o, "max_points_per_project", c->max_points_per_project);
    if (c->max_ranks)
        jv_add_int(o, "max_ranks", c->max_ranks);
    if (c->ncategory_limits) {
        cJSON *arr = cJSON_AddArrayToObject(o, "category_limits");
        for (size_t i = 0; i < c->ncategory_limits; i++) {
            const struct category_limit *cl = &c->category_limits[i];
            cJSON *l = cJSON_CreateObject();
            cJSON_AddStringToObject(l, "category", cl->category);
            if (cl->max_selections)
                jv_add_int(l, "max_selections", cl->max_selections);
            if (cl->max_share_ppm)
                cJSON_AddNumberToObject(l, "max_share", cl->max_share_ppm < 0 ? 0 : (double)cl->max_share_ppm / 1e6);
            cJSON_AddItemToArray(arr, l);
        }
    }
    return o;
}

void ballot_free(struct ballot *b)
{
    if (!b)
        return;
    free(b->items);
    free(b->points);
    b->items = NULL;
    b->points = NULL;
    b->n = 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static bool rule_fail(struct verr *e, const char *rule, const char *field, const char *msg)
{
    verr_set(e, ERR_BALLOT_RULE, field, "%s", msg);
    snprintf(e->code, sizeof e->code, "%s", rule);
    return false;
}

static bool parse_id_list(const cJSON *arr, const char *key, struct ballot *out, struct verr *e)
{
    if (!cJSON_IsArray(arr)) {
        verr_set(e, ERR_INVALID_FIELD, key, "\"%s\" must be a list of proposal ids.", key);
        return false;
    }
    int n = cJSON_GetArraySize(arr);
    if (n > MAX_BALLOT_ITEMS) {
        verr_set(e, ERR_INVALID_FIELD, key, "\"%s\" lists too many proposals.", key);
        return false;
    }
    out->items = xcalloc((size_t)n, sizeof *out->items);
    out->n = 0;
    for (const cJSON *c = arr->child; c; c = c->next) {
        if (!jv_item_id(c, &out->items[out->n])) {
            verr_set(e, ERR_INVALID_FIELD, key, "\"%s\" must contain only proposal ids.", key);
            return false;
        }
        out->n++;
    }
    return true;
}

bool ballot_parse(const cJSON *body, const struct ballot_config *c, struct ballot *out,
                  struct verr *e)
{
    memset(out, 0, sizeof *out);
    const char *key = c->type == BALLOT_CUMULATIVE ? "points"
                      : c->type == BALLOT_ORDINAL  ? "ranking"
                                                   : "approvals";
    const char *const keys[] = {"district_id", key, NULL};
    if (!jv_only_keys(body, keys, NULL, e))
        return false;
    if (jv_id(body, "district_id", &out->district_id, e) < 0)
        return false;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, key);
    if (!v) {
        verr_set(e, ERR_INVALID_FIELD, key, "A %s ballot needs \"%s\".", type_names[c->type], key);
        return false;
    }
    if (c->type != BALLOT_CUMULATIVE) {
        if (!parse_id_list(v, key, out, e))
            goto fail;
        if (c->type != BALLOT_ORDINAL)
            qsort(out->items, out->n, sizeof *out->items, cmp_i64);
        return true;
    }
    if (!cJSON_IsObject(v)) {
        verr_set(e, ERR_INVALID_FIELD, key, "\"points\" must be an object of proposal id -> points.");
        return false;
    }
    int n = cJSON_GetArraySize(v);
    if (n > MAX_BALLOT_ITEMS) {
        verr_set(e, ERR_INVALID_FIELD, key, "\"points\" lists too many proposals.");
        return false;
    }
    struct {
        int64_t id, pts;
    } *pairs = xcalloc((size_t)n, sizeof *pairs);
    size_t m = 0;
    for (const cJSON *p = v->child; p; p = p->next) {
        int64_t id, pts;
        if (!parse_int64(p->string, &id) || id <= 0 || p->string[0] == '+' || p->string[0] == '0') {
            free(pairs);
            verr_set(e, ERR_INVALID_FIELD, key, "\"points\" keys must be proposal ids.");
            return false;
        }
        if (!jv_number_to_int64(p, 0, 1000000, &pts)) {
            free(pairs);
            verr_set(e, ERR_INVALID_FIELD, key, "Points must be whole numbers from 0.");
            return false;
        }
        if (pts == 0)
            continue; /* zero points is the same as not listing the proposal */
        pairs[m].id = id;
        pairs[m].pts = pts;
        m++;
    }
    qsort(pairs, m, sizeof *pairs, cmp_i64); /* id is the first member */
    out->items = xcalloc(m, sizeof *out->items);
    out->points = xcalloc(m, sizeof *out->points);
    for (size_t i = 0; i < m; i++) {
        out->items[i] = pairs[i].id;
        out->points[i] = pairs[i].pts;
    }
    out->n = m;
    free(pairs);
    return true;
fail:
    ballot_free(out);
    return false;
}

static const struct ballot_project *find_project(const struct ballot_project *p, size_t n,
                                                 int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (p[i].id == id)
            return &p[i];
    return NULL;
}

bool ballot_validate(const struct ballot *b, const struct ballot_config *c, int64_t budget,
                     const struct ballot_project *projects, size_t nprojects, struct verr *e)
{
    const char *key = c->type == BALLOT_CUMULATIVE ? "points"
                      : c->type == BALLOT_ORDINAL  ? "ranking"
                                                   : "approvals";
    __int128 spent = 0;
    int64_t points = 0;
    char msg[256];
    for (size_t i = 0; i < b->n; i++) {
        for (size_t j = 0; j < i; j++)
            if (b->items[j] == b->items[i]) {
                return rule_fail(e, "duplicate_proposal", key, "A proposal is chosen twice.");
            }
        const struct ballot_project *p = find_project(projects, nprojects, b->items[i]);
        if (!p || !p->accepted || p->district_id != b->district_id) {
            return rule_fail(e, "proposal_not_on_ballot", key,
                             "A chosen proposal is not on the ballot of this district (any more).");
        }
        spent += p->cost;
        if (c->type == BALLOT_CUMULATIVE) {
            if (b->points[i] > c->max_points_per_project) {
                snprintf(msg, sizeof msg, "At most %lld points may go to one proposal.",
                         (long long)c->max_points_per_project);
                return rule_fail(e, "max_points_per_project", key, msg);
            }
            points += b->points[i];
        }
    }
    for (size_t k = 0; k < c->ncategory_limits; k++) {
        const struct category_limit *cl = &c->category_limits[k];
        int64_t count = 0;
        __int128 cost = 0;
        for (size_t i = 0; i < b->n; i++) {
            const struct ballot_project *p = find_project(projects, nprojects, b->items[i]);
            if (p && p->category && strcmp(p->category, cl->category) == 0) {
                count++;
                cost += p->cost;
            }
        }
        if (cl->max_selections && count > cl->max_selections) {
            snprintf(msg, sizeof msg, "Choose at most %lld proposals in the category %s.",
                     (long long)cl->max_selections, cl->category);
            return rule_fail(e, "category_max_selections", key, msg);
        }
        if (cl->max_share_ppm && cost * 1000000 > (__int128)(cl->max_share_ppm < 0 ? 0 : cl->max_share_ppm) * budget) {
            snprintf(msg, sizeof msg, "At most %.1f%% of the budget may go to the category %s.",
                     cl->max_share_ppm < 0 ? 0.0 : (double)cl->max_share_ppm / 1e4, cl->category);
            return rule_fail(e, "category_max_share", key, msg);
        }
    }
    int64_t n = (int64_t)b->n;
    if (c->max_selections && n > c->max_selections) {
        snprintf(msg, sizeof msg, "Choose at most %lld proposals.", (long long)c->max_selections);
        return rule_fail(e, "max_selections", key, msg);
    }
    if (n < c->min_selections) {
        snprintf(msg, sizeof msg, "Choose at least %lld proposals.", (long long)c->min_selections);
        return rule_fail(e, "min_selections", key, msg);
    }
    switch (c->type) {
    case BALLOT_APPROVAL:
        break;
    case BALLOT_KNAPSACK:
        if (spent > budget) {
            /* no amount: this is minor units without a currency, which nobody reads right */
            snprintf(msg, sizeof msg, "The chosen proposals cost more than the district's budget.");
            return rule_fail(e, "budget_exceeded", key, msg);
        }
        if (spent * 1000000 < (__int128)c->min_spend_ppm * budget) {
            snprintf(msg, sizeof msg, "Spend at least %.1f%% of the budget.",
                     (double)c->min_spend_ppm / 1e4);
            return rule_fail(e, "min_spend_share", key, msg);
        }
        break;
    case BALLOT_CUMULATIVE:
        if (points > c->points) {
            snprintf(msg, sizeof msg, "Distribute at most %lld points.", (long long)c->points);
            return rule_fail(e, "points_exceeded", key, msg);
        }
        break;
    case BALLOT_ORDINAL:
        if (c->max_ranks && n > c->max_ranks) {
            snprintf(msg, sizeof msg, "Rank at most %lld proposals.", (long long)c->max_ranks);
            return rule_fail(e, "max_ranks", key, msg);
        }
        break;
    }
    return true;
}

char *ballot_canonical(const struct ballot *b)
{
    struct buf out;
    buf_init(&out);
    buf_printf(&out, "district=%lld;items=", (long long)b->district_id);
    for (size_t i = 0; i < b->n; i++) {
        buf_printf(&out, "%s%lld", i ? "," : "", (long long)b->items[i]);
        if (b->points)
            buf_printf(&out, ":%lld", (long long)b->points[i]);
    }
    return buf_steal(&out);
}

cJSON *ballot_to_json(const struct ballot *b, enum ballot_type t)
{
    cJSON *o = cJSON_CreateObject();
    jv_add_int(o, "district_id", b->district_id);
    if (t == BALLOT_CUMULATIVE) {
        cJSON *pts = cJSON_AddObjectToObject(o, "points");
        for (size_t i = 0; i < b->n; i++) {
            char key[24];
            snprintf(key, sizeof key, "%lld", (long long)b->items[i]);
            jv_add_int(pts, key, b->points ? b->points[i] : 1);
        }
    } else {
        cJSON *arr = cJSON_AddArrayToObject(o, t == BALLOT_ORDINAL ? "ranking" : "approvals");
        for (size_t i = 0; i < b->n; i++)
            cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)b->items[i]));
    }
    return o;
}
