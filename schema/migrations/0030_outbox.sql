-- The outbox: every message the server sends (one-time codes, receipts, reminders,
-- moderation decisions, staff invites, test messages) is a row here, written in the same
-- transaction as what caused it, and sent afterwards by the serving processes' dispatchers
-- (server/core/outbox.c). A dispatcher claims rows with FOR UPDATE SKIP LOCKED and a lease,
-- so with many processes and servers each message is sent by one of them; a restart picks
-- up what was queued or whose lease ran out. Recipient and parameters (which hold codes and
-- trackers) are sealed with a key derived from the server secret: the database alone does
-- not show who got which code or receipt. Each attempt and its result is kept.

CREATE TABLE outbox (
    id               bigserial PRIMARY KEY,
    idempotency_key  text NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    organisation_id  bigint REFERENCES organisations (id) ON DELETE CASCADE,
    election_id      bigint REFERENCES elections (id) ON DELETE CASCADE,
    kind             text NOT NULL CHECK (kind IN ('otp', 'receipt', 'reminder', 'moderation', 'invite', 'test')),
    channel          text NOT NULL CHECK (channel IN ('email', 'sms')),
    lang             text NOT NULL DEFAULT 'da',
    recipient_sealed bytea NOT NULL,
    recipient_hint   text NOT NULL,   -- masked, for staff: "+45****5678", "b***@example.dk"
    params_sealed    bytea NOT NULL,  -- the template's values as sealed JSON
    state            text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts         int NOT NULL DEFAULT 0,
    max_attempts     int NOT NULL DEFAULT 10,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    expires_at       timestamptz      -- a one-time code not sent by then is not sent at all
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('queued', 'sending');
CREATE INDEX outbox_by_org ON outbox (organisation_id, id DESC);

CREATE TABLE outbox_attempts (
    message_id  bigint NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    attempt     int NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now(),
    ok          boolean NOT NULL,
    detail      text NOT NULL,
    PRIMARY KEY (message_id, attempt)
);

-- How an organisation's messages leave: e-mail by SMTP, SMS by an HTTPS gateway. No
-- secret is stored here: password_ref and credential_ref name a credential the server
-- reads from its environment or its credentials directory (docs/OPERATIONS.md). With no
-- row (or transport "server"), the server's own --otp-sender delivers (file: in development).
CREATE TABLE delivery_settings (
    organisation_id bigint PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    email           jsonb NOT NULL DEFAULT '{"transport": "server"}',
    sms             jsonb NOT NULL DEFAULT '{"transport": "server"}',
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Message texts: the installation's defaults (election_id NULL) and an election's own,
-- per kind, channel and language. {{name}} marks a value filled in when it is sent.
CREATE TABLE message_templates (
    election_id bigint REFERENCES elections (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('otp', 'receipt', 'reminder', 'moderation', 'invite', 'test')),
    channel     text NOT NULL CHECK (channel IN ('email', 'sms')),
    lang        text NOT NULL CHECK (lang ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$'),
    subject     text NOT NULL DEFAULT '' CHECK (length(subject) <= 200),
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX message_templates_key ON message_templates (coalesce(election_id, 0), kind, channel, lang);

INSERT INTO message_templates (election_id, kind, channel, lang, subject, body) VALUES
 (NULL, 'otp', 'sms', 'da', '', 'Din Borgerbudget-kode er {{code}}. Den gælder i {{minutes}} minutter.'),
 (NULL, 'otp', 'sms', 'en', '', 'Your Borgerbudget code is {{code}}. It is valid for {{minutes}} minutes.'),
 (NULL, 'otp', 'email', 'da', 'Din kode til {{election}}',
  E'Din Borgerbudget-kode er {{code}}. Den gælder i {{minutes}} minutter.\n\nHar du ikke bedt om en kode, kan du se bort fra denne besked.'),
 (NULL, 'otp', 'email', 'en', 'Your code for {{election}}',
  E'Your Borgerbudget code is {{code}}. It is valid for {{minutes}} minutes.\n\nIf you did not ask for a code, ignore this message.'),
 (NULL, 'receipt', 'email', 'da', 'Din kvittering: {{election}}',
  E'Tak for din stemme i {{election}}.\n\nDin kvittering: {{tracker}}\n\nPå opslagstavlen kan du se, at din stemme er talt med:\n{{board_url}}\n\nKvitteringen viser ikke, hvad du har stemt.'),
 (NULL, 'receipt', 'email', 'en', 'Your receipt: {{election}}',
  E'Thank you for voting in {{election}}.\n\nYour receipt: {{tracker}}\n\nOn the bulletin board you can check that your ballot is counted:\n{{board_url}}\n\nThe receipt does not show how you voted.'),
 (NULL, 'receipt', 'sms', 'da', '', 'Din kvittering i {{election}}: {{tracker}}. Tjek den på {{board_url}}'),
 (NULL, 'receipt', 'sms', 'en', '', 'Your receipt in {{election}}: {{tracker}}. Check it at {{board_url}}'),
 (NULL, 'reminder', 'email', 'da', 'Husk at stemme: {{election}}',
  E'Afstemningen i {{election}} lukker {{closes}}. Du har ikke stemt endnu.\n\n{{url}}'),
 (NULL, 'reminder', 'email', 'en', 'Remember to vote: {{election}}',
  E'Voting in {{election}} closes {{closes}}. You have not voted yet.\n\n{{url}}'),
 (NULL, 'reminder', 'sms', 'da', '', 'Afstemningen i {{election}} lukker {{closes}}. Du har ikke stemt endnu: {{url}}'),
 (NULL, 'reminder', 'sms', 'en', '', 'Voting in {{election}} closes {{closes}}. You have not voted yet: {{url}}'),
 (NULL, 'moderation', 'email', 'da', 'Dit forslag: {{proposal}}',
  E'Dit forslag "{{proposal}}" i {{election}} er {{decision}}.\n\n{{reason}}\n\n{{url}}'),
 (NULL, 'moderation', 'email', 'en', 'Your proposal: {{proposal}}',
  E'Your proposal "{{proposal}}" in {{election}} has been {{decision}}.\n\n{{reason}}\n\n{{url}}'),
 (NULL, 'moderation', 'sms', 'da', '', 'Dit forslag "{{proposal}}" er {{decision}}. {{url}}'),
 (NULL, 'moderation', 'sms', 'en', '', 'Your proposal "{{proposal}}" has been {{decision}}. {{url}}'),
 (NULL, 'invite', 'email', 'da', 'Invitation til Borgerbudget: {{organisation}}',
  E'Du er inviteret som {{role}} i {{organisation}}.\n\nVælg din adgangskode her (linket gælder i 7 dage):\n{{invite_url}}'),
 (NULL, 'invite', 'email', 'en', 'Invitation to Borgerbudget: {{organisation}}',
  E'You are invited as {{role}} in {{organisation}}.\n\nChoose your password here (the link is valid for 7 days):\n{{invite_url}}'),
 (NULL, 'test', 'email', 'da', 'Testbesked fra Borgerbudget', 'Dette er en testbesked fra Borgerbudget. Levering virker.'),
 (NULL, 'test', 'email', 'en', 'Test message from Borgerbudget', 'This is a test message from Borgerbudget. Delivery works.'),
 (NULL, 'test', 'sms', 'da', '', 'Testbesked fra Borgerbudget. Levering virker.'),
 (NULL, 'test', 'sms', 'en', '', 'Test message from Borgerbudget. Delivery works.');

-- One-time codes and staff invites now queue their message in the outbox in the same
-- transaction.
DROP FUNCTION IF EXISTS otp_start(bigint, text, uuid, text);
DROP FUNCTION IF EXISTS invite_staff(bigint, boolean, bigint, text, text, bigint, text);
