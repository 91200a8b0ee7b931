/*
 * handlers: every route's entry point, one group per domain module. The route table in
 * routes.c is the only user of this header. A handler runs after the gate has checked
 * what its route row declares (core/auth.h).
 */
#ifndef PB_HANDLERS_H
#define PB_HANDLERS_H

#include "core/req.h"

/* health.c */
void health_live(struct req *r);
void health_ready(struct req *r);
void health_metrics(struct req *r);
void health_openapi(struct req *r);

/* site.c */
void site_config(struct req *r);

/* staff.c */
void staff_login(struct req *r);
void staff_logout(struct req *r);
void staff_me(struct req *r);
void staff_accept(struct req *r);
void staff_password(struct req *r);
void staff_totp_setup(struct req *r);
void staff_totp_enable(struct req *r);

/* organisation.c */
void organisation_create(struct req *r);
void organisation_list(struct req *r);
void organisation_staff_invite(struct req *r);
void organisation_staff_list(struct req *r);
void organisation_staff_remove(struct req *r);

/* election.c */
void election_create(struct req *r);
void election_list(struct req *r);
void election_get(struct req *r);
void election_patch(struct req *r);
void election_phase(struct req *r);
void election_audit(struct req *r);
void election_audit_verify(struct req *r);

/* district.c */
void district_create(struct req *r);
void district_list(struct req *r);
void district_patch(struct req *r);
void district_delete(struct req *r);
void district_group_create(struct req *r);
void district_group_list(struct req *r);
void district_group_patch(struct req *r);
void district_group_delete(struct req *r);

/* proposal.c */
void proposal_create(struct req *r);
void proposal_list(struct req *r);
void proposal_get(struct req *r);
void proposal_patch(struct req *r);
void proposal_history(struct req *r);
void proposal_mine(struct req *r);
void proposal_notify_withdraw(struct req *r);

/* import.c */
void proposal_import(struct req *r);
void proposal_export(struct req *r);
/* photo.c */
void photo_upload(struct req *r);
void photo_delete(struct req *r);
void photo_get(struct req *r);

/* voter.c */
void codes_create(struct req *r);
void voter_session_create(struct req *r);
void voter_session_delete(struct req *r);
void voter_session_get(struct req *r);
void voter_choose(struct req *r);
void codes_revoke(struct req *r);
void codes_stats(struct req *r);

/* register.c */
void register_upload(struct req *r);

/* paper.c */
void paper_enter(struct req *r);
void paper_list(struct req *r);
void paper_correct(struct req *r);
/* For the route table: a paper entry that resolves a double-entry mismatch needs an admin. */
bool paper_resolves(const struct req *r);
/* The export asked for holds ballots or counts (any format but trackers). */
bool export_reveals_votes(const struct req *r);

/* ballot.c */
void ballot_put(struct req *r);
void ballot_get(struct req *r);

/* support.c */
void support_put(struct req *r);
void support_delete(struct req *r);
void support_list(struct req *r);
void support_ranking(struct req *r);

/* count.c */
void result_tally(struct req *r);
void result_tally_status(struct req *r);

/* result.c */
void result_publish(struct req *r);
void result_get(struct req *r);
void result_share(struct req *r);
void result_trackers(struct req *r);
void result_turnout(struct req *r);
void result_demographics(struct req *r);

/* oidc.c: OpenID Connect sign-in */
void oidc_start(struct req *r);
void staff_oidc_start(struct req *r);
void staff_oidc_session(struct req *r);
/* idp.c: the providers admins configure */
void idp_list(struct req *r);
void idp_put(struct req *r);
void idp_delete(struct req *r);
/* embed.c: the election pages on the organisation's own site */
void embed_get(struct req *r);
void embed_put(struct req *r);
void embed_page(struct req *r);

/* reminder.c: a voter's reminder before voting closes */
void reminder_request(struct req *r);
void reminder_get(struct req *r);
void reminder_withdraw(struct req *r);

/* delivery.c: outbound messages */
void delivery_get(struct req *r);
void delivery_put(struct req *r);
void delivery_test(struct req *r);
void delivery_outbox(struct req *r);
/* {"to", "lang"?} of a message to send: false when refused (the answer is sent) */
bool delivery_read_recipient(struct req *r, const char **to, const char **lang);
void templates_get(struct req *r);
void templates_put(struct req *r);
void receipt_email(struct req *r);
/* export.c */
void export_get(struct req *r);
void export_public_key(struct req *r);

#endif
