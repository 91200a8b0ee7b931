-- Turnout by age band and area (issue 17): the register keeps each person's birth date and
-- (when the upload names it) area in clear, and a voter row says whether that voter has
-- cast online (only the fact: no time, which could be matched with a ballot's). Figures
-- come only from these and are suppressed below ten voters (turnout_demographics).
ALTER TABLE register_entries
    ADD COLUMN birth_date date,
    ADD COLUMN area text CHECK (length(area) <= 100);
ALTER TABLE voters ADD COLUMN voted boolean NOT NULL DEFAULT false;
