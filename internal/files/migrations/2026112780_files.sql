-- +goose Up
-- A file held by a record of a shareable type: who may see it is who may
-- see the record. The bytes live in the blob store under files/<id>/.
CREATE TABLE files (
    id          TEXT PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    name        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    width       INTEGER NOT NULL DEFAULT 0,
    height      INTEGER NOT NULL DEFAULT 0,
    title       TEXT NOT NULL DEFAULT '',
    caption     TEXT NOT NULL DEFAULT '',
    creator     TEXT NOT NULL DEFAULT '',
    credit      TEXT NOT NULL DEFAULT '',
    copyright   TEXT NOT NULL DEFAULT '',
    uploaded_by TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX files_record ON files (record_type, record_id, created_at);

-- The re-encoded copies of an image that are shown instead of its original.
CREATE TABLE file_renditions (
    file_id    TEXT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    media_type TEXT NOT NULL,
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    size       BIGINT NOT NULL,
    PRIMARY KEY (file_id, name)
);

-- +goose Down
DROP TABLE file_renditions;
DROP TABLE files;
