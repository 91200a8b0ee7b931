/*
 * routes: the table of every API route: method, path pattern, handler, and what the
 * handler needs — who must be signed in, what the path's id names, the role, the phases.
 * The gate (core/auth.c) checks a row before its handler runs; core/router.h says what
 * each field means. docs/openapi.yaml describes each route; a test keeps the two in step.
 */
#include "api/handlers.h"
#include "core/router.h"

#define J ROUTE_JSON_BODY
#define E ROUTE_EMPTY_BODY
#define OPT ROUTE_OPTIONAL_AUTH

/* What a row's first id names. */
#define NO_SCOPE .scope = SCOPE_NONE
#define ELECTION .scope = SCOPE_ELECTION
#define PROPOSAL .scope = SCOPE_PROPOSAL
#define ORGANISATION .scope = SCOPE_ORGANISATION

/* Setting up: until voting opens. */
#define BEFORE_VOTING (PH(PHASE_DRAFT) | PH(PHASE_PROPOSALS) | PH(PHASE_REVIEW))

static const struct route routes[] = {
    {M_GET, "/healthz", health_live, AUTH_NONE, 0, NO_SCOPE},
    {M_GET, "/readyz", health_ready, AUTH_NONE, 0, NO_SCOPE},
    {M_GET, "/metrics", health_metrics, AUTH_NONE, 0, NO_SCOPE},
    {M_GET, "/api/v1/openapi.json", health_openapi, AUTH_NONE, 0, NO_SCOPE},
    /* a page, not the API: the widget (or the voting pages) in another site's frame */
    {M_GET, "/embed/:id", embed_page, AUTH_NONE, 0, ELECTION},
    {M_GET, "/api/v1/config", site_config, AUTH_NONE, 0, NO_SCOPE},

    {M_POST, "/api/v1/staff/login", staff_login, AUTH_NONE, J, NO_SCOPE},
    {M_POST, "/api/v1/staff/logout", staff_logout, AUTH_STAFF, E, NO_SCOPE},
    {M_GET, "/api/v1/staff/me", staff_me, AUTH_STAFF, 0, NO_SCOPE},
    {M_POST, "/api/v1/staff/accept", staff_accept, AUTH_NONE, J, NO_SCOPE},
    {M_POST, "/api/v1/staff/password", staff_password, AUTH_STAFF, J, NO_SCOPE},
    {M_POST, "/api/v1/staff/totp", staff_totp_setup, AUTH_STAFF, E, NO_SCOPE},
    {M_POST, "/api/v1/staff/totp/enable", staff_totp_enable, AUTH_STAFF, J, NO_SCOPE},
    /* staff through the organisation's OpenID provider; roles stay Borgerbudget's */
    {M_POST, "/api/v1/staff/oidc/start", staff_oidc_start, AUTH_NONE, J, NO_SCOPE},
    {M_POST, "/api/v1/staff/oidc/session", staff_oidc_session, AUTH_NONE, J, NO_SCOPE},

    {M_GET, "/api/v1/organisations", organisation_list, AUTH_STAFF, 0, NO_SCOPE},
    {M_POST, "/api/v1/organisations", organisation_create, AUTH_STAFF, J, NO_SCOPE, .role = ROLE_SUPERADMIN},
    {M_GET, "/api/v1/organisations/:id/staff", organisation_staff_list, AUTH_STAFF, 0, ORGANISATION,
     .role = ROLE_ADMIN},
    {M_POST, "/api/v1/organisations/:id/staff", organisation_staff_invite, AUTH_STAFF, J, ORGANISATION,
     .role = ROLE_ADMIN},
    {M_DELETE, "/api/v1/organisations/:id/staff/:id", organisation_staff_remove, AUTH_STAFF, E, ORGANISATION,
     .role = ROLE_ADMIN},
    {M_GET, "/api/v1/organisations/:id/oidc-providers", idp_list, AUTH_STAFF, 0, ORGANISATION, .role = ROLE_ADMIN},
    {M_PUT, "/api/v1/organisations/:id/oidc-providers", idp_put, AUTH_STAFF, J, ORGANISATION, .role = ROLE_ADMIN},
    {M_DELETE, "/api/v1/organisations/:id/oidc-providers/:id", idp_delete, AUTH_STAFF, 0, ORGANISATION,
     .role = ROLE_ADMIN},
    {M_GET, "/api/v1/organisations/:id/delivery", delivery_get, AUTH_STAFF, 0, ORGANISATION, .role = ROLE_ADMIN},
    {M_PUT, "/api/v1/organisations/:id/delivery", delivery_put, AUTH_STAFF, J, ORGANISATION, .role = ROLE_ADMIN},
    {M_POST, "/api/v1/organisations/:id/delivery/test", delivery_test, AUTH_STAFF, J, ORGANISATION,
     .role = ROLE_ADMIN},
    {M_GET, "/api/v1/organisations/:id/embed", embed_get, AUTH_STAFF, 0, ORGANISATION, .role = ROLE_ADMIN},
    {M_PUT, "/api/v1/organisations/:id/embed", embed_put, AUTH_STAFF, J, ORGANISATION, .role = ROLE_ADMIN},
    {M_GET, "/api/v1/organisations/:id/outbox", delivery_outbox, AUTH_STAFF, 0, ORGANISATION, .role = ROLE_ADMIN},

    {M_GET, "/api/v1/elections", election_list, AUTH_NONE, OPT | ROUTE_CACHED, NO_SCOPE},
    {M_POST, "/api/v1/elections", election_create, AUTH_STAFF, J, NO_SCOPE},
    {M_GET, "/api/v1/elections/:id", election_get, AUTH_NONE, OPT | ROUTE_CACHED, ELECTION},
    {M_PATCH, "/api/v1/elections/:id", election_patch, AUTH_STAFF, J, ELECTION, .role = ROLE_ADMIN},
    {M_POST, "/api/v1/elections/:id/phase", election_phase, AUTH_STAFF, J, ELECTION, .role = ROLE_ADMIN},
    {M_GET, "/api/v1/elections/:id/districts", district_list, AUTH_NONE, OPT, ELECTION},
    {M_POST, "/api/v1/elections/:id/districts", district_create, AUTH_STAFF, J, ELECTION, .role = ROLE_ADMIN},
    {M_PATCH, "/api/v1/elections/:id/districts/:id", district_patch, AUTH_STAFF, J, ELECTION, .role = ROLE_ADMIN,
     .phases = BEFORE_VOTING, .phase_hint = "Districts are fixed once voting opens."},
    {M_DELETE, "/api/v1/elections/:id/districts/:id", district_delete, AUTH_STAFF, E, ELECTION, .role = ROLE_ADMIN,
     .phases = BEFORE_VOTING, .phase_hint = "Districts are fixed once voting opens."},
    {M_GET, "/api/v1/elections/:id/district-groups", district_group_list, AUTH_NONE, OPT, ELECTION},
    {M_POST, "/api/v1/elections/:id/district-groups", district_group_create, AUTH_STAFF, J, ELECTION,
     .role = ROLE_ADMIN, .phases = BEFORE_VOTING, .phase_hint = "Groups of districts are fixed once voting opens."},
    {M_PATCH, "/api/v1/elections/:id/district-groups/:id", district_group_patch, AUTH_STAFF, J, ELECTION,
     .role = ROLE_ADMIN, .phases = BEFORE_VOTING, .phase_hint = "Groups of districts are fixed once voting opens."},
    {M_DELETE, "/api/v1/elections/:id/district-groups/:id", district_group_delete, AUTH_STAFF, E, ELECTION,
     .role = ROLE_ADMIN, .phases = BEFORE_VOTING, .phase_hint = "Groups of districts are fixed once voting opens."},
    {M_GET, "/api/v1/elections/:id/audit", election_audit, AUTH_STAFF, 0, ELECTION, .role = ROLE_ANY_STAFF},
    {M_GET, "/api/v1/elections/:id/audit/verify", election_audit_verify, AUTH_STAFF, 0, ELECTION,
     .role = ROLE_ANY_STAFF},

    {M_GET, "/api/v1/elections/:id/proposals", proposal_list, AUTH_NONE, OPT | ROUTE_CACHED, ELECTION},
    /* staff as moderators; citizens with a voter session of this election */
    {M_POST, "/api/v1/elections/:id/proposals", proposal_create, AUTH_ANY, J, ELECTION,
     .role = ROLE_MODERATOR},
    /* a spreadsheet's CSV: checked whole (a dry run lists every problem), stored whole */
    {M_POST, "/api/v1/elections/:id/proposals/import", proposal_import, AUTH_STAFF, ROUTE_LARGE_BODY, ELECTION,
     .role = ROLE_MODERATOR, .phases = BEFORE_VOTING, .phase_hint = "Proposals are added until voting opens."},
    {M_GET, "/api/v1/elections/:id/proposals/export", proposal_export, AUTH_STAFF, 0, ELECTION,
     .role = ROLE_ANY_STAFF},
    {M_GET, "/api/v1/proposals/:id", proposal_get, AUTH_NONE, OPT, PROPOSAL},
    {M_GET, "/api/v1/elections/:id/my-proposals", proposal_mine, AUTH_VOTER, ROUTE_NO_LOAD, ELECTION},
    /* moderators; the author of an idea while it waits for review (the SQL function checks) */
    {M_PATCH, "/api/v1/proposals/:id", proposal_patch, AUTH_ANY, J, PROPOSAL, .role = ROLE_MODERATOR},
    /* the author withdraws the address the moderation decision would go to */
    {M_DELETE, "/api/v1/proposals/:id/notify", proposal_notify_withdraw, AUTH_VOTER, 0, PROPOSAL},
    /* photos: the author while the idea waits for review, staff until voting opens (the
     * SQL function checks which); served publicly under a random id */
    {M_POST, "/api/v1/proposals/:id/photos", photo_upload, AUTH_ANY, ROUTE_LARGE_BODY, PROPOSAL,
     .role = ROLE_MODERATOR},
    {M_DELETE, "/api/v1/proposals/:id/photos/:id", photo_delete, AUTH_ANY, 0, PROPOSAL, .role = ROLE_MODERATOR},
    {M_GET, "/api/v1/photos/:id", photo_get, AUTH_NONE, 0, NO_SCOPE},
    {M_GET, "/api/v1/proposals/:id/history", proposal_history, AUTH_STAFF, 0, PROPOSAL,
     .role = ROLE_ANY_STAFF},

    {M_GET, "/api/v1/elections/:id/codes", codes_stats, AUTH_STAFF, 0, ELECTION, .role = ROLE_ANY_STAFF},
    {M_POST, "/api/v1/elections/:id/codes", codes_create, AUTH_STAFF, J, ELECTION, .role = ROLE_ADMIN},
    {M_POST, "/api/v1/elections/:id/codes/revoke", codes_revoke, AUTH_STAFF, J, ELECTION, .role = ROLE_ADMIN},
    {M_POST, "/api/v1/elections/:id/register", register_upload, AUTH_STAFF, ROUTE_LARGE_BODY, ELECTION,
     .role = ROLE_ADMIN},
    /* sign-in runs hot on voting day: its own statements check the election */
    {M_POST, "/api/v1/elections/:id/voter-sessions", voter_session_create, AUTH_NONE, J | ROUTE_NO_LOAD,
     ELECTION},
    /* OpenID Connect: the sign-in leaves for the provider; it returns through voter-sessions */
    {M_POST, "/api/v1/elections/:id/oidc/start", oidc_start, AUTH_NONE, E, ELECTION,
     .phases = PH(PHASE_VOTING) | PH(PHASE_PROPOSALS) | PH(PHASE_SUPPORTS),
     .phase_hint = "Signing in opens with the ideas phase, the supports phase and voting."},
    {M_DELETE, "/api/v1/elections/:id/voter-sessions/current", voter_session_delete, AUTH_VOTER, ROUTE_NO_LOAD,
     ELECTION},
    {M_GET, "/api/v1/elections/:id/voter-sessions/current", voter_session_get, AUTH_VOTER, ROUTE_NO_LOAD, ELECTION},
    /* a district chosen once where a group lets voters choose: the SQL function checks the
     * session, the phase and that the choice is final; the answer is a new session */
    {M_POST, "/api/v1/elections/:id/district-choice", voter_choose, AUTH_VOTER,
     J | ROUTE_VOTER_CHECKED | ROUTE_NO_LOAD, ELECTION},
    /* the cast checks the phase and the voter inside its own statement */
    {M_PUT, "/api/v1/elections/:id/ballot", ballot_put, AUTH_VOTER, J | ROUTE_VOTER_CHECKED | ROUTE_NO_LOAD,
     ELECTION},
    {M_GET, "/api/v1/elections/:id/ballot", ballot_get, AUTH_VOTER, ROUTE_NO_LOAD, ELECTION},
    /* supports (pre-selection): the phase, district and limit are checked in set_support */
    {M_PUT, "/api/v1/elections/:id/supports/:id", support_put, AUTH_VOTER, E | ROUTE_VOTER_CHECKED | ROUTE_NO_LOAD,
     ELECTION},
    {M_DELETE, "/api/v1/elections/:id/supports/:id", support_delete, AUTH_VOTER, ROUTE_VOTER_CHECKED | ROUTE_NO_LOAD,
     ELECTION},
    {M_GET, "/api/v1/elections/:id/supports", support_list, AUTH_VOTER, ROUTE_NO_LOAD, ELECTION},
    {M_GET, "/api/v1/elections/:id/support-ranking", support_ranking, AUTH_STAFF, 0, ELECTION,
     .role = ROLE_ANY_STAFF},
    /* the receipt by e-mail or SMS: only the current ballot's tracker, never the ballot */
    {M_POST, "/api/v1/elections/:id/receipt-email", receipt_email, AUTH_VOTER, J | ROUTE_NO_LOAD, ELECTION},
    {M_POST, "/api/v1/elections/:id/reminder", reminder_request, AUTH_VOTER, J, ELECTION, .phases = PH(PHASE_VOTING),
     .phase_hint = "Reminders are for votes that are open."},
    {M_GET, "/api/v1/elections/:id/reminder", reminder_get, AUTH_VOTER, 0, ELECTION},
    {M_DELETE, "/api/v1/elections/:id/reminder", reminder_withdraw, AUTH_VOTER, 0, ELECTION},
    {M_GET, "/api/v1/elections/:id/message-templates", templates_get, AUTH_STAFF, 0, ELECTION, .role = ROLE_ADMIN},
    {M_PUT, "/api/v1/elections/:id/message-templates", templates_put, AUTH_STAFF, J, ELECTION, .role = ROLE_ADMIN},
    {M_POST, "/api/v1/elections/:id/paper-ballots", paper_enter, AUTH_STAFF, J, ELECTION, .role = ROLE_CLERK,
     .phases = PH(PHASE_VOTING) | PH(PHASE_CLOSED), .phase_hint = "Paper ballots are entered while voting is open or closed, before the results are published.",
     .elevated = paper_resolves, .elevated_role = ROLE_ADMIN},
    {M_GET, "/api/v1/elections/:id/paper-ballots", paper_list, AUTH_STAFF, 0, ELECTION, .role = ROLE_CLERK},
    {M_POST, "/api/v1/elections/:id/paper-ballots/corrections", paper_correct, AUTH_STAFF, J, ELECTION,
     .role = ROLE_ADMIN, .phases = PH(PHASE_VOTING) | PH(PHASE_CLOSED),
     .phase_hint = "Paper ballots are corrected while voting is open or closed, before the count."},

    {M_POST, "/api/v1/elections/:id/tally", result_tally, AUTH_STAFF, E, ELECTION, .role = ROLE_ADMIN,
     .phases = PH(PHASE_CLOSED), .phase_hint = "Close voting before counting."},
    {M_GET, "/api/v1/elections/:id/tally", result_tally_status, AUTH_STAFF, 0, ELECTION, .role = ROLE_ANY_STAFF},
    {M_POST, "/api/v1/elections/:id/publish", result_publish, AUTH_STAFF, E, ELECTION, .role = ROLE_ADMIN},
    {M_GET, "/api/v1/elections/:id/results", result_get, AUTH_NONE, OPT, ELECTION,
     .public_phases = PH(PHASE_PUBLISHED)},
    {M_GET, "/api/v1/elections/:id/results/share", result_share, AUTH_NONE, ROUTE_NO_LOAD, ELECTION},
    {M_GET, "/api/v1/elections/:id/trackers", result_trackers, AUTH_NONE, ROUTE_NO_LOAD, ELECTION},
    {M_GET, "/api/v1/elections/:id/turnout", result_turnout, AUTH_NONE, OPT, ELECTION},
    {M_GET, "/api/v1/elections/:id/turnout/demographics", result_demographics, AUTH_STAFF, 0, ELECTION,
     .role = ROLE_ANY_STAFF},
    /* ballots and counts (every format but trackers) only once voting has closed, for
     * every role: no signed interim snapshot */
    {M_GET, "/api/v1/elections/:id/export", export_get, AUTH_NONE, OPT, ELECTION,
     .public_phases = PH(PHASE_PUBLISHED), .reveals = export_reveals_votes,
     .reveal_phases = PH(PHASE_CLOSED) | PH(PHASE_PUBLISHED),
     .reveal_hint = "Ballots and counts are exported once voting has closed; trackers at any time."},
    {M_GET, "/api/v1/elections/:id/public-key", export_public_key, AUTH_NONE, OPT, ELECTION,
     .phases = PH(PHASE_VOTING) | PH(PHASE_CLOSED) | PH(PHASE_PUBLISHED),
     .phase_hint = "The public key is published when voting opens."},
};

const struct route *router_table(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
