-- +goose Up
-- Post-incident reports and lessons learned (sharing type "cert.lesson"),
-- owned by a CERT team; community is always the vetted CERTs' group, so
-- GREEN means the vetted CERTs. Texts are text.Text as JSON.
CREATE TABLE cert_lessons (
    id          TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL, marking TEXT NOT NULL, state TEXT NOT NULL, visible_from TIMESTAMP, community TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL,
    title_plain TEXT NOT NULL,              -- the title in its original language: share page, lists
    happened    TEXT NOT NULL,              -- what happened
    worked      TEXT NOT NULL,              -- what worked
    to_change   TEXT NOT NULL,              -- what to change
    category    TEXT NOT NULL DEFAULT '',   -- an ENISA taxonomy class, or ''
    sectors     TEXT NOT NULL DEFAULT '',   -- space-separated codes
    countries   TEXT NOT NULL DEFAULT '',   -- space-separated ISO 3166-1 alpha-2
    case_id     TEXT NOT NULL DEFAULT '',   -- a case of cert_cases, shown to those who see it
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX cert_lessons_created ON cert_lessons (created_at, id);
CREATE INDEX cert_lessons_owner ON cert_lessons (owner_org, created_at);
CREATE INDEX cert_lessons_category ON cert_lessons (category, created_at);

-- +goose Down
DROP TABLE cert_lessons;
