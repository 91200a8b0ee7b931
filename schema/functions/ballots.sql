-- Casting ballots. Ballots hold no voter identity: voter_tag is a keyed hash the server
-- computes, which lets it find and replace a voter's ballot.

-- Casts or replaces the voter's ballot in one statement, safe under concurrent casts for
-- the same voter (the unique index serialises them). Returns whether it replaced a ballot;
-- no row when a paper ballot already stands for this voter and this one is online.
CREATE OR REPLACE FUNCTION cast_ballot(p_election bigint, p_district bigint, p_voter_tag text,
                                       p_items bigint[], p_points bigint[], p_tracker text, p_source text)
RETURNS TABLE (replaced boolean) LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock_shared(p_election);
    was_update boolean;
BEGIN
    IF e.phase <> 'voting' THEN
        RAISE EXCEPTION 'Voting is not open.' USING ERRCODE = 'PB409';
    END IF;
    INSERT INTO ballots AS b (election_id, district_id, voter_tag, items, points, tracker, source)
    VALUES (e.id, p_district, decode(p_voter_tag, 'hex'), p_items, p_points, p_tracker, p_source)
    ON CONFLICT (election_id, district_id, voter_tag) DO UPDATE
       SET items = EXCLUDED.items, points = EXCLUDED.points, tracker = EXCLUDED.tracker,
           source = EXCLUDED.source, id = gen_random_uuid()
     WHERE b.source = 'online' OR EXCLUDED.source = 'paper'
    RETURNING (b.xmax::text <> '0') INTO was_update;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF NOT was_update THEN
        INSERT INTO turnout (election_id, district_id, hour, ballots)
        VALUES (e.id, p_district, date_trunc('hour', now()), 1)
        ON CONFLICT (election_id, district_id, hour) DO UPDATE SET ballots = turnout.ballots + 1;
    END IF;
    RETURN QUERY SELECT was_update;
END $$;

-- An online ballot from a signed session: the voter must still be active (a revoked code
-- or a sign-out ends its sessions), then the ballot is cast. PB401 makes the server answer 401.
CREATE OR REPLACE FUNCTION cast_online_ballot(p_election bigint, p_district bigint, p_voter bigint, p_voter_tag text,
                                              p_items bigint[], p_points bigint[], p_tracker text, p_token_hash text)
RETURNS TABLE (replaced boolean) LANGUAGE plpgsql AS $$
BEGIN
    IF NOT voter_active(p_election, p_voter, p_token_hash) THEN
        RAISE EXCEPTION 'This voting session has ended; sign in again.' USING ERRCODE = 'PB401';
    END IF;
    RETURN QUERY SELECT * FROM cast_ballot(p_election, p_district, p_voter_tag, p_items, p_points, p_tracker, 'online');
END $$;
