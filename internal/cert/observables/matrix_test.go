package observables_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/observables"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/sharing/matrix"
	"harambee.africa/harambee/internal/web"
)

// TestMatrix checks every route that shows observables against every viewer
// role and every combination of the observable's marking, shares, state and
// embargo. The observables sit in one TLP:CLEAR case, so that what decides
// is the observable's own sharing; an AMBER+STRICT observable shared with
// the recipient organisation, for instance, must show to its people alone —
// not to the platform administrator, the community, nor the other members
// of a circle the recipient is in. The second half puts a TLP:CLEAR
// observable in a case nobody else sees, and checks that it shows to
// nobody but the owner, anywhere.
func TestMatrix(t *testing.T) {
	e := apptest.Start(t)
	if _, err := e.App.Sharing.TypeOf(cert.CaseTypeName); err != nil {
		e.App.Sharing.Declare(cert.CaseType)
	}
	svc := e.App.CertParts.Observables
	ctx := context.Background()
	var owner *web.Viewer
	var caseID string
	values := map[string]string{} // observable id → its value
	insert := func(ctx context.Context, ownerOrg, text string) (string, error) {
		if owner == nil {
			u, err := e.App.Accounts.UserByEmail(ctx, "owner-editor@matrix.test")
			if err != nil {
				return "", err
			}
			ms, err := e.App.Orgs.Memberships(ctx, u.ID)
			if err != nil {
				return "", err
			}
			owner = &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym, Name: u.Name, Roles: u.Roles, Orgs: ms}
			caseID = uuid.Must(uuid.NewV7()).String()
			if _, err := e.App.DB.W.Exec(`INSERT INTO cert_cases (id, owner_org, marking, state, community, title, created_at, updated_at)
				VALUES ($1, $2, 'clear', 'published', '', 'Matrix case', $3, $3)`, caseID, ownerOrg, e.Clock.Now()); err != nil {
				return "", err
			}
		}
		value := strings.TrimPrefix(text, "record ") + ".matrix.example.org"
		res, err := svc.Paste(ctx, owner, caseID, observables.PasteInput{Text: value, Note: text}, "")
		if err != nil {
			return "", err
		}
		values[res.IDs[0]] = value
		return res.IDs[0], nil
	}
	w := matrix.Build(t, e, e.App.Sharing, observables.Type, insert)
	if len(w.Cases) < 40 {
		t.Fatalf("only %d cases seeded", len(w.Cases))
	}
	nextLink := regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	pages := func(first string) func(b *apptest.Browser) string {
		return func(b *apptest.Browser) string {
			var all strings.Builder
			path := first
			for i := 0; path != "" && i < 20; i++ {
				body := b.Get(path).Body
				all.WriteString(body)
				path = ""
				if m := nextLink.FindStringSubmatch(body); m != nil {
					path = html.UnescapeString(m[1])
				}
			}
			return all.String()
		}
	}
	apiPages := func(path string) func(b *apptest.Browser) string {
		return func(b *apptest.Browser) string {
			var all strings.Builder
			cursor := ""
			for i := 0; i < 20; i++ {
				p := path
				if cursor != "" {
					p += "&cursor=" + cursor
				}
				body := b.Get(p).Body
				all.WriteString(body)
				var list struct{ Next string }
				json.Unmarshal([]byte(body), &list)
				if cursor = list.Next; cursor == "" {
					break
				}
			}
			return all.String()
		}
	}
	item := func(path string) func(b *apptest.Browser, id string) (int, string) {
		return func(b *apptest.Browser, id string) (int, string) {
			res := b.Get(strings.ReplaceAll(path, "{id}", id))
			return res.StatusCode, res.Body
		}
	}
	correlate := func(b *apptest.Browser, id string) (int, string) {
		res := b.Get("/api/v1/cert/observables/correlate?value=" + values[id])
		var out struct{ Items []observables.Match }
		json.Unmarshal([]byte(res.Body), &out)
		for _, m := range out.Items {
			if m.ID == id {
				return res.StatusCode, res.Body
			}
		}
		return res.StatusCode, ""
	}
	probes := map[string]matrix.Probe{
		"GET /cert/cases/{id}/observables":        {List: pages("/cert/cases/" + caseID + "/observables")},
		"GET /api/v1/cert/cases/{id}/observables": {List: apiPages("/api/v1/cert/cases/" + caseID + "/observables?limit=30")},
		"GET /cert/observables/{id}":              {Item: item("/cert/observables/{id}")},
		"GET /api/v1/cert/observables/{id}":       {Item: item("/api/v1/cert/observables/{id}")},
		"GET /api/v1/cert/observables/correlate":  {Item: correlate},
		"GET /share/{type}/{id}":                  {Item: item("/share/cert.observable/{id}")},
		"GET /api/v1/shares/{type}/{id}":          {Item: item("/api/v1/shares/cert.observable/{id}")},
	}
	for k, v := range matrix.Exempt("changes, not reads: refused unless the viewer edits the case or sees the observable (TestPasteDefangedAndErrors, TestSightings, TestDelete, sharing tests)",
		"POST /cert/cases/{id}/observables", "POST /api/v1/cert/cases/{id}/observables",
		"POST /cert/observables/{id}/sightings", "POST /api/v1/cert/observables/{id}/sightings",
		"POST /cert/observables/{id}/delete", "DELETE /api/v1/cert/observables/{id}",
		"POST /share/{type}/{id}/marking", "POST /share/{type}/{id}/state", "POST /share/{type}/{id}/embargo",
		"POST /share/{type}/{id}/shares", "POST /share/{type}/{id}/shares/{share}/remove",
		"POST /api/v1/shares/{type}/{id}", "DELETE /api/v1/shares/{type}/{id}/{share}", "PUT /api/v1/shares/{type}/{id}/marking") {
		probes[k] = v
	}
	var routes []web.Route
	for _, r := range e.App.Site.Routes() {
		if strings.HasPrefix(r.Path, "/cert/observables") || strings.HasPrefix(r.Path, "/api/v1/cert/observables") ||
			strings.HasSuffix(r.Path, "/cert/cases/{id}/observables") ||
			strings.HasPrefix(r.Path, "/share/") || strings.HasPrefix(r.Path, "/api/v1/shares/") {
			routes = append(routes, r)
		}
	}
	w.Check(t, routes, probes)

	for _, role := range matrix.Roles {
		v := w.Viewers[role] // nil for anonymous
		if role == matrix.Anonymous {
			v = nil
		}
		// The STIX export of the case carries exactly what the viewer may see.
		raw, err := svc.ExportCase(ctx, v, cert.CaseExport{ID: caseID, Title: "Matrix case", Status: cert.StatusNew, Marking: sharing.Clear,
			Created: e.Clock.Now(), Modified: e.Clock.Now(), TeamID: w.Orgs["owner"].ID, TeamName: "Matrix owner"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, c := range w.Cases {
			if got := strings.Contains(string(raw), c.Marker); got != matrix.Allowed(c, role) {
				t.Errorf("export as %s: record %s present=%v", role, c, got)
			}
			if matrix.Allowed(c, role) && (c.Marking == sharing.Clear || c.Marking == sharing.Green) {
				want++
			}
		}
		// The indicator counts only observables the viewer may see.
		val, err := svc.SharedIndicators().Compute(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		if int(val.Total) != want {
			t.Errorf("indicator as %s: %v, want %d", role, val.Total, want)
		}
	}

	// A hidden case: its TLP:CLEAR observable shows to its owner alone.
	hidden := uuid.Must(uuid.NewV7()).String()
	if _, err := e.App.DB.W.Exec(`INSERT INTO cert_cases (id, owner_org, marking, state, community, title, created_at, updated_at)
		VALUES ($1, $2, 'amber', 'published', '', 'Hidden matrix case', $3, $3)`, hidden, w.Orgs["owner"].ID, e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Paste(ctx, owner, hidden, observables.PasteInput{Text: "zzhidden.matrix.example.org", Marking: sharing.Clear}, "")
	if err != nil {
		t.Fatal(err)
	}
	id := res.IDs[0]
	for _, role := range matrix.Roles {
		b := w.Browsers[role]
		sees := role == matrix.OwnerEditor || role == matrix.OwnerMember
		v := w.Viewers[role]
		if role == matrix.Anonymous {
			v = nil
		}
		if _, err := svc.Get(ctx, v, id); (err == nil) != sees || (err != nil && !errs.Is(err, errs.NotFound)) {
			t.Errorf("hidden case as %s: %v", role, err)
		}
		for _, path := range []string{"/cert/observables/" + id, "/api/v1/cert/observables/" + id, "/cert/cases/" + hidden + "/observables",
			"/api/v1/cert/cases/" + hidden + "/observables"} {
			r := b.Get(path)
			if got := r.StatusCode == http.StatusOK && strings.Contains(r.Body, "zzhidden"); got != sees {
				t.Errorf("%s as %s: present=%v", path, role, got)
			}
		}
		// The kernel's own pages of the record follow the case too.
		for _, path := range []string{"/share/cert.observable/" + id, "/api/v1/shares/cert.observable/" + id, "/report/cert.observable/" + id} {
			if got := b.Get(path).StatusCode == http.StatusOK; got && !sees {
				t.Errorf("%s as %s: answered 200", path, role)
			}
		}
		for _, q := range []string{"zzhidden.matrix.example.org", "matrix.example.org"} {
			r := b.Get("/api/v1/cert/observables/correlate?value=" + q)
			var out struct{ Items json.RawMessage }
			json.Unmarshal([]byte(r.Body), &out)
			items := string(out.Items)
			if got := strings.Contains(items, "zzhidden") || strings.Contains(items, hidden); got != sees {
				t.Errorf("correlate %s as %s: present=%v", q, role, got)
			}
		}
	}
}
