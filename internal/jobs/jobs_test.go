package jobs_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/db/dbtest"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/jobs"
)

// t0 is the start of the manual clocks; the system clock is far past it, so
// that a job stamped with the wrong clock would show.
var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// logBuffer collects a queue's logs; it outlives the test, unlike t.Log,
// since an abandoned handler may still log after the test ended.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newQueue returns a queue on d with a fast poll, whose logs are shown when the test fails.
func newQueue(t *testing.T, d *db.DB, cfg jobs.Config) (*jobs.Queue, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 10 * time.Millisecond
	}
	if cfg.StopTimeout == 0 {
		cfg.StopTimeout = 5 * time.Second
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs of %s:\n%s", cfg.Instance, logs)
		}
	})
	return jobs.New(d, cfg), logs
}

// run starts q and returns a function that stops it and waits for Run to
// return; the test's cleanup stops it too.
func run(t *testing.T, q *jobs.Queue) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Errorf("Run did not return after its context was cancelled")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it holds, failing the test after a generous wait.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func get(t *testing.T, q *jobs.Queue, id string) jobs.Job {
	t.Helper()
	j, err := q.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("get job %s: %v", id, err)
	}
	return j
}

func enqueue(t *testing.T, q *jobs.Queue, d *db.DB, kind string, args any, opts ...jobs.Option) string {
	t.Helper()
	e, err := q.Enqueue(context.Background(), d.W, kind, args, opts...)
	if err != nil {
		t.Fatalf("enqueue %s: %v", kind, err)
	}
	return e.ID
}

func count(t *testing.T, q *jobs.Queue, kind string, state jobs.State) int64 {
	t.Helper()
	c, err := q.Counts(context.Background())
	if err != nil {
		t.Fatalf("counts: %v", err)
	}
	for _, k := range c.ByKind {
		if k.Kind == kind && k.State == state {
			return k.N
		}
	}
	return 0
}

// openPair opens the same database twice, as two instances would.
func openPair(t *testing.T) (*db.DB, *db.DB) {
	t.Helper()
	ctx := context.Background()
	url := "sqlite:" + filepath.Join(t.TempDir(), "shared.db")
	if pg := dbtest.PostgresURL(); pg != "" {
		url = dbtest.WithSearchPath(t, pg, dbtest.NewSchema(t, pg))
	}
	var pair [2]*db.DB
	for i := range pair {
		d, err := db.Open(ctx, url, "")
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { d.Close() })
		pair[i] = d
	}
	if err := pair[0].Migrate(ctx, jobs.Migrations); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return pair[0], pair[1]
}

type greeting struct {
	Name string `json:"name"`
}

func TestEnqueueAndRun(t *testing.T) {
	d := dbtest.Open(t, jobs.Migrations)
	q, _ := newQueue(t, d, jobs.Config{})
	var mu sync.Mutex
	var got []string
	q.Register("greet", func(ctx context.Context, j jobs.Job) error {
		var g greeting
		if err := j.Decode(&g); err != nil {
			return jobs.Permanent(err)
		}
		mu.Lock()
		got = append(got, g.Name)
		mu.Unlock()
		return nil
	})
	names := []string{"Amina", "李娜", "فاطمة"}
	var ids []string
	for _, n := range names {
		ids = append(ids, enqueue(t, q, d, "greet", greeting{n}))
	}
	if j := get(t, q, ids[0]); j.State != jobs.Available || j.Attempt != 0 || string(j.Args) != `{"name":"Amina"}` {
		t.Fatalf("enqueued job = %+v", j)
	}
	run(t, q)
	waitFor(t, "three greetings", func() bool { return count(t, q, "greet", jobs.Succeeded) == 3 })
	mu.Lock()
	if strings.Join(got, ",") != strings.Join(names, ",") { // one worker would keep this order; four may not
		if len(got) != 3 {
			t.Errorf("handled %v, want %v", got, names)
		}
	}
	mu.Unlock()
	for _, id := range ids {
		j := get(t, q, id)
		if j.State != jobs.Succeeded || j.Attempt != 1 || j.FinishedAt.IsZero() || j.LockedBy != "" || !j.LockedUntil.IsZero() {
			t.Errorf("finished job = %+v", j)
		}
		if string(j.Args) != "{}" {
			t.Errorf("a finished job keeps its arguments: %s", j.Args)
		}
	}
}

func TestEnqueueInTransaction(t *testing.T) {
	d := dbtest.Open(t, jobs.Migrations)
	q, _ := newQueue(t, d, jobs.Config{})
	ctx := context.Background()
	var kept, dropped string
	errRollback := errors.New("roll back")
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		e, err := jobs.Enqueue(ctx, tx, "greet", nil)
		dropped = e.ID
		if err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("tx: %v", err)
	}
	if _, err := q.Get(ctx, dropped); !errs.Is(err, errs.NotFound) {
		t.Errorf("job of a rolled-back transaction: err = %v, want not found", err)
	}
	err = d.Tx(ctx, func(tx *sql.Tx) error {
		e, err := jobs.Enqueue(ctx, tx, "greet", nil)
		kept = e.ID
		return err
	})
	if err != nil {
		t.Fatalf("tx: %v", err)
	}
	if j := get(t, q, kept); j.State != jobs.Available || string(j.Args) != "{}" {
		t.Errorf("job of a committed transaction = %+v", j)
	}
}

func TestEnqueueInvalid(t *testing.T) {
	d := dbtest.Open(t, jobs.Migrations)
	ctx := context.Background()
	for name, c := range map[string]struct {
		kind string
		args any
		opts []jobs.Option
	}{
		"EmptyKind":   {kind: ""},
		"NoAttempts":  {kind: "greet", opts: []jobs.Option{jobs.MaxAttempts(0)}},
		"Unmarshable": {kind: "greet", args: func() {}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := jobs.Enqueue(ctx, d.W, c.kind, c.args, c.opts...)
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("err = %v, want invalid", err)
			}
		})
	}
}

func TestUniqueKey(t *testing.T) {
	d := dbtest.Open(t, jobs.Migrations)
	ctx := context.Background()
	first, err := jobs.Enqueue(ctx, d.W, "welcome", nil, jobs.UniqueKey("welcome:42"))
	if err != nil || first.Duplicate {
		t.Fatalf("first enqueue = %+v, %v", first, err)
	}
	again, err := jobs.Enqueue(ctx, d.W, "welcome", nil, jobs.UniqueKey("welcome:42"))
	if err != nil || !again.Duplicate || again.ID != first.ID {
		t.Fatalf("second enqueue = %+v, %v; want duplicate of %s", again, err, first.ID)
	}
	other, err := jobs.Enqueue(ctx, d.W, "welcome", nil, jobs.UniqueKey("welcome:43"))
	if err != nil || other.Duplicate {
		t.Fatalf("other key = %+v, %v", other, err)
	}
	// Jobs without a key never conflict.
	for range 2 {
		if e, err := jobs.Enqueue(ctx, d.W, "welcome", nil); err != nil || e.Duplicate {
			t.Fatalf("keyless enqueue = %+v, %v", e, err)
		}
	}
	q, _ := newQueue(t, d, jobs.Config{})
	if n := count(t, q, "welcome", jobs.Available); n != 4 {
		t.Errorf("%d jobs, want 4", n)
	}
}

// A worker that dies mid-job leaves the job running under its lease; once the
// lease expires another instance runs it to completion, and the dead worker's
// late result is ignored.
func TestExpiredLeaseIsClaimedAgain(t *testing.T) {
	d := dbtest.Open(t, jobs.Migrations)
	clk := clock.NewManual(t0)

	// Instance A claims the job, then stops without finishing it: its handler
	// ignores cancellation, as a process killed mid-job would.
	a, logsA := newQueue(t, d, jobs.Config{Clock: clk, Instance: "a", Lease: time.Minute, StopTimeout: 50 * time.Millisecond})
	started, release := make(chan struct{}), make(chan struct{})
	var runsA atomic.Int32
	a.Register("report", func(ctx context.Context, j jobs.Job) error {
		runsA.Add(1)
		close(started)
		<-release
		return nil
	})
	id := enqueue(t, a, d, "report", nil)
	stopA := run(t, a)
	<-started
	stopA()
	j := get(t, a, id)
	if j.State != jobs.Running || j.LockedBy != "a" || j.Attempt != 1 || !j.LockedUntil.Equal(t0.Add(time.Minute)) {
		t.Fatalf("job left by the dead worker = %+v", j)
	}

	// Before the lease expires nobody else may take it.
	b, _ := newQueue(t, d, jobs.Config{Clock: clk, Instance: "b", Lease: time.Minute})
	var runsB atomic.Int32
	b.Register("report", func(ctx context.Context, j jobs.Job) error {
		runsB.Add(1)
		return nil
	})
	run(t, b)
	time.Sleep(100 * time.Millisecond) // ten polls
	if n := runsB.Load(); n != 0 {
		t.Fatalf("b ran the job %d times while a's lease held", n)
	}

	clk.Advance(time.Minute + time.Second)
	waitFor(t, "b to complete the job", func() bool { return get(t, b, id).State == jobs.Succeeded })
	j = get(t, b, id)
	if j.Attempt != 2 || runsA.Load() != 1 || runsB.Load() != 1 {
		t.Errorf("attempt %d, runs a=%d b=%d; want 2, 1, 1", j.Attempt, runsA.Load(), runsB.Load())
	}
	if !strings.Contains(j.LastError, "lease expired") {
		t.Errorf("last error = %q, want the lease expiry noted", j.LastError)
	}

	// The dead worker wakes up and reports success: that must change nothing.
	close(release)
	waitFor(t, "a's late result to be dropped", func() bool { return strings.Contains(logsA.String(), "outcome dropped") })
	if late := get(t, b, id); late.State != jobs.Succeeded || late.Attempt != 2 || !late.FinishedAt.Equal(j.FinishedAt) {
		t.Errorf("after a's late finish: %+v", late)
	}
}

// Two instances on one database run each of 200 jobs exactly once.
func TestTwoInstancesRunEachJobOnce(t *testing.T) {
	da, db2 := openPair(t)
	const total = 200
	var mu sync.Mutex
	runs := map[string]int{}
	byInstance := map[string]int{}
	handler := func(instance string) jobs.Handler {
		return func(ctx context.Context, j jobs.Job) error {
			mu.Lock()
			runs[j.ID]++
			byInstance[instance]++
			mu.Unlock()
			time.Sleep(time.Millisecond) // let the instances interleave
			return nil
		}
	}
	a, _ := newQueue(t, da, jobs.Config{Instance: "a"})
	b, _ := newQueue(t, db2, jobs.Config{Instance: "b"})
	a.Register("work", handler("a"))
	b.Register("work", handler("b"))
	run(t, a)
	run(t, b)
	// All at once, so that both instances find them on their next poll.
	ids := map[string]bool{}
	err := da.Tx(context.Background(), func(tx *sql.Tx) error {
		for i := range total {
			e, err := jobs.Enqueue(context.Background(), tx, "work", map[string]int{"n": i})
			if err != nil {
				return err
			}
			ids[e.ID] = true
		}
		return nil
	})
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	waitFor(t, "200 jobs to succeed", func() bool { return count(t, a, "work", jobs.Succeeded) == total })
	mu.Lock()
	defer mu.Unlock()
	for id := range ids {
		if runs[id] != 1 {
			t.Errorf("job %s ran %d times", id, runs[id])
		}
	}
	if len(runs) != total {
		t.Errorf("%d distinct jobs ran, want %d", len(runs), total)
	}
	t.Logf("runs per instance: %v", byInstance)
}

func TestRetryWithBackoffThenFailed(t *testing.T) {
	d := dbtest.Open(t, jobs.Migrations)
	clk := clock.NewManual(t0)
	q, _ := newQueue(t, d, jobs.Config{Clock: clk, Backoff: func(n int) time.Duration { return time.Duration(n) * time.Minute }})
	var calls atomic.Int32
	var healed atomic.Bool
	q.Register("flaky", func(ctx context.Context, j jobs.Job) error {
		n := calls.Add(1)
		if healed.Load() {
			return nil
		}
		return fmt.Errorf("boom %d", n)
	})
	id := enqueue(t, q, d, "flaky", nil, jobs.MaxAttempts(3))
	run(t, q)

	for attempt := 1; attempt <= 2; attempt++ {
		waitFor(t, fmt.Sprintf("attempt %d to fail", attempt), func() bool {
			j := get(t, q, id)
			return j.State == jobs.Available && j.Attempt == attempt
		})
		j := get(t, q, id)
		wantRun := clk.Now().Add(time.Duration(attempt) * time.Minute)
		if !j.RunAt.Equal(wantRun) || j.LastError != fmt.Sprintf("boom %d", attempt) {
			t.Fatalf("after attempt %d: run at %v, error %q; want %v, boom %d", attempt, j.RunAt, j.LastError, wantRun, attempt)
		}
		clk.Advance(time.Duration(attempt)*time.Minute - time.Second)
		time.Sleep(50 * time.Millisecond)
		if n := calls.Load(); n != int32(attempt) {
			t.Fatalf("ran %d times before its backoff was over", n)
		}
		clk.Advance(time.Second)
	}
	waitFor(t, "the job to fail", func() bool { return get(t, q, id).State == jobs.Failed })
	j := get(t, q, id)
	if j.Attempt != 3 || j.LastError != "boom 3" || j.FinishedAt.IsZero() || calls.Load() != 3 {
		t.Fatalf("failed job = %+v after %d calls", j, calls.Load())
	}

	ctx := context.Background()
	failed, next, err := q.Failed(ctx, 10, "")
	if err != nil || len(failed) != 1 || failed[0].ID != id || failed[0].LastError != "boom 3" || next != "" {
		t.Fatalf("Failed = %+v, %q, %v", failed, next, err)
	}
	c, err := q.Counts(ctx)
	if err != nil || c.ByState[jobs.Failed] != 1 {
		t.Fatalf("counts = %+v, %v", c, err)
	}

	healed.Store(true)
	if err := q.Retry(ctx, id); err != nil {
		t.Fatalf("retry: %v", err)
	}
	waitFor(t, "the retried job to succeed", func() bool { return get(t, q, id).State == jobs.Succeeded })
	if j := get(t, q, id); j.Attempt != 1 {
		t.Errorf("retried job attempt = %d, want 1", j.Attempt)
	}
	if err := q.Retry(ctx, id); !errs.Is(err, errs.Conflict) {
		t.Errorf("retry of a succeeded job: %v, want conflict", err)
	}
	if err := q.Retry(ctx, "no-such-job"); !errs.Is(err, errs.NotFound) {
		t.Errorf("retry of a missing job: %v, want not found", err)
	}
}

func TestPermanentErrorsAndPanics(t *testing.T) {
	d := dbtest.Open(t, jobs.Migrations)
	q, _ := newQueue(t, d, jobs.Config{})
	q.Register("hopeless", func(ctx context.Context, j jobs.Job) error {
		return jobs.Permanent(errors.New("recipient rejected"))
	})
	q.Register("crash", func(ctx context.Context, j jobs.Job) error {
		panic("the handler crashed")
	})
	hopeless := enqueue(t, q, d, "hopeless", nil)
	crash := enqueue(t, q, d, "crash", nil, jobs.MaxAttempts(1))
	run(t, q)
	waitFor(t, "both to fail", func() bool {
		return get(t, q, hopeless).State == jobs.Failed && get(t, q, crash).State == jobs.Failed
	})
	if j := get(t, q, hopeless); j.Attempt != 1 || j.LastError != "recipient rejected" {
		t.Errorf("permanent failure = %+v", j)
	}
	if j := get(t, q, crash); j.Attempt != 1 || !strings.HasPrefix(j.LastError, "panic: ") {
		t.Errorf("panic = %+v", j)
	}
}

// Periodic jobs are enqueued once per period, however many instances try.
func TestEveryOncePerPeriod(t *testing.T) {
	da, db2 := openPair(t)
	clk := clock.NewManual(t0.Add(10 * time.Minute))
	ctx := context.Background()
	var ticks atomic.Int32
	var queues []*jobs.Queue
	for i, d := range []*db.DB{da, db2} {
		q, _ := newQueue(t, d, jobs.Config{Clock: clk, Instance: fmt.Sprint("i", i)})
		q.Register("tick", func(ctx context.Context, j jobs.Job) error {
			var p jobs.Period
			if err := j.Decode(&p); err != nil || p.Start.Minute() != 0 {
				return jobs.Permanent(fmt.Errorf("period %v, %v", p.Start, err))
			}
			ticks.Add(1)
			return nil
		})
		q.Every("tick", time.Hour)
		queues = append(queues, q)
	}
	a, b := queues[0], queues[1]
	kinds := func() int64 { return count(t, a, "tick", jobs.Available) + count(t, a, "tick", jobs.Succeeded) }

	jobs.Schedule(ctx, a)
	jobs.Schedule(ctx, b)
	jobs.Schedule(ctx, a)
	if n := kinds(); n != 1 {
		t.Fatalf("%d tick jobs in the first period, want 1", n)
	}
	clk.Advance(40 * time.Minute) // 10:50: same period
	jobs.Schedule(ctx, b)
	jobs.Schedule(ctx, a)
	if n := kinds(); n != 1 {
		t.Fatalf("%d tick jobs later in the first period, want 1", n)
	}
	clk.Advance(20 * time.Minute) // 11:10: next period
	jobs.Schedule(ctx, b)
	jobs.Schedule(ctx, a)
	if n := kinds(); n != 2 {
		t.Fatalf("%d tick jobs in two periods, want 2", n)
	}

	run(t, a)
	run(t, b)
	waitFor(t, "both ticks to run", func() bool { return count(t, a, "tick", jobs.Succeeded) == 2 })
	clk.Advance(time.Hour) // 12:10: both running instances try
	waitFor(t, "the third tick to run", func() bool { return count(t, a, "tick", jobs.Succeeded) == 3 })
	time.Sleep(100 * time.Millisecond) // some more polls of both
	if n, all := ticks.Load(), kinds(); n != 3 || all != 3 {
		t.Errorf("%d ticks ran, %d tick jobs; want 3 and 3", n, all)
	}
}

func TestPruneSucceeded(t *testing.T) {
	d := dbtest.Open(t, jobs.Migrations)
	clk := clock.NewManual(t0)
	ctx := context.Background()
	q, _ := newQueue(t, d, jobs.Config{Clock: clk, Retention: time.Hour, PruneInterval: time.Hour})
	q.Register("done", func(ctx context.Context, j jobs.Job) error { return nil })
	q.Register("broken", func(ctx context.Context, j jobs.Job) error { return errors.New("broken") })
	done := enqueue(t, q, d, "done", nil)
	broken := enqueue(t, q, d, "broken", nil, jobs.MaxAttempts(1))
	run(t, q)
	waitFor(t, "both to finish", func() bool {
		return get(t, q, done).State == jobs.Succeeded && get(t, q, broken).State == jobs.Failed
	})
	if n, err := q.Prune(ctx); err != nil || n != 0 {
		t.Fatalf("prune of fresh jobs = %d, %v", n, err)
	}
	// Retention is stretched to twice the prune interval; past that, the
	// built-in job of the new period prunes.
	clk.Advance(2*time.Hour + time.Minute)
	waitFor(t, "the succeeded job to be pruned", func() bool {
		_, err := q.Get(ctx, done)
		return errs.Is(err, errs.NotFound)
	})
	if j := get(t, q, broken); j.State != jobs.Failed {
		t.Errorf("failed job after prune = %+v", j)
	}
}

func TestFailedPages(t *testing.T) {
	d := dbtest.Open(t, jobs.Migrations)
	ctx := context.Background()
	clk := clock.NewManual(t0)
	q, _ := newQueue(t, d, jobs.Config{Clock: clk, Workers: 1})
	var calls atomic.Int32
	q.Register("broken", func(ctx context.Context, j jobs.Job) error {
		if calls.Add(1)%2 == 0 {
			clk.Advance(time.Second) // pairs of jobs share a finish time
		}
		return errors.New("broken")
	})
	for range 5 {
		enqueue(t, q, d, "broken", nil, jobs.MaxAttempts(1))
	}
	run(t, q)
	waitFor(t, "five failures", func() bool { return count(t, q, "broken", jobs.Failed) == 5 })

	var seen []jobs.Job
	cursor := ""
	for page := 0; ; page++ {
		list, next, err := q.Failed(ctx, 2, cursor)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		seen = append(seen, list...)
		if next == "" {
			break
		}
		if page > 5 {
			t.Fatalf("pages never end")
		}
		cursor = next
	}
	if len(seen) != 5 {
		t.Fatalf("%d failed jobs over the pages, want 5", len(seen))
	}
	ties := 0
	for i := 1; i < len(seen); i++ {
		prev, cur := seen[i-1], seen[i]
		if cur.FinishedAt.Equal(prev.FinishedAt) {
			ties++
		}
		if cur.FinishedAt.After(prev.FinishedAt) || cur.FinishedAt.Equal(prev.FinishedAt) && cur.ID >= prev.ID {
			t.Errorf("job %d out of order: %v %s after %v %s", i, cur.FinishedAt, cur.ID, prev.FinishedAt, prev.ID)
		}
		if cur.LastError != "broken" {
			t.Errorf("job %d: last error %q", i, cur.LastError)
		}
	}
	if ties == 0 {
		t.Error("no two jobs share a finish time: the tie-break went untested")
	}
	if _, _, err := q.Failed(ctx, 2, "not a cursor!"); !errs.Is(err, errs.Invalid) {
		t.Errorf("bad cursor: %v, want invalid", err)
	}
}

func TestCounts(t *testing.T) {
	d := dbtest.Open(t, jobs.Migrations)
	clk := clock.NewManual(t0)
	q, _ := newQueue(t, d, jobs.Config{Clock: clk})
	enqueue(t, q, d, "a", nil, jobs.RunAt(t0.Add(-time.Minute)))
	enqueue(t, q, d, "a", nil)
	enqueue(t, q, d, "b", nil, jobs.RunAt(t0.Add(time.Hour)))
	c, err := q.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.ByState[jobs.Available] != 3 || c.ByState[jobs.Failed] != 0 || c.Due != 2 || c.OldestDue != time.Minute {
		t.Errorf("counts = %+v", c)
	}
	if len(c.ByKind) != 2 || c.ByKind[0] != (jobs.KindCount{Kind: "a", State: jobs.Available, N: 2}) {
		t.Errorf("by kind = %+v", c.ByKind)
	}
}

// Stopping waits for running jobs; past the timeout it cancels them, and a
// job that gives up is made available again without a backoff.
func TestGracefulStop(t *testing.T) {
	t.Run("WaitsForRunningJobs", func(t *testing.T) {
		d := dbtest.Open(t, jobs.Migrations)
		q, _ := newQueue(t, d, jobs.Config{StopTimeout: 20 * time.Second})
		started := make(chan struct{})
		q.Register("slow", func(ctx context.Context, j jobs.Job) error {
			close(started)
			time.Sleep(200 * time.Millisecond)
			return ctx.Err()
		})
		id := enqueue(t, q, d, "slow", nil)
		stop := run(t, q)
		<-started
		stop()
		if j := get(t, q, id); j.State != jobs.Succeeded {
			t.Errorf("job after graceful stop = %+v", j)
		}
	})
	t.Run("CancelsAfterTimeout", func(t *testing.T) {
		d := dbtest.Open(t, jobs.Migrations)
		q, _ := newQueue(t, d, jobs.Config{StopTimeout: 50 * time.Millisecond})
		started := make(chan struct{})
		q.Register("endless", func(ctx context.Context, j jobs.Job) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		id := enqueue(t, q, d, "endless", nil)
		stop := run(t, q)
		<-started
		stop()
		waitFor(t, "the job to be released", func() bool { return get(t, q, id).State != jobs.Running })
		j := get(t, q, id)
		if j.State != jobs.Available || j.Attempt != 1 || !strings.Contains(j.LastError, "stopping") || j.RunAt.After(time.Now()) {
			t.Errorf("cancelled job = %+v", j)
		}
	})
}

func TestRunTwice(t *testing.T) {
	d := dbtest.Open(t, jobs.Migrations)
	q, _ := newQueue(t, d, jobs.Config{})
	run(t, q)
	waitFor(t, "the first Run to start", func() bool {
		return count(t, q, jobs.PruneKind, jobs.Succeeded) == 1
	})
	if err := q.Run(context.Background()); err == nil {
		t.Error("second Run: no error")
	}
}

func TestDefaultBackoff(t *testing.T) {
	for attempt, want := range map[int]time.Duration{1: 5 * time.Second, 2: 10 * time.Second, 5: 80 * time.Second, 30: 6 * time.Hour, 1000: 6 * time.Hour} {
		for range 50 {
			if got := jobs.DefaultBackoff(attempt); got < want/2 || got > want {
				t.Fatalf("DefaultBackoff(%d) = %v, want within [%v, %v]", attempt, got, want/2, want)
			}
		}
	}
}
