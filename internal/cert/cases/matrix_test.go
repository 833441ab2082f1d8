package cases_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/search"
	"harambee.africa/harambee/internal/sharing/matrix"
	"harambee.africa/harambee/internal/web"
)

// TestMatrix checks every route that shows cases against every viewer role
// and every combination of marking, share, state and embargo. Cases are
// seeded in SQL (the harness's owner is no CERT) with the default
// community, so that GREEN means what the harness's truth table says; a
// note and a task carrying the marker probe the timeline and the tasks.
func TestMatrix(t *testing.T) {
	e := apptest.Start(t)
	insert := func(ctx context.Context, ownerOrg, text string) (string, error) {
		id := uuid.Must(uuid.NewV7()).String()
		now := e.Clock.Now()
		err := e.App.DB.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cert_cases (id, owner_org, marking, state, community, title, summary, severity, status,
				countries, created_at, updated_at) VALUES ($1, $2, 'amber', 'published', '', $3, $4, 'high', 'in_progress', 'KE', $5, $5)`,
				id, ownerOrg, text, "summary "+text, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO cert_case_events (id, case_id, kind, body, created_at) VALUES ($1, $2, 'comment', $3, $4)`,
				uuid.Must(uuid.NewV7()).String(), id, "note "+text, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO cert_case_tasks (id, case_id, title, created_by, created_at, updated_at)
				VALUES ($1, $2, $3, '', $4, $4)`, uuid.Must(uuid.NewV7()).String(), id, "task "+text, now); err != nil {
				return err
			}
			return search.Index(ctx, tx, cert.CaseTypeName, id, text)
		})
		return id, err
	}
	w := matrix.Build(t, e, e.App.Sharing, cert.CaseType, insert)
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
	part := func(path, after string) func(b *apptest.Browser, id string) (int, string) {
		return func(b *apptest.Browser, id string) (int, string) {
			res := b.Get(strings.ReplaceAll(path, "{id}", id))
			_, rest, _ := strings.Cut(res.Body, after)
			return res.StatusCode, rest
		}
	}
	timeline := func(b *apptest.Browser, id string) (int, string) { // only the notes and tasks of the API answer
		res := b.Get("/api/v1/cert/cases/" + id)
		var c struct {
			Timeline []struct{ Body string }
			Tasks    []struct{ Title string }
		}
		json.Unmarshal([]byte(res.Body), &c)
		var out []string
		for _, ev := range c.Timeline {
			out = append(out, ev.Body)
		}
		for _, tk := range c.Tasks {
			out = append(out, tk.Title)
		}
		return res.StatusCode, strings.Join(out, "\n")
	}
	total := regexp.MustCompile(`data-total="(\d+)"`)
	probes := map[string]matrix.Probe{
		"GET /cert/cases":                           {List: pages("/cert/cases?limit=100")},
		"GET /cert/cases?filters":                   {List: pages("/cert/cases?status=in_progress&severity=high&country=KE&limit=100")},
		"GET /cert/cases?q=record":                  {List: pages("/cert/cases?q=record&limit=100")},
		"GET /api/v1/cert/cases":                    {List: apiPages("/api/v1/cert/cases?limit=100")},
		"GET /api/v1/cert/cases?q=record":           {List: apiPages("/api/v1/cert/cases?q=record&limit=100")},
		"GET /cert/cases/{id}":                      {Item: item("/cert/cases/{id}")},
		"GET /cert/cases/{id} (timeline)":           {Item: part("/cert/cases/{id}", `id="timeline-h"`)},
		"GET /cert/cases/{id} (tasks)":              {Item: part("/cert/cases/{id}", `id="tasks"`)},
		"GET /api/v1/cert/cases/{id}":               {Item: item("/api/v1/cert/cases/{id}")},
		"GET /api/v1/cert/cases/{id} (notes/tasks)": {Item: timeline},
		"GET /cert/cases?q=record (total)": {Count: func(b *apptest.Browser) int {
			m := total.FindStringSubmatch(b.Get("/cert/cases?q=record").Body)
			if m == nil {
				return -1
			}
			n, _ := strconv.Atoi(m[1])
			return n
		}},
	}
	exempt := func(why string, routes ...string) {
		for k, v := range matrix.Exempt(why, routes...) {
			probes[k] = v
		}
	}
	exempt("a blank form: no record", "GET /cert/cases/new")
	exempt("the export goes through the observables part, which filters by the viewer; the case itself through Get (TestHandOver, TestRoutesByRole)",
		"GET /cert/cases/{id}/stix", "GET /api/v1/cert/cases/{id}/stix")
	exempt("changes and editor forms: 404 for those who do not see the case, 403 for those who see it but do not edit it (TestRoutesByRole)",
		"POST /cert/cases", "GET /cert/cases/{id}/edit", "POST /cert/cases/{id}/edit", "POST /cert/cases/{id}/status",
		"POST /cert/cases/{id}/assign", "POST /cert/cases/{id}/marking", "POST /cert/cases/{id}/comments", "POST /cert/cases/{id}/tasks",
		"POST /cert/cases/{id}/tasks/{task}", "GET /cert/cases/{id}/handover", "POST /cert/cases/{id}/handover",
		"POST /api/v1/cert/cases", "PATCH /api/v1/cert/cases/{id}", "POST /api/v1/cert/cases/{id}/status", "POST /api/v1/cert/cases/{id}/assign",
		"POST /api/v1/cert/cases/{id}/comments", "POST /api/v1/cert/cases/{id}/tasks", "PATCH /api/v1/cert/cases/{id}/tasks/{task}",
		"POST /api/v1/cert/cases/{id}/handovers")
	exempt("hand-overs are no shareable records: probed by role (TestHandOver, TestRoutesByRole)",
		"GET /cert/handovers", "GET /cert/handovers/{id}", "POST /cert/handovers/{id}/accept", "POST /cert/handovers/{id}/decline",
		"POST /cert/handovers/{id}/withdraw", "POST /cert/handovers/{id}/summary", "GET /api/v1/cert/handovers",
		"GET /api/v1/cert/handovers/{id}", "POST /api/v1/cert/handovers/{id}/accept", "POST /api/v1/cert/handovers/{id}/decline",
		"POST /api/v1/cert/handovers/{id}/withdraw", "PATCH /api/v1/cert/handovers/{id}")
	var routes []web.Route
	for _, r := range e.App.Site.Routes() {
		if strings.Contains(r.Path, "/observables") {
			continue // the observables part's routes under a case: its own matrix
		}
		if strings.HasPrefix(r.Path, "/cert/cases") || strings.HasPrefix(r.Path, "/api/v1/cert/cases") ||
			strings.HasPrefix(r.Path, "/cert/handovers") || strings.HasPrefix(r.Path, "/api/v1/cert/handovers") {
			routes = append(routes, r)
		}
	}
	w.Check(t, routes, probes)
}
