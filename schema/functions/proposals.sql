-- Proposals: added by staff, submitted by citizens in the ideas phase, moderated (status,
-- cost, merge, exclusion group) until voting opens. Every staff change is audited with the
-- proposal before and after, which is the proposal's history.

-- The API's JSON for a proposal.
CREATE OR REPLACE FUNCTION proposal_json(p proposals) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', p.id, 'election_id', p.election_id, 'district_id', p.district_id,
        'title', p.title, 'summary', p.summary, 'description', p.description,
        'category', p.category, 'cost', p.cost, 'cost_note', p.cost_note, 'status', p.status, 'reason', p.reason,
        'image_url', p.image_url, 'location', p.location, 'merged_into', p.merged_into,
        'exclusive_group', p.exclusive_group,
        'submitted_by_citizen', p.author_voter_id IS NOT NULL,
        'photos', proposal_photos(p.id))
$$;

-- A staff member adds a proposal until voting opens.
CREATE OR REPLACE FUNCTION add_proposal(p_staff bigint, p_election bigint, p_district bigint,
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
    IF p_status = 'accepted' AND p_cost IS NULL THEN
        RAISE EXCEPTION 'Give the proposal a cost before accepting it.' USING ERRCODE = 'PB422', COLUMN = 'cost';
    END IF;
    IF p_status = 'accepted' AND p_cost > d.budget THEN
        RAISE EXCEPTION 'The proposal costs more than its district''s budget, so it cannot be accepted.'
            USING ERRCODE = 'PB422', COLUMN = 'cost';
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

-- add_proposal with a location and a costing note (one transaction).
CREATE OR REPLACE FUNCTION add_proposal_at(p_staff bigint, p_election bigint, p_district bigint,
                                           p_title jsonb, p_summary jsonb, p_description jsonb,
                                           p_category text, p_cost bigint, p_status text, p_image text,
                                           p_location jsonb, p_cost_note text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    j jsonb := add_proposal(p_staff, p_election, p_district, p_title, p_summary, p_description,
                            p_category, p_cost, p_status, p_image);
    p proposals;
BEGIN
    IF p_location IS NULL AND p_cost_note IS NULL THEN
        RETURN j;
    END IF;
    UPDATE proposals SET location = p_location, cost_note = p_cost_note WHERE id = (j->>'id')::bigint
    RETURNING * INTO p;
    RETURN proposal_json(p);
END $$;

-- Proposals in bulk (an import): p_rows [{"line", "district_id", "title", "summary",
-- "description", "category", "cost", "cost_note", "status", "location", "exclusive_group"}]
-- checked by the server already. All are stored or none: any row the state refuses (a
-- district gone, voting opened meanwhile) rolls the whole import back, naming its line.
-- Each proposal gets its own proposal.create entry (its history), the import one more.
CREATE OR REPLACE FUNCTION import_proposals(p_staff bigint, p_election bigint, p_rows jsonb)
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    r jsonb;
    d districts;
    p proposals;
    n int := 0;
BEGIN
    IF phase_rank(e.phase) >= phase_rank('voting') THEN
        RAISE EXCEPTION 'Proposals cannot be added once voting has opened.' USING ERRCODE = 'PB409';
    END IF;
    FOR r IN SELECT * FROM jsonb_array_elements(p_rows) LOOP
        SELECT * INTO d FROM districts WHERE id = (r->>'district_id')::bigint AND election_id = e.id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'Line %: no such district in this election.', r->>'line'
                USING ERRCODE = 'PB422', COLUMN = 'district';
        END IF;
        IF r->>'status' = 'accepted' AND ((r->>'cost') IS NULL OR (r->>'cost')::bigint > d.budget) THEN
            RAISE EXCEPTION 'Line %: an accepted proposal needs a cost within its district''s budget.', r->>'line'
                USING ERRCODE = 'PB422', COLUMN = 'cost';
        END IF;
        INSERT INTO proposals (election_id, district_id, title, summary, description, category, cost, cost_note,
                               status, location, exclusive_group)
        VALUES (e.id, d.id, r->'title', coalesce(r->'summary', '{}'), coalesce(r->'description', '{}'),
                r->>'category', (r->>'cost')::bigint, r->>'cost_note', r->>'status', r->'location',
                (r->>'exclusive_group')::int)
        RETURNING * INTO p;
        PERFORM audit_append(e.organisation_id, e.id, p_staff, 'proposal.create',
                             jsonb_build_object('after', proposal_json(p)));
        n := n + 1;
    END LOOP;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'proposals.import', jsonb_build_object('rows', n));
    RETURN n;
END $$;

-- Citizens submit proposals during the ideas phase; staff review them.
CREATE OR REPLACE FUNCTION submit_proposal(p_voter bigint, p_election bigint, p_district bigint,
                                           p_title jsonb, p_summary jsonb, p_description jsonb,
                                           p_category text, p_cost bigint, p_image text, p_location jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock_shared(p_election);
    p proposals;
BEGIN
    IF e.phase <> 'proposals' THEN
        RAISE EXCEPTION 'Proposals can be submitted only in the ideas phase.' USING ERRCODE = 'PB409';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM districts WHERE id = p_district AND election_id = e.id) THEN
        RAISE EXCEPTION 'No such district in this election.' USING ERRCODE = 'PB422';
    END IF;
    -- the voter's row lock makes the count hold under parallel submissions
    PERFORM 1 FROM voters WHERE id = p_voter FOR UPDATE;
    IF (SELECT count(*) FROM proposals WHERE author_voter_id = p_voter) >= 10 THEN
        RAISE EXCEPTION 'A citizen can submit at most 10 proposals.' USING ERRCODE = 'PB422';
    END IF;
    INSERT INTO proposals (election_id, district_id, title, summary, description, category,
                           cost, status, image_url, location, author_voter_id)
    VALUES (e.id, p_district, p_title, coalesce(p_summary, '{}'), coalesce(p_description, '{}'),
            p_category, p_cost, 'submitted', p_image, p_location, p_voter)
    RETURNING * INTO p;
    RETURN proposal_json(p);
END $$;

-- The proposal, locked after its election (the order every change of a proposal takes, so
-- two never wait on each other), as it is under the lock; PB404 when there is none.
CREATE OR REPLACE FUNCTION proposal_lock(p_proposal bigint) RETURNS proposals LANGUAGE plpgsql AS $$
DECLARE
    p proposals;
BEGIN
    SELECT * INTO p FROM proposals WHERE id = p_proposal;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'No such proposal.' USING ERRCODE = 'PB404';
    END IF;
    PERFORM election_lock(p.election_id);
    SELECT * INTO p FROM proposals WHERE id = p_proposal FOR UPDATE;
    RETURN p;
END $$;

-- A staff change to a proposal: every key of p_patch that is present replaces the field
-- ("merged_into" also sets the status to merged and, until the supports phase ends, moves
-- the supports to the target; "exclusive_group" 0 clears the group), checked, applied and
-- audited in one transaction. The moderation message to the idea's author is queued by
-- moderate_proposal (ideanotices.sql), which calls this.
CREATE OR REPLACE FUNCTION update_proposal(p_staff bigint, p_proposal bigint, p_patch jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    p proposals;
    e elections;
    d districts;
    before jsonb;
BEGIN
    p := proposal_lock(p_proposal);
    SELECT * INTO e FROM elections WHERE id = p.election_id;   -- locked with it
    before := proposal_json(p);
    IF phase_rank(e.phase) >= phase_rank('voting') THEN
        RAISE EXCEPTION 'Proposals cannot change once voting has opened.' USING ERRCODE = 'PB409';
    END IF;
    IF p_patch ? 'merged_into' THEN
        IF NOT EXISTS (SELECT 1 FROM proposals WHERE id = (p_patch->>'merged_into')::bigint
                          AND election_id = e.id AND id <> p.id AND status <> 'merged') THEN
            RAISE EXCEPTION 'Merge into another proposal of the same election that is not merged itself.'
                USING ERRCODE = 'PB422', COLUMN = 'merged_into';
        END IF;
    END IF;
    IF coalesce(p_patch->>'status', p.status) = 'accepted' AND NOT p_patch ? 'merged_into'
       AND coalesce((p_patch->>'cost')::bigint, p.cost) IS NULL THEN
        RAISE EXCEPTION 'Give the proposal a cost before accepting it.' USING ERRCODE = 'PB422', COLUMN = 'cost';
    END IF;
    UPDATE proposals SET
        status = CASE WHEN p_patch ? 'merged_into' THEN 'merged' ELSE coalesce(p_patch->>'status', status) END,
        merged_into = coalesce((p_patch->>'merged_into')::bigint, merged_into),
        cost = coalesce((p_patch->>'cost')::bigint, cost),
        cost_note = CASE WHEN p_patch ? 'cost_note' THEN nullif(p_patch->>'cost_note', '') ELSE cost_note END,
        reason = coalesce(p_patch->>'reason', reason),
        district_id = coalesce((SELECT id FROM districts WHERE id = (p_patch->>'district_id')::bigint
                                   AND election_id = e.id), district_id),
        title = coalesce(p_patch->'title', title),
        summary = coalesce(p_patch->'summary', summary),
        description = coalesce(p_patch->'description', description),
        category = coalesce(p_patch->>'category', category),
        image_url = coalesce(p_patch->>'image_url', image_url),
        location = coalesce(p_patch->'location', location),
        exclusive_group = CASE WHEN p_patch ? 'exclusive_group'
                               THEN nullif((p_patch->>'exclusive_group')::int, 0) ELSE exclusive_group END,
        updated_at = now()
     WHERE id = p.id RETURNING * INTO p;
    -- a merge in the supports phase (or before) gives the target the supports of the
    -- merged proposal, one per citizen (supports_move)
    IF p.status = 'merged' AND (before->>'status' <> 'merged' OR (before->>'merged_into')::bigint <> p.merged_into)
       AND phase_rank(e.phase) <= phase_rank('supports') THEN
        PERFORM supports_move(p.id, p.merged_into, before->>'status' = 'accepted');
    END IF;
    SELECT * INTO d FROM districts WHERE id = p.district_id;
    IF p.status = 'accepted' AND p.cost > d.budget THEN
        RAISE EXCEPTION 'The proposal costs more than its district''s budget, so it cannot be accepted.'
            USING ERRCODE = 'PB422', COLUMN = 'cost';
    END IF;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'proposal.update',
                         jsonb_build_object('proposal_id', p.id, 'before', before, 'after', proposal_json(p)));
    RETURN proposal_json(p);
END $$;

-- The author edits their idea while it waits for review in the ideas phase: the keys of
-- p_patch that are present replace the fields (the server checked them); "cost": null
-- clears the rough cost. No audit entry: the log records staff actions.
CREATE OR REPLACE FUNCTION edit_own_proposal(p_voter bigint, p_proposal bigint, p_patch jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    p proposals := proposal_lock_for_change(p_proposal, NULL, p_voter);
BEGIN
    IF p_patch ? 'district_id' AND NOT EXISTS (SELECT 1 FROM districts WHERE id = (p_patch->>'district_id')::bigint
                                                  AND election_id = p.election_id) THEN
        RAISE EXCEPTION 'No such district in this election.' USING ERRCODE = 'PB422';
    END IF;
    UPDATE proposals SET
        district_id = coalesce((p_patch->>'district_id')::bigint, district_id),
        title = coalesce(p_patch->'title', title),
        summary = coalesce(p_patch->'summary', summary),
        description = coalesce(p_patch->'description', description),
        category = CASE WHEN p_patch ? 'category' THEN p_patch->>'category' ELSE category END,
        cost = CASE WHEN p_patch ? 'cost' THEN (p_patch->>'cost')::bigint ELSE cost END,
        location = CASE WHEN p_patch ? 'location' THEN nullif(p_patch->'location', 'null') ELSE location END,
        updated_at = now()
     WHERE id = p.id RETURNING * INTO p;
    RETURN proposal_json(p);
END $$;
