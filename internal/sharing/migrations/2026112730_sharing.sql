-- +goose Up
-- Groups of organisations: trust circles, network members, partner outlets.
CREATE TABLE org_groups (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    owner_org   TEXT NOT NULL REFERENCES orgs(id),
    purpose     TEXT NOT NULL DEFAULT '', -- the module that made it, for example "cert" for a trust circle
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX org_groups_owner ON org_groups (owner_org);

CREATE TABLE group_members (
    group_id  TEXT NOT NULL REFERENCES org_groups(id),
    org_id    TEXT NOT NULL REFERENCES orgs(id),
    added_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, org_id)
);
CREATE INDEX group_members_org ON group_members (org_id, group_id);

-- An organisation's constituents: those it may pass AMBER records on to
-- (a national CERT's sector CERTs, a ministry's agencies).
CREATE TABLE constituents (
    org_id         TEXT NOT NULL REFERENCES orgs(id),
    constituent_id TEXT NOT NULL REFERENCES orgs(id),
    added_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, constituent_id)
);

-- Shares of records to organisations, groups and named people.
CREATE TABLE shares (
    id          TEXT PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    target_kind TEXT NOT NULL, -- org, group, person
    target_id   TEXT NOT NULL,
    granted_by  TEXT NOT NULL, -- the organisation that shared: the owner, or a recipient passing it on
    granted_at  TIMESTAMP NOT NULL,
    UNIQUE (record_type, record_id, target_kind, target_id)
);
CREATE INDEX shares_target ON shares (target_kind, target_id, record_type);

-- +goose Down
DROP TABLE shares;
DROP TABLE constituents;
DROP TABLE group_members;
DROP TABLE org_groups;
