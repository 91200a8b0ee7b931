-- Staff sign-in attempts are counted before the password is checked (issue 15): counting
-- only after scrypt (about a second) let 25 parallel guesses through a limit of 10. An
-- attempt takes the row lock, counts itself, and locks the account when it is the tenth
-- within 15 minutes; a success gives its count back. A locked account is answered like an
-- unknown e-mail (the caller runs the same hash on a stand-in), so neither can be told
-- from the other.
ALTER TABLE staff ADD COLUMN failed_at timestamptz;

-- Failures are counted before the check now (staff_login_attempt): the old counter is gone.
DROP FUNCTION IF EXISTS staff_login_failed(bigint);
