-- The sites of an organisation that may show its elections in a frame (the embeddable
-- widget; issue 17): their origins become the widget page's CSP frame-ancestors, and
-- allow_voting says whether the voting pages themselves may be framed there too.
CREATE TABLE embed_settings (
    organisation_id bigint PRIMARY KEY REFERENCES organisations(id),
    origins         text[] NOT NULL DEFAULT '{}' CHECK (cardinality(origins) <= 20),
    allow_voting    boolean NOT NULL DEFAULT false,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
