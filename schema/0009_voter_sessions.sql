-- One way to open a voter session: the sign-in functions find (or create) the voter with
-- voter_for_code / voter_for_register and then call voter_session_open, instead of each
-- repeating the voter upsert and the session insert.

CREATE FUNCTION voter_session_open(p_election bigint, v voters, p_token_hash text, p_ttl_s int)
RETURNS TABLE (out_voter bigint, out_district bigint) LANGUAGE plpgsql AS $$
BEGIN
    IF v.id IS NULL THEN
        RETURN; -- no such voter: the caller answers 401
    END IF;
    INSERT INTO sessions (token_hash, kind, voter_id, election_id, expires_at)
    VALUES (decode(p_token_hash, 'hex'), 'voter', v.id, p_election, now() + make_interval(secs => p_ttl_s));
    RETURN QUERY SELECT v.id, v.district_id;
END $$;

CREATE OR REPLACE FUNCTION voter_login_code(p_election bigint, p_code_hash text, p_token_hash text,
                                            p_ttl_s int)
RETURNS TABLE (out_voter bigint, out_district bigint) LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock_shared(p_election);
BEGIN
    IF e.phase NOT IN ('voting', 'proposals') THEN
        RAISE EXCEPTION 'Voting is not open.' USING ERRCODE = 'PB409';
    END IF;
    RETURN QUERY SELECT * FROM voter_session_open(e.id, voter_for_code(e.id, p_code_hash), p_token_hash, p_ttl_s);
END $$;

CREATE OR REPLACE FUNCTION voter_login_register(p_election bigint, p_match_hash text, p_token_hash text,
                                                p_ttl_s int)
RETURNS TABLE (out_voter bigint, out_district bigint) LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock_shared(p_election);
BEGIN
    IF e.phase NOT IN ('voting', 'proposals') THEN
        RAISE EXCEPTION 'Voting is not open.' USING ERRCODE = 'PB409';
    END IF;
    RETURN QUERY SELECT * FROM voter_session_open(e.id, voter_for_register(e.id, p_match_hash), p_token_hash, p_ttl_s);
END $$;

CREATE OR REPLACE FUNCTION otp_finish(p_election bigint, p_challenge uuid, p_code_hash text, p_token_hash text, p_ttl_s int)
RETURNS TABLE (out_voter bigint, out_district bigint) LANGUAGE plpgsql AS $$
DECLARE
    c otp_challenges;
BEGIN
    SELECT * INTO c FROM otp_challenges WHERE id = p_challenge AND election_id = p_election FOR UPDATE;
    IF NOT FOUND OR c.used_at IS NOT NULL OR c.expires_at < now() OR c.attempts >= 5 THEN
        RETURN;
    END IF;
    IF c.code_hash <> decode(p_code_hash, 'hex') THEN
        UPDATE otp_challenges SET attempts = attempts + 1 WHERE id = c.id;
        RETURN;
    END IF;
    UPDATE otp_challenges SET used_at = now() WHERE id = c.id;
    RETURN QUERY SELECT * FROM voter_session_open(p_election, voter_for_register_id(p_election, c.register_id),
                                                  p_token_hash, p_ttl_s);
END $$;
