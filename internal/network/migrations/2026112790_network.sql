-- +goose Up
-- What the cooperation network keeps about an organisation beyond the
-- kernel's profile: the countries it works in, the languages it works in,
-- and what it offers and seeks (a sector and free text in several languages).
CREATE TABLE network_countries (
    org_id  TEXT NOT NULL REFERENCES orgs (id),
    country TEXT NOT NULL,
    PRIMARY KEY (org_id, country)
);
CREATE INDEX network_countries_country ON network_countries (country, org_id);

CREATE TABLE network_languages (
    org_id TEXT NOT NULL REFERENCES orgs (id),
    lang   TEXT NOT NULL,
    PRIMARY KEY (org_id, lang)
);
CREATE INDEX network_languages_lang ON network_languages (lang, org_id);

CREATE TABLE network_needs (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs (id),
    direction  TEXT NOT NULL CHECK (direction IN ('offer', 'seek')),
    sector     TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX network_needs_org ON network_needs (org_id, direction);
CREATE INDEX network_needs_sector ON network_needs (sector, direction, org_id);

-- +goose Down
DROP TABLE network_needs;
DROP TABLE network_languages;
DROP TABLE network_countries;
