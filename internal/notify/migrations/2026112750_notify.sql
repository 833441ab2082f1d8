-- +goose Up
-- One row per notification to one person. Texts are message keys and
-- arguments, written in the person's language when shown or mailed.
CREATE TABLE notifications (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,             -- message key
    body       TEXT NOT NULL DEFAULT '',  -- message key, optional
    args       TEXT NOT NULL DEFAULT '[]', -- JSON: name, value pairs
    path       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP,
    mail_state TEXT NOT NULL,             -- pending (for a digest), sent, none
    mailed_at  TIMESTAMP
);
-- The notifications page and API: newest first, keyset paging.
CREATE INDEX notifications_user ON notifications (user_id, created_at, id);
-- The unread count.
CREATE INDEX notifications_unread ON notifications (user_id, read_at);
-- The digest job: who has notifications waiting.
CREATE INDEX notifications_pending ON notifications (mail_state, user_id);
-- Pruning after the retention period.
CREATE INDEX notifications_created ON notifications (created_at);

-- A person's e-mail frequency for a kind; absent means the kind's default.
CREATE TABLE notify_prefs (
    user_id    TEXT NOT NULL REFERENCES users(id),
    kind       TEXT NOT NULL,
    frequency  TEXT NOT NULL, -- now, daily, weekly, never
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- The last digest sent to a person per period (daily, weekly): the local
-- date its period started. A digest is claimed by moving the key forward,
-- so that it is never sent twice.
CREATE TABLE notify_digests (
    user_id    TEXT NOT NULL REFERENCES users(id),
    period     TEXT NOT NULL,
    period_key TEXT NOT NULL,
    sent_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, period)
);

-- Server keys: 'unsubscribe' signs the unsubscribe links (HMAC-SHA256).
CREATE TABLE notify_keys (
    name       TEXT PRIMARY KEY,
    secret     TEXT NOT NULL, -- hex
    created_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE notify_keys;
DROP TABLE notify_digests;
DROP TABLE notify_prefs;
DROP TABLE notifications;
