package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/audit"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db/dbtest"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/jobs"
)

// TestTwoInstances runs two instances of the platform side by side on one
// PostgreSQL schema, as a deployment behind a load balancer would, and checks
// that they share sessions, run each job once between them, and keep one
// valid audit chain while both append to it.
func TestTwoInstances(t *testing.T) {
	pg := dbtest.PostgresURL()
	if pg == "" {
		t.Skip("HARAMBEE_TEST_POSTGRES is not set: two instances need a shared PostgreSQL database")
	}
	began := time.Now()
	ea, eb := startTwo(t, pg)
	envs := [2]*apptest.Env{ea, eb}
	if ia, ib := ea.App.Queue.Instance(), eb.App.Queue.Instance(); ia == ib {
		t.Fatalf("both queues call themselves %q", ia)
	}

	// Both queues run for the rest of the test, with a counting handler
	// registered on each before Run.
	const countKind = "test.count"
	var (
		seenMu sync.Mutex
		seen   = map[string]int{} // job id → executions
		ranOn  [2]atomic.Int64    // executions per instance
		wrong  atomic.Value       // first job that ran under another instance's lease
	)
	for i, e := range envs {
		q := e.App.Queue
		q.Register(countKind, func(ctx context.Context, j jobs.Job) error {
			if j.LockedBy != q.Instance() {
				wrong.CompareAndSwap(nil, fmt.Sprintf("job %s locked by %q ran on %q", j.ID, j.LockedBy, q.Instance()))
			}
			seenMu.Lock()
			seen[j.ID]++
			seenMu.Unlock()
			ranOn[i].Add(1)
			time.Sleep(2 * time.Millisecond) // long enough for claims to overlap
			return nil
		})
	}
	runCtx, stopQueues := context.WithCancel(context.Background())
	queueDone := make(chan error, 2)
	for _, e := range envs {
		go func() { queueDone <- e.App.Queue.Run(runCtx) }()
	}
	// Registered after startTwo's clean-up, so it runs first: the queues
	// stop before the databases close.
	t.Cleanup(func() {
		stopQueues()
		for range envs {
			if err := <-queueDone; err != nil {
				t.Errorf("queue run: %v", err)
			}
		}
	})

	t.Run("SessionsAreShared", func(t *testing.T) {
		const email = "amina@example.org"
		ba := ea.SignUp("Amina Njeri", email, pw)
		sid := sessionCookie(t, ba, ea)

		// A bare client, so that nothing but the copied cookie goes along.
		res := getWith(t, eb.Server.URL+"/account", sid)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, email) {
			t.Fatalf("B /account with A's session: %d, e-mail in page %v", res.StatusCode, strings.Contains(res.Body, email))
		}
		if res := postWith(t, eb.Server.URL+"/signout", sid, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign out on B: %d", res.StatusCode)
		}
		for _, e := range envs {
			res := getWith(t, e.Server.URL+"/account", sid)
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
				t.Errorf("%s /account after signing out on B: %d %s", e.Server.URL, res.StatusCode, res.Header.Get("Location"))
			}
		}

		// And the other way round: a session begun on B works on A.
		bb := eb.Browser()
		if res := bb.Post("/signin", url.Values{"email": {email}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in on B: %d", res.StatusCode)
		}
		sid2 := sessionCookie(t, bb, eb)
		if sid2 == sid {
			t.Fatal("sign-in on B reused the ended session's id")
		}
		res = getWith(t, ea.Server.URL+"/account", sid2)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, email) {
			t.Fatalf("A /account with B's session: %d", res.StatusCode)
		}
	})

	t.Run("JobsRunOnceAcrossInstances", func(t *testing.T) {
		ctx := t.Context()
		const n = 100
		ids := map[string]bool{}
		for i := range n {
			e := envs[i%2]
			enq, err := e.App.Queue.Enqueue(ctx, e.App.DB.W, countKind, map[string]int{"n": i})
			if err != nil {
				t.Fatalf("enqueue %d: %v", i, err)
			}
			ids[enq.ID] = true
		}
		if len(ids) != n {
			t.Fatalf("%d distinct job ids for %d jobs", len(ids), n)
		}
		waitStart := time.Now()
		deadline := waitStart.Add(60 * time.Second)
		for {
			c, err := ea.App.Queue.Counts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var done, failed int64
			for _, k := range c.ByKind {
				if k.Kind == countKind && k.State == jobs.Succeeded {
					done = k.N
				}
				if k.Kind == countKind && k.State == jobs.Failed {
					failed = k.N
				}
			}
			if failed > 0 {
				t.Fatalf("%d %s jobs failed", failed, countKind)
			}
			if done == n {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after 60s only %d of %d jobs succeeded", done, n)
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Logf("%d jobs succeeded in %v; ran on A %d, on B %d", n, time.Since(waitStart).Round(time.Millisecond),
			ranOn[0].Load(), ranOn[1].Load())
		// Another couple of polls on each instance: nothing may run again.
		time.Sleep(2500 * time.Millisecond)

		seenMu.Lock()
		defer seenMu.Unlock()
		total := 0
		for id, k := range seen {
			total += k
			if !ids[id] {
				t.Errorf("handler ran job %s, which the test did not enqueue", id)
			}
			if k != 1 {
				t.Errorf("job %s ran %d times", id, k)
			}
		}
		if total != n || len(seen) != n {
			t.Errorf("%d executions of %d distinct jobs, want exactly %d of %d", total, len(seen), n, n)
		}
		if got := ranOn[0].Load() + ranOn[1].Load(); got != n {
			t.Errorf("instances counted %d executions, want %d", got, n)
		}
		if ranOn[0].Load() == 0 || ranOn[1].Load() == 0 {
			t.Errorf("one instance ran every job (A %d, B %d): the test did not exercise two workers", ranOn[0].Load(), ranOn[1].Load())
		}
		if w := wrong.Load(); w != nil {
			t.Error(w)
		}
		for id := range ids {
			j, err := ea.App.Queue.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if j.State != jobs.Succeeded || j.Attempt != 1 || j.LockedBy != "" {
				t.Errorf("job %s: state %s, attempt %d, locked by %q; want succeeded on its first attempt, unlocked",
					id, j.State, j.Attempt, j.LockedBy)
			}
		}
	})

	t.Run("AuditChainUnderConcurrentWrites", func(t *testing.T) {
		ctx := t.Context()
		const perInstance, actions = 4, 20
		type worker struct {
			env   *apptest.Env
			b     *apptest.Browser
			email string
			ip    string
		}
		var workers []worker
		for i := range 2 * perInstance {
			e := envs[i%2]
			email := fmt.Sprintf("writer%d@example.org", i)
			workers = append(workers, worker{env: e, b: e.SignUp(fmt.Sprintf("Writer %d", i), email, pw),
				email: email, ip: fmt.Sprintf("192.0.2.%d", 10+i)})
		}
		before := auditCounts(t, ea)

		// Each worker alternates two audited actions on its own instance:
		// creating an API token (token.created) and a failed sign-in to its
		// own account (auth.signin_failed). Each comes from an address of
		// its own, through the trusted proxy, and the browser is a known
		// device of the account, so the sign-in slow-down never applies.
		concurrentStart := time.Now()
		var wg sync.WaitGroup
		for wi, w := range workers {
			wg.Go(func() {
				for i := range actions {
					var res *plainResponse
					var err error
					var want int
					if i%2 == 0 {
						want = http.StatusCreated
						res, err = send(w.b, http.MethodPost, w.env.Server.URL+"/account/tokens", w.ip, url.Values{
							"name": {fmt.Sprintf("w%d-%d", wi, i)}, "scopes": {account.ScopeRead}})
						if err == nil && !strings.Contains(res.Body, account.TokenPrefix) {
							err = fmt.Errorf("no token shown")
						}
					} else {
						want = http.StatusUnauthorized
						res, err = send(w.b, http.MethodPost, w.env.Server.URL+"/signin", w.ip, url.Values{
							"email": {w.email}, "password": {"not the password " + w.ip}})
					}
					if err == nil && res.StatusCode != want {
						err = fmt.Errorf("status %d, want %d", res.StatusCode, want)
					}
					if err != nil {
						t.Errorf("worker %d (%s) action %d: %v", wi, w.env.Server.URL, i, err)
						return
					}
				}
			})
		}
		wg.Wait()
		t.Logf("%d audited actions from %d workers took %v", len(workers)*actions, len(workers),
			time.Since(concurrentStart).Round(time.Millisecond))
		if t.Failed() {
			t.FailNow()
		}

		after := auditCounts(t, ea)
		half := int64(len(workers) * actions / 2)
		for _, action := range []string{"token.created", "auth.signin_failed"} {
			if d := after[action] - before[action]; d != half {
				t.Errorf("%s: %d entries appended, want %d", action, d, half)
			}
		}
		var total int64
		for _, k := range after {
			total += k
		}

		cp, err := ea.App.Trail.Checkpoint(ctx, ea.App.Signer)
		if err != nil {
			t.Fatalf("checkpoint with A's key: %v", err)
		}
		if cp.Seq != total {
			t.Errorf("checkpoint at seq %d, but the log holds %d entries", cp.Seq, total)
		}
		// B shares the key: its checkpoint job must accept A's checkpoint.
		if !bytes.Equal(ea.App.Signer.PublicKey(), eb.App.Signer.PublicKey()) {
			t.Fatal("the instances sign with different keys")
		}
		cpB, err := eb.App.Trail.Checkpoint(ctx, eb.App.Signer)
		if err != nil {
			t.Fatalf("checkpoint with B's key after A's: %v", err)
		}
		if cpB.ID != cp.ID {
			t.Errorf("B made checkpoint %s at seq %d over an unchanged log; want A's %s", cpB.ID, cpB.Seq, cp.ID)
		}

		for _, e := range envs {
			rep, err := e.App.Trail.Verify(ctx, ea.App.Signer.PublicKey())
			if err != nil {
				t.Fatalf("verify through %s: %v", e.Server.URL, err)
			}
			if !rep.OK() {
				t.Fatalf("verify through %s: %v", e.Server.URL, rep.Err())
			}
			if rep.Entries < int64(len(workers)*actions) || rep.Entries != total || rep.Head != total {
				t.Errorf("verify through %s: %d entries up to seq %d; want %d (at least the %d concurrent actions)",
					e.Server.URL, rep.Entries, rep.Head, total, len(workers)*actions)
			}
			if rep.Signed != rep.Head || rep.Checkpoints < 1 {
				t.Errorf("verify through %s: signed up to %d of %d, %d checkpoints", e.Server.URL, rep.Signed, rep.Head, rep.Checkpoints)
			}
		}
		t.Logf("audit log: %d entries (%d appended concurrently from both instances), checkpoint at seq %d", total,
			len(workers)*actions, cp.Seq)
	})

	// Checkpoints signed on both instances while both append: one instance's
	// checkpoint committed meanwhile is no sign of tampering. (The periodic
	// checkpoint job makes one per period across instances, but a late job of
	// one period can overlap the next period's on the other instance.)
	t.Run("CheckpointsWhileBothAppend", func(t *testing.T) {
		ctx := t.Context()
		const appenders, appends, signersPer = 3, 200, 2
		var (
			writers, signers sync.WaitGroup
			stop             = make(chan struct{})
			made, refused    atomic.Int64
			firstRefusal     atomic.Value
		)
		for _, e := range envs {
			for range appenders {
				writers.Go(func() {
					for range appends {
						if err := e.App.Trail.Log(ctx, audit.Entry{Action: "test.concurrent", ClientAddr: "192.0.2.1"}); err != nil {
							t.Errorf("append through %s: %v", e.Server.URL, err)
							return
						}
					}
				})
			}
			for range signersPer {
				signers.Go(func() {
					for {
						select {
						case <-stop:
							return
						default:
						}
						made.Add(1)
						_, err := e.App.Trail.Checkpoint(ctx, e.App.Signer)
						if err != nil && !errs.Is(err, errs.NotFound) { // NotFound: nothing logged yet
							refused.Add(1)
							firstRefusal.CompareAndSwap(nil, fmt.Sprintf("%s: %v", e.Server.URL, err))
						}
					}
				})
			}
		}
		writers.Wait()
		close(stop)
		signers.Wait()
		if n := refused.Load(); n > 0 {
			t.Errorf("%d of %d checkpoints made during concurrent appends failed; first: %v", n, made.Load(), firstRefusal.Load())
		}
		rep, err := ea.App.Trail.Verify(ctx, ea.App.Signer.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() {
			t.Fatalf("verify: %v", rep.Err())
		}
		t.Logf("%d appends and %d checkpoints from both instances; log verifies: %d entries, %d checkpoints",
			2*appenders*appends, made.Load(), rep.Entries, rep.Checkpoints)
	})

	t.Logf("two instances: %v", time.Since(began).Round(time.Millisecond))
}

// startTwo opens two instances on one fresh PostgreSQL schema, each with a
// data directory and a test server of its own, sharing the audit key, the
// system clock and one mailbox. Both trust 127.0.0.1 as a proxy, so tests can
// give requests client addresses of their own with X-Forwarded-For.
func startTwo(t *testing.T, pg string) (*apptest.Env, *apptest.Env) {
	t.Helper()
	dbURL := dbtest.WithSearchPath(t, pg, dbtest.NewSchema(t, pg))
	box := &apptest.Mailbox{}
	open := func(name, dataDir string) *apptest.Env {
		srv := httptest.NewUnstartedServer(nil)
		addr := srv.Listener.Addr().String()
		a, err := app.Open(context.Background(), app.Config{DataDir: dataDir, DatabaseURL: dbURL, BaseURL: "http://" + addr, Addr: addr,
			TrustedProxies: "127.0.0.1"}, slog.New(slog.NewTextHandler(testLog(), nil)).With("instance", name), clock.System{})
		if err != nil {
			t.Fatalf("open instance %s: %v", name, err)
		}
		a.Accounts.Mail = box
		srv.Config.Handler = a.Handler()
		srv.Start()
		t.Cleanup(func() { srv.Close(); a.Close() })
		return &apptest.Env{T: t, App: a, Server: srv, Mail: box}
	}
	dirA, dirB := t.TempDir(), t.TempDir()
	ea := open("a", dirA)
	// Every instance must sign with the same key.
	key, err := os.ReadFile(filepath.Join(dirA, "audit-key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dirB, "audit-key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	eb := open("b", dirB)
	return ea, eb
}

func testLog() io.Writer {
	if os.Getenv("HARAMBEE_TEST_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}

// sessionCookie returns the session cookie a browser holds for e's server.
func sessionCookie(t *testing.T, b *apptest.Browser, e *apptest.Env) string {
	t.Helper()
	u, _ := url.Parse(e.Server.URL)
	for _, c := range b.Client.Jar.Cookies(u) {
		if c.Name == account.SessionCookie {
			return c.Value
		}
	}
	t.Fatalf("no %s cookie for %s", account.SessionCookie, e.Server.URL)
	return ""
}

type plainResponse struct {
	*http.Response
	Body string
}

var bareClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// do sends a request with client c, returning errors rather than failing the
// test, so that it can run on goroutines other than the test's.
func do(c *http.Client, method, target, sid, forwardedFor string, form url.Values) (*plainResponse, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if sid != "" {
		req.AddCookie(&http.Cookie{Name: account.SessionCookie, Value: sid})
	}
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return &plainResponse{Response: res, Body: string(raw)}, err
}

// send posts a form with the browser's cookies, from the client address ip.
func send(b *apptest.Browser, method, target, ip string, form url.Values) (*plainResponse, error) {
	return do(b.Client, method, target, "", ip, form)
}

// getWith fetches target with nothing but the session cookie sid.
func getWith(t *testing.T, target, sid string) *plainResponse {
	t.Helper()
	res, err := do(bareClient, http.MethodGet, target, sid, "", nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	return res
}

// postWith posts a form to target with nothing but the session cookie sid.
func postWith(t *testing.T, target, sid string, form url.Values) *plainResponse {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	res, err := do(bareClient, http.MethodPost, target, sid, "", form)
	if err != nil {
		t.Fatalf("POST %s: %v", target, err)
	}
	return res
}

// auditCounts counts the audit log's entries by action.
func auditCounts(t *testing.T, e *apptest.Env) map[string]int64 {
	t.Helper()
	rows, err := e.App.DB.R.QueryContext(t.Context(), `SELECT action, COUNT(*) FROM audit_entries GROUP BY action`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var a string
		var n int64
		if err := rows.Scan(&a, &n); err != nil {
			t.Fatal(err)
		}
		out[a] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
