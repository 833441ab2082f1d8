-- +goose Up
-- A person's secret links: feeds and calendars read by programs that cannot
-- sign in, and following a report made without an account.
CREATE TABLE secret_links (
    id           TEXT PRIMARY KEY,
    secret_hash  TEXT NOT NULL UNIQUE,
    user_id      TEXT REFERENCES users(id),
    purpose      TEXT NOT NULL, -- feed, calendar, report
    label        TEXT NOT NULL,
    target       TEXT NOT NULL, -- what the link opens, for the module that made it
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX secret_links_user ON secret_links (user_id, created_at);

-- +goose Down
DROP TABLE secret_links;
