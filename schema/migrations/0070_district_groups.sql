-- Several frames per voter (issue 17): an election's districts form groups, such as
-- "city-wide" (one frame) and "districts" (eight), and a voter votes in at most one frame
-- of each group: one ballot per frame, under one sign-in. Districts without a group form
-- the election's one ungrouped group, so an election made before groups (one frame per
-- voter) keeps working unchanged.
--
-- Which frame of a group: the one the voter's code or register row names (a credential
-- may name one per group: the district_id it always had, plus more_districts); else, in a
-- group of a single frame, that frame (a city-wide budget everyone votes in); else, where
-- the group lets voters choose, the district the voter picked once (voter_choices).
CREATE TABLE district_groups (
    id            bigserial PRIMARY KEY,
    election_id   bigint NOT NULL REFERENCES elections(id),
    name          jsonb NOT NULL,
    voter_chooses boolean NOT NULL DEFAULT false,
    position      int NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX district_groups_election ON district_groups (election_id);

ALTER TABLE districts ADD COLUMN group_id bigint REFERENCES district_groups(id);
CREATE INDEX districts_group ON districts (group_id);

ALTER TABLE voting_codes ADD COLUMN more_districts bigint[] NOT NULL DEFAULT '{}';
ALTER TABLE register_entries ADD COLUMN more_districts bigint[] NOT NULL DEFAULT '{}';

-- A voter sign in by OpenID Connect in an election open to everyone may have no district
-- named by any credential: their frames are the single-frame groups and their choices.
ALTER TABLE voters ALTER COLUMN district_id DROP NOT NULL;

-- A voter's choice of district in a group that lets voters choose: final, one per group
-- (the primary key decides between parallel choices).
CREATE TABLE voter_choices (
    voter_id    bigint NOT NULL REFERENCES voters(id),
    group_id    bigint NOT NULL REFERENCES district_groups(id),
    district_id bigint NOT NULL REFERENCES districts(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (voter_id, group_id)
);
CREATE INDEX voter_choices_district ON voter_choices (district_id);

-- add_district takes the district's group.
DROP FUNCTION IF EXISTS add_district(bigint, bigint, jsonb, bigint);
-- A receipt is sent for a ballot in any of the voter's frames: no district argument.
DROP FUNCTION IF EXISTS outbox_receipt(bigint, bigint, text, text, text, text, text, text, text, text, text);
-- Codes may name a district in each group.
DROP FUNCTION IF EXISTS add_codes(bigint, bigint, bigint, text[]);
