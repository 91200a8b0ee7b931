-- Every staff change appends to the audit log; the same transaction now notifies
-- pb_changed, so every server process drops its cache of public reads when it commits.
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
