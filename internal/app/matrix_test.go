package app_test

import (
	"maps"
	"testing"

	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/sharing/matrix"
)

// appMatrix is the authorisation matrix of the whole application: every
// route has an entry. Routes that show records of a shareable type get
// probes (and a test that builds a matrix.World for the type); the others
// say why they show none. A new route without an entry fails
// TestEveryRouteIsInTheMatrix.
func appMatrix() map[string]matrix.Probe {
	m := map[string]matrix.Probe{}
	for _, part := range moduleMatrix {
		maps.Copy(m, part)
	}
	for _, part := range []map[string]matrix.Probe{
		matrix.Exempt("the shell: no records", "GET /{$}", "GET /healthz", "GET /readyz", "GET /metrics", "GET /static/{file}",
			"GET /api/v1/openapi.json", "GET /api/v1/countries"),
		matrix.Exempt("indicator values: each indicator computes under the viewer's visibility and has its own test", "GET /api/v1/indicators"),
		matrix.Exempt("the person's own account, sessions and tokens only",
			"GET /account", "GET /account/2fa", "POST /account/2fa", "POST /account/2fa/disable", "GET /account/delete", "POST /account/delete",
			"POST /account/email", "GET /account/export", "POST /account/password", "POST /account/profile", "POST /account/sessions/{id}/end",
			"GET /account/tokens", "POST /account/tokens", "GET /account/links", "POST /account/links/{id}/revoke", "POST /account/tokens/{id}/revoke", "GET /api/v1/me", "GET /api/v1/tokens",
			"POST /api/v1/tokens", "DELETE /api/v1/tokens/{id}"),
		matrix.Exempt("signing up, in and out, and single-use links: no records",
			"GET /signup", "POST /signup", "GET /signin", "POST /signin", "GET /signin/2fa", "POST /signin/2fa", "POST /signout",
			"GET /reset", "POST /reset", "GET /reset/{secret}", "POST /reset/{secret}", "GET /confirm/{secret}", "POST /confirm/{secret}",
			"GET /email/{secret}", "POST /email/{secret}", "GET /setup/{secret}", "POST /setup/{secret}"),
		matrix.Exempt("organisation profiles are public directory entries; members and tokens are checked by membership (org tests)",
			"GET /orgs", "POST /orgs", "GET /orgs/new", "GET /orgs/{slug}", "GET /orgs/{slug}/edit", "POST /orgs/{slug}/edit",
			"POST /orgs/{slug}/invitations", "POST /orgs/{slug}/invitations/{id}/revoke", "GET /orgs/{slug}/members",
			"POST /orgs/{slug}/members/{user}/remove", "POST /orgs/{slug}/members/{user}/roles", "GET /orgs/{slug}/tokens",
			"POST /orgs/{slug}/tokens", "POST /orgs/{slug}/tokens/{id}/revoke", "POST /orgs/{slug}/transfer",
			"GET /invitations/{secret}", "POST /invitations/{secret}",
			"GET /api/v1/orgs", "POST /api/v1/orgs", "GET /api/v1/orgs/{slug}", "GET /api/v1/orgs/{slug}/members"),
		matrix.Exempt("the sharing pages and API serve every record type: probed for each type by its matrix test (internal/sharing/matrix for the sample type)",
			"GET /share/{type}/{id}", "POST /share/{type}/{id}/marking", "POST /share/{type}/{id}/state", "POST /share/{type}/{id}/embargo",
			"POST /share/{type}/{id}/shares", "POST /share/{type}/{id}/shares/{share}/remove",
			"GET /api/v1/shares/{type}/{id}", "POST /api/v1/shares/{type}/{id}", "DELETE /api/v1/shares/{type}/{id}/{share}",
			"PUT /api/v1/shares/{type}/{id}/marking"),
		matrix.Exempt("the report form serves every record type: probed per type (internal/sharing/matrix); filing is a change, refused for unseen records",
			"GET /report/{type}/{id}", "POST /report/{type}/{id}", "POST /api/v1/reports"),
		matrix.Exempt("the moderators' queue: the records reported to them, by design of the abuse process (moderation tests)",
			"GET /moderation", "POST /moderation/{type}/{id}"),
		matrix.Exempt("platform administration: accounts, organisations, jobs and the audit log, no shared records",
			"GET /admin", "GET /admin/audit", "GET /admin/jobs", "POST /admin/jobs/{id}/retry", "GET /admin/orgs",
			"POST /admin/orgs/{slug}/verify", "GET /admin/people", "POST /admin/people/{id}/roles", "POST /admin/people/{id}/suspend"),
	} {
		maps.Copy(m, part)
	}
	return m
}

// moduleMatrix holds the entries of the later modules, each added by the
// module's own matrix_<module>_test.go.
var moduleMatrix []map[string]matrix.Probe

func TestEveryRouteIsInTheMatrix(t *testing.T) {
	e := apptest.Start(t)
	probes := appMatrix()
	for _, r := range matrix.Uncovered(e.App.Site.Routes(), probes) {
		t.Errorf("route %s has no entry in the authorisation matrix (internal/app/matrix_test.go)", r)
	}
	routed := map[string]bool{}
	for _, r := range e.App.Site.Routes() {
		routed[r.Pattern()] = true
	}
	for p := range probes {
		if !routed[p] {
			t.Errorf("the matrix lists %s, which is not routed", p)
		}
	}
}
