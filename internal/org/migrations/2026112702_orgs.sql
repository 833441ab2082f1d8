-- +goose Up
CREATE TABLE orgs (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    country     TEXT NOT NULL,
    website     TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    owner_id    TEXT REFERENCES users(id),
    module      TEXT NOT NULL DEFAULT '', -- set for programme offices
    verified_at TIMESTAMP,
    verified_by TEXT,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX orgs_country ON orgs (country, name, id);
CREATE INDEX orgs_kind ON orgs (kind, name, id);
CREATE INDEX orgs_name ON orgs (name, id);

CREATE TABLE org_sectors (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    sector TEXT NOT NULL,
    PRIMARY KEY (org_id, sector)
);
CREATE INDEX org_sectors_sector ON org_sectors (sector, org_id);

CREATE TABLE memberships (
    org_id    TEXT NOT NULL REFERENCES orgs(id),
    user_id   TEXT NOT NULL REFERENCES users(id),
    joined_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE member_roles (
    org_id  TEXT NOT NULL,
    user_id TEXT NOT NULL,
    role    TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id, role),
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id)
);

CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    email       TEXT NOT NULL,
    roles       TEXT NOT NULL,
    invited_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    revoked_at  TIMESTAMP
);
CREATE INDEX invitations_org ON invitations (org_id, created_at);

-- +goose Down
DROP TABLE invitations;
DROP TABLE member_roles;
DROP TABLE memberships;
DROP TABLE org_sectors;
DROP TABLE orgs;
