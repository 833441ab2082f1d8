-- +goose Up
-- Applications to join the cooperation network. An application is a
-- shareable record (type "network.application") owned by the applying
-- organisation, submitted as AMBER+STRICT and shared with the programme
-- office, whose members (the officers) review it.
CREATE TABLE network_applications (
    id            TEXT PRIMARY KEY,
    org_name      TEXT NOT NULL,             -- the applicant's name when it applied, for the share page
    activities    TEXT NOT NULL,             -- text.Text as JSON: what it does in Africa, in several languages
    started_year  INTEGER NOT NULL,          -- the year it started working in Africa
    website       TEXT NOT NULL DEFAULT '',
    contact_name  TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    statement     TEXT NOT NULL,             -- why it joins, in its own words
    status        TEXT NOT NULL,             -- submitted, more_info_requested, approved, rejected, removed
    submitted_by  TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    decided_by    TEXT,
    decided_at    TIMESTAMP,
    owner_org TEXT NOT NULL, marking TEXT NOT NULL, state TEXT NOT NULL, visible_from TIMESTAMP, community TEXT NOT NULL DEFAULT ''
);
-- One open application per organisation at a time.
CREATE UNIQUE INDEX network_applications_open ON network_applications (owner_org) WHERE status IN ('submitted', 'more_info_requested');
-- The officers' queue, newest first, by status.
CREATE INDEX network_applications_queue ON network_applications (created_at, id);
CREATE INDEX network_applications_status ON network_applications (status, created_at, id);
CREATE INDEX network_applications_owner ON network_applications (owner_org, created_at);

-- The African countries an applicant works in.
CREATE TABLE network_application_countries (
    application_id TEXT NOT NULL REFERENCES network_applications (id) ON DELETE CASCADE,
    country        TEXT NOT NULL,
    PRIMARY KEY (application_id, country)
);
CREATE INDEX network_application_countries_country ON network_application_countries (country, application_id);

-- +goose Down
DROP TABLE network_application_countries;
DROP TABLE network_applications;
