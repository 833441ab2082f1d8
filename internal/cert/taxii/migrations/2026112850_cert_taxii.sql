-- +goose Up
-- The STIX object store behind the TAXII 2.1 server. Collections are not
-- stored: their ids derive from the circle's group id (UUIDv5) or are
-- fixed (public, vetted CERTs), so a circle created later has its
-- collection at once. Each row is one version of one object.
--
-- seq is per collection and strictly increasing, and so is added_us (the
-- TAXII date_added, in microseconds since 1970): imports into a collection
-- take turns (cert_taxii_heads.lock_*), write their rows in short batches
-- above the collection's published watermark, and publish them all at once
-- by raising it. Readers only see seq <= published_seq.
CREATE TABLE cert_taxii_objects (
    collection_id TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    added_us      BIGINT NOT NULL,
    stix_id       TEXT NOT NULL,
    type          TEXT NOT NULL,
    spec_version  TEXT NOT NULL,
    version       TEXT NOT NULL,   -- modified, created or date_added, as a STIX timestamp
    version_us    BIGINT NOT NULL, -- the same in microseconds, to compare versions
    tlp           TEXT NOT NULL,   -- the effective TLP marking (the object's, or the collection's when it has none)
    digest        TEXT NOT NULL,   -- SHA-256 of raw, to skip re-imports of unversioned objects
    import_id     TEXT NOT NULL,
    raw           TEXT NOT NULL,   -- the object exactly as it came
    PRIMARY KEY (collection_id, seq)
);
CREATE UNIQUE INDEX cert_taxii_objects_version ON cert_taxii_objects (collection_id, stix_id, version_us);
CREATE INDEX cert_taxii_objects_added ON cert_taxii_objects (collection_id, added_us, seq);
CREATE INDEX cert_taxii_objects_type ON cert_taxii_objects (collection_id, type, added_us);

-- One row per collection that has received objects: the published
-- watermark and the lease of the import that is writing.
CREATE TABLE cert_taxii_heads (
    collection_id TEXT PRIMARY KEY,
    published_seq BIGINT NOT NULL DEFAULT 0,
    last_seq      BIGINT NOT NULL DEFAULT 0,
    last_added_us BIGINT NOT NULL DEFAULT 0,
    lock_holder   TEXT NOT NULL DEFAULT '',
    lock_until    BIGINT NOT NULL DEFAULT 0
);

-- The TAXII status resource of each import.
CREATE TABLE cert_taxii_imports (
    id            TEXT PRIMARY KEY,
    collection_id TEXT NOT NULL,
    by_org        TEXT NOT NULL,
    by_user       TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,    -- pending, complete
    total         INTEGER NOT NULL,
    successes     TEXT NOT NULL DEFAULT '[]',  -- JSON lists of status details
    failures      TEXT NOT NULL DEFAULT '[]',
    pendings      TEXT NOT NULL DEFAULT '[]',
    success_count INTEGER NOT NULL DEFAULT 0,
    failure_count INTEGER NOT NULL DEFAULT 0,
    pending_count INTEGER NOT NULL DEFAULT 0,
    requested_at  TIMESTAMP NOT NULL,
    completed_at  TIMESTAMP
);
CREATE INDEX cert_taxii_imports_collection ON cert_taxii_imports (collection_id, requested_at);

-- +goose Down
DROP TABLE cert_taxii_imports;
DROP TABLE cert_taxii_heads;
DROP TABLE cert_taxii_objects;
