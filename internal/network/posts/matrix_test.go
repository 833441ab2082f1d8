package posts_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/network/posts"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/sharing/matrix"
	"harambee.africa/harambee/internal/web"
)

// TestMatrix checks every route that shows posts or replies against every
// viewer role and every combination of marking, share, state and embargo.
// The matrix's community organisations and the programme office are made
// members of the network, so that GREEN — the network's members here — is
// seen by exactly the harness's community (verified organisations, the
// office among them); TestNetworkOnlyNeverLeaks covers verified
// organisations outside it and the real office, which is not a member.
func TestMatrix(t *testing.T) {
	e := apptest.Start(t)
	svc := e.App.Network.Posts
	var owner *web.Viewer
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
			for _, slug := range []string{"matrix-community", "matrix-recipient", "matrix-constituent", "office-network"} {
				o, err := e.App.Orgs.BySlug(ctx, slug)
				if err != nil {
					return "", err
				}
				if _, err := e.App.DB.W.Exec(`INSERT INTO group_members (group_id, org_id, added_at) VALUES ($1, $2, $3)`,
					e.App.Network.Core.Group.ID, o.ID, e.Clock.Now()); err != nil {
					return "", err
				}
			}
		}
		p, err := svc.Create(ctx, owner, input(text, "KE", "announcement"), "")
		if err != nil {
			return "", err
		}
		// Every post has a reply carrying its marker, for the reply probes.
		_, err = e.App.DB.W.Exec(`INSERT INTO network_post_replies (id, post_id, author_id, org_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			uuid.Must(uuid.NewV7()).String(), p.ID, owner.ID, ownerOrg, "reply to "+text, e.Clock.Now())
		return p.ID, err
	}
	w := matrix.Build(t, e, e.App.Sharing, posts.Type, insert)
	if len(w.Cases) < 40 {
		t.Fatalf("only %d cases seeded", len(w.Cases))
	}
	roleOf := map[*apptest.Browser]matrix.Role{}
	for r, b := range w.Browsers {
		roleOf[b] = r
	}
	nextLink := regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	pages := func(first string) func(b *apptest.Browser) string { // every page, following the pager
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
	replies := func(b *apptest.Browser, id string) (int, string) { // only the replies' text of the API answer
		res := b.Get("/api/v1/network/posts/" + id)
		var p struct{ Replies []struct{ Body string } }
		json.Unmarshal([]byte(res.Body), &p)
		var out []string
		for _, r := range p.Replies {
			out = append(out, r.Body)
		}
		return res.StatusCode, strings.Join(out, "\n")
	}
	repliesPage := func(b *apptest.Browser, id string) (int, string) { // the thread of the page, without the post
		res := b.Get("/network/posts/" + id)
		_, thread, _ := strings.Cut(res.Body, `id="replies"`)
		return res.StatusCode, thread
	}
	total := regexp.MustCompile(`data-total="(\d+)"`)
	probes := map[string]matrix.Probe{
		"GET /network/posts":                       {List: pages("/network/posts?limit=100")},
		"GET /network/posts?q=record":              {List: pages("/network/posts?q=record&limit=100")},
		"GET /network/posts?filters":               {List: pages("/network/posts?country=KE&sector=ecommerce&kind=announcement&limit=100")},
		"GET /api/v1/network/posts":                {List: apiPages("/api/v1/network/posts?limit=100")},
		"GET /api/v1/network/posts?q=record":       {List: apiPages("/api/v1/network/posts?q=record&limit=100")},
		"GET /network/posts/{id}":                  {Item: item("/network/posts/{id}")},
		"GET /network/posts/{id} (replies)":        {Item: repliesPage},
		"GET /api/v1/network/posts/{id}":           {Item: item("/api/v1/network/posts/{id}")},
		"GET /api/v1/network/posts/{id} (replies)": {Item: replies},
		"GET /share/{type}/{id}":                   {Item: item("/share/network.post/{id}")},
		"GET /api/v1/shares/{type}/{id}":           {Item: item("/api/v1/shares/network.post/{id}")},
		"GET /report/{type}/{id}":                  {Item: item("/report/network.post/{id}")},
		"GET /network/posts?q=record (total)": {Count: func(b *apptest.Browser) int {
			m := total.FindStringSubmatch(b.Get("/network/posts?q=record").Body)
			if m == nil {
				return -1
			}
			n, _ := strconv.Atoi(m[1])
			return n
		}},
	}
	for k, v := range matrix.Exempt("the public feed: the same for every viewer, checked below against what anonymous may see", "GET /network/posts.atom") {
		probes[k] = v
	}
	for k, v := range matrix.Exempt("a blank form: no record", "GET /network/posts/new") {
		probes[k] = v
	}
	for k, v := range matrix.Exempt("shows a post to its owner's editors only: checked below", "GET /network/posts/{id}/edit") {
		probes[k] = v
	}
	for k, v := range matrix.Exempt("writes a reply: allowed exactly to those who see the post and belong to an organisation, checked below",
		"POST /network/posts/{id}/replies", "POST /api/v1/network/posts/{id}/replies") {
		probes[k] = v
	}
	for k, v := range matrix.Exempt("changes, not reads: refused unless the viewer sees the post and edits it (TestPublishAndRead, sharing tests)",
		"POST /network/posts", "POST /network/posts/{id}/edit", "POST /api/v1/network/posts", "PATCH /api/v1/network/posts/{id}",
		"POST /share/{type}/{id}/marking", "POST /share/{type}/{id}/state", "POST /share/{type}/{id}/embargo",
		"POST /share/{type}/{id}/shares", "POST /share/{type}/{id}/shares/{share}/remove",
		"POST /api/v1/shares/{type}/{id}", "DELETE /api/v1/shares/{type}/{id}/{share}", "PUT /api/v1/shares/{type}/{id}/marking",
		"POST /report/{type}/{id}") {
		probes[k] = v
	}
	for k, v := range matrix.Exempt("the person's own subscriptions (TestSubscriptions)",
		"GET /network/subscriptions", "POST /network/subscriptions", "GET /api/v1/network/subscriptions", "PUT /api/v1/network/subscriptions") {
		probes[k] = v
	}
	var routes []web.Route
	for _, r := range e.App.Site.Routes() {
		if strings.HasPrefix(r.Path, "/network/posts") || strings.HasPrefix(r.Path, "/api/v1/network/posts") ||
			strings.HasPrefix(r.Path, "/network/subscriptions") || strings.HasPrefix(r.Path, "/api/v1/network/subscriptions") ||
			strings.HasPrefix(r.Path, "/share/") || strings.HasPrefix(r.Path, "/api/v1/shares/") || strings.HasPrefix(r.Path, "/report/") {
			routes = append(routes, r)
		}
	}
	w.Check(t, routes, probes)

	ctx := context.Background()
	published := func(c matrix.Case, role matrix.Role) bool {
		return matrix.Allowed(c, role) && c.State == sharing.Published && !c.Embargo
	}
	for _, role := range matrix.Roles {
		b := w.Browsers[role]
		// The feed is public: whoever asks gets exactly what anonymous may see.
		feed := b.Get("/network/posts.atom").Body + b.Get("/network/posts.atom?country=KE&sector=ecommerce").Body
		for _, c := range w.Cases {
			if got := strings.Contains(feed, c.Marker); got != matrix.Allowed(c, matrix.Anonymous) {
				t.Errorf("feed as %s: record %s present=%v", role, c, got)
			}
		}
		v := w.Viewers[role] // nil for anonymous
		// The indicator and the profiles of organisations count published posts only.
		val, err := svc.Published().Compute(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		sums, err := svc.ByOrg(ctx, v, w.Orgs["owner"].ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		country, err := svc.ByCountry(ctx, v, "KE", 100)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, c := range w.Cases {
			if published(c, role) {
				want++
			}
			for name, list := range map[string][]posts.Summary{"ByOrg": sums, "ByCountry": country} {
				found := false
				for _, s := range list {
					found = found || strings.Contains(s.Title, c.Marker)
				}
				if found != published(c, role) {
					t.Errorf("%s as %s: record %s present=%v", name, role, c, found)
				}
			}
		}
		if int(val.Total) != want || int(val.Breakdown["KE"]) != want {
			t.Errorf("indicator as %s: %+v, want %d", role, val, want)
		}
		// Replies: written by those who see the post and belong to an organisation.
		for _, c := range w.Cases {
			if v == nil {
				continue
			}
			_, err := svc.AddReply(ctx, v, c.ID, posts.ReplyInput{Body: "answer"}, "")
			may := matrix.Allowed(c, role) && len(v.Orgs) > 0
			if (err == nil) != may {
				t.Errorf("reply as %s: record %s: %v, want allowed=%v", role, c, err, may)
			}
		}
		// The edit page: the owner's editors only; 403 for those who see
		// the post, 404 for those who do not.
		for _, c := range w.Cases {
			res := b.Get("/network/posts/" + c.ID + "/edit")
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
