package agreements_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/agreements"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/notify"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

const pw = "correct horse battery"

// world is a platform with two organisations: KE-CERT (Kenya), whose admin
// Amina registers agreements, and CNCERT (China), run by Li Wei. Amina's
// colleague Otieno is an editor of KE-CERT and Baraka a plain member.
type world struct {
	e      *apptest.Env
	amina  *apptest.Browser
	keCERT *org.Org
	cnCERT *org.Org
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := apptest.Start(t)
	w := &world{e: e}
	w.amina = w.person(t, "Amina Njoroge", "amina@ke-cert.example")
	w.person(t, "Li Wei", "li@cncert.example")
	var err error
	if w.keCERT, err = e.App.Orgs.Create(t.Context(), w.viewer(t, "amina@ke-cert.example"),
		org.Input{Name: "KE-CERT", Slug: "ke-cert", Kind: "national_cert", Country: "KE"}, ""); err != nil {
		t.Fatal(err)
	}
	if w.cnCERT, err = e.App.Orgs.Create(t.Context(), w.viewer(t, "li@cncert.example"),
		org.Input{Name: "CNCERT/CC", Slug: "cncert", Kind: "national_cert", Country: "CN"}, ""); err != nil {
		t.Fatal(err)
	}
	w.person(t, "Otieno Ouma", "otieno@ke-cert.example")
	w.person(t, "Baraka Mwangi", "baraka@ke-cert.example")
	for email, role := range map[string]string{"otieno@ke-cert.example": "editor", "baraka@ke-cert.example": "member"} {
		u, err := e.App.Accounts.UserByEmail(t.Context(), email)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.App.Orgs.AddMember(t.Context(), "ke-cert", u.ID, []string{role}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// person creates a confirmed account.
func (w *world) person(t *testing.T, name, email string) *apptest.Browser {
	t.Helper()
	if _, err := w.e.App.Accounts.Create(t.Context(), account.NewUser{Email: email, Name: name, Password: pw, Confirmed: true}); err != nil {
		t.Fatal(err)
	}
	return w.signIn(t, email)
}

// signIn returns a browser signed in as email.
func (w *world) signIn(t *testing.T, email string) *apptest.Browser {
	t.Helper()
	b := w.e.Browser()
	if res := b.Post("/signin", url.Values{"email": {email}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", email, res.StatusCode)
	}
	return b
}

// viewer builds the viewer of an account, as the sign-in middleware would.
func (w *world) viewer(t *testing.T, email string) *web.Viewer {
	t.Helper()
	u, err := w.e.App.Accounts.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := w.e.App.Orgs.Memberships(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym, Email: u.Email, Name: u.Name, Roles: u.Roles, Orgs: ms}
}

// api returns a client with a token of the account's.
func (w *world) api(t *testing.T, email string, scopes ...string) *apptest.Browser {
	t.Helper()
	u, err := w.e.App.Accounts.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := w.e.App.Accounts.CreateToken(t.Context(), u, account.NewToken{Name: "test " + strings.Join(scopes, " "), Scopes: scopes}, "")
	if err != nil {
		t.Fatal(err)
	}
	c := w.e.Browser()
	c.Header.Set("Authorization", "Bearer "+secret)
	return c
}

// date is the calendar day d days from the platform's today.
func (w *world) date(d int) string {
	return w.e.Clock.Now().AddDate(0, 0, d).Format(time.DateOnly)
}

// form is a valid registration form; changes set (or, when empty, remove) fields.
func (w *world) form(changes map[string]string) url.Values {
	v := url.Values{
		"kind": {"mou"}, "marking": {"clear"},
		"title.original": {"en"}, "title.en": {"MoU on cyber incident response between KE-CERT and China"},
		"scope.original": {"en"}, "scope.en": {"Exchange of incident reports and indicators; joint exercises once a year."},
		"party.0.kind": {"org"}, "party.0.org": {"ke-cert"},
		"party.1.kind": {"government"}, "party.1.country": {"CN"},
		"signed_on": {w.date(-365)}, "expires_on": {w.date(365 * 4)},
		"languages": {"en", "zh", "sw"}, "sectors": {"cybersecurity"}, "actions": {"2.1"},
		"event_name": {"China–Africa Internet Development and Cooperation Forum"}, "event_city": {"Nairobi"}, "event_country": {"KE"},
	}
	for k, x := range changes {
		if x == "" {
			v.Del(k)
		} else {
			v.Set(k, x)
		}
	}
	return v
}

// register posts the form as Amina and returns the new agreement's id.
func (w *world) register(t *testing.T, b *apptest.Browser, changes map[string]string) string {
	t.Helper()
	res := b.Post("/agreements", w.form(changes))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %d\n%s", res.StatusCode, res.Body)
	}
	id := strings.TrimPrefix(res.Header.Get("Location"), "/agreements/")
	if id == "" || strings.Contains(id, "/") {
		t.Fatalf("register: redirected to %q", res.Header.Get("Location"))
	}
	return id
}

// publish publishes an agreement through its share page.
func (w *world) publish(t *testing.T, b *apptest.Browser, id string) {
	t.Helper()
	if res := b.Post("/share/agreements.agreement/"+id+"/state", url.Values{"state": {"published"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish %s: %d\n%s", id, res.StatusCode, res.Body)
	}
}

// create registers an agreement through the service, as email, and sets
// its state and marking.
func (w *world) create(t *testing.T, email string, in agreements.Input, state sharing.State, marking sharing.Marking) *agreements.Agreement {
	t.Helper()
	v := w.viewer(t, email)
	a, err := w.e.App.Agreements.Create(t.Context(), v, in, "")
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	m, err := w.e.App.Sharing.Meta(t.Context(), v, agreements.TypeName, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.e.App.Sharing.SetMarking(t.Context(), v, m, marking, ""); err != nil {
		t.Fatal(err)
	}
	if err := w.e.App.Sharing.SetState(t.Context(), v, m, state, ""); err != nil {
		t.Fatal(err)
	}
	return a
}

// input is a valid input with the given title, parties and dates (days
// from today; nil for none).
func (w *world) input(title string, parties []agreements.PartyInput, signed int, effective, expires *int) agreements.Input {
	in := agreements.Input{OwnerOrg: "ke-cert", Kind: "agreement", Title: agreements.TextInput{Original: "en", Texts: map[string]string{"en": title}},
		Parties: parties, SignedOn: w.date(signed)}
	if effective != nil {
		in.EffectiveFrom = w.date(*effective)
	}
	if expires != nil {
		in.ExpiresOn = w.date(*expires)
	}
	return in
}

func days(n int) *int { return &n }

func gov(country string) agreements.PartyInput {
	return agreements.PartyInput{Kind: agreements.PartyGovernment, Country: country}
}

func orgParty(slug string) agreements.PartyInput {
	return agreements.PartyInput{Kind: agreements.PartyOrg, Org: slug}
}

// count is how many agreements exist.
func (w *world) count(t *testing.T) int {
	t.Helper()
	var n int
	if err := w.e.App.DB.R.QueryRow(`SELECT COUNT(*) FROM agreements`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// notes is a Notifier that keeps what it is asked to send.
type notes struct {
	mu   sync.Mutex
	sent []sentNote
	fail error
}

type sentNote struct {
	Org   string
	Roles []string
	Note  notify.Note
}

func (n *notes) SendOrg(ctx context.Context, q db.Querier, orgID string, roles []string, note notify.Note) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail != nil {
		return n.fail
	}
	if _, ok := q.(*sql.Tx); !ok {
		panic("reminders must be sent inside the transaction that records them")
	}
	n.sent = append(n.sent, sentNote{Org: orgID, Roles: roles, Note: note})
	return nil
}

func (n *notes) take() []sentNote {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.sent
	n.sent = nil
	return out
}
