package reports_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/reports"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// TestReportToCase is the whole path: a member of the public reports, the
// national CERT triages it into a case, and the reporter follows its status
// without ever seeing the case.
func TestReportToCase(t *testing.T) {
	w := newWorld(t)
	ke, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	analyst := w.member(ke, "analyst@ke-cert.example", cert.RoleAnalyst)

	public := w.e.Browser()
	form := public.Get("/cert/report?lang=en")
	if csp := form.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("the form's policy does not allow its script: %q", csp)
	}
	if !strings.Contains(form.Body, reports.ScriptPath()) || !strings.Contains(form.Body, `<optgroup label="Countries with a national CERT here"><option value="KE"`) {
		t.Errorf("the form lacks its script or lists the countries with a CERT first:\n%s", form.Body)
	}
	if js := public.Get(reports.ScriptPath()); js.StatusCode != http.StatusOK || !strings.HasPrefix(js.Header.Get("Content-Type"), "text/javascript") ||
		!strings.Contains(js.Body, "subtle.digest") {
		t.Errorf("script: %d %q", js.StatusCode, js.Header.Get("Content-Type"))
	}

	res := w.submit(public, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("submit: %d\n%s", res.StatusCode, res.Body)
	}
	follow := w.followLink(res)
	id := w.lastReport()
	if n := w.count(`SELECT COUNT(*) FROM cert_reports WHERE id = $1 AND team_org = $2 AND reporter_user = '' AND status = 'received'`, id, ke.ID); n != 1 {
		t.Fatalf("the report is not in the KE queue")
	}
	m, ok := w.e.Mail.Last("reporter@example.net", "mail.cert_report_received.subject")
	if !ok || w.e.PathOf(m.Arg("link")) != follow {
		t.Errorf("the reporter was not mailed the follow link: %+v", m)
	}
	if n := w.count(`SELECT COUNT(*) FROM notifications WHERE user_id IN ($1, $2) AND kind = 'cert.report'`, keAdmin.ID, analyst.ID); n != 2 {
		t.Errorf("the team's admin and analyst got %d notifications, want 2", n)
	}
	if n := w.count(`SELECT COUNT(*) FROM audit_entries WHERE action = 'cert.report_received' AND target_id = $1`, id); n != 1 {
		t.Errorf("audit entries for the report: %d", n)
	}

	// The follower sees the status, in their language.
	page := public.Get(follow + "?lang=fr")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "Reçu") || strings.Contains(page.Body, "fake login page") {
		t.Fatalf("follow page: %d\n%s", page.StatusCode, page.Body)
	}
	if page.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("the follow page may leak its link through referrers")
	}

	// The analyst triages it into a case.
	queue := analyst.B.Get("/cert/reports?lang=en")
	if !strings.Contains(queue.Body, "/cert/reports/"+id) {
		t.Fatalf("the analyst's queue lacks the report:\n%s", queue.Body)
	}
	show := analyst.B.Get("/cert/reports/" + id + "?lang=en")
	if show.StatusCode != http.StatusOK || !strings.Contains(show.Body, "fake login page") || !strings.Contains(show.Body, "reporter@example.net") {
		t.Fatalf("report page: %d\n%s", show.StatusCode, show.Body)
	}
	res = analyst.B.Post("/cert/reports/"+id+"/case", url.Values{"marking": {"amber"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/cert/cases/case-1" {
		t.Fatalf("open case: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	got := w.cases.opened[0]
	if got.ReportID != id || got.TeamOrg != ke.ID || got.Category != "phishing" || got.Marking != sharing.Amber ||
		len(got.Countries) != 1 || got.Countries[0] != "KE" || len(got.Sectors) != 1 || got.Sectors[0] != "banking" {
		t.Errorf("the case was opened with %+v", got)
	}
	if m, ok := w.e.Mail.Last("reporter@example.net", "mail.cert_report_status.subject"); !ok || m.Mail.Body != "mail.cert_report_assessed.body" {
		t.Errorf("the reporter was not told of the case: %+v", m)
	}
	if page := public.Get(follow + "?lang=en"); !strings.Contains(page.Body, "Being assessed") || strings.Contains(page.Body, "case-1") {
		t.Errorf("follow page after triage:\n%s", page.Body)
	}
	// A second triage is refused and changes nothing.
	if res := keAdmin.B.Post("/cert/reports/"+id+"/reject", url.Values{"reason": {"duplicate"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("reject after a case: %d", res.StatusCode)
	}

	// The case moves on; the follow job tells the reporter once.
	w.cases.set("case-1", cert.StatusInProgress)
	sent := w.e.Mail.Count()
	for range 2 {
		if err := w.s.FollowCases(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if w.e.Mail.Count() != sent+1 {
		t.Errorf("the follow job sent %d mails, want 1", w.e.Mail.Count()-sent)
	}
	if m, _ := w.e.Mail.Last("reporter@example.net", "mail.cert_report_status.subject"); m.Mail.Body != "mail.cert_report_handled.body" {
		t.Errorf("status mail: %+v", m)
	}
	var st reports.Status
	res = public.Get("/api/v1/cert/report/follow/" + strings.TrimPrefix(follow, "/cert/report/follow/"))
	if err := json.Unmarshal([]byte(res.Body), &st); err != nil || st.Status != reports.FollowHandled || st.ID != id {
		t.Errorf("follow API: %d %s", res.StatusCode, res.Body)
	}
	if strings.Contains(res.Body, "description") || strings.Contains(res.Body, "case-1") {
		t.Errorf("the follow API reveals more than the status: %s", res.Body)
	}
	// An unknown link is 404.
	if res := public.Get("/cert/report/follow/nope"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown link: %d", res.StatusCode)
	}
}

// TestReject: a rejection needs a reason, which the reporter sees.
func TestReject(t *testing.T) {
	w := newWorld(t)
	_, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	public := w.e.Browser()
	follow := w.followLink(w.submit(public, map[string]string{"contact_email": ""}))
	id := w.lastReport()
	mails := w.e.Mail.Count()

	res := keAdmin.B.Post("/cert/reports/"+id+"/reject?lang=en", url.Values{"reason": {" "}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Give a reason") {
		t.Fatalf("reject without a reason: %d", res.StatusCode)
	}
	if w.count(`SELECT COUNT(*) FROM cert_reports WHERE status = 'received'`) != 1 {
		t.Fatal("a refused rejection changed the report")
	}
	res = keAdmin.B.Post("/cert/reports/"+id+"/reject", url.Values{"reason": {"This is spam, not an incident."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d\n%s", res.StatusCode, res.Body)
	}
	page := public.Get(follow + "?lang=en")
	if !strings.Contains(page.Body, "Not taken up") || !strings.Contains(page.Body, "This is spam, not an incident.") {
		t.Errorf("the follower does not see the rejection and its reason:\n%s", page.Body)
	}
	if w.e.Mail.Count() != mails {
		t.Error("a reporter without an address was mailed")
	}
	if n := w.count(`SELECT COUNT(*) FROM audit_entries WHERE action = 'cert.report_rejected' AND target_id = $1`, id); n != 1 {
		t.Errorf("audit entries for the rejection: %d", n)
	}
	if res := keAdmin.B.Post("/cert/reports/"+id+"/case", url.Values{"marking": {"amber"}}); res.StatusCode != http.StatusConflict || len(w.cases.opened) != 0 {
		t.Errorf("a case from a rejected report: %d", res.StatusCode)
	}
}

// TestChallenge: a report without an account needs a fresh, valid,
// unexpired challenge, answered by proof of work or by the question.
func TestChallenge(t *testing.T) {
	w := newWorld(t)
	w.team("ke-cert", org.NationalCERT, "KE", true)
	b := w.e.Browser()
	post := func(v url.Values) *http.Response {
		t.Helper()
		return b.Post("/cert/report?lang=en", v).Response
	}

	t.Run("WrongWork", func(t *testing.T) {
		token, _ := challenge(t, b)
		work := reports.Solve(token, reports.DefaultBits)
		bad := "0"
		for reports.LeadingZeros(token, bad) >= reports.DefaultBits || bad == work {
			bad += "1"
		}
		v := reportForm(nil)
		v.Set("challenge", token)
		v.Set("work", bad)
		if res := post(v); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("wrong work: %d", res.StatusCode)
		}
	})
	t.Run("Tampered", func(t *testing.T) {
		token, _ := challenge(t, b)
		f := strings.Split(token, ".")
		f[3] = "1" // one bit of work would be easy
		forged := strings.Join(f, ".")
		v := reportForm(nil)
		v.Set("challenge", forged)
		v.Set("work", reports.Solve(forged, 1))
		if res := post(v); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("tampered challenge: %d", res.StatusCode)
		}
	})
	t.Run("NoProof", func(t *testing.T) {
		token, _ := challenge(t, b)
		v := reportForm(nil)
		v.Set("challenge", token)
		if res := post(v); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("no proof: %d", res.StatusCode)
		}
		v.Del("challenge")
		v.Set("work", "12")
		if res := post(v); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("no challenge: %d", res.StatusCode)
		}
	})
	t.Run("WrongAnswer", func(t *testing.T) {
		token, q := challenge(t, b)
		v := reportForm(nil)
		v.Set("challenge", token)
		v.Set("answer", "21") // sums go up to 20
		if res := b.Post("/cert/report?lang=en", v); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "not right") {
			t.Errorf("wrong answer to %q: %d", q, res.StatusCode)
		}
	})
	if w.reports() != 0 {
		t.Fatalf("refused challenges stored %d reports", w.reports())
	}
	w.e.Clock.Advance(reports.Window) // the refusals counted towards the hourly limit

	t.Run("Expired", func(t *testing.T) {
		token, _ := challenge(t, b)
		w.e.Clock.Advance(reports.ChallengeTTL + time.Second)
		v := reportForm(nil)
		v.Set("challenge", token)
		v.Set("work", reports.Solve(token, reports.DefaultBits))
		if res := b.Post("/cert/report?lang=en", v); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "expired") {
			t.Errorf("expired challenge: %d", res.StatusCode)
		}
	})
	t.Run("QuestionThenReuse", func(t *testing.T) {
		token, q := challenge(t, b)
		v := reportForm(nil)
		v.Set("challenge", token)
		v.Set("answer", answer(t, q))
		if res := post(v); res.StatusCode != http.StatusOK {
			t.Fatalf("right answer to %q: %d", q, res.StatusCode)
		}
		if res := post(v); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("reused challenge: %d", res.StatusCode)
		}
		v.Set("work", reports.Solve(token, reports.DefaultBits))
		if res := post(v); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("reused challenge with work: %d", res.StatusCode)
		}
	})
	if w.reports() != 1 {
		t.Errorf("%d reports, want the one answered by the question", w.reports())
	}
}

// TestHourlyLimit: past the limit an address gets 429 with Retry-After, in
// its language, and nothing is stored; an hour later it may report again.
func TestHourlyLimit(t *testing.T) {
	w := newWorld(t)
	w.team("ke-cert", org.NationalCERT, "KE", true)
	b := w.e.Browser()
	for i := range reports.PerHour {
		if res := w.submit(b, nil); res.StatusCode != http.StatusOK {
			t.Fatalf("report %d: %d", i+1, res.StatusCode)
		}
		w.e.Clock.Advance(time.Minute)
	}
	res := w.submit(b, nil)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || !strings.Contains(res.Body, "Too many reports") {
		t.Fatalf("over the limit: %d %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if !strings.Contains(res.Body, `value="Phishing wave against a bank"`) {
		t.Error("the refused form lost what was typed")
	}
	// In French, and through the API, the same.
	if res := b.Post("/cert/report?lang=fr", reportForm(nil)); res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.Body, "Trop de signalements") {
		t.Errorf("French: %d", res.StatusCode)
	}
	body, _ := json.Marshal(map[string]any{"country": "KE", "title": "Another one", "description": "Something happened again today.", "consent": true})
	if res := b.Do(http.MethodPost, "/api/v1/cert/reports", strings.NewReader(string(body)), "application/json"); res.StatusCode != http.StatusTooManyRequests ||
		res.Header.Get("Retry-After") == "" || !strings.Contains(res.Body, `"rate_limited"`) {
		t.Errorf("API over the limit: %d %s", res.StatusCode, res.Body)
	}
	if w.reports() != reports.PerHour {
		t.Fatalf("%d reports stored, want %d", w.reports(), reports.PerHour)
	}
	w.e.Clock.Advance(reports.Window)
	if res := w.submit(b, nil); res.StatusCode != http.StatusOK {
		t.Errorf("an hour later: %d", res.StatusCode)
	}
}

// TestBadInput: each invalid field is refused beside the field and nothing
// is stored or counted as a report.
func TestBadInput(t *testing.T) {
	w := newWorld(t)
	w.team("ke-cert", org.NationalCERT, "KE", true)
	b := w.e.Browser()
	cases := map[string]map[string]string{
		"NoCountry":      {"country": ""},
		"UnknownCountry": {"country": "XX"},
		"ShortTitle":     {"title": "ab"},
		"LongTitle":      {"title": strings.Repeat("x", reports.TitleMax+1)},
		"ShortText":      {"description": "short"},
		"FutureDay":      {"occurred_on": "2999-01-01"},
		"BadDay":         {"occurred_on": "yesterday"},
		"Category":       {"category": "aliens"},
		"Sector":         {"sectors": "piracy"},
		"Email":          {"contact_email": "not an address"},
		"NoConsent":      {"consent": ""},
		"ReporterOrg":    {"reporter_org": "someone-else"},
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			res := b.Post("/cert/report?lang=en", reportForm(change))
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `class="error"`) {
				t.Errorf("%d\n%s", res.StatusCode, res.Body)
			}
		})
	}
	if w.reports() != 0 || w.count(`SELECT COUNT(*) FROM cert_report_hits`) != 0 {
		t.Errorf("bad input stored %d reports, %d hits", w.reports(), w.count(`SELECT COUNT(*) FROM cert_report_hits`))
	}
	if res := b.Do(http.MethodPost, "/api/v1/cert/reports", strings.NewReader(`{"country": 5}`), "application/json"); res.StatusCode != http.StatusBadRequest &&
		res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("API wrong type: %d", res.StatusCode)
	}
}

// TestRouting: without a national CERT the office gets the report and may
// forward it once one exists; a team may forward to another country's CERT.
func TestRouting(t *testing.T) {
	w := newWorld(t)
	officer := w.person("officer@example.org")
	if err := w.e.App.Accounts.SetRole(t.Context(), w.viewer(w.admin), officer.ID, account.RoleOfficerPrefix+"cert", true, ""); err != nil {
		t.Fatal(err)
	}
	officer = &person{ID: officer.ID, Email: officer.Email, B: officer.B}
	w.submit(w.e.Browser(), map[string]string{"country": "TZ"})
	id := w.lastReport()
	if n := w.count(`SELECT COUNT(*) FROM cert_reports WHERE id = $1 AND team_org = $2`, id, w.e.App.Cert.Office.ID); n != 1 {
		t.Fatal("a report for a country without a national CERT did not go to the office")
	}
	if res := officer.B.Get("/cert/reports/" + id); res.StatusCode != http.StatusOK {
		t.Fatalf("the officer cannot read it: %d", res.StatusCode)
	}
	// No national CERT yet: forwarding is refused.
	if res := officer.B.Post("/cert/reports/"+id+"/forward?lang=en", url.Values{"country": {"TZ"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "no verified national CERT") {
		t.Errorf("forward to nobody: %d", res.StatusCode)
	}
	tz, tzAdmin := w.team("tz-cert", org.NationalCERT, "TZ", true)
	if res := officer.B.Post("/cert/reports/"+id+"/forward", url.Values{"country": {"TZ"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("forward: %d", res.StatusCode)
	}
	if res := officer.B.Get("/cert/reports/" + id); res.StatusCode != http.StatusNotFound {
		t.Errorf("the office still reads a forwarded report: %d", res.StatusCode)
	}
	if res := tzAdmin.B.Get("/cert/reports/" + id + "?lang=en"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Forwarded by") {
		t.Errorf("TZ cannot read the forwarded report: %d", res.StatusCode)
	}
	// TZ passes it on to Kenya's CERT; an unverified CERT does not count.
	w.team("ke-unverified", org.NationalCERT, "KE", false)
	if res := tzAdmin.B.Post("/cert/reports/"+id+"/forward", url.Values{"country": {"KE"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("forward to an unverified CERT: %d", res.StatusCode)
	}
	ke, _ := w.team("ke-cert", org.NationalCERT, "KE", true)
	if res := tzAdmin.B.Post("/cert/reports/"+id+"/forward", url.Values{"country": {"KE"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("forward to KE: %d", res.StatusCode)
	}
	if n := w.count(`SELECT COUNT(*) FROM cert_reports WHERE id = $1 AND team_org = $2 AND forwarded_from = $3 AND country = 'KE'`, id, ke.ID, tz.ID); n != 1 {
		t.Error("the forward was not recorded")
	}
	if n := w.count(`SELECT COUNT(*) FROM audit_entries WHERE action = 'cert.report_forwarded' AND target_id = $1`, id); n != 2 {
		t.Errorf("audit entries of forwards: %d", n)
	}
}

// TestMemberReports: a signed-in member reports without a challenge, for
// their organisation, and finds the report among their own.
func TestMemberReports(t *testing.T) {
	w := newWorld(t)
	w.team("ke-cert", org.NationalCERT, "KE", true)
	bank, bankAdmin := w.team("kcb", org.Enterprise, "KE", true)
	res := bankAdmin.B.Post("/cert/report?lang=en", reportForm(map[string]string{"reporter_org": bank.ID, "contact_email": ""}))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("member report: %d\n%s", res.StatusCode, res.Body)
	}
	id := w.lastReport()
	if n := w.count(`SELECT COUNT(*) FROM cert_reports WHERE id = $1 AND reporter_user = $2 AND reporter_org = $3`, id, bankAdmin.ID, bank.ID); n != 1 {
		t.Error("the reporter and their organisation were not recorded")
	}
	mine := bankAdmin.B.Get("/cert/reports/mine?lang=en")
	if !strings.Contains(mine.Body, "Phishing wave against a bank") || !strings.Contains(mine.Body, "Received") {
		t.Errorf("my reports:\n%s", mine.Body)
	}
	// The reporter does not read the team's view of the report.
	if res := bankAdmin.B.Get("/cert/reports/" + id); res.StatusCode != http.StatusNotFound {
		t.Errorf("the reporter reads the team's page: %d", res.StatusCode)
	}
	var list struct {
		Items []reports.Status `json:"items"`
	}
	res = w.api(bankAdmin).Get("/api/v1/cert/reports/mine")
	if err := json.Unmarshal([]byte(res.Body), &list); err != nil || len(list.Items) != 1 || list.Items[0].Status != reports.FollowReceived {
		t.Errorf("my reports API: %d %s", res.StatusCode, res.Body)
	}
	// The API with a token needs no challenge.
	body, _ := json.Marshal(map[string]any{"country": "KE", "title": "Defaced website", "description": "Our public website shows a defacement.",
		"consent": true, "reporter_org": "kcb"})
	res = w.api(bankAdmin).Do(http.MethodPost, "/api/v1/cert/reports", strings.NewReader(string(body)), "application/json")
	if res.StatusCode != http.StatusCreated || !strings.Contains(res.Body, "/cert/report/follow/") {
		t.Errorf("API report with a token: %d %s", res.StatusCode, res.Body)
	}
}

// TestAPIReport: the public API path takes a challenge from the API and a
// proof of work, and the team triages through the API.
func TestAPIReport(t *testing.T) {
	w := newWorld(t)
	_, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	public := w.e.Browser()
	var c reports.Challenge
	res := public.Get("/api/v1/cert/report/challenge?lang=fr")
	if err := json.Unmarshal([]byte(res.Body), &c); err != nil || c.Token == "" || c.Bits != reports.DefaultBits || !strings.HasPrefix(c.Question, "Combien font") {
		t.Fatalf("challenge: %s", res.Body)
	}
	in := map[string]any{"country": "ke", "title": "Ransomware at a clinic", "description": "Files on the clinic's server are encrypted.",
		"consent": true, "category": "malware", "challenge": c.Token}
	body, _ := json.Marshal(in)
	if res := public.Do(http.MethodPost, "/api/v1/cert/reports", strings.NewReader(string(body)), "application/json"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("no proof: %d", res.StatusCode)
	}
	in["work"] = reports.Solve(c.Token, c.Bits)
	body, _ = json.Marshal(in)
	res = public.Do(http.MethodPost, "/api/v1/cert/reports", strings.NewReader(string(body)), "application/json")
	var out struct{ ID, FollowURL string }
	if err := json.Unmarshal([]byte(res.Body), &struct {
		ID        *string `json:"id"`
		FollowURL *string `json:"follow_url"`
	}{&out.ID, &out.FollowURL}); err != nil || res.StatusCode != http.StatusCreated || out.FollowURL == "" {
		t.Fatalf("API report: %d %s", res.StatusCode, res.Body)
	}
	team := w.api(keAdmin)
	res = team.Get("/api/v1/cert/reports")
	if !strings.Contains(res.Body, out.ID) || !strings.Contains(res.Body, `"enisa_type":"infected-system"`) {
		t.Fatalf("queue API: %s", res.Body)
	}
	if res := team.Do(http.MethodPost, "/api/v1/cert/reports/"+out.ID+"/case", strings.NewReader(`{"marking": "clear"}`), "application/json"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a CLEAR case: %d", res.StatusCode)
	}
	res = team.Do(http.MethodPost, "/api/v1/cert/reports/"+out.ID+"/case", strings.NewReader(`{"marking": "amber+strict"}`), "application/json")
	if res.StatusCode != http.StatusCreated || !strings.Contains(res.Body, `"case":"case-1"`) {
		t.Fatalf("open case API: %d %s", res.StatusCode, res.Body)
	}
	if w.cases.opened[0].Marking != sharing.AmberStrict {
		t.Errorf("marking %q", w.cases.opened[0].Marking)
	}
	res = public.Get("/api/v1/cert/report/follow/" + strings.TrimPrefix(w.e.PathOf(out.FollowURL), "/cert/report/follow/"))
	if !strings.Contains(res.Body, `"status":"assessed"`) {
		t.Errorf("follow: %s", res.Body)
	}
}

// TestWithoutCases: while package cases is not wired, a report can still be
// rejected, and opening a case says why it cannot.
func TestWithoutCases(t *testing.T) {
	w := newWorld(t)
	w.s.Cases = nil
	_, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	w.submit(w.e.Browser(), nil)
	id := w.lastReport()
	if res := keAdmin.B.Post("/cert/reports/"+id+"/case", url.Values{"marking": {"amber"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("case without cases: %d", res.StatusCode)
	}
	if w.count(`SELECT COUNT(*) FROM cert_reports WHERE status = 'received'`) != 1 {
		t.Error("the report changed")
	}
}

// TestWithRealCases: the same path through the real cases package, as the
// wiring connects it.
func TestWithRealCases(t *testing.T) {
	w := newWorld(t)
	if w.e.App.CertParts.Cases == nil {
		t.Skip("package cases is not wired")
	}
	w.s.Cases = w.e.App.CertParts.Cases
	_, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	public := w.e.Browser()
	follow := w.followLink(w.submit(public, map[string]string{"sectors": "health", "category": "ddos"}))
	id := w.lastReport()
	res := keAdmin.B.Post("/cert/reports/"+id+"/case", url.Values{"marking": {"amber+strict"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/cert/cases/") {
		t.Fatalf("open case: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	caseID := strings.TrimPrefix(res.Header.Get("Location"), "/cert/cases/")
	if n := w.count(`SELECT COUNT(*) FROM cert_cases WHERE id = $1 AND report_id = $2 AND category = 'ddos' AND marking = 'amber+strict'`, caseID, id); n != 1 {
		t.Error("the case does not carry the report")
	}
	if res := keAdmin.B.Get(res.Header.Get("Location")); res.StatusCode != http.StatusOK {
		t.Errorf("case page: %d", res.StatusCode)
	}
	if page := public.Get(follow + "?lang=en"); !strings.Contains(page.Body, "Being assessed") {
		t.Errorf("follow page:\n%s", page.Body)
	}
	// The public never reaches the case itself.
	if res := public.Get("/cert/cases/" + caseID); res.StatusCode == http.StatusOK {
		t.Error("the public reads the case")
	}
}

// TestLanguages: the public pages render in the six languages, right to
// left in Arabic, with no message key left untranslated.
func TestLanguages(t *testing.T) {
	w := newWorld(t)
	_, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	public := w.e.Browser()
	follow := w.followLink(w.submit(public, nil))
	id := w.lastReport()
	for _, lang := range []string{"zh-Hans", "en", "fr", "ar", "pt", "sw"} {
		for _, p := range []struct {
			b interface {
				Get(string) *apptest.Response
			}
			path string
		}{{w.e.Browser(), "/cert/report"}, {public, follow}, {keAdmin.B, "/cert/reports"}, {keAdmin.B, "/cert/reports/" + id}} {
			res := p.b.Get(p.path + "?lang=" + lang)
			if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "cert.reports.") || strings.Contains(res.Body, "mail.cert_report") {
				t.Errorf("%s %s: %d or an untranslated key", lang, p.path, res.StatusCode)
			}
			if lang == "ar" && !strings.Contains(res.Body, `dir="rtl"`) {
				t.Errorf("%s is not right to left in Arabic", p.path)
			}
		}
	}
}

// TestMemberFollowsAndIndicator: a signed-in reporter is told of status
// changes by notification, is limited per person, and the indicator counts
// reports by country.
func TestMemberFollowsAndIndicator(t *testing.T) {
	w := newWorld(t)
	_, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	_, reporter := w.team("kcb", org.Enterprise, "KE", true)
	for i := range reports.PerHourMember {
		country := "KE"
		if i%2 == 1 {
			country = "TZ"
		}
		if res := reporter.B.Post("/cert/report", reportForm(map[string]string{"country": country, "contact_email": ""})); res.StatusCode != http.StatusOK {
			t.Fatalf("member report %d: %d", i+1, res.StatusCode)
		}
	}
	if res := reporter.B.Post("/cert/report", reportForm(nil)); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("over the member limit: %d", res.StatusCode)
	}
	v, err := w.s.ReceivedByCountry().Compute(t.Context(), nil)
	if err != nil || v.Total != float64(reports.PerHourMember) || v.Breakdown["KE"] != float64(reports.PerHourMember/2) {
		t.Errorf("indicator: %+v %v", v, err)
	}
	var id string
	if err := w.e.App.DB.R.QueryRow(`SELECT id FROM cert_reports WHERE country = 'KE' LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if res := keAdmin.B.Post("/cert/reports/"+id+"/reject", url.Values{"reason": {"Not a cyber incident."}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d", res.StatusCode)
	}
	if n := w.count(`SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'cert.report_status'`, reporter.ID); n != 1 {
		t.Errorf("the reporter got %d status notifications, want 1", n)
	}
	if mine := reporter.B.Get("/cert/reports/mine?lang=en"); !strings.Contains(mine.Body, "Not a cyber incident.") {
		t.Error("my reports lack the reason")
	}
}

// TestHourlyLimitAtOnce: attempts made at the same moment by one person
// never pass the limit together.
func TestHourlyLimitAtOnce(t *testing.T) {
	w := newWorld(t)
	w.team("ke-cert", org.NationalCERT, "KE", true)
	p := w.person("someone@example.org")
	v := w.viewer(p)
	in := reports.Input{Country: "KE", Title: "Phishing wave against a bank", Description: "Many customers received the same message.",
		Consent: true, Lang: "en"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, limited := 0, 0
	for range reports.PerHourMember + 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := w.e.App.CertParts.Reports.Submit(context.Background(), v, in, reports.Proof{}, "198.51.100.9")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errs.Is(err, errs.RateLimited):
				limited++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok != reports.PerHourMember || limited != 10 || w.reports() != reports.PerHourMember {
		t.Errorf("%d accepted, %d limited, %d stored; want %d, 10, %d", ok, limited, w.reports(), reports.PerHourMember, reports.PerHourMember)
	}
}

// TestOpenCaseOnce: two triagers opening a case from one report at the
// same moment end with one case, and a failed opening gives the report back.
func TestOpenCaseOnce(t *testing.T) {
	w := newWorld(t)
	if w.e.App.CertParts.Cases == nil {
		t.Skip("package cases is not wired")
	}
	w.s.Cases = w.e.App.CertParts.Cases
	_, keAdmin := w.team("ke-cert", org.NationalCERT, "KE", true)
	w.submit(w.e.Browser(), nil)
	id := w.lastReport()
	v := w.viewer(keAdmin)
	var wg sync.WaitGroup
	var mu sync.Mutex
	opened := 0
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := w.s.OpenCase(context.Background(), v, id, "amber", ""); err == nil {
				mu.Lock()
				opened++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if n := w.count(`SELECT COUNT(*) FROM cert_cases WHERE report_id = $1`, id); opened != 1 || n != 1 {
		t.Errorf("%d openings succeeded, %d cases", opened, n)
	}
	if n := w.count(`SELECT COUNT(*) FROM cert_reports WHERE id = $1 AND status = 'case' AND case_id <> ''`, id); n != 1 {
		t.Error("the report does not name its case")
	}
	// A refused opening (a marking the team may not use for cases) gives the report back.
	w.submit(w.e.Browser(), map[string]string{"title": "Second report of the day"})
	second := w.lastReport()
	w.s.Cases = failingCases{}
	if _, err := w.s.OpenCase(context.Background(), v, second, "amber", ""); err == nil {
		t.Fatal("the failing opening succeeded")
	}
	if n := w.count(`SELECT COUNT(*) FROM cert_reports WHERE id = $1 AND status = 'received' AND triaged_by = ''`, second); n != 1 {
		t.Error("a failed opening kept the report")
	}
}

// failingCases refuses to open cases.
type failingCases struct{ cert.Cases }

func (failingCases) OpenFromReport(context.Context, *web.Viewer, cert.ReportCase, string) (string, error) {
	return "", errs.E("test", errs.Conflict, "error.conflict")
}
