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
CREATE OR REPLACE FUNCTION invite_staff(p_actor bigint, p_super boolean, p_org bigint, p_email text,
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
