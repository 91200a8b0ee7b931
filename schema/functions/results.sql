-- Counted results (the exact signed bytes) and their publication.

-- Stores the count of a closed election (counting again replaces it until publication).
CREATE OR REPLACE FUNCTION store_results(p_staff bigint, p_election bigint, p_result text, p_signature text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
BEGIN
    IF e.phase <> 'closed' THEN
        RAISE EXCEPTION '%', CASE e.phase WHEN 'published' THEN 'The results are published; the election is finished.'
                                          ELSE 'Close voting before counting.' END
            USING ERRCODE = 'PB409';
    END IF;
    INSERT INTO results (election_id, result, signature) VALUES (e.id, p_result, p_signature)
    ON CONFLICT (election_id) DO UPDATE
       SET result = EXCLUDED.result, signature = EXCLUDED.signature, computed_at = now();
    UPDATE elections SET tallied_at = now() WHERE id = e.id;
    UPDATE tally_runs SET percent = 100, finished_at = now(), updated_at = now(), error = NULL
     WHERE election_id = e.id;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'results.tally',
                         jsonb_build_object('sha256', encode(sha256(convert_to(p_result, 'UTF8')), 'hex')));
END $$;

-- Publishes counted results; the election is finished after this.
CREATE OR REPLACE FUNCTION publish_results(p_staff bigint, p_election bigint) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
BEGIN
    IF e.phase = 'published' THEN
        RETURN election_json(e);
    END IF;
    IF e.phase <> 'closed' THEN
        RAISE EXCEPTION 'Close voting and count before publishing.' USING ERRCODE = 'PB409';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM results WHERE election_id = e.id) THEN
        RAISE EXCEPTION 'Count the election before publishing.' USING ERRCODE = 'PB409';
    END IF;
    UPDATE elections SET phase = 'published', published_at = now() WHERE id = e.id RETURNING * INTO e;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'results.publish', '{}');
    RETURN election_json(e);
END $$;

-- A count begins: refused (PBCON) while another count of the election is running and
-- alive; a dead one (no progress for a minute) is taken over.
CREATE OR REPLACE FUNCTION tally_begin(p_staff bigint, p_election bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    run tally_runs;
BEGIN
    SELECT * INTO run FROM tally_runs WHERE election_id = p_election FOR UPDATE;
    IF FOUND AND run.finished_at IS NULL AND run.updated_at > now() - interval '1 minute' THEN
        RAISE EXCEPTION 'A count of this election is already running (% %% done); wait for it.', run.percent
            USING ERRCODE = 'PBCON';
    END IF;
    INSERT INTO tally_runs (election_id, staff_id, started_at, updated_at, percent)
    VALUES (p_election, p_staff, now(), now(), 0)
    ON CONFLICT (election_id) DO UPDATE
       SET staff_id = EXCLUDED.staff_id, started_at = now(), updated_at = now(), percent = 0,
           finished_at = NULL, error = NULL;
END $$;

-- How far the running count has got (0-99; 100 is written with the results).
CREATE OR REPLACE FUNCTION tally_progress(p_election bigint, p_percent int) RETURNS void
LANGUAGE sql AS $$
    UPDATE tally_runs SET percent = greatest(percent, least(p_percent, 99)), updated_at = now()
     WHERE election_id = p_election AND finished_at IS NULL
$$;

-- A count that failed: the reason stays for the staff page.
CREATE OR REPLACE FUNCTION tally_failed(p_election bigint, p_error text) RETURNS void
LANGUAGE sql AS $$
    UPDATE tally_runs SET finished_at = now(), updated_at = now(), error = p_error
     WHERE election_id = p_election AND finished_at IS NULL
$$;

-- The count as the API shows it: {"running","percent","started_at","finished_at","error"}.
CREATE OR REPLACE FUNCTION tally_status(p_election bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT jsonb_build_object(
               'running', t.finished_at IS NULL AND t.updated_at > now() - interval '1 minute',
               'percent', t.percent, 'started_at', t.started_at, 'finished_at', t.finished_at,
               'error', t.error)
             FROM tally_runs t WHERE t.election_id = p_election),
           jsonb_build_object('running', false, 'percent', 0, 'started_at', NULL, 'finished_at', NULL,
                              'error', NULL))
$$;
