-- A voter can end a session before it expires (the kiosk does after every ballot, so the
-- next citizen at the screen cannot read or change the last one's ballot). A signed token
-- cannot be deleted, so its hash is kept here until it would have expired anyway.

CREATE TABLE voter_signouts (
    token_hash bytea PRIMARY KEY,
    expires_at timestamptz NOT NULL
);
CREATE INDEX voter_signouts_expiry ON voter_signouts (expires_at);

DROP FUNCTION cast_online_ballot(bigint, bigint, bigint, text, bigint[], bigint[], text);
DROP FUNCTION voter_active(bigint, bigint);

CREATE FUNCTION voter_active(p_election bigint, p_voter bigint, p_token_hash text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM voters v LEFT JOIN voting_codes c ON c.id = v.code_id
                    WHERE v.id = p_voter AND v.election_id = p_election AND c.revoked_at IS NULL)
       AND NOT EXISTS (SELECT 1 FROM voter_signouts WHERE token_hash = decode(p_token_hash, 'hex'))
$$;

CREATE FUNCTION cast_online_ballot(p_election bigint, p_district bigint, p_voter bigint, p_voter_tag text,
                                   p_items bigint[], p_points bigint[], p_tracker text, p_token_hash text)
RETURNS TABLE (replaced boolean) LANGUAGE plpgsql AS $$
BEGIN
    IF NOT voter_active(p_election, p_voter, p_token_hash) THEN
        RAISE EXCEPTION 'This voting session has ended; sign in again.' USING ERRCODE = 'PB401';
    END IF;
    RETURN QUERY SELECT * FROM cast_ballot(p_election, p_district, p_voter_tag, p_items, p_points, p_tracker, 'online');
END $$;

-- Ends the session of this token (a signed one, or a session row from before signed tokens)
-- and forgets sign-outs whose tokens have expired.
CREATE FUNCTION voter_sign_out(p_token_hash text, p_ttl_s int) RETURNS void LANGUAGE sql AS $$
    DELETE FROM voter_signouts WHERE expires_at < now();
    DELETE FROM sessions WHERE token_hash = decode(p_token_hash, 'hex') AND kind = 'voter';
    INSERT INTO voter_signouts (token_hash, expires_at)
    VALUES (decode(p_token_hash, 'hex'), now() + make_interval(secs => p_ttl_s))
    ON CONFLICT (token_hash) DO NOTHING;
$$;
