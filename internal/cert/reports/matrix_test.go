package reports_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/org"
)

// TestVisibility probes every route of the part against every role: a
// report is read and triaged by its team's admins and analysts only — not
// its plain members, not another country's national CERT, not a sector
// CERT of the same country, not the programme office, not platform
// administrators, not the reporter (who sees its status), not the public.
func TestVisibility(t *testing.T) {
	w := newWorld(t)
	ke, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	keAnalyst := w.member(ke, "analyst@ke-cert.example", cert.RoleAnalyst)
	keMember := w.member(ke, "member@ke-cert.example")
	_, ghAdmin := w.team("gh-cert", org.NationalCERT, "GH", true)
	_, sectorAdmin := w.team("ke-bank-cert", org.SectorCERT, "KE", true)
	officer := w.person("officer@example.org")
	if err := w.e.App.Accounts.SetRole(t.Context(), w.viewer(w.admin), officer.ID, account.RoleOfficerPrefix+"cert", true, ""); err != nil {
		t.Fatal(err)
	}
	bank, reporter := w.team("kcb", org.Enterprise, "KE", true)
	if res := reporter.B.Post("/cert/report", reportForm(map[string]string{"reporter_org": bank.ID, "title": "Probe report title"})); res.StatusCode != http.StatusOK {
		t.Fatalf("report: %d", res.StatusCode)
	}
	id := w.lastReport()

	type role struct {
		name    string
		b       *apptest.Browser // a signed-in browser, or an anonymous one
		api     *apptest.Browser // a token client, or an anonymous one
		team    bool             // reads and triages the report
		creator bool             // made the report
	}
	anon := w.e.Browser()
	roles := []role{
		{name: "anonymous", b: anon, api: anon},
		{name: "team admin", b: keAdmin.B, api: w.api(keAdmin), team: true},
		{name: "team analyst", b: keAnalyst.B, api: w.api(keAnalyst), team: true},
		{name: "team plain member", b: keMember.B, api: w.api(keMember)},
		{name: "another country's national CERT", b: ghAdmin.B, api: w.api(ghAdmin)},
		{name: "a sector CERT of the country", b: sectorAdmin.B, api: w.api(sectorAdmin)},
		{name: "CERT programme officer", b: officer.B, api: w.api(officer)},
		{name: "platform administrator", b: w.admin.B, api: w.api(w.admin)},
		{name: "the reporter", b: reporter.B, api: w.api(reporter), creator: true},
	}
	for _, r := range roles {
		t.Run(r.name, func(t *testing.T) {
			signed := r.b != anon
			page := r.b.Get("/cert/reports/" + id)
			// Administrators without a second factor reach only its set-up
			// pages; their API token probes the same rule below.
			setup := page.StatusCode == http.StatusSeeOther && page.Header.Get("Location") == "/account/2fa"
			switch {
			case setup && r.name == "platform administrator":
			case r.team && page.StatusCode != http.StatusOK:
				t.Errorf("report page: %d", page.StatusCode)
			case !signed && page.StatusCode != http.StatusSeeOther:
				t.Errorf("report page: %d, want a redirect to sign in", page.StatusCode)
			case signed && !r.team && page.StatusCode != http.StatusNotFound:
				t.Errorf("report page: %d, want 404", page.StatusCode)
			}
			apiGet := r.api.Get("/api/v1/cert/reports/" + id)
			want := http.StatusNotFound
			if r.team {
				want = http.StatusOK
			} else if !signed {
				want = http.StatusUnauthorized
			}
			if apiGet.StatusCode != want {
				t.Errorf("API report: %d, want %d", apiGet.StatusCode, want)
			}
			for _, list := range []*apptest.Response{r.b.Get("/cert/reports?status=all"), r.api.Get("/api/v1/cert/reports?status=all")} {
				if strings.Contains(list.Body, id) != r.team {
					t.Errorf("queue %s lists the report: %v", list.Request.URL.Path, !r.team)
				}
			}
			mine := r.b.Get("/cert/reports/mine?lang=en")
			if strings.Contains(mine.Body, "Probe report title") != r.creator {
				t.Errorf("my reports shows the report: %v", !r.creator)
			}
			if signed && !setup && strings.Contains(mine.Body, `href="/cert/reports">Incident reports <span class="badge">1</span>`) != r.team {
				t.Errorf("the navigation's queue entry with its badge shows: %v", !r.team)
			}
			if mine := r.api.Get("/api/v1/cert/reports/mine"); strings.Contains(mine.Body, id) != r.creator {
				t.Errorf("my reports API shows the report: %v", !r.creator)
			}
			if r.team {
				return
			}
			// Triage by anyone else is refused and changes nothing.
			for _, path := range []string{"/case", "/reject", "/forward"} {
				res := r.b.Post("/cert/reports/"+id+path, url.Values{"marking": {"amber"}, "reason": {"not ours"}, "country": {"GH"}})
				if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusSeeOther {
					t.Errorf("POST %s: %d", path, res.StatusCode)
				}
				if loc := res.Header.Get("Location"); res.StatusCode == http.StatusSeeOther && !strings.HasPrefix(loc, "/signin") && loc != "/account/2fa" {
					t.Errorf("POST %s redirected to %s", path, res.Header.Get("Location"))
				}
				body := map[string]string{"/case": `{"marking":"amber"}`, "/reject": `{"reason":"not ours"}`, "/forward": `{"country":"GH"}`}[path]
				res = r.api.Do(http.MethodPost, "/api/v1/cert/reports/"+id+path, strings.NewReader(body), "application/json")
				if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusUnauthorized {
					t.Errorf("API POST %s: %d", path, res.StatusCode)
				}
			}
			if n := w.count(`SELECT COUNT(*) FROM cert_reports WHERE id = $1 AND status = 'received' AND team_org = $2`, id, ke.ID); n != 1 {
				t.Fatal("an outsider changed the report")
			}
			if len(w.cases.opened) != 0 {
				t.Fatal("an outsider opened a case")
			}
		})
	}
}
