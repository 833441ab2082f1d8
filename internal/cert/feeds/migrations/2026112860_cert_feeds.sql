-- +goose Up
-- A trust circle's subscription to a collection on a remote TAXII 2.1
-- server, made by one of the circle's vetted CERTs (team_org). The cursor
-- columns keep the server's own timestamp strings, sent back unchanged.
CREATE TABLE cert_feeds (
    id               TEXT PRIMARY KEY,
    team_org         TEXT NOT NULL REFERENCES orgs(id),
    group_id         TEXT NOT NULL REFERENCES org_groups(id),
    title            TEXT NOT NULL,
    api_root         TEXT NOT NULL,
    collection       TEXT NOT NULL,
    types            TEXT NOT NULL DEFAULT '',
    auth_user        TEXT NOT NULL DEFAULT '',
    auth_secret      TEXT NOT NULL DEFAULT '',   -- sealed with the feeds key, never shown
    interval_min     INTEGER NOT NULL,
    status           TEXT NOT NULL,              -- active, stopped
    added_after      TEXT NOT NULL DEFAULT '',   -- the last X-TAXII-Date-Added-Last imported
    run_after        TEXT NOT NULL DEFAULT '',   -- added_after of the run that next continues
    next_token       TEXT NOT NULL DEFAULT '',   -- the server's next, while more is true
    next_poll_at     TIMESTAMP,
    lease_until      TIMESTAMP,
    last_poll_at     TIMESTAMP,
    last_success_at  TIMESTAMP,
    failures         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',   -- a message key
    last_error_at    TIMESTAMP,
    last_detail      TEXT NOT NULL DEFAULT '',   -- what the server said: status, error title
    last_refused     TEXT NOT NULL DEFAULT '[]', -- the last objects the store refused, JSON
    pages            INTEGER NOT NULL DEFAULT 0,
    added            INTEGER NOT NULL DEFAULT 0,
    skipped          INTEGER NOT NULL DEFAULT 0,
    refused          INTEGER NOT NULL DEFAULT 0,
    created_by       TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX cert_feeds_team ON cert_feeds (team_org, title);
CREATE INDEX cert_feeds_due ON cert_feeds (status, next_poll_at);

-- A page fetched but not yet imported: written in the same transaction that
-- moves the cursor past it, deleted once the store has it. A restart finds
-- it here instead of fetching it again.
CREATE TABLE cert_feed_pages (
    feed_id    TEXT PRIMARY KEY REFERENCES cert_feeds(id) ON DELETE CASCADE,
    objects    TEXT NOT NULL,
    n_objects  INTEGER NOT NULL,
    fetched_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE cert_feed_pages;
DROP TABLE cert_feeds;
