-- Turnout by age band and area (issue 17): from the register (birth date, area) and the fact
-- of voting (voters.voted) only, never from ballot content. Age is age on the day voting
-- opened (not today's). A cell with fewer than p_min voters is suppressed; where a
-- breakdown suppresses exactly one cell, the next smallest is suppressed too, so the
-- hidden one cannot be found by subtracting the others from the total.

CREATE OR REPLACE FUNCTION age_band(p_birth date, p_on date) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_birth IS NULL THEN NULL
                WHEN a < 18 THEN 'under 18' WHEN a < 25 THEN '18-24' WHEN a < 35 THEN '25-34'
                WHEN a < 45 THEN '35-44' WHEN a < 55 THEN '45-54' WHEN a < 65 THEN '55-64'
                WHEN a < 75 THEN '65-74' ELSE '75+' END
      FROM (SELECT extract(year FROM age(p_on, p_birth))::int AS a) x
$$;

-- One breakdown: cells [{key, eligible, voted, share, suppressed}] in the given order.
CREATE OR REPLACE FUNCTION suppressed_cells(p_cells jsonb, p_min int) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    hidden text[] := ARRAY(SELECT c->>'key' FROM jsonb_array_elements(p_cells) c WHERE (c->>'voted')::int < p_min);
    extra text;
BEGIN
    IF cardinality(hidden) = 1 THEN
        SELECT c->>'key' INTO extra FROM jsonb_array_elements(p_cells) c
         WHERE NOT (c->>'key' = ANY (hidden)) ORDER BY (c->>'voted')::int, c->>'key' LIMIT 1;
        IF extra IS NOT NULL THEN
            hidden := hidden || extra;
        END IF;
    END IF;
    RETURN coalesce((SELECT jsonb_agg(CASE WHEN c->>'key' = ANY (hidden)
                                       THEN jsonb_build_object('key', c->>'key', 'eligible', NULL, 'voted', NULL,
                                                               'share', NULL, 'suppressed', true)
                                       ELSE c || jsonb_build_object('suppressed', false) END ORDER BY o)
                       FROM jsonb_array_elements(p_cells) WITH ORDINALITY t(c, o)), '[]'::jsonb);
END $$;

CREATE OR REPLACE FUNCTION turnout_demographics(p_election bigint, p_min int) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH e AS (SELECT id, coalesce(voting_opened_at, now())::date AS opened, voting_opened_at FROM elections
                WHERE id = p_election),
    reg AS (
        SELECT age_band(r.birth_date, e.opened) AS band, r.area,
               EXISTS (SELECT 1 FROM voters v WHERE v.register_id = r.id AND v.voted) AS voted
          FROM register_entries r, e WHERE r.election_id = e.id),
    bands(key, o) AS (VALUES ('under 18', 1), ('18-24', 2), ('25-34', 3), ('35-44', 4), ('45-54', 5),
                             ('55-64', 6), ('65-74', 7), ('75+', 8)),
    by_age AS (
        SELECT coalesce(jsonb_agg(jsonb_build_object('key', b.key, 'eligible', n, 'voted', v,
                                                     'share', round(v::numeric / n, 4)) ORDER BY b.o), '[]')
          FROM bands b JOIN (SELECT band, count(*) AS n, count(*) FILTER (WHERE voted) AS v
                               FROM reg WHERE band IS NOT NULL GROUP BY band) g ON g.band = b.key),
    by_area AS (
        SELECT coalesce(jsonb_agg(jsonb_build_object('key', area, 'eligible', n, 'voted', v,
                                                     'share', round(v::numeric / n, 4)) ORDER BY area), '[]')
          FROM (SELECT area, count(*) AS n, count(*) FILTER (WHERE voted) AS v
                  FROM reg WHERE area IS NOT NULL GROUP BY area) g)
    SELECT jsonb_build_object(
        'age_on', (SELECT opened FROM e), 'voting_opened_at', (SELECT voting_opened_at FROM e),
        'min_cell', p_min,
        'eligible', (SELECT count(*) FROM reg), 'voted', (SELECT count(*) FROM reg WHERE voted),
        'by_age', suppressed_cells((SELECT * FROM by_age), p_min),
        'by_area', suppressed_cells((SELECT * FROM by_area), p_min))
$$;
