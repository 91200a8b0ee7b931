-- OpenID Connect (migration 0031): providers staff configure, sign-ins in progress (single
-- use, bound to a browser), and the voter or staff member a verified sign-in stands for.

-- The provider for citizens of an election (its own, else the organisation's) or, with
-- p_election NULL, for the organisation's staff.
CREATE OR REPLACE FUNCTION oidc_provider_for(p_org bigint, p_election bigint, p_purpose text) RETURNS oidc_providers
LANGUAGE sql STABLE AS $$
    SELECT * FROM oidc_providers
     WHERE organisation_id = p_org AND purpose = p_purpose AND enabled
       AND (election_id IS NULL OR election_id = p_election)
     ORDER BY election_id NULLS LAST LIMIT 1
$$;

CREATE OR REPLACE FUNCTION oidc_provider_json(p oidc_providers) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', p.id, 'organisation_id', p.organisation_id, 'election_id', p.election_id,
                              'purpose', p.purpose, 'issuer', p.issuer, 'client_id', p.client_id,
                              'client_secret_ref', p.client_secret_ref, 'scopes', p.scopes,
                              'eligibility_claim', p.eligibility_claim, 'birthdate_claim', p.birthdate_claim,
                              'min_age', p.min_age, 'open_to_all', p.open_to_all, 'button_text', p.button_text,
                              'enabled', p.enabled, 'updated_at', p.updated_at)
$$;

CREATE OR REPLACE FUNCTION oidc_providers_json(p_org bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(oidc_provider_json(p) ORDER BY p.id), '[]'::jsonb)
      FROM oidc_providers p WHERE p.organisation_id = p_org
$$;

-- Creates or replaces the organisation's provider for a purpose (and election), audited.
CREATE OR REPLACE FUNCTION put_oidc_provider(p_staff bigint, p_org bigint, p jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    e bigint := (p->>'election_id')::bigint;
    row oidc_providers;
BEGIN
    IF e IS NOT NULL AND NOT EXISTS (SELECT 1 FROM elections WHERE id = e AND organisation_id = p_org) THEN
        RAISE EXCEPTION 'No such election in this organisation.' USING ERRCODE = 'PB422';
    END IF;
    IF p->>'purpose' = 'staff' AND e IS NOT NULL THEN
        RAISE EXCEPTION 'Staff sign-in is set for the whole organisation, not one election.' USING ERRCODE = 'PB422';
    END IF;
    DELETE FROM oidc_providers
     WHERE organisation_id = p_org AND coalesce(election_id, 0) = coalesce(e, 0) AND purpose = p->>'purpose';
    INSERT INTO oidc_providers (organisation_id, election_id, purpose, issuer, client_id, client_secret_ref, scopes,
                                eligibility_claim, birthdate_claim, min_age, open_to_all, button_text, enabled)
    VALUES (p_org, e, p->>'purpose', p->>'issuer', p->>'client_id', p->>'client_secret_ref',
            coalesce(p->>'scopes', 'openid'),
            coalesce(p->>'eligibility_claim', CASE WHEN p->>'purpose' = 'staff' THEN 'email' ELSE 'sub' END),
            p->>'birthdate_claim',
            (p->>'min_age')::int, coalesce((p->>'open_to_all')::boolean, false),
            coalesce(p->'button_text', '{"da": "Log ind med MitID", "en": "Sign in with MitID"}'),
            coalesce((p->>'enabled')::boolean, true))
    RETURNING * INTO row;
    PERFORM audit_append(p_org, e, p_staff, 'oidc.provider', oidc_provider_json(row));
    RETURN oidc_provider_json(row);
END $$;

CREATE OR REPLACE FUNCTION delete_oidc_provider(p_staff bigint, p_org bigint, p_id bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    row oidc_providers;
BEGIN
    DELETE FROM oidc_providers WHERE id = p_id AND organisation_id = p_org RETURNING * INTO row;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM audit_append(p_org, row.election_id, p_staff, 'oidc.provider_delete', jsonb_build_object('id', p_id));
    RETURN true;
END $$;

-- A sign-in leaves for the provider: ten minutes to come back. Old ones are cleared here.
CREATE OR REPLACE FUNCTION oidc_login_start(p_state_hash text, p_provider bigint, p_election bigint,
                                            p_browser_hash text, p_nonce text, p_verifier_sealed text)
RETURNS void LANGUAGE sql AS $$
    DELETE FROM oidc_logins WHERE expires_at < now() - interval '1 hour';
    INSERT INTO oidc_logins (state_hash, provider_id, election_id, browser_hash, nonce, verifier_sealed, expires_at)
    VALUES (decode(p_state_hash, 'hex'), p_provider, p_election, decode(p_browser_hash, 'hex'), p_nonce,
            decode(p_verifier_sealed, 'hex'), now() + interval '10 minutes');
$$;

-- The return: takes the sign-in (once; only from the browser that began it, for the same
-- election) and gives what finishing it needs. No row: unknown, expired, used or stolen.
CREATE OR REPLACE FUNCTION oidc_login_take(p_state_hash text, p_browser_hash text, p_election bigint)
RETURNS TABLE (provider_id bigint, issuer text, client_id text, client_secret_ref text, eligibility_claim text,
               birthdate_claim text, min_age int, nonce text, verifier_sealed text, organisation_id bigint)
LANGUAGE sql AS $$
    WITH taken AS (
        UPDATE oidc_logins l SET used_at = now()
         WHERE l.state_hash = decode(p_state_hash, 'hex') AND l.used_at IS NULL AND l.expires_at > now()
           AND l.browser_hash = decode(p_browser_hash, 'hex')
           AND l.election_id IS NOT DISTINCT FROM p_election
        RETURNING l.*)
    SELECT p.id, p.issuer, p.client_id, p.client_secret_ref, p.eligibility_claim, p.birthdate_claim, p.min_age,
           t.nonce, encode(t.verifier_sealed, 'hex'), p.organisation_id
      FROM taken t JOIN oidc_providers p ON p.id = t.provider_id
$$;

-- The voter a verified claim stands for: the register entry with that keyed hash (the same
-- voter as a register or one-time-code sign-in of that entry); or, when the election has no
-- register and its provider is open to all, a voter made for the keyed hash alone, whose
-- frames are the single-frame groups and the groups where voters choose. No row: not eligible.
CREATE OR REPLACE FUNCTION voter_login_oidc(p_election bigint, p_provider bigint, p_oidc_hash text)
RETURNS TABLE (out_voter bigint, out_district bigint) LANGUAGE plpgsql AS $$
DECLARE
    reg bigint;
    v voters;
    h bytea := decode(p_oidc_hash, 'hex');
BEGIN
    IF EXISTS (SELECT 1 FROM register_entries WHERE election_id = p_election) THEN
        SELECT id INTO reg FROM register_entries WHERE election_id = p_election AND oidc_hash = h ORDER BY id LIMIT 1;
        IF reg IS NOT NULL THEN
            v := voter_for_register_id(p_election, reg);
        END IF;
    ELSIF (SELECT open_to_all FROM oidc_providers WHERE id = p_provider) THEN
        -- no register to name a district: the election's frames must each be the one frame
        -- of its group, or a group where voters choose (voter_frames finds them)
        IF EXISTS (SELECT 1 FROM districts d LEFT JOIN district_groups g ON g.id = d.group_id
                    WHERE d.election_id = p_election AND NOT coalesce(g.voter_chooses, false)
                    GROUP BY coalesce(d.group_id, 0) HAVING count(*) > 1) THEN
            RAISE EXCEPTION 'The election has several districts and no register to place a voter in one.'
                USING ERRCODE = 'PB422';
        END IF;
        SELECT * INTO v FROM voters WHERE election_id = p_election AND oidc_hash = h;
        IF NOT FOUND THEN
            INSERT INTO voters (election_id, district_id, oidc_hash) VALUES (p_election, NULL, h)
            ON CONFLICT (election_id, oidc_hash) WHERE oidc_hash IS NOT NULL DO NOTHING RETURNING * INTO v;
            IF NOT FOUND THEN
                SELECT * INTO v FROM voters WHERE election_id = p_election AND oidc_hash = h;
            END IF;
        END IF;
    END IF;
    RETURN QUERY SELECT * FROM voter_signs_in(p_election, v);
END $$;

-- Whether an election offers sign-in through a provider, and the button's text.
CREATE OR REPLACE FUNCTION election_oidc_button(p_election bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT p.button_text FROM elections e, oidc_provider_for(e.organisation_id, e.id, 'citizen') p
     WHERE e.id = p_election AND p.id IS NOT NULL
$$;

-- A staff sign-in through the organisation's provider: the account with that e-mail that
-- holds a role in the organisation (or the installation's admin) gets a session like a
-- password sign-in. The provider vouches for the address; the roles are Borgerbudget's.
CREATE OR REPLACE FUNCTION staff_oidc_session(p_org bigint, p_email text, p_token_hash text, p_ttl_s int)
RETURNS TABLE (role text, expires_at text, staff_id bigint) LANGUAGE sql AS $$
    SELECT * FROM staff_session_open(p_token_hash,
        (SELECT s.id FROM staff s
          WHERE lower(s.email) = lower(p_email) AND s.disabled_at IS NULL
            AND (s.is_superadmin OR EXISTS (SELECT 1 FROM staff_roles r
                                             WHERE r.staff_id = s.id AND r.organisation_id = p_org))),
        p_ttl_s, 0)
$$;
