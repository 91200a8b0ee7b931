/*
 * edata: loading an election for counting and export.
 */
#include "api/edata.h"
#include "core/db.h"
#include "core/reply.h"
#include "lib/jsonv.h"
#include "lib/log.h"

#include <stdlib.h>
#include <string.h>

static struct db_stmt sql_election = DB_STMT("edata.election", 1,
    "SELECT election_json(e)::text, encode(e.private_key_sealed, 'hex'), encode(e.public_key, 'hex'),"
    "       coalesce((SELECT jsonb_agg(jsonb_build_object('id', d.id, 'budget', d.budget, 'name', d.name,"
    "                  'rules', frame_rules(e.id, d.id),"
    "                  'projects', coalesce((SELECT jsonb_agg(jsonb_build_array(p.id, p.cost, p.title, p.category, coalesce(p.exclusive_group, 0))"
    "                                         ORDER BY p.id)"
    "                                 FROM proposals p WHERE p.district_id = d.id AND p.status = 'accepted'), '[]'))"
    "                  ORDER BY d.id) FROM districts d WHERE d.election_id = e.id), '[]')::text"
    "  FROM elections e WHERE e.id = $1");

static struct db_stmt sql_ballots = DB_STMT("edata.ballots", 1,
    "SELECT district_id, items, points FROM ballots WHERE election_id = $1"
    " ORDER BY district_id, tracker");

/* The edata is the first member of the request's state (edata.h). */
static struct edata *edata_of(struct req *r)
{
    PB_ASSERT(r->state && r->state_size >= sizeof(struct edata));
    return r->state;
}

void edata_release(struct edata *e)
{
    for (size_t i = 0; i < e->ndistricts; i++) {
        struct edistrict *d = &e->districts[i];
        for (size_t k = 0; k < d->nprojects; k++) {
            cJSON_Delete(d->projects[k].title);
            free(d->projects[k].category);
        }
        free(d->projects);
        cJSON_Delete(d->name);
        cJSON_Delete(d->rule_params);
        free(d->start);
        free(d->items);
        free(d->points);
    }
    free(e->districts);
    cJSON_Delete(e->election);
    cJSON_Delete(e->rule_params);
    free(e->output);
    crypto_wipe(e->priv, sizeof e->priv);
}

const struct edistrict *edata_district(const struct edata *e, int64_t id)
{
    for (size_t i = 0; i < e->ndistricts; i++)
        if (e->districts[i].id == id)
            return &e->districts[i];
    return NULL;
}

bool edata_sign(struct edata *e)
{
    unsigned char sig[CRYPTO_ED25519_SIG_LEN];
    if (!e->have_key || !crypto_ed25519_sign(e->priv, e->output, e->output_len, sig))
        return false;
    char *b64 = crypto_base64(sig, sizeof sig);
    snprintf(e->signature, sizeof e->signature, "%s", b64);
    free(b64);
    return true;
}

static void ballots_loaded(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct edata *e = edata_of(r);
    int n = db_nrows(res);
    /* Rows come ordered by district: count first, then fill. */
    for (int i = 0; i < n; i++) {
        struct edistrict *d = (struct edistrict *)edata_district(e, db_int64(res, i, 0));
        if (d)
            d->nballots++;
    }
    for (size_t k = 0; k < e->ndistricts; k++) {
        struct edistrict *d = &e->districts[k];
        d->start = xcalloc(d->nballots + 1, sizeof *d->start);
        d->nballots = 0;
    }
    for (int i = 0; i < n; i++) {
        struct edistrict *d = (struct edistrict *)edata_district(e, db_int64(res, i, 0));
        if (!d)
            continue;
        int64_t *items = NULL, *points = NULL;
        size_t ni = 0, np = 0;
        if (!db_int64_array(res, i, 1, &items, &ni) || !db_int64_array(res, i, 2, &points, &np) ||
            (points && np != ni)) {
            free(items);
            free(points);
            req_fail(r, ERR_INTERNAL, NULL, "A stored ballot cannot be read.");
            return;
        }
        size_t at = d->start[d->nballots];
        if (at + ni + 1 > d->cap) { /* grow by doubling: one realloc per ballot is quadratic */
            d->cap = (at + ni + 1) * 2;
            d->items = xreallocarray(d->items, d->cap, sizeof *d->items);
            if (d->ballot.type == BALLOT_CUMULATIVE)
                d->points = xreallocarray(d->points, d->cap, sizeof *d->points);
        }
        for (size_t j = 0; j < ni; j++) {
            d->items[at + j] = items[j];
            if (d->points)
                d->points[at + j] = points ? points[j] : 1;
        }
        d->nballots++;
        d->start[d->nballots] = at + ni;
        free(items);
        free(points);
    }
    e->next(r);
}

/* A frame's rules ({"ballot", "rule", "rule_params"} from frame_rules) into d. */
static bool frame_rules_read(const cJSON *rules, struct edistrict *d)
{
    struct verr err;
    const cJSON *rule = cJSON_GetObjectItemCaseSensitive(rules, "rule");
    if (!ballot_config_parse(cJSON_GetObjectItemCaseSensitive(rules, "ballot"), &d->ballot, &err) ||
        !cJSON_IsString(rule))
        return false;
    snprintf(d->rule, sizeof d->rule, "%s", rule->valuestring);
    d->rule_params = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rules, "rule_params"), 1);
    return true;
}

static void election_loaded(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) != 1) {
        req_fail(r, ERR_NOT_FOUND, NULL, "No such election.");
        return;
    }
    struct edata *e = edata_of(r);
    e->election = cJSON_Parse(db_value(res, 0, 0));
    struct verr err;
    if (!e->election ||
        !ballot_config_parse(cJSON_GetObjectItemCaseSensitive(e->election, "ballot"), &e->ballot, &err)) {
        req_fail(r, ERR_INTERNAL, NULL, "The election's ballot rules cannot be read.");
        return;
    }
    const cJSON *rule = cJSON_GetObjectItemCaseSensitive(e->election, "rule");
    snprintf(e->rule, sizeof e->rule, "%s", cJSON_IsString(rule) ? rule->valuestring : "greedy");
    const cJSON *cur = cJSON_GetObjectItemCaseSensitive(e->election, "currency");
    snprintf(e->currency, sizeof e->currency, "%s", cJSON_IsString(cur) ? cur->valuestring : "DKK");
    const cJSON *lang = cJSON_GetObjectItemCaseSensitive(e->election, "default_language");
    snprintf(e->lang, sizeof e->lang, "%s", cJSON_IsString(lang) ? lang->valuestring : "da");
    e->rule_params = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(e->election, "rule_params"), 1);

    const char *sealed_hex = db_value(res, 0, 1), *pub_hex = db_value(res, 0, 2);
    if (sealed_hex && pub_hex) {
        unsigned char sealed[CRYPTO_ED25519_KEY_LEN + CRYPTO_SEAL_OVERHEAD];
        e->have_key = crypto_unhex(sealed_hex, sealed, sizeof sealed) &&
                      crypto_unhex(pub_hex, e->pub, sizeof e->pub) &&
                      crypto_open(r->app->keys.election_signing, sealed, sizeof sealed, e->priv);
        if (!e->have_key)
            log_error("election signing key cannot be opened election=%lld (wrong secret?)",
                      (long long)e->election_id);
    }

    cJSON *ds = cJSON_Parse(db_value(res, 0, 3));
    e->ndistricts = (size_t)cJSON_GetArraySize(ds);
    e->districts = xcalloc(e->ndistricts, sizeof *e->districts);
    size_t k = 0;
    for (const cJSON *d = ds ? ds->child : NULL; d && k < e->ndistricts; d = d->next, k++) {
        struct edistrict *ed = &e->districts[k];
        (void)jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(d, "id"), 1, JV_MAX_SAFE_INT, &ed->id);
        (void)jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(d, "budget"), 1, JV_MAX_SAFE_INT, &ed->budget);
        ed->name = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(d, "name"), 1);
        if (!frame_rules_read(cJSON_GetObjectItemCaseSensitive(d, "rules"), ed)) {
            cJSON_Delete(ds);
            req_fail(r, ERR_INTERNAL, NULL, "A district's ballot rules cannot be read.");
            return;
        }
        const cJSON *ps = cJSON_GetObjectItemCaseSensitive(d, "projects");
        ed->nprojects = (size_t)cJSON_GetArraySize(ps);
        ed->projects = xcalloc(ed->nprojects, sizeof *ed->projects);
        size_t j = 0;
        for (const cJSON *p = ps ? ps->child : NULL; p && j < ed->nprojects; p = p->next, j++) {
            (void)jv_number_to_int64(cJSON_GetArrayItem(p, 0), 1, JV_MAX_SAFE_INT, &ed->projects[j].id);
            (void)jv_number_to_int64(cJSON_GetArrayItem(p, 1), 1, JV_MAX_SAFE_INT, &ed->projects[j].cost);
            ed->projects[j].title = cJSON_Duplicate(cJSON_GetArrayItem(p, 2), 1);
            const cJSON *cat = cJSON_GetArrayItem(p, 3);
            ed->projects[j].category = cJSON_IsString(cat) ? xstrdup(cat->valuestring) : NULL;
            (void)jv_number_to_int64(cJSON_GetArrayItem(p, 4), 0, JV_MAX_SAFE_INT, &ed->projects[j].exclusive_group);
        }
    }
    cJSON_Delete(ds);
    char id[24];
    const char *p[1] = {i64s(id, e->election_id)};
    req_db(r, &sql_ballots, p, ballots_loaded);
}

void edata_load(struct req *r, struct edata *e, req_step_fn next)
{
    PB_ASSERT(e == r->state); /* the callbacks find it there */
    e->election_id = r->election.id;
    e->next = next;
    char id[24];
    const char *p[1] = {i64s(id, e->election_id)};
    req_db(r, &sql_election, p, election_loaded);
}
