-- Paper ballots typed by clerks, with optional double entry.

-- A paper ballot stands for its voter: it replaces an online ballot (the clerk is told)
-- and cannot be replaced online afterwards.
CREATE OR REPLACE FUNCTION cast_paper(e elections, p_district bigint, p_voter_tag text, p_items bigint[],
                                      p_points bigint[], p_tracker text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    prev text;
    was_update boolean;
BEGIN
    SELECT source INTO prev FROM ballots
     WHERE election_id = e.id AND district_id = p_district AND voter_tag = decode(p_voter_tag, 'hex');
    INSERT INTO ballots AS b (election_id, district_id, voter_tag, items, points, tracker, source)
    VALUES (e.id, p_district, decode(p_voter_tag, 'hex'), p_items, p_points, p_tracker, 'paper')
    ON CONFLICT (election_id, district_id, voter_tag) DO UPDATE
       SET items = EXCLUDED.items, points = EXCLUDED.points, tracker = EXCLUDED.tracker,
           source = 'paper', id = gen_random_uuid()
    RETURNING (b.xmax::text <> '0') INTO was_update;
    IF NOT was_update THEN
        INSERT INTO turnout (election_id, district_id, hour, ballots)
        VALUES (e.id, p_district, date_trunc('hour', now()), 1)
        ON CONFLICT (election_id, district_id, hour) DO UPDATE SET ballots = turnout.ballots + 1;
    END IF;
    RETURN prev = 'online';
END $$;

-- Records one typing of a paper sheet. Single entry counts it at once; with double entry
-- the first typing waits, a matching second typing by another clerk counts it, and a
-- different one holds the sheet for review. p_resolve (an admin) settles a held sheet.
CREATE OR REPLACE FUNCTION record_paper(p_election bigint, p_sheet text, p_district bigint, p_voter_tag text,
                                        p_items bigint[], p_points bigint[], p_tracker text, p_clerk bigint,
                                        p_resolve boolean)
RETURNS TABLE (status text, replaced_online boolean) LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    sheet_status text;
    other paper_entries;
    n int;
    replaced boolean := false;
BEGIN
    IF e.phase NOT IN ('voting', 'closed') OR e.tallied_at IS NOT NULL THEN
        RAISE EXCEPTION 'Paper ballots are entered while voting is open or closed, before the count.'
            USING ERRCODE = 'PB409';
    END IF;
    SELECT s.status INTO sheet_status FROM paper_sheets s WHERE s.election_id = e.id AND s.sheet = p_sheet;
    IF p_resolve THEN
        IF sheet_status IS DISTINCT FROM 'mismatch' THEN
            RAISE EXCEPTION 'Only a sheet held for review can be resolved.' USING ERRCODE = 'PBCON';
        END IF;
        INSERT INTO paper_entries (election_id, sheet, district_id, voter_tag, items, points, clerk_id)
        VALUES (e.id, p_sheet, p_district, decode(p_voter_tag, 'hex'), p_items, p_points, p_clerk);
        replaced := cast_paper(e, p_district, p_voter_tag, p_items, p_points, p_tracker);
        UPDATE paper_sheets s SET status = 'counted', tracker = p_tracker WHERE s.election_id = e.id AND s.sheet = p_sheet;
        PERFORM audit_append(e.organisation_id, e.id, p_clerk, 'paper.resolve', jsonb_build_object('sheet', p_sheet));
        RETURN QUERY SELECT 'counted'::text, replaced;
        RETURN;
    END IF;
    IF sheet_status = 'counted' THEN
        RAISE EXCEPTION 'This sheet has been counted already.' USING ERRCODE = 'PBCON';
    ELSIF sheet_status = 'mismatch' THEN
        RAISE EXCEPTION 'This sheet is held for review: its two entries differ.' USING ERRCODE = 'PBCON';
    END IF;
    IF NOT e.paper_double_entry THEN
        INSERT INTO paper_entries (election_id, sheet, district_id, voter_tag, items, points, clerk_id)
        VALUES (e.id, p_sheet, p_district, decode(p_voter_tag, 'hex'), p_items, p_points, p_clerk);
        INSERT INTO paper_sheets (election_id, sheet, status, tracker) VALUES (e.id, p_sheet, 'counted', p_tracker);
        replaced := cast_paper(e, p_district, p_voter_tag, p_items, p_points, p_tracker);
        PERFORM audit_append(e.organisation_id, e.id, p_clerk, 'paper.enter',
                             jsonb_build_object('sheet', p_sheet, 'status', 'counted', 'replaced_online', replaced));
        RETURN QUERY SELECT 'counted'::text, replaced;
        RETURN;
    END IF;
    SELECT count(*) INTO n FROM paper_entries pe WHERE pe.election_id = e.id AND pe.sheet = p_sheet;
    IF n = 0 THEN
        INSERT INTO paper_entries (election_id, sheet, district_id, voter_tag, items, points, clerk_id)
        VALUES (e.id, p_sheet, p_district, decode(p_voter_tag, 'hex'), p_items, p_points, p_clerk);
        INSERT INTO paper_sheets (election_id, sheet, status) VALUES (e.id, p_sheet, 'pending');
        PERFORM audit_append(e.organisation_id, e.id, p_clerk, 'paper.enter',
                             jsonb_build_object('sheet', p_sheet, 'status', 'pending'));
        RETURN QUERY SELECT 'pending'::text, false;
        RETURN;
    END IF;
    SELECT * INTO other FROM paper_entries pe WHERE pe.election_id = e.id AND pe.sheet = p_sheet ORDER BY id LIMIT 1;
    IF other.clerk_id = p_clerk THEN
        RAISE EXCEPTION 'The second entry of a sheet must come from another clerk.' USING ERRCODE = 'PBCON';
    END IF;
    INSERT INTO paper_entries (election_id, sheet, district_id, voter_tag, items, points, clerk_id)
    VALUES (e.id, p_sheet, p_district, decode(p_voter_tag, 'hex'), p_items, p_points, p_clerk);
    IF other.district_id = p_district AND other.voter_tag = decode(p_voter_tag, 'hex')
       AND other.items = p_items AND other.points IS NOT DISTINCT FROM p_points THEN
        replaced := cast_paper(e, p_district, p_voter_tag, p_items, p_points, p_tracker);
        UPDATE paper_sheets s SET status = 'counted', tracker = p_tracker WHERE s.election_id = e.id AND s.sheet = p_sheet;
        PERFORM audit_append(e.organisation_id, e.id, p_clerk, 'paper.enter',
                             jsonb_build_object('sheet', p_sheet, 'status', 'counted', 'replaced_online', replaced));
        RETURN QUERY SELECT 'counted'::text, replaced;
    ELSE
        UPDATE paper_sheets s SET status = 'mismatch' WHERE s.election_id = e.id AND s.sheet = p_sheet;
        PERFORM audit_append(e.organisation_id, e.id, p_clerk, 'paper.enter',
                             jsonb_build_object('sheet', p_sheet, 'status', 'mismatch'));
        RETURN QUERY SELECT 'mismatch'::text, false;
    END IF;
END $$;

-- The sheet a correction is about: its status, district and voter (the last entry typed).
CREATE OR REPLACE FUNCTION paper_sheet_voter(p_election bigint, p_sheet text)
RETURNS TABLE (status text, district_id bigint, voter_tag text) LANGUAGE sql STABLE AS $$
    SELECT s.status, pe.district_id, encode(pe.voter_tag, 'hex')
      FROM paper_sheets s
      JOIN LATERAL (SELECT * FROM paper_entries x WHERE x.election_id = s.election_id AND x.sheet = s.sheet
                     ORDER BY x.id DESC LIMIT 1) pe ON true
     WHERE s.election_id = p_election AND s.sheet = p_sheet
$$;

-- Corrects a counted sheet that was typed wrong (by an admin, with a reason): the voter's
-- ballot becomes the corrected one, if it is still the ballot this sheet counted (a later
-- sheet of the same voter stands instead otherwise), before the count. Audited with the
-- reason and the trackers before and after (the bulletin board's, not the choices); the
-- new entry joins the sheet's entries.
CREATE OR REPLACE FUNCTION correct_paper(p_election bigint, p_sheet text, p_items bigint[], p_points bigint[],
                                         p_tracker text, p_staff bigint, p_reason text)
RETURNS TABLE (district_id bigint, tracker text) LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
    sh paper_sheets;
    last paper_entries;
    b ballots;
BEGIN
    IF e.phase NOT IN ('voting', 'closed') OR e.tallied_at IS NOT NULL THEN
        RAISE EXCEPTION 'Paper ballots are corrected while voting is open or closed, before the count.'
            USING ERRCODE = 'PB409';
    END IF;
    SELECT * INTO sh FROM paper_sheets s WHERE s.election_id = e.id AND s.sheet = p_sheet FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'No sheet with this number has been entered.' USING ERRCODE = 'PB404', COLUMN = 'sheet';
    END IF;
    IF sh.status <> 'counted' THEN
        RAISE EXCEPTION 'Only a counted sheet can be corrected; a sheet waiting for its second entry or held for review is settled by entering it.'
            USING ERRCODE = 'PBCON', COLUMN = 'sheet';
    END IF;
    SELECT * INTO last FROM paper_entries x WHERE x.election_id = e.id AND x.sheet = p_sheet ORDER BY x.id DESC LIMIT 1;
    SELECT * INTO b FROM ballots x
     WHERE x.election_id = e.id AND x.district_id = last.district_id AND x.voter_tag = last.voter_tag FOR UPDATE;
    IF NOT FOUND OR b.source <> 'paper' OR (sh.tracker IS NOT NULL AND b.tracker <> sh.tracker) THEN
        RAISE EXCEPTION 'A later sheet of the same voter counts instead of this one; correct that sheet.'
            USING ERRCODE = 'PBCON', COLUMN = 'sheet';
    END IF;
    UPDATE ballots SET items = p_items, points = p_points, tracker = p_tracker, id = gen_random_uuid()
     WHERE id = b.id;
    INSERT INTO paper_entries (election_id, sheet, district_id, voter_tag, items, points, clerk_id)
    VALUES (e.id, p_sheet, last.district_id, last.voter_tag, p_items, p_points, p_staff);
    UPDATE paper_sheets s SET tracker = p_tracker, corrected_at = now() WHERE s.election_id = e.id AND s.sheet = p_sheet;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'paper.correct',
                         jsonb_build_object('sheet', p_sheet, 'reason', p_reason,
                                            'tracker_before', b.tracker, 'tracker_after', p_tracker));
    RETURN QUERY SELECT last.district_id, p_tracker;
END $$;
