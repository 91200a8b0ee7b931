-- OpenID Connect sign-in (server/api/oidc.c): the providers an organisation uses, for
-- citizens (MitID through NemLog-in or a broker) or for staff (the municipality's own Entra
-- ID or AD FS), and the sign-ins in progress. No client secret is stored: client_secret_ref
-- names a credential the server reads from its environment or credentials directory.

CREATE TABLE oidc_providers (
    id                bigserial PRIMARY KEY,
    organisation_id   bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    election_id       bigint REFERENCES elections (id) ON DELETE CASCADE, -- NULL: all of the organisation's
    purpose           text NOT NULL CHECK (purpose IN ('citizen', 'staff')),
    issuer            text NOT NULL CHECK (issuer ~ '^https?://[^\s]+$' AND length(issuer) <= 300),
    client_id         text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 300),
    client_secret_ref text CHECK (client_secret_ref ~ '^[A-Za-z0-9_-]{1,64}$'),
    scopes            text NOT NULL DEFAULT 'openid' CHECK (scopes ~ '(^| )openid( |$)' AND length(scopes) <= 300),
    eligibility_claim text NOT NULL DEFAULT 'sub' CHECK (eligibility_claim ~ '^[A-Za-z0-9_.:-]{1,100}$'),
    birthdate_claim   text CHECK (birthdate_claim ~ '^[A-Za-z0-9_.:-]{1,100}$'),
    min_age           int CHECK (min_age BETWEEN 0 AND 130),
    open_to_all       boolean NOT NULL DEFAULT false, -- no register: anyone the provider signs in may vote
    button_text       jsonb NOT NULL DEFAULT '{"da": "Log ind med MitID", "en": "Sign in with MitID"}',
    enabled           boolean NOT NULL DEFAULT true,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX oidc_providers_key ON oidc_providers (organisation_id, coalesce(election_id, 0), purpose);

-- A sign-in between the redirect to the provider and the return: single use, ten minutes.
-- The state is kept as a hash; the PKCE verifier sealed; browser_hash binds the sign-in
-- to the browser that started it (a cookie), so a state sent to someone else is useless.
CREATE TABLE oidc_logins (
    state_hash      bytea PRIMARY KEY,
    provider_id     bigint NOT NULL REFERENCES oidc_providers (id) ON DELETE CASCADE,
    election_id     bigint REFERENCES elections (id) ON DELETE CASCADE,
    browser_hash    bytea NOT NULL,
    nonce           text NOT NULL,
    verifier_sealed bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz
);
CREATE INDEX oidc_logins_expiry ON oidc_logins (expires_at);

-- The register matched by the provider's claim: a keyed hash of the identifier
-- (server/lib/voterkeys.c, voterkey_oidc), made at upload from personal_id or oidc_id.
ALTER TABLE register_entries ADD COLUMN oidc_hash bytea;
CREATE INDEX register_oidc ON register_entries (election_id, oidc_hash) WHERE oidc_hash IS NOT NULL;

-- Elections without a register may let any authenticated person vote: such a voter is
-- the keyed hash of the provider's claim, never the claim.
ALTER TABLE voters ADD COLUMN oidc_hash bytea;
CREATE UNIQUE INDEX voters_oidc ON voters (election_id, oidc_hash) WHERE oidc_hash IS NOT NULL;

