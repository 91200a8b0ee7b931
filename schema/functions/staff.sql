-- Staff accounts: roles, sign-in and sign-out, invites accepted, passwords and TOTP.
-- Passwords arrive already hashed (scrypt, on a worker thread) and TOTP codes already
-- checked: the server does the slow and secret work, these functions the writes. A change
-- to the account itself (password, TOTP) is audited once in the installation chain
-- (organisation and election NULL; see audit.sql).

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

-- The account behind p_email with out_allowed: false when it is locked (nothing counted
-- then); no row for an unknown, disabled or not yet activated e-mail.
CREATE OR REPLACE FUNCTION staff_login_attempt(p_email text, p_limit int, p_window_s int, p_lock_s int)
RETURNS TABLE (out_id bigint, out_hash text, out_allowed boolean, out_totp boolean, out_totp_sealed text,
               out_totp_last bigint)
LANGUAGE plpgsql AS $$
DECLARE
    s staff;
    n int;
BEGIN
    SELECT * INTO s FROM staff
     WHERE lower(email) = lower(p_email) AND disabled_at IS NULL AND password_hash IS NOT NULL
     FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF s.locked_until > now() THEN
        RETURN QUERY SELECT s.id, NULL::text, false, false, NULL::text, 0::bigint;
        RETURN;
    END IF;
    n := CASE WHEN s.locked_until IS NOT NULL OR s.failed_at IS NULL
                   OR s.failed_at < now() - make_interval(secs => p_window_s) THEN 1
              ELSE s.failed_logins + 1 END;
    UPDATE staff SET failed_logins = n, failed_at = now(),
                     locked_until = CASE WHEN n >= p_limit THEN now() + make_interval(secs => p_lock_s) END
     WHERE id = s.id;
    RETURN QUERY SELECT s.id, s.password_hash, true, s.totp_enabled, encode(s.totp_secret_sealed, 'hex'),
                        s.totp_last_step;
END $$;

-- The attempt was right (the password, even if the second factor is still missing): its
-- count is given back, and a lock it set itself is lifted.
CREATE OR REPLACE FUNCTION staff_login_giveback(p_staff bigint, p_limit int) RETURNS void
LANGUAGE sql AS $$
    UPDATE staff SET failed_logins = greatest(failed_logins - 1, 0),
                     locked_until = CASE WHEN failed_logins - 1 >= p_limit THEN locked_until END
     WHERE id = p_staff;
$$;

-- A successful sign-in: clears the failure count, remembers the TOTP step used (so the
-- same code cannot sign in twice) and stores the session (only the token's hash). Returns
-- the highest role, the expiry (UTC, ISO 8601) and the staff id; no row when the account
-- is gone.
CREATE OR REPLACE FUNCTION staff_session_open(p_token_hash text, p_staff bigint, p_ttl_s int,
                                              p_totp_step bigint)
RETURNS TABLE (role text, expires_at text, staff_id bigint) LANGUAGE sql AS $$
    WITH ok AS (UPDATE staff SET totp_last_step = greatest(totp_last_step, p_totp_step)
                 WHERE id = p_staff RETURNING id, is_superadmin),
         s AS (INSERT INTO sessions (token_hash, kind, staff_id, expires_at)
               SELECT decode(p_token_hash, 'hex'), 'staff', id, now() + make_interval(secs => p_ttl_s)
                 FROM ok
               RETURNING staff_id, expires_at)
    SELECT CASE WHEN ok.is_superadmin THEN 'admin' ELSE
             (SELECT r.role FROM staff_roles r WHERE r.staff_id = ok.id
               ORDER BY array_position(ARRAY['admin', 'moderator', 'clerk', 'observer'], r.role)
               LIMIT 1) END,
           to_char(s.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ok.id
      FROM s JOIN ok ON ok.id = s.staff_id
$$;

CREATE OR REPLACE FUNCTION staff_session_end(p_token_hash text) RETURNS void LANGUAGE sql AS $$
    DELETE FROM sessions WHERE token_hash = decode(p_token_hash, 'hex') AND kind = 'staff'
$$;

-- Accepts an invite (by the hash of its token, while it is valid) with the account's first
-- password. Returns the account; no row when the invite is unknown, used or expired.
CREATE OR REPLACE FUNCTION staff_accept_invite(p_invite_hash text, p_password_hash text)
RETURNS TABLE (staff_id bigint, email text) LANGUAGE plpgsql AS $$
DECLARE
    s staff;
BEGIN
    UPDATE staff SET password_hash = p_password_hash, invite_hash = NULL, invite_expires_at = NULL,
           failed_logins = 0, locked_until = NULL
     WHERE invite_hash = decode(p_invite_hash, 'hex') AND invite_expires_at > now()
    RETURNING * INTO s;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM audit_append(NULL, NULL, s.id, 'staff.accept', '{}');
    RETURN QUERY SELECT s.id, s.email;
END $$;

-- A new password signs out every other session of the account (p_keep_token_hash is the
-- session that asked).
CREATE OR REPLACE FUNCTION staff_set_password(p_staff bigint, p_password_hash text,
                                              p_keep_token_hash text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    ended int;
BEGIN
    UPDATE staff SET password_hash = p_password_hash WHERE id = p_staff;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    DELETE FROM sessions WHERE staff_id = p_staff AND token_hash <> decode(p_keep_token_hash, 'hex');
    GET DIAGNOSTICS ended = ROW_COUNT;
    PERFORM audit_append(NULL, NULL, p_staff, 'staff.password', jsonb_build_object('sessions_ended', ended));
END $$;

-- Stores a new TOTP secret (sealed by the server, hex). It stays off until enabled with a
-- code from it, so setting up again switches TOTP off: the audit entry says so.
CREATE OR REPLACE FUNCTION staff_totp_setup(p_staff bigint, p_secret_sealed text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    was_enabled boolean;
BEGIN
    SELECT totp_enabled INTO was_enabled FROM staff WHERE id = p_staff FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    UPDATE staff SET totp_secret_sealed = decode(p_secret_sealed, 'hex'), totp_enabled = false
     WHERE id = p_staff;
    PERFORM audit_append(NULL, NULL, p_staff, 'staff.totp_setup',
                         jsonb_build_object('was_enabled', was_enabled));
END $$;

-- Switches TOTP on after the server checked a code from the stored secret; p_step is that
-- code's time step, so it cannot be used again to sign in.
CREATE OR REPLACE FUNCTION staff_totp_enable(p_staff bigint, p_step bigint)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE staff SET totp_enabled = true, totp_last_step = p_step WHERE id = p_staff;
    IF FOUND THEN
        PERFORM audit_append(NULL, NULL, p_staff, 'staff.totp_enable', '{}');
    END IF;
END $$;
