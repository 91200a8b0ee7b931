-- Supports (the pre-selection phase between ideas and review): a signed-in citizen
-- supports up to the election's supports_max_per_voter accepted proposals of their
-- district and may withdraw until the phase ends. Only accepted proposals can be
-- supported: in the supports phase moderators accept (publish) the ideas fit to be shown,
-- and in review they decide, with the ranking, which stay accepted for the ballot.
-- The supporter is a keyed hash (supporter_tag), never the voter's id.

-- A citizen's supports that count against the limit: those of still accepted proposals
-- (a proposal rejected or merged during the phase gives its supporters their support back).
CREATE OR REPLACE FUNCTION supports_used(p_election bigint, p_supporter bytea) RETURNS int
LANGUAGE sql STABLE AS $$
    SELECT count(*)::int FROM supports s JOIN proposals p ON p.id = s.proposal_id
     WHERE s.election_id = p_election AND s.supporter = p_supporter AND p.status = 'accepted'
$$;

-- Adds (p_on) or withdraws a support, in one transaction, and answers
-- {proposal_id, supported, used, max_per_voter, supports?}: supports (the proposal's count)
-- only when the election shows counts. Safe under concurrency: every support of one
-- citizen waits for the voter's row lock, so the limit is counted after the last
-- committed change; the primary key keeps one support per citizen and proposal. Errors:
-- PB401 ended session, PB409 outside the supports phase, PB404 unknown proposal (or not
-- accepted, or of another election), PB403 another district's, PBSUP over the limit.
CREATE OR REPLACE FUNCTION set_support(p_election bigint, p_voter bigint, p_token_hash text, p_supporter text,
                                       p_proposal bigint, p_on boolean)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock_shared(p_election);
    tag bytea := decode(p_supporter, 'hex');
    p proposals;
    v voters;
    held boolean;
    used int;
BEGIN
    PERFORM voter_require_active(p_election, p_voter, p_token_hash);
    IF e.phase <> 'supports' THEN
        RAISE EXCEPTION 'Proposals can be supported (and supports withdrawn) only in the supports phase.'
            USING ERRCODE = 'PB409';
    END IF;
    -- NO KEY UPDATE: serialises this voter's supports without blocking sessions or ballots
    SELECT * INTO v FROM voters WHERE id = p_voter FOR NO KEY UPDATE;
    -- KEY SHARE: waits for a moderator's change of this proposal (a merge moving its
    -- supports holds the row) and then reads the proposal as it was left
    SELECT * INTO p FROM proposals WHERE id = p_proposal AND election_id = e.id FOR KEY SHARE;
    held := EXISTS (SELECT 1 FROM supports s WHERE s.proposal_id = p_proposal AND s.supporter = tag);
    IF p.id IS NULL OR (p.status <> 'accepted' AND NOT held) THEN
        RAISE EXCEPTION 'No such proposal open for support.' USING ERRCODE = 'PB404';
    END IF;
    IF p.district_id <> v.district_id THEN
        RAISE EXCEPTION 'You can support proposals of your own district only.' USING ERRCODE = 'PB403';
    END IF;
    IF p_on AND NOT held THEN
        IF p.status <> 'accepted' THEN
            RAISE EXCEPTION 'No such proposal open for support.' USING ERRCODE = 'PB404';
        END IF;
        used := supports_used(e.id, tag);
        IF used >= e.supports_max_per_voter THEN
            RAISE EXCEPTION 'You have used all % of your supports; withdraw one to support another.',
                e.supports_max_per_voter USING ERRCODE = 'PBSUP';
        END IF;
        INSERT INTO supports (proposal_id, supporter, election_id) VALUES (p.id, tag, e.id);
    ELSIF NOT p_on AND held THEN
        DELETE FROM supports s WHERE s.proposal_id = p.id AND s.supporter = tag;
    END IF;
    RETURN jsonb_build_object('proposal_id', p.id, 'supported', p_on,
                              'used', supports_used(e.id, tag), 'max_per_voter', e.supports_max_per_voter)
        || CASE WHEN e.supports_show_counts
                THEN jsonb_build_object('supports', (SELECT count(*) FROM supports s WHERE s.proposal_id = p.id))
                ELSE '{}' END;
END $$;

-- A citizen's supports: {proposal_ids, used, max_per_voter, show_counts}, accepted
-- proposals only, in any phase (the page shows them in the supports phase).
CREATE OR REPLACE FUNCTION my_supports(p_election bigint, p_supporter text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'proposal_ids', coalesce((SELECT jsonb_agg(s.proposal_id ORDER BY s.proposal_id)
                                    FROM supports s JOIN proposals p ON p.id = s.proposal_id
                                   WHERE s.election_id = e.id AND s.supporter = decode(p_supporter, 'hex')
                                     AND p.status = 'accepted'), '[]'::jsonb),
        'used', supports_used(e.id, decode(p_supporter, 'hex')),
        'max_per_voter', e.supports_max_per_voter,
        'show_counts', e.supports_show_counts)
      FROM elections e WHERE e.id = p_election
$$;

-- The "supports" member a proposal's JSON gets: the count from the supports phase on,
-- for staff always, for everyone else when the election shows counts; else nothing.
CREATE OR REPLACE FUNCTION proposal_supports_json(p proposals, p_staff boolean) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN (p_staff OR e.supports_show_counts)
                     AND phase_rank(effective_phase(e)) >= phase_rank('supports')
                THEN jsonb_build_object('supports', (SELECT count(*) FROM supports s WHERE s.proposal_id = p.id))
                ELSE '{}'::jsonb END
      FROM elections e WHERE e.id = p.election_id
$$;

-- The ranking staff decide the ballot with: per district, every proposal not merged away,
-- most supported first, with its rank (equal counts share a rank) and the number of
-- citizens who supported anything in the district. Counts only, no supporter.
CREATE OR REPLACE FUNCTION support_ranking(p_election bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    WITH counted AS (
        SELECT p.id, p.district_id, p.title, p.status, p.cost,
               (SELECT count(*) FROM supports s WHERE s.proposal_id = p.id) AS n
          FROM proposals p WHERE p.election_id = p_election AND p.status <> 'merged'),
    ranked AS (
        SELECT c.*, rank() OVER (PARTITION BY c.district_id ORDER BY c.n DESC) AS place FROM counted c)
    SELECT jsonb_build_object(
        'election_id', e.id, 'phase', effective_phase(e),
        'max_per_voter', e.supports_max_per_voter, 'show_counts', e.supports_show_counts,
        'districts', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'district_id', d.id,
                       'supporters', (SELECT count(DISTINCT s.supporter) FROM supports s
                                        JOIN proposals p ON p.id = s.proposal_id WHERE p.district_id = d.id),
                       'proposals', coalesce((
                           SELECT jsonb_agg(jsonb_build_object('id', r.id, 'title', r.title, 'status', r.status,
                                                               'cost', r.cost, 'supports', r.n, 'rank', r.place)
                                            ORDER BY r.place, r.id)
                             FROM ranked r WHERE r.district_id = d.id), '[]'::jsonb))
                   ORDER BY d.id)
              FROM districts d WHERE d.election_id = e.id), '[]'::jsonb))
      FROM elections e WHERE e.id = p_election
$$;

-- A merge in the supports phase or before (update_proposal, under the merged proposal's
-- row lock, which set_support waits for): the supports of p_from go to p_to, one per
-- citizen (who supported both keeps one). Only when p_from was accepted until now, so its
-- supports counted against each citizen's limit and still do, now on the target; and only
-- within one district, as every support is. Otherwise they stay where they were (a merged
-- proposal's supports count for nobody and no limit).
CREATE OR REPLACE FUNCTION supports_move(p_from bigint, p_to bigint, p_counted boolean) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    n int;
BEGIN
    IF NOT p_counted OR (SELECT district_id FROM proposals WHERE id = p_from)
                        IS DISTINCT FROM (SELECT district_id FROM proposals WHERE id = p_to) THEN
        RETURN 0;
    END IF;
    -- a withdrawal still being made finishes first, then the rows are read afresh
    PERFORM 1 FROM supports s WHERE s.proposal_id = p_from FOR UPDATE;
    INSERT INTO supports (proposal_id, supporter, election_id)
    SELECT p_to, s.supporter, s.election_id FROM supports s WHERE s.proposal_id = p_from
    ON CONFLICT (proposal_id, supporter) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    DELETE FROM supports s WHERE s.proposal_id = p_from;
    RETURN n;
END $$;
