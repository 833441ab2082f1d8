package cases_test

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/cases"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

const pw = "long enough password"

// person is someone with a signed-in browser.
type person struct {
	ID, Email string
	B         *apptest.Browser
}

// world is a platform with three vetted national CERTs — Kenya (ke-cert),
// Ghana (gh-cert) and Senegal (sn-cert) — an enterprise, and people:
// each CERT's admin and analyst, a plain member of ke-cert, an outsider
// (admin of the enterprise) and a platform administrator.
type world struct {
	t     testing.TB
	e     *apptest.Env
	s     *cases.Service
	admin *web.Viewer
	orgs  map[string]*org.Org
	p     map[string]*person // "ke-admin", "ke-analyst", "ke-member", "gh-admin", "gh-analyst", "sn-analyst", "outsider", "root"
}

func newWorld(t testing.TB) *world {
	t.Helper()
	e := apptest.Start(t)
	ctx := context.Background()
	w := &world{t: t, e: e, s: e.App.CertParts.Cases, orgs: map[string]*org.Org{}, p: map[string]*person{}}
	root := w.person("root", []string{account.RoleAdmin})
	u, _ := e.App.Accounts.UserByID(ctx, root.ID)
	w.admin = &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym, Roles: u.Roles}
	for _, team := range []struct{ slug, cc string }{{"ke-cert", "KE"}, {"gh-cert", "GH"}, {"sn-cert", "SN"}} {
		prefix := team.slug[:2]
		admin := w.person(prefix+"-admin", nil)
		o, err := e.App.Orgs.Create(ctx, w.viewer(admin), org.Input{Name: strings.ToUpper(prefix) + "-CERT", Slug: team.slug,
			Kind: string(org.NationalCERT), Country: team.cc}, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.App.Orgs.SetVerified(ctx, w.admin, o, true, ""); err != nil {
			t.Fatal(err)
		}
		w.orgs[team.slug] = o
		analyst := w.person(prefix+"-analyst", nil)
		if err := e.App.Orgs.AddMember(ctx, team.slug, analyst.ID, []string{cert.RoleAnalyst}); err != nil {
			t.Fatal(err)
		}
	}
	member := w.person("ke-member", nil)
	if err := e.App.Orgs.AddMember(ctx, "ke-cert", member.ID, []string{"member"}); err != nil {
		t.Fatal(err)
	}
	c := e.App.Cert
	for _, slug := range []string{"ke-cert", "gh-cert"} {
		o, _ := e.App.Orgs.BySlug(ctx, slug)
		if err := c.SetFounding(ctx, w.admin, o, true, ""); err != nil {
			t.Fatal(err)
		}
	}
	sn, _ := e.App.Orgs.BySlug(ctx, "sn-cert")
	for _, by := range []string{"ke", "gh"} {
		if err := c.Vouch(ctx, w.viewer(w.p[by+"-admin"]), sn, w.orgs[by+"-cert"].ID, true, ""); err != nil {
			t.Fatal(err)
		}
	}
	outsider := w.person("outsider", nil)
	ent, err := e.App.Orgs.Create(ctx, w.viewer(outsider), org.Input{Name: "Acme", Slug: "acme", Kind: "enterprise", Country: "KE"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.App.Orgs.SetVerified(ctx, w.admin, ent, true, ""); err != nil {
		t.Fatal(err)
	}
	// The administrator must have a second factor to browse.
	if _, err := e.App.DB.W.Exec(`UPDATE users SET totp_enabled_at = $1 WHERE id = $2`, e.Clock.Now(), root.ID); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) person(name string, roles []string) *person {
	w.t.Helper()
	email := name + "@cases.example"
	u, err := w.e.App.Accounts.Create(context.Background(), account.NewUser{Email: email, Name: name, Password: pw, Confirmed: true, Roles: roles})
	if err != nil {
		w.t.Fatal(err)
	}
	b := w.e.Browser()
	if res := b.Post("/signin", url.Values{"email": {email}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		w.t.Fatalf("sign in %s: %d", email, res.StatusCode)
	}
	p := &person{ID: u.ID, Email: email, B: b}
	w.p[name] = p
	return p
}

func (w *world) viewer(p *person) *web.Viewer {
	w.t.Helper()
	if p == nil {
		return nil
	}
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

func (w *world) v(name string) *web.Viewer { return w.viewer(w.p[name]) }

// open creates a case for a team through the service.
func (w *world) open(by, title, severity string) *cases.Case {
	w.t.Helper()
	c, err := w.s.Create(context.Background(), w.v(by), cases.Input{Title: title, Summary: "summary of " + title, Category: "phishing",
		Severity: severity, Countries: []string{"KE"}, Sectors: []string{"banking"}}, "")
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

func (w *world) reload(id string) *cases.Case {
	w.t.Helper()
	c, err := w.s.Get(context.Background(), w.v("ke-admin"), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// api sends a JSON request with a browser.
func api(b *apptest.Browser, method, path string, body any) *apptest.Response {
	var raw string
	if body != nil {
		x, _ := json.Marshal(body)
		raw = string(x)
	}
	return b.Do(method, path, strings.NewReader(raw), "application/json")
}

// fakeObservables is a cert.Observables that records what hand-overs share.
type fakeObservables struct {
	mu     sync.Mutex
	items  map[string][]cert.ObservableItem // case id → observables
	shared map[string][]string              // toOrg → observable ids
}

func newFakeObservables() *fakeObservables {
	return &fakeObservables{items: map[string][]cert.ObservableItem{}, shared: map[string][]string{}}
}

func (f *fakeObservables) Section(r *http.Request, c *cert.CaseRef, mayEdit bool) (template.HTML, error) {
	return template.HTML(`<section id="observables" data-from="` + template.HTMLEscapeString(strings.Join(c.From, " ")) + `"></section>`), nil
}

func (f *fakeObservables) Handable(ctx context.Context, v *web.Viewer, caseID string) ([]cert.ObservableItem, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.items[caseID], nil
}

func (f *fakeObservables) ShareWith(ctx context.Context, v *web.Viewer, caseID string, ids []string, toOrg, ip string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.shared[toOrg] = append(f.shared[toOrg], ids...)
	return nil
}

func (f *fakeObservables) Unshare(ctx context.Context, caseID string, ids []string, toOrg string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.shared[toOrg] = slices.DeleteFunc(f.shared[toOrg], func(id string) bool { return slices.Contains(ids, id) })
	return nil
}

func (f *fakeObservables) ExportCase(ctx context.Context, v *web.Viewer, c cert.CaseExport, ids []string) ([]byte, error) {
	return json.Marshal(map[string]any{"type": "bundle", "id": "bundle--" + c.ID, "objects": []any{map[string]any{"type": "incident", "name": c.Title}}})
}

func (f *fakeObservables) sharedWith(org string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.shared[org])
}
