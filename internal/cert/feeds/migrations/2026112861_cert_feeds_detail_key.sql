-- +goose Up
-- What exactly was wrong with the last answer, in the platform's own words:
-- a message key and its arguments (a JSON object, '' for none), which the
-- subscription page says in the reader's language. last_detail keeps only
-- the technical part (HTTP status and error title, a Content-Type, a JSON
-- parser error); a detail written before this stays there, in English.
ALTER TABLE cert_feeds ADD COLUMN last_detail_key TEXT NOT NULL DEFAULT '';
ALTER TABLE cert_feeds ADD COLUMN last_detail_args TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE cert_feeds DROP COLUMN last_detail_args;
ALTER TABLE cert_feeds DROP COLUMN last_detail_key;
