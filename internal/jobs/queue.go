package jobs

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
)

// Handler does the work of one job. It must return when ctx is done: the
// queue cancels it when the instance stops or the job's lease is lost.
// Returning an error schedules a retry unless the error is Permanent or the
// job has no attempts left.
type Handler func(ctx context.Context, job Job) error

// Config tunes a Queue. The zero value is usable: every field has a default.
type Config struct {
	Clock  clock.Clock  // default clock.System
	Logger *slog.Logger // default slog.Default()
	// Instance names this process in locked_by; default host-pid-random.
	Instance string
	// Workers is how many jobs run at once on this instance; default 4.
	Workers int
	// PollInterval is how often the queue looks for due jobs; default 1s.
	PollInterval time.Duration
	// Lease is how long a claim holds without a heartbeat; default 5 minutes.
	// A job whose worker died runs again once its lease has expired.
	Lease time.Duration
	// Heartbeat is how often a running job's lease is renewed; default Lease/3.
	Heartbeat time.Duration
	// StopTimeout is how long Run waits for running jobs once its context is
	// done before cancelling them; default 30s.
	StopTimeout time.Duration
	// Backoff gives the delay before the next attempt, after `attempt`
	// attempts have failed; default DefaultBackoff.
	Backoff func(attempt int) time.Duration
	// Retention is how long succeeded jobs are kept; default 24h. It is
	// stretched to twice the longest Every interval, so that a periodic job's
	// unique key outlives its period.
	Retention time.Duration
	// PruneInterval is how often succeeded jobs are pruned; default 1h.
	PruneInterval time.Duration
}

// PruneKind is the kind of the built-in job that deletes old succeeded jobs.
const PruneKind = "jobs.prune"

// Queue runs the handlers registered on it against the jobs table. Register
// handlers and periodic jobs first, then call Run once.
type Queue struct {
	db  *db.DB
	cfg Config
	log *slog.Logger

	mu       sync.Mutex
	started  bool
	handlers map[string]Handler
	periodic []*periodic

	wake       chan struct{}
	running    atomic.Int64
	pollErrors int // consecutive, touched by Run's goroutine only
}

type periodic struct {
	kind     string
	interval time.Duration
	last     time.Time // the last period this instance enqueued
}

// Period is the argument of a job enqueued by Every: the start of its period.
type Period struct {
	Start time.Time `json:"period"`
}

var (
	errStopping  = errors.New("interrupted: the instance is stopping")
	errLeaseLost = errors.New("lease lost")
	errDone      = errors.New("job done")
)

// New returns a queue on d. It registers the built-in prune job.
func New(d *db.DB, cfg Config) *Queue {
	if cfg.Clock == nil {
		cfg.Clock = clock.System{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Instance == "" {
		cfg.Instance = instanceName()
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 5 * time.Minute
	}
	if cfg.Heartbeat <= 0 || cfg.Heartbeat >= cfg.Lease {
		cfg.Heartbeat = cfg.Lease / 3
	}
	if cfg.StopTimeout <= 0 {
		cfg.StopTimeout = 30 * time.Second
	}
	if cfg.Backoff == nil {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 24 * time.Hour
	}
	if cfg.PruneInterval <= 0 {
		cfg.PruneInterval = time.Hour
	}
	q := &Queue{
		db:       d,
		cfg:      cfg,
		log:      cfg.Logger.With("instance", cfg.Instance),
		handlers: map[string]Handler{},
		wake:     make(chan struct{}, 1),
	}
	q.Register(PruneKind, func(ctx context.Context, _ Job) error {
		_, err := q.Prune(ctx)
		return err
	})
	q.Every(PruneKind, cfg.PruneInterval)
	return q
}

// instanceName is host-pid-random: readable in the admin page, unique per process.
func instanceName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	b := make([]byte, 3)
	crand.Read(b)
	return host + "-" + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b)
}

// Instance returns the name this queue writes in locked_by.
func (q *Queue) Instance() string { return q.cfg.Instance }

// Register makes fn the handler of jobs of the given kind on this instance.
// It panics on an empty kind, a second handler for a kind, or after Run.
func (q *Queue) Register(kind string, fn func(ctx context.Context, job Job) error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.started:
		panic("jobs: Register after Run")
	case kind == "" || len(kind) > maxKindLen || !utf8.ValidString(kind):
		panic(fmt.Sprintf("jobs: invalid kind %q", kind))
	case fn == nil:
		panic("jobs: nil handler for " + kind)
	case q.handlers[kind] != nil:
		panic("jobs: second handler for " + kind)
	}
	q.handlers[kind] = fn
}

// Every enqueues a job of the given kind once per interval, across all
// instances: each period's job carries the unique key kind+period start, so
// whichever instance comes first enqueues it and the others find it there.
// Periods are aligned on multiples of interval since the zero time (whole UTC
// days for 24h); a period in which no instance was running is not caught up.
// The job's arguments are a Period. It panics on a non-positive interval,
// a kind scheduled twice, or after Run.
func (q *Queue) Every(kind string, interval time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.started:
		panic("jobs: Every after Run")
	case interval <= 0:
		panic(fmt.Sprintf("jobs: interval %v for %s", interval, kind))
	case kind == "" || len(kind) > maxKindLen || !utf8.ValidString(kind):
		panic(fmt.Sprintf("jobs: invalid kind %q", kind))
	}
	for _, p := range q.periodic {
		if p.kind == kind {
			panic("jobs: " + kind + " scheduled twice")
		}
	}
	q.periodic = append(q.periodic, &periodic{kind: kind, interval: interval})
}

// Enqueue is the package's Enqueue stamped with the queue's clock; it also
// wakes this instance's poller, so that the job starts without waiting for
// the next poll once the caller's transaction commits.
func (q *Queue) Enqueue(ctx context.Context, dbq db.Querier, kind string, args any, opts ...Option) (Enqueued, error) {
	e, err := Enqueue(ctx, dbq, kind, args, append([]Option{Clock(q.cfg.Clock)}, opts...)...)
	if err == nil && !e.Duplicate {
		q.poke()
	}
	return e, err
}

func (q *Queue) poke() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// DefaultBackoff waits 5s after the first failure, doubling with each further
// failure up to 6h, with jitter taking off up to half so that jobs that failed
// together do not all come back together.
func DefaultBackoff(attempt int) time.Duration {
	const base, ceiling = 5 * time.Second, 6 * time.Hour
	d := ceiling
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 20 {
		d = min(base<<(attempt-1), ceiling)
	}
	return d/2 + rand.N(d/2+1)
}

// Run claims and runs due jobs until ctx is done, then waits up to
// StopTimeout for running jobs, cancels those still running, and returns
// nil. Jobs that ignore the cancellation are abandoned: their lease lapses
// and another instance runs them again.
func (q *Queue) Run(ctx context.Context) error {
	q.mu.Lock()
	if q.started {
		q.mu.Unlock()
		return errors.New("jobs: Run called twice")
	}
	q.started = true
	kinds := make([]string, 0, len(q.handlers))
	for k := range q.handlers {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	q.mu.Unlock()

	// Jobs outlive ctx for the grace period, so they hang from a context of
	// their own; stopped ends their heartbeats when Run returns.
	base, cancelJobs := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelJobs(errStopping)
	stopped := make(chan struct{})
	defer close(stopped)

	q.log.Info("job queue started", "kinds", len(kinds), "workers", q.cfg.Workers)
	var wg sync.WaitGroup
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			q.stop(&wg, cancelJobs)
			return nil
		case <-timer.C:
		case <-q.wake:
		}
		if ctx.Err() != nil {
			continue // stop on the next turn
		}
		q.schedule(ctx)
		for _, j := range q.poll(ctx, kinds) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer q.poke() // a slot is free
				defer q.running.Add(-1)
				q.execute(base, stopped, j)
			}()
		}
		timer.Reset(q.cfg.PollInterval)
	}
}

// stop waits for running jobs, then cancels them, then gives up on them.
func (q *Queue) stop(wg *sync.WaitGroup, cancelJobs context.CancelCauseFunc) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	if n := q.running.Load(); n > 0 {
		q.log.Info("job queue stopping: waiting for running jobs", "running", n, "timeout", q.cfg.StopTimeout)
	}
	wait := time.NewTimer(q.cfg.StopTimeout)
	defer wait.Stop()
	select {
	case <-done:
		q.log.Info("job queue stopped")
		return
	case <-wait.C:
	}
	cancelJobs(errStopping)
	// Time for cancelled handlers to return and their outcome to be written.
	grace := time.NewTimer(min(max(q.cfg.StopTimeout, time.Second), 5*time.Second))
	defer grace.Stop()
	select {
	case <-done:
		q.log.Info("job queue stopped: running jobs were cancelled")
	case <-grace.C:
		q.log.Warn("job queue stopped: abandoning jobs that ignored cancellation; they run again when their lease expires",
			"abandoned", q.running.Load())
	}
}

// schedule enqueues the current period's job of each periodic kind, once per
// period on this instance; the unique key makes it once across instances.
func (q *Queue) schedule(ctx context.Context) {
	now := q.cfg.Clock.Now()
	for _, p := range q.periodic {
		start := now.Truncate(p.interval)
		if start.Equal(p.last) {
			continue
		}
		_, err := Enqueue(ctx, q.db.W, p.kind, Period{Start: start},
			UniqueKey(periodKey(p.kind, start)), RunAt(start), Clock(q.cfg.Clock))
		if err != nil {
			if ctx.Err() == nil {
				q.log.Error("periodic job not enqueued", "job_kind", p.kind, "err", err)
			}
			continue
		}
		p.last = start
	}
}

func periodKey(kind string, start time.Time) string {
	return "every:" + kind + ":" + start.UTC().Format(time.RFC3339Nano)
}

// poll rescues jobs whose lease expired and claims as many due jobs as there
// are free workers. Cheap reads on the reader pool come first, so that an
// idle queue does not take SQLite's single writer every poll.
func (q *Queue) poll(ctx context.Context, kinds []string) []Job {
	free := q.cfg.Workers - int(q.running.Load())
	if free <= 0 || len(kinds) == 0 {
		return nil
	}
	now := q.cfg.Clock.Now()
	expired, err := q.exists(ctx, `SELECT id FROM jobs WHERE state = 'running' AND locked_until <= $1 LIMIT 1`, now)
	if err != nil {
		q.pollError(ctx, err)
		return nil
	}
	if expired {
		if err := q.rescue(ctx, now); err != nil {
			q.pollError(ctx, err)
			return nil
		}
	}
	in, args := placeholders(kinds, 2, now)
	due, err := q.exists(ctx, `SELECT id FROM jobs WHERE state = 'available' AND run_at <= $1 AND kind IN (`+in+`) LIMIT 1`, args...)
	if err != nil || !due {
		q.pollError(ctx, err)
		return nil
	}
	q.pollError(ctx, nil)
	// Once sent, a claim must be read back even if ctx ends meanwhile:
	// claimed rows that nobody runs would wait out their lease.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	claimed, err := q.claim(wctx, now, free, kinds)
	if err != nil {
		q.pollError(ctx, err)
		return nil
	}
	q.running.Add(int64(len(claimed)))
	return claimed
}

// pollError logs the first of a run of poll errors and every 60th after,
// so that a database outage does not flood the log.
func (q *Queue) pollError(ctx context.Context, err error) {
	switch {
	case ctx.Err() != nil:
	case err == nil && q.pollErrors > 0:
		q.log.Info("job queue poll works again", "errors", q.pollErrors)
		q.pollErrors = 0
	case err != nil:
		q.pollErrors++
		if q.pollErrors == 1 || q.pollErrors%60 == 0 {
			q.log.Error("job queue poll", "err", err, "errors", q.pollErrors)
		}
	}
}

func (q *Queue) exists(ctx context.Context, query string, args ...any) (bool, error) {
	rows, err := q.db.R.QueryContext(ctx, query, args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	found := rows.Next()
	return found, rows.Err()
}

// placeholders returns "$first, $first+1, …" for values, and args with the
// values appended.
func placeholders(values []string, first int, args ...any) (string, []any) {
	ph := make([]string, len(values))
	for i, k := range values {
		ph[i] = "$" + strconv.Itoa(first+i)
		args = append(args, k)
	}
	return strings.Join(ph, ", "), args
}

// rescue makes running jobs whose lease has expired available again, or
// failed when that was their last attempt.
func (q *Queue) rescue(ctx context.Context, now time.Time) error {
	res, err := q.db.W.ExecContext(ctx, `
		UPDATE jobs SET
			state = CASE WHEN attempt >= max_attempts THEN 'failed' ELSE 'available' END,
			finished_at = CASE WHEN attempt >= max_attempts THEN $1 ELSE NULL END,
			last_error = 'lease expired: worker ' || locked_by || ' stopped without finishing',
			run_at = $1, locked_by = NULL, locked_until = NULL
		WHERE state = 'running' AND locked_until <= $1`, now)
	if err != nil {
		return fmt.Errorf("rescue jobs: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		q.log.Warn("jobs rescued after their lease expired", "jobs", n)
	}
	return nil
}

// claim marks up to limit due jobs as running under this instance's lease.
// On PostgreSQL, SKIP LOCKED lets instances claim side by side without
// waiting on each other; on SQLite the statement runs alone on the writer.
func (q *Queue) claim(ctx context.Context, now time.Time, limit int, kinds []string) ([]Job, error) {
	in, args := placeholders(kinds, 5, q.cfg.Instance, now.Add(q.cfg.Lease), now, limit)
	lock := ""
	if q.db.Engine == db.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := q.db.W.QueryContext(ctx, `
		UPDATE jobs SET state = 'running', attempt = attempt + 1, locked_by = $1, locked_until = $2
		WHERE state = 'available' AND id IN (
			SELECT id FROM jobs
			WHERE state = 'available' AND run_at <= $3 AND kind IN (`+in+`)
			ORDER BY run_at, id LIMIT $4`+lock+`)
		RETURNING `+jobColumns, args...)
	if err != nil {
		return nil, fmt.Errorf("claim jobs: %w", err)
	}
	claimed, err := scanJobs(rows)
	if err != nil {
		return nil, fmt.Errorf("claim jobs: %w", err)
	}
	slices.SortFunc(claimed, func(a, b Job) int {
		if c := a.RunAt.Compare(b.RunAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return claimed, nil
}

// execute runs one claimed job and records its outcome.
func (q *Queue) execute(base context.Context, stopped <-chan struct{}, j Job) {
	ctx, cancel := context.WithCancelCause(base)
	defer cancel(errDone)
	beat := make(chan struct{})
	go func() {
		defer close(beat)
		q.heartbeat(ctx, cancel, stopped, j)
	}()
	start := time.Now()
	err := q.call(ctx, j)
	cause := context.Cause(ctx) // why ctx ended before the handler returned, if it did
	cancel(errDone)
	<-beat
	q.finish(j, err, cause, time.Since(start))
}

// call runs the job's handler, turning a panic into an error.
func (q *Queue) call(ctx context.Context, j Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			q.log.Error("job handler panicked", "job_kind", j.Kind, "job_id", j.ID, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	h := q.handlers[j.Kind] // read-only since Run started
	if h == nil {
		return fmt.Errorf("no handler for kind %q", j.Kind)
	}
	return h(ctx, j)
}

// heartbeat renews the job's lease until the job ends or Run returns. When
// the lease cannot be renewed before it runs out, or another instance holds
// the job now, it cancels the job: a job must not run on two instances.
func (q *Queue) heartbeat(ctx context.Context, cancel context.CancelCauseFunc, stopped <-chan struct{}, j Job) {
	tick := time.NewTicker(q.cfg.Heartbeat)
	defer tick.Stop()
	until := j.LockedUntil
	for {
		select {
		case <-ctx.Done():
			return
		case <-stopped:
			return
		case <-tick.C:
		}
		now := q.cfg.Clock.Now()
		next := now.Add(q.cfg.Lease)
		res, err := q.db.W.ExecContext(ctx, `
			UPDATE jobs SET locked_until = $1
			WHERE id = $2 AND state = 'running' AND locked_by = $3 AND attempt = $4`,
			next, j.ID, q.cfg.Instance, j.Attempt)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 1 {
				until = next
				continue
			}
			q.log.Warn("job lease lost: cancelling the job", "job_kind", j.Kind, "job_id", j.ID)
			cancel(errLeaseLost)
			return
		}
		if ctx.Err() != nil {
			return
		}
		q.log.Warn("job lease not renewed", "job_kind", j.Kind, "job_id", j.ID, "err", err)
		if !now.Add(q.cfg.Heartbeat).Before(until) {
			q.log.Warn("job lease running out: cancelling the job", "job_kind", j.Kind, "job_id", j.ID)
			cancel(errLeaseLost)
			return
		}
	}
}

// maxErrorLen bounds last_error.
const maxErrorLen = 4000

// finish records the outcome of an attempt, provided this instance still
// holds the job: the attempt number fences off a late finish after the job
// was rescued and claimed again.
func (q *Queue) finish(j Job, err, cause error, took time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	now := q.cfg.Clock.Now()
	log := q.log.With("job_kind", j.Kind, "job_id", j.ID, "attempt", j.Attempt)
	const fence = ` WHERE id = $%d AND state = 'running' AND locked_by = $%d AND attempt = $%d`
	var (
		query string
		args  []any
	)
	if err == nil {
		// A finished job's arguments are dropped: they may hold secrets
		// (a mail body carries sign-in links) and nothing runs it again.
		query = `UPDATE jobs SET state = 'succeeded', args = '{}', finished_at = $1, locked_by = NULL, locked_until = NULL` +
			fmt.Sprintf(fence, 2, 3, 4)
		args = []any{now, j.ID, q.cfg.Instance, j.Attempt}
	} else {
		msg := err.Error()
		state, runAt, finishedAt := Available, now.Add(q.cfg.Backoff(j.Attempt)), any(nil)
		switch {
		case IsPermanent(err):
			state, runAt, finishedAt = Failed, j.RunAt, now
		case errors.Is(cause, errStopping):
			// Not the job's fault: no backoff, and one more try even after
			// its last attempt.
			msg = errStopping.Error() + ": " + msg
			runAt = now
		case j.Attempt >= j.MaxAttempts:
			state, runAt, finishedAt = Failed, j.RunAt, now
		}
		query = `UPDATE jobs SET state = $1, run_at = $2, finished_at = $3, last_error = $4, locked_by = NULL, locked_until = NULL` +
			fmt.Sprintf(fence, 5, 6, 7)
		args = []any{string(state), runAt, finishedAt, truncate(msg, maxErrorLen), j.ID, q.cfg.Instance, j.Attempt}
		if state == Failed {
			log.Error("job failed", "took", took, "err", msg)
		} else {
			log.Warn("job attempt failed: will retry", "took", took, "next", runAt, "err", msg)
		}
	}
	res, dbErr := q.db.W.ExecContext(ctx, query, args...)
	if dbErr != nil {
		log.Error("job outcome not recorded: it will run again when its lease expires", "err", dbErr)
		return
	}
	if n, _ := res.RowsAffected(); n == 0 {
		log.Warn("job lease lost before it finished: outcome dropped", "ok", err == nil)
		return
	}
	if err == nil {
		log.Debug("job succeeded", "took", took)
	}
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
