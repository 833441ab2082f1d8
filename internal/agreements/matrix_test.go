package agreements_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/agreements"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/sharing/matrix"
	"harambee.africa/harambee/internal/web"
)

// TestMatrix checks every route that shows agreements against every viewer
// role and every combination of marking, share, state and embargo: a
// record is present exactly where the sharing model allows.
func TestMatrix(t *testing.T) {
	e := apptest.Start(t)
	svc := e.App.Agreements
	var owner *web.Viewer
	insert := func(ctx context.Context, ownerOrg, text string) (string, error) {
		if owner == nil { // the owner organisation's editor, who registers every record
			u, err := e.App.Accounts.UserByEmail(ctx, "owner-editor@matrix.test")
			if err != nil {
				return "", err
			}
			ms, err := e.App.Orgs.Memberships(ctx, u.ID)
			if err != nil {
				return "", err
			}
			owner = &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym, Roles: u.Roles, Orgs: ms}
		}
		a, err := svc.Create(ctx, owner, agreements.Input{OwnerOrg: ownerOrg, Kind: "mou",
			Title:   agreements.TextInput{Original: "en", Texts: map[string]string{"en": text}},
			Parties: []agreements.PartyInput{gov("KE"), gov("CN")}, SignedOn: e.Clock.Now().AddDate(-1, 0, 0).Format(time.DateOnly)}, "")
		if err != nil {
			return "", err
		}
		return a.ID, nil
	}
	w := matrix.Build(t, e, e.App.Sharing, agreements.Type, insert)
	if len(w.Cases) < 40 {
		t.Fatalf("only %d cases seeded", len(w.Cases))
	}
	roleOf := map[*apptest.Browser]matrix.Role{}
	for r, b := range w.Browsers {
		roleOf[b] = r
	}
	get := func(path string) func(b *apptest.Browser) string {
		return func(b *apptest.Browser) string { return b.Get(path).Body }
	}
	item := func(path string) func(b *apptest.Browser, id string) (int, string) {
		return func(b *apptest.Browser, id string) (int, string) {
			res := b.Get(strings.ReplaceAll(path, "{id}", id))
			return res.StatusCode, res.Body
		}
	}
	total := regexp.MustCompile(`data-total="(\d+)"`)
	probes := map[string]matrix.Probe{
		"GET /agreements":                 {List: get("/agreements?limit=100")},
		"GET /agreements?q=record":        {List: get("/agreements?q=record&limit=100")},
		"GET /agreements?status=in_force": {List: get("/agreements?status=in_force&country=KE&kind=mou&limit=100")},
		"GET /agreements.csv":             {List: get("/agreements.csv")},
		"GET /agreements.csv?q=record":    {List: get("/agreements.csv?q=record")},
		"GET /api/v1/agreements":          {List: get("/api/v1/agreements?limit=100")},
		"GET /api/v1/agreements?q=record": {List: get("/api/v1/agreements?q=record&limit=100")},
		"GET /agreements/{id}":            {Item: item("/agreements/{id}")},
		"GET /api/v1/agreements/{id}":     {Item: item("/api/v1/agreements/{id}")},
		"GET /share/{type}/{id}":          {Item: item("/share/agreements.agreement/{id}")},
		"GET /api/v1/shares/{type}/{id}":  {Item: item("/api/v1/shares/agreements.agreement/{id}")},
		"GET /report/{type}/{id}":         {Item: item("/report/agreements.agreement/{id}")},
		"GET /agreements?q=record (total)": {Count: func(b *apptest.Browser) int {
			n, _ := strconv.Atoi(regexpFind(b.Get("/agreements?q=record").Body, total.String()))
			return n
		}},
		"GET /api/v1/indicators (plan.agreements)": {Count: func(b *apptest.Browser) int {
			var list struct {
				Items []struct {
					Key   string
					Value struct{ Total float64 }
				}
			}
			json.Unmarshal([]byte(b.Get("/api/v1/indicators").Body), &list)
			for _, it := range list.Items {
				if it.Key == "plan.agreements" {
					return int(it.Value.Total)
				}
			}
			return -1
		}},
		"Service.ForOrg (for other modules' profiles)": {List: func(b *apptest.Browser) string {
			list, err := svc.ForOrg(context.Background(), w.Viewers[roleOf[b]], w.Orgs["owner"].ID)
			if err != nil {
				t.Fatal(err)
			}
			var titles []string
			for _, s := range list {
				titles = append(titles, s.TitlePlain)
			}
			return strings.Join(titles, "\n")
		}},
	}
	for k, v := range matrix.Exempt("a blank form: no record", "GET /agreements/new") {
		probes[k] = v
	}
	for k, v := range matrix.Exempt("shows a record to its owner's editors only: checked below, and refusals in TestEditing", "GET /agreements/{id}/edit") {
		probes[k] = v
	}
	for k, v := range matrix.Exempt("changes, not reads: refused unless the viewer sees the record and edits it (TestEditing, TestAPI, sharing tests)",
		"POST /agreements", "POST /agreements/{id}/edit", "POST /api/v1/agreements", "PATCH /api/v1/agreements/{id}",
		"POST /share/{type}/{id}/marking", "POST /share/{type}/{id}/state", "POST /share/{type}/{id}/embargo",
		"POST /share/{type}/{id}/shares", "POST /share/{type}/{id}/shares/{share}/remove",
		"POST /api/v1/shares/{type}/{id}", "DELETE /api/v1/shares/{type}/{id}/{share}", "PUT /api/v1/shares/{type}/{id}/marking",
		"POST /report/{type}/{id}") {
		probes[k] = v
	}
	var routes []web.Route
	for _, r := range e.App.Site.Routes() {
		if strings.Contains(r.Path, "agreements") || strings.HasPrefix(r.Path, "/share/") || strings.HasPrefix(r.Path, "/api/v1/shares/") ||
			strings.HasPrefix(r.Path, "/report/") {
			routes = append(routes, r)
		}
	}
	w.Check(t, routes, probes)

	// The edit page: the owner's editors only; 403 for those who see the
	// record, 404 for those who do not, as if it did not exist.
	for _, role := range matrix.Roles {
		for _, c := range w.Cases {
			res := w.Browsers[role].Get("/agreements/" + c.ID + "/edit")
			want := http.StatusNotFound
			switch {
			case role == matrix.Anonymous:
				want = http.StatusSeeOther
			case role == matrix.OwnerEditor:
				want = http.StatusOK
			case matrix.Allowed(c, role):
				want = http.StatusForbidden
			}
			if res.StatusCode != want || (want != http.StatusOK) == strings.Contains(res.Body, c.Marker) {
				t.Errorf("edit page as %s: record %s: status %d, want %d", role, c, res.StatusCode, want)
			}
		}
	}
}
