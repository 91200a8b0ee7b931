-- Mutually exclusive proposals (two designs for the same square): proposals with the same
-- exclusive_group are never funded together by greedy counting.
ALTER TABLE proposals ADD COLUMN exclusive_group int CHECK (exclusive_group > 0);
