/*
 * routes: the table of every API route: method, path pattern, handler, who may call it.
 * docs/openapi.yaml describes each of them; a test keeps the two in step.
 */
#include "api/handlers.h"
#include "core/router.h"

#define J ROUTE_JSON_BODY
#define OPT ROUTE_OPTIONAL_AUTH

static const struct route routes[] = {
    {M_GET, "/healthz", health_live, AUTH_NONE, 0},
    {M_GET, "/readyz", health_ready, AUTH_NONE, 0},
    {M_GET, "/metrics", health_metrics, AUTH_NONE, 0},
    {M_GET, "/api/v1/openapi.json", health_openapi, AUTH_NONE, 0},

    {M_POST, "/api/v1/staff/login", staff_login, AUTH_NONE, J},
    {M_POST, "/api/v1/staff/logout", staff_logout, AUTH_STAFF, J},
    {M_GET, "/api/v1/staff/me", staff_me, AUTH_STAFF, 0},
    {M_POST, "/api/v1/staff/accept", staff_accept, AUTH_NONE, J},
    {M_POST, "/api/v1/staff/password", staff_password, AUTH_STAFF, J},
    {M_POST, "/api/v1/staff/totp", staff_totp_setup, AUTH_STAFF, J},
    {M_POST, "/api/v1/staff/totp/enable", staff_totp_enable, AUTH_STAFF, J},

    {M_GET, "/api/v1/organisations", organisation_list, AUTH_STAFF, 0},
    {M_POST, "/api/v1/organisations", organisation_create, AUTH_STAFF, J},
    {M_GET, "/api/v1/organisations/:id/staff", organisation_staff_list, AUTH_STAFF, 0},
    {M_POST, "/api/v1/organisations/:id/staff", organisation_staff_invite, AUTH_STAFF, J},

    {M_GET, "/api/v1/elections", election_list, AUTH_NONE, OPT | ROUTE_CACHED},
    {M_POST, "/api/v1/elections", election_create, AUTH_STAFF, J},
    {M_GET, "/api/v1/elections/:id", election_get, AUTH_NONE, OPT | ROUTE_CACHED},
    {M_PATCH, "/api/v1/elections/:id", election_patch, AUTH_STAFF, J},
    {M_POST, "/api/v1/elections/:id/phase", election_phase, AUTH_STAFF, J},
    {M_GET, "/api/v1/elections/:id/districts", district_list, AUTH_NONE, OPT},
    {M_POST, "/api/v1/elections/:id/districts", district_create, AUTH_STAFF, J},
    {M_GET, "/api/v1/elections/:id/audit", election_audit, AUTH_STAFF, 0},
    {M_GET, "/api/v1/elections/:id/audit/verify", election_audit_verify, AUTH_STAFF, 0},

    {M_GET, "/api/v1/elections/:id/proposals", proposal_list, AUTH_NONE, OPT | ROUTE_CACHED},
    {M_POST, "/api/v1/elections/:id/proposals", proposal_create, AUTH_NONE, J | OPT},
    {M_GET, "/api/v1/proposals/:id", proposal_get, AUTH_NONE, OPT},
    {M_GET, "/api/v1/elections/:id/my-proposals", proposal_mine, AUTH_VOTER, 0},
    {M_PATCH, "/api/v1/proposals/:id", proposal_patch, AUTH_STAFF, J},
    {M_GET, "/api/v1/proposals/:id/history", proposal_history, AUTH_STAFF, 0},

    {M_POST, "/api/v1/elections/:id/codes", codes_create, AUTH_STAFF, J},
    {M_POST, "/api/v1/elections/:id/codes/revoke", codes_revoke, AUTH_STAFF, J},
    {M_POST, "/api/v1/elections/:id/register", register_upload, AUTH_STAFF, ROUTE_LARGE_BODY},
    {M_POST, "/api/v1/elections/:id/voter-sessions", voter_session_create, AUTH_NONE, J},
    {M_DELETE, "/api/v1/elections/:id/voter-sessions/current", voter_session_delete, AUTH_VOTER, 0},
    {M_PUT, "/api/v1/elections/:id/ballot", ballot_put, AUTH_VOTER, J | ROUTE_VOTER_CHECKED},
    {M_GET, "/api/v1/elections/:id/ballot", ballot_get, AUTH_VOTER, 0},
    {M_POST, "/api/v1/elections/:id/paper-ballots", paper_enter, AUTH_STAFF, J},
    {M_GET, "/api/v1/elections/:id/paper-ballots", paper_list, AUTH_STAFF, 0},

    {M_POST, "/api/v1/elections/:id/tally", result_tally, AUTH_STAFF, J},
    {M_POST, "/api/v1/elections/:id/publish", result_publish, AUTH_STAFF, J},
    {M_GET, "/api/v1/elections/:id/results", result_get, AUTH_NONE, OPT},
    {M_GET, "/api/v1/elections/:id/results/share", result_share, AUTH_NONE, 0},
    {M_GET, "/api/v1/elections/:id/trackers", result_trackers, AUTH_NONE, 0},
    {M_GET, "/api/v1/elections/:id/turnout", result_turnout, AUTH_NONE, OPT},
    {M_GET, "/api/v1/elections/:id/export", export_get, AUTH_NONE, OPT},
    {M_GET, "/api/v1/elections/:id/public-key", export_public_key, AUTH_NONE, 0},
};

const struct route *router_table(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
