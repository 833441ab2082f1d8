-- +goose Up
-- The durable job queue: one row per job, on both engines.
CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,          -- UUIDv7, so ids sort by creation
    kind         TEXT NOT NULL,             -- names the handler
    args         TEXT NOT NULL,             -- JSON
    state        TEXT NOT NULL,             -- available, running, succeeded, failed
    attempt      INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       TIMESTAMP NOT NULL,        -- not before; the next try after a failure
    locked_by    TEXT,                      -- instance holding the lease while running
    locked_until TIMESTAMP,                 -- lease end, renewed by the heartbeat
    last_error   TEXT,
    unique_key   TEXT,                      -- idempotent enqueue; NULL for none
    created_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP
);

-- NULLs never conflict, so jobs without a key are not constrained.
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key);
-- Claim: available jobs that are due, oldest first.
CREATE INDEX jobs_state_run_at ON jobs (state, run_at, id);
-- Rescue: running jobs whose lease has expired.
CREATE INDEX jobs_state_locked_until ON jobs (state, locked_until);
-- Prune of succeeded jobs and the admin list of failed jobs.
CREATE INDEX jobs_state_finished_at ON jobs (state, finished_at, id);

-- +goose Down
DROP TABLE jobs;
