-- Reminders before voting closes (migration 0062, server/api/reminder.c, core/reminders.c).

-- A voter asks to be reminded (again: the newest address replaces the old). Refused when
-- the vote has no closing time, or it has passed, or the voter has cast (found by the
-- voter's tag, which is not stored here).
CREATE OR REPLACE FUNCTION reminder_request(p_election bigint, p_voter bigint, p_token_hash text,
                                            p_district bigint, p_voter_tag text, p_channel text, p_lang text,
                                            p_recipient_sealed text, p_hint text, p_params_sealed text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock_shared(p_election);
    closes timestamptz := (e.phases ->> 'closed')::timestamptz;
BEGIN
    IF NOT voter_active(p_election, p_voter, p_token_hash) THEN
        RAISE EXCEPTION 'This voting session has ended; sign in again.' USING ERRCODE = 'PB401';
    END IF;
    IF closes IS NULL OR closes <= now() THEN
        RAISE EXCEPTION 'This vote has no closing time to remind you of.' USING ERRCODE = 'PBCON';
    END IF;
    IF EXISTS (SELECT 1 FROM ballots b WHERE b.election_id = p_election AND b.district_id = p_district
                  AND b.voter_tag = decode(p_voter_tag, 'hex')) THEN
        RAISE EXCEPTION 'You have voted already: there is nothing to remind you of.' USING ERRCODE = 'PBCON';
    END IF;
    INSERT INTO reminder_requests (election_id, voter_id, channel, lang, recipient_sealed, recipient_hint, params_sealed)
    VALUES (p_election, p_voter, p_channel, p_lang, decode(p_recipient_sealed, 'hex'), p_hint,
            decode(p_params_sealed, 'hex'))
    ON CONFLICT (election_id, voter_id) DO UPDATE
       SET channel = EXCLUDED.channel, lang = EXCLUDED.lang, recipient_sealed = EXCLUDED.recipient_sealed,
           recipient_hint = EXCLUDED.recipient_hint, params_sealed = EXCLUDED.params_sealed, created_at = now();
    RETURN jsonb_build_object('channel', p_channel, 'hint', p_hint, 'closes_at', closes);
END $$;

-- The voter's request, if any: {channel, hint} or NULL.
CREATE OR REPLACE FUNCTION reminder_of(p_election bigint, p_voter bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('channel', r.channel, 'hint', r.recipient_hint)
      FROM reminder_requests r WHERE r.election_id = p_election AND r.voter_id = p_voter
$$;

CREATE OR REPLACE FUNCTION reminder_withdraw(p_election bigint, p_voter bigint, p_token_hash text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT voter_active(p_election, p_voter, p_token_hash) THEN
        RAISE EXCEPTION 'This voting session has ended; sign in again.' USING ERRCODE = 'PB401';
    END IF;
    DELETE FROM reminder_requests WHERE election_id = p_election AND voter_id = p_voter;
    RETURN FOUND;
END $$;

-- Moves the requests of every vote that closes within p_hours (and is still open) to the
-- outbox, once each: the request row goes, and the message's key would catch a repeat.
-- Every serving process calls this now and then; SKIP LOCKED lets them share the work.
CREATE OR REPLACE FUNCTION queue_due_reminders(p_hours int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    r record;
    n int := 0;
BEGIN
    FOR r IN
        SELECT q.*, e.organisation_id, (e.phases ->> 'closed')::timestamptz AS closes
          FROM reminder_requests q JOIN elections e ON e.id = q.election_id
         WHERE e.phase = 'voting' AND e.phases ? 'closed'
           AND (e.phases ->> 'closed')::timestamptz > now()
           AND (e.phases ->> 'closed')::timestamptz <= now() + make_interval(hours => p_hours)
         LIMIT 1000
           FOR UPDATE OF q SKIP LOCKED
    LOOP
        PERFORM outbox_enqueue(r.organisation_id, r.election_id, 'reminder', r.channel, r.lang,
                               encode(r.recipient_sealed, 'hex'), r.recipient_hint, encode(r.params_sealed, 'hex'),
                               'reminder:' || r.election_id || ':' || r.voter_id,
                               greatest(1, extract(epoch FROM r.closes - now())::int));
        DELETE FROM reminder_requests q WHERE q.election_id = r.election_id AND q.voter_id = r.voter_id;
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;
