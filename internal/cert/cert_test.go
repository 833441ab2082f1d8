package cert_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
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
	c     *cert.Service
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
	return &world{t: t, e: e, c: e.App.Cert, admin: &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym, Roles: u.Roles}}
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

// team creates an organisation whose admin is a new person, verified or not.
func (w *world) team(slug string, kind org.Kind, country string, verified bool) (*org.Org, *person) {
	w.t.Helper()
	p := w.person("admin@" + slug + ".example")
	o, err := w.e.App.Orgs.Create(context.Background(), w.viewer(p), org.Input{Name: "Team " + slug, Slug: slug, Kind: string(kind), Country: country}, "")
	if err != nil {
		w.t.Fatal(err)
	}
	if verified {
		w.setVerified(o, true)
	}
	return w.reload(o), p
}

func (w *world) setVerified(o *org.Org, on bool) {
	w.t.Helper()
	if err := w.e.App.Orgs.SetVerified(context.Background(), w.admin, o, on, ""); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) reload(o *org.Org) *org.Org {
	w.t.Helper()
	o, err := w.e.App.Orgs.BySlug(context.Background(), o.Slug)
	if err != nil {
		w.t.Fatal(err)
	}
	return o
}

func (w *world) vetted(o *org.Org) bool {
	w.t.Helper()
	ok, err := w.c.IsVetted(context.Background(), o.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return ok
}

func (w *world) count(query string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.e.App.DB.R.QueryRow(query, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func (w *world) found(o *org.Org) {
	w.t.Helper()
	if err := w.c.SetFounding(context.Background(), w.admin, w.reload(o), true, ""); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) vouch(by *person, byOrg, for_ *org.Org, on bool) error {
	return w.c.Vouch(context.Background(), w.viewer(by), for_, byOrg.ID, on, "")
}

func TestVetting(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ke, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	gh, ghAdmin := w.team("gh-cert", org.NationalCERT, "GH", true)
	sn, snAdmin := w.team("sn-cert", org.NationalCERT, "SN", true)
	ng, _ := w.team("ng-finance-cert", org.SectorCERT, "NG", false)
	ent, _ := w.team("ent", org.Enterprise, "KE", true)

	// The bootstrap: founding members, by administrators only, verified only.
	if err := w.c.SetFounding(ctx, w.viewer(keAdmin), ke, true, ""); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("founding by a team admin: %v", err)
	}
	if err := w.c.SetFounding(ctx, w.admin, ng, true, ""); errs.KeyOf(err) != "cert.error.unverified" {
		t.Fatalf("founding of an unverified CERT: %v", err)
	}
	if err := w.c.SetFounding(ctx, w.admin, ent, true, ""); errs.KeyOf(err) != "cert.error.not_cert" {
		t.Fatalf("founding of an enterprise: %v", err)
	}
	w.found(ke)
	if !w.vetted(ke) || w.vetted(gh) {
		t.Fatal("ke should be vetted, gh not")
	}
	w.found(gh)
	if err := w.c.SetFounding(ctx, w.admin, sn, true, ""); errs.KeyOf(err) != "cert.error.founding_closed" {
		t.Fatalf("a third founding member: %v", err)
	}

	// Vouching: by admins of vetted CERTs, once each, never for oneself.
	if err := w.vouch(snAdmin, sn, ng, true); errs.KeyOf(err) != "cert.error.vouch_unvetted" {
		t.Fatalf("vouch by a non-vetted CERT: %v", err)
	}
	if err := w.vouch(snAdmin, ke, sn, true); errs.KeyOf(err) != "cert.error.vouch_admin" {
		t.Fatalf("vouch in the name of another team: %v", err)
	}
	if err := w.vouch(keAdmin, ke, ke, true); errs.KeyOf(err) != "cert.error.vouch_self" {
		t.Fatalf("self-vouch: %v", err)
	}
	if err := w.vouch(keAdmin, ke, ent, true); errs.KeyOf(err) != "cert.error.not_cert" {
		t.Fatalf("vouch for an enterprise: %v", err)
	}
	if err := w.vouch(keAdmin, ke, sn, true); err != nil {
		t.Fatal(err)
	}
	if err := w.vouch(keAdmin, ke, sn, true); errs.KeyOf(err) != "cert.error.vouched_already" {
		t.Fatalf("second vouch: %v", err)
	}
	if w.vetted(sn) {
		t.Fatal("one vouch vetted sn")
	}
	if err := w.vouch(ghAdmin, gh, sn, true); err != nil {
		t.Fatal(err)
	}
	if !w.vetted(sn) {
		t.Fatal("two vouches did not vet sn")
	}
	notes := func(p *person, subject string) int {
		return w.count(`SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = $2 AND subject = $3`, p.ID, cert.VettingKind.Name, subject)
	}
	if notes(snAdmin, "cert.note.vouched") != 2 || notes(snAdmin, "cert.note.vetted") != 1 {
		t.Errorf("sn's admin notes: vouched %d, vetted %d", notes(snAdmin, "cert.note.vouched"), notes(snAdmin, "cert.note.vetted"))
	}

	// An unverified CERT with two vouches waits for verification.
	if err := w.vouch(keAdmin, ke, ng, true); err != nil {
		t.Fatal(err)
	}
	if err := w.vouch(snAdmin, sn, ng, true); err != nil {
		t.Fatal(err)
	}
	if w.vetted(ng) {
		t.Fatal("unverified ng vetted")
	}
	w.setVerified(ng, true)
	if err := w.c.Reconcile(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if !w.vetted(ng) {
		t.Fatal("verified ng with two vouches not vetted after reconciling")
	}

	// Withdrawing a vouch takes sn out, and ng with it (sn's vouch no longer counts).
	if err := w.vouch(ghAdmin, gh, sn, false); err != nil {
		t.Fatal(err)
	}
	if err := w.vouch(ghAdmin, gh, sn, false); errs.KeyOf(err) != "cert.error.no_vouch" {
		t.Fatalf("withdrawing twice: %v", err)
	}
	if w.vetted(sn) || w.vetted(ng) {
		t.Fatalf("after withdrawal: sn %v, ng %v", w.vetted(sn), w.vetted(ng))
	}
	if notes(snAdmin, "cert.note.unvetted") != 1 {
		t.Error("sn not told it is no longer vetted")
	}
	if err := w.vouch(ghAdmin, gh, sn, true); err != nil {
		t.Fatal(err)
	}
	if !w.vetted(sn) || !w.vetted(ng) {
		t.Fatal("vouching again did not restore sn and ng")
	}

	// Verification withdrawn: out at once for the sharing rule, out of the group on reconciling.
	w.setVerified(ke, false)
	if w.vetted(ke) {
		t.Fatal("ke vetted without verification")
	}
	if err := w.c.Reconcile(ctx, nil); err != nil {
		t.Fatal(err)
	}
	members, err := w.e.App.Sharing.GroupMembers(ctx, w.c.Group)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{gh.ID: true} // sn lost ke's vouch, ng lost ke's: one vouch left each; the office is not a member
	if len(members) != len(want) {
		t.Errorf("group members %v, want gh alone", members)
	}
	for _, id := range members {
		if !want[id] {
			t.Errorf("unexpected group member %s", id)
		}
	}
	for _, a := range []string{"cert.vouched", "cert.vouch_withdrawn", "cert.founding_set"} {
		if w.count(`SELECT COUNT(*) FROM audit_entries WHERE action = $1`, a) == 0 {
			t.Errorf("no audit entry %s", a)
		}
	}
	if err := w.c.SetFounding(ctx, w.admin, w.reload(gh), false, ""); err != nil {
		t.Fatal(err)
	}
	if w.vetted(gh) || w.count(`SELECT COUNT(*) FROM audit_entries WHERE action = 'cert.founding_withdrawn'`) != 1 {
		t.Error("founding withdrawn: gh still vetted, or not audited")
	}
}

func TestVouchPages(t *testing.T) {
	w := newWorld(t)
	ke, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	gh, ghAdmin := w.team("gh-cert", org.NationalCERT, "GH", true)
	sn, _ := w.team("sn-cert", org.NationalCERT, "SN", true)
	w.found(ke)
	w.found(gh)
	page := keAdmin.B.Get("/cert/teams/sn-cert")
	if !strings.Contains(page.Body, `action="/cert/teams/sn-cert/vouch"`) {
		t.Fatal("no vouch form for a vetted CERT's admin")
	}
	if res := keAdmin.B.Post("/cert/teams/sn-cert/vouch", url.Values{"org": {ke.ID}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("vouch: %d %s", res.StatusCode, res.Body)
	}
	res := ghAdmin.B.Do(http.MethodPost, "/api/v1/cert/teams/sn-cert/vouch", strings.NewReader(`{"org":"gh-cert"}`), "application/json")
	var got struct {
		Vetted   bool     `json:"vetted"`
		Vouchers []string `json:"vouchers"`
	}
	if res.StatusCode != 200 || json.Unmarshal([]byte(res.Body), &got) != nil || !got.Vetted || len(got.Vouchers) != 2 {
		t.Fatalf("API vouch: %d %s", res.StatusCode, res.Body)
	}
	if !w.vetted(sn) {
		t.Fatal("sn not vetted")
	}
	// A non-vetted outsider's vouch is refused with a JSON error.
	_, outsider := w.team("ml-cert", org.NationalCERT, "ML", true)
	res = outsider.B.Do(http.MethodPost, "/api/v1/cert/teams/sn-cert/vouch", strings.NewReader(`{"org":"ml-cert"}`), "application/json")
	if res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, `"error"`) {
		t.Fatalf("outsider's vouch: %d %s", res.StatusCode, res.Body)
	}
	if res := keAdmin.B.Post("/cert/teams/sn-cert/vouch", url.Values{"org": {ke.ID}, "withdraw": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", res.StatusCode)
	}
	if w.vetted(sn) {
		t.Fatal("sn vetted after a withdrawal")
	}
	// Founding through the API: administrators only.
	res = keAdmin.B.Do(http.MethodPost, "/api/v1/cert/teams/ml-cert/founding", strings.NewReader(`{"founding":true}`), "application/json")
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("founding by a team admin: %d", res.StatusCode)
	}
}

// profileForm is a valid edit form; the marker is in every contact field.
func profileForm(key string) url.Values {
	return url.Values{"constituency.original": {"en"}, "constituency.en": {"Government networks and critical infrastructure of Kenya"},
		"constituency.sw": {"Mitandao ya serikali na miundombinu muhimu ya Kenya"}, "languages": {"en, sw"}, "first_member": {"1"},
		"first_since": {"2014"}, "contacts.0.name": {"Duty officer zqmarker"}, "contacts.0.phone": {"+254 20 000 0001"},
		"contacts.0.email": {"incident@cert.example.ke"}, "contacts.0.emergency_phone": {"+254 700 000 000"},
		"hours": {"24/7 for incidents; office 08:00–17:00 EAT zqmarker"}, "pgp_key": {key}}
}

func with(v url.Values, key, value string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	out.Set(key, value)
	return out
}

func TestProfileEdit(t *testing.T) {
	w := newWorld(t)
	ke, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	analyst := w.person("analyst@ke-cert.example")
	member := w.person("member@ke-cert.example")
	if err := w.e.App.Orgs.AddMember(context.Background(), "ke-cert", analyst.ID, []string{"member", cert.RoleAnalyst}); err != nil {
		t.Fatal(err)
	}
	if err := w.e.App.Orgs.AddMember(context.Background(), "ke-cert", member.ID, []string{"member"}); err != nil {
		t.Fatal(err)
	}
	now := w.e.Clock.Now()
	good := newEd(t, now.Add(-day), 2*365*day)
	goodKey := good.armored(t)
	if res := member.B.Get("/cert/teams/ke-cert/edit"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a plain member edits: %d", res.StatusCode)
	}
	if res := member.B.Post("/cert/teams/ke-cert/edit", profileForm(goodKey)); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a plain member saves: %d", res.StatusCode)
	}
	if res := analyst.B.Get("/cert/teams/ke-cert/edit"); res.StatusCode != 200 || !strings.Contains(res.Body, `name="pgp_key"`) {
		t.Fatalf("analyst's edit page: %d", res.StatusCode)
	}
	if res := w.person("x@ent.example").B.Get("/cert/teams/ke-cert/edit"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("an outsider edits: %d", res.StatusCode)
	}

	expired := newEd(t, now.Add(-400*day), 365*day)
	private := newEd(t, now.Add(-day), 0)
	private.secret = true
	for _, c := range []struct {
		name, field, value, want string
	}{
		{"bad PGP key", "pgp_key", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----", "cert.error.key_parse"},
		{"private key", "pgp_key", private.armored(t), "cert.error.key_private"},
		{"expired key", "pgp_key", expired.armored(t), "cert.error.key_expired"},
		{"unknown language", "languages", "en, zz", "cert.error.language"},
		{"oversize constituency", "constituency.en", strings.Repeat("x", cert.MaxConstituency+1), "text.error.long"},
		{"phone not international", "contacts.0.phone", "020 000 0001", "cert.error.phone"},
		{"bad e-mail", "contacts.0.email", "incident at cert", "cert.error.email"},
		{"FIRST year in the future", "first_since", "2999", "cert.error.first_since"},
		{"oversize hours", "hours", strings.Repeat("h", cert.MaxHours+1), "cert.error.hours"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := keAdmin.B.Post("/cert/teams/ke-cert/edit?lang=en", with(profileForm(goodKey), c.field, c.value))
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", res.StatusCode)
			}
			msg := w.e.App.Catalog.Printer("en").T(c.want)
			if msg == c.want || !strings.Contains(res.Body, htmlEscape(msg)) {
				t.Errorf("message %q not shown", msg)
			}
			if n := w.count(`SELECT COUNT(*) FROM cert_teams WHERE org_id = $1`, ke.ID) + w.count(`SELECT COUNT(*) FROM cert_contacts`); n != 0 {
				t.Errorf("bad input saved something (%d rows)", n)
			}
		})
	}

	if res := analyst.B.Post("/cert/teams/ke-cert/edit", profileForm(goodKey)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.StatusCode, res.Body)
	}
	k, err := cert.ParseKey(goodKey, now)
	if err != nil {
		t.Fatal(err)
	}
	page := keAdmin.B.Get("/cert/teams/ke-cert?lang=sw")
	for _, want := range []string{k.Grouped(), "Mitandao ya serikali", "254 20 000 0001", "incident@cert.example.ke", "2014", "EdDSA (Ed25519)", "KE-CERT &lt;pgp@cert.example.ke&gt;"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("profile lacks %q", want)
		}
	}
	if len(page.Body) > 30<<10 {
		t.Errorf("profile weighs %d bytes", len(page.Body))
	}
	// The edit page shows what was saved, for the next change.
	if res := keAdmin.B.Get("/cert/teams/ke-cert/edit"); !strings.Contains(res.Body, "Duty officer zqmarker") || !strings.Contains(res.Body, "BEGIN PGP PUBLIC KEY BLOCK") {
		t.Error("edit page does not show the saved profile")
	}
	if w.count(`SELECT COUNT(*) FROM audit_entries WHERE action = 'cert.profile_saved'`) != 1 {
		t.Error("save not audited")
	}
	// Saving again keeps one contact block, and its marking.
	if res := keAdmin.B.Post("/cert/teams/ke-cert/edit", with(profileForm(""), "hours", "office hours only")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second save: %d", res.StatusCode)
	}
	if n := w.count(`SELECT COUNT(*) FROM cert_contacts WHERE owner_org = $1 AND marking = 'green' AND community = $2 AND pgp = ''`, ke.ID, w.c.Group.ID); n != 1 {
		t.Errorf("contact blocks after a second save: %d", n)
	}
	// An organisation of another kind has no team profile.
	w.team("ent", org.Enterprise, "KE", true)
	if res := keAdmin.B.Get("/cert/teams/ent"); res.StatusCode != http.StatusConflict {
		t.Errorf("profile of an enterprise: %d", res.StatusCode)
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}

// TestContactsVisibility checks that a team's contact block reaches vetted
// CERTs and the team itself, and nobody else, in the page and the API.
func TestContactsVisibility(t *testing.T) {
	w := newWorld(t)
	ke, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	gh, ghAdmin := w.team("gh-cert", org.NationalCERT, "GH", true)
	_, snAdmin := w.team("sn-cert", org.NationalCERT, "SN", true) // verified, not vetted
	_, ngAdmin := w.team("ng-cert", org.NationalCERT, "NG", false)
	_, entAdmin := w.team("ent", org.Enterprise, "KE", true) // verified, not a CERT
	w.found(ke)
	w.found(gh)
	if res := keAdmin.B.Post("/cert/teams/ke-cert/edit", profileForm(newEd(t, w.e.Clock.Now().Add(-day), 0).armored(t))); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.StatusCode, res.Body)
	}
	var id string
	if err := w.e.App.DB.R.QueryRow(`SELECT id FROM cert_contacts WHERE owner_org = $1`, ke.ID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	officer := w.person("officer@office.example")
	if err := w.e.App.Orgs.AddMember(context.Background(), "office-cert", officer.ID, []string{org.RoleMember}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		who  string
		b    *apptest.Browser
		sees bool
	}{
		{"anonymous", w.e.Browser(), false},
		{"the CERT programme office, which keeps the vetted group", officer.B, false},
		{"a verified CERT that is not vetted", snAdmin.B, false},
		{"an unverified CERT", ngAdmin.B, false},
		{"a verified organisation that is no CERT", entAdmin.B, false},
		{"a vetted CERT", ghAdmin.B, true},
		{"the team itself", keAdmin.B, true},
	} {
		page := c.b.Get("/cert/teams/ke-cert")
		api := c.b.Get("/api/v1/cert/teams/ke-cert")
		block := c.b.Get("/cert/contacts/" + id)
		if page.StatusCode != 200 || api.StatusCode != 200 {
			t.Fatalf("%s: page %d, API %d", c.who, page.StatusCode, api.StatusCode)
		}
		for name, body := range map[string]string{"page": page.Body, "API": api.Body} {
			for _, secret := range []string{"zqmarker", "254 20 000 0001", "BEGIN PGP"} {
				if strings.Contains(body, secret) != c.sees {
					t.Errorf("%s, %s: %q shown %v, want %v", c.who, name, secret, !c.sees, c.sees)
				}
			}
		}
		if c.sees != (block.StatusCode == http.StatusSeeOther) {
			t.Errorf("%s: contact block link %d", c.who, block.StatusCode)
		}
		var got struct {
			Contacts *cert.Contacts `json:"contacts"`
		}
		if err := json.Unmarshal([]byte(api.Body), &got); err != nil || (got.Contacts != nil) != c.sees {
			t.Errorf("%s: API contacts %v (%v)", c.who, got.Contacts, err)
		}
	}
	// Verification withdrawn: the vetted CERT's people see nothing at once.
	w.setVerified(gh, false)
	if strings.Contains(ghAdmin.B.Get("/cert/teams/ke-cert").Body, "zqmarker") {
		t.Error("a CERT whose verification was withdrawn still sees the contacts")
	}
}

// TestCircles checks trust circles: who makes them and manages them, who
// sees their names and members, and that a circle is a share target: an
// AMBER record shared with it reaches its members, not other vetted CERTs.
func TestCircles(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ke, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	gh, ghAdmin := w.team("gh-cert", org.NationalCERT, "GH", true)
	sn, snAdmin := w.team("sn-cert", org.NationalCERT, "SN", true)
	w.found(ke)
	w.found(gh)

	// sn is not vetted yet: it may neither make a circle nor be added to one.
	if res := snAdmin.B.Post("/cert/circles", url.Values{"org": {sn.ID}, "slug": {"sn-circle"}, "name": {"SN circle"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("circle by a non-vetted CERT: %d", res.StatusCode)
	}
	if res := keAdmin.B.Post("/cert/circles", url.Values{"org": {ke.ID}, "slug": {"Bad Slug"}, "name": {"East–West"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad slug: %d", res.StatusCode)
	}
	if res := keAdmin.B.Post("/cert/circles", url.Values{"org": {ke.ID}, "slug": {"east-west"}, "name": {"East–West zqcircle"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	if res := keAdmin.B.Post("/cert/circles/east-west/members?lang=en", url.Values{"team": {"sn-cert"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "Only vetted CERTs can be added") {
		t.Fatalf("adding a non-vetted CERT: %d", res.StatusCode)
	}
	res := keAdmin.B.Do(http.MethodPost, "/api/v1/cert/circles/east-west/members", strings.NewReader(`{"team":"gh-cert"}`), "application/json")
	if res.StatusCode != 200 || !strings.Contains(res.Body, `"gh-cert"`) {
		t.Fatalf("adding gh: %d %s", res.StatusCode, res.Body)
	}
	if res := ghAdmin.B.Post("/cert/circles/east-west/members", url.Values{"team": {"gh-cert"}, "remove": {"1"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a member manages the circle: %d", res.StatusCode)
	}
	// sn becomes vetted, outside the circle.
	for _, v := range []struct {
		p *person
		o *org.Org
	}{{keAdmin, ke}, {ghAdmin, gh}} {
		if err := w.vouch(v.p, v.o, sn, true); err != nil {
			t.Fatal(err)
		}
	}
	anon := w.e.Browser()
	_, entAdmin := w.team("ent", org.Enterprise, "KE", true)
	for _, c := range []struct {
		who           string
		b             *apptest.Browser
		name, members bool
	}{
		{"anonymous", anon, false, false},
		{"a verified non-CERT", entAdmin.B, false, false},
		{"a vetted CERT outside the circle", snAdmin.B, true, false},
		{"a member", ghAdmin.B, true, true},
		{"the owner", keAdmin.B, true, true},
	} {
		list := c.b.Get("/cert/circles")
		api := c.b.Get("/api/v1/cert/circles")
		if list.StatusCode != 200 || api.StatusCode != 200 || strings.Contains(list.Body, "zqcircle") != c.name || strings.Contains(api.Body, "zqcircle") != c.name {
			t.Errorf("%s: circle name shown %v, want %v", c.who, !c.name, c.name)
		}
		page := c.b.Get("/cert/circles/east-west")
		if c.name != (page.StatusCode == 200) {
			t.Errorf("%s: circle page %d", c.who, page.StatusCode)
		}
		if strings.Contains(page.Body, "/cert/teams/gh-cert") != c.members {
			t.Errorf("%s: members shown %v, want %v", c.who, !c.members, c.members)
		}
	}

	// The sample record: ke's contact block, raised to AMBER and shared with the circle.
	if res := keAdmin.B.Post("/cert/teams/ke-cert/edit", profileForm("")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	var id string
	if err := w.e.App.DB.R.QueryRow(`SELECT id FROM cert_contacts WHERE owner_org = $1`, ke.ID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	m, err := w.e.App.Sharing.Meta(ctx, w.viewer(keAdmin), cert.ContactsTypeName, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.e.App.Sharing.SetMarking(ctx, w.viewer(keAdmin), m, sharing.Amber, ""); err != nil {
		t.Fatal(err)
	}
	circle, err := w.c.CircleBySlug(ctx, w.viewer(keAdmin), "east-west")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.e.App.Sharing.AddShare(ctx, w.viewer(keAdmin), m, ke.ID, sharing.ToGroup, circle.ID, ""); err != nil {
		t.Fatal(err)
	}
	if !w.vetted(sn) {
		t.Fatal("sn not vetted")
	}
	if !strings.Contains(ghAdmin.B.Get("/cert/teams/ke-cert").Body, "zqmarker") {
		t.Error("a circle member does not see the AMBER record shared with the circle")
	}
	if strings.Contains(snAdmin.B.Get("/cert/teams/ke-cert").Body, "zqmarker") || strings.Contains(snAdmin.B.Get("/api/v1/cert/teams/ke-cert").Body, "zqmarker") {
		t.Error("a vetted CERT outside the circle sees the AMBER record")
	}
	if res := keAdmin.B.Post("/cert/circles/east-west/members", url.Values{"team": {"gh-cert"}, "remove": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove gh: %d", res.StatusCode)
	}
	if strings.Contains(ghAdmin.B.Get("/cert/teams/ke-cert").Body, "zqmarker") {
		t.Error("a removed member still sees the record shared with the circle")
	}
	if w.count(`SELECT COUNT(*) FROM audit_entries WHERE action = 'group.member_removed' AND target_id = $1`, circle.ID) != 1 {
		t.Error("removal not audited")
	}
}

func TestDirectory(t *testing.T) {
	w := newWorld(t)
	ke, _ := w.team("ke-cert", org.NationalCERT, "KE", true)
	gh, _ := w.team("gh-cert", org.NationalCERT, "GH", true)
	w.team("ke-energy-cert", org.SectorCERT, "KE", true)
	w.team("tz-cert", org.NationalCERT, "TZ", false)
	w.team("ent", org.Enterprise, "KE", true)
	w.found(ke)
	w.found(gh)
	b := w.e.Browser()
	page := b.Get("/cert")
	if page.StatusCode != 200 || len(page.Body) > 30<<10 {
		t.Fatalf("directory: %d, %d bytes", page.StatusCode, len(page.Body))
	}
	for _, s := range []string{"ke-cert", "gh-cert", "ke-energy-cert", "tz-cert"} {
		if !strings.Contains(page.Body, "/cert/teams/"+s+`"`) {
			t.Errorf("directory lacks %s", s)
		}
	}
	if strings.Contains(page.Body, "/cert/teams/ent") {
		t.Error("an enterprise in the CERT directory")
	}
	ke2 := b.Get("/cert?country=KE")
	if !strings.Contains(ke2.Body, "/cert/teams/ke-cert\"") || !strings.Contains(ke2.Body, "/cert/teams/ke-energy-cert\"") || strings.Contains(ke2.Body, "/cert/teams/gh-cert\"") {
		t.Error("country filter")
	}
	var list struct {
		Items []struct {
			Slug   string `json:"slug"`
			Vetted bool   `json:"vetted"`
		} `json:"items"`
		Next string `json:"next"`
	}
	res := b.Get("/api/v1/cert/teams?vetted=1")
	if err := json.Unmarshal([]byte(res.Body), &list); err != nil || len(list.Items) != 2 || !list.Items[0].Vetted || list.Items[0].Slug != "gh-cert" {
		t.Fatalf("vetted filter: %s", res.Body)
	}
	res = b.Get("/api/v1/cert/teams?limit=3")
	if err := json.Unmarshal([]byte(res.Body), &list); err != nil || len(list.Items) != 3 || list.Next != "3" {
		t.Fatalf("first page: %s", res.Body)
	}
	res = b.Get("/api/v1/cert/teams?limit=3&cursor=3")
	list.Items, list.Next = nil, ""
	if err := json.Unmarshal([]byte(res.Body), &list); err != nil || len(list.Items) != 1 || list.Next != "" || list.Items[0].Slug != "tz-cert" {
		t.Fatalf("second page: %s", res.Body)
	}
	for _, bad := range []string{"/api/v1/cert/teams?country=XX", "/api/v1/cert/teams?cursor=-1", "/cert?offset=x"} {
		if res := b.Get(bad); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", bad, res.StatusCode)
		}
	}
}

func TestVettedIndicator(t *testing.T) {
	w := newWorld(t)
	ke, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	gh, ghAdmin := w.team("gh-cert", org.NationalCERT, "GH", true)
	kee, _ := w.team("ke-energy-cert", org.SectorCERT, "KE", true)
	w.team("tz-cert", org.NationalCERT, "TZ", true) // verified, not vetted
	w.found(ke)
	w.found(gh)
	for _, v := range []struct {
		p *person
		o *org.Org
	}{{keAdmin, ke}, {ghAdmin, gh}} {
		if err := w.vouch(v.p, v.o, kee, true); err != nil {
			t.Fatal(err)
		}
	}
	val, err := w.c.VettedByCountry().Compute(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if val.Total != 3 || len(val.Breakdown) != 2 || val.Breakdown["KE"] != 2 || val.Breakdown["GH"] != 1 {
		t.Errorf("indicator %+v", val)
	}
	if ind := w.c.VettedByCountry(); ind.Key != "cert.vetted" || ind.Action != "2.1" || ind.By != "country" {
		t.Errorf("indicator %+v", ind)
	}
}

func TestProfileAPI(t *testing.T) {
	w := newWorld(t)
	ke, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	key := newEd(t, w.e.Clock.Now().Add(-day), 0)
	body, _ := json.Marshal(map[string]any{"constituency": map[string]any{"original": "en", "versions": map[string]any{"en": map[string]any{"text": "Kenya"}}},
		"languages": []string{"en", "sw"}, "first_member": true, "first_since": 2014,
		"contacts": []map[string]string{{"name": "Duty", "phone": "+254 20 000 0001"}}, "hours": "24/7", "pgp_key": key.armored(t)})
	put := func(b *apptest.Browser, payload string) *apptest.Response {
		return b.Do(http.MethodPut, "/api/v1/cert/teams/ke-cert", strings.NewReader(payload), "application/json")
	}
	bad := strings.Replace(string(body), `"sw"`, `"zz"`, 1)
	if res := put(keAdmin.B, bad); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `"error"`) {
		t.Fatalf("bad language: %d %s", res.StatusCode, res.Body)
	}
	if res := put(w.person("x@example.org").B, string(body)); res.StatusCode != http.StatusForbidden {
		t.Fatalf("outsider: %d", res.StatusCode)
	}
	res := put(keAdmin.B, string(body))
	var got struct {
		Languages  []string       `json:"languages"`
		Contacts   *cert.Contacts `json:"contacts"`
		FirstSince int            `json:"first_since"`
	}
	if res.StatusCode != 200 || json.Unmarshal([]byte(res.Body), &got) != nil || got.Contacts == nil || got.Contacts.Key == nil ||
		len(got.Languages) != 2 || got.FirstSince != 2014 || got.Contacts.Contacts[0].Phone != "+254 20 000 0001" {
		t.Fatalf("put: %d %s", res.StatusCode, res.Body)
	}
	if w.count(`SELECT COUNT(*) FROM cert_teams WHERE org_id = $1`, ke.ID) != 1 {
		t.Error("not saved")
	}
}

// TestDirectoryRowWithoutNames: a team whose row has no translatable names
// (written before the column, or by other code) is listed under its stored
// name, as org shows it, not with an empty one.
func TestDirectoryRowWithoutNames(t *testing.T) {
	w := newWorld(t)
	ke, _ := w.team("ke-cert", org.NationalCERT, "KE", true)
	if _, err := w.e.App.DB.W.Exec(`UPDATE orgs SET name = 'Kenya National CERT', names = '' WHERE id = $1`, ke.ID); err != nil {
		t.Fatal(err)
	}
	rows, _, err := w.c.Directory(context.Background(), cert.Filter{Limit: 10})
	if err != nil || len(rows) != 1 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	if got := rows[0].Org.NameIn("fr").Text; got != "Kenya National CERT" {
		t.Errorf("name shown in French: %q, want the stored name", got)
	}
	if page := w.e.Browser().Get("/cert?lang=fr"); !strings.Contains(page.Body, "Kenya National CERT") {
		t.Error("the directory page does not show the stored name")
	}
}

// TestCirclesOf: the circles an organisation sits in, and only circles
// (not the vetted CERTs' community group, which is a group too).
func TestCirclesOf(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ke, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	gh, _ := w.team("gh-cert", org.NationalCERT, "GH", true)
	tz, _ := w.team("tz-cert", org.NationalCERT, "TZ", true)
	w.found(ke)
	w.found(gh)
	for _, c := range []struct{ slug, name, member string }{{"zz-east", "Zz East", "gh-cert"}, {"aa-west", "Aa West", ""}} {
		if res := keAdmin.B.Post("/cert/circles", url.Values{"org": {ke.ID}, "slug": {c.slug}, "name": {c.name}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create %s: %d", c.slug, res.StatusCode)
		}
		if c.member != "" {
			if res := keAdmin.B.Post("/cert/circles/"+c.slug+"/members", url.Values{"team": {c.member}}); res.StatusCode >= 400 {
				t.Fatalf("add %s: %d", c.member, res.StatusCode)
			}
		}
	}
	seats, err := w.c.CirclesOf(ctx, w.e.App.DB.R, ke.ID, gh.ID, tz.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range seats {
		got = append(got, s.Slug+":"+map[string]string{ke.ID: "ke", gh.ID: "gh", tz.ID: "tz"}[s.OrgID])
	}
	slices.Sort(got) // by circle name already; within one, by organisation id
	if want := []string{"aa-west:ke", "zz-east:gh", "zz-east:ke"}; !slices.Equal(got, want) {
		t.Fatalf("seats %v, want %v", got, want)
	}
	if seats, err := w.c.CirclesOf(ctx, w.e.App.DB.R, tz.ID); err != nil || len(seats) != 0 {
		t.Fatalf("a CERT in no circle sits in %v (%v)", seats, err)
	}
}
