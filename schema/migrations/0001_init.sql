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
