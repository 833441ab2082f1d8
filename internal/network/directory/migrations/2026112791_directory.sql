-- +goose Up
-- An organisation's network profile as a shareable record: one row per
-- organisation (its id is the organisation's), CLEAR and published, so
-- that its logo is a file of the files service under the sharing model.
CREATE TABLE network_profiles (
    id           TEXT PRIMARY KEY REFERENCES orgs (id),
    owner_org    TEXT NOT NULL REFERENCES orgs (id),
    marking      TEXT NOT NULL,
    state        TEXT NOT NULL,
    visible_from TIMESTAMP,
    community    TEXT NOT NULL DEFAULT '',
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX network_profiles_owner ON network_profiles (owner_org);

-- The contact persons an organisation's admins choose to show on its
-- profile, from its members, in the order they chose, with a title.
CREATE TABLE network_contacts (
    org_id   TEXT NOT NULL REFERENCES orgs (id),
    user_id  TEXT NOT NULL REFERENCES users (id),
    title    TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id)
);

-- +goose Down
DROP TABLE network_contacts;
DROP TABLE network_profiles;
