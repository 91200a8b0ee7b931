-- The audit log: append-only, hash-chained, hash = sha256(prev_hash || audit_entry_text).
-- There is one chain per election (election_id), and one installation chain (election_id
-- NULL) for what belongs to no election: organisations created, staff invited to a whole
-- organisation (organisation_id set), and changes to a staff account itself, such as a new
-- password or TOTP (organisation_id NULL as well: an account is not one organisation's, and
-- one entry records the change once however many organisations the person works for).
-- audit_verify(NULL) checks the installation chain.

-- The canonical text of an entry, the input of its hash.
CREATE OR REPLACE FUNCTION audit_entry_text(a audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws('|', a.seq, coalesce(a.organisation_id::text, ''),
                     coalesce(a.election_id::text, ''), coalesce(a.staff_id::text, ''),
                     a.action, a.details::text,
                     to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
$$;

-- Every staff change appends to the audit log; the same transaction notifies pb_changed,
-- so every server process drops its cache of public reads when it commits.
CREATE OR REPLACE FUNCTION audit_append(p_org bigint, p_election bigint, p_staff bigint, p_action text,
                                        p_details jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    prev bytea;
    entry audit_log;
BEGIN
    -- One writer per chain at a time, so every entry links to the true latest.
    PERFORM pg_advisory_xact_lock(7301, (coalesce(p_election, 0) % 2147483647)::int);
    SELECT hash INTO prev FROM audit_log
     WHERE election_id IS NOT DISTINCT FROM p_election ORDER BY seq DESC LIMIT 1;
    entry.seq := nextval('audit_log_seq_seq');
    entry.organisation_id := p_org;
    entry.election_id := p_election;
    entry.staff_id := p_staff;
    entry.action := p_action;
    entry.details := coalesce(p_details, '{}'::jsonb);
    entry.at := date_trunc('milliseconds', clock_timestamp());
    entry.prev_hash := coalesce(prev, '\x'::bytea);
    entry.hash := sha256(entry.prev_hash || convert_to(audit_entry_text(entry), 'UTF8'));
    INSERT INTO audit_log VALUES (entry.*);
    PERFORM pg_notify('pb_changed', coalesce(p_election, 0)::text);
    RETURN entry.seq;
END $$;

-- Verifies an election's audit chain (NULL: the installation chain); returns the first
-- broken entry, or none.
CREATE OR REPLACE FUNCTION audit_verify(p_election bigint)
RETURNS TABLE (entries bigint, broken_seq bigint, reason text) LANGUAGE plpgsql STABLE AS $$
DECLARE
    a audit_log;
    prev bytea := '\x';
    n bigint := 0;
BEGIN
    FOR a IN SELECT * FROM audit_log WHERE election_id IS NOT DISTINCT FROM p_election ORDER BY seq LOOP
        n := n + 1;
        IF a.prev_hash <> prev THEN
            RETURN QUERY SELECT n, a.seq, 'prev_hash does not match the entry before';
            RETURN;
        END IF;
        IF a.hash <> sha256(a.prev_hash || convert_to(audit_entry_text(a), 'UTF8')) THEN
            RETURN QUERY SELECT n, a.seq, 'the entry was changed after it was written';
            RETURN;
        END IF;
        prev := a.hash;
    END LOOP;
    RETURN QUERY SELECT n, NULL::bigint, NULL::text;
END $$;
