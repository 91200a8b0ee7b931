-- Reminders before voting closes (issue 16): a signed-in voter who has not cast may ask to
-- be reminded; the address is sealed like every outbox recipient. The row goes when the
-- voter casts (cast_online_ballot) or withdraws, and when the reminder is queued, so each
-- voter gets at most one. No row says how anyone voted; none outlives the vote.
CREATE TABLE reminder_requests (
    election_id      bigint NOT NULL REFERENCES elections (id) ON DELETE CASCADE,
    voter_id         bigint NOT NULL REFERENCES voters (id) ON DELETE CASCADE,
    channel          text NOT NULL CHECK (channel IN ('email', 'sms')),
    lang             text NOT NULL,
    recipient_sealed bytea NOT NULL,
    recipient_hint   text NOT NULL,
    params_sealed    bytea NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (election_id, voter_id)
);

-- outbox_claim (schema/functions/outbox.sql) now also answers the closing time, for the
-- reminder's {{closes}}: a new result row type needs the old function gone.
DROP FUNCTION IF EXISTS outbox_claim(int, int);
