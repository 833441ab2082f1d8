package cases_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/sharing"
)

// TestOpenFromReport is the reports part's way in: the triaging team's
// admin or analyst opens a case in triage, acknowledged at once, with the
// report recorded; the reporter's secret link reads only its status.
func TestOpenFromReport(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rc := cert.ReportCase{ReportID: "report-1", TeamOrg: w.orgs["ke-cert"].ID, Title: "Phishing SMS", Description: "Reported by a citizen.",
		Category: "phishing", Countries: []string{"KE"}, Sectors: []string{"banking"}}
	if _, err := w.s.OpenFromReport(ctx, w.v("gh-analyst"), rc, ""); !errs.Is(err, errs.Forbidden) {
		t.Errorf("another team opens the case: %v", err)
	}
	if _, err := w.s.OpenFromReport(ctx, w.v("ke-member"), rc, ""); !errs.Is(err, errs.Forbidden) {
		t.Errorf("a plain member opens the case: %v", err)
	}
	bad := rc
	bad.Category = "nonsense"
	if _, err := w.s.OpenFromReport(ctx, w.v("ke-analyst"), bad, ""); !errs.Is(err, errs.Invalid) {
		t.Errorf("unknown category: %v", err)
	}
	id, err := w.s.OpenFromReport(ctx, w.v("ke-analyst"), rc, "")
	if err != nil {
		t.Fatal(err)
	}
	c := w.reload(id)
	if c.Status != cert.StatusTriage || c.AcknowledgedAt == nil || c.ReportID != "report-1" || c.Marking != sharing.Amber {
		t.Fatalf("case from a report: %+v", c)
	}
	if st, err := w.s.StatusOf(ctx, id); err != nil || st != cert.StatusTriage {
		t.Errorf("StatusOf: %q %v", st, err)
	}
	if _, err := w.s.StatusOf(ctx, "missing"); !errs.Is(err, errs.NotFound) {
		t.Errorf("StatusOf a missing case: %v", err)
	}
	ref, err := w.s.Case(ctx, w.v("ke-member"), id)
	if err != nil || ref.OwnerOrg != w.orgs["ke-cert"].ID || len(ref.From) != 0 {
		t.Errorf("Case: %+v %v", ref, err)
	}
	if _, err := w.s.Case(ctx, w.v("gh-analyst"), id); !errs.Is(err, errs.NotFound) {
		t.Errorf("Case for another team: %v", err)
	}
	if !w.s.MayEdit(w.v("ke-analyst"), ref) || w.s.MayEdit(w.v("ke-member"), ref) || w.s.MayEdit(nil, ref) {
		t.Error("MayEdit")
	}
}

// TestForms opens and edits a case through the pages: errors come back
// beside the fields with what was typed, and nothing is stored.
func TestForms(t *testing.T) {
	w := newWorld(t)
	b := w.p["ke-analyst"].B
	res := b.Post("/cert/cases", url.Values{"title": {"Web shell on a ministry site"}, "severity": {"extreme"}, "countries": {"KE, ZZ"},
		"summary": {"Found by a partner."}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Web shell on a ministry site") ||
		!strings.Contains(res.Body, `id="e-countries"`) {
		t.Fatalf("bad form: %d", res.StatusCode)
	}
	if n := w.count(`SELECT COUNT(*) FROM cert_cases`); n != 0 {
		t.Fatalf("%d cases stored from a bad form", n)
	}
	res = b.Post("/cert/cases", url.Values{"title": {"Web shell on a ministry site"}, "severity": {"high"}, "countries": {"ke"},
		"category": {"application-compromise"}, "sectors": {"public_administration"}, "marking": {"amber+strict"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	path := res.Header.Get("Location")
	page := b.Get(path)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "TLP:AMBER&#43;STRICT") || !strings.Contains(page.Body, "Application Compromise") {
		t.Fatalf("case page: %d\n%s", page.StatusCode, page.Body)
	}
	if res := b.Get(path + "/edit"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `value="application-compromise" selected`) {
		t.Errorf("edit page: %d", res.StatusCode)
	}
	res = b.Post(path+"/edit", url.Values{"title": {"Web shell"}, "severity": {"critical"}, "countries": {"KE"}, "marking": {"amber+strict"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.StatusCode)
	}
	// The page speaks the six languages, Arabic right to left.
	for _, lang := range []string{"fr", "ar", "zh-Hans", "sw", "pt"} {
		res := b.Get(path + "?lang=" + lang)
		if res.StatusCode != http.StatusOK || (lang == "ar") != strings.Contains(res.Body, `dir="rtl"`) {
			t.Errorf("%s page: %d", lang, res.StatusCode)
		}
	}
}
