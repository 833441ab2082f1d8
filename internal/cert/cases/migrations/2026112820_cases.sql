-- +goose Up
-- The SLA clock of a case, its milestones and the once-per-breach alerts.
-- sla_spent_secs is the running time before sla_running_since (NULL while
-- the clock is paused); ack_due_at and resolve_due_at are the moments the
-- targets fall due while the clock runs (NULL when paused or met), so that
-- the breach job finds due cases by index.
ALTER TABLE cert_cases ADD COLUMN sla_spent_secs INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cert_cases ADD COLUMN sla_running_since TIMESTAMP;
ALTER TABLE cert_cases ADD COLUMN acknowledged_at TIMESTAMP;
ALTER TABLE cert_cases ADD COLUMN ack_secs INTEGER;
ALTER TABLE cert_cases ADD COLUMN resolved_at TIMESTAMP;
ALTER TABLE cert_cases ADD COLUMN resolve_secs INTEGER;
ALTER TABLE cert_cases ADD COLUMN closed_at TIMESTAMP;
ALTER TABLE cert_cases ADD COLUMN ack_due_at TIMESTAMP;
ALTER TABLE cert_cases ADD COLUMN resolve_due_at TIMESTAMP;
ALTER TABLE cert_cases ADD COLUMN ack_breach_noted_at TIMESTAMP;
ALTER TABLE cert_cases ADD COLUMN resolve_breach_noted_at TIMESTAMP;
-- The hand-over this case was opened from, on the receiving side.
ALTER TABLE cert_cases ADD COLUMN origin_handover TEXT NOT NULL DEFAULT '';
-- The lowest marking the case may carry (a received case: its hand-over's).
ALTER TABLE cert_cases ADD COLUMN marking_floor TEXT NOT NULL DEFAULT '';
CREATE INDEX cert_cases_ack_due ON cert_cases (ack_due_at);
CREATE INDEX cert_cases_resolve_due ON cert_cases (resolve_due_at);
CREATE INDEX cert_cases_status ON cert_cases (owner_org, status, updated_at);
CREATE INDEX cert_cases_report ON cert_cases (report_id);

-- The timeline of a case: comments and automatic events. A case's events
-- are read only through the case, so they are seen by exactly who sees it.
CREATE TABLE cert_case_events (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    actor      TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL DEFAULT '',
    data       TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX cert_case_events_case ON cert_case_events (case_id, created_at, id);

CREATE TABLE cert_case_tasks (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL,
    title      TEXT NOT NULL,
    done       BOOLEAN NOT NULL DEFAULT FALSE,
    assignee   TEXT NOT NULL DEFAULT '',
    due_on     TIMESTAMP,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    done_at    TIMESTAMP
);
CREATE INDEX cert_case_tasks_case ON cert_case_tasks (case_id, created_at, id);

-- Hand-overs of a case (or of some of its observables) to another CERT.
-- One row is read by both teams: an edited summary shows on both sides.
CREATE TABLE cert_handovers (
    id                TEXT PRIMARY KEY,
    case_id           TEXT NOT NULL,
    from_org          TEXT NOT NULL,
    to_org            TEXT NOT NULL,
    title             TEXT NOT NULL,
    summary           TEXT NOT NULL,
    summary_edited_at TIMESTAMP,
    marking           TEXT NOT NULL,
    observables       TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL,
    reason            TEXT NOT NULL DEFAULT '',
    linked_case       TEXT NOT NULL DEFAULT '',
    created_by        TEXT NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    responded_by      TEXT NOT NULL DEFAULT '',
    responded_at      TIMESTAMP,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX cert_handovers_case ON cert_handovers (case_id, created_at);
CREATE INDEX cert_handovers_to ON cert_handovers (to_org, status, created_at);
CREATE INDEX cert_handovers_from ON cert_handovers (from_org, status, created_at);

-- +goose Down
DROP TABLE cert_handovers;
DROP TABLE cert_case_tasks;
DROP TABLE cert_case_events;
DROP INDEX cert_cases_report;
DROP INDEX cert_cases_status;
DROP INDEX cert_cases_resolve_due;
DROP INDEX cert_cases_ack_due;
ALTER TABLE cert_cases DROP COLUMN marking_floor;
ALTER TABLE cert_cases DROP COLUMN origin_handover;
ALTER TABLE cert_cases DROP COLUMN resolve_breach_noted_at;
ALTER TABLE cert_cases DROP COLUMN ack_breach_noted_at;
ALTER TABLE cert_cases DROP COLUMN resolve_due_at;
ALTER TABLE cert_cases DROP COLUMN ack_due_at;
ALTER TABLE cert_cases DROP COLUMN closed_at;
ALTER TABLE cert_cases DROP COLUMN resolve_secs;
ALTER TABLE cert_cases DROP COLUMN resolved_at;
ALTER TABLE cert_cases DROP COLUMN ack_secs;
ALTER TABLE cert_cases DROP COLUMN acknowledged_at;
ALTER TABLE cert_cases DROP COLUMN sla_running_since;
ALTER TABLE cert_cases DROP COLUMN sla_spent_secs;
