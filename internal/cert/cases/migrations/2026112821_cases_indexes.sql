-- +goose Up
-- The breach job reads only due targets not yet noted, and the floor
-- restore only received cases: partial indexes keep a quiet minute cheap
-- however many cases there are. The list walks cases by recency.
DROP INDEX cert_cases_ack_due;
DROP INDEX cert_cases_resolve_due;
CREATE INDEX cert_cases_ack_due ON cert_cases (ack_due_at) WHERE ack_breach_noted_at IS NULL;
CREATE INDEX cert_cases_resolve_due ON cert_cases (resolve_due_at) WHERE resolve_breach_noted_at IS NULL;
CREATE INDEX cert_cases_floor ON cert_cases (marking_floor, marking) WHERE marking_floor <> '';
CREATE INDEX cert_cases_recent ON cert_cases (updated_at, id);

-- +goose Down
DROP INDEX cert_cases_recent;
DROP INDEX cert_cases_floor;
DROP INDEX cert_cases_resolve_due;
DROP INDEX cert_cases_ack_due;
CREATE INDEX cert_cases_ack_due ON cert_cases (ack_due_at);
CREATE INDEX cert_cases_resolve_due ON cert_cases (resolve_due_at);
