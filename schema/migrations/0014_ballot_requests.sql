-- Idempotency keys of PUT .../ballot (the Idempotency-Key header): the first answer to a
-- voter's request, so a repeat (a double click, a retry after a lost answer or a failover)
-- gets the same tracker and stores nothing new, whichever process or server it reaches.
-- request_hash is sha256(voter_tag "|" key), made by the server: keys are scoped to their
-- voter. No timestamp, like ballots: nothing here orders ballots in time.
CREATE TABLE ballot_requests (
    election_id  bigint NOT NULL REFERENCES elections (id) ON DELETE CASCADE,
    request_hash bytea NOT NULL,
    body_hash    bytea NOT NULL,
    district_id  bigint NOT NULL,
    tracker      text NOT NULL,
    nonce        text NOT NULL,
    replaced     boolean,
    PRIMARY KEY (election_id, request_hash)
);

-- cast_online_ballot takes the request's key and answers the tracker it stored.
DROP FUNCTION IF EXISTS cast_online_ballot(bigint, bigint, bigint, text, bigint[], bigint[], text, text);
