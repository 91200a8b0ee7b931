-- Elections: phases (by admin action or by clock), the election row lock every domain
-- operation starts with, districts, and the JSON the API answers with.
-- Domain operations are atomic: each checks the election's state under a row lock, makes
-- its change and appends to the audit log in one transaction. Errors meant for the client
-- use SQLSTATEs PB401, PB403, PB404, PB409 (wrong phase), PB422 and PBCON; the server maps
-- them to API errors.

-- A phase's place in the order an election goes through.
CREATE OR REPLACE FUNCTION phase_rank(p text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
    SELECT array_position(ARRAY['draft', 'proposals', 'supports', 'review', 'voting', 'closed', 'published'], p)
$$;

-- The latest phase whose start time in e.phases has passed, or NULL.
CREATE OR REPLACE FUNCTION clock_phase(e elections) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT p FROM unnest(ARRAY['proposals', 'supports', 'review', 'voting', 'closed']) WITH ORDINALITY AS t(p, i)
     WHERE e.phases ? p AND (e.phases->>p)::timestamptz <= now()
     ORDER BY i DESC LIMIT 1
$$;

-- The phase an election is in now: its stored phase, or later if its timestamps say so.
CREATE OR REPLACE FUNCTION effective_phase(e elections) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN clock_phase(e) IS NOT NULL AND phase_rank(clock_phase(e)) > phase_rank(e.phase)
                THEN clock_phase(e) ELSE e.phase END
$$;

-- The election row, locked, after applying any phase change its timestamps call for.
CREATE OR REPLACE FUNCTION election_lock(p_election bigint) RETURNS elections LANGUAGE plpgsql AS $$
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
               voting_opened_at = CASE WHEN phase_rank(due) >= phase_rank('voting') THEN coalesce(voting_opened_at, now()) END,
               closed_at = CASE WHEN phase_rank(due) >= phase_rank('closed') THEN coalesce(closed_at, now()) END
         WHERE id = e.id RETURNING * INTO e;
        PERFORM audit_append(e.organisation_id, e.id, NULL, 'phase.clock',
                             jsonb_build_object('phase', due));
    END IF;
    RETURN e;
END $$;

-- Readers of an election that must see the clock-driven phase but need no exclusive lock.
CREATE OR REPLACE FUNCTION election_lock_shared(p_election bigint) RETURNS elections LANGUAGE plpgsql AS $$
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

-- The API's JSON for a district and for an election (with its districts).
CREATE OR REPLACE FUNCTION district_json(d districts) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', d.id, 'name', d.name, 'budget', d.budget, 'group_id', d.group_id)
$$;

CREATE OR REPLACE FUNCTION election_json(e elections) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', e.id, 'organisation_id', e.organisation_id, 'slug', e.slug,
        'title', e.title, 'description', e.description,
        'default_language', e.default_lang, 'languages', to_jsonb(e.languages),
        'currency', e.currency, 'categories', e.categories,
        'ballot', e.ballot, 'rule', e.rule, 'rule_params', e.rule_params,
        'phase', effective_phase(e), 'phases', e.phases,
        'paper_double_entry', e.paper_double_entry,
        'supports', jsonb_build_object('max_per_voter', e.supports_max_per_voter,
                                       'show_counts', e.supports_show_counts),
        'has_public_key', e.public_key IS NOT NULL,
        'published_at', e.published_at,
        'districts', coalesce((SELECT jsonb_agg(district_json(d) ORDER BY d.id)
                                 FROM districts d WHERE d.election_id = e.id), '[]'::jsonb),
        'district_groups', coalesce((SELECT jsonb_agg(district_group_json(g) ORDER BY g.position, g.id)
                                       FROM district_groups g WHERE g.election_id = e.id), '[]'::jsonb),
        'sign_in_methods', election_sign_in_methods(e.id),
        'oidc_button', election_oidc_button(e.id),
        'receipt_channels', organisation_receipt_channels(e.organisation_id),
        'created_at', e.created_at)
$$;

-- How citizens can prove they may vote here, for the sign-in page: "oidc" when an OpenID
-- provider is set up (oidc.sql), "code" when voting codes are out, "register" when a
-- register is loaded, "otp" when it holds contacts.
-- Index lookups only (voting_codes by district, register_entries by election).
CREATE OR REPLACE FUNCTION election_sign_in_methods(p_election bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(m ORDER BY o), '[]'::jsonb) FROM (
        SELECT 'oidc' AS m, 0 AS o WHERE election_oidc_button(p_election) IS NOT NULL
        UNION ALL
        SELECT 'code', 1 WHERE EXISTS (
            SELECT 1 FROM districts d JOIN voting_codes c ON c.district_id = d.id AND c.revoked_at IS NULL
             WHERE d.election_id = p_election)
        UNION ALL
        SELECT 'register', 2 WHERE EXISTS (SELECT 1 FROM register_entries r WHERE r.election_id = p_election)
        UNION ALL
        SELECT 'otp', 3 WHERE EXISTS (SELECT 1 FROM register_entries r
                                       WHERE r.election_id = p_election AND r.contact_hash IS NOT NULL)) x
$$;

-- Creates an election in the organisation (p_org NULL: the one the caller is admin of).
CREATE OR REPLACE FUNCTION create_election(p_staff bigint, p_super boolean, p_org bigint, p_slug text,
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
        RAISE EXCEPTION 'Another election already has this slug (the short name in its links); choose another.'
            USING ERRCODE = 'PBCON', COLUMN = 'slug';
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

-- create_election with the frame's languages and categories (one transaction).
CREATE OR REPLACE FUNCTION create_election_frame(p_staff bigint, p_super boolean, p_org bigint, p_slug text,
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

-- A staff change to an election's settings: each key of p_patch that is present replaces
-- the setting; rules and ballot are fixed once voting opens.
CREATE OR REPLACE FUNCTION update_election(p_staff bigint, p_election bigint, p_patch jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    before jsonb := election_json(e);
BEGIN
    IF (p_patch ? 'ballot' OR p_patch ? 'rule' OR p_patch ? 'rule_params' OR p_patch ? 'currency'
        OR p_patch ? 'categories' OR p_patch ? 'paper_double_entry' OR p_patch ? 'supports')
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
        phases = coalesce(p_patch->'phases', phases),
        paper_double_entry = coalesce((p_patch->>'paper_double_entry')::boolean, paper_double_entry),
        supports_max_per_voter = coalesce((p_patch->'supports'->>'max_per_voter')::int, supports_max_per_voter),
        supports_show_counts = coalesce((p_patch->'supports'->>'show_counts')::boolean, supports_show_counts)
     WHERE id = e.id RETURNING * INTO e;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'election.update',
                         jsonb_build_object('before', before - 'districts',
                                            'after', election_json(e) - 'districts'));
    RETURN election_json(e);
END $$;

-- Moves the phase forward (or back before voting has opened).
CREATE OR REPLACE FUNCTION set_phase(p_staff bigint, p_election bigint, p_phase text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    before text := e.phase;
BEGIN
    IF p_phase = e.phase THEN
        RETURN election_json(e);
    END IF;
    IF phase_rank(p_phase) < phase_rank(e.phase) AND phase_rank(e.phase) >= phase_rank('voting') THEN
        RAISE EXCEPTION 'The election cannot go back to % once voting has opened.',
            CASE p_phase WHEN 'proposals' THEN 'the ideas phase' WHEN 'review' THEN 'the review'
                         ELSE 'an earlier phase' END
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
           voting_opened_at = CASE WHEN phase_rank(p_phase) >= phase_rank('voting') THEN coalesce(voting_opened_at, now()) END,
           closed_at = CASE WHEN phase_rank(p_phase) >= phase_rank('closed') THEN coalesce(closed_at, now()) END
     WHERE id = e.id RETURNING * INTO e;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'election.phase',
                         jsonb_build_object('before', before, 'after', p_phase));
    RETURN election_json(e);
END $$;

-- The group a district is put in (NULL: ungrouped), checked to be of election e.
CREATE OR REPLACE FUNCTION district_group_of(e elections, p_group bigint) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_group IS NOT NULL AND NOT EXISTS (SELECT 1 FROM district_groups WHERE id = p_group AND election_id = e.id) THEN
        RAISE EXCEPTION 'No such group of districts in this election.' USING ERRCODE = 'PB422', COLUMN = 'group_id';
    END IF;
    RETURN p_group;
END $$;

-- Districts are added until voting opens, in a group (p_group) or ungrouped (NULL).
CREATE OR REPLACE FUNCTION add_district(p_staff bigint, p_election bigint, p_name jsonb, p_budget bigint,
                                        p_group bigint)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    d districts;
BEGIN
    IF phase_rank(e.phase) >= phase_rank('voting') THEN
        RAISE EXCEPTION 'Districts cannot be added once voting has opened.' USING ERRCODE = 'PB409';
    END IF;
    INSERT INTO districts (election_id, name, budget, group_id) VALUES (e.id, p_name, p_budget, district_group_of(e, p_group))
    RETURNING * INTO d;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'district.create',
                         jsonb_build_object('after', district_json(d)));
    RETURN district_json(d);
END $$;

-- The district of election e that staff change or delete, locked; refused once voting has
-- opened (the ballots and the count rest on the districts).
CREATE OR REPLACE FUNCTION district_to_change(e elections, p_district bigint)
RETURNS districts LANGUAGE plpgsql AS $$
DECLARE
    d districts;
BEGIN
    SELECT * INTO d FROM districts WHERE id = p_district AND election_id = e.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'No such district in this election.' USING ERRCODE = 'PB404';
    END IF;
    IF phase_rank(e.phase) >= phase_rank('voting') THEN
        RAISE EXCEPTION 'Districts are fixed once voting has opened.' USING ERRCODE = 'PB409';
    END IF;
    RETURN d;
END $$;

-- A staff change to a district's name, budget or group (keys "name", "budget", "group_id"
-- of p_patch; a JSON null group_id ungroups it) until voting opens. A new group must leave
-- every code and register row naming at most one district per group. A budget below the cost of one of the district's accepted proposals is
-- refused: that proposal could never be funded.
CREATE OR REPLACE FUNCTION update_district(p_staff bigint, p_election bigint, p_district bigint, p_patch jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    d districts;
    before jsonb;
    dearest bigint;
BEGIN
    d := district_to_change(e, p_district);
    before := district_json(d);
    IF p_patch ? 'budget' THEN
        SELECT max(cost) INTO dearest FROM proposals WHERE district_id = d.id AND status = 'accepted';
        IF dearest > (p_patch->>'budget')::bigint THEN
            RAISE EXCEPTION 'An accepted proposal of this district costs more than this budget; lower its cost or reject it first.'
                USING ERRCODE = 'PB422', COLUMN = 'budget';
        END IF;
    END IF;
    UPDATE districts SET name = coalesce(p_patch->'name', name),
                         budget = coalesce((p_patch->>'budget')::bigint, budget),
                         group_id = CASE WHEN p_patch ? 'group_id'
                                         THEN district_group_of(e, (p_patch->>'group_id')::bigint) ELSE group_id END
     WHERE id = d.id RETURNING * INTO d;
    IF p_patch ? 'group_id' THEN
        PERFORM frames_check_credentials(e.id);
    END IF;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'district.update',
                         jsonb_build_object('before', before, 'after', district_json(d)));
    RETURN district_json(d);
END $$;

-- Deletes a district until voting opens, and only while nothing belongs to it: no
-- proposal (of any status), voting code, register row, voter or ballot.
CREATE OR REPLACE FUNCTION delete_district(p_staff bigint, p_election bigint, p_district bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    d districts;
    uses text;
BEGIN
    d := district_to_change(e, p_district);
    uses := concat_ws(', ',
        CASE WHEN EXISTS (SELECT 1 FROM proposals WHERE district_id = d.id) THEN 'proposals' END,
        CASE WHEN EXISTS (SELECT 1 FROM voting_codes WHERE district_id = d.id)
               OR EXISTS (SELECT 1 FROM voting_codes WHERE election_id = e.id AND d.id = ANY (more_districts))
             THEN 'voting codes' END,
        CASE WHEN EXISTS (SELECT 1 FROM register_entries WHERE district_id = d.id)
               OR EXISTS (SELECT 1 FROM register_entries WHERE election_id = e.id AND d.id = ANY (more_districts))
             THEN 'voter register rows' END,
        CASE WHEN EXISTS (SELECT 1 FROM voters WHERE district_id = d.id)
               OR EXISTS (SELECT 1 FROM voter_choices WHERE district_id = d.id)
               OR EXISTS (SELECT 1 FROM ballots WHERE election_id = e.id AND district_id = d.id)
               OR EXISTS (SELECT 1 FROM paper_entries WHERE election_id = e.id AND district_id = d.id)
             THEN 'voters or ballots' END);
    IF uses <> '' THEN
        RAISE EXCEPTION 'The district cannot be deleted: % belong to it.', uses USING ERRCODE = 'PBCON';
    END IF;
    DELETE FROM turnout WHERE district_id = d.id;
    DELETE FROM districts WHERE id = d.id;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'district.delete',
                         jsonb_build_object('before', district_json(d)));
END $$;
