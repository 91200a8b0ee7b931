-- A voter can end a session before it expires (the kiosk does after every ballot, so the
-- next citizen at the screen cannot read or change the last one's ballot). A signed token
-- cannot be deleted, so its hash is kept here until it would have expired anyway.

CREATE TABLE voter_signouts (
    token_hash bytea PRIMARY KEY,
    expires_at timestamptz NOT NULL
);
CREATE INDEX voter_signouts_expiry ON voter_signouts (expires_at);

-- voter_active and cast_online_ballot gained the token's hash (schema/functions/): drop
-- the old argument lists.
DROP FUNCTION IF EXISTS cast_online_ballot(bigint, bigint, bigint, text, bigint[], bigint[], text);
DROP FUNCTION IF EXISTS voter_active(bigint, bigint);
