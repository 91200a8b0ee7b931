-- The moderation decision, sent to the idea's author who asks for it (issue on delivery:
-- "what is sent to idea authors"). With the idea (or later, while it can be edited) the
-- author may leave an e-mail address or phone number; it is sealed like every outbox
-- recipient (the database alone does not show it) and never leaves the server again in
-- clear: the author sees only its masked hint, exports never hold it. When staff accept,
-- reject (with the reason) or merge the idea, one message is queued in the decision's own
-- transaction (functions/ideanotices.sql). The row goes with the proposal, when the author
-- withdraws, and when voting opens (no decision can come after).
CREATE TABLE idea_notices (
    proposal_id      bigint PRIMARY KEY REFERENCES proposals (id) ON DELETE CASCADE,
    election_id      bigint NOT NULL REFERENCES elections (id) ON DELETE CASCADE,
    channel          text NOT NULL CHECK (channel IN ('email', 'sms')),
    lang             text NOT NULL CHECK (lang ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$'),
    recipient_sealed bytea NOT NULL,
    recipient_hint   text NOT NULL,
    params_sealed    bytea NOT NULL,
    decisions        int NOT NULL DEFAULT 0,   -- messages queued for it so far
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idea_notices_election ON idea_notices (election_id);

-- A new kind of message, with texts staff can change per election.
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
    CHECK (kind IN ('otp', 'receipt', 'reminder', 'moderation', 'idea_decision', 'invite', 'test'));
ALTER TABLE message_templates DROP CONSTRAINT IF EXISTS message_templates_kind_check;
ALTER TABLE message_templates ADD CONSTRAINT message_templates_kind_check
    CHECK (kind IN ('otp', 'receipt', 'reminder', 'moderation', 'idea_decision', 'invite', 'test'));

-- Values of a message that the database itself fills in when it queues one and that hold
-- nothing the database does not hold in clear already (an idea's title, the decision, the
-- moderator's reason, the proposal's address). The sealed params win over them.
ALTER TABLE outbox ADD COLUMN vars jsonb NOT NULL DEFAULT '{}';

-- outbox_claim now also answers vars: a new result row type needs the old function gone.
DROP FUNCTION IF EXISTS outbox_claim(int, int);

-- {{idea}} the idea's title, {{decision}} what was decided ("accepted", "rejected", "merged
-- into “…”", in the message's language), {{reason}} the moderator's reason with its label
-- (empty when there is none), {{url}} the proposal's page (for a rejected idea, the
-- author's "my ideas"), {{election}} the election's title.
INSERT INTO message_templates (election_id, kind, channel, lang, subject, body) VALUES
 (NULL, 'idea_decision', 'email', 'da', 'Din idé: {{idea}}',
  E'Din idé »{{idea}}« i {{election}} er blevet {{decision}}.\n\n{{reason}}\n\n{{url}}'),
 (NULL, 'idea_decision', 'email', 'en', 'Your idea: {{idea}}',
  E'Your idea “{{idea}}” in {{election}} has been {{decision}}.\n\n{{reason}}\n\n{{url}}'),
 (NULL, 'idea_decision', 'email', 'de', 'Ihre Idee: {{idea}}',
  E'Ihre Idee „{{idea}}“ in {{election}} wurde {{decision}}.\n\n{{reason}}\n\n{{url}}'),
 (NULL, 'idea_decision', 'email', 'uk', 'Ваша ідея: {{idea}}',
  E'Вашу ідею «{{idea}}» у {{election}} {{decision}}.\n\n{{reason}}\n\n{{url}}'),
 (NULL, 'idea_decision', 'email', 'ar', 'فكرتك: {{idea}}',
  E'فكرتك «{{idea}}» في {{election}}: {{decision}}.\n\n{{reason}}\n\n{{url}}'),
 (NULL, 'idea_decision', 'sms', 'da', '', 'Din idé »{{idea}}« er blevet {{decision}}. {{reason}} {{url}}'),
 (NULL, 'idea_decision', 'sms', 'en', '', 'Your idea “{{idea}}” has been {{decision}}. {{reason}} {{url}}'),
 (NULL, 'idea_decision', 'sms', 'de', '', 'Ihre Idee „{{idea}}“ wurde {{decision}}. {{reason}} {{url}}'),
 (NULL, 'idea_decision', 'sms', 'uk', '', 'Вашу ідею «{{idea}}» {{decision}}. {{reason}} {{url}}'),
 (NULL, 'idea_decision', 'sms', 'ar', '', 'فكرتك «{{idea}}»: {{decision}}. {{reason}} {{url}}');
