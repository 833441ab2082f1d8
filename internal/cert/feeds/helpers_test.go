package feeds_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/feeds"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

const pw = "long enough password"

type person struct {
	ID, Email string
	B         *apptest.Browser
}

type world struct {
	t     *testing.T
	e     *apptest.Env
	s     *feeds.Service
	admin *web.Viewer
	imp   *recorder
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := apptest.Start(t)
	u, err := e.App.Accounts.Create(t.Context(), account.NewUser{Email: "root@example.org", Name: "Root", Password: pw, Confirmed: true,
		Roles: []string{account.RoleAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, e: e, admin: &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym, Roles: u.Roles}, imp: newRecorder()}
	w.s = w.service()
	// The app's own service serves the pages; polls in tests go through w.s.
	app := e.App.CertParts.Feeds
	app.AllowPrivate, app.Importer, app.Collections, app.Schedule = true, w.imp, w.imp, nil
	return w
}

// service is a new instance of the feeds service on the app's database, as
// after a restart.
func (w *world) service() *feeds.Service {
	a := w.e.App
	s := feeds.New(a.DB, a.Clock, a.Cert, a.CertParts.Feeds.Sealer)
	s.Site, s.Notify, s.Audit = a.Site, a.Notify, a.CertParts.Feeds.Audit
	s.AllowPrivate, s.Importer, s.Collections, s.PageLimit = true, w.imp, w.imp, 3
	return s
}

func (w *world) person(email string) *person {
	w.t.Helper()
	u, err := w.e.App.Accounts.Create(context.Background(), account.NewUser{Email: email, Name: strings.Split(email, "@")[0], Password: pw, Confirmed: true})
	if err != nil {
		w.t.Fatal(err)
	}
	b := w.e.Browser()
	if res := b.Post("/signin", url.Values{"email": {email}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		w.t.Fatalf("sign in %s: %d", email, res.StatusCode)
	}
	return &person{ID: u.ID, Email: email, B: b}
}

func (w *world) viewer(p *person) *web.Viewer {
	w.t.Helper()
	u, err := w.e.App.Accounts.UserByID(context.Background(), p.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	ms, err := w.e.App.Orgs.Memberships(context.Background(), p.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym, Name: u.Name, Email: u.Email, Roles: u.Roles, Orgs: ms}
}

// team creates a verified CERT whose admin is a new person, founding
// (vetted) when founding is set.
func (w *world) team(slug, country string, founding bool) (*org.Org, *person) {
	w.t.Helper()
	ctx := context.Background()
	p := w.person("admin@" + slug + ".example")
	o, err := w.e.App.Orgs.Create(ctx, w.viewer(p), org.Input{Name: "Team " + slug, Slug: slug, Kind: string(org.NationalCERT), Country: country}, "")
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.e.App.Orgs.SetVerified(ctx, w.admin, o, true, ""); err != nil {
		w.t.Fatal(err)
	}
	if o, err = w.e.App.Orgs.BySlug(ctx, slug); err != nil {
		w.t.Fatal(err)
	}
	if founding {
		if err := w.e.App.Cert.SetFounding(ctx, w.admin, o, true, ""); err != nil {
			w.t.Fatal(err)
		}
	}
	return o, p
}

func (w *world) member(o *org.Org, email string, roles ...string) *person {
	w.t.Helper()
	p := w.person(email)
	if err := w.e.App.Orgs.AddMember(context.Background(), o.Slug, p.ID, roles); err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *world) circle(owner *person, o *org.Org, slug string) *cert.Circle {
	w.t.Helper()
	c, err := w.e.App.Cert.CreateCircle(context.Background(), w.viewer(owner), o.ID, slug, "Circle "+slug)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

func (w *world) count(query string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.e.App.DB.R.QueryRow(query, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func (w *world) feed(id string) *feeds.Feed {
	w.t.Helper()
	f, err := w.s.Feed(context.Background(), w.adminOf(id), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return f
}

// adminOf is a viewer managing the feed's team.
func (w *world) adminOf(id string) *web.Viewer {
	var team string
	if err := w.e.App.DB.R.QueryRow(`SELECT team_org FROM cert_feeds WHERE id = $1`, id).Scan(&team); err != nil {
		w.t.Fatal(err)
	}
	return &web.Viewer{ID: "test", Pseudonym: "test", Orgs: []web.Membership{{OrgID: team, Roles: []string{org.RoleAdmin}}}}
}

// recorder is a fake STIX store: it keeps every object by id and version,
// counts deliveries, and fails on demand.
type recorder struct {
	mu        sync.Mutex
	versions  map[string]bool // id|modified
	delivered map[string]int  // id|modified → times imported
	calls     int
	failOn    int // the call that fails (1-based); 0 never
	byOrg     string
	coll      string
}

func newRecorder() *recorder {
	return &recorder{versions: map[string]bool{}, delivered: map[string]int{}}
}

func (r *recorder) CircleCollection(_ context.Context, groupID string) (string, error) {
	return "coll-" + groupID, nil
}

func (r *recorder) ImportObjects(_ context.Context, collectionID string, objects []json.RawMessage, byOrg string) (cert.ImportResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.failOn != 0 && r.calls == r.failOn {
		return cert.ImportResult{}, fmt.Errorf("store crashed")
	}
	r.byOrg, r.coll = byOrg, collectionID
	var res cert.ImportResult
	for _, raw := range objects {
		var o struct{ ID, Modified string }
		if err := json.Unmarshal(raw, &o); err != nil || o.Modified == "" {
			res.Failed = append(res.Failed, cert.ImportFailure{ID: o.ID, Message: "no modified"})
			continue
		}
		k := o.ID + "|" + o.Modified
		if r.versions[k] {
			res.Skipped++
			continue
		}
		r.versions[k] = true
		r.delivered[k]++
		res.Added++
	}
	return res, nil
}

func (r *recorder) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.versions)
}

// taxiiServer is a fake TAXII 2.1 server with one collection, "coll-1",
// behind HTTP Basic (user "feeder", password "s3cret-PASSWORD-xyz").
type taxiiServer struct {
	*httptest.Server
	mu       sync.Mutex
	objects  []stored
	requests []url.Values // query of each objects request
	fail     func(n int) (status int, header http.Header, body string)
	objReqs  int
	noLast   bool   // omit X-TAXII-Date-Added-Last
	ctype    string // Content-Type of objects pages, when set
	noNext   bool   // page by X-TAXII-Date-Added-Last alone
	user     string
	pass     string
}

type stored struct {
	added time.Time
	json  string
}

const secret = "s3cret-PASSWORD-xyz"

func newTAXII(t *testing.T) *taxiiServer {
	ts := &taxiiServer{user: "feeder", pass: secret}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /taxii2/", func(w http.ResponseWriter, r *http.Request) {
		ts.reply(w, r, http.Header{}, map[string]any{"title": "Fake TAXII", "api_roots": []string{"/api1/"}})
	})
	mux.HandleFunc("GET /api1/", func(w http.ResponseWriter, r *http.Request) {
		ts.reply(w, r, http.Header{}, map[string]any{"title": "Fake root", "versions": []string{feeds.MediaType}, "max_content_length": 1 << 20})
	})
	mux.HandleFunc("GET /api1/collections/{id}/", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != "coll-1" {
			ts.error(w, http.StatusNotFound, "no such collection")
			return
		}
		ts.reply(w, r, http.Header{}, map[string]any{"id": "coll-1", "title": "Fake indicators", "can_read": true, "can_write": false})
	})
	mux.HandleFunc("GET /api1/collections/{id}/objects/", ts.objectsHandler)
	ts.Server = httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

func (ts *taxiiServer) root() string { return ts.URL + "/api1/" }

func (ts *taxiiServer) auth(w http.ResponseWriter, r *http.Request) bool {
	u, p, ok := r.BasicAuth()
	if !ok || u != ts.user || p != ts.pass {
		ts.error(w, http.StatusUnauthorized, "bad credentials")
		return false
	}
	return true
}

func (ts *taxiiServer) error(w http.ResponseWriter, status int, title string) {
	w.Header().Set("Content-Type", feeds.MediaType)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"title": title, "http_status": strconv.Itoa(status)})
}

func (ts *taxiiServer) reply(w http.ResponseWriter, r *http.Request, h http.Header, body any) {
	if !ts.auth(w, r) {
		return
	}
	if r.Header.Get("Accept") != feeds.MediaType {
		ts.error(w, http.StatusNotAcceptable, "accept")
		return
	}
	for k, v := range h {
		w.Header()[k] = v
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", feeds.MediaType)
	}
	json.NewEncoder(w).Encode(body)
}

// add stores n indicators, each added a second after the previous.
func (ts *taxiiServer) add(n int) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for range n {
		i := len(ts.objects)
		id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", i)
		o := fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":%q,"created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",`+
			`"pattern":"[ipv4-addr:value = '198.51.100.%d']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"}`, id, i%250)
		ts.objects = append(ts.objects, stored{added: base.Add(time.Duration(i) * time.Second), json: o})
	}
}

func (ts *taxiiServer) objectsHandler(w http.ResponseWriter, r *http.Request) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if !ts.auth(w, r) {
		return
	}
	ts.objReqs++
	q := r.URL.Query()
	ts.requests = append(ts.requests, q)
	if ts.fail != nil {
		if status, h, body := ts.fail(ts.objReqs); status != 0 {
			for k, v := range h {
				w.Header()[k] = v
			}
			if body == "" {
				ts.error(w, status, "failing on purpose")
				return
			}
			w.WriteHeader(status)
			w.Write([]byte(body))
			return
		}
	}
	if r.PathValue("id") != "coll-1" {
		ts.error(w, http.StatusNotFound, "no such collection")
		return
	}
	var after time.Time
	if a := q.Get("added_after"); a != "" {
		t, err := time.Parse(time.RFC3339Nano, a)
		if err != nil {
			ts.error(w, http.StatusBadRequest, "added_after")
			return
		}
		after = t
	}
	var match []stored
	for _, o := range ts.objects {
		if o.added.After(after) {
			match = append(match, o)
		}
	}
	start := 0
	if n := q.Get("next"); n != "" {
		var err error
		if start, err = strconv.Atoi(n); err != nil || start > len(match) {
			ts.error(w, http.StatusBadRequest, "next")
			return
		}
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 {
		limit = 100
	}
	end := min(start+limit, len(match))
	pageObjs := match[start:end]
	env := map[string]any{"more": end < len(match)}
	if end < len(match) && !ts.noNext {
		env["next"] = strconv.Itoa(end)
	}
	var raws []json.RawMessage
	for _, o := range pageObjs {
		raws = append(raws, json.RawMessage(o.json))
	}
	if len(raws) > 0 {
		env["objects"] = raws
		w.Header().Set("X-TAXII-Date-Added-First", pageObjs[0].added.Format("2006-01-02T15:04:05.000000Z"))
		if !ts.noLast {
			w.Header().Set("X-TAXII-Date-Added-Last", pageObjs[len(pageObjs)-1].added.Format("2006-01-02T15:04:05.000000Z"))
		}
	}
	ct := feeds.MediaType
	if ts.ctype != "" {
		ct = ts.ctype
	}
	w.Header().Set("Content-Type", ct)
	json.NewEncoder(w).Encode(env)
}

func (ts *taxiiServer) lastQuery() url.Values {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.requests[len(ts.requests)-1]
}

// setup is a vetted team with an analyst, a circle it owns, and a fake server.
type setup struct {
	*world
	team    *org.Org
	admin   *person
	analyst *person
	circle  *cert.Circle
	srv     *taxiiServer
}

func newSetup(t *testing.T) *setup {
	w := newWorld(t)
	team, admin := w.team("ke-cert", "KE", true)
	c := w.circle(admin, team, "east")
	return &setup{world: w, team: team, admin: admin, analyst: w.member(team, "analyst@ke-cert.example", cert.RoleAnalyst), circle: c, srv: newTAXII(t)}
}

func (s *setup) subscribe(types ...string) *feeds.Feed {
	s.t.Helper()
	f, err := s.s.Create(context.Background(), s.viewer(s.analyst), feeds.Input{Team: s.team.ID, Circle: s.circle.ID, Title: "Partner feed",
		APIRoot: s.srv.root(), Collection: "coll-1", Types: types, User: "feeder", Password: secret, Interval: 30}, "")
	if err != nil {
		s.t.Fatal(err)
	}
	return f
}

func (s *setup) poll(svc *feeds.Service, id string) feeds.Outcome {
	s.t.Helper()
	o, err := svc.Poll(context.Background(), id)
	if err != nil {
		s.t.Fatalf("poll: %v", err)
	}
	return o
}

func errorsAs(err error, target **errs.Error) bool { return errors.As(err, target) }

// token returns an API token of the person with read and write scopes.
func (w *world) token(p *person) string {
	w.t.Helper()
	u, err := w.e.App.Accounts.UserByID(w.t.Context(), p.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	_, secret, err := w.e.App.Accounts.CreateToken(w.t.Context(), u, account.NewToken{Name: "test", Scopes: []string{account.ScopeRead, account.ScopeWrite}}, "")
	if err != nil {
		w.t.Fatal(err)
	}
	return secret
}

func (w *world) api(token, method, path, body string) *apptest.Response {
	w.t.Helper()
	b := w.e.Browser()
	b.Header.Set("Authorization", "Bearer "+token)
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	return b.Do(method, path, r, "application/json")
}
