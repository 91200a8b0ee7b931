-- Domain operations that must be atomic: each checks the election's state under a row
-- lock, makes its change and appends to the audit log in one transaction. Errors meant
-- for the client use SQLSTATEs PB403, PB404, PB409 (wrong phase), PB422 and PBCON; the
-- server maps them to API errors.

CREATE FUNCTION phase_rank(p text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
    SELECT array_position(ARRAY['draft', 'proposals', 'review', 'voting', 'closed', 'published'], p)
$$;

-- The election row, locked, after applying any phase change its timestamps call for.
CREATE FUNCTION election_lock(p_election bigint) RETURNS elections LANGUAGE plpgsql AS $$
DECLARE
    e elections;
    due text;
BEGIN
    SELECT * INTO e FROM elections WHERE id = p_election FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'No such election.' USING ERRCODE = 'PB404';
    END IF;
    due := clock_phase(e);
    IF due IS NOT NULL AND phase_rank(due) > phase_rank(e.phase) THEN
        UPDATE elections SET phase = due,
               voting_opened_at = CASE WHEN phase_rank(due) >= 4 THEN coalesce(voting_opened_at, now()) END,
               closed_at = CASE WHEN phase_rank(due) >= 5 THEN coalesce(closed_at, now()) END
         WHERE id = e.id RETURNING * INTO e;
        PERFORM audit_append(e.organisation_id, e.id, NULL, 'phase.clock',
                             jsonb_build_object('phase', due));
    END IF;
    RETURN e;
END $$;

-- The latest phase whose start time in e.phases has passed, or NULL.
CREATE FUNCTION clock_phase(e elections) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT p FROM unnest(ARRAY['proposals', 'review', 'voting', 'closed']) WITH ORDINALITY AS t(p, i)
     WHERE e.phases ? p AND (e.phases->>p)::timestamptz <= now()
     ORDER BY i DESC LIMIT 1
$$;

CREATE FUNCTION create_election(p_staff bigint, p_super boolean, p_org bigint, p_slug text,
                                p_title jsonb, p_description jsonb, p_lang text, p_currency text,
                                p_ballot jsonb, p_rule text, p_rule_params jsonb, p_phases jsonb,
                                p_public_key bytea, p_private_sealed bytea)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    org bigint := p_org;
    e elections;
BEGIN
    IF org IS NULL THEN
        SELECT min(organisation_id) INTO org FROM staff_roles
         WHERE staff_id = p_staff AND role = 'admin' AND election_id IS NULL
        HAVING count(DISTINCT organisation_id) = 1;
        IF org IS NULL THEN
            RAISE EXCEPTION 'Say which organisation the election belongs to: organisation_id.'
                USING ERRCODE = 'PB422';
        END IF;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM organisations WHERE id = org) THEN
        RAISE EXCEPTION 'No such organisation.' USING ERRCODE = 'PB404';
    END IF;
    IF NOT p_super AND NOT EXISTS (SELECT 1 FROM staff_roles WHERE staff_id = p_staff
            AND organisation_id = org AND election_id IS NULL AND role = 'admin') THEN
        RAISE EXCEPTION 'Only an admin of the organisation can create elections.'
            USING ERRCODE = 'PB403';
    END IF;
    PERFORM (value)::timestamptz FROM jsonb_each_text(coalesce(p_phases, '{}'));
    IF EXISTS (SELECT 1 FROM elections WHERE slug = p_slug) THEN
        RAISE EXCEPTION 'An election with this slug exists already.' USING ERRCODE = 'PBCON';
    END IF;
    INSERT INTO elections (organisation_id, slug, title, description, default_lang, currency,
                           ballot, rule, rule_params, phases, public_key, private_key_sealed)
    VALUES (org, p_slug, p_title, coalesce(p_description, '{}'), p_lang, p_currency, p_ballot,
            p_rule, coalesce(p_rule_params, '{}'), coalesce(p_phases, '{}'), p_public_key,
            p_private_sealed)
    RETURNING * INTO e;
    PERFORM audit_append(org, e.id, p_staff, 'election.create',
                         jsonb_build_object('after', election_json(e) - 'districts'));
    RETURN election_json(e);
END $$;

CREATE FUNCTION update_election(p_staff bigint, p_election bigint, p_patch jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    before jsonb := election_json(e);
BEGIN
    IF (p_patch ? 'ballot' OR p_patch ? 'rule' OR p_patch ? 'rule_params' OR p_patch ? 'currency')
       AND phase_rank(e.phase) >= phase_rank('voting') THEN
        RAISE EXCEPTION 'Ballot and counting rules cannot change once voting has opened.'
            USING ERRCODE = 'PB409';
    END IF;
    PERFORM (value)::timestamptz FROM jsonb_each_text(coalesce(p_patch->'phases', '{}'));
    UPDATE elections SET
        title = coalesce(p_patch->'title', title),
        description = coalesce(p_patch->'description', description),
        default_lang = coalesce(p_patch->>'default_language', default_lang),
        currency = coalesce(p_patch->>'currency', currency),
        ballot = coalesce(p_patch->'ballot', ballot),
        rule = coalesce(p_patch->>'rule', rule),
        rule_params = coalesce(p_patch->'rule_params', rule_params),
        phases = coalesce(p_patch->'phases', phases)
     WHERE id = e.id RETURNING * INTO e;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'election.update',
                         jsonb_build_object('before', before - 'districts',
                                            'after', election_json(e) - 'districts'));
    RETURN election_json(e);
END $$;

-- Moves the phase forward (or back before voting has opened).
CREATE FUNCTION set_phase(p_staff bigint, p_election bigint, p_phase text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    before text := e.phase;
BEGIN
    IF p_phase = e.phase THEN
        RETURN election_json(e);
    END IF;
    IF phase_rank(p_phase) < phase_rank(e.phase) AND phase_rank(e.phase) >= phase_rank('voting') THEN
        RAISE EXCEPTION 'The election cannot go back to % once voting has opened.', p_phase
            USING ERRCODE = 'PB409';
    END IF;
    IF e.phase = 'published' THEN
        RAISE EXCEPTION 'The results are published; the election is finished.' USING ERRCODE = 'PB409';
    END IF;
    IF phase_rank(p_phase) >= phase_rank('voting') THEN
        IF NOT EXISTS (SELECT 1 FROM districts WHERE election_id = e.id) THEN
            RAISE EXCEPTION 'Add at least one district before voting opens.' USING ERRCODE = 'PB409';
        END IF;
    END IF;
    UPDATE elections SET phase = p_phase,
           voting_opened_at = CASE WHEN phase_rank(p_phase) >= 4 THEN coalesce(voting_opened_at, now()) END,
           closed_at = CASE WHEN phase_rank(p_phase) >= 5 THEN coalesce(closed_at, now()) END
     WHERE id = e.id RETURNING * INTO e;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'election.phase',
                         jsonb_build_object('before', before, 'after', p_phase));
    RETURN election_json(e);
END $$;

CREATE FUNCTION add_district(p_staff bigint, p_election bigint, p_name jsonb, p_budget bigint)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    d districts;
BEGIN
    IF phase_rank(e.phase) >= phase_rank('voting') THEN
        RAISE EXCEPTION 'Districts cannot be added once voting has opened.' USING ERRCODE = 'PB409';
    END IF;
    INSERT INTO districts (election_id, name, budget) VALUES (e.id, p_name, p_budget)
    RETURNING * INTO d;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'district.create',
                         jsonb_build_object('after', district_json(d)));
    RETURN district_json(d);
END $$;

CREATE FUNCTION add_proposal(p_staff bigint, p_election bigint, p_district bigint,
                             p_title jsonb, p_summary jsonb, p_description jsonb,
                             p_category text, p_cost bigint, p_status text, p_image text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    d districts;
    p proposals;
BEGIN
    SELECT * INTO d FROM districts WHERE id = p_district AND election_id = e.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'No such district in this election.' USING ERRCODE = 'PB422';
    END IF;
    IF phase_rank(e.phase) >= phase_rank('voting') THEN
        RAISE EXCEPTION 'Proposals cannot be added once voting has opened.' USING ERRCODE = 'PB409';
    END IF;
    IF p_status = 'accepted' AND p_cost > d.budget THEN
        RAISE EXCEPTION 'The proposal costs more than its district''s budget, so it cannot be accepted.'
            USING ERRCODE = 'PB422';
    END IF;
    INSERT INTO proposals (election_id, district_id, title, summary, description, category,
                           cost, status, image_url)
    VALUES (e.id, d.id, p_title, coalesce(p_summary, '{}'), coalesce(p_description, '{}'),
            p_category, p_cost, p_status, p_image)
    RETURNING * INTO p;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'proposal.create',
                         jsonb_build_object('after', proposal_json(p)));
    RETURN proposal_json(p);
END $$;

CREATE FUNCTION update_proposal(p_staff bigint, p_proposal bigint, p_patch jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    p proposals;
    e elections;
    d districts;
    before jsonb;
BEGIN
    SELECT * INTO p FROM proposals WHERE id = p_proposal;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'No such proposal.' USING ERRCODE = 'PB404';
    END IF;
    e := election_lock(p.election_id);
    SELECT * INTO p FROM proposals WHERE id = p_proposal FOR UPDATE;
    before := proposal_json(p);
    IF phase_rank(e.phase) >= phase_rank('voting') THEN
        RAISE EXCEPTION 'Proposals cannot change once voting has opened.' USING ERRCODE = 'PB409';
    END IF;
    UPDATE proposals SET
        status = coalesce(p_patch->>'status', status),
        cost = coalesce((p_patch->>'cost')::bigint, cost),
        reason = coalesce(p_patch->>'reason', reason),
        title = coalesce(p_patch->'title', title),
        summary = coalesce(p_patch->'summary', summary),
        description = coalesce(p_patch->'description', description),
        category = coalesce(p_patch->>'category', category),
        image_url = coalesce(p_patch->>'image_url', image_url),
        updated_at = now()
     WHERE id = p.id RETURNING * INTO p;
    SELECT * INTO d FROM districts WHERE id = p.district_id;
    IF p.status = 'accepted' AND p.cost > d.budget THEN
        RAISE EXCEPTION 'The proposal costs more than its district''s budget, so it cannot be accepted.'
            USING ERRCODE = 'PB422';
    END IF;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'proposal.update',
                         jsonb_build_object('before', before, 'after', proposal_json(p)));
    RETURN proposal_json(p);
END $$;

-- Stores new voting codes (keyed hashes only) for a district.
CREATE FUNCTION add_codes(p_staff bigint, p_election bigint, p_district bigint, p_hashes text[])
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    n int;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM districts WHERE id = p_district AND election_id = e.id) THEN
        RAISE EXCEPTION 'No such district in this election.' USING ERRCODE = 'PB422';
    END IF;
    IF phase_rank(e.phase) >= phase_rank('closed') THEN
        RAISE EXCEPTION 'Voting has closed.' USING ERRCODE = 'PB409';
    END IF;
    INSERT INTO voting_codes (election_id, district_id, code_hash)
    SELECT e.id, p_district, decode(h, 'hex') FROM unnest(p_hashes) AS h;
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'codes.create',
                         jsonb_build_object('district_id', p_district, 'count', n));
    RETURN n;
END $$;

-- Opens a voter session with a code: the voter row is created on first use, exactly
-- once even when many logins race (ON CONFLICT on the code).
CREATE FUNCTION voter_login_code(p_election bigint, p_code_hash text, p_token_hash text,
                                 p_ttl_s int)
RETURNS TABLE (out_voter bigint, out_district bigint) LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock_shared(p_election);
    c voting_codes;
    v voters;
BEGIN
    IF e.phase <> 'voting' THEN
        RAISE EXCEPTION 'Voting is not open.' USING ERRCODE = 'PB409';
    END IF;
    SELECT * INTO c FROM voting_codes
     WHERE code_hash = decode(p_code_hash, 'hex') AND election_id = e.id AND revoked_at IS NULL;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    INSERT INTO voters (election_id, district_id, code_id) VALUES (e.id, c.district_id, c.id)
    ON CONFLICT (code_id) DO UPDATE SET code_id = EXCLUDED.code_id
    RETURNING * INTO v;
    INSERT INTO sessions (token_hash, kind, voter_id, election_id, expires_at)
    VALUES (decode(p_token_hash, 'hex'), 'voter', v.id, e.id, now() + make_interval(secs => p_ttl_s));
    RETURN QUERY SELECT v.id, v.district_id;
END $$;

-- Readers of an election that must see the clock-driven phase but need no exclusive lock.
CREATE FUNCTION election_lock_shared(p_election bigint) RETURNS elections LANGUAGE plpgsql AS $$
DECLARE
    e elections;
BEGIN
    SELECT * INTO e FROM elections WHERE id = p_election;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'No such election.' USING ERRCODE = 'PB404';
    END IF;
    IF clock_phase(e) IS NOT NULL AND phase_rank(clock_phase(e)) > phase_rank(e.phase) THEN
        RETURN election_lock(p_election);
    END IF;
    RETURN e;
END $$;

-- Casts or replaces the voter's ballot in one statement, safe under concurrent casts for
-- the same voter (the unique index serialises them). Returns whether it replaced a ballot;
-- no row when a paper ballot already stands for this voter and this one is online.
CREATE FUNCTION cast_ballot(p_election bigint, p_district bigint, p_voter_tag text,
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

CREATE FUNCTION store_results(p_staff bigint, p_election bigint, p_result text, p_signature text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
BEGIN
    IF e.phase <> 'closed' THEN
        RAISE EXCEPTION 'Close voting before counting; published results are final.'
            USING ERRCODE = 'PB409';
    END IF;
    INSERT INTO results (election_id, result, signature) VALUES (e.id, p_result, p_signature)
    ON CONFLICT (election_id) DO UPDATE
       SET result = EXCLUDED.result, signature = EXCLUDED.signature, computed_at = now();
    UPDATE elections SET tallied_at = now() WHERE id = e.id;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'results.tally',
                         jsonb_build_object('sha256', encode(sha256(convert_to(p_result, 'UTF8')), 'hex')));
END $$;

CREATE FUNCTION publish_results(p_staff bigint, p_election bigint) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
BEGIN
    IF e.phase = 'published' THEN
        RETURN election_json(e);
    END IF;
    IF e.phase <> 'closed' THEN
        RAISE EXCEPTION 'Close voting and count before publishing.' USING ERRCODE = 'PB409';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM results WHERE election_id = e.id) THEN
        RAISE EXCEPTION 'Count the election before publishing.' USING ERRCODE = 'PB409';
    END IF;
    UPDATE elections SET phase = 'published', published_at = now() WHERE id = e.id RETURNING * INTO e;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'results.publish', '{}');
    RETURN election_json(e);
END $$;
