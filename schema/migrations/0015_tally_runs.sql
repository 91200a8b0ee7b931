-- The count of an election, running or last finished, for the staff page and the API:
-- one row per election, kept by the server process that counts (its percent is written
-- about twice a second), so any process or server can say how far it has got. A run whose
-- updated_at is older than a minute is dead (its process stopped) and may be started again.
CREATE TABLE tally_runs (
    election_id bigint PRIMARY KEY REFERENCES elections (id) ON DELETE CASCADE,
    staff_id    bigint,
    started_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    percent     int NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
    finished_at timestamptz,
    error       text
);
