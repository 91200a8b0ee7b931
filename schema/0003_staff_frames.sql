-- Staff accounts (invites, lock-out, TOTP), categories and languages of budget frames,
-- citizen proposals, phases that follow the clock on reads too.

ALTER TABLE staff
    ADD COLUMN failed_logins int NOT NULL DEFAULT 0,
    ADD COLUMN locked_until timestamptz,
    ADD COLUMN totp_secret_sealed bytea,      -- AES-GCM under a key derived from the server secret
    ADD COLUMN totp_enabled boolean NOT NULL DEFAULT false,
    ADD COLUMN totp_last_step bigint NOT NULL DEFAULT 0,
    ADD COLUMN invite_expires_at timestamptz;

ALTER TABLE elections
    ADD COLUMN languages text[] NOT NULL DEFAULT ARRAY['da', 'en'],
    ADD COLUMN categories jsonb NOT NULL DEFAULT '[]';

ALTER TABLE proposals
    ADD COLUMN author_voter_id bigint REFERENCES voters(id),
    ADD COLUMN merged_into bigint REFERENCES proposals(id),
    ADD COLUMN location jsonb;

-- The phase an election is in now: its stored phase, or later if its timestamps say so.
CREATE FUNCTION effective_phase(e elections) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN clock_phase(e) IS NOT NULL AND phase_rank(clock_phase(e)) > phase_rank(e.phase)
                THEN clock_phase(e) ELSE e.phase END
$$;

CREATE OR REPLACE FUNCTION election_json(e elections) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', e.id, 'organisation_id', e.organisation_id, 'slug', e.slug,
        'title', e.title, 'description', e.description,
        'default_language', e.default_lang, 'languages', to_jsonb(e.languages),
        'currency', e.currency, 'categories', e.categories,
        'ballot', e.ballot, 'rule', e.rule, 'rule_params', e.rule_params,
        'phase', effective_phase(e), 'phases', e.phases,
        'has_public_key', e.public_key IS NOT NULL,
        'published_at', e.published_at,
        'districts', coalesce((SELECT jsonb_agg(district_json(d) ORDER BY d.id)
                                 FROM districts d WHERE d.election_id = e.id), '[]'::jsonb),
        'created_at', e.created_at)
$$;

CREATE OR REPLACE FUNCTION proposal_json(p proposals) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', p.id, 'election_id', p.election_id, 'district_id', p.district_id,
        'title', p.title, 'summary', p.summary, 'description', p.description,
        'category', p.category, 'cost', p.cost, 'status', p.status, 'reason', p.reason,
        'image_url', p.image_url, 'location', p.location, 'merged_into', p.merged_into,
        'submitted_by_citizen', p.author_voter_id IS NOT NULL)
$$;

CREATE OR REPLACE FUNCTION update_election(p_staff bigint, p_election bigint, p_patch jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    before jsonb := election_json(e);
BEGIN
    IF (p_patch ? 'ballot' OR p_patch ? 'rule' OR p_patch ? 'rule_params' OR p_patch ? 'currency'
        OR p_patch ? 'categories')
       AND phase_rank(e.phase) >= phase_rank('voting') THEN
        RAISE EXCEPTION 'Ballot and counting rules cannot change once voting has opened.'
            USING ERRCODE = 'PB409';
    END IF;
    IF e.phase = 'published' THEN
        RAISE EXCEPTION 'The results are published; the election is finished.' USING ERRCODE = 'PB409';
    END IF;
    PERFORM (value)::timestamptz FROM jsonb_each_text(coalesce(p_patch->'phases', '{}'));
    UPDATE elections SET
        title = coalesce(p_patch->'title', title),
        description = coalesce(p_patch->'description', description),
        default_lang = coalesce(p_patch->>'default_language', default_lang),
        languages = coalesce((SELECT array_agg(x) FROM jsonb_array_elements_text(p_patch->'languages') x), languages),
        currency = coalesce(p_patch->>'currency', currency),
        categories = coalesce(p_patch->'categories', categories),
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

-- Citizens submit proposals during the ideas phase; staff review them.
CREATE FUNCTION submit_proposal(p_voter bigint, p_election bigint, p_district bigint,
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

CREATE OR REPLACE FUNCTION update_proposal(p_staff bigint, p_proposal bigint, p_patch jsonb)
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
    IF p_patch ? 'merged_into' THEN
        IF NOT EXISTS (SELECT 1 FROM proposals WHERE id = (p_patch->>'merged_into')::bigint
                          AND election_id = e.id AND id <> p.id) THEN
            RAISE EXCEPTION 'Merge into another proposal of the same election.' USING ERRCODE = 'PB422';
        END IF;
    END IF;
    UPDATE proposals SET
        status = CASE WHEN p_patch ? 'merged_into' THEN 'merged' ELSE coalesce(p_patch->>'status', status) END,
        merged_into = coalesce((p_patch->>'merged_into')::bigint, merged_into),
        cost = coalesce((p_patch->>'cost')::bigint, cost),
        reason = coalesce(p_patch->>'reason', reason),
        district_id = coalesce((SELECT id FROM districts WHERE id = (p_patch->>'district_id')::bigint
                                   AND election_id = e.id), district_id),
        title = coalesce(p_patch->'title', title),
        summary = coalesce(p_patch->'summary', summary),
        description = coalesce(p_patch->'description', description),
        category = coalesce(p_patch->>'category', category),
        image_url = coalesce(p_patch->>'image_url', image_url),
        location = coalesce(p_patch->'location', location),
        updated_at = now()
     WHERE id = p.id RETURNING * INTO p;
    SELECT * INTO d FROM districts WHERE id = p.district_id;
    IF p.status = 'accepted' AND p.cost > d.budget THEN
        RAISE EXCEPTION 'The proposal costs more than its district''s budget, so it cannot be accepted.'
            USING ERRCODE = 'PB422';
    END IF;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'proposal.update',
                         jsonb_build_object('proposal_id', p.id, 'before', before, 'after', proposal_json(p)));
    RETURN proposal_json(p);
END $$;

-- Voter sessions open during the ideas phase (to submit proposals) and during voting.
CREATE OR REPLACE FUNCTION voter_login_code(p_election bigint, p_code_hash text, p_token_hash text,
                                            p_ttl_s int)
RETURNS TABLE (out_voter bigint, out_district bigint) LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock_shared(p_election);
    c voting_codes;
    v voters;
BEGIN
    IF e.phase NOT IN ('voting', 'proposals') THEN
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

-- Verifies an election's audit chain; returns the first broken entry, or none.
CREATE FUNCTION audit_verify(p_election bigint)
RETURNS TABLE (entries bigint, broken_seq bigint, reason text) LANGUAGE plpgsql STABLE AS $$
DECLARE
    a audit_log;
    prev bytea := '\x';
    n bigint := 0;
BEGIN
    FOR a IN SELECT * FROM audit_log WHERE election_id IS NOT DISTINCT FROM p_election ORDER BY seq LOOP
        n := n + 1;
        IF a.prev_hash <> prev THEN
            RETURN QUERY SELECT n, a.seq, 'prev_hash does not match the entry before';
            RETURN;
        END IF;
        IF a.hash <> sha256(a.prev_hash || convert_to(audit_entry_text(a), 'UTF8')) THEN
            RETURN QUERY SELECT n, a.seq, 'the entry was changed after it was written';
            RETURN;
        END IF;
        prev := a.hash;
    END LOOP;
    RETURN QUERY SELECT n, NULL::bigint, NULL::text;
END $$;


-- Invites a staff member to an organisation (or one of its elections) with a role. A new
-- address gets an invite (only the hash of its token is stored); an existing account just
-- gains the role.
CREATE FUNCTION invite_staff(p_actor bigint, p_super boolean, p_org bigint, p_email text,
                             p_role text, p_election bigint, p_invite_hash text)
RETURNS TABLE (staff_id bigint, invited boolean) LANGUAGE plpgsql AS $$
DECLARE
    s staff;
    is_new boolean := false;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM organisations WHERE id = p_org) THEN
        RAISE EXCEPTION 'No such organisation.' USING ERRCODE = 'PB404';
    END IF;
    IF NOT p_super AND NOT EXISTS (SELECT 1 FROM staff_roles r WHERE r.staff_id = p_actor
            AND r.organisation_id = p_org AND r.election_id IS NULL AND r.role = 'admin') THEN
        IF EXISTS (SELECT 1 FROM staff_roles r WHERE r.staff_id = p_actor AND r.organisation_id = p_org) THEN
            RAISE EXCEPTION 'Only an admin of the organisation can invite staff.' USING ERRCODE = 'PB403';
        END IF;
        RAISE EXCEPTION 'No such organisation.' USING ERRCODE = 'PB404';
    END IF;
    IF p_election IS NOT NULL AND NOT EXISTS (SELECT 1 FROM elections WHERE id = p_election
                                                 AND organisation_id = p_org) THEN
        RAISE EXCEPTION 'No such election in this organisation.' USING ERRCODE = 'PB422';
    END IF;
    SELECT * INTO s FROM staff WHERE lower(email) = lower(p_email) FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO staff (email, invite_hash, invite_expires_at)
        VALUES (p_email, decode(p_invite_hash, 'hex'), now() + interval '7 days') RETURNING * INTO s;
        is_new := true;
    ELSIF s.password_hash IS NULL THEN
        UPDATE staff SET invite_hash = decode(p_invite_hash, 'hex'), invite_expires_at = now() + interval '7 days'
         WHERE id = s.id;
        is_new := true;
    END IF;
    INSERT INTO staff_roles (staff_id, organisation_id, election_id, role)
    VALUES (s.id, p_org, p_election, p_role) ON CONFLICT DO NOTHING;
    PERFORM audit_append(p_org, p_election, p_actor, 'staff.invite',
                         jsonb_build_object('staff_id', s.id, 'role', p_role, 'election_id', p_election));
    RETURN QUERY SELECT s.id, is_new;
END $$;

-- create_election with the frame's languages and categories (one transaction).
CREATE FUNCTION create_election_frame(p_staff bigint, p_super boolean, p_org bigint, p_slug text,
                                      p_title jsonb, p_description jsonb, p_lang text, p_currency text,
                                      p_ballot jsonb, p_rule text, p_rule_params jsonb, p_phases jsonb,
                                      p_public_key bytea, p_private_sealed bytea,
                                      p_languages jsonb, p_categories jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    j jsonb := create_election(p_staff, p_super, p_org, p_slug, p_title, p_description, p_lang,
                               p_currency, p_ballot, p_rule, p_rule_params, p_phases, p_public_key,
                               p_private_sealed);
    e elections;
BEGIN
    UPDATE elections SET
        languages = coalesce((SELECT array_agg(x) FROM jsonb_array_elements_text(p_languages) x), languages),
        categories = coalesce(p_categories, categories)
     WHERE id = (j->>'id')::bigint RETURNING * INTO e;
    RETURN election_json(e);
END $$;

CREATE FUNCTION add_proposal_at(p_staff bigint, p_election bigint, p_district bigint,
                                p_title jsonb, p_summary jsonb, p_description jsonb,
                                p_category text, p_cost bigint, p_status text, p_image text,
                                p_location jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    j jsonb := add_proposal(p_staff, p_election, p_district, p_title, p_summary, p_description,
                            p_category, p_cost, p_status, p_image);
    p proposals;
BEGIN
    IF p_location IS NULL THEN
        RETURN j;
    END IF;
    UPDATE proposals SET location = p_location WHERE id = (j->>'id')::bigint RETURNING * INTO p;
    RETURN proposal_json(p);
END $$;
