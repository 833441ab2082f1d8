-- +goose Up
-- The history of an application: each step with who took it and their
-- message (the officer's question or reason, the applicant's answer).
CREATE TABLE network_application_steps (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES network_applications (id) ON DELETE CASCADE,
    step           TEXT NOT NULL,  -- submitted, more_info_requested, replied, approved, rejected, removed
    actor_id       TEXT NOT NULL,
    by_office      BOOLEAN NOT NULL, -- taken by an officer (else by the applicant)
    message        TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX network_application_steps_app ON network_application_steps (application_id, created_at, id);

-- +goose Down
DROP TABLE network_application_steps;
