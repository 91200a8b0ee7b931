-- ballots_one_per_voter (election_id, district_id, voter_tag) serves every lookup by election
-- and district as well. With a second index on the same prefix, the generic plan of the
-- "has this voter voted" and "my ballot" statements chose it and filtered the voter tag row by
-- row: each sign-in read every ballot of its district (2 ms at 5,000 ballots, growing).
DROP INDEX ballots_election;
