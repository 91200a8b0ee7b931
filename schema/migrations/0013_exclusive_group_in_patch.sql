-- A proposal's exclusion group is set by update_proposal, in the same transaction as its
-- other fields (key "exclusive_group" of the patch): set_exclusive_group is gone.
DROP FUNCTION IF EXISTS set_exclusive_group(bigint, bigint, int);
