-- +goose Up
-- What the CERT directory knows of a team beyond the kernel's organisation.
CREATE TABLE cert_teams (
    org_id       TEXT PRIMARY KEY REFERENCES orgs(id),
    constituency TEXT NOT NULL DEFAULT '',
    languages    TEXT NOT NULL DEFAULT '',
    first_member BOOLEAN NOT NULL DEFAULT FALSE,
    first_since  INTEGER NOT NULL DEFAULT 0,
    founding_at  TIMESTAMP,
    founding_by  TEXT NOT NULL DEFAULT '',
    updated_at   TIMESTAMP NOT NULL
);

-- A team's contact block: one shareable record per team (type cert.contacts),
-- GREEN for the vetted CERTs' community, so sharing.Visible decides who sees it.
CREATE TABLE cert_contacts (
    id          TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL, marking TEXT NOT NULL, state TEXT NOT NULL, visible_from TIMESTAMP, community TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    contacts    TEXT NOT NULL DEFAULT '[]',
    hours       TEXT NOT NULL DEFAULT '',
    pgp_armored TEXT NOT NULL DEFAULT '',
    pgp         TEXT NOT NULL DEFAULT '',
    updated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX cert_contacts_owner ON cert_contacts (owner_org);

-- A vetted CERT vouching for another; it counts while the voucher is vetted.
CREATE TABLE cert_vouches (
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    voucher_org TEXT NOT NULL REFERENCES orgs(id),
    by_user     TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, voucher_org)
);
CREATE INDEX cert_vouches_voucher ON cert_vouches (voucher_org);

-- +goose Down
DROP TABLE cert_vouches;
DROP TABLE cert_contacts;
DROP TABLE cert_teams;
