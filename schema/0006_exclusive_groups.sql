-- Mutually exclusive proposals (two designs for the same square): proposals with the same
-- exclusive_group are never funded together by greedy counting.
ALTER TABLE proposals ADD COLUMN exclusive_group int CHECK (exclusive_group > 0);

CREATE OR REPLACE FUNCTION proposal_json(p proposals) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', p.id, 'election_id', p.election_id, 'district_id', p.district_id,
        'title', p.title, 'summary', p.summary, 'description', p.description,
        'category', p.category, 'cost', p.cost, 'status', p.status, 'reason', p.reason,
        'image_url', p.image_url, 'location', p.location, 'merged_into', p.merged_into,
        'exclusive_group', p.exclusive_group,
        'submitted_by_citizen', p.author_voter_id IS NOT NULL)
$$;

-- exclusive_group set through the patch of a proposal (before voting opens)
CREATE OR REPLACE FUNCTION set_exclusive_group(p_staff bigint, p_proposal bigint, p_group int)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    p proposals;
    e elections;
BEGIN
    SELECT * INTO p FROM proposals WHERE id = p_proposal;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'No such proposal.' USING ERRCODE = 'PB404';
    END IF;
    e := election_lock(p.election_id);
    IF phase_rank(e.phase) >= phase_rank('voting') THEN
        RAISE EXCEPTION 'Proposals cannot change once voting has opened.' USING ERRCODE = 'PB409';
    END IF;
    UPDATE proposals SET exclusive_group = nullif(p_group, 0), updated_at = now() WHERE id = p.id RETURNING * INTO p;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'proposal.update',
                         jsonb_build_object('proposal_id', p.id, 'after', proposal_json(p)));
    RETURN proposal_json(p);
END $$;
