-- +goose Up
-- Incident cases (sharing type cert.case). The cert/cases package adds
-- tasks, timelines, SLAs and hand-overs; this table is here so that every
-- CERT package can join it with sharing.Visible.
CREATE TABLE cert_cases (
    id            TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL, marking TEXT NOT NULL, state TEXT NOT NULL, visible_from TIMESTAMP, community TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL DEFAULT '',
    category      TEXT NOT NULL DEFAULT '',
    severity      TEXT NOT NULL DEFAULT 'medium',
    status        TEXT NOT NULL DEFAULT 'new',
    countries     TEXT NOT NULL DEFAULT '',
    sectors       TEXT NOT NULL DEFAULT '',
    assignee      TEXT NOT NULL DEFAULT '',
    report_id     TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX cert_cases_owner ON cert_cases (owner_org, updated_at);

-- +goose Down
DROP TABLE cert_cases;
