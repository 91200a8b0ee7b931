-- The outbox (migration 0030): queueing a message in the transaction that causes it,
-- claiming due messages for one dispatcher (SKIP LOCKED and a lease), recording each
-- attempt, and what staff see of it. Also the organisation's delivery settings and the
-- message texts, both audited.

-- Queues a message; the same idempotency key queues nothing new and answers the first
-- message's id. Recipient and parameters come sealed (hex) from the server.
CREATE OR REPLACE FUNCTION outbox_enqueue(p_org bigint, p_election bigint, p_kind text, p_channel text,
                                          p_lang text, p_recipient_sealed text, p_hint text,
                                          p_params_sealed text, p_key text, p_valid_s int)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    id bigint;
BEGIN
    INSERT INTO outbox (idempotency_key, organisation_id, election_id, kind, channel, lang, recipient_sealed,
                        recipient_hint, params_sealed, expires_at)
    VALUES (p_key, p_org, p_election, p_kind, p_channel, p_lang, decode(p_recipient_sealed, 'hex'), p_hint,
            decode(p_params_sealed, 'hex'), CASE WHEN p_valid_s IS NULL THEN NULL
                                                 ELSE now() + make_interval(secs => p_valid_s) END)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING outbox.id INTO id;
    IF id IS NULL THEN
        SELECT o.id INTO id FROM outbox o WHERE o.idempotency_key = p_key;
    END IF;
    RETURN id;
END $$;

-- The text for a message: the election's own in its language, else the installation's
-- default in that language, else English.
CREATE OR REPLACE FUNCTION message_template(p_election bigint, p_kind text, p_channel text, p_lang text)
RETURNS TABLE (subject text, body text) LANGUAGE sql STABLE AS $$
    SELECT t.subject, t.body FROM message_templates t
     WHERE t.kind = p_kind AND t.channel = p_channel
       AND (t.election_id = p_election OR t.election_id IS NULL) AND t.lang IN (p_lang, 'en')
     ORDER BY (t.lang = p_lang) DESC, (t.election_id IS NOT NULL) DESC LIMIT 1
$$;

-- Claims up to p_limit due messages for this dispatcher for p_lease_s seconds: queued ones
-- whose time has come, and those whose sender's lease ran out (a process that died while
-- sending). Rows another dispatcher holds are skipped, so each goes to one sender. Returns
-- what sending needs: the sealed values, the text, the election's title and closing time,
-- the organisation's delivery settings, and the values the database filled in (vars).
CREATE OR REPLACE FUNCTION outbox_claim(p_limit int, p_lease_s int)
RETURNS TABLE (id bigint, attempt int, idempotency_key text, kind text, channel text, lang text,
               recipient_sealed text, params_sealed text, expired boolean, subject text, body text,
               election_title text, email jsonb, sms jsonb, organisation_name text, closes text, vars jsonb)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    WITH due AS (
        SELECT o.id FROM outbox o
         WHERE o.state IN ('queued', 'sending') AND o.next_attempt_at <= now()
           AND (o.state = 'queued' OR o.lease_until < now())
         ORDER BY o.next_attempt_at, o.id LIMIT p_limit
           FOR UPDATE SKIP LOCKED),
    claimed AS (
        UPDATE outbox o SET state = 'sending', attempts = o.attempts + 1,
                            lease_until = now() + make_interval(secs => p_lease_s),
                            next_attempt_at = now() + make_interval(secs => p_lease_s)
          FROM due WHERE o.id = due.id
        RETURNING o.*)
    SELECT c.id, c.attempts, c.idempotency_key, c.kind, c.channel, c.lang,
           encode(c.recipient_sealed, 'hex'), encode(c.params_sealed, 'hex'),
           c.expires_at IS NOT NULL AND c.expires_at < now(),
           t.subject, t.body,
           coalesce(e.title ->> c.lang, e.title ->> e.default_lang, ''),
           coalesce(d.email, '{"transport": "server"}'), coalesce(d.sms, '{"transport": "server"}'),
           coalesce(org.name, ''),
           -- when voting closes, in the database's time zone with its name (reminders)
           coalesce(to_char((e.phases ->> 'closed')::timestamptz, 'YYYY-MM-DD HH24:MI TZ'), ''),
           c.vars
      FROM claimed c
      LEFT JOIN organisations org ON org.id = c.organisation_id
      LEFT JOIN elections e ON e.id = c.election_id
      LEFT JOIN delivery_settings d ON d.organisation_id = c.organisation_id
      LEFT JOIN LATERAL message_template(c.election_id, c.kind, c.channel, c.lang) t ON true
     ORDER BY c.id;
END $$;

-- Records one attempt's result. Only the dispatcher that holds the claim (the attempt
-- number it was given) may: a late answer from a sender whose lease ran out and whose
-- message went to another is recorded as an attempt but changes nothing. p_retry_s NULL
-- means the failure is final (a rejected address); otherwise the message is tried again
-- then, until max_attempts.
CREATE OR REPLACE FUNCTION outbox_finish(p_id bigint, p_attempt int, p_ok boolean, p_detail text,
                                         p_retry_s double precision)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    m outbox;
BEGIN
    INSERT INTO outbox_attempts (message_id, attempt, ok, detail)
    VALUES (p_id, p_attempt, p_ok, left(p_detail, 500))
    ON CONFLICT (message_id, attempt) DO NOTHING;
    SELECT * INTO m FROM outbox WHERE id = p_id FOR UPDATE;
    IF NOT FOUND OR m.state <> 'sending' OR m.attempts <> p_attempt THEN
        RETURN NULL;
    END IF;
    IF p_ok THEN
        UPDATE outbox SET state = 'sent', sent_at = now(), lease_until = NULL, last_error = NULL WHERE id = p_id;
        RETURN 'sent';
    ELSIF p_retry_s IS NULL OR m.attempts >= m.max_attempts
          OR (m.expires_at IS NOT NULL AND m.expires_at < now() + make_interval(secs => p_retry_s)) THEN
        UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = left(p_detail, 500) WHERE id = p_id;
        RETURN 'failed';
    END IF;
    UPDATE outbox SET state = 'queued', lease_until = NULL, last_error = left(p_detail, 500),
                      next_attempt_at = now() + make_interval(secs => p_retry_s)
     WHERE id = p_id;
    RETURN 'queued';
END $$;

-- What staff see of an organisation's messages: never the recipient (only its masked
-- hint), never the text. Newest first, optionally one state.
CREATE OR REPLACE FUNCTION outbox_list(p_org bigint, p_state text, p_limit int) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'counts', (SELECT jsonb_object_agg(s, (SELECT count(*) FROM outbox o
                                                 WHERE o.organisation_id = p_org AND o.state = s))
                     FROM unnest(ARRAY['queued', 'sending', 'sent', 'failed']) s),
        'messages', coalesce((SELECT jsonb_agg(jsonb_build_object(
                    'id', o.id, 'kind', o.kind, 'channel', o.channel, 'recipient', o.recipient_hint,
                    'election_id', o.election_id, 'state', o.state, 'attempts', o.attempts,
                    'last_error', o.last_error, 'created_at', o.created_at, 'sent_at', o.sent_at,
                    'next_attempt_at', CASE WHEN o.state = 'queued' THEN o.next_attempt_at END) ORDER BY o.id DESC)
                  FROM (SELECT * FROM outbox o WHERE o.organisation_id = p_org
                           AND (p_state IS NULL OR o.state = p_state)
                         ORDER BY o.id DESC LIMIT p_limit) o), '[]'::jsonb))
$$;

-- The organisation's delivery settings, as stored (no secret is ever stored).
CREATE OR REPLACE FUNCTION delivery_settings_json(p_org bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('organisation_id', o.id,
                              'email', coalesce(d.email, '{"transport": "server"}'),
                              'sms', coalesce(d.sms, '{"transport": "server"}'),
                              'updated_at', d.updated_at)
      FROM organisations o LEFT JOIN delivery_settings d ON d.organisation_id = o.id
     WHERE o.id = p_org
$$;

CREATE OR REPLACE FUNCTION put_delivery_settings(p_staff bigint, p_org bigint, p_email jsonb, p_sms jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO delivery_settings (organisation_id, email, sms)
    VALUES (p_org, coalesce(p_email, '{"transport": "server"}'), coalesce(p_sms, '{"transport": "server"}'))
    ON CONFLICT (organisation_id) DO UPDATE
       SET email = coalesce(p_email, delivery_settings.email), sms = coalesce(p_sms, delivery_settings.sms),
           updated_at = now();
    PERFORM audit_append(p_org, NULL, p_staff, 'delivery.settings',
                         jsonb_build_object('email', p_email, 'sms', p_sms));
    RETURN delivery_settings_json(p_org);
END $$;

-- An election's message texts: for each kind, channel and language the text in use, and
-- whether it is the election's own or the default.
CREATE OR REPLACE FUNCTION message_templates_json(p_election bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('kind', k.kind, 'channel', k.channel, 'lang', k.lang,
                                                 'subject', t.subject, 'body', t.body,
                                                 'custom', t.election_id IS NOT NULL)
                              ORDER BY k.kind, k.channel, k.lang), '[]'::jsonb)
      FROM (SELECT DISTINCT kind, channel, lang FROM message_templates
             WHERE election_id IS NULL OR election_id = p_election) k
      JOIN LATERAL (SELECT * FROM message_templates t
                     WHERE t.kind = k.kind AND t.channel = k.channel AND t.lang = k.lang
                       AND (t.election_id = p_election OR t.election_id IS NULL)
                     ORDER BY t.election_id NULLS LAST LIMIT 1) t ON true
$$;

-- Sets (or with p_body NULL, removes, going back to the default) an election's text.
CREATE OR REPLACE FUNCTION put_message_template(p_staff bigint, p_election bigint, p_kind text, p_channel text,
                                                p_lang text, p_subject text, p_body text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock(p_election);
BEGIN
    IF p_body IS NULL THEN
        DELETE FROM message_templates
         WHERE election_id = e.id AND kind = p_kind AND channel = p_channel AND lang = p_lang;
    ELSE
        INSERT INTO message_templates (election_id, kind, channel, lang, subject, body)
        VALUES (e.id, p_kind, p_channel, p_lang, coalesce(p_subject, ''), p_body)
        ON CONFLICT (coalesce(election_id, 0), kind, channel, lang) DO UPDATE
           SET subject = EXCLUDED.subject, body = EXCLUDED.body, updated_at = now();
    END IF;
    PERFORM audit_append(e.organisation_id, e.id, p_staff, 'message_template.set',
                         jsonb_build_object('kind', p_kind, 'channel', p_channel, 'lang', p_lang,
                                            'reset', p_body IS NULL));
    RETURN message_templates_json(e.id);
END $$;

-- A receipt by e-mail or SMS, when the voter asks: only for the tracker of a current
-- ballot of theirs, in any of their frames (checked by its keyed voter tag), at most three addresses per ballot, and the
-- same address once. The message holds the tracker and the board's address, never the
-- ballot.
CREATE OR REPLACE FUNCTION outbox_receipt(p_election bigint, p_voter_tag text, p_tracker text,
                                          p_channel text, p_lang text, p_recipient_sealed text, p_hint text,
                                          p_params_sealed text, p_ballot_key text, p_recipient_key text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    e elections := election_lock_shared(p_election);
    key text := 'receipt:' || p_ballot_key || ':' || p_recipient_key;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ballots WHERE tracker = p_tracker AND election_id = e.id
                      AND voter_tag = decode(p_voter_tag, 'hex')) THEN
        RAISE EXCEPTION 'This is not the receipt of your current ballot.' USING ERRCODE = 'PB404';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM outbox WHERE idempotency_key = key)
       AND (SELECT count(*) FROM outbox WHERE idempotency_key LIKE 'receipt:' || p_ballot_key || ':%') >= 3 THEN
        RAISE EXCEPTION 'This receipt has been sent to three addresses already.' USING ERRCODE = 'PBCON';
    END IF;
    RETURN outbox_enqueue(e.organisation_id, e.id, 'receipt', p_channel, coalesce(p_lang, e.default_lang),
                          p_recipient_sealed, p_hint, p_params_sealed, key, NULL);
END $$;

-- A test message from the delivery page, audited.
CREATE OR REPLACE FUNCTION outbox_test(p_staff bigint, p_org bigint, p_channel text, p_lang text,
                                       p_recipient_sealed text, p_hint text, p_params_sealed text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    id bigint := outbox_enqueue(p_org, NULL, 'test', p_channel, p_lang, p_recipient_sealed, p_hint,
                                p_params_sealed, 'test:' || gen_random_uuid()::text, NULL);
BEGIN
    PERFORM audit_append(p_org, NULL, p_staff, 'delivery.test',
                         jsonb_build_object('message_id', id, 'channel', p_channel, 'recipient', p_hint));
    RETURN id;
END $$;

-- How a voter can have the receipt sent (the receipt page offers e-mail where "email" is
-- here): the organisation's channels that are not switched off (no settings: the server's
-- own sender delivers both).
CREATE OR REPLACE FUNCTION organisation_receipt_channels(p_org bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(c ORDER BY c), '[]'::jsonb) FROM (
        SELECT 'email' AS c WHERE coalesce((SELECT d.email ->> 'transport' FROM delivery_settings d WHERE d.organisation_id = p_org), 'server') <> 'off'
        UNION ALL
        SELECT 'sms' WHERE coalesce((SELECT d.sms ->> 'transport' FROM delivery_settings d WHERE d.organisation_id = p_org), 'server') <> 'off') x
$$;
