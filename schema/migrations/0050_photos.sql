-- Citizens' ideas: the rough cost is optional (staff set the real one before accepting),
-- and proposals carry photos, stored here so that a database backup holds them.
ALTER TABLE proposals ALTER COLUMN cost DROP NOT NULL;
ALTER TABLE proposals ADD CONSTRAINT proposals_cost_when_accepted CHECK (cost IS NOT NULL OR status <> 'accepted');

CREATE TABLE photos (
    -- random, of at most 15 digits (what a path id holds, and a JSON number every client
    -- reads exactly), not a sequence: the address of a photo of an idea still in review
    -- cannot be guessed from another's
    id            bigint PRIMARY KEY CHECK (id > 0 AND id < 1000000000000000),
    proposal_id   bigint NOT NULL REFERENCES proposals(id),
    content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    width         int NOT NULL CHECK (width > 0),
    height        int NOT NULL CHECK (height > 0),
    sha256        bytea NOT NULL CHECK (length(sha256) = 32),
    bytes         bytea NOT NULL CHECK (length(bytes) BETWEEN 1 AND 5242880),
    staff_id      bigint REFERENCES staff(id),
    voter_id      bigint REFERENCES voters(id),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX photos_proposal ON photos (proposal_id);
-- pictures are compressed already: TOAST should not try again
ALTER TABLE photos ALTER COLUMN bytes SET STORAGE EXTERNAL;
