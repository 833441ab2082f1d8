// Package jobs is the platform's durable job queue: one table in the platform
// database, on SQLite and PostgreSQL alike, so that a restart loses nothing
// and two instances never run a job at the same time.
//
// Work is enqueued with Enqueue, inside the caller's transaction when there is
// one, so that a job exists exactly when the change that asked for it does. A
// Queue runs the handlers registered for each kind: it claims due jobs under
// a lease that a heartbeat renews while the handler runs; a job whose worker
// died is claimed again once its lease has expired. Failures are retried with
// exponential backoff and jitter up to the job's maximum number of attempts,
// after which the job is kept as failed, with its last error, for the admin
// page (Failed, Retry) and the metrics (Counts).
//
// Delivery is at least once: a handler may run again after a crash or a lost
// lease, so handlers should be idempotent where they can be.
package jobs

import (
	"embed"
	"encoding/json"
	"errors"
	"time"

	"harambee.africa/harambee/internal/db"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations creates the jobs table.
var Migrations = db.Embedded("jobs", migrationFS, "migrations")

// State is where a job is in its life.
type State string

// The states of a job.
const (
	// Available jobs wait for their run_at, then for a worker.
	Available State = "available"
	// Running jobs are held by a worker under a lease.
	Running State = "running"
	// Succeeded jobs are kept for a while, then pruned.
	Succeeded State = "succeeded"
	// Failed jobs ran out of attempts or failed permanently; they keep their
	// last error until an administrator retries them.
	Failed State = "failed"
)

// States lists every state, in the order of a job's life.
var States = []State{Available, Running, Succeeded, Failed}

// Job is one unit of background work.
type Job struct {
	ID   string
	Kind string
	// Args is the JSON the job was enqueued with; see Decode.
	Args        json.RawMessage
	State       State
	Attempt     int // attempts started so far, this one included while running
	MaxAttempts int
	// RunAt is when the job is due: at enqueue, the time asked for; after a
	// failure, the time of the next attempt.
	RunAt       time.Time
	LockedBy    string    // the instance running it, while running
	LockedUntil time.Time // the end of its lease, while running
	LastError   string
	UniqueKey   string
	CreatedAt   time.Time
	FinishedAt  time.Time // zero until it succeeded or failed
}

// Decode unmarshals the job's arguments into v.
func (j Job) Decode(v any) error {
	return json.Unmarshal(j.Args, v)
}

// permanent marks an error after which the job must not be retried.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent wraps err so that the job fails at once, without further attempts:
// for errors that no retry can mend, such as malformed arguments or a
// recipient address the mail server rejects.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}
