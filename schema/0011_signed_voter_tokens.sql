-- Voter sessions become signed tokens (server/votertoken.c) instead of rows in sessions:
-- signing in no longer writes a session row, and a cast no longer looks one up. A repeated
-- sign-in writes nothing at all (the voter row is created on the first one only).
-- What a row gave and a signature cannot, ending the session when its code is revoked, is
-- checked by voter_active: inside cast_online_ballot, and before every other voter call.
-- Session rows made before this migration stay valid until they expire.

CREATE FUNCTION voter_active(p_election bigint, p_voter bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM voters v LEFT JOIN voting_codes c ON c.id = v.code_id
                    WHERE v.id = p_voter AND v.election_id = p_election AND c.revoked_at IS NULL)
$$;

-- The voter behind a code or a register entry, created on first use: exactly once even when
-- first sign-ins race (the unique index decides), and without a write when it exists.
CREATE OR REPLACE FUNCTION voter_for_code(p_election bigint, p_code_hash text) RETURNS voters
LANGUAGE plpgsql AS $$
DECLARE
    c voting_codes;
    v voters;
BEGIN
    SELECT * INTO c FROM voting_codes
     WHERE code_hash = decode(p_code_hash, 'hex') AND election_id = p_election AND revoked_at IS NULL;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT * INTO v FROM voters WHERE code_id = c.id;
    IF FOUND THEN
        RETURN v;
    END IF;
    INSERT INTO voters (election_id, district_id, code_id) VALUES (p_election, c.district_id, c.id)
    ON CONFLICT (code_id) DO NOTHING RETURNING * INTO v;
    IF NOT FOUND THEN
        SELECT * INTO v FROM voters WHERE code_id = c.id; -- a racing sign-in made it
    END IF;
    RETURN v;
END $$;

CREATE OR REPLACE FUNCTION voter_for_register_id(p_election bigint, p_register bigint) RETURNS voters
LANGUAGE plpgsql AS $$
DECLARE
    reg register_entries;
    v voters;
BEGIN
    SELECT * INTO v FROM voters WHERE register_id = p_register AND election_id = p_election;
    IF FOUND THEN
        RETURN v;
    END IF;
    SELECT * INTO reg FROM register_entries WHERE id = p_register AND election_id = p_election;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    INSERT INTO voters (election_id, district_id, register_id) VALUES (p_election, reg.district_id, reg.id)
    ON CONFLICT (register_id) DO NOTHING RETURNING * INTO v;
    IF NOT FOUND THEN
        SELECT * INTO v FROM voters WHERE register_id = p_register;
    END IF;
    RETURN v;
END $$;

DROP FUNCTION voter_login_code(bigint, text, text, int);
DROP FUNCTION voter_login_register(bigint, text, text, int);
DROP FUNCTION otp_finish(bigint, uuid, text, text, int);
DROP FUNCTION voter_session_open(bigint, voters, text, int);

CREATE FUNCTION voter_signs_in(p_election bigint, v voters)
RETURNS TABLE (out_voter bigint, out_district bigint) LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock_shared(p_election);
BEGIN
    IF e.phase NOT IN ('voting', 'proposals') THEN
        RAISE EXCEPTION 'Voting is not open.' USING ERRCODE = 'PB409';
    END IF;
    IF v.id IS NOT NULL THEN
        RETURN QUERY SELECT v.id, v.district_id;
    END IF;
END $$;

CREATE FUNCTION voter_login_code(p_election bigint, p_code_hash text)
RETURNS TABLE (out_voter bigint, out_district bigint) LANGUAGE sql AS $$
    SELECT * FROM voter_signs_in(p_election, voter_for_code(p_election, p_code_hash))
$$;

CREATE FUNCTION voter_login_register(p_election bigint, p_match_hash text)
RETURNS TABLE (out_voter bigint, out_district bigint) LANGUAGE sql AS $$
    SELECT * FROM voter_signs_in(p_election, voter_for_register(p_election, p_match_hash))
$$;

-- Checks a one-time code: at most 5 tries, 10 minutes, once.
CREATE FUNCTION otp_finish(p_election bigint, p_challenge uuid, p_code_hash text)
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
    RETURN QUERY SELECT * FROM voter_signs_in(p_election, voter_for_register_id(p_election, c.register_id));
END $$;

-- An online ballot from a signed session: the voter must still be active (a revoked code
-- ends its sessions), then the ballot is cast as before. PB401 tells the server to answer 401.
CREATE FUNCTION cast_online_ballot(p_election bigint, p_district bigint, p_voter bigint, p_voter_tag text,
                                   p_items bigint[], p_points bigint[], p_tracker text)
RETURNS TABLE (replaced boolean) LANGUAGE plpgsql AS $$
BEGIN
    IF NOT voter_active(p_election, p_voter) THEN
        RAISE EXCEPTION 'This voting session has ended; sign in again.' USING ERRCODE = 'PB401';
    END IF;
    RETURN QUERY SELECT * FROM cast_ballot(p_election, p_district, p_voter_tag, p_items, p_points, p_tracker, 'online');
END $$;
