-- +goose Up
-- The register of agreements, MoUs and cooperation documents. Dates are
-- calendar dates, stored as midnight UTC.
CREATE TABLE agreements (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,             -- mou, agreement, framework, ... (Kinds)
    title          TEXT NOT NULL,             -- text.Text as JSON, in several languages
    title_plain    TEXT NOT NULL,             -- the title in its original language, for the share page and reminders
    scope          TEXT NOT NULL,             -- text.Text as JSON
    signed_on      TIMESTAMP NOT NULL,
    effective_from TIMESTAMP,                 -- NULL: in force from signature
    expires_on     TIMESTAMP,                 -- NULL: no expiry
    sectors        TEXT NOT NULL DEFAULT '',  -- space-separated, from the org sectors vocabulary
    actions        TEXT NOT NULL DEFAULT '',  -- space-separated action items of the plan: "2.1 1.3"
    languages      TEXT NOT NULL DEFAULT '',  -- space-separated ISO 639-1 codes of the signed texts
    event_name     TEXT NOT NULL DEFAULT '',
    event_city     TEXT NOT NULL DEFAULT '',
    event_country  TEXT NOT NULL DEFAULT '',
    event_date     TIMESTAMP,
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    owner_org TEXT NOT NULL, marking TEXT NOT NULL, state TEXT NOT NULL, visible_from TIMESTAMP, community TEXT NOT NULL DEFAULT ''
);
-- The list: newest signature first.
CREATE INDEX agreements_signed ON agreements (signed_on, id);
CREATE INDEX agreements_owner ON agreements (owner_org, signed_on);
CREATE INDEX agreements_kind ON agreements (kind, signed_on);
-- Reminders and the expiry filters.
CREATE INDEX agreements_expires ON agreements (expires_on);

-- The parties: an organisation of the platform, the government of a
-- country, or another body named in full.
CREATE TABLE agreement_parties (
    agreement_id TEXT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    kind         TEXT NOT NULL,             -- org, government, other
    org_id       TEXT REFERENCES orgs(id),  -- for org
    country      TEXT NOT NULL DEFAULT '',  -- for government; optional for other
    name         TEXT NOT NULL DEFAULT '',  -- for other
    PRIMARY KEY (agreement_id, position)
);
CREATE INDEX agreement_parties_org ON agreement_parties (org_id, agreement_id);
CREATE INDEX agreement_parties_country ON agreement_parties (country, agreement_id);

-- Reminders sent before expiry: one per agreement, expiry date and
-- threshold (days), so that a new expiry date re-arms them and a second
-- instance finds the row and sends nothing.
CREATE TABLE agreement_reminders (
    agreement_id TEXT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    expires_on   TIMESTAMP NOT NULL,
    days         INTEGER NOT NULL,
    sent_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (agreement_id, expires_on, days)
);

-- +goose Down
DROP TABLE agreement_reminders;
DROP TABLE agreement_parties;
DROP TABLE agreements;
