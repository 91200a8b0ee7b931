-- Eligibility by voter register: uploads of keyed hashes, matches, and one-time codes sent
-- to a contact on the register.

-- Loads register rows [[district_id, match_hash, contact_hash, oidc_hash, birth_date, area,
-- [more district ids]], ...] (hashes in hex; contact and OIDC hashes may be empty; the more
-- districts are of other groups, at most one per group, as the upload's check made sure).
CREATE OR REPLACE FUNCTION add_register(p_staff bigint, p_election bigint, p_rows jsonb) RETURNS int
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
    IF EXISTS (SELECT 1 FROM jsonb_array_elements(p_rows) r
                WHERE jsonb_array_length(coalesce(r->6, '[]')) > 0
                  AND (EXISTS (SELECT 1 FROM jsonb_array_elements_text(r->6) x
                                WHERE NOT EXISTS (SELECT 1 FROM districts d WHERE d.id = x::bigint AND d.election_id = e.id))
                       OR NOT frames_one_per_group(e.id, (r->>0)::bigint
                                || ARRAY(SELECT x::bigint FROM jsonb_array_elements_text(r->6) x))))
    THEN
        RAISE EXCEPTION 'A row names districts that are not in this election, or two of one group.' USING ERRCODE = 'PB422';
    END IF;
    INSERT INTO register_entries (election_id, district_id, match_hash, contact_hash, oidc_hash, birth_date, area,
                                  more_districts)
    SELECT e.id, (r->>0)::bigint, decode(r->>1, 'hex'), decode(nullif(r->>2, ''), 'hex'),
           decode(nullif(r->>3, ''), 'hex'), (nullif(r->>4, ''))::date, nullif(btrim(r->>5), ''),
           ARRAY(SELECT x::bigint FROM jsonb_array_elements_text(coalesce(r->6, '[]')) x)
      FROM jsonb_array_elements(p_rows) r
    ON CONFLICT (election_id, match_hash) DO UPDATE
       SET district_id = EXCLUDED.district_id, more_districts = EXCLUDED.more_districts,
           contact_hash = EXCLUDED.contact_hash,
           oidc_hash = EXCLUDED.oidc_hash, birth_date = EXCLUDED.birth_date, area = EXCLUDED.area;
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'register.upload', jsonb_build_object('rows', n));
    RETURN n;
END $$;

-- The voter behind a register match (NULL when nothing matches), through voter_for_register_id.
CREATE OR REPLACE FUNCTION voter_for_register(p_election bigint, p_match_hash text) RETURNS voters
LANGUAGE plpgsql AS $$
DECLARE
    reg bigint;
BEGIN
    SELECT id INTO reg FROM register_entries WHERE election_id = p_election AND match_hash = decode(p_match_hash, 'hex');
    RETURN CASE WHEN reg IS NULL THEN NULL ELSE voter_for_register_id(p_election, reg) END;
END $$;

-- The voter behind a register entry, created on first use, exactly once under races.
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

-- Starts a one-time-code challenge for a contact on the register, and queues the message
-- with the code in the outbox in the same transaction (recipient and code come sealed).
-- Returns the register entry (NULL when the contact is unknown: nothing is queued, and the
-- caller answers the same either way).
CREATE OR REPLACE FUNCTION otp_start(p_election bigint, p_contact_hash text, p_challenge uuid, p_code_hash text,
                                     p_channel text, p_lang text, p_recipient_sealed text, p_hint text,
                                     p_params_sealed text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock_shared(p_election);
    reg bigint;
BEGIN
    IF e.phase NOT IN ('voting', 'proposals', 'supports') THEN
        RAISE EXCEPTION 'Voting is not open.' USING ERRCODE = 'PB409';
    END IF;
    SELECT id INTO reg FROM register_entries WHERE election_id = e.id AND contact_hash = decode(p_contact_hash, 'hex')
     ORDER BY id LIMIT 1;
    IF reg IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO otp_challenges (id, election_id, register_id, code_hash, expires_at)
    VALUES (p_challenge, e.id, reg, decode(p_code_hash, 'hex'), now() + interval '10 minutes');
    PERFORM outbox_enqueue(e.organisation_id, e.id, 'otp', p_channel, coalesce(p_lang, e.default_lang), p_recipient_sealed, p_hint,
                           p_params_sealed, 'otp:' || p_challenge::text, 600);
    RETURN reg;
END $$;

-- Checks a one-time code: at most 5 tries, 10 minutes, once.
CREATE OR REPLACE FUNCTION otp_finish(p_election bigint, p_challenge uuid, p_code_hash text)
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
