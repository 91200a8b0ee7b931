-- Turnout reads count voters and codes per district on every request: index them, so
-- the counts stay cheap on election day (ballots come from the turnout counters).
CREATE INDEX voters_district ON voters (district_id);
CREATE INDEX voting_codes_district ON voting_codes (district_id) WHERE revoked_at IS NULL;
