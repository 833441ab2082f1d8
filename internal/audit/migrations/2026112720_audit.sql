-- +goose Up
-- The audit log: one row per security-relevant action, chained by hash.
-- seq is assigned by the appending transaction (never a sequence, so that it
-- is gap-free: a rolled-back append leaves no hole); its primary key is the
-- backstop against two appenders taking the same number.
CREATE TABLE audit_entries (
    seq         BIGINT    NOT NULL PRIMARY KEY,
    id          TEXT      NOT NULL UNIQUE,
    logged_at   TIMESTAMP NOT NULL,
    action      TEXT      NOT NULL,
    actor       TEXT      NOT NULL DEFAULT '',
    org_id      TEXT      NOT NULL DEFAULT '',
    target_type TEXT      NOT NULL DEFAULT '',
    target_id   TEXT      NOT NULL DEFAULT '',
    client_addr TEXT      NOT NULL DEFAULT '',
    details     TEXT      NOT NULL DEFAULT '{}',
    prev_hash   TEXT      NOT NULL,
    hash        TEXT      NOT NULL
);

-- The admin page lists newest first (seq descending) by one of these keys.
CREATE INDEX audit_entries_action ON audit_entries (action, seq);
CREATE INDEX audit_entries_actor ON audit_entries (actor, seq);
CREATE INDEX audit_entries_org ON audit_entries (org_id, seq);
CREATE INDEX audit_entries_target ON audit_entries (target_type, target_id, seq);
-- Time ranges are turned into seq ranges through this index (times never
-- decrease along seq, see Append).
CREATE INDEX audit_entries_logged_at ON audit_entries (logged_at, seq);

-- Signed heads of the chain. The key that signs them lives outside the
-- database, so whoever can write these tables cannot forge a checkpoint.
CREATE TABLE audit_checkpoints (
    id        TEXT      NOT NULL PRIMARY KEY,
    seq       BIGINT    NOT NULL,
    hash      TEXT      NOT NULL,
    signed_at TIMESTAMP NOT NULL,
    key_id    TEXT      NOT NULL,
    signature TEXT      NOT NULL
);

CREATE INDEX audit_checkpoints_seq ON audit_checkpoints (seq, signed_at);

-- +goose Down
DROP TABLE audit_checkpoints;
DROP TABLE audit_entries;
