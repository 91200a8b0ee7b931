-- Voter sessions become signed tokens (server/votertoken.c) instead of rows in sessions:
-- signing in no longer writes a session row, and a cast no longer looks one up. Session
-- rows made before this migration stay valid until they expire.
-- The sign-in functions lost their token and lifetime arguments. CREATE OR REPLACE cannot
-- change an argument list, so the old functions are dropped here; schema/functions/
-- creates the new ones (voters.sql, register.sql).

DROP FUNCTION IF EXISTS voter_login_code(bigint, text, text, int);
DROP FUNCTION IF EXISTS voter_login_register(bigint, text, text, int);
DROP FUNCTION IF EXISTS otp_finish(bigint, uuid, text, text, int);
DROP FUNCTION IF EXISTS voter_session_open(bigint, voters, text, int);
