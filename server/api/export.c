/*
 * export: the files observers recount from: a district as a pabulib file, as JSON, or as
 * CSV, built on a worker thread and signed with the election's Ed25519 key (the detached
 * signature travels in the X-Signature header). Exports never contain voter identities.
 */
#include "lib/countrule.h"
#include "lib/crypto.h"
#include "core/db.h"
#include "core/reply.h"
#include "api/edata.h"
#include "api/handlers.h"
#include "lib/i18n.h"
#include "lib/jsonv.h"
#include "lib/pbfile/pbfile.h"
#include "core/worker.h"

#include <stdlib.h>
#include <string.h>

enum format { FMT_PB, FMT_JSON, FMT_CSV, FMT_TRACKERS, FMT_MANIFEST };

/* The formats in enum order, what each holds, and how it is sent. Everything but the trackers holds
 * ballots or per-project counts (the manifest signs them), so the route row lets those
 * out only once voting has closed. */
static const struct {
    const char *name;
    enum format fmt;
    bool votes;
    const char *type, *ext;
} formats[] = {
    {"pb", FMT_PB, true, "text/plain; charset=utf-8", "pb"},
    {"json", FMT_JSON, true, "application/json; charset=utf-8", "json"},
    {"csv", FMT_CSV, true, "text/csv; charset=utf-8", "csv"},
    {"trackers", FMT_TRACKERS, false, "text/plain; charset=utf-8", "txt"},
    {"manifest", FMT_MANIFEST, true, "application/json; charset=utf-8", "manifest.json"},
};

/* The format named (pb when none is), or -1. */
static int format_index(const char *name)
{
    for (size_t i = 0; i < PB_ARRAY_LEN(formats); i++)
        if (strcmp(name ? name : "pb", formats[i].name) == 0)
            return (int)i;
    return -1;
}

bool export_reveals_votes(const struct req *r)
{
    char *name = req_query_param(r, "format");
    int i = format_index(name);
    free(name);
    return i < 0 || formats[i].votes; /* an unknown format is refused either way */
}

/* The request's state: the election's data first (edata_load finds it there), then what
 * to build from it. */
struct export_job {
    struct edata data;
    enum format fmt;
    int64_t district_id;
    bool ballots_csv;
    char *results;  /* the stored, signed results text, or NULL */
    char *trackers; /* the bulletin board, one tracker per line */
    enum pb_err error; /* why data.error is set */
};

static void money(char *out, size_t n, int64_t minor)
{
    if (minor % 100 == 0)
        snprintf(out, n, "%lld", (long long)(minor / 100));
    else
        snprintf(out, n, "%lld.%02lld", (long long)(minor / 100), (long long)llabs(minor % 100));
}

/* The district's entry in the stored results, if counted. */
static const cJSON *district_result(const cJSON *results, int64_t id)
{
    const cJSON *ds = cJSON_GetObjectItemCaseSensitive(results, "districts");
    for (const cJSON *d = ds ? ds->child : NULL; d; d = d->next) {
        int64_t did;
        if (jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(d, "district_id"), 1, JV_MAX_SAFE_INT, &did) &&
            did == id)
            return d;
    }
    return NULL;
}

static const cJSON *project_result(const cJSON *dres, int64_t id)
{
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(dres, "projects");
    for (const cJSON *p = ps ? ps->child : NULL; p; p = p->next) {
        int64_t pid;
        if (jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(p, "id"), 1, JV_MAX_SAFE_INT, &pid) && pid == id)
            return p;
    }
    return NULL;
}

static void build_pb(const struct edata *e, const struct edistrict *d, const cJSON *dres, struct buf *out)
{
    struct pbfile f;
    pbfile_init(&f);
    char v[64];
    const cJSON *title = cJSON_GetObjectItemCaseSensitive(e->election, "title");
    pbfile_meta_set(&f, "description", i18n_pick(title, e->lang, e->lang));
    pbfile_meta_set(&f, "country", "");
    pbfile_meta_set(&f, "unit", i18n_pick(d->name, e->lang, e->lang));
    snprintf(v, sizeof v, "%lld", (long long)d->id);
    pbfile_meta_set(&f, "subunit", v);
    snprintf(v, sizeof v, "%zu", d->nprojects);
    pbfile_meta_set(&f, "num_projects", v);
    snprintf(v, sizeof v, "%zu", d->nballots);
    pbfile_meta_set(&f, "num_votes", v);
    money(v, sizeof v, d->budget);
    pbfile_meta_set(&f, "budget", v);
    /* pabulib knows no knapsack type: a knapsack ballot is an approval ballot with a cost limit */
    pbfile_meta_set(&f, "vote_type", d->ballot.type == BALLOT_KNAPSACK ? "approval" : ballot_type_name(d->ballot.type));
    pbfile_meta_set(&f, "rule", countrule_pabulib_name(d->rule, d->rule_params));
    pbfile_meta_set(&f, "currency", e->currency);
    pbfile_meta_set(&f, "language", e->lang);
    if (d->ballot.type == BALLOT_KNAPSACK) {
        money(v, sizeof v, d->budget);
        pbfile_meta_set(&f, "max_sum_cost", v);
    }
    if (d->ballot.min_selections) {
        snprintf(v, sizeof v, "%lld", (long long)d->ballot.min_selections);
        pbfile_meta_set(&f, "min_length", v);
    }
    int64_t maxlen = d->ballot.type == BALLOT_ORDINAL && d->ballot.max_ranks ? d->ballot.max_ranks : d->ballot.max_selections;
    if (maxlen) {
        snprintf(v, sizeof v, "%lld", (long long)maxlen);
        pbfile_meta_set(&f, "max_length", v);
    }
    if (d->ballot.type == BALLOT_CUMULATIVE) {
        snprintf(v, sizeof v, "%lld", (long long)d->ballot.max_points_per_project);
        pbfile_meta_set(&f, "max_points", v);
        snprintf(v, sizeof v, "%lld", (long long)d->ballot.points);
        pbfile_meta_set(&f, "max_sum_points", v);
    }
    const cJSON *thr = cJSON_GetObjectItemCaseSensitive(d->rule_params, "min_project_score_threshold");
    if (cJSON_IsNumber(thr)) {
        snprintf(v, sizeof v, "%.0f", thr->valuedouble);
        pbfile_meta_set(&f, "min_project_score_threshold", v);
    }

    static const char *const pcols[] = {"project_id", "cost", "votes", "score", "name", "category", "selected"};
    pb_table_set_cols(&f.projects, dres ? 7 : 6, pcols);
    /* votes = ballots naming the project, score = points or rank score (votes for approval) */
    for (size_t i = 0; i < d->nprojects; i++) {
        const struct eproject *p = &d->projects[i];
        int64_t votes = 0;
        for (size_t k = 0; k < (d->start ? d->start[d->nballots] : 0); k++)
            votes += d->items[k] == p->id;
        const cJSON *pr = dres ? project_result(dres, p->id) : NULL;
        char id[24], cost[32], vs[24], sc[24];
        snprintf(id, sizeof id, "%lld", (long long)p->id);
        money(cost, sizeof cost, p->cost);
        snprintf(vs, sizeof vs, "%lld", (long long)votes);
        int64_t score = votes;
        if (pr)
            (void)jv_number_to_int64(cJSON_GetObjectItemCaseSensitive(pr, "score"), 0, JV_MAX_SAFE_INT, &score);
        snprintf(sc, sizeof sc, "%lld", (long long)score);
        const char *sel = pr && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pr, "selected")) ? "1" : "0";
        const char *row[7] = {id, cost, vs, sc, i18n_pick(p->title, e->lang, e->lang),
                              p->category ? p->category : "", sel};
        pb_table_add_row(&f.projects, row);
    }
    bool cumulative = d->ballot.type == BALLOT_CUMULATIVE;
    static const char *const vcols[] = {"voter_id", "vote", "points"};
    pb_table_set_cols(&f.votes, cumulative ? 3 : 2, vcols);
    for (size_t b = 0; b < d->nballots; b++) {
        struct buf vote, pts;
        buf_init(&vote);
        buf_init(&pts);
        buf_reserve(&vote, 0);
        buf_reserve(&pts, 0);
        for (size_t k = d->start[b]; k < d->start[b + 1]; k++) {
            buf_printf(&vote, "%s%lld", k > d->start[b] ? "," : "", (long long)d->items[k]);
            if (cumulative)
                buf_printf(&pts, "%s%lld", k > d->start[b] ? "," : "", (long long)d->points[k]);
        }
        char vid[24];
        snprintf(vid, sizeof vid, "%zu", b + 1);
        const char *row[3] = {vid, vote.data, pts.data};
        pb_table_add_row(&f.votes, row);
        buf_free(&vote);
        buf_free(&pts);
    }
    pbfile_write(&f, out);
    pbfile_free(&f);
}

static cJSON *district_json(const struct edistrict *d, const cJSON *dres)
{
    cJSON *o = cJSON_CreateObject();
    jv_add_int(o, "district_id", d->id);
    cJSON_AddItemToObject(o, "name", cJSON_Duplicate(d->name, 1));
    jv_add_int(o, "budget", d->budget);
    /* the frame's own rules (its group's, else the election's) */
    cJSON_AddItemToObject(o, "ballot", ballot_config_to_json(&d->ballot));
    cJSON_AddStringToObject(o, "rule", d->rule);
    cJSON_AddItemToObject(o, "rule_params", cJSON_Duplicate(d->rule_params, 1));
    cJSON *ps = cJSON_AddArrayToObject(o, "projects");
    for (size_t i = 0; i < d->nprojects; i++) {
        cJSON *p = cJSON_CreateObject();
        jv_add_int(p, "id", d->projects[i].id);
        jv_add_int(p, "cost", d->projects[i].cost);
        cJSON_AddItemToObject(p, "title", cJSON_Duplicate(d->projects[i].title, 1));
        if (d->projects[i].category)
            cJSON_AddStringToObject(p, "category", d->projects[i].category);
        cJSON_AddItemToArray(ps, p);
    }
    cJSON *bs = cJSON_AddArrayToObject(o, "ballots");
    for (size_t b = 0; b < d->nballots; b++) {
        struct ballot bal = {d->id, d->start[b + 1] - d->start[b], d->items + d->start[b],
                             d->points ? d->points + d->start[b] : NULL};
        cJSON *bj = ballot_to_json(&bal, d->ballot.type);
        cJSON_DeleteItemFromObjectCaseSensitive(bj, "district_id");
        cJSON_AddItemToArray(bs, bj);
    }
    cJSON_AddItemToObject(o, "results", dres ? cJSON_Duplicate(dres, 1) : cJSON_CreateNull());
    return o;
}

static void csv_field(struct buf *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        buf_puts(out, s);
        return;
    }
    buf_putc(out, '"');
    for (; *s; s++) {
        if (*s == '"')
            buf_putc(out, '"');
        buf_putc(out, *s);
    }
    buf_putc(out, '"');
}

static void build_csv(const struct edata *e, const struct edistrict *d, const cJSON *dres, bool ballots,
                      struct buf *out)
{
    if (ballots) {
        buf_puts(out, "ballot,district_id,items,points\r\n");
        for (size_t b = 0; b < d->nballots; b++) {
            buf_printf(out, "%zu,%lld,\"", b + 1, (long long)d->id);
            for (size_t k = d->start[b]; k < d->start[b + 1]; k++)
                buf_printf(out, "%s%lld", k > d->start[b] ? "," : "", (long long)d->items[k]);
            buf_puts(out, "\",\"");
            for (size_t k = d->start[b]; d->points && k < d->start[b + 1]; k++)
                buf_printf(out, "%s%lld", k > d->start[b] ? "," : "", (long long)d->points[k]);
            buf_puts(out, "\"\r\n");
        }
        return;
    }
    buf_puts(out, "project_id,district_id,title,category,cost,score,selected\r\n");
    for (size_t i = 0; i < d->nprojects; i++) {
        const struct eproject *p = &d->projects[i];
        const cJSON *pr = dres ? project_result(dres, p->id) : NULL;
        buf_printf(out, "%lld,%lld,", (long long)p->id, (long long)d->id);
        csv_field(out, i18n_pick(p->title, e->lang, e->lang));
        buf_putc(out, ',');
        csv_field(out, p->category ? p->category : "");
        const cJSON *score = pr ? cJSON_GetObjectItemCaseSensitive(pr, "score") : NULL;
        buf_printf(out, ",%lld,", (long long)p->cost);
        if (cJSON_IsNumber(score))
            buf_printf(out, "%.0f", score->valuedouble);
        buf_printf(out, ",%s\r\n", pr ? (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pr, "selected")) ? "1" : "0") : "");
    }
}

/* Builds one file into out; false (with e->error) for an unknown district. */
static bool build_file(struct edata *e, const struct export_job *job, enum format fmt, int64_t district,
                       bool ballots_csv, const cJSON *results, struct buf *out)
{
    if (fmt == FMT_TRACKERS) {
        buf_puts(out, job->trackers ? job->trackers : "");
        return true;
    }
    if (fmt == FMT_JSON && !district) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "election", cJSON_Duplicate(e->election, 1));
        cJSON *ds = cJSON_AddArrayToObject(o, "districts");
        for (size_t i = 0; i < e->ndistricts; i++)
            cJSON_AddItemToArray(ds, district_json(&e->districts[i], district_result(results, e->districts[i].id)));
        char *text = cJSON_PrintUnformatted(o);
        buf_puts(out, text);
        cJSON_free(text);
        cJSON_Delete(o);
        return true;
    }
    const struct edistrict *d = edata_district(e, district);
    if (!d) {
        snprintf(e->error, sizeof e->error, "No such district in this election.");
        return false;
    }
    const cJSON *dres = district_result(results, d->id);
    if (fmt == FMT_PB) {
        build_pb(e, d, dres, out);
    } else if (fmt == FMT_CSV) {
        build_csv(e, d, dres, ballots_csv, out);
    } else {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "election", cJSON_Duplicate(e->election, 1));
        cJSON_AddItemToObject(o, "district", district_json(d, dres));
        char *text = cJSON_PrintUnformatted(o);
        buf_puts(out, text);
        cJSON_free(text);
        cJSON_Delete(o);
    }
    return true;
}

/* One manifest entry: the file's URL, size, SHA-256 and signature. */
static void manifest_add(struct edata *e, cJSON *files, const char *url, const struct buf *file)
{
    unsigned char h[CRYPTO_SHA256_LEN], sig[CRYPTO_ED25519_SIG_LEN];
    char hex[65];
    crypto_sha256(file->data ? file->data : "", file->len, h);
    crypto_hex(h, sizeof h, hex);
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "url", url);
    jv_add_int(f, "bytes", (int64_t)file->len);
    cJSON_AddStringToObject(f, "sha256", hex);
    if (e->have_key && crypto_ed25519_sign(e->priv, file->data ? file->data : "", file->len, sig)) {
        char *b64 = crypto_base64(sig, sizeof sig);
        cJSON_AddStringToObject(f, "signature", b64);
        free(b64);
    }
    cJSON_AddItemToArray(files, f);
}

static void build_manifest(struct edata *e, const struct export_job *job, const cJSON *results, struct buf *out)
{
    cJSON *o = cJSON_CreateObject();
    jv_add_int(o, "election_id", e->election_id);
    char *pub = crypto_base64(e->pub, sizeof e->pub);
    cJSON_AddStringToObject(o, "public_key", pub);
    free(pub);
    cJSON *files = cJSON_AddArrayToObject(o, "files");
    char url[160];
    struct buf f;
    snprintf(url, sizeof url, "/api/v1/elections/%lld/export?format=json", (long long)e->election_id);
    buf_init(&f);
    (void)build_file(e, job, FMT_JSON, 0, false, results, &f);
    manifest_add(e, files, url, &f);
    buf_free(&f);
    snprintf(url, sizeof url, "/api/v1/elections/%lld/export?format=trackers", (long long)e->election_id);
    (void)build_file(e, job, FMT_TRACKERS, 0, false, results, &f);
    manifest_add(e, files, url, &f);
    buf_free(&f);
    static const struct {
        enum format fmt;
        bool ballots;
        const char *query;
    } kinds[] = {{FMT_PB, false, "format=pb"}, {FMT_JSON, false, "format=json"},
                 {FMT_CSV, false, "format=csv"}, {FMT_CSV, true, "format=csv&kind=ballots"}};
    for (size_t i = 0; i < e->ndistricts; i++) {
        for (size_t k = 0; k < PB_ARRAY_LEN(kinds); k++) {
            snprintf(url, sizeof url, "/api/v1/elections/%lld/export?%s&district=%lld", (long long)e->election_id,
                     kinds[k].query, (long long)e->districts[i].id);
            (void)build_file(e, job, kinds[k].fmt, e->districts[i].id, kinds[k].ballots, results, &f);
            manifest_add(e, files, url, &f);
            buf_free(&f);
        }
    }
    char *text = cJSON_PrintUnformatted(o);
    buf_puts(out, text);
    cJSON_free(text);
    cJSON_Delete(o);
}

static void export_work(void *arg)
{
    struct export_job *job = arg;
    struct edata *e = &job->data;
    cJSON *results = job->results ? cJSON_Parse(job->results) : NULL;
    struct buf out;
    buf_init(&out);
    bool ok = true;
    if (job->fmt == FMT_MANIFEST)
        build_manifest(e, job, results, &out);
    else
        ok = build_file(e, job, job->fmt, job->district_id, job->ballots_csv, results, &out);
    cJSON_Delete(results);
    if (!ok) {
        buf_free(&out);
        job->error = ERR_NOT_FOUND; /* the only way a build fails: an unknown district */
        return;
    }
    e->output_len = out.len;
    e->output = buf_steal(&out);
    if (!edata_sign(e)) {
        snprintf(e->error, sizeof e->error, "The election's signing key is not available.");
        job->error = ERR_INTERNAL;
    }
}

static void export_done(struct req *r)
{
    struct export_job *job = REQ_STATE(r, struct export_job);
    struct edata *e = &job->data;
    if (e->error[0]) {
        req_fail(r, job->error, NULL, "%s", e->error);
        return;
    }
    req_add_header(r, "X-Signature", e->signature);
    req_add_header(r, "X-Signature-Algorithm", "Ed25519");
    const char *type = formats[job->fmt].type, *ext = formats[job->fmt].ext;
    char disp[160];
    /* each file of the manifest gets a name of its own: the ballots CSV is not the projects CSV */
    if (job->district_id)
        snprintf(disp, sizeof disp, "attachment; filename=\"election-%lld-district-%lld%s.%s\"",
                 (long long)e->election_id, (long long)job->district_id,
                 job->fmt == FMT_CSV && job->ballots_csv ? "-ballots" : "", ext);
    else
        snprintf(disp, sizeof disp, "attachment; filename=\"election-%lld.%s\"", (long long)e->election_id, ext);
    req_add_header(r, "Content-Disposition", disp);
    req_reply_bytes(r, 200, type, e->output, e->output_len);
}

static void export_results_loaded(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct export_job *job = REQ_STATE(r, struct export_job);
    if (db_value(res, 0, 0))
        job->results = xstrdup(db_value(res, 0, 0));
    job->trackers = xstrdup(db_value(res, 0, 1) ? db_value(res, 0, 1) : "");
    req_worker(r, export_work, job, export_done);
}

static struct db_stmt sql_results = DB_STMT("export.results", 1,
    "SELECT (SELECT result FROM results WHERE election_id = $1),"
    "       coalesce((SELECT string_agg(tracker || E'\\n', '' ORDER BY tracker) FROM ballots"
    "                  WHERE election_id = $1), '')");

static void export_loaded(struct req *r)
{
    char id[24];
    const char *p[1] = {i64s(id, r->election.id)};
    req_db(r, &sql_results, p, export_results_loaded);
}

static void export_job_release(void *p)
{
    struct export_job *job = p;
    edata_release(&job->data);
    free(job->results);
    free(job->trackers);
}

void export_get(struct req *r)
{
    char *format = req_query_param(r, "format");
    char *district = req_query_param(r, "district");
    char *kind = req_query_param(r, "kind");
    struct export_job *job = REQ_STATE_NEW(r, struct export_job, export_job_release);
    int f = format_index(format);
    bool ok = f >= 0;
    if (ok)
        job->fmt = formats[f].fmt;
    job->ballots_csv = kind && strcmp(kind, "ballots") == 0;
    if (!ok) {
        req_fail(r, ERR_INVALID_FIELD, "format", "\"format\" must be pb, json, csv, trackers or manifest.");
    } else if (district && (!parse_int64(district, &job->district_id) || job->district_id <= 0)) {
        req_fail(r, ERR_INVALID_FIELD, "district", "\"district\" must be a district id.");
        ok = false;
    } else if (!district && (job->fmt == FMT_PB || job->fmt == FMT_CSV)) {
        req_fail(r, ERR_INVALID_FIELD, "district", "Name the district to export: district=<id>.");
        ok = false;
    }
    free(format);
    free(district);
    free(kind);
    if (ok)
        edata_load(r, &job->data, export_loaded);
}

static void key_loaded(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    const char *hex = db_nrows(res) == 1 ? db_value(res, 0, 0) : NULL;
    unsigned char pub[CRYPTO_ED25519_KEY_LEN];
    if (!hex || !crypto_unhex(hex, pub, sizeof pub)) {
        req_fail(r, ERR_NOT_FOUND, NULL, "This election has no signing key.");
        return;
    }
    char *pem = crypto_ed25519_pub_pem(pub);
    char *b64 = crypto_base64(pub, sizeof pub);
    cJSON *o = cJSON_CreateObject();
    jv_add_int(o, "election_id", r->ids[0]);
    cJSON_AddStringToObject(o, "algorithm", "Ed25519");
    cJSON_AddStringToObject(o, "public_key", b64);
    cJSON_AddStringToObject(o, "public_key_hex", hex);
    cJSON_AddStringToObject(o, "pem", pem ? pem : "");
    free(pem);
    free(b64);
    req_reply_json(r, 200, o);
}

static struct db_stmt sql_public_key = DB_STMT("export.public_key", 1,
                                              "SELECT encode(public_key, 'hex') FROM elections WHERE id = $1");

void export_public_key(struct req *r)
{
    char id[24];
    const char *p[1] = {i64s(id, r->ids[0])};
    req_db(r, &sql_public_key, p, key_loaded);
}
