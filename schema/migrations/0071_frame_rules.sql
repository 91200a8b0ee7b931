-- Each frame its own ballot and counting rule (issue 17: "a city-wide knapsack and a district
-- approval may differ"). A group of districts may set its own ballot (type and limits), rule
-- and rule parameters for all its frames; NULL follows the election's, so every election
-- made before keeps its one set of rules. The three are set and cleared together.
ALTER TABLE district_groups ADD COLUMN ballot jsonb, ADD COLUMN rule text, ADD COLUMN rule_params jsonb,
    ADD CONSTRAINT district_groups_rules_whole
        CHECK ((ballot IS NULL) = (rule IS NULL) AND (ballot IS NULL) = (rule_params IS NULL));

DROP FUNCTION IF EXISTS add_district_group(bigint, bigint, jsonb, boolean, int);
