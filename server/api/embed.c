/*
 * embed: an organisation's elections on its own web site (issue 17).
 *
 *   GET|PUT /api/v1/organisations/{id}/embed   the sites (origins) allowed to frame the
 *                                              widget, and whether voting may be framed
 *   GET     /embed/{election_id}?view=V&lang=L the widget page (V: proposals, results,
 *                                              turnout) or, with view=vote, the citizens'
 *                                              pages, framed only where allowed
 *
 * Every other page says frame-ancestors 'none' and X-Frame-Options DENY. Here the CSP's
 * frame-ancestors is the organisation's list, so a site not on it cannot show the page
 * (nor overlay it to trick a click), and voting needs its own yes. /embed.js (web/) is the
 * script tag a site pastes: it inserts the iframe and sizes it to its content.
 */
#include "api/handlers.h"
#include "core/db.h"
#include "core/reply.h"
#include "core/static.h"
#include "lib/jsonv.h"
#include "lib/util.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#define EMBED_MAX_ORIGINS 20
#define ORIGIN_MAX 200

/* --- settings --- */

static void reply_settings(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    const char *v = db_value(res, 0, 0);
    cJSON *o = v ? cJSON_Parse(v) : NULL;
    if (!o) {
        req_fail(r, ERR_NOT_FOUND, NULL, "No such organisation.");
        return;
    }
    req_reply_json(r, 200, o);
}

static struct db_stmt sql_settings = DB_STMT("embed.settings", 1, "SELECT embed_settings_json($1)");
static struct db_stmt sql_put = DB_STMT("embed.put_settings", 4,
                                        "SELECT put_embed_settings($1, $2, $3::jsonb, $4::boolean)");

void embed_get(struct req *r)
{
    char org[24];
    const char *p[1] = {i64s(org, r->ids[0])};
    req_db(r, &sql_settings, p, reply_settings);
}

/* One origin as a browser writes it (scheme://host[:port], lower case, no path), parsed by
 * libcurl's URL parser, into out. https only, except for this machine (tests, a local
 * preview). Returns false with the reason in *why. */
static bool origin_normalise(const char *in, char out[ORIGIN_MAX + 1], const char **why)
{
    *why = "must be a site's origin such as https://www.example.dk (no path).";
    if (strlen(in) > ORIGIN_MAX || strpbrk(in, " \t\r\n;,'\"*"))
        return false;
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL, *frag = NULL, *user = NULL;
    bool ok = false;
    if (u && curl_url_set(u, CURLUPART_URL, in, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        curl_url_get(u, CURLUPART_PORT, &port, 0);
        curl_url_get(u, CURLUPART_PATH, &path, 0);
        curl_url_get(u, CURLUPART_QUERY, &query, 0);
        curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
        curl_url_get(u, CURLUPART_USER, &user, 0);
        bool https = strcmp(scheme, "https") == 0, http = strcmp(scheme, "http") == 0;
        bool loopback = strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 || strcmp(host, "[::1]") == 0;
        if (!(https || (http && loopback)))
            *why = "must be https:// (plain http:// only for this machine).";
        else if ((path && strcmp(path, "/") != 0) || query || frag || user)
            *why = "must be only the site's origin: no path, query or user name.";
        else {
            for (char *c = host; *c; c++)
                *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
            int n = port ? snprintf(out, ORIGIN_MAX + 1, "%s://%s:%s", scheme, host, port)
                         : snprintf(out, ORIGIN_MAX + 1, "%s://%s", scheme, host);
            ok = n > 0 && n <= ORIGIN_MAX;
        }
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(query);
    curl_free(frag);
    curl_free(user);
    curl_url_cleanup(u);
    return ok;
}

void embed_put(struct req *r)
{
    static const char *const keys[] = {"origins", "allow_voting", NULL};
    struct verr e;
    memset(&e, 0, sizeof e);
    if (!jv_only_keys(r->json, keys, NULL, &e)) {
        req_fail_verr(r, &e);
        return;
    }
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(r->json, "origins");
    const cJSON *voting = cJSON_GetObjectItemCaseSensitive(r->json, "allow_voting");
    if (!cJSON_IsArray(list)) {
        req_fail(r, ERR_INVALID_FIELD, "origins", "\"origins\" must be a list of sites such as [\"https://www.example.dk\"].");
        return;
    }
    if (voting && !cJSON_IsBool(voting)) {
        req_fail(r, ERR_INVALID_FIELD, "allow_voting", "\"allow_voting\" must be true or false.");
        return;
    }
    if (cJSON_GetArraySize(list) > EMBED_MAX_ORIGINS) {
        req_fail(r, ERR_INVALID_FIELD, "origins", "At most %d sites may embed the pages.", EMBED_MAX_ORIGINS);
        return;
    }
    char norm[EMBED_MAX_ORIGINS][ORIGIN_MAX + 1];
    int n = 0, i = 0;
    const cJSON *o;
    cJSON_ArrayForEach(o, list) {
        const char *why = "must be a text.";
        i++;
        if (!cJSON_IsString(o) || !origin_normalise(o->valuestring, norm[n], &why)) {
            req_fail(r, ERR_INVALID_FIELD, "origins", "Site %d %s", i, why);
            return;
        }
        bool repeat = false; /* the same site twice (perhaps in other letters): keep one */
        for (int k = 0; k < n && !repeat; k++)
            repeat = strcmp(norm[k], norm[n]) == 0;
        n += !repeat;
    }
    cJSON *out = cJSON_CreateArray();
    for (int k = 0; k < n; k++)
        cJSON_AddItemToArray(out, cJSON_CreateString(norm[k]));
    char *arr = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    char staff[24], org[24];
    const char *p[4] = {i64s(staff, r->auth.staff_id), i64s(org, r->ids[0]), arr,
                        cJSON_IsTrue(voting) ? "true" : "false"};
    req_db(r, &sql_put, p, reply_settings);
    cJSON_free(arr);
}

/* --- the framed page --- */

static const char *const views[] = {"proposals", "results", "turnout", "vote", NULL};

/* the request's state: whether the voting pages were asked for */
struct embed_state {
    bool vote;
};

static void serve_framed(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    struct embed_state *st = REQ_STATE(r, struct embed_state);
    const char *origins = db_nrows(res) ? db_value(res, 0, 0) : "";
    bool allow_voting = db_nrows(res) && db_bool(res, 0, 1);
    const char *ancestors = *origins && (!st->vote || allow_voting) ? origins : "'none'";
    const struct static_file *f = static_find(r->app->statics, st->vote ? "/index.html" : "/embed.html");
    if (!f) {
        req_fail(r, ERR_NOT_FOUND, NULL, "No such page.");
        return;
    }
    char csp[EMBED_MAX_ORIGINS * (ORIGIN_MAX + 1) + 256];
    snprintf(csp, sizeof csp,
             "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
             "connect-src 'self'; frame-ancestors %s; base-uri 'none'; form-action 'self'",
             ancestors);
    req_add_header(r, "Content-Security-Policy", csp);
    req_add_header(r, "Cache-Control", "no-cache");
    r->frameable = strcmp(ancestors, "'none'") != 0;
    const char *inm = req_header(r, "If-None-Match");
    req_add_header(r, "ETag", f->etag);
    if (inm && strcmp(inm, f->etag) == 0) {
        req_reply_bytes(r, 304, NULL, NULL, 0);
        return;
    }
    req_reply_bytes(r, 200, f->content_type, f->data, f->len);
}

static struct db_stmt sql_ancestors = DB_STMT_READ("embed.ancestors", 1, "SELECT * FROM embed_ancestors($1)");

void embed_page(struct req *r)
{
    char *view = req_query_param(r, "view");
    int v = 0;
    if (view) {
        for (v = 0; views[v] && strcmp(views[v], view) != 0; v++)
            ;
        free(view);
        if (!views[v]) {
            req_fail(r, ERR_INVALID_FIELD, "view", "\"view\" is one of proposals, results, turnout, vote.");
            return;
        }
    }
    struct embed_state *st = REQ_STATE_NEW(r, struct embed_state, NULL);
    st->vote = v == 3;
    char eid[24];
    const char *p[1] = {i64s(eid, r->election.id)};
    req_db(r, &sql_ancestors, p, serve_framed);
}
