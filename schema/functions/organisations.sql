-- Organisations (municipalities) on one installation and the staff they invite. Both are
-- audited in the installation chain (election NULL) unless an invite is for one election.

-- The installation admin creates an organisation (the caller checks that role).
CREATE OR REPLACE FUNCTION create_organisation(p_name text, p_staff bigint) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    o organisations;
BEGIN
    INSERT INTO organisations (name) VALUES (p_name) RETURNING * INTO o;
    PERFORM audit_append(o.id, NULL, p_staff, 'organisation.create', jsonb_build_object('name', o.name));
    RETURN jsonb_build_object('id', o.id, 'name', o.name, 'created_at', o.created_at);
END $$;

-- Invites a staff member to an organisation (or one of its elections) with a role. A new
-- address gets an invite (only the hash of its token is stored); an existing account just
-- gains the role.
-- A new invite queues its e-mail (with the token's link, sealed: p_recipient_sealed,
-- p_params_sealed) in the outbox in the same transaction.
CREATE OR REPLACE FUNCTION invite_staff(p_actor bigint, p_super boolean, p_org bigint, p_email text,
                                        p_role text, p_election bigint, p_invite_hash text,
                                        p_recipient_sealed text, p_hint text, p_params_sealed text)
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
    IF is_new AND p_recipient_sealed IS NOT NULL THEN
        PERFORM outbox_enqueue(p_org, p_election, 'invite', 'email', 'en', p_recipient_sealed, p_hint,
                               p_params_sealed, 'invite:' || p_invite_hash, NULL);
    END IF;
    RETURN QUERY SELECT s.id, is_new;
END $$;

-- Removes a staff member from an organisation: every role they hold in it, for the whole
-- organisation or one of its elections. Changes to one organisation's staff run one at a
-- time (its row is locked), so two admins removing each other at once cannot leave it
-- without an admin: the last admin for the whole organisation stays. An account left with
-- no role anywhere is signed out, and its unused invite stops working. Audited in the
-- installation chain under the organisation, and in each election a role was for.
CREATE OR REPLACE FUNCTION remove_staff(p_actor bigint, p_super boolean, p_org bigint, p_staff bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    removed jsonb;
    el bigint;
BEGIN
    PERFORM 1 FROM organisations WHERE id = p_org FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'No such organisation.' USING ERRCODE = 'PB404';
    END IF;
    IF NOT p_super AND NOT EXISTS (SELECT 1 FROM staff_roles r WHERE r.staff_id = p_actor
            AND r.organisation_id = p_org AND r.election_id IS NULL AND r.role = 'admin') THEN
        RAISE EXCEPTION 'Only an admin of the organisation can remove staff.' USING ERRCODE = 'PB403';
    END IF;
    SELECT jsonb_agg(jsonb_build_object('role', r.role, 'election_id', r.election_id) ORDER BY r.election_id, r.role)
      INTO removed FROM staff_roles r WHERE r.staff_id = p_staff AND r.organisation_id = p_org;
    IF removed IS NULL THEN
        RAISE EXCEPTION 'No such staff member in this organisation.' USING ERRCODE = 'PB404';
    END IF;
    IF EXISTS (SELECT 1 FROM staff_roles r WHERE r.staff_id = p_staff AND r.organisation_id = p_org
                  AND r.election_id IS NULL AND r.role = 'admin')
       AND NOT EXISTS (SELECT 1 FROM staff_roles r JOIN staff s ON s.id = r.staff_id
                        WHERE r.organisation_id = p_org AND r.election_id IS NULL AND r.role = 'admin'
                          AND r.staff_id <> p_staff AND s.disabled_at IS NULL AND s.password_hash IS NOT NULL) THEN
        RAISE EXCEPTION 'This is the organisation''s last admin; make someone else admin first.'
            USING ERRCODE = 'PBCON';
    END IF;
    DELETE FROM staff_roles r WHERE r.staff_id = p_staff AND r.organisation_id = p_org;
    IF NOT EXISTS (SELECT 1 FROM staff_roles r WHERE r.staff_id = p_staff)
       AND NOT (SELECT is_superadmin FROM staff WHERE id = p_staff) THEN
        DELETE FROM sessions WHERE staff_id = p_staff;
        UPDATE staff SET invite_hash = NULL, invite_expires_at = NULL WHERE id = p_staff;
    END IF;
    PERFORM audit_append(p_org, NULL, p_actor, 'staff.remove', jsonb_build_object('staff_id', p_staff, 'roles', removed));
    FOR el IN SELECT DISTINCT (x->>'election_id')::bigint FROM jsonb_array_elements(removed) x
               WHERE x->>'election_id' IS NOT NULL LOOP
        PERFORM audit_append(p_org, el, p_actor, 'staff.remove', jsonb_build_object('staff_id', p_staff));
    END LOOP;
END $$;
