package cases_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/cases"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/sharing"
)

func TestCreateAndValidate(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.open("ke-analyst", "Phishing wave against banks", "high")
	if c.Status != cert.StatusNew || c.Marking != sharing.Amber || c.AcknowledgedAt != nil || c.OwnerOrg != w.orgs["ke-cert"].ID {
		t.Fatalf("new case: %+v", c)
	}
	if c.Class() != "fraud" || c.CategoryKey() != "cert.rsit.fraud.phishing" {
		t.Errorf("class %q, key %q", c.Class(), c.CategoryKey())
	}
	for name, in := range map[string]cases.Input{
		"title":     {Severity: "low"},
		"severity":  {Title: "x", Severity: "urgent"},
		"category":  {Title: "x", Severity: "low", Category: "hacking"},
		"countries": {Title: "x", Severity: "low", Countries: []string{"KE, XX"}},
		"sectors":   {Title: "x", Severity: "low", Sectors: []string{"ecommerce"}},
		"marking":   {Title: "x", Severity: "low", Marking: "purple"},
	} {
		_, err := w.s.Create(ctx, w.v("ke-analyst"), in, "")
		var e *errs.Error
		if !errs.Is(err, errs.Invalid) || !errorsAs(err, &e) || e.Fields[name] == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := w.s.Create(ctx, w.v("outsider"), cases.Input{Title: "x", Severity: "low"}, ""); !errs.Is(err, errs.Forbidden) {
		t.Errorf("a non-CERT opens a case: %v", err)
	}
	if _, err := w.s.Create(ctx, w.v("ke-member"), cases.Input{Title: "x", Severity: "low"}, ""); !errs.Is(err, errs.Forbidden) {
		t.Errorf("a plain member opens a case: %v", err)
	}
	if n := w.count(`SELECT COUNT(*) FROM cert_cases`); n != 1 {
		t.Errorf("%d cases after refusals, want 1", n)
	}
	// Countries are normalised: upper case, sorted, without duplicates.
	c2, err := w.s.Create(ctx, w.v("ke-admin"), cases.Input{Title: "DDoS", Severity: "critical", Countries: []string{"ng, ke", "KE"},
		Marking: "red"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c2.Countries, " ") != "KE NG" {
		t.Errorf("countries %v", c2.Countries)
	}
	// RED: the creator is named; the analyst, not named, does not see it.
	if _, err := w.s.Get(ctx, w.v("ke-admin"), c2.ID); err != nil {
		t.Errorf("creator of a RED case: %v", err)
	}
	if _, err := w.s.Get(ctx, w.v("ke-analyst"), c2.ID); !errs.Is(err, errs.NotFound) {
		t.Errorf("analyst not named on a RED case: %v", err)
	}
	if n := w.count(`SELECT COUNT(*) FROM audit_entries WHERE action = 'cert.case.created'`); n != 2 {
		t.Errorf("%d creation audit entries", n)
	}
}

func errorsAs(err error, e **errs.Error) bool {
	x, ok := err.(*errs.Error)
	if ok {
		*e = x
	}
	return ok
}

func TestWorkflow(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.open("ke-analyst", "Ransomware at a hospital", "medium")
	an := w.v("ke-analyst")
	step := func(to string, want errs.Code) {
		t.Helper()
		_, err := w.s.SetStatus(ctx, an, c.ID, to, "")
		if (want == "" && err != nil) || (want != "" && !errs.Is(err, want)) {
			t.Fatalf("→ %s: %v, want %q", to, err, want)
		}
	}
	step(cert.StatusResolved, errs.Conflict)
	step(cert.StatusHandedOver, errs.Conflict) // only a hand-over enters it
	step("archived", errs.Invalid)
	if _, err := w.s.SetStatus(ctx, w.v("ke-member"), c.ID, cert.StatusTriage, ""); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("plain member moves the case: %v", err)
	}
	if _, err := w.s.SetStatus(ctx, w.v("gh-analyst"), c.ID, cert.StatusTriage, ""); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another team moves the case: %v", err)
	}
	if _, err := w.s.SetStatus(ctx, w.admin, c.ID, cert.StatusTriage, ""); !errs.Is(err, errs.NotFound) {
		t.Fatalf("platform admin moves the case: %v", err)
	}
	w.e.Clock.Advance(30 * 60e9)
	step(cert.StatusTriage, "")
	got := w.reload(c.ID)
	if got.AcknowledgedAt == nil || got.AckTook == nil || got.AckTook.Minutes() != 30 {
		t.Fatalf("acknowledged: %v after %v", got.AcknowledgedAt, got.AckTook)
	}
	step(cert.StatusInProgress, "")
	step(cert.StatusResolved, "")
	if got := w.reload(c.ID); got.ResolvedAt == nil || got.RunningSince != nil {
		t.Fatalf("resolved: %v, running since %v", got.ResolvedAt, got.RunningSince)
	}
	step(cert.StatusInProgress, "") // reopened
	if got := w.reload(c.ID); got.ResolvedAt != nil || got.RunningSince == nil {
		t.Fatalf("reopened: resolved %v, running since %v", got.ResolvedAt, got.RunningSince)
	}
	step(cert.StatusClosed, "")
	for _, to := range []string{cert.StatusNew, cert.StatusInProgress, cert.StatusResolved} {
		step(to, errs.Conflict)
	}
	if n := w.count(`SELECT COUNT(*) FROM cert_case_events WHERE case_id = $1 AND kind = 'status'`, c.ID); n != 5 {
		t.Errorf("%d status events, want 5", n)
	}
	if n := w.count(`SELECT COUNT(*) FROM audit_entries WHERE action = 'cert.case.status_changed' AND target_id = $1`, c.ID); n != 5 {
		t.Errorf("%d status audit entries, want 5", n)
	}
}

func TestTasksCommentsAssign(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.open("ke-analyst", "Defacement", "low")
	an := w.v("ke-analyst")
	if _, err := w.s.Assign(ctx, an, c.ID, w.p["gh-analyst"].ID, ""); !errs.Is(err, errs.Invalid) {
		t.Errorf("assign to another team's analyst: %v", err)
	}
	got, err := w.s.Assign(ctx, an, c.ID, w.p["ke-member"].ID, "")
	if err != nil || got.AssigneeName != "ke-member" {
		t.Fatalf("assign: %v %+v", err, got)
	}
	page, err := w.s.List(ctx, w.v("ke-member"), cases.Filter{Mine: true})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("mine: %v %d", err, len(page.Items))
	}
	if page, _ := w.s.List(ctx, nil, cases.Filter{Mine: true}); len(page.Items) != 0 {
		t.Errorf("anonymous 'mine' lists %d", len(page.Items))
	}
	title, due := "Collect web server logs", "2031-02-30"
	if _, err := w.s.AddTask(ctx, an, c.ID, cases.TaskInput{Title: &title, Due: &due}, ""); !errs.Is(err, errs.Invalid) {
		t.Errorf("bad due date: %v", err)
	}
	due = "2031-02-28"
	task, err := w.s.AddTask(ctx, an, c.ID, cases.TaskInput{Title: &title, Due: &due}, "")
	if err != nil {
		t.Fatal(err)
	}
	done := true
	if _, err := w.s.UpdateTask(ctx, w.v("ke-member"), c.ID, task.ID, cases.TaskInput{Done: &done}, ""); !errs.Is(err, errs.Forbidden) {
		t.Errorf("plain member ticks a task: %v", err)
	}
	if task, err = w.s.UpdateTask(ctx, an, c.ID, task.ID, cases.TaskInput{Done: &done}, ""); err != nil || !task.Done || task.DoneAt == nil {
		t.Fatalf("done: %v %+v", err, task)
	}
	if _, err := w.s.Comment(ctx, an, c.ID, "  ", ""); !errs.Is(err, errs.Invalid) {
		t.Errorf("empty note: %v", err)
	}
	if _, err := w.s.Comment(ctx, an, c.ID, "Logs show the attacker used a stolen CMS password.", ""); err != nil {
		t.Fatal(err)
	}
	events, err := w.s.Timeline(ctx, w.v("ke-member"), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, ev := range events {
		kinds = append(kinds, ev.Kind)
	}
	if strings.Join(kinds, " ") != "created assigned task_added task_done comment" {
		t.Errorf("timeline %v", kinds)
	}
	// The page shows the timeline, tasks and SLA; forms are for editors.
	res := w.p["ke-member"].B.Get("/cert/cases/" + c.ID)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "stolen CMS password") || !strings.Contains(res.Body, title) ||
		strings.Contains(res.Body, `action="/cert/cases/`+c.ID+`/comments"`) {
		t.Errorf("member's page: %d", res.StatusCode)
	}
	// Form errors come back beside the field, nothing changes.
	res = w.p["ke-analyst"].B.Post("/cert/cases/"+c.ID+"/comments", url.Values{"comment": {""}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `id="e-comment"`) {
		t.Errorf("empty comment form: %d", res.StatusCode)
	}
	res = w.p["ke-analyst"].B.Post("/cert/cases/"+c.ID+"/status", url.Values{"status": {"triage"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("new → triage: %d", res.StatusCode)
	}
	res = w.p["ke-analyst"].B.Post("/cert/cases/"+c.ID+"/status", url.Values{"status": {"handed_over"}})
	if res.StatusCode != http.StatusConflict {
		t.Errorf("→ handed_over by hand: %d", res.StatusCode)
	}
}

// TestNavigation: the cases entry is for the members of CERT teams only.
func TestNavigation(t *testing.T) {
	w := newWorld(t)
	for name, want := range map[string]bool{"ke-member": true, "gh-analyst": true, "outsider": false} {
		if got := strings.Contains(w.p[name].B.Get("/").Body, `href="/cert/cases"`); got != want {
			t.Errorf("%s: cases in the navigation %v, want %v", name, got, want)
		}
	}
	if strings.Contains(w.e.Browser().Get("/").Body, `href="/cert/cases"`) {
		t.Error("anonymous: cases in the navigation")
	}
}
