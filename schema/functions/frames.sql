-- Frames per voter (issue 17): groups of districts, the frames a voter votes in (at most
-- one per group), and the district a voter chooses once where a group lets them. See
-- migration 0070 for the model. The ungrouped districts of an election count as one group
-- (key 0), so an election without groups has one frame per voter, as before.

-- ballot, rule and rule_params are null where the group follows the election's.
CREATE OR REPLACE FUNCTION district_group_json(g district_groups) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', g.id, 'name', g.name, 'voter_chooses', g.voter_chooses, 'position', g.position,
                              'ballot', g.ballot, 'rule', g.rule, 'rule_params', g.rule_params)
$$;

-- The rules a frame's ballots are cast and counted by: its group's own, else the election's.
-- {"ballot", "rule", "rule_params"}; NULL for a district not of this election.
CREATE OR REPLACE FUNCTION frame_rules(p_election bigint, p_district bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN g.ballot IS NOT NULL
                THEN jsonb_build_object('ballot', g.ballot, 'rule', g.rule, 'rule_params', g.rule_params)
                ELSE jsonb_build_object('ballot', e.ballot, 'rule', e.rule, 'rule_params', e.rule_params) END
      FROM districts d JOIN elections e ON e.id = d.election_id
      LEFT JOIN district_groups g ON g.id = d.group_id
     WHERE d.id = p_district AND d.election_id = p_election
$$;

-- True when the districts (of election p_election) hold at most one per group.
CREATE OR REPLACE FUNCTION frames_one_per_group(p_election bigint, p_districts bigint[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT NOT EXISTS (SELECT 1 FROM districts d
                        WHERE d.election_id = p_election AND d.id = ANY (p_districts)
                        GROUP BY coalesce(d.group_id, 0) HAVING count(*) > 1)
$$;

-- Checks the districts a code or register row names: all of this election (PB422 naming
-- what is wrong), at most one per group.
CREATE OR REPLACE FUNCTION frames_check_named(p_election bigint, p_districts bigint[]) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM unnest(p_districts) x
                WHERE NOT EXISTS (SELECT 1 FROM districts d WHERE d.id = x AND d.election_id = p_election)) THEN
        RAISE EXCEPTION 'No such district in this election.' USING ERRCODE = 'PB422', COLUMN = 'district_ids';
    END IF;
    IF cardinality(p_districts) <> (SELECT count(DISTINCT x) FROM unnest(p_districts) x)
       OR NOT frames_one_per_group(p_election, p_districts) THEN
        RAISE EXCEPTION 'A voter votes in at most one district of each group; these name two of one group.'
            USING ERRCODE = 'PB422', COLUMN = 'district_ids';
    END IF;
END $$;

-- p_rules: the group's own {"ballot", "rule", "rule_params"} (checked by the caller), or NULL.
CREATE OR REPLACE FUNCTION add_district_group(p_staff bigint, p_election bigint, p_name jsonb, p_chooses boolean,
                                              p_position int, p_rules jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    g district_groups;
BEGIN
    IF phase_rank(e.phase) >= phase_rank('voting') THEN
        RAISE EXCEPTION 'Groups of districts are fixed once voting has opened.' USING ERRCODE = 'PB409';
    END IF;
    -- a voter's session carries one frame per group (VOTER_MAX_FRAMES, 8, with the ungrouped)
    IF (SELECT count(*) FROM district_groups WHERE election_id = e.id) >= 7 THEN
        RAISE EXCEPTION 'An election has at most 7 groups of districts.' USING ERRCODE = 'PB422', COLUMN = 'name';
    END IF;
    INSERT INTO district_groups (election_id, name, voter_chooses, position, ballot, rule, rule_params)
    VALUES (e.id, p_name, coalesce(p_chooses, false), coalesce(p_position, 0),
            p_rules->'ballot', p_rules->>'rule', p_rules->'rule_params')
    RETURNING * INTO g;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'district_group.create',
                         jsonb_build_object('after', district_group_json(g)));
    RETURN district_group_json(g);
END $$;

-- The group of election e that staff change or delete, locked; fixed once voting opens.
CREATE OR REPLACE FUNCTION district_group_to_change(e elections, p_group bigint)
RETURNS district_groups LANGUAGE plpgsql AS $$
DECLARE
    g district_groups;
BEGIN
    SELECT * INTO g FROM district_groups WHERE id = p_group AND election_id = e.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'No such group of districts in this election.' USING ERRCODE = 'PB404';
    END IF;
    IF phase_rank(e.phase) >= phase_rank('voting') THEN
        RAISE EXCEPTION 'Groups of districts are fixed once voting has opened.' USING ERRCODE = 'PB409';
    END IF;
    RETURN g;
END $$;

-- A change of a group's name, whether voters choose, its place, or its own rules (keys of
-- p_patch; "rules": {"ballot", "rule", "rule_params"} checked by the caller, null for the
-- election's).
-- Voters' choices are made only while voting is open, so none exist yet.
CREATE OR REPLACE FUNCTION update_district_group(p_staff bigint, p_election bigint, p_group bigint, p_patch jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    g district_groups := district_group_to_change(e, p_group);
    before jsonb := district_group_json(g);
BEGIN
    UPDATE district_groups SET name = coalesce(p_patch->'name', name),
                               voter_chooses = coalesce((p_patch->>'voter_chooses')::boolean, voter_chooses),
                               position = coalesce((p_patch->>'position')::int, position),
                               ballot = CASE WHEN p_patch ? 'rules' THEN p_patch->'rules'->'ballot' ELSE ballot END,
                               rule = CASE WHEN p_patch ? 'rules' THEN p_patch->'rules'->>'rule' ELSE rule END,
                               rule_params = CASE WHEN p_patch ? 'rules' THEN p_patch->'rules'->'rule_params'
                                                  ELSE rule_params END
     WHERE id = g.id RETURNING * INTO g;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'district_group.update',
                         jsonb_build_object('before', before, 'after', district_group_json(g)));
    RETURN district_group_json(g);
END $$;

-- Deletes a group; its districts become ungrouped, which is refused when a code or register
-- row would then name two ungrouped districts.
CREATE OR REPLACE FUNCTION delete_district_group(p_staff bigint, p_election bigint, p_group bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    g district_groups := district_group_to_change(e, p_group);
BEGIN
    UPDATE districts SET group_id = NULL WHERE group_id = g.id;
    PERFORM frames_check_credentials(e.id);
    DELETE FROM district_groups WHERE id = g.id;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'district_group.delete',
                         jsonb_build_object('before', district_group_json(g)));
END $$;

-- After districts changed group: every code and register row must still name at most one
-- district per group (PBCON, 409, otherwise; the caller's transaction is undone).
CREATE OR REPLACE FUNCTION frames_check_credentials(p_election bigint) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM voting_codes c
                WHERE c.election_id = p_election AND cardinality(c.more_districts) > 0
                  AND NOT frames_one_per_group(p_election, c.district_id || c.more_districts))
       OR EXISTS (SELECT 1 FROM register_entries r
                   WHERE r.election_id = p_election AND cardinality(r.more_districts) > 0
                     AND NOT frames_one_per_group(p_election, r.district_id || r.more_districts)) THEN
        RAISE EXCEPTION 'Voting codes or register rows name two districts that would be in one group.'
            USING ERRCODE = 'PBCON';
    END IF;
END $$;

-- The districts a voter's credential names: the district of its code, register row or
-- OpenID sign-in, and the more a code or register row names.
CREATE OR REPLACE FUNCTION voter_named_districts(v voters) RETURNS bigint[] LANGUAGE sql STABLE AS $$
    SELECT array_remove(ARRAY[v.district_id], NULL)
        || coalesce((SELECT c.more_districts FROM voting_codes c WHERE c.id = v.code_id), '{}')
        || coalesce((SELECT r.more_districts FROM register_entries r WHERE r.id = v.register_id), '{}')
$$;

-- The frames of a voter, one row per group of the election in the groups' order (ungrouped
-- first): the district the voter votes in there (NULL while a choice is still to be made,
-- or where the voter has none), and whether the group lets the voter choose.
-- VOLATILE, not STABLE: a paper ballot finds (and on first use makes) the voter in the same
-- statement, and only a volatile function sees the row made earlier in that statement.
CREATE OR REPLACE FUNCTION voter_frames(p_election bigint, p_voter bigint)
RETURNS TABLE (group_id bigint, district_id bigint, chooses boolean) LANGUAGE sql VOLATILE AS $$
    WITH v AS (SELECT * FROM voters WHERE id = p_voter AND election_id = p_election),
    named AS (SELECT unnest(voter_named_districts(v)) AS d FROM v),
    grp AS (SELECT coalesce(d.group_id, 0) AS g, coalesce(bool_or(gr.voter_chooses), false) AS chooses,
                   min(coalesce(gr.position, -1)) AS pos, count(*) AS n, min(d.id) AS only_one
              FROM districts d LEFT JOIN district_groups gr ON gr.id = d.group_id
             WHERE d.election_id = p_election
             GROUP BY coalesce(d.group_id, 0))
    SELECT grp.g,
           coalesce((SELECT d.id FROM districts d JOIN named ON named.d = d.id WHERE coalesce(d.group_id, 0) = grp.g),
                    (SELECT c.district_id FROM voter_choices c WHERE c.voter_id = p_voter AND c.group_id = grp.g),
                    CASE WHEN grp.n = 1 AND NOT grp.chooses THEN grp.only_one END),
           grp.chooses
      FROM grp
     WHERE EXISTS (SELECT 1 FROM v)
     ORDER BY grp.pos, grp.g
$$;

-- What a voter's session says of their frames: {"districts": [ids to vote in, in order],
-- "voted": [ids with a ballot], "choices": [{"group_id", "districts": [ids]}] for groups
-- where the voter is still to choose}. p_tag is the voter's ballot tag (hex).
CREATE OR REPLACE FUNCTION voter_frames_json(p_election bigint, p_voter bigint, p_tag text) RETURNS jsonb
LANGUAGE sql VOLATILE AS $$
    WITH f AS (SELECT *, row_number() OVER () AS o FROM voter_frames(p_election, p_voter))
    SELECT jsonb_build_object(
        'districts', coalesce((SELECT jsonb_agg(f.district_id ORDER BY f.o) FROM f WHERE f.district_id IS NOT NULL), '[]'),
        'voted', coalesce((SELECT jsonb_agg(f.district_id ORDER BY f.o) FROM f
                            WHERE f.district_id IS NOT NULL
                              AND EXISTS (SELECT 1 FROM ballots b WHERE b.election_id = p_election
                                             AND b.district_id = f.district_id AND b.voter_tag = decode(p_tag, 'hex'))),
                          '[]'),
        'choices', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                 'group_id', f.group_id,
                                 'districts', (SELECT jsonb_agg(d.id ORDER BY d.id) FROM districts d
                                                WHERE d.election_id = p_election AND coalesce(d.group_id, 0) = f.group_id))
                                 ORDER BY f.o)
                               FROM f WHERE f.district_id IS NULL AND f.chooses), '[]'))
$$;

-- A voter's choice of district in a group that lets voters choose, while voting (or the
-- ideas and supports phases) is open. Final: the same choice again answers as before; another
-- district of the group once one is chosen, or where the credential names one, raises
-- PBCHO (409). Parallel choices wait on the primary key; the first to commit wins.
CREATE OR REPLACE FUNCTION voter_choose_district(p_election bigint, p_voter bigint, p_token_hash text,
                                                 p_district bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock_shared(p_election);
    d districts;
    g district_groups;
    have bigint;
BEGIN
    PERFORM voter_require_active(p_election, p_voter, p_token_hash);
    IF e.phase NOT IN ('voting', 'proposals', 'supports') THEN
        RAISE EXCEPTION 'Voting is not open.' USING ERRCODE = 'PB409';
    END IF;
    SELECT * INTO d FROM districts WHERE id = p_district AND election_id = e.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'No such district in this election.' USING ERRCODE = 'PB422', COLUMN = 'district_id';
    END IF;
    SELECT * INTO g FROM district_groups WHERE id = d.group_id;
    IF NOT FOUND OR NOT g.voter_chooses THEN
        RAISE EXCEPTION 'Voters do not choose this district; it comes with the voting code or the register.'
            USING ERRCODE = 'PB403', COLUMN = 'district_id';
    END IF;
    SELECT f.district_id INTO have FROM voter_frames(e.id, p_voter) f WHERE f.group_id = g.id;
    IF have = p_district THEN
        RETURN;
    ELSIF have IS NOT NULL THEN
        RAISE EXCEPTION 'A district of this group has already been chosen; the choice is final.'
            USING ERRCODE = 'PBCHO';
    END IF;
    INSERT INTO voter_choices (voter_id, group_id, district_id) VALUES (p_voter, g.id, d.id)
    ON CONFLICT (voter_id, group_id) DO NOTHING;
    IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM voter_choices c
                                  WHERE c.voter_id = p_voter AND c.group_id = g.id AND c.district_id = d.id) THEN
        RAISE EXCEPTION 'A district of this group has already been chosen; the choice is final.'
            USING ERRCODE = 'PBCHO';
    END IF;
END $$;
