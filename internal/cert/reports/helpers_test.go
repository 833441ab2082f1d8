package reports_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/reports"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

const pw = "long enough password"

// fakeCases stands for package cases: it opens cases for the report's
// team's admins and analysts and tells statuses it is given.
type fakeCases struct {
	mu     sync.Mutex
	opened []cert.ReportCase
	status map[string]string
}

func (f *fakeCases) Case(ctx context.Context, v *web.Viewer, id string) (*cert.CaseRef, error) {
	return nil, errs.E("case", errs.NotFound, "error.not_found")
}

func (f *fakeCases) MayEdit(v *web.Viewer, c *cert.CaseRef) bool { return false }

func (f *fakeCases) OpenFromReport(ctx context.Context, v *web.Viewer, r cert.ReportCase, ip string) (string, error) {
	if !cert.MayEdit(v, r.TeamOrg) {
		return "", errs.E("case", errs.Forbidden, "error.forbidden")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opened = append(f.opened, r)
	id := fmt.Sprintf("case-%d", len(f.opened))
	f.status[id] = cert.StatusNew
	return id, nil
}

func (f *fakeCases) StatusOf(ctx context.Context, id string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.status[id]
	if !ok {
		return "", errs.E("case", errs.NotFound, "error.not_found")
	}
	return st, nil
}

func (f *fakeCases) set(id, st string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status[id] = st
}

type person struct {
	ID, Email string
	B         *apptest.Browser
}

type world struct {
	t     *testing.T
	e     *apptest.Env
	s     *reports.Service
	cases *fakeCases
	admin *person // a platform administrator
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := apptest.Start(t)
	w := &world{t: t, e: e, s: e.App.CertParts.Reports, cases: &fakeCases{status: map[string]string{}}}
	w.s.Cases = w.cases
	w.admin = w.person("root@example.org", account.RoleAdmin)
	return w
}

func (w *world) person(email string, roles ...string) *person {
	w.t.Helper()
	u, err := w.e.App.Accounts.Create(context.Background(), account.NewUser{Email: email, Name: strings.Split(email, "@")[0], Password: pw,
		Confirmed: true, Roles: roles})
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

// team creates an organisation whose admin is a new person.
func (w *world) team(slug string, kind org.Kind, country string, verified bool) (*org.Org, *person) {
	w.t.Helper()
	p := w.person("admin@" + slug + ".example")
	o, err := w.e.App.Orgs.Create(context.Background(), w.viewer(p), org.Input{Name: "Team " + slug, Slug: slug, Kind: string(kind), Country: country}, "")
	if err != nil {
		w.t.Fatal(err)
	}
	if verified {
		if err := w.e.App.Orgs.SetVerified(context.Background(), w.viewer(w.admin), o, true, ""); err != nil {
			w.t.Fatal(err)
		}
	}
	return o, p
}

// member adds a new person to an organisation with roles.
func (w *world) member(o *org.Org, email string, roles ...string) *person {
	w.t.Helper()
	p := w.person(email)
	if err := w.e.App.Orgs.AddMember(context.Background(), o.Slug, p.ID, roles); err != nil {
		w.t.Fatal(err)
	}
	return p
}

// api is a client with a read and write token of the person's.
func (w *world) api(p *person) *apptest.Browser {
	w.t.Helper()
	u, err := w.e.App.Accounts.UserByID(context.Background(), p.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	_, secret, err := w.e.App.Accounts.CreateToken(context.Background(), u, account.NewToken{Name: "test",
		Scopes: []string{account.ScopeRead, account.ScopeWrite}}, "")
	if err != nil {
		w.t.Fatal(err)
	}
	c := w.e.Browser()
	c.Header.Set("Authorization", "Bearer "+secret)
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

func (w *world) reports() int { return w.count(`SELECT COUNT(*) FROM cert_reports`) }

// reportForm is a valid report; changes set (or, when empty, remove) fields.
func reportForm(changes map[string]string) url.Values {
	v := url.Values{"country": {"KE"}, "title": {"Phishing wave against a bank"},
		"description": {"Customers of a bank receive SMS with a fake login page."}, "occurred_on": {"2026-11-20"},
		"category": {"phishing"}, "sectors": {"banking"}, "systems": {"online banking"}, "contact_email": {"reporter@example.net"},
		"consent": {"1"}}
	for k, x := range changes {
		if x == "" {
			v.Del(k)
		} else {
			v.Set(k, x)
		}
	}
	return v
}

// challenge reads the challenge and its question from the report form.
func challenge(t *testing.T, b *apptest.Browser) (token, question string) {
	t.Helper()
	res := b.Get("/cert/report?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("report form: %d\n%s", res.StatusCode, res.Body)
	}
	token = apptest.Between(res.Body, `name="challenge" value="`, `"`)
	question = html.UnescapeString(apptest.Between(res.Body, `<label for="f-answer">`, `?`))
	if token == "" || question == "" {
		t.Fatalf("no challenge in the form:\n%s", res.Body)
	}
	return token, question
}

var words = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}

// answer solves the English question "What is A plus B".
func answer(t *testing.T, q string) string {
	t.Helper()
	f := strings.Fields(strings.TrimPrefix(q, "What is "))
	if len(f) != 3 || f[1] != "plus" {
		t.Fatalf("unexpected question %q", q)
	}
	return fmt.Sprint(words[f[0]] + words[f[2]])
}

// submit sends a report as the browser would with JavaScript: the proof of work.
func (w *world) submit(b *apptest.Browser, changes map[string]string) *apptest.Response {
	w.t.Helper()
	token, _ := challenge(w.t, b)
	v := reportForm(changes)
	v.Set("challenge", token)
	v.Set("work", reports.Solve(token, reports.DefaultBits))
	return b.Post("/cert/report?lang=en", v)
}

// followLink is the path of the follow link a submitted page shows.
func (w *world) followLink(res *apptest.Response) string {
	w.t.Helper()
	link := html.UnescapeString(apptest.Between(res.Body, `<code class="secret">`, `</code>`))
	if link == "" {
		w.t.Fatalf("no follow link:\n%s", res.Body)
	}
	return w.e.PathOf(link)
}

// lastReport is the id of the newest report.
func (w *world) lastReport() string {
	w.t.Helper()
	var id string
	if err := w.e.App.DB.R.QueryRow(`SELECT id FROM cert_reports ORDER BY created_at DESC, id DESC LIMIT 1`).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	return id
}
