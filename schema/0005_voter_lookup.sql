-- voter_for_register reuses voter_for_register_id instead of repeating it.
-- One way to find or create the voter behind a register match.
CREATE OR REPLACE FUNCTION voter_for_register(p_election bigint, p_match_hash text) RETURNS voters
LANGUAGE plpgsql AS $$
DECLARE
    reg bigint;
BEGIN
    SELECT id INTO reg FROM register_entries WHERE election_id = p_election AND match_hash = decode(p_match_hash, 'hex');
    RETURN CASE WHEN reg IS NULL THEN NULL ELSE voter_for_register_id(p_election, reg) END;
END $$;
