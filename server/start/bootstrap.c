/*
 * bootstrap: the installation admin and the demo election.
 */
#include "start/bootstrap.h"
#include "lib/ballot_rules.h"
#include "lib/crypto.h"
#include "core/db.h"
#include "lib/log.h"
#include "lib/votecode.h"
#include "lib/voterkeys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_SLUG "demo"

struct demo_proposal {
    int district;
    const char *da, *en, *sum_da, *sum_en, *category;
    int64_t cost; /* øre */
};

/* The demo's frames: a city-wide budget everyone votes in (alone without a group) and two
 * districts in the group "Bydele", so a voter casts two ballots: city-wide (a knapsack,
 * counted greedily) and their own district (approval of up to three, counted by Equal
 * Shares) (issue 17). */
#define DEMO_CITY 2
static const char *const demo_district_names[3] = {"{\"da\": \"Nørreby\", \"en\": \"Nørreby\"}",
                                                   "{\"da\": \"Søndermark\", \"en\": \"Søndermark\"}",
                                                   "{\"da\": \"Hele byen\", \"en\": \"The whole town\"}"};
static const char *const demo_budgets[3] = {"50000000", "60000000", "150000000"};

/* Real-looking projects of a Danish borgerbudget, costs in DKK øre. */
static const struct demo_proposal demo_proposals[] = {
    {DEMO_CITY, "Svømmehal med varmtvandsbassin", "Swimming pool with a warm-water pool",
     "Udvidelse af svømmehallen med et bassin til genoptræning og babysvømning.",
     "An extension of the swimming baths with a pool for rehabilitation and baby swimming.", "sport", 120000000},
    {DEMO_CITY, "Gratis bus i weekenden", "Free buses at weekends", "Bybusserne kører gratis lørdag og søndag i et år.",
     "Town buses are free on Saturdays and Sundays for a year.", "trafik", 45000000},
    {DEMO_CITY, "Naturlegeplads i Byskoven", "Nature playground in the town forest",
     "Legeplads af træ og sten til hele byens børn.", "A playground of wood and stone for all the town's children.",
     "leg", 35000000},
    {DEMO_CITY, "Ladestandere til elcykler", "Charging points for e-bikes", "Tyve ladestandere fordelt i byen.",
     "Twenty charging points across the town.", "trafik", 18000000},
    {0, "Legeplads i Nørreby", "Playground in Nørreby", "Ny legeplads med gynger og klatrestativ ved skolen.",
     "A new playground with swings and a climbing frame by the school.", "leg", 38000000},
    {0, "Bænke langs åen", "Benches along the river", "Ti bænke på stien langs åen, så ældre kan hvile.",
     "Ten benches on the river path so older people can rest.", "natur", 9500000},
    {0, "Cykelparkering ved stationen", "Bicycle parking at the station", "Overdækket parkering til 120 cykler.",
     "Covered parking for 120 bicycles.", "trafik", 22000000},
    {0, "Fællesbibliotek i kælderen", "Shared library in the basement", "Bytteboghylder og læsehjørne i medborgerhuset.",
     "Book-swap shelves and a reading corner in the community house.", "kultur", 6500000},
    {0, "Træer på Torvet", "Trees on the square", "Tolv nye lindetræer på Torvet.", "Twelve new lime trees on the square.",
     "natur", 14000000},
    {1, "Udendørs fitness i parken", "Outdoor gym in the park", "Seks træningsredskaber ved løbestien.",
     "Six exercise machines by the running track.", "sport", 27500000},
    {1, "Belysning på skolestien", "Lighting on the school path", "LED-lamper på stien, så børn kan gå sikkert hjem.",
     "LED lights on the path so children walk home safely.", "trafik", 31000000},
    {1, "Hundeskov", "Dog park", "Indhegnet område hvor hunde kan løbe frit.", "A fenced area where dogs can run free.",
     "natur", 12500000},
    {1, "Scene til sommerkoncerter", "Stage for summer concerts", "Lille udendørs scene i bypark.",
     "A small outdoor stage in the town park.", "kultur", 45000000},
    {1, "Insekthotel og blomstereng", "Insect hotel and wildflower meadow", "Vild blomstereng på den gamle boldbane.",
     "A wildflower meadow on the old football pitch.", "natur", 4800000},
};

static bool exec(struct db_sync *c, const char *sql, int n, const char *const *p, struct db_result **res)
{
    char err[1024];
    if (!db_sync_exec(c, sql, n, p, res, err, sizeof err)) {
        log_error("bootstrap: %s", err);
        return false;
    }
    return true;
}

static bool ensure_admin(struct app *app, struct db_sync *c, int64_t *org_out)
{
    const char *email = getenv("PB_ADMIN_EMAIL");
    const char *password = getenv("PB_ADMIN_PASSWORD");
    char generated[CRYPTO_TOKEN_STRLEN];
    if (!email || !*email)
        email = "admin@borgerbudget.local";
    bool from_env = password && *password;
    if (!from_env && !app->cfg.demo)
        return true; /* nothing asked for */
    if (!from_env) {
        crypto_token(generated);
        generated[20] = '\0';
        password = generated;
    }
    char *hash = crypto_password_hash(password);
    const char *p[2] = {email, hash};
    struct db_result *res = NULL;
    bool ok = exec(c,
                   "INSERT INTO staff (email, password_hash, is_superadmin) VALUES ($1, $2, true)"
                   " ON CONFLICT (lower(email)) DO UPDATE SET password_hash = EXCLUDED.password_hash,"
                   " is_superadmin = true, disabled_at = NULL RETURNING id",
                   2, p, &res);
    free(hash);
    if (!ok)
        return false;
    char staff_id[24];
    snprintf(staff_id, sizeof staff_id, "%s", db_value(res, 0, 0));
    db_sync_result_free(res);
    /* The installation admin administers a default organisation, so that it "has one". */
    const char *p2[2] = {staff_id, getenv("PB_ORG_NAME") && *getenv("PB_ORG_NAME") ? getenv("PB_ORG_NAME") : "Demo Kommune"};
    if (!exec(c,
              "WITH existing AS (SELECT organisation_id AS id FROM staff_roles WHERE staff_id = $1"
              "                    AND role = 'admin' AND election_id IS NULL ORDER BY organisation_id LIMIT 1),"
              " created AS (INSERT INTO organisations (name) SELECT $2 WHERE NOT EXISTS (SELECT 1 FROM existing)"
              "             RETURNING id),"
              " org AS (SELECT id FROM existing UNION ALL SELECT id FROM created),"
              " granted AS (INSERT INTO staff_roles (staff_id, organisation_id, role)"
              "             SELECT $1, id, 'admin' FROM created RETURNING organisation_id)"
              "SELECT id FROM org",
              2, p2, &res))
        return false;
    *org_out = db_int64(res, 0, 0);
    db_sync_result_free(res);
    printf("\n  Staff sign-in:   %s\n  Password:        %s%s\n", email, password,
           from_env ? " (from PB_ADMIN_PASSWORD)" : " (new at every start; set PB_ADMIN_PASSWORD to fix it)");
    crypto_wipe(generated, sizeof generated);
    return true;
}

static bool load_demo(struct app *app, struct db_sync *c, int64_t org, int port)
{
    struct db_result *res = NULL;
    const char *ps[1] = {DEMO_SLUG};
    if (!exec(c, "SELECT id FROM elections WHERE slug = $1", 1, ps, &res))
        return false;
    int64_t eid = db_nrows(res) ? db_int64(res, 0, 0) : 0;
    db_sync_result_free(res);
    if (!eid) {
        unsigned char priv[CRYPTO_ED25519_KEY_LEN], pub[CRYPTO_ED25519_KEY_LEN];
        unsigned char sealed[CRYPTO_ED25519_KEY_LEN + CRYPTO_SEAL_OVERHEAD];
        if (!crypto_ed25519_keygen(priv, pub) || !crypto_seal(app->keys.election_signing, priv, sizeof priv, sealed))
            return false;
        crypto_wipe(priv, sizeof priv);
        char pubhex[65], sealedhex[2 * sizeof sealed + 1], orgs[24];
        crypto_hex(pub, sizeof pub, pubhex);
        crypto_hex(sealed, sizeof sealed, sealedhex);
        snprintf(orgs, sizeof orgs, "%lld", (long long)org);
        const char *p[4] = {orgs, DEMO_SLUG, pubhex, sealedhex};
        if (!exec(c,
                  "INSERT INTO elections (organisation_id, slug, title, description, default_lang, currency,"
                  " ballot, rule, phase, voting_opened_at, public_key, private_key_sealed) VALUES ($1, $2,"
                  " '{\"da\": \"Borgerbudget Demo Kommune 2026\", \"en\": \"Citizens'' budget, Demo Municipality 2026\"}',"
                  " '{\"da\": \"Stem på de projekter, du vil bruge kommunens penge på.\","
                  "   \"en\": \"Vote for the projects you want the municipality to spend its money on.\"}',"
                  " 'da', 'DKK', '{\"type\": \"knapsack\"}', 'greedy', 'voting', now(),"
                  " decode($3, 'hex'), decode($4, 'hex')) RETURNING id",
                  4, p, &res))
            return false;
        eid = db_int64(res, 0, 0);
        db_sync_result_free(res);
        int64_t districts[3];
        char es[24];
        snprintf(es, sizeof es, "%lld", (long long)eid);
        const char *pg[1] = {es};
        /* the districts' own ballot and rule: tick up to three, counted by Equal Shares,
         * beside the city-wide knapsack counted greedily */
        if (!exec(c, "INSERT INTO district_groups (election_id, name, position, ballot, rule, rule_params) VALUES"
                     " ($1, '{\"da\": \"Bydele\", \"en\": \"Districts\"}', 1,"
                     "  '{\"type\": \"approval\", \"max_selections\": 3}', 'equal_shares', '{}') RETURNING id",
                     1, pg, &res))
            return false;
        char group[24];
        snprintf(group, sizeof group, "%s", db_value(res, 0, 0));
        db_sync_result_free(res);
        for (int i = 0; i < 3; i++) {
            const char *pd[4] = {es, demo_district_names[i], demo_budgets[i], i == DEMO_CITY ? NULL : group};
            if (!exec(c, "INSERT INTO districts (election_id, name, budget, group_id) VALUES ($1, $2::jsonb, $3, $4)"
                         " RETURNING id", 4, pd, &res))
                return false;
            districts[i] = db_int64(res, 0, 0);
            db_sync_result_free(res);
        }
        for (size_t i = 0; i < PB_ARRAY_LEN(demo_proposals); i++) {
            const struct demo_proposal *dp = &demo_proposals[i];
            char ds[24], cost[24];
            snprintf(ds, sizeof ds, "%lld", (long long)districts[dp->district]);
            snprintf(cost, sizeof cost, "%lld", (long long)dp->cost);
            const char *pp[8] = {es, ds, dp->da, dp->en, dp->sum_da, dp->sum_en, dp->category, cost};
            if (!exec(c,
                      "INSERT INTO proposals (election_id, district_id, title, summary, category, cost, status)"
                      " VALUES ($1, $2, jsonb_build_object('da', $3::text, 'en', $4::text),"
                      " jsonb_build_object('da', $5::text, 'en', $6::text), $7, $8, 'accepted')",
                      8, pp, NULL))
                return false;
        }
        const char *pa[2] = {es, "{\"source\": \"demo\"}"};
        if (!exec(c, "SELECT audit_append((SELECT organisation_id FROM elections WHERE id = $1), $1, NULL,"
                     " 'election.demo', $2::jsonb)", 2, pa, NULL))
            return false;
        log_info("demo election loaded id=%lld", (long long)eid);
    }
    /* Fresh codes at every start, printed once: only their hashes are stored. A code names a
     * district of the group; the city-wide frame comes with every code. */
    char es[24];
    snprintf(es, sizeof es, "%lld", (long long)eid);
    const char *pe[1] = {es};
    if (!exec(c, "SELECT id, name->>'en', phase FROM districts d JOIN LATERAL (SELECT phase FROM elections"
                 " WHERE id = d.election_id) e ON true WHERE election_id = $1"
                 "   AND (d.group_id IS NOT NULL OR NOT EXISTS (SELECT 1 FROM district_groups g WHERE g.election_id = $1))"
                 " ORDER BY id", 1, pe, &res))
        return false;
    printf("  Demo election:   http://localhost:%d/  (id %lld, slug \"%s\")\n", port, (long long)eid, DEMO_SLUG);
    for (int i = 0; i < db_nrows(res); i++) {
        if (strcmp(db_value(res, i, 2), "voting") != 0)
            break;
        const char *district = db_value(res, i, 0);
        printf("  Voting codes for %s:", db_value(res, i, 1));
        for (int k = 0; k < 3; k++) {
            char code[VOTECODE_STRLEN], norm[VOTECODE_CHARS + 1], hash[VOTERKEY_HEX];
            votecode_new(code);
            if (!votecode_normalise(code, norm))
                continue;
            voterkey_code(&app->keys, eid, norm, hash);
            const char *pc[3] = {es, district, hash};
            if (!exec(c, "INSERT INTO voting_codes (election_id, district_id, code_hash) VALUES ($1, $2, decode($3, 'hex'))",
                      3, pc, NULL))
                break;
            printf(" %s", code);
        }
        printf("\n");
    }
    db_sync_result_free(res);
    printf("\n");
    fflush(stdout);
    return true;
}

bool bootstrap_run(struct app *app, const char *conninfo, int port)
{
    char err[512];
    struct db_sync *c = db_sync_connect(conninfo, err, sizeof err);
    if (!c) {
        log_error("bootstrap: %s", err);
        return false;
    }
    int64_t org = 0;
    bool ok = ensure_admin(app, c, &org);
    if (ok && app->cfg.demo && org)
        ok = load_demo(app, c, org, port);
    db_sync_close(c);
    return ok;
}
