-- Eligibility by voter register and one-time codes, code revocation, and paper ballots
-- with optional double entry.

ALTER TABLE elections
    ADD COLUMN identity jsonb NOT NULL DEFAULT '{"methods": ["code"]}',
    ADD COLUMN paper_double_entry boolean NOT NULL DEFAULT false;

-- The register: keyed hashes only. match_hash covers identifier + birth date (+ postcode
-- when the election asks for it), so a failed match cannot tell which field was wrong.
CREATE TABLE register_entries (
    id          bigserial PRIMARY KEY,
    election_id bigint NOT NULL REFERENCES elections(id),
    district_id bigint NOT NULL REFERENCES districts(id),
    match_hash  bytea NOT NULL,
    contact_hash bytea,               -- phone or e-mail, for one-time codes
    UNIQUE (election_id, match_hash)
);
CREATE INDEX register_contact ON register_entries (election_id, contact_hash);

ALTER TABLE voters
    ADD COLUMN register_id bigint UNIQUE REFERENCES register_entries(id);

-- One-time codes: hash of the code, expiry, attempts.
CREATE TABLE otp_challenges (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    election_id bigint NOT NULL REFERENCES elections(id),
    register_id bigint NOT NULL REFERENCES register_entries(id),
    code_hash   bytea NOT NULL,
    attempts    int NOT NULL DEFAULT 0,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);

-- Paper ballot entries: each sheet typed once, or twice by two clerks when the election
-- asks for double entry; matching entries are counted, mismatches held for review.
CREATE TABLE paper_entries (
    id          bigserial PRIMARY KEY,
    election_id bigint NOT NULL REFERENCES elections(id),
    sheet       text NOT NULL,
    district_id bigint NOT NULL REFERENCES districts(id),
    voter_tag   bytea NOT NULL,
    items       bigint[] NOT NULL,
    points      bigint[],
    clerk_id    bigint NOT NULL REFERENCES staff(id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX paper_entries_sheet ON paper_entries (election_id, sheet);

CREATE TABLE paper_sheets (
    election_id bigint NOT NULL REFERENCES elections(id),
    sheet       text NOT NULL,
    status      text NOT NULL CHECK (status IN ('pending', 'counted', 'mismatch')),
    PRIMARY KEY (election_id, sheet)
);
