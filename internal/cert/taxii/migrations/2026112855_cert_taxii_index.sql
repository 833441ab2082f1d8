-- +goose Up
-- The search index and the correlation keys of stored objects, written in
-- the same batches as the objects (so published by the same watermark).
--
-- name is the object's name; words the tokens of its name and description
-- (search.Document), for SDOs and custom objects, '' otherwise. The
-- full-text structure over words differs by engine and is made by the
-- service at first use (FTS5 on SQLite, a GIN index on PostgreSQL).
ALTER TABLE cert_taxii_objects ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE cert_taxii_objects ADD COLUMN words TEXT NOT NULL DEFAULT '';

-- One row per correlation key (observable.KeysOf terms) of an object
-- version: an indicator's pattern values, an SCO's value or hashes.
CREATE TABLE cert_taxii_keys (
    term          TEXT NOT NULL,
    collection_id TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    PRIMARY KEY (term, collection_id, seq)
);
CREATE INDEX cert_taxii_keys_object ON cert_taxii_keys (collection_id, seq);

-- +goose Down
DROP TABLE cert_taxii_keys;
ALTER TABLE cert_taxii_objects DROP COLUMN words;
ALTER TABLE cert_taxii_objects DROP COLUMN name;
