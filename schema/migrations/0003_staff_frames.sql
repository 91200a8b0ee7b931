-- Staff accounts (invites, lock-out, TOTP), categories and languages of budget frames,
-- citizen proposals, phases that follow the clock on reads too.

ALTER TABLE staff
    ADD COLUMN failed_logins int NOT NULL DEFAULT 0,
    ADD COLUMN locked_until timestamptz,
    ADD COLUMN totp_secret_sealed bytea,      -- AES-GCM under a key derived from the server secret
    ADD COLUMN totp_enabled boolean NOT NULL DEFAULT false,
    ADD COLUMN totp_last_step bigint NOT NULL DEFAULT 0,
    ADD COLUMN invite_expires_at timestamptz;

ALTER TABLE elections
    ADD COLUMN languages text[] NOT NULL DEFAULT ARRAY['da', 'en'],
    ADD COLUMN categories jsonb NOT NULL DEFAULT '[]';

ALTER TABLE proposals
    ADD COLUMN author_voter_id bigint REFERENCES voters(id),
    ADD COLUMN merged_into bigint REFERENCES proposals(id),
    ADD COLUMN location jsonb;
