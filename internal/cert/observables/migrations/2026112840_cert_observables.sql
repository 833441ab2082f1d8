-- +goose Up
-- Observables and indicators on incident cases (sharing type cert.observable).
-- Each belongs to one case and has its own marking; kind is an observable
-- kind of package cert/observable, or 'indicator' for a STIX pattern, whose
-- value is then the pattern in canonical form.
CREATE TABLE cert_observables (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cert_cases (id) ON DELETE CASCADE,
    owner_org TEXT NOT NULL, marking TEXT NOT NULL, state TEXT NOT NULL, visible_from TIMESTAMP, community TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    value       TEXT NOT NULL,
    digest      TEXT NOT NULL, -- kind and value, hashed when long: the unique key within a case
    original    TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    valid_from  TIMESTAMP,
    valid_until TIMESTAMP,
    labels      TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
-- One row per value in a case: a second paste merges into it.
CREATE UNIQUE INDEX cert_observables_case_value ON cert_observables (case_id, digest);
CREATE INDEX cert_observables_owner ON cert_observables (owner_org, marking);

-- The observables an indicator's pattern tests for equality (type:path = value),
-- normalised where cert/observable knows the kind.
CREATE TABLE cert_observable_refs (
    observable_id TEXT NOT NULL REFERENCES cert_observables (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    stix_type     TEXT NOT NULL,
    path          TEXT NOT NULL,
    kind          TEXT NOT NULL DEFAULT '',
    value         TEXT NOT NULL,
    PRIMARY KEY (observable_id, position)
);

-- Correlation keys (observable.KeysOf): exact and domain terms (hashed when
-- long, so that every key fits a B-tree entry on both engines), and the
-- address key of IPs, URLs on IPs and CIDRs (the start of the range).
CREATE TABLE cert_observable_terms (
    term          TEXT NOT NULL,
    observable_id TEXT NOT NULL REFERENCES cert_observables (id) ON DELETE CASCADE,
    PRIMARY KEY (term, observable_id)
);
CREATE INDEX cert_observable_terms_observable ON cert_observable_terms (observable_id);
CREATE TABLE cert_observable_addrs (
    lo            TEXT NOT NULL,
    hi            TEXT NOT NULL,
    observable_id TEXT NOT NULL REFERENCES cert_observables (id) ON DELETE CASCADE,
    PRIMARY KEY (lo, observable_id)
);
CREATE INDEX cert_observable_addrs_observable ON cert_observable_addrs (observable_id);

-- What ShareWith gave an organisation in a hand-over, so that Unshare takes
-- back exactly that (share_id is '' when no share was needed or one existed).
CREATE TABLE cert_observable_handed (
    case_id       TEXT NOT NULL,
    observable_id TEXT NOT NULL REFERENCES cert_observables (id) ON DELETE CASCADE,
    org_id        TEXT NOT NULL,
    share_id      TEXT NOT NULL DEFAULT '',
    handed_by     TEXT NOT NULL,
    handed_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (observable_id, org_id)
);
CREATE INDEX cert_observable_handed_org ON cert_observable_handed (org_id, observable_id);
CREATE INDEX cert_observable_handed_case ON cert_observable_handed (case_id, org_id);

-- Sightings: a team saw an observable (count, first and last seen, a note).
CREATE TABLE cert_observable_sightings (
    id            TEXT PRIMARY KEY,
    observable_id TEXT NOT NULL REFERENCES cert_observables (id) ON DELETE CASCADE,
    org_id        TEXT NOT NULL,
    seen_count    INTEGER NOT NULL,
    first_seen    TIMESTAMP NOT NULL,
    last_seen     TIMESTAMP NOT NULL,
    source        TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX cert_observable_sightings_observable ON cert_observable_sightings (observable_id, last_seen);

-- +goose Down
DROP TABLE cert_observable_sightings;
DROP TABLE cert_observable_handed;
DROP TABLE cert_observable_addrs;
DROP TABLE cert_observable_terms;
DROP TABLE cert_observable_refs;
DROP TABLE cert_observables;
