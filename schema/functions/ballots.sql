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
-- or a sign-out ends its sessions), then the ballot is cast. PB401 makes the server answer
-- 401. With a request (the Idempotency-Key's hash, scoped to the voter), the first answer
-- is kept: a repeat with the same ballot (body hash) gets that answer again (repeated) and
-- writes nothing; a repeat with another ballot raises PBIDM (409 idempotency_conflict).
-- Concurrent repeats wait on the key's unique index for the first to commit. A paper
-- ballot that stands for the voter raises PBPAP, so no request row outlives a refusal.
CREATE OR REPLACE FUNCTION cast_online_ballot(p_election bigint, p_district bigint, p_voter bigint, p_voter_tag text,
                                              p_items bigint[], p_points bigint[], p_tracker text, p_token_hash text,
                                              p_request text, p_body text, p_nonce text)
RETURNS TABLE (replaced boolean, tracker text, nonce text, repeated boolean) LANGUAGE plpgsql AS $$
DECLARE
    prev ballot_requests;
    was boolean;
BEGIN
    PERFORM voter_require_active(p_election, p_voter, p_token_hash);
    IF p_request IS NOT NULL THEN
        INSERT INTO ballot_requests (election_id, request_hash, body_hash, district_id, tracker, nonce)
        VALUES (p_election, decode(p_request, 'hex'), decode(p_body, 'hex'), p_district, p_tracker, p_nonce)
        ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
            SELECT * INTO prev FROM ballot_requests r
             WHERE r.election_id = p_election AND r.request_hash = decode(p_request, 'hex');
            IF prev.body_hash <> decode(p_body, 'hex') OR prev.district_id <> p_district THEN
                RAISE EXCEPTION 'This Idempotency-Key was already used with a different ballot.'
                    USING ERRCODE = 'PBIDM';
            END IF;
            -- A write, so that this commit waits for the synchronous standby like the first:
            -- if the first answer was lost because that wait failed, this 200 must still
            -- mean the ballot is on both machines.
            UPDATE ballot_requests r SET replaced = r.replaced
             WHERE r.election_id = p_election AND r.request_hash = decode(p_request, 'hex');
            RETURN QUERY SELECT prev.replaced, prev.tracker, prev.nonce, true;
            RETURN;
        END IF;
    END IF;
    SELECT c.replaced INTO was FROM cast_ballot(p_election, p_district, p_voter_tag, p_items, p_points, p_tracker,
                                                'online') c;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'A paper ballot has been recorded for this voter; it takes precedence.'
            USING ERRCODE = 'PBPAP';
    END IF;
    -- a voter who has cast needs no reminder; for register voters the fact (not the time)
    -- feeds turnout by age and area (voters by code have no age or area: no write for them)
    DELETE FROM reminder_requests q WHERE q.election_id = p_election AND q.voter_id = p_voter;
    UPDATE voters v SET voted = true WHERE v.id = p_voter AND NOT v.voted AND v.register_id IS NOT NULL;
    IF p_request IS NOT NULL THEN
        UPDATE ballot_requests r SET replaced = was
         WHERE r.election_id = p_election AND r.request_hash = decode(p_request, 'hex');
    END IF;
    RETURN QUERY SELECT was, p_tracker, p_nonce, false;
END $$;
