-- Counted results (the exact signed bytes) and their publication.

-- Stores the count of a closed election (counting again replaces it until publication).
CREATE OR REPLACE FUNCTION store_results(p_staff bigint, p_election bigint, p_result text, p_signature text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
BEGIN
    IF e.phase <> 'closed' THEN
        RAISE EXCEPTION 'Close voting before counting; published results are final.'
            USING ERRCODE = 'PB409';
    END IF;
    INSERT INTO results (election_id, result, signature) VALUES (e.id, p_result, p_signature)
    ON CONFLICT (election_id) DO UPDATE
       SET result = EXCLUDED.result, signature = EXCLUDED.signature, computed_at = now();
    UPDATE elections SET tallied_at = now() WHERE id = e.id;
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
