-- The moderation decision for the idea's author (migration 0085, server/api/proposal.c):
-- the author's sealed address for an idea (given with it, changed or withdrawn later), and
-- the message queued in the transaction of each decision staff take on it.

-- What the author sees of their address: {channel, hint} or NULL. Never the address.
CREATE OR REPLACE FUNCTION idea_notice_json(p_proposal bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('channel', n.channel, 'hint', n.recipient_hint)
      FROM idea_notices n WHERE n.proposal_id = p_proposal
$$;

-- Stores (or replaces) the address for an idea the caller has locked. Refused when the
-- organisation does not send messages by that channel.
CREATE OR REPLACE FUNCTION idea_notice_put(p proposals, p_channel text, p_lang text, p_recipient_sealed text,
                                           p_hint text, p_params_sealed text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT organisation_receipt_channels((SELECT organisation_id FROM elections WHERE id = p.election_id))
           ? p_channel THEN
        RAISE EXCEPTION '%', CASE p_channel WHEN 'sms' THEN 'The municipality does not send text messages; give an e-mail address.'
                                            ELSE 'The municipality does not send e-mail; give a mobile number.' END
            USING ERRCODE = 'PB422', COLUMN = 'notify';
    END IF;
    INSERT INTO idea_notices (proposal_id, election_id, channel, lang, recipient_sealed, recipient_hint, params_sealed)
    VALUES (p.id, p.election_id, p_channel, p_lang, decode(p_recipient_sealed, 'hex'), p_hint,
            decode(p_params_sealed, 'hex'))
    ON CONFLICT (proposal_id) DO UPDATE
       SET channel = EXCLUDED.channel, lang = EXCLUDED.lang, recipient_sealed = EXCLUDED.recipient_sealed,
           recipient_hint = EXCLUDED.recipient_hint, params_sealed = EXCLUDED.params_sealed;
END $$;

-- A citizen's idea (submit_proposal) with, when p_channel is set, the address the
-- decision goes to, in one transaction. Answers the idea with "notify".
CREATE OR REPLACE FUNCTION submit_idea(p_voter bigint, p_election bigint, p_district bigint,
                                       p_title jsonb, p_summary jsonb, p_description jsonb,
                                       p_category text, p_cost bigint, p_image text, p_location jsonb,
                                       p_channel text, p_lang text, p_recipient_sealed text, p_hint text,
                                       p_params_sealed text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    j jsonb := submit_proposal(p_voter, p_election, p_district, p_title, p_summary, p_description,
                               p_category, p_cost, p_image, p_location);
    p proposals;
BEGIN
    IF p_channel IS NOT NULL THEN
        SELECT * INTO p FROM proposals WHERE id = (j->>'id')::bigint;
        PERFORM idea_notice_put(p, p_channel, p_lang, p_recipient_sealed, p_hint, p_params_sealed);
    END IF;
    RETURN j || jsonb_build_object('notify', idea_notice_json((j->>'id')::bigint));
END $$;

-- The author's edit (edit_own_proposal) and, by p_notify, their address: 'keep' leaves it
-- as it is, 'set' stores the one given, 'drop' withdraws it.
CREATE OR REPLACE FUNCTION edit_own_idea(p_voter bigint, p_proposal bigint, p_patch jsonb, p_notify text,
                                         p_channel text, p_lang text, p_recipient_sealed text, p_hint text,
                                         p_params_sealed text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    j jsonb := edit_own_proposal(p_voter, p_proposal, p_patch);
    p proposals;
BEGIN
    IF p_notify = 'set' THEN
        SELECT * INTO p FROM proposals WHERE id = p_proposal;
        PERFORM idea_notice_put(p, p_channel, p_lang, p_recipient_sealed, p_hint, p_params_sealed);
    ELSIF p_notify = 'drop' THEN
        DELETE FROM idea_notices WHERE proposal_id = p_proposal;
    END IF;
    RETURN j || jsonb_build_object('notify', idea_notice_json(p_proposal));
END $$;

-- The author withdraws the address, in any phase (nothing more is sent). False when there
-- was none.
CREATE OR REPLACE FUNCTION idea_notice_withdraw(p_voter bigint, p_proposal bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM proposals WHERE id = p_proposal AND author_voter_id = p_voter) THEN
        RAISE EXCEPTION 'No such proposal.' USING ERRCODE = 'PB404';
    END IF;
    DELETE FROM idea_notices WHERE proposal_id = p_proposal;
    RETURN FOUND;
END $$;

-- A text of several languages ({"da": …, "en": …}) in p_lang, else in p_fallback (the
-- election's), else in any it has; '' for none.
CREATE OR REPLACE FUNCTION texts_in(p_texts jsonb, p_lang text, p_fallback text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(p_texts ->> p_lang, p_texts ->> p_fallback,
                    (SELECT x.value FROM jsonb_each_text(p_texts) x LIMIT 1), '')
$$;

-- The decision in words, in the message's language (English where there is none): for
-- "… has been {{decision}}" and its translations.
CREATE OR REPLACE FUNCTION idea_decision_text(p_status text, p_lang text, p_into text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_status
        WHEN 'accepted' THEN CASE l WHEN 'da' THEN 'godkendt' WHEN 'de' THEN 'angenommen' WHEN 'uk' THEN 'прийнято'
                                    WHEN 'ar' THEN 'تم قبولها' ELSE 'accepted' END
        WHEN 'rejected' THEN CASE l WHEN 'da' THEN 'afvist' WHEN 'de' THEN 'abgelehnt' WHEN 'uk' THEN 'відхилено'
                                    WHEN 'ar' THEN 'تم رفضها' ELSE 'rejected' END
        ELSE CASE l WHEN 'da' THEN 'lagt sammen med »' || p_into || '«'
                    WHEN 'de' THEN 'mit „' || p_into || '“ zusammengelegt'
                    WHEN 'uk' THEN 'об’єднано з «' || p_into || '»'
                    WHEN 'ar' THEN 'تم دمجها مع «' || p_into || '»'
                    ELSE 'merged into “' || p_into || '”' END
        END
      FROM (SELECT split_part(p_lang, '-', 1) AS l) x
$$;

-- The label before the moderator's reason, in the message's language.
CREATE OR REPLACE FUNCTION idea_reason_text(p_reason text, p_lang text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN coalesce(p_reason, '') = '' THEN ''
                ELSE CASE split_part(p_lang, '-', 1) WHEN 'da' THEN 'Begrundelse: ' WHEN 'de' THEN 'Begründung: '
                                                     WHEN 'uk' THEN 'Причина: ' WHEN 'ar' THEN 'السبب: '
                                                     ELSE 'Reason: ' END || p_reason END
$$;

-- A moderator's change of a proposal (update_proposal) and, when it is a decision on a
-- citizen's idea whose author asked to be told (accepted, rejected or merged, other than
-- what it was), the message to them, queued once in the same transaction. The proposal's
-- lock (taken before its state is read) makes a repeat of the same change, however many
-- arrive at once, a change of nothing: no second message. p_site is the server's public
-- address, for the link. The message holds the idea's title, the decision, the reason and
-- the link: nothing about supports or votes.
CREATE OR REPLACE FUNCTION moderate_proposal(p_staff bigint, p_proposal bigint, p_patch jsonb, p_site text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    e elections;
    p proposals;
    q proposals;
    n idea_notices;
    j jsonb;
    into_title text;
    path text;
    msg bigint;
BEGIN
    p := proposal_lock(p_proposal);   -- the state before the change, read under the lock
    SELECT * INTO e FROM elections WHERE id = p.election_id;
    j := update_proposal(p_staff, p_proposal, p_patch);
    SELECT * INTO q FROM proposals WHERE id = p_proposal;
    IF q.status NOT IN ('accepted', 'rejected', 'merged')
       OR (q.status = p.status AND q.merged_into IS NOT DISTINCT FROM p.merged_into) THEN
        RETURN j;
    END IF;
    SELECT * INTO n FROM idea_notices WHERE proposal_id = q.id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN j;
    END IF;
    IF q.status = 'merged' THEN
        SELECT texts_in(t.title, n.lang, e.default_lang),
               CASE WHEN t.status = 'accepted' THEN '/p/' || t.id ELSE '/ideas' END
          INTO into_title, path FROM proposals t WHERE t.id = q.merged_into;
    ELSE
        path := CASE WHEN q.status = 'accepted' THEN '/p/' || q.id ELSE '/ideas' END;
    END IF;
    -- one decision per transaction: its id makes the key (an address withdrawn and given
    -- again starts no count of its own that could meet an earlier message's key)
    msg := outbox_enqueue(e.organisation_id, e.id, 'idea_decision', n.channel, n.lang,
                          encode(n.recipient_sealed, 'hex'), n.recipient_hint, encode(n.params_sealed, 'hex'),
                          'idea:' || q.id || ':' || pg_current_xact_id(), NULL);
    UPDATE outbox SET vars = jsonb_build_object(
               'idea', texts_in(q.title, n.lang, e.default_lang),
               'decision', idea_decision_text(q.status, n.lang, into_title),
               'reason', idea_reason_text(CASE WHEN q.status = 'rejected' OR p_patch ? 'reason' THEN q.reason END, n.lang),
               'url', rtrim(p_site, '/') || '/#/e/' || e.id || path)
     WHERE id = msg;
    UPDATE idea_notices SET decisions = decisions + 1 WHERE proposal_id = q.id;
    RETURN j;
END $$;

-- No decision comes once voting opens: the addresses of the election's ideas go.
CREATE OR REPLACE FUNCTION idea_notices_drop() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM idea_notices WHERE election_id = NEW.id;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER idea_notices_drop AFTER UPDATE OF phase ON elections
    FOR EACH ROW WHEN (NEW.phase IN ('voting', 'closed', 'published') AND OLD.phase IS DISTINCT FROM NEW.phase)
    EXECUTE FUNCTION idea_notices_drop();
