package membership_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/network/membership"
	"harambee.africa/harambee/internal/sharing/matrix"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

// TestMatrix checks every route that shows applications against every
// viewer role and every combination of marking, share, state and embargo.
func TestMatrix(t *testing.T) {
	e := apptest.Start(t)
	// Seeded applications are closed (rejected), so that one owner can hold
	// many: an organisation has one open application at a time.
	insert := func(ctx context.Context, ownerOrg, s string) (string, error) {
		id := uuid.Must(uuid.NewV7()).String()
		now := e.Clock.Now()
		_, err := e.App.DB.W.ExecContext(ctx, `INSERT INTO network_applications (id, org_name, activities, started_year, contact_name,
			contact_email, statement, status, submitted_by, created_at, updated_at, owner_org, marking, state)
			VALUES ($1, $3, $2, 2018, 'Owner', 'owner@matrix.test', $3, 'rejected', 'seed', $4, $4, $5, 'amber', 'published')`,
			id, text.New("en", "Cloud in Kenya", "", now), s, now, ownerOrg)
		if err == nil {
			_, err = e.App.DB.W.ExecContext(ctx, `INSERT INTO network_application_countries (application_id, country) VALUES ($1, 'KE')`, id)
		}
		return id, err
	}
	w := matrix.Build(t, e, e.App.Sharing, membership.Type, insert)
	if len(w.Cases) < 40 {
		t.Fatalf("only %d cases seeded", len(w.Cases))
	}
	// allPages follows the API list's cursors.
	allPages := func(path string) func(b *apptest.Browser) string {
		return func(b *apptest.Browser) string {
			var out strings.Builder
			next := ""
			for range 20 {
				p := path
				if next != "" {
					p += "&cursor=" + next
				}
				body := b.Get(p).Body
				out.WriteString(body)
				var l struct{ Next *string }
				json.Unmarshal([]byte(body), &l)
				if l.Next == nil {
					break
				}
				next = *l.Next
			}
			return out.String()
		}
	}
	item := func(path string) func(b *apptest.Browser, id string) (int, string) {
		return func(b *apptest.Browser, id string) (int, string) {
			res := b.Get(strings.ReplaceAll(path, "{id}", id))
			return res.StatusCode, res.Body
		}
	}
	probes := map[string]matrix.Probe{
		"GET /api/v1/network/applications":                 {List: allPages("/api/v1/network/applications?limit=30")},
		"GET /api/v1/network/applications?status=rejected": {List: allPages("/api/v1/network/applications?status=rejected&limit=30")},
		"GET /network/applications/{id}":                   {Item: item("/network/applications/{id}")},
		"GET /api/v1/network/applications/{id}":            {Item: item("/api/v1/network/applications/{id}")},
		"GET /share/{type}/{id}":                           {Item: item("/share/network.application/{id}")},
		"GET /api/v1/shares/{type}/{id}":                   {Item: item("/api/v1/shares/network.application/{id}")},
		"GET /report/{type}/{id}":                          {Item: item("/report/network.application/{id}")},
	}
	roleOf := map[*apptest.Browser]matrix.Role{}
	for r, b := range w.Browsers {
		roleOf[b] = r
	}
	probes["Service.List (the officers' queue and the API list)"] = matrix.Probe{List: func(b *apptest.Browser) string {
		var sb strings.Builder
		cursor := ""
		for {
			list, next, err := e.App.Network.Membership.List(context.Background(), w.Viewers[roleOf[b]], membership.Filter{Cursor: cursor, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range list {
				sb.WriteString(a.Statement + "\n")
			}
			if next == "" {
				return sb.String()
			}
			cursor = next
		}
	}}
	for k, v := range matrix.Exempt("the officers' queue: checked below (officers see what Visible gives them, everyone else is refused)",
		"GET /network/applications") {
		probes[k] = v
	}
	for k, v := range matrix.Exempt("shows the latest application of each of the viewer's organisations: checked below (never one the viewer may not see)",
		"GET /network/apply") {
		probes[k] = v
	}
	for k, v := range matrix.Exempt("the public list of member organisations: directory entries, no applications", "GET /network/members", "GET /api/v1/network/members") {
		probes[k] = v
	}
	for k, v := range matrix.Exempt("changes, not reads: refused unless the viewer sees the record and holds the authority (TestApplyReviewApprove, TestRejectThroughTheAPI, sharing tests)",
		"POST /network/apply", "POST /api/v1/network/applications", "POST /network/applications/{id}/review", "POST /network/applications/{id}/reply",
		"POST /network/applications/{id}/remove", "POST /api/v1/network/applications/{id}/review", "POST /api/v1/network/applications/{id}/reply",
		"POST /api/v1/network/applications/{id}/remove",
		"POST /share/{type}/{id}/marking", "POST /share/{type}/{id}/state", "POST /share/{type}/{id}/embargo",
		"POST /share/{type}/{id}/shares", "POST /share/{type}/{id}/shares/{share}/remove",
		"POST /api/v1/shares/{type}/{id}", "DELETE /api/v1/shares/{type}/{id}/{share}", "PUT /api/v1/shares/{type}/{id}/marking",
		"POST /report/{type}/{id}") {
		probes[k] = v
	}
	var routes []web.Route
	for _, r := range e.App.Site.Routes() {
		if strings.HasPrefix(r.Path, "/network/appl") || strings.HasPrefix(r.Path, "/api/v1/network/appl") || strings.Contains(r.Path, "/network/members") ||
			strings.HasPrefix(r.Path, "/share/") || strings.HasPrefix(r.Path, "/api/v1/shares/") || strings.HasPrefix(r.Path, "/report/") {
			routes = append(routes, r)
		}
	}
	w.Check(t, routes, probes)

	// The officers' queue: officers see exactly what the model allows them,
	// page after page; everyone else is refused.
	link := regexp.MustCompile(`href="(/network/applications\?[^"]+)" rel="next"`)
	for _, role := range matrix.Roles {
		b := w.Browsers[role]
		res := b.Get("/network/applications")
		if role != matrix.Officer {
			want := http.StatusForbidden
			if role == matrix.Anonymous {
				want = http.StatusSeeOther
			}
			if res.StatusCode != want {
				t.Errorf("queue as %s: %d, want %d", role, res.StatusCode, want)
			}
			for _, c := range w.Cases {
				if strings.Contains(res.Body, c.Marker) {
					t.Errorf("queue as %s shows %s", role, c)
				}
			}
			continue
		}
		body := res.Body
		for range 20 {
			m := link.FindStringSubmatch(res.Body)
			if m == nil {
				break
			}
			res = b.Get(strings.ReplaceAll(m[1], "&amp;", "&"))
			body += res.Body
		}
		for _, c := range w.Cases {
			if got := strings.Contains(body, c.Marker); got != matrix.Allowed(c, role) {
				t.Errorf("queue as officer: record %s present=%v", c, got)
			}
		}
	}
	// The apply page links only applications the viewer may see.
	ids := regexp.MustCompile(`/network/applications/([0-9a-f-]{36})`)
	byID := map[string]matrix.Case{}
	for _, c := range w.Cases {
		byID[c.ID] = c
	}
	for _, role := range matrix.Roles {
		body := w.Browsers[role].Get("/network/apply").Body
		for _, m := range ids.FindAllStringSubmatch(body, -1) {
			if c, ok := byID[m[1]]; !ok || !matrix.Allowed(c, role) {
				t.Errorf("apply page as %s links application %s", role, m[1])
			}
		}
		if role == matrix.OwnerEditor && len(ids.FindAllStringSubmatch(body, -1)) == 0 {
			t.Error("the apply page does not show the owner its latest application")
		}
	}
}
