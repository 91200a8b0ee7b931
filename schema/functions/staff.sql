-- Staff: the roles they hold.

-- The roles a staff member holds in an election, as bits: observer 1, clerk 2,
-- moderator 4, admin 8 (superadmins are handled by the caller).
CREATE OR REPLACE FUNCTION staff_role_mask(p_staff bigint, p_election bigint) RETURNS int
LANGUAGE sql STABLE AS $$
    SELECT coalesce(bit_or(CASE r.role WHEN 'observer' THEN 1 WHEN 'clerk' THEN 2
                                       WHEN 'moderator' THEN 4 WHEN 'admin' THEN 8 END), 0)
      FROM staff_roles r JOIN elections e ON e.organisation_id = r.organisation_id
     WHERE r.staff_id = p_staff AND e.id = p_election
       AND (r.election_id IS NULL OR r.election_id = e.id)
$$;
