-- The embeddable widget's settings (server/api/embed.c): the sites allowed to frame an
-- organisation's election pages.

CREATE OR REPLACE FUNCTION embed_settings_json(p_org bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('organisation_id', o.id,
                              'origins', to_jsonb(coalesce(s.origins, '{}'::text[])),
                              'allow_voting', coalesce(s.allow_voting, false),
                              'updated_at', s.updated_at)
      FROM organisations o LEFT JOIN embed_settings s ON s.organisation_id = o.id
     WHERE o.id = p_org
$$;

-- Replaces the list (a JSON array of origins the caller has checked and normalised); audited, since
-- it decides which other sites may show the voting pages.
CREATE OR REPLACE FUNCTION put_embed_settings(p_staff bigint, p_org bigint, p_origins jsonb, p_allow_voting boolean)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    list text[] := ARRAY(SELECT jsonb_array_elements_text(p_origins));
BEGIN
    INSERT INTO embed_settings (organisation_id, origins, allow_voting)
    VALUES (p_org, list, p_allow_voting)
    ON CONFLICT (organisation_id) DO UPDATE
       SET origins = list, allow_voting = p_allow_voting, updated_at = now();
    PERFORM audit_append(p_org, NULL, p_staff, 'embed.settings',
                         jsonb_build_object('origins', p_origins, 'allow_voting', p_allow_voting));
    RETURN embed_settings_json(p_org);
END $$;

-- The frame-ancestors of an election's pages: its organisation's origins, space-separated
-- ('' when none), and whether voting may be framed.
CREATE OR REPLACE FUNCTION embed_ancestors(p_election bigint, OUT origins text, OUT allow_voting boolean)
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_to_string(s.origins, ' '), ''), coalesce(s.allow_voting, false)
      FROM elections e LEFT JOIN embed_settings s ON s.organisation_id = e.organisation_id
     WHERE e.id = p_election
$$;
