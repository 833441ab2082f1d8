-- +goose Up
CREATE TABLE abuse_reports (
    id           TEXT PRIMARY KEY,
    record_type  TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    reason       TEXT NOT NULL, -- spam, fraud, illegal, personal_data
    details      TEXT NOT NULL DEFAULT '',
    reporter_id  TEXT,          -- NULL when reported without an account
    client_ip    TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open', -- open, hidden, dismissed, restored
    decided_by   TEXT,
    decided_at   TIMESTAMP,
    decision     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX abuse_reports_open ON abuse_reports (status, created_at);
CREATE INDEX abuse_reports_record ON abuse_reports (record_type, record_id);
CREATE INDEX abuse_reports_ip ON abuse_reports (client_ip, created_at);

-- +goose Down
DROP TABLE abuse_reports;
