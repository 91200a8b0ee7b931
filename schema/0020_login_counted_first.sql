-- Staff sign-in attempts are counted before the password is checked (issue 15): counting
-- only after scrypt (about a second) let 25 parallel guesses through a limit of 10. An
-- attempt takes the row lock, counts itself, and locks the account when it is the tenth
-- within 15 minutes; a success gives its count back. A locked account is answered like an
-- unknown e-mail (the caller runs the same hash on a stand-in), so neither can be told
-- from the other.
ALTER TABLE staff ADD COLUMN failed_at timestamptz;

-- The account behind p_email with out_allowed: false when it is locked (nothing counted
-- then); no row for an unknown, disabled or not yet activated e-mail.
CREATE FUNCTION staff_login_attempt(p_email text, p_limit int, p_window_s int, p_lock_s int)
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
CREATE FUNCTION staff_login_giveback(p_staff bigint, p_limit int) RETURNS void
LANGUAGE sql AS $$
    UPDATE staff SET failed_logins = greatest(failed_logins - 1, 0),
                     locked_until = CASE WHEN failed_logins - 1 >= p_limit THEN locked_until END
     WHERE id = p_staff;
$$;
