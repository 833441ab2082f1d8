-- +goose Up
-- Incident reports, from the public or from members. A report is not a
-- shareable record: it belongs to the team that must triage it (team_org,
-- the national CERT of its country, or the CERT programme office when that
-- country has none), and only that team's admins and analysts read it. The
-- reporter follows it through a secret link (account secret_links, purpose
-- "report", target = the report's id) or, when signed in, among their own.
CREATE TABLE cert_reports (
    id            TEXT PRIMARY KEY,
    country       TEXT NOT NULL,             -- ISO 3166-1 alpha-2 concerned
    team_org      TEXT NOT NULL REFERENCES orgs(id),
    title         TEXT NOT NULL,
    description   TEXT NOT NULL,
    occurred_on   TIMESTAMP,                 -- the day it happened, midnight UTC; NULL: not said
    category      TEXT NOT NULL DEFAULT '',  -- reports.Categories, or ''
    sectors       TEXT NOT NULL DEFAULT '',  -- space-separated, org.Sectors
    systems       TEXT NOT NULL DEFAULT '',  -- affected systems, free text
    contact_email TEXT NOT NULL DEFAULT '',
    lang          TEXT NOT NULL,             -- the reporter's language
    reporter_user TEXT NOT NULL DEFAULT '',  -- '' for a report without an account
    reporter_org  TEXT NOT NULL DEFAULT '',  -- the organisation reported for, or ''
    status        TEXT NOT NULL,             -- received, case, rejected
    case_id       TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',  -- why it was rejected, shown to the reporter
    told_status   TEXT NOT NULL DEFAULT '',  -- the follower status the reporter was last told of
    forwarded_from TEXT NOT NULL DEFAULT '', -- the team that passed it on, or ''
    triaged_by    TEXT NOT NULL DEFAULT '',
    triaged_at    TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX cert_reports_team ON cert_reports (team_org, status, created_at, id);
CREATE INDEX cert_reports_reporter ON cert_reports (reporter_user, created_at, id);
CREATE INDEX cert_reports_country ON cert_reports (country, created_at);
CREATE INDEX cert_reports_follow ON cert_reports (status, told_status, updated_at);

-- The server key that signs report challenges, made on first start and
-- shared by every instance through the database.
CREATE TABLE cert_report_keys (
    name       TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Challenge nonces already used, kept until the challenge expires.
CREATE TABLE cert_report_nonces (
    nonce      TEXT PRIMARY KEY,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX cert_report_nonces_expiry ON cert_report_nonces (expires_at);

-- Report attempts per client (a keyed hash of the address, or the user),
-- for the hourly limit; pruned after the window.
CREATE TABLE cert_report_hits (
    who TEXT NOT NULL,
    at  TIMESTAMP NOT NULL
);
CREATE INDEX cert_report_hits_who ON cert_report_hits (who, at);
CREATE INDEX cert_report_hits_at ON cert_report_hits (at);

-- +goose Down
DROP TABLE cert_report_hits;
DROP TABLE cert_report_nonces;
DROP TABLE cert_report_keys;
DROP TABLE cert_reports;
