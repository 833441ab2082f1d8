package observables_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/observables"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

const pw = "long enough password"

type person struct {
	ID, Email string
	B         *apptest.Browser
}

// world is a platform with CERT teams, their people and cases, built as
// the cases package would leave them: rows in cert_cases with their
// sharing columns, and shares to organisations.
type world struct {
	t     *testing.T
	e     *apptest.Env
	svc   *observables.Service
	admin *web.Viewer
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := apptest.Start(t)
	u, err := e.App.Accounts.Create(context.Background(), account.NewUser{Email: "root@example.org", Name: "Root", Password: pw, Confirmed: true,
		Roles: []string{account.RoleAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	// The wiring of cert/cases declares the case type; declare it here when
	// it has not, so that the kernel's sharing service knows it.
	if _, err := e.App.Sharing.TypeOf(cert.CaseTypeName); err != nil {
		e.App.Sharing.Declare(cert.CaseType)
	}
	return &world{t: t, e: e, svc: e.App.CertParts.Observables, admin: &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym, Roles: u.Roles}}
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

// team creates a verified national CERT whose admin is a new person.
func (w *world) team(slug, country string) (*org.Org, *person) {
	w.t.Helper()
	p := w.person("admin@" + slug + ".example")
	o, err := w.e.App.Orgs.Create(context.Background(), w.viewer(p), org.Input{Name: "Team " + slug, Slug: slug, Kind: string(org.NationalCERT), Country: country}, "")
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.e.App.Orgs.SetVerified(context.Background(), w.admin, o, true, ""); err != nil {
		w.t.Fatal(err)
	}
	return o, p
}

// member adds a new person to a team with a role.
func (w *world) member(o *org.Org, email, role string) *person {
	w.t.Helper()
	p := w.person(email)
	if err := w.e.App.Orgs.AddMember(context.Background(), o.Slug, p.ID, []string{role}); err != nil {
		w.t.Fatal(err)
	}
	return p
}

// newCase inserts a published case owned by o.
func (w *world) newCase(o *org.Org, title string, marking sharing.Marking) string {
	w.t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	now := w.e.Clock.Now()
	if _, err := w.e.App.DB.W.Exec(`INSERT INTO cert_cases (id, owner_org, marking, state, community, title, created_at, updated_at)
		VALUES ($1, $2, $3, 'published', '', $4, $5, $5)`, id, o.ID, string(marking), title, now); err != nil {
		w.t.Fatal(err)
	}
	return id
}

// shareCase shares a case with an organisation, as a hand-over would.
func (w *world) shareCase(caseID string, with *org.Org, by *org.Org) {
	w.t.Helper()
	if _, err := w.e.App.DB.W.Exec(`INSERT INTO shares (id, record_type, record_id, target_kind, target_id, granted_by, granted_at)
		VALUES ($1, $2, $3, 'org', $4, $5, $6)`, uuid.Must(uuid.NewV7()).String(), cert.CaseTypeName, caseID, with.ID, by.ID, w.e.Clock.Now()); err != nil {
		w.t.Fatal(err)
	}
}

// paste adds observables to a case and returns their ids.
func (w *world) paste(p *person, caseID, text string, marking sharing.Marking) []string {
	w.t.Helper()
	res, err := w.svc.Paste(context.Background(), w.viewer(p), caseID, observables.PasteInput{Text: text, Marking: marking}, "")
	if err != nil {
		w.t.Fatalf("paste %q: %v", text, err)
	}
	return res.IDs
}

func (w *world) count(query string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.e.App.DB.R.QueryRow(query, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// api returns a client with a token of the person's.
func (w *world) api(p *person) *apptest.Browser {
	w.t.Helper()
	u, err := w.e.App.Accounts.UserByEmail(context.Background(), p.Email)
	if err != nil {
		w.t.Fatal(err)
	}
	_, secret, err := w.e.App.Accounts.CreateToken(context.Background(), u, account.NewToken{Name: "test", Scopes: []string{account.ScopeRead, account.ScopeWrite}}, "")
	if err != nil {
		w.t.Fatal(err)
	}
	c := w.e.Browser()
	c.Header.Set("Authorization", "Bearer "+secret)
	return c
}
