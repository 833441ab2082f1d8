-- +goose Up
-- What an organisation decided about a suggested partner: saved (a match
-- accepted) or dismissed (never suggested again). Restoring a suggestion
-- deletes its row.
CREATE TABLE network_match_choices (
    org_id     TEXT NOT NULL REFERENCES orgs (id),
    partner_id TEXT NOT NULL REFERENCES orgs (id),
    choice     TEXT NOT NULL CHECK (choice IN ('saved', 'dismissed')),
    decided_by TEXT NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, partner_id),
    CHECK (org_id <> partner_id)
);
CREATE INDEX network_match_choices_list ON network_match_choices (org_id, choice, decided_at, partner_id);
CREATE INDEX network_match_choices_saved ON network_match_choices (choice, org_id);

-- +goose Down
DROP TABLE network_match_choices;
