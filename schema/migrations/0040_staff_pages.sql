-- Staff run a whole election from the pages (issue 14).
--
-- A proposal may wait for its cost: a citizen's idea can come without one, and staff cost
-- it before accepting it (an accepted proposal always has a cost), with a note on how the
-- cost was estimated.
ALTER TABLE proposals ALTER COLUMN cost DROP NOT NULL;
ALTER TABLE proposals ADD COLUMN cost_note text;
ALTER TABLE proposals ADD CONSTRAINT proposals_accepted_has_cost CHECK (status <> 'accepted' OR cost IS NOT NULL);

-- A counted paper sheet keeps the tracker of the ballot it stands for, so that correcting
-- the sheet replaces exactly that ballot (and not a later sheet of the same voter).
ALTER TABLE paper_sheets ADD COLUMN tracker text, ADD COLUMN corrected_at timestamptz;

-- add_proposal_at takes the costing note (schema/functions/proposals.sql).
DROP FUNCTION IF EXISTS add_proposal_at(bigint, bigint, bigint, jsonb, jsonb, jsonb, text, bigint, text, text, jsonb);
