-- Borgerbudget schema, first migration: organisations, staff, sessions, elections,
-- districts, proposals, voting codes, voters, ballots, results and the audit log.
-- Money is bigint minor units everywhere.

CREATE TABLE organisations (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff (
    id              bigserial PRIMARY KEY,
    email           text NOT NULL,
    password_hash   text,            -- scrypt, see server/crypto.c; NULL until the invite is accepted
    is_superadmin   boolean NOT NULL DEFAULT false,
    invite_hash     bytea UNIQUE,    -- sha256 of the invite token
    disabled_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX staff_email_key ON staff (lower(email));

CREATE TABLE elections (
    id              bigserial PRIMARY KEY,
    organisation_id bigint NOT NULL REFERENCES organisations(id),
    slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    title           jsonb NOT NULL,
    description     jsonb NOT NULL DEFAULT '{}',
    default_lang    text NOT NULL DEFAULT 'da',
    currency        text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    ballot          jsonb NOT NULL,
    rule            text NOT NULL CHECK (rule IN ('greedy', 'equal_shares', 'phragmen')),
    rule_params     jsonb NOT NULL DEFAULT '{}',
    phase           text NOT NULL DEFAULT 'draft'
                    CHECK (phase IN ('draft', 'proposals', 'review', 'voting', 'closed', 'published')),
    phases          jsonb NOT NULL DEFAULT '{}',
    public_key      bytea,           -- Ed25519, published when voting opens
    private_key_sealed bytea,        -- AES-GCM under a key derived from the server secret
    voting_opened_at timestamptz,
    closed_at       timestamptz,
    tallied_at      timestamptz,
    published_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Roles per organisation (election_id NULL) or per election.
CREATE TABLE staff_roles (
    staff_id        bigint NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    organisation_id bigint NOT NULL REFERENCES organisations(id),
    election_id     bigint REFERENCES elections(id),
    role            text NOT NULL CHECK (role IN ('admin', 'moderator', 'clerk', 'observer'))
);
CREATE UNIQUE INDEX staff_roles_key
    ON staff_roles (staff_id, organisation_id, coalesce(election_id, 0), role);

CREATE TABLE districts (
    id          bigserial PRIMARY KEY,
    election_id bigint NOT NULL REFERENCES elections(id),
    name        jsonb NOT NULL,
    budget      bigint NOT NULL CHECK (budget > 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX districts_election ON districts (election_id);

CREATE TABLE proposals (
    id          bigserial PRIMARY KEY,
    election_id bigint NOT NULL REFERENCES elections(id),
    district_id bigint NOT NULL REFERENCES districts(id),
    title       jsonb NOT NULL,
    summary     jsonb NOT NULL DEFAULT '{}',
    description jsonb NOT NULL DEFAULT '{}',
    category    text,
    cost        bigint NOT NULL CHECK (cost > 0),
    status      text NOT NULL DEFAULT 'submitted'
                CHECK (status IN ('submitted', 'accepted', 'rejected', 'merged')),
    reason      text,
    image_url   text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX proposals_election ON proposals (election_id, district_id);

-- Only a keyed hash (HMAC-SHA256 with the server secret) of each code is stored.
CREATE TABLE voting_codes (
    id          bigserial PRIMARY KEY,
    election_id bigint NOT NULL REFERENCES elections(id),
    district_id bigint NOT NULL REFERENCES districts(id),
    code_hash   bytea NOT NULL UNIQUE,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A voter is an eligibility proof that has been used: one row per code.
CREATE TABLE voters (
    id          bigserial PRIMARY KEY,
    election_id bigint NOT NULL REFERENCES elections(id),
    district_id bigint NOT NULL REFERENCES districts(id),
    code_id     bigint UNIQUE REFERENCES voting_codes(id),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
    token_hash  bytea PRIMARY KEY,   -- sha256 of the bearer token; the token itself is never stored
    kind        text NOT NULL CHECK (kind IN ('staff', 'voter')),
    staff_id    bigint REFERENCES staff(id) ON DELETE CASCADE,
    voter_id    bigint REFERENCES voters(id),
    election_id bigint REFERENCES elections(id),
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'staff') = (staff_id IS NOT NULL)),
    CHECK ((kind = 'voter') = (voter_id IS NOT NULL))
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Ballots hold no voter identity. voter_tag is HMAC(server secret, voter): it lets the
-- server find and replace a voter's ballot, but a reader of the database without the
-- secret cannot tell whose ballot it is. Ballots carry no timestamp and a random id, so
-- neither orders them against voter rows.
CREATE TABLE ballots (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    election_id bigint NOT NULL REFERENCES elections(id),
    district_id bigint NOT NULL REFERENCES districts(id),
    voter_tag   bytea NOT NULL,
    items       bigint[] NOT NULL,   -- proposal ids (sorted, or in rank order for ordinal)
    points      bigint[],            -- cumulative ballots: points per item
    tracker     text NOT NULL UNIQUE,
    source      text NOT NULL DEFAULT 'online' CHECK (source IN ('online', 'paper'))
);
CREATE UNIQUE INDEX ballots_one_per_voter ON ballots (election_id, district_id, voter_tag);
CREATE INDEX ballots_election ON ballots (election_id, district_id);

-- Turnout over time without timestamps on ballots: a counter per district and hour.
CREATE TABLE turnout (
    election_id bigint NOT NULL REFERENCES elections(id),
    district_id bigint NOT NULL REFERENCES districts(id),
    hour        timestamptz NOT NULL,
    ballots     bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (election_id, district_id, hour)
);

CREATE TABLE results (
    election_id bigint PRIMARY KEY REFERENCES elections(id),
    result      text NOT NULL,       -- the exact bytes that were signed
    signature   text NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now()
);

-- Append-only, hash-chained per election (organisation-wide actions chain under
-- election_id NULL). hash = sha256(prev_hash || canonical entry text).
CREATE TABLE audit_log (
    seq             bigserial PRIMARY KEY,
    organisation_id bigint,
    election_id     bigint,
    staff_id        bigint,
    action          text NOT NULL,
    details         jsonb NOT NULL DEFAULT '{}',
    at              timestamptz NOT NULL DEFAULT now(),
    prev_hash       bytea NOT NULL,
    hash            bytea NOT NULL
);
CREATE INDEX audit_log_election ON audit_log (election_id, seq);

CREATE FUNCTION audit_entry_text(a audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws('|', a.seq, coalesce(a.organisation_id::text, ''),
                     coalesce(a.election_id::text, ''), coalesce(a.staff_id::text, ''),
                     a.action, a.details::text,
                     to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
$$;

CREATE FUNCTION audit_append(p_org bigint, p_election bigint, p_staff bigint, p_action text,
                             p_details jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    prev bytea;
    entry audit_log;
BEGIN
    -- One writer per chain at a time, so every entry links to the true latest.
    PERFORM pg_advisory_xact_lock(7301, (coalesce(p_election, 0) % 2147483647)::int);
    SELECT hash INTO prev FROM audit_log
     WHERE election_id IS NOT DISTINCT FROM p_election ORDER BY seq DESC LIMIT 1;
    entry.seq := nextval('audit_log_seq_seq');
    entry.organisation_id := p_org;
    entry.election_id := p_election;
    entry.staff_id := p_staff;
    entry.action := p_action;
    entry.details := coalesce(p_details, '{}'::jsonb);
    entry.at := date_trunc('milliseconds', clock_timestamp());
    entry.prev_hash := coalesce(prev, '\x'::bytea);
    entry.hash := sha256(entry.prev_hash || convert_to(audit_entry_text(entry), 'UTF8'));
    INSERT INTO audit_log VALUES (entry.*);
    RETURN entry.seq;
END $$;

-- The roles a staff member holds in an election, as bits: observer 1, clerk 2,
-- moderator 4, admin 8 (superadmins are handled by the caller).
CREATE FUNCTION staff_role_mask(p_staff bigint, p_election bigint) RETURNS int
LANGUAGE sql STABLE AS $$
    SELECT coalesce(bit_or(CASE r.role WHEN 'observer' THEN 1 WHEN 'clerk' THEN 2
                                       WHEN 'moderator' THEN 4 WHEN 'admin' THEN 8 END), 0)
      FROM staff_roles r JOIN elections e ON e.organisation_id = r.organisation_id
     WHERE r.staff_id = p_staff AND e.id = p_election
       AND (r.election_id IS NULL OR r.election_id = e.id)
$$;

CREATE FUNCTION district_json(d districts) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', d.id, 'name', d.name, 'budget', d.budget)
$$;

CREATE FUNCTION election_json(e elections) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', e.id, 'organisation_id', e.organisation_id, 'slug', e.slug,
        'title', e.title, 'description', e.description,
        'default_language', e.default_lang, 'currency', e.currency,
        'ballot', e.ballot, 'rule', e.rule, 'rule_params', e.rule_params,
        'phase', e.phase, 'phases', e.phases,
        'has_public_key', e.public_key IS NOT NULL,
        'published_at', e.published_at,
        'districts', coalesce((SELECT jsonb_agg(district_json(d) ORDER BY d.id)
                                 FROM districts d WHERE d.election_id = e.id), '[]'::jsonb),
        'created_at', e.created_at)
$$;

CREATE FUNCTION proposal_json(p proposals) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', p.id, 'election_id', p.election_id, 'district_id', p.district_id,
        'title', p.title, 'summary', p.summary, 'description', p.description,
        'category', p.category, 'cost', p.cost, 'status', p.status, 'reason', p.reason,
        'image_url', p.image_url)
$$;
