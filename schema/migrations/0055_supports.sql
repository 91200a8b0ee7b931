-- The supports phase (pre-selection, as CONSUL's "selecting" and Decidim's supports):
-- between the ideas phase and review, signed-in citizens support up to
-- supports_max_per_voter accepted proposals of their district; staff see the ranking when
-- they decide what goes on the ballot, the public sees the counts if supports_show_counts.

ALTER TABLE elections DROP CONSTRAINT IF EXISTS elections_phase_check;
ALTER TABLE elections ADD CONSTRAINT elections_phase_check
    CHECK (phase IN ('draft', 'proposals', 'supports', 'review', 'voting', 'closed', 'published'));

ALTER TABLE elections
    ADD COLUMN supports_max_per_voter int NOT NULL DEFAULT 10
        CHECK (supports_max_per_voter BETWEEN 1 AND 1000),
    ADD COLUMN supports_show_counts boolean NOT NULL DEFAULT true;

-- One row per support. supporter is HMAC(server secret, election:voter) under a key of its
-- own ("voter-support-link"), so it matches neither the voter's ballot tag nor any other
-- keyed value: a reader of the database can count a supporter's supports but cannot tell
-- who they are or join them to a ballot. No timestamp: nothing here orders supports in time
-- against sign-ins. The primary key makes a support unique per citizen and proposal.
CREATE TABLE supports (
    proposal_id bigint NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    supporter   bytea NOT NULL,
    election_id bigint NOT NULL REFERENCES elections (id) ON DELETE CASCADE,
    PRIMARY KEY (proposal_id, supporter)
);
-- A citizen's supports in an election (their list, and the count against the limit).
CREATE INDEX supports_supporter ON supports (election_id, supporter);
