-- Photos of proposals: uploaded by the idea's author while it waits for review in the
-- ideas phase, or by staff until voting opens; at most three per proposal, counted under
-- the proposal's row lock so that parallel uploads cannot pass the limit.

-- The API's JSON for a photo (no bytes).
CREATE OR REPLACE FUNCTION photo_json(ph photos) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('id', ph.id, 'url', '/api/v1/photos/' || ph.id, 'content_type', ph.content_type,
                              'width', ph.width, 'height', ph.height)
$$;

-- A proposal's photos in upload order, for proposal_json.
CREATE OR REPLACE FUNCTION proposal_photos(p_proposal bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(photo_json(ph) ORDER BY ph.created_at, ph.id), '[]')
      FROM photos ph WHERE ph.proposal_id = p_proposal
$$;

-- Locks the proposal a citizen or staff member may change now and returns it: the author
-- while it is submitted in the ideas phase; staff (whose role the route checked) until
-- voting opens. Raises the error the caller gets otherwise.
CREATE OR REPLACE FUNCTION proposal_lock_for_change(p_proposal bigint, p_staff bigint, p_voter bigint)
RETURNS proposals LANGUAGE plpgsql AS $$
DECLARE
    p proposals;
    e elections;
BEGIN
    SELECT * INTO p FROM proposals WHERE id = p_proposal;
    IF NOT FOUND OR (p_voter IS NOT NULL AND p.author_voter_id IS DISTINCT FROM p_voter) THEN
        RAISE EXCEPTION 'No such proposal.' USING ERRCODE = 'PB404';
    END IF;
    e := election_lock_shared(p.election_id);
    SELECT * INTO p FROM proposals WHERE id = p_proposal FOR UPDATE;
    IF p_voter IS NOT NULL THEN
        IF e.phase <> 'proposals' THEN
            RAISE EXCEPTION 'Ideas can be changed only in the ideas phase.' USING ERRCODE = 'PB409';
        END IF;
        IF p.status <> 'submitted' THEN
            RAISE EXCEPTION 'This idea has been reviewed and can no longer be changed.' USING ERRCODE = 'PB409';
        END IF;
    ELSIF phase_rank(e.phase) >= phase_rank('voting') THEN
        RAISE EXCEPTION 'Proposals cannot change once voting has opened.' USING ERRCODE = 'PB409';
    END IF;
    RETURN p;
END $$;

-- Stores one checked photo (type and size read from its bytes by the server, which
-- encoded it again without metadata: stripped). The first photo becomes the proposal's
-- picture (image_url) when it has none.
CREATE OR REPLACE FUNCTION add_photo(p_id bigint, p_proposal bigint, p_staff bigint, p_voter bigint,
                                     p_type text, p_width int, p_height int, p_bytes bytea)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    p proposals := proposal_lock_for_change(p_proposal, p_staff, p_voter);
    ph photos;
    e elections;
BEGIN
    IF (SELECT count(*) FROM photos WHERE proposal_id = p.id) >= 3 THEN
        RAISE EXCEPTION 'A proposal has at most 3 photos; delete one first.' USING ERRCODE = 'PBPHO';
    END IF;
    INSERT INTO photos (id, proposal_id, content_type, width, height, sha256, bytes, staff_id, voter_id, stripped)
    VALUES (p_id, p.id, p_type, p_width, p_height, sha256(p_bytes), p_bytes, p_staff, p_voter, true)
    RETURNING * INTO ph;
    IF p.image_url IS NULL THEN
        UPDATE proposals SET image_url = '/api/v1/photos/' || ph.id, updated_at = now() WHERE id = p.id;
    END IF;
    IF p_staff IS NOT NULL THEN
        SELECT * INTO e FROM elections WHERE id = p.election_id;
        PERFORM audit_append(e.organisation_id, e.id, p_staff, 'photo.add',
                             jsonb_build_object('proposal_id', p.id, 'photo', photo_json(ph),
                                                'sha256', encode(ph.sha256, 'hex')));
    END IF;
    RETURN photo_json(ph);
END $$;

-- Removes a photo of a proposal the caller may change; the proposal's picture moves to
-- the next photo (or none).
CREATE OR REPLACE FUNCTION delete_photo(p_proposal bigint, p_photo bigint, p_staff bigint, p_voter bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    p proposals := proposal_lock_for_change(p_proposal, p_staff, p_voter);
    e elections;
BEGIN
    DELETE FROM photos WHERE id = p_photo AND proposal_id = p.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'No such photo.' USING ERRCODE = 'PB404';
    END IF;
    IF p.image_url = '/api/v1/photos/' || p_photo THEN
        UPDATE proposals SET image_url = (SELECT '/api/v1/photos/' || id FROM photos WHERE proposal_id = p.id
                                           ORDER BY created_at, id LIMIT 1), updated_at = now()
         WHERE id = p.id;
    END IF;
    IF p_staff IS NOT NULL THEN
        SELECT * INTO e FROM elections WHERE id = p.election_id;
        PERFORM audit_append(e.organisation_id, e.id, p_staff, 'photo.delete',
                             jsonb_build_object('proposal_id', p.id, 'photo_id', p_photo));
    END IF;
END $$;
