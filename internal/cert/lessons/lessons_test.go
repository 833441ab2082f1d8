package lessons_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/lessons"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/text"
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
	s     *lessons.Service
	admin *person
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := apptest.Start(t)
	w := &world{t: t, e: e, s: e.App.CertParts.Lessons}
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

func (w *world) team(slug string, kind org.Kind, country string, founding bool) (*org.Org, *person) {
	w.t.Helper()
	ctx := context.Background()
	p := w.person("admin@" + slug + ".example")
	o, err := w.e.App.Orgs.Create(ctx, w.viewer(p), org.Input{Name: "Team " + slug, Slug: slug, Kind: string(kind), Country: country}, "")
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.e.App.Orgs.SetVerified(ctx, w.viewer(w.admin), o, true, ""); err != nil {
		w.t.Fatal(err)
	}
	if o, err = w.e.App.Orgs.BySlug(ctx, slug); err != nil {
		w.t.Fatal(err)
	}
	if founding {
		if err := w.e.App.Cert.SetFounding(ctx, w.viewer(w.admin), o, true, ""); err != nil {
			w.t.Fatal(err)
		}
	}
	return o, p
}

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

func (w *world) count() int {
	w.t.Helper()
	var n int
	if err := w.e.App.DB.R.QueryRow(`SELECT COUNT(*) FROM cert_lessons`).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func en(s string) text.Input { return text.Input{Original: "en", Texts: map[string]string{"en": s}} }

// lesson writes a lesson directly, as an editor of the team.
func (w *world) lesson(by *person, team *org.Org, title string, marking sharing.Marking) *lessons.Lesson {
	w.t.Helper()
	l, err := w.s.Create(context.Background(), w.viewer(by), lessons.Input{OwnerOrg: team.Slug, Marking: string(marking), Title: en(title),
		Happened: en("Ransomware encrypted the registry servers of " + title + "."), Worked: en("Offline backups."),
		Change: en("Segment the network."), Category: "malicious-code", Sectors: []string{"health"}, Countries: []string{"KE"}}, "")
	if err != nil {
		w.t.Fatal(err)
	}
	return l
}

// form is a valid lesson form; changes set (or, when empty, remove) fields.
func form(changes map[string]string) url.Values {
	v := url.Values{"marking": {"green"}, "title.original": {"en"}, "title.en": {"Bank phishing wave"},
		"happened.original": {"en"}, "happened.en": {"A phishing wave hit three banks."}, "worked.en": {"Takedowns within hours."},
		"change.en": {"Share indicators earlier."}, "category": {"fraud"}, "sectors": {"banking"}, "countries": {"KE", "TZ"}}
	for k, x := range changes {
		if x == "" {
			v.Del(k)
		} else {
			v.Set(k, x)
		}
	}
	return v
}

// TestVisibilityByMarking: CLEAR for everyone, GREEN for the vetted CERTs,
// AMBER for the owner and those it is shared with, AMBER+STRICT for the
// owner — in pages, the API, search and its totals.
func TestVisibilityByMarking(t *testing.T) {
	w := newWorld(t)
	ke, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	_, ghAdmin := w.team("gh-cert", org.NationalCERT, "GH", true)
	ng, ngAdmin := w.team("ng-cert", org.NationalCERT, "NG", false) // verified, not vetted
	_, entAdmin := w.team("kcb", org.Enterprise, "KE", false)
	analyst := w.person("analyst@ke-cert.example")
	if err := w.e.App.Orgs.AddMember(t.Context(), ke.Slug, analyst.ID, []string{cert.RoleAnalyst}); err != nil {
		t.Fatal(err)
	}
	clear := w.lesson(analyst, ke, "Alpha", sharing.Clear)
	green := w.lesson(analyst, ke, "Bravo", sharing.Green)
	amber := w.lesson(analyst, ke, "Charlie", sharing.Amber)
	strict := w.lesson(analyst, ke, "Delta", sharing.AmberStrict)
	m := &sharing.Meta{Type: lessons.Type, ID: amber.ID, OwnerOrg: ke.ID, Marking: sharing.Amber, State: sharing.Published}
	if _, err := w.e.App.Sharing.AddShare(t.Context(), w.viewer(keAdmin), m, ke.ID, sharing.ToOrg, ng.ID, ""); err != nil {
		t.Fatal(err)
	}
	all := []*lessons.Lesson{clear, green, amber, strict}
	anon := w.e.Browser()
	cases := []struct {
		name string
		b    *apptest.Browser
		api  *apptest.Browser
		sees []*lessons.Lesson
	}{
		{"anonymous", anon, anon, []*lessons.Lesson{clear}},
		{"verified enterprise", entAdmin.B, w.api(entAdmin), []*lessons.Lesson{clear}},
		{"non-vetted CERT shared with", ngAdmin.B, w.api(ngAdmin), []*lessons.Lesson{clear, amber}},
		{"vetted CERT", ghAdmin.B, w.api(ghAdmin), []*lessons.Lesson{clear, green}},
		{"the team's analyst", analyst.B, w.api(analyst), all},
		{"platform administrator", nil, w.api(w.admin), []*lessons.Lesson{clear}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var list struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
			}
			for _, q := range []string{"", "?q=ransomware", "?q=ransomware&category=malicious-code&country=KE"} {
				res := c.api.Get("/api/v1/cert/lessons" + q)
				if err := json.Unmarshal([]byte(res.Body), &list); err != nil {
					t.Fatalf("list%s: %d %s", q, res.StatusCode, res.Body)
				}
				var got []string
				for _, it := range list.Items {
					got = append(got, it.ID)
				}
				for _, l := range all {
					if slices.Contains(got, l.ID) != slices.Contains(c.sees, l) {
						t.Errorf("list%s shows %s (%s): %v", q, l.TitlePlain, l.Marking, !slices.Contains(c.sees, l))
					}
				}
			}
			for _, l := range all {
				want := http.StatusNotFound
				if slices.Contains(c.sees, l) {
					want = http.StatusOK
				}
				if res := c.api.Get("/api/v1/cert/lessons/" + l.ID); res.StatusCode != want {
					t.Errorf("API %s (%s): %d, want %d", l.TitlePlain, l.Marking, res.StatusCode, want)
				}
				if c.b == nil {
					continue
				}
				if res := c.b.Get("/cert/lessons/" + l.ID); res.StatusCode != want {
					t.Errorf("page %s (%s): %d, want %d", l.TitlePlain, l.Marking, res.StatusCode, want)
				}
			}
			if c.b != nil {
				page := c.b.Get("/cert/lessons?q=ransomware&lang=en")
				want := map[int]string{1: "1 lesson found", 2: "2 lessons found", 4: "4 lessons found"}[len(c.sees)]
				if !strings.Contains(page.Body, want) {
					t.Errorf("search page lacks %q", want)
				}
			}
		})
	}
}

// TestWriteAndEdit: a team's admins and analysts write and edit lessons
// through the pages; others cannot; bad input changes nothing.
func TestWriteAndEdit(t *testing.T) {
	w := newWorld(t)
	ke, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	_, ghAdmin := w.team("gh-cert", org.NationalCERT, "GH", true)
	_, entAdmin := w.team("kcb", org.Enterprise, "KE", false)

	if res := entAdmin.B.Get("/cert/lessons/new"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a non-CERT's new page: %d", res.StatusCode)
	}
	if res := entAdmin.B.Post("/cert/lessons", form(nil)); res.StatusCode != http.StatusForbidden || w.count() != 0 {
		t.Errorf("a non-CERT writes: %d", res.StatusCode)
	}
	for name, change := range map[string]map[string]string{
		"NoTitle": {"title.en": ""}, "NoHappened": {"happened.en": ""}, "Class": {"category": "aliens"}, "Sector": {"sectors": "piracy"},
		"Country": {"countries": "XX"}, "Marking": {"marking": "red"}, "Case": {"case_id": "no-such-case"},
	} {
		if res := keAdmin.B.Post("/cert/lessons?lang=en", form(change)); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", name, res.StatusCode)
		}
	}
	if w.count() != 0 {
		t.Fatalf("bad input stored %d lessons", w.count())
	}
	res := keAdmin.B.Post("/cert/lessons", form(nil))
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/cert/lessons/") {
		t.Fatalf("write: %d\n%s", res.StatusCode, res.Body)
	}
	path := res.Header.Get("Location")
	id := strings.TrimPrefix(path, "/cert/lessons/")
	page := ghAdmin.B.Get(path + "?lang=en")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "Takedowns within hours.") || !strings.Contains(page.Body, "TLP:GREEN") {
		t.Fatalf("a vetted CERT reads the GREEN lesson: %d", page.StatusCode)
	}
	if strings.Contains(page.Body, path+"/edit") {
		t.Error("another team is offered the edit link")
	}
	if res := ghAdmin.B.Post(path+"/edit", form(map[string]string{"title.en": "Hijacked"})); res.StatusCode != http.StatusForbidden {
		t.Errorf("another team edits: %d", res.StatusCode)
	}
	if res := ghAdmin.api(w).Do(http.MethodPatch, "/api/v1/cert/lessons/"+id, strings.NewReader(`{"marking":"clear"}`), "application/json"); res.StatusCode != http.StatusForbidden {
		t.Errorf("another team patches: %d", res.StatusCode)
	}
	// The owner opens it to everyone: the change of marking is audited.
	if res := keAdmin.B.Post(path+"/edit", form(map[string]string{"marking": "clear", "title.en": "Bank phishing wave, 2026"})); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.StatusCode)
	}
	if res := w.e.Browser().Get(path + "?lang=en"); !strings.Contains(res.Body, "Bank phishing wave, 2026") {
		t.Errorf("the public does not read the CLEAR lesson: %d", res.StatusCode)
	}
	var n int
	w.e.App.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_entries WHERE target_id = $1`, id).Scan(&n)
	if n < 3 {
		t.Errorf("%d audit entries for a creation, an edit and a marking change", n)
	}
	_ = ke
}

// api is the person's token client (helper for brevity in tests).
func (p *person) api(w *world) *apptest.Browser { return w.api(p) }

// TestCaseLink: a lesson names its case only to those who may see the case.
func TestCaseLink(t *testing.T) {
	w := newWorld(t)
	ke, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	_, ghAdmin := w.team("gh-cert", org.NationalCERT, "GH", true)
	now := w.e.Clock.Now()
	if _, err := w.e.App.DB.W.Exec(`INSERT INTO cert_cases (id, owner_org, marking, state, title, created_at, updated_at)
		VALUES ('case-ke-1', $1, 'amber+strict', 'published', 'Registry ransomware', $2, $2)`, ke.ID, now); err != nil {
		t.Fatal(err)
	}
	// Another team cannot link a case it does not see.
	gh, _ := w.e.App.Orgs.BySlug(t.Context(), "gh-cert")
	if _, err := w.s.Create(t.Context(), w.viewer(ghAdmin), lessons.Input{OwnerOrg: gh.Slug, Marking: "green", Title: en("Probe"),
		Happened: en("Probing a case id."), CaseID: "case-ke-1"}, ""); err == nil {
		t.Fatal("a lesson linked a case its author cannot see")
	}
	l, err := w.s.Create(t.Context(), w.viewer(keAdmin), lessons.Input{OwnerOrg: ke.Slug, Marking: "green", Title: en("Registry lessons"),
		Happened: en("The registry was encrypted."), CaseID: "case-ke-1"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if res := keAdmin.B.Get("/cert/lessons/" + l.ID); !strings.Contains(res.Body, "/cert/cases/case-ke-1") {
		t.Error("the team does not see its case link")
	}
	if res := ghAdmin.B.Get("/cert/lessons/" + l.ID); res.StatusCode != http.StatusOK || strings.Contains(res.Body, "case-ke-1") {
		t.Errorf("another vetted CERT sees the hidden case: %d", res.StatusCode)
	}
	if res := w.api(ghAdmin).Get("/api/v1/cert/lessons/" + l.ID); strings.Contains(res.Body, "case-ke-1") {
		t.Error("the API names the hidden case")
	}
}

// TestLanguages: the pages render in the six languages with no message
// key left untranslated.
func TestLanguages(t *testing.T) {
	w := newWorld(t)
	ke, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	l := w.lesson(keAdmin, ke, "Alpha", sharing.Clear)
	for _, lang := range []string{"zh-Hans", "en", "fr", "ar", "pt", "sw"} {
		for _, path := range []string{"/cert/lessons", "/cert/lessons/" + l.ID, "/cert/lessons/new", "/cert/lessons/" + l.ID + "/edit"} {
			res := keAdmin.B.Get(path + "?lang=" + lang)
			if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "cert.lessons.") {
				t.Errorf("%s %s: %d or an untranslated key", lang, path, res.StatusCode)
			}
		}
	}
}

// TestAPI: writing, changing and filtering lessons through the API, with
// pages of results.
func TestAPI(t *testing.T) {
	w := newWorld(t)
	ke, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	c := w.api(keAdmin)
	body := `{"team": "ke-cert", "marking": "green", "title": {"original": "fr", "texts": {"fr": "Vague d'hameçonnage"}},
		"happened": {"original": "fr", "texts": {"fr": "Des SMS frauduleux visaient les clients."}}, "category": "fraud",
		"sectors": ["banking"], "countries": ["ke", "TZ"]}`
	res := c.Do(http.MethodPost, "/api/v1/cert/lessons", strings.NewReader(body), "application/json")
	var got struct {
		ID        string   `json:"id"`
		Marking   string   `json:"marking"`
		Countries []string `json:"countries"`
	}
	if err := json.Unmarshal([]byte(res.Body), &got); err != nil || res.StatusCode != http.StatusCreated || got.Marking != "green" ||
		strings.Join(got.Countries, ",") != "KE,TZ" {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	if res := c.Do(http.MethodPost, "/api/v1/cert/lessons", strings.NewReader(`{"team": "ke-cert", "marking": "green"}`), "application/json"); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, `"fields"`) {
		t.Errorf("create without texts: %d %s", res.StatusCode, res.Body)
	}
	res = c.Do(http.MethodPatch, "/api/v1/cert/lessons/"+got.ID, strings.NewReader(`{"marking": "amber+strict", "category": "vulnerable"}`), "application/json")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"marking":"amber+strict"`) || !strings.Contains(res.Body, `"category":"vulnerable"`) {
		t.Fatalf("patch: %d %s", res.StatusCode, res.Body)
	}
	for range 3 {
		w.lesson(keAdmin, ke, "Filler", sharing.Green)
		w.e.Clock.Advance(time.Second)
	}
	seen := map[string]bool{}
	next := "/api/v1/cert/lessons?limit=2"
	for next != "" {
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			Next *string `json:"next"`
		}
		if err := json.Unmarshal([]byte(c.Get(next).Body), &page); err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			if seen[it.ID] {
				t.Errorf("%s twice", it.ID)
			}
			seen[it.ID] = true
		}
		next = ""
		if page.Next != nil {
			next = "/api/v1/cert/lessons?limit=2&cursor=" + url.QueryEscape(*page.Next)
		}
	}
	if len(seen) != 4 {
		t.Errorf("pages held %d lessons, want 4", len(seen))
	}
	for q, want := range map[string]int{"category=vulnerable": 1, "country=TZ": 1, "sector=health": 3, "q=hameçonnage": 1, "category=aliens": -1} {
		res := c.Get("/api/v1/cert/lessons?" + q)
		if want < 0 {
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d", q, res.StatusCode)
			}
			continue
		}
		if n := strings.Count(res.Body, `"url"`); n != want {
			t.Errorf("%s: %d lessons, want %d", q, n, want)
		}
	}
}
