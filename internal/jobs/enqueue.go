package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
)

// DefaultMaxAttempts is how often a job is tried unless MaxAttempts says otherwise.
const DefaultMaxAttempts = 10

// maxKindLen bounds kind names, which appear in logs and metric labels.
const maxKindLen = 100

// Option adjusts one Enqueue.
type Option func(*options)

type options struct {
	runAt       time.Time
	maxAttempts int
	uniqueKey   string
	clock       clock.Clock
}

// RunAt makes the job due at t rather than now.
func RunAt(t time.Time) Option { return func(o *options) { o.runAt = t } }

// MaxAttempts sets how often the job is tried before it is kept as failed.
func MaxAttempts(n int) Option { return func(o *options) { o.maxAttempts = n } }

// UniqueKey makes the enqueue idempotent: while a job with the same key
// exists (in any state, until a succeeded one is pruned), enqueuing another
// does nothing and returns the existing job's id with Duplicate set.
func UniqueKey(key string) Option { return func(o *options) { o.uniqueKey = key } }

// Clock sets the clock that stamps the job; the default is the system clock.
// The queue compares run_at with its own clock, so tests that give the queue
// a clock.Manual must enqueue with the same clock (or use Queue.Enqueue).
func Clock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// Enqueued is the outcome of an Enqueue.
type Enqueued struct {
	ID string
	// Duplicate is set when a job with the same unique key already existed;
	// ID is then that job's id (empty if the caller's transaction cannot see it).
	Duplicate bool
}

// Enqueue adds a job of the given kind with args (marshalled to JSON; nil
// gives {}). Pass the caller's transaction as q to enqueue atomically with the
// change the job belongs to.
func Enqueue(ctx context.Context, q db.Querier, kind string, args any, opts ...Option) (Enqueued, error) {
	const op = "jobs.Enqueue"
	o := options{maxAttempts: DefaultMaxAttempts, clock: clock.System{}}
	for _, opt := range opts {
		opt(&o)
	}
	if kind == "" || len(kind) > maxKindLen || !utf8.ValidString(kind) {
		return Enqueued{}, &errs.Error{Op: op, Code: errs.Invalid, Key: "error.invalid", Err: fmt.Errorf("job kind %q", kind)}
	}
	if o.maxAttempts < 1 {
		return Enqueued{}, &errs.Error{Op: op, Code: errs.Invalid, Key: "error.invalid", Err: fmt.Errorf("max attempts %d", o.maxAttempts)}
	}
	raw := []byte("{}")
	if args != nil {
		var err error
		if raw, err = json.Marshal(args); err != nil {
			return Enqueued{}, &errs.Error{Op: op, Code: errs.Invalid, Key: "error.invalid", Err: fmt.Errorf("job arguments: %w", err)}
		}
	}
	now := o.clock.Now().UTC().Truncate(time.Microsecond)
	runAt := now
	if !o.runAt.IsZero() {
		runAt = o.runAt.UTC().Truncate(time.Microsecond)
	}
	var key any
	if o.uniqueKey != "" {
		key = o.uniqueKey
	}
	id := uuid.Must(uuid.NewV7()).String()
	res, err := q.ExecContext(ctx, `
		INSERT INTO jobs (id, kind, args, state, attempt, max_attempts, run_at, unique_key, created_at)
		VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8)
		ON CONFLICT (unique_key) DO NOTHING`,
		id, kind, string(raw), string(Available), o.maxAttempts, runAt, key, now)
	if err != nil {
		return Enqueued{}, errs.Wrap(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return Enqueued{}, errs.Wrap(op, err)
	}
	if n == 1 {
		return Enqueued{ID: id}, nil
	}
	// The unique key was taken: report the job that holds it.
	var existing string
	err = q.QueryRowContext(ctx, `SELECT id FROM jobs WHERE unique_key = $1`, o.uniqueKey).Scan(&existing)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Enqueued{}, errs.Wrap(op, err)
	}
	return Enqueued{ID: existing, Duplicate: true}, nil
}
