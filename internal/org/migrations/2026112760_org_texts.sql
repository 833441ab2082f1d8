-- +goose Up
-- Organisations' names and descriptions become text in several languages
-- (internal/text, stored as JSON): the original language, and every version
-- with who wrote it. The plain name stays, as the name in its original
-- language: memberships, sort order, sharing pages and mails use it.
-- names_search holds every version of the name folded as search.Tokens folds
-- them, for the directory's search.
ALTER TABLE orgs ADD COLUMN names TEXT NOT NULL DEFAULT '';
ALTER TABLE orgs ADD COLUMN names_search TEXT NOT NULL DEFAULT '';

-- Organisations had no language of their own, so what they wrote counts as
-- English, the platform's default, until an administrator says otherwise;
-- who wrote it is not known. The text is escaped for JSON: backslash, quote,
-- line feed, carriage return and tab (forms and the API always refused other
-- control characters). No function to write those three is common to both
-- engines, so the strings below hold them literally: keep them so (the
-- migration test fails otherwise). Until the organisation is next saved,
-- names_search is its lower-cased name.
-- +goose StatementBegin
UPDATE orgs SET
    names = '{"original":"en","versions":{"en":{"text":"' || REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(name, '\', '\\'), '"', '\"'), '
', '\n'), '', '\r'), '	', '\t') || '"}}}',
    names_search = LOWER(name),
    description = CASE WHEN description = '' THEN '{"original":"en","versions":{}}'
        ELSE '{"original":"en","versions":{"en":{"text":"' || REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(description, '\', '\\'), '"', '\"'), '
', '\n'), '', '\r'), '	', '\t') || '"}}}' END;
-- +goose StatementEnd

-- +goose Down
-- Descriptions stay in their JSON form: no SQL that both engines speak reads
-- it back.
ALTER TABLE orgs DROP COLUMN names_search;
ALTER TABLE orgs DROP COLUMN names;
