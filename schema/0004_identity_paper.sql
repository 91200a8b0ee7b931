-- Eligibility by voter register and one-time codes, code revocation, and paper ballots
-- with optional double entry.

ALTER TABLE elections
    ADD COLUMN identity jsonb NOT NULL DEFAULT '{"methods": ["code"]}',
    ADD COLUMN paper_double_entry boolean NOT NULL DEFAULT false;

-- The register: keyed hashes only. match_hash covers identifier + birth date (+ postcode
-- when the election asks for it), so a failed match cannot tell which field was wrong.
CREATE TABLE register_entries (
    id          bigserial PRIMARY KEY,
    election_id bigint NOT NULL REFERENCES elections(id),
    district_id bigint NOT NULL REFERENCES districts(id),
    match_hash  bytea NOT NULL,
    contact_hash bytea,               -- phone or e-mail, for one-time codes
    UNIQUE (election_id, match_hash)
);
CREATE INDEX register_contact ON register_entries (election_id, contact_hash);

ALTER TABLE voters
    ADD COLUMN register_id bigint UNIQUE REFERENCES register_entries(id);

-- One-time codes: hash of the code, expiry, attempts.
CREATE TABLE otp_challenges (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    election_id bigint NOT NULL REFERENCES elections(id),
    register_id bigint NOT NULL REFERENCES register_entries(id),
    code_hash   bytea NOT NULL,
    attempts    int NOT NULL DEFAULT 0,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);

-- Paper ballot entries: each sheet typed once, or twice by two clerks when the election
-- asks for double entry; matching entries are counted, mismatches held for review.
CREATE TABLE paper_entries (
    id          bigserial PRIMARY KEY,
    election_id bigint NOT NULL REFERENCES elections(id),
    sheet       text NOT NULL,
    district_id bigint NOT NULL REFERENCES districts(id),
    voter_tag   bytea NOT NULL,
    items       bigint[] NOT NULL,
    points      bigint[],
    clerk_id    bigint NOT NULL REFERENCES staff(id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX paper_entries_sheet ON paper_entries (election_id, sheet);

CREATE TABLE paper_sheets (
    election_id bigint NOT NULL REFERENCES elections(id),
    sheet       text NOT NULL,
    status      text NOT NULL CHECK (status IN ('pending', 'counted', 'mismatch')),
    PRIMARY KEY (election_id, sheet)
);

-- Voter from a register match (created once, even under racing logins).
CREATE FUNCTION voter_login_register(p_election bigint, p_match_hash text, p_token_hash text,
                                     p_ttl_s int)
RETURNS TABLE (out_voter bigint, out_district bigint) LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock_shared(p_election);
    reg register_entries;
    v voters;
BEGIN
    IF e.phase NOT IN ('voting', 'proposals') THEN
        RAISE EXCEPTION 'Voting is not open.' USING ERRCODE = 'PB409';
    END IF;
    SELECT * INTO reg FROM register_entries WHERE election_id = e.id AND match_hash = decode(p_match_hash, 'hex');
    IF NOT FOUND THEN
        RETURN;
    END IF;
    INSERT INTO voters (election_id, district_id, register_id) VALUES (e.id, reg.district_id, reg.id)
    ON CONFLICT (register_id) DO UPDATE SET register_id = EXCLUDED.register_id
    RETURNING * INTO v;
    INSERT INTO sessions (token_hash, kind, voter_id, election_id, expires_at)
    VALUES (decode(p_token_hash, 'hex'), 'voter', v.id, e.id, now() + make_interval(secs => p_ttl_s));
    RETURN QUERY SELECT v.id, v.district_id;
END $$;

-- The voter behind a code, created if needed (for paper ballots typed by a clerk).
CREATE FUNCTION voter_for_code(p_election bigint, p_code_hash text) RETURNS voters
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
    INSERT INTO voters (election_id, district_id, code_id) VALUES (p_election, c.district_id, c.id)
    ON CONFLICT (code_id) DO UPDATE SET code_id = EXCLUDED.code_id RETURNING * INTO v;
    RETURN v;
END $$;

CREATE FUNCTION voter_for_register(p_election bigint, p_match_hash text) RETURNS voters
LANGUAGE plpgsql AS $$
DECLARE
    reg register_entries;
    v voters;
BEGIN
    SELECT * INTO reg FROM register_entries WHERE election_id = p_election AND match_hash = decode(p_match_hash, 'hex');
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    INSERT INTO voters (election_id, district_id, register_id) VALUES (p_election, reg.district_id, reg.id)
    ON CONFLICT (register_id) DO UPDATE SET register_id = EXCLUDED.register_id RETURNING * INTO v;
    RETURN v;
END $$;

-- A paper ballot stands for its voter: it replaces an online ballot (the clerk is told)
-- and cannot be replaced online afterwards.
CREATE FUNCTION cast_paper(e elections, p_district bigint, p_voter_tag text, p_items bigint[],
                           p_points bigint[], p_tracker text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    prev text;
    was_update boolean;
BEGIN
    SELECT source INTO prev FROM ballots
     WHERE election_id = e.id AND district_id = p_district AND voter_tag = decode(p_voter_tag, 'hex');
    INSERT INTO ballots AS b (election_id, district_id, voter_tag, items, points, tracker, source)
    VALUES (e.id, p_district, decode(p_voter_tag, 'hex'), p_items, p_points, p_tracker, 'paper')
    ON CONFLICT (election_id, district_id, voter_tag) DO UPDATE
       SET items = EXCLUDED.items, points = EXCLUDED.points, tracker = EXCLUDED.tracker,
           source = 'paper', id = gen_random_uuid()
    RETURNING (b.xmax::text <> '0') INTO was_update;
    IF NOT was_update THEN
        INSERT INTO turnout (election_id, district_id, hour, ballots)
        VALUES (e.id, p_district, date_trunc('hour', now()), 1)
        ON CONFLICT (election_id, district_id, hour) DO UPDATE SET ballots = turnout.ballots + 1;
    END IF;
    RETURN prev = 'online';
END $$;

-- Records one typing of a paper sheet. Single entry counts it at once; with double entry
-- the first typing waits, a matching second typing by another clerk counts it, and a
-- different one holds the sheet for review. p_resolve (an admin) settles a held sheet.
CREATE FUNCTION record_paper(p_election bigint, p_sheet text, p_district bigint, p_voter_tag text,
                             p_items bigint[], p_points bigint[], p_tracker text, p_clerk bigint,
                             p_resolve boolean)
RETURNS TABLE (status text, replaced_online boolean) LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    sheet_status text;
    other paper_entries;
    n int;
    replaced boolean := false;
BEGIN
    IF e.phase NOT IN ('voting', 'closed') OR e.tallied_at IS NOT NULL THEN
        RAISE EXCEPTION 'Paper ballots are entered while voting is open or closed, before the count.'
            USING ERRCODE = 'PB409';
    END IF;
    SELECT s.status INTO sheet_status FROM paper_sheets s WHERE s.election_id = e.id AND s.sheet = p_sheet;
    IF p_resolve THEN
        IF sheet_status IS DISTINCT FROM 'mismatch' THEN
            RAISE EXCEPTION 'Only a sheet held for review can be resolved.' USING ERRCODE = 'PBCON';
        END IF;
        INSERT INTO paper_entries (election_id, sheet, district_id, voter_tag, items, points, clerk_id)
        VALUES (e.id, p_sheet, p_district, decode(p_voter_tag, 'hex'), p_items, p_points, p_clerk);
        replaced := cast_paper(e, p_district, p_voter_tag, p_items, p_points, p_tracker);
        UPDATE paper_sheets s SET status = 'counted' WHERE s.election_id = e.id AND s.sheet = p_sheet;
        PERFORM audit_append(e.organisation_id, e.id, p_clerk, 'paper.resolve', jsonb_build_object('sheet', p_sheet));
        RETURN QUERY SELECT 'counted'::text, replaced;
        RETURN;
    END IF;
    IF sheet_status = 'counted' THEN
        RAISE EXCEPTION 'This sheet has been counted already.' USING ERRCODE = 'PBCON';
    ELSIF sheet_status = 'mismatch' THEN
        RAISE EXCEPTION 'This sheet is held for review: its two entries differ.' USING ERRCODE = 'PBCON';
    END IF;
    IF NOT e.paper_double_entry THEN
        INSERT INTO paper_entries (election_id, sheet, district_id, voter_tag, items, points, clerk_id)
        VALUES (e.id, p_sheet, p_district, decode(p_voter_tag, 'hex'), p_items, p_points, p_clerk);
        INSERT INTO paper_sheets VALUES (e.id, p_sheet, 'counted');
        replaced := cast_paper(e, p_district, p_voter_tag, p_items, p_points, p_tracker);
        PERFORM audit_append(e.organisation_id, e.id, p_clerk, 'paper.enter',
                             jsonb_build_object('sheet', p_sheet, 'status', 'counted', 'replaced_online', replaced));
        RETURN QUERY SELECT 'counted'::text, replaced;
        RETURN;
    END IF;
    SELECT count(*) INTO n FROM paper_entries pe WHERE pe.election_id = e.id AND pe.sheet = p_sheet;
    IF n = 0 THEN
        INSERT INTO paper_entries (election_id, sheet, district_id, voter_tag, items, points, clerk_id)
        VALUES (e.id, p_sheet, p_district, decode(p_voter_tag, 'hex'), p_items, p_points, p_clerk);
        INSERT INTO paper_sheets VALUES (e.id, p_sheet, 'pending');
        PERFORM audit_append(e.organisation_id, e.id, p_clerk, 'paper.enter',
                             jsonb_build_object('sheet', p_sheet, 'status', 'pending'));
        RETURN QUERY SELECT 'pending'::text, false;
        RETURN;
    END IF;
    SELECT * INTO other FROM paper_entries pe WHERE pe.election_id = e.id AND pe.sheet = p_sheet ORDER BY id LIMIT 1;
    IF other.clerk_id = p_clerk THEN
        RAISE EXCEPTION 'The second entry of a sheet must come from another clerk.' USING ERRCODE = 'PBCON';
    END IF;
    INSERT INTO paper_entries (election_id, sheet, district_id, voter_tag, items, points, clerk_id)
    VALUES (e.id, p_sheet, p_district, decode(p_voter_tag, 'hex'), p_items, p_points, p_clerk);
    IF other.district_id = p_district AND other.voter_tag = decode(p_voter_tag, 'hex')
       AND other.items = p_items AND other.points IS NOT DISTINCT FROM p_points THEN
        replaced := cast_paper(e, p_district, p_voter_tag, p_items, p_points, p_tracker);
        UPDATE paper_sheets s SET status = 'counted' WHERE s.election_id = e.id AND s.sheet = p_sheet;
        PERFORM audit_append(e.organisation_id, e.id, p_clerk, 'paper.enter',
                             jsonb_build_object('sheet', p_sheet, 'status', 'counted', 'replaced_online', replaced));
        RETURN QUERY SELECT 'counted'::text, replaced;
    ELSE
        UPDATE paper_sheets s SET status = 'mismatch' WHERE s.election_id = e.id AND s.sheet = p_sheet;
        PERFORM audit_append(e.organisation_id, e.id, p_clerk, 'paper.enter',
                             jsonb_build_object('sheet', p_sheet, 'status', 'mismatch'));
        RETURN QUERY SELECT 'mismatch'::text, false;
    END IF;
END $$;

-- Loads register rows [[district_id, match_hash, contact_hash], ...] (hashes in hex).
CREATE FUNCTION add_register(p_staff bigint, p_election bigint, p_rows jsonb) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    n int;
BEGIN
    IF phase_rank(e.phase) >= phase_rank('closed') THEN
        RAISE EXCEPTION 'Voting has closed.' USING ERRCODE = 'PB409';
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_array_elements(p_rows) r
                WHERE NOT EXISTS (SELECT 1 FROM districts d WHERE d.id = (r->>0)::bigint AND d.election_id = e.id)) THEN
        RAISE EXCEPTION 'A row names a district that is not in this election.' USING ERRCODE = 'PB422';
    END IF;
    INSERT INTO register_entries (election_id, district_id, match_hash, contact_hash)
    SELECT e.id, (r->>0)::bigint, decode(r->>1, 'hex'), decode(nullif(r->>2, ''), 'hex')
      FROM jsonb_array_elements(p_rows) r
    ON CONFLICT (election_id, match_hash) DO UPDATE
       SET district_id = EXCLUDED.district_id, contact_hash = EXCLUDED.contact_hash;
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'register.upload', jsonb_build_object('rows', n));
    RETURN n;
END $$;

-- Starts a one-time-code challenge for a contact on the register. Returns the register
-- entry (NULL when the contact is unknown: the caller answers the same either way).
CREATE FUNCTION otp_start(p_election bigint, p_contact_hash text, p_challenge uuid, p_code_hash text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock_shared(p_election);
    reg bigint;
BEGIN
    IF e.phase NOT IN ('voting', 'proposals') THEN
        RAISE EXCEPTION 'Voting is not open.' USING ERRCODE = 'PB409';
    END IF;
    SELECT id INTO reg FROM register_entries WHERE election_id = e.id AND contact_hash = decode(p_contact_hash, 'hex')
     ORDER BY id LIMIT 1;
    IF reg IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO otp_challenges (id, election_id, register_id, code_hash, expires_at)
    VALUES (p_challenge, e.id, reg, decode(p_code_hash, 'hex'), now() + interval '10 minutes');
    RETURN reg;
END $$;

-- Checks a one-time code: at most 5 tries, 10 minutes, once. On success opens the session.
CREATE FUNCTION otp_finish(p_election bigint, p_challenge uuid, p_code_hash text, p_token_hash text, p_ttl_s int)
RETURNS TABLE (out_voter bigint, out_district bigint) LANGUAGE plpgsql AS $$
DECLARE
    c otp_challenges;
    v voters;
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
    v := voter_for_register_id(p_election, c.register_id);
    INSERT INTO sessions (token_hash, kind, voter_id, election_id, expires_at)
    VALUES (decode(p_token_hash, 'hex'), 'voter', v.id, p_election, now() + make_interval(secs => p_ttl_s));
    RETURN QUERY SELECT v.id, v.district_id;
END $$;

CREATE FUNCTION voter_for_register_id(p_election bigint, p_register bigint) RETURNS voters
LANGUAGE plpgsql AS $$
DECLARE
    reg register_entries;
    v voters;
BEGIN
    SELECT * INTO reg FROM register_entries WHERE id = p_register AND election_id = p_election;
    INSERT INTO voters (election_id, district_id, register_id) VALUES (p_election, reg.district_id, reg.id)
    ON CONFLICT (register_id) DO UPDATE SET register_id = EXCLUDED.register_id RETURNING * INTO v;
    RETURN v;
END $$;

CREATE FUNCTION revoke_code(p_staff bigint, p_election bigint, p_code_hash text) RETURNS boolean
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

CREATE OR REPLACE FUNCTION update_election(p_staff bigint, p_election bigint, p_patch jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    before jsonb := election_json(e);
BEGIN
    IF (p_patch ? 'ballot' OR p_patch ? 'rule' OR p_patch ? 'rule_params' OR p_patch ? 'currency'
        OR p_patch ? 'categories' OR p_patch ? 'paper_double_entry')
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
        paper_double_entry = coalesce((p_patch->>'paper_double_entry')::boolean, paper_double_entry)
     WHERE id = e.id RETURNING * INTO e;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'election.update',
                         jsonb_build_object('before', before - 'districts',
                                            'after', election_json(e) - 'districts'));
    RETURN election_json(e);
END $$;

CREATE OR REPLACE FUNCTION election_json(e elections) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', e.id, 'organisation_id', e.organisation_id, 'slug', e.slug,
        'title', e.title, 'description', e.description,
        'default_language', e.default_lang, 'languages', to_jsonb(e.languages),
        'currency', e.currency, 'categories', e.categories,
        'ballot', e.ballot, 'rule', e.rule, 'rule_params', e.rule_params,
        'phase', effective_phase(e), 'phases', e.phases,
        'paper_double_entry', e.paper_double_entry,
        'has_public_key', e.public_key IS NOT NULL,
        'published_at', e.published_at,
        'districts', coalesce((SELECT jsonb_agg(district_json(d) ORDER BY d.id)
                                 FROM districts d WHERE d.election_id = e.id), '[]'::jsonb),
        'created_at', e.created_at)
$$;

