-- Voters and their sessions: voting codes (keyed hashes only), the voter behind a code
-- (created on first use), sign-in, and whether a signed session is still good.
-- Voter sessions are signed tokens, not rows: a sign-in writes nothing once the voter
-- exists. What a row gave and a signature cannot, ending the session when its code is
-- revoked or it is signed out, is checked by voter_active: inside cast_online_ballot, and
-- before every other voter call.

-- Stores new voting codes (keyed hashes only) for a district, and for the more districts
-- of other groups the code also votes in (p_more; at most one district per group).
CREATE OR REPLACE FUNCTION add_codes(p_staff bigint, p_election bigint, p_district bigint, p_more bigint[],
                                     p_hashes text[])
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    n int;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM districts WHERE id = p_district AND election_id = e.id) THEN
        RAISE EXCEPTION 'No such district in this election.' USING ERRCODE = 'PB422', COLUMN = 'district_id';
    END IF;
    PERFORM frames_check_named(e.id, p_district || coalesce(p_more, '{}'));
    IF phase_rank(e.phase) >= phase_rank('closed') THEN
        RAISE EXCEPTION 'Voting has closed.' USING ERRCODE = 'PB409';
    END IF;
    INSERT INTO voting_codes (election_id, district_id, more_districts, code_hash)
    SELECT e.id, p_district, coalesce(p_more, '{}'), decode(h, 'hex') FROM unnest(p_hashes) AS h;
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'codes.create',
                         jsonb_build_object('district_id', p_district, 'district_ids', p_district || coalesce(p_more, '{}'),
                                            'count', n));
    RETURN n;
END $$;

-- Revokes a code: its sessions end (voter_active says no); a ballot already cast stays.
CREATE OR REPLACE FUNCTION revoke_code(p_staff bigint, p_election bigint, p_code_hash text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    c voting_codes;
BEGIN
    UPDATE voting_codes SET revoked_at = now()
     WHERE election_id = e.id AND code_hash = decode(p_code_hash, 'hex') AND revoked_at IS NULL
    RETURNING * INTO c;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    -- sessions opened with the code end too; a ballot already cast stays counted
    DELETE FROM sessions WHERE voter_id IN (SELECT id FROM voters WHERE code_id = c.id);
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'codes.revoke', jsonb_build_object('code_id', c.id));
    RETURN true;
END $$;

-- The voter behind a code, created on first use: exactly once even when first sign-ins
-- race (the unique index decides), and without a write when it exists. NULL for an unknown
-- or revoked code. voter_for_register_id does the same for a register entry.
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

-- Signing in is open in the ideas phase (to submit proposals), the supports phase (to
-- support them) and during voting. Returns
-- the voter and district; no row for an unknown voter (the caller answers 401).
CREATE OR REPLACE FUNCTION voter_signs_in(p_election bigint, v voters)
RETURNS TABLE (out_voter bigint, out_district bigint) LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock_shared(p_election);
BEGIN
    IF e.phase NOT IN ('voting', 'proposals', 'supports') THEN
        RAISE EXCEPTION 'Voting is not open.' USING ERRCODE = 'PB409';
    END IF;
    IF v.id IS NOT NULL THEN
        RETURN QUERY SELECT v.id, v.district_id;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION voter_login_code(p_election bigint, p_code_hash text)
RETURNS TABLE (out_voter bigint, out_district bigint) LANGUAGE sql AS $$
    SELECT * FROM voter_signs_in(p_election, voter_for_code(p_election, p_code_hash))
$$;

CREATE OR REPLACE FUNCTION voter_login_register(p_election bigint, p_match_hash text)
RETURNS TABLE (out_voter bigint, out_district bigint) LANGUAGE sql AS $$
    SELECT * FROM voter_signs_in(p_election, voter_for_register(p_election, p_match_hash))
$$;

-- True while a voter's signed session is good: the voter exists in this election, its code
-- is not revoked, and this token has not been signed out.
CREATE OR REPLACE FUNCTION voter_active(p_election bigint, p_voter bigint, p_token_hash text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM voters v LEFT JOIN voting_codes c ON c.id = v.code_id
                    WHERE v.id = p_voter AND v.election_id = p_election AND c.revoked_at IS NULL)
       AND NOT EXISTS (SELECT 1 FROM voter_signouts WHERE token_hash = decode(p_token_hash, 'hex'))
$$;

-- voter_active for the writes that check the session themselves (ROUTE_VOTER_CHECKED):
-- PB401 (the server answers 401) when the session has ended.
CREATE OR REPLACE FUNCTION voter_require_active(p_election bigint, p_voter bigint, p_token_hash text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF NOT voter_active(p_election, p_voter, p_token_hash) THEN
        RAISE EXCEPTION 'This voting session has ended; sign in again.' USING ERRCODE = 'PB401';
    END IF;
END $$;

-- Ends the session of this token (a signed one, or a session row from before signed tokens)
-- and forgets sign-outs whose tokens have expired.
CREATE OR REPLACE FUNCTION voter_sign_out(p_token_hash text, p_ttl_s int) RETURNS void LANGUAGE sql AS $$
    DELETE FROM voter_signouts WHERE expires_at < now();
    DELETE FROM sessions WHERE token_hash = decode(p_token_hash, 'hex') AND kind = 'voter';
    INSERT INTO voter_signouts (token_hash, expires_at)
    VALUES (decode(p_token_hash, 'hex'), now() + make_interval(secs => p_ttl_s))
    ON CONFLICT (token_hash) DO NOTHING;
$$;
