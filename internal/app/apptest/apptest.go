// Package apptest starts the whole platform for tests: a real database
// (SQLite, or PostgreSQL with HARAMBEE_TEST_POSTGRES), a manual clock, a
// mailbox that keeps what would be sent, and an HTTP test server.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/db/dbtest"
)

// Env is a running platform.
type Env struct {
	T      testing.TB
	App    *app.App
	Server *httptest.Server
	Clock  *clock.Manual
	Mail   *Mailbox
}

// Start opens the platform on a fresh database and serves it.
func Start(t testing.TB) *Env {
	t.Helper()
	ctx := context.Background()
	dataDir := t.TempDir()
	dbURL := ""
	if pg := dbtest.PostgresURL(); pg != "" {
		dbURL = dbtest.WithSearchPath(t, pg, dbtest.NewSchema(t, pg))
	}
	// Near the real time: browsers and cookie jars judge cookie expiry by it.
	clk := clock.NewManual(time.Now().UTC().Truncate(time.Second))
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	a, err := app.Open(ctx, app.Config{DataDir: dataDir, DatabaseURL: dbURL, BaseURL: base, Addr: srv.Listener.Addr().String()},
		slog.New(slog.NewTextHandler(logOut(), nil)), clk)
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	box := &Mailbox{}
	a.Accounts.Mail = box
	a.Moderation.Mail = box
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(func() { srv.Close(); a.Close() })
	return &Env{T: t, App: a, Server: srv, Clock: clk, Mail: box}
}

// Mailbox keeps the messages the platform would send.
type Mailbox struct {
	mu   sync.Mutex
	Sent []Sent
}

// Sent is one kept message.
type Sent struct {
	To, Lang string
	Mail     account.Mail
}

// Send keeps the message.
func (m *Mailbox) Send(ctx context.Context, q db.Querier, to, lang string, msg account.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Sent = append(m.Sent, Sent{To: to, Lang: lang, Mail: msg})
	return nil
}

// Last returns the newest message to an address with a subject key.
func (m *Mailbox) Last(to, subject string) (Sent, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.Sent) - 1; i >= 0; i-- {
		if m.Sent[i].To == to && m.Sent[i].Mail.Subject == subject {
			return m.Sent[i], true
		}
	}
	return Sent{}, false
}

// Arg returns a message argument.
func (s Sent) Arg(name string) string {
	for i := 0; i+1 < len(s.Mail.Args); i += 2 {
		if s.Mail.Args[i] == name {
			v, _ := s.Mail.Args[i+1].(string)
			return v
		}
	}
	return ""
}

// Count returns how many messages were kept.
func (m *Mailbox) Count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.Sent)
}

// Browser is a client with cookies that does not follow redirects.
type Browser struct {
	env    *Env
	Client *http.Client
	Header http.Header
}

// Browser returns a new client with its own cookies.
func (e *Env) Browser() *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{env: e, Header: http.Header{}, Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Response is a read response.
type Response struct {
	*http.Response
	Body string
}

// Do sends a request with the browser's cookies and headers.
func (b *Browser) Do(method, path string, body io.Reader, contentType string) *Response {
	b.env.T.Helper()
	target := path
	if !strings.HasPrefix(path, "http") {
		target = b.env.Server.URL + path
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		b.env.T.Fatalf("%s %s: %v", method, path, err)
	}
	for k, vs := range b.Header {
		req.Header[k] = vs
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := b.Client.Do(req)
	if err != nil {
		b.env.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return &Response{Response: res, Body: string(raw)}
}

// Get fetches a page.
func (b *Browser) Get(path string) *Response { return b.Do(http.MethodGet, path, nil, "") }

// Post submits a form.
func (b *Browser) Post(path string, form url.Values) *Response {
	return b.Do(http.MethodPost, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

// PathOf returns the path of an absolute link on the test server.
func (e *Env) PathOf(link string) string {
	return strings.TrimPrefix(link, e.Server.URL)
}

// SignUp creates and confirms an account through the pages, and returns a
// browser signed in to it.
func (e *Env) SignUp(name, email, password string) *Browser {
	e.T.Helper()
	b := e.Browser()
	res := b.Post("/signup", url.Values{"name": {name}, "email": {email}, "password": {password}, "password2": {password}})
	if res.StatusCode != http.StatusOK {
		e.T.Fatalf("sign up %s: status %d\n%s", email, res.StatusCode, res.Body)
	}
	m, ok := e.Mail.Last(email, "mail.confirm.subject")
	if !ok {
		e.T.Fatalf("sign up %s: no confirmation mail", email)
	}
	res = b.Post(e.PathOf(m.Arg("link")), nil)
	if res.StatusCode != http.StatusSeeOther {
		e.T.Fatalf("confirm %s: status %d\n%s", email, res.StatusCode, res.Body)
	}
	return b
}

// logOut sends the platform's logs to standard error when HARAMBEE_TEST_LOG
// is set, and nowhere otherwise.
func logOut() io.Writer {
	if os.Getenv("HARAMBEE_TEST_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}

// Between returns the text of s between the first a and the next b.
func Between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	j := strings.Index(s, b)
	if j < 0 {
		return ""
	}
	return s[:j]
}
