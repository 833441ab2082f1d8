package cases_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/cases"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/sharing"
)

// TestHandOver hands a Kenyan case to Ghana with one observable, and
// checks the linked case, the marking floor, the privacy of each team's
// notes, both timelines, the audit log, notifications and the shares.
func TestHandOver(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	obs := newFakeObservables()
	saved := w.s.Observables
	w.s.Observables = obs
	t.Cleanup(func() { w.s.Observables = saved })
	ke, gh, sn := w.orgs["ke-cert"], w.orgs["gh-cert"], w.orgs["sn-cert"]
	an := w.v("ke-analyst")
	origin, err := w.s.Create(ctx, an, cases.Input{Title: "Botnet C2 in Accra hosting", Summary: "Internal: source is a bank's SOC.",
		Category: "c2-server", Severity: "high", Marking: "amber+strict", Countries: []string{"GH", "KE"}, Sectors: []string{"banking"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	obs.items[origin.ID] = []cert.ObservableItem{{ID: "obs-1", Kind: "ipv4-addr", Value: "203.0.113.5", Marking: sharing.AmberStrict},
		{ID: "obs-2", Kind: "domain-name", Value: "c2.example", Marking: sharing.AmberStrict}}
	if _, err := w.s.Comment(ctx, an, origin.ID, "KE private note: informant details", ""); err != nil {
		t.Fatal(err)
	}
	hand := func(in cases.HandOverInput) (*cases.HandOver, error) { return w.s.HandOver(ctx, an, origin.ID, in, "") }
	for field, in := range map[string]cases.HandOverInput{
		"to":          {To: "acme", Summary: "x"},
		"summary":     {To: "gh-cert"},
		"marking":     {To: "gh-cert", Summary: "x", Marking: "amber"}, // lower than the case's
		"observables": {To: "gh-cert", Summary: "x", Observables: []string{"obs-9"}},
	} {
		_, err := hand(in)
		var e *errs.Error
		if !errorsAs(err, &e) || e.Fields[field] == "" {
			t.Errorf("%s: %v", field, err)
		}
	}
	if _, err := hand(cases.HandOverInput{To: "ke-cert", Summary: "x"}); errs.KeyOf(err) != "error.form" && !strings.Contains(errFields(err), "to_self") {
		t.Errorf("to oneself: %v", err)
	}
	if _, err := w.s.HandOver(ctx, w.v("ke-member"), origin.ID, cases.HandOverInput{To: "GH", Summary: "x"}, ""); !errs.Is(err, errs.Forbidden) {
		t.Errorf("plain member hands over: %v", err)
	}
	if n := w.count(`SELECT COUNT(*) FROM cert_handovers`); n != 0 || len(obs.sharedWith(gh.ID)) != 0 {
		t.Fatalf("refused hand-overs left %d rows, shares %v", n, obs.sharedWith(gh.ID))
	}
	sent := w.e.Clock.Now()
	h, err := hand(cases.HandOverInput{To: "GH", Title: "Botnet C2 hosted in Ghana", Summary: "C2 at 203.0.113.5, please take down.",
		Observables: []string{"obs-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if h.ToOrg != gh.ID || h.Marking != sharing.AmberStrict || !slices.Equal(obs.sharedWith(gh.ID), []string{"obs-1"}) {
		t.Fatalf("hand-over %+v, shared %v", h, obs.sharedWith(gh.ID))
	}
	if _, err := hand(cases.HandOverInput{To: "gh-cert", Summary: "again"}); !errs.Is(err, errs.Conflict) {
		t.Errorf("second pending hand-over to the same team: %v", err)
	}
	if got := w.reload(origin.ID); got.Status != cert.StatusHandedOver {
		t.Fatalf("origin status %s", got.Status)
	}
	if n := w.count(`SELECT COUNT(*) FROM notifications WHERE kind = $1 AND subject = 'cert.cases.note.handover_new' AND user_id IN ($2, $3)`,
		cases.HandOverKind.Name, w.p["gh-admin"].ID, w.p["gh-analyst"].ID); n != 2 {
		t.Errorf("%d notes to Ghana", n)
	}
	// Before acceptance: Ghana sees the hand-over, not the case; Senegal neither.
	if _, err := w.s.GetHandOver(ctx, w.v("gh-analyst"), h.ID); err != nil {
		t.Errorf("receiver reads the hand-over: %v", err)
	}
	for _, who := range []string{"sn-analyst", "outsider", "root"} {
		if _, err := w.s.GetHandOver(ctx, w.v(who), h.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("%s reads the hand-over: %v", who, err)
		}
	}
	if _, err := w.s.Get(ctx, w.v("gh-analyst"), origin.ID); !errs.Is(err, errs.NotFound) {
		t.Errorf("receiver reads the origin case: %v", err)
	}
	if _, err := w.s.Accept(ctx, an, h.ID, ""); !errs.Is(err, errs.Forbidden) {
		t.Errorf("sender accepts: %v", err)
	}
	if _, err := w.s.Accept(ctx, w.v("sn-analyst"), h.ID, ""); !errs.Is(err, errs.NotFound) {
		t.Errorf("a third team accepts: %v", err)
	}
	w.e.Clock.Advance(45 * time.Minute)
	linked, err := w.s.Accept(ctx, w.v("gh-analyst"), h.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Accept(ctx, w.v("gh-admin"), h.ID, ""); !errs.Is(err, errs.Conflict) {
		t.Errorf("second acceptance: %v", err)
	}
	if linked.OwnerOrg != gh.ID || linked.Marking != sharing.AmberStrict || linked.Floor != sharing.AmberStrict ||
		linked.Status != cert.StatusInProgress || linked.AcknowledgedAt == nil || linked.Title != "Botnet C2 hosted in Ghana" ||
		linked.Summary != "" {
		t.Fatalf("linked case %+v", linked)
	}
	ref, err := w.s.Case(ctx, w.v("gh-analyst"), linked.ID)
	if err != nil || !slices.Equal(ref.From, []string{origin.ID}) {
		t.Fatalf("CaseRef.From %v, %v", ref, err)
	}
	if got := w.reload(origin.ID); got.Status != cert.StatusInProgress {
		t.Errorf("origin after acceptance: %s", got.Status)
	}
	if n := w.count(`SELECT COUNT(*) FROM notifications WHERE subject = 'cert.cases.note.handover_accepted' AND user_id = $1`,
		w.p["ke-analyst"].ID); n != 1 {
		t.Errorf("%d acceptance notes to the sender", n)
	}
	// The page of the linked case carries the hand-over summary and the
	// observables block with the origin listed; the origin stays hidden.
	b := w.p["gh-analyst"].B
	res := b.Get("/cert/cases/" + linked.ID)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "please take down") || !strings.Contains(res.Body, `data-from="`+origin.ID+`"`) {
		t.Fatalf("linked page: %d", res.StatusCode)
	}
	for _, path := range []string{"/cert/cases/" + origin.ID, "/api/v1/cert/cases/" + origin.ID} {
		if res := b.Get(path); res.StatusCode != http.StatusNotFound || strings.Contains(res.Body, "informant") {
			t.Errorf("receiver GET %s: %d", path, res.StatusCode)
		}
	}
	if res := api(b, "POST", "/api/v1/cert/cases/"+origin.ID+"/comments", map[string]string{"body": "hi"}); res.StatusCode != http.StatusNotFound {
		t.Errorf("receiver comments on the origin: %d", res.StatusCode)
	}
	// Each team's notes stay its own.
	if _, err := w.s.Comment(ctx, w.v("gh-analyst"), linked.ID, "GH private note: takedown ticket 42", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Timeline(ctx, an, linked.ID); !errs.Is(err, errs.NotFound) {
		t.Errorf("sender reads the receiver's timeline: %v", err)
	}
	if res := w.p["ke-analyst"].B.Get("/api/v1/cert/cases/" + linked.ID); res.StatusCode != http.StatusNotFound || strings.Contains(res.Body, "ticket 42") {
		t.Errorf("sender GET linked case: %d", res.StatusCode)
	}
	// The marking never goes below the hand-over's on the receiving side.
	if err := w.s.SetMarking(ctx, w.v("gh-analyst"), linked.ID, sharing.Amber, ""); errs.KeyOf(err) != "error.form" && !strings.Contains(errFields(err), "floor") {
		t.Errorf("lowering below the floor: %v", err)
	}
	if res := api(b, "PATCH", "/api/v1/cert/cases/"+linked.ID, map[string]string{"marking": "green"}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("API lowering: %d %s", res.StatusCode, res.Body)
	}
	// Nor through the kernel's share page, which calls the case type's hook.
	m, err := w.e.App.Sharing.Meta(ctx, w.v("gh-analyst"), cert.CaseTypeName, linked.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.e.App.Sharing.SetMarking(ctx, w.v("gh-analyst"), m, sharing.Green, ""); !errs.Is(err, errs.Invalid) {
		t.Errorf("lowering on the share page: %v", err)
	}
	if got, _ := w.s.Get(ctx, w.v("gh-analyst"), linked.ID); got.Marking != sharing.AmberStrict {
		t.Errorf("marking after the share page: %s", got.Marking)
	}
	// Raising it is the receiver's choice, and shows in both timelines.
	if err := w.s.SetMarking(ctx, w.v("gh-analyst"), linked.ID, sharing.Red, ""); err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT COUNT(*) FROM cert_case_events WHERE case_id = $1 AND kind = 'peer_marking'`, origin.ID); n != 1 {
		t.Errorf("%d peer marking events on the origin", n)
	}
	// The sender edits the one summary: both sides read it, both timelines say so.
	if _, err := w.s.EditSummary(ctx, w.v("gh-analyst"), h.ID, "rewritten", ""); !errs.Is(err, errs.Forbidden) {
		t.Errorf("receiver edits the summary: %v", err)
	}
	if _, err := w.s.EditSummary(ctx, an, h.ID, "C2 at 203.0.113.5 and a second one soon.", ""); err != nil {
		t.Fatal(err)
	}
	got, err := w.s.GetHandOver(ctx, w.v("gh-analyst"), h.ID)
	if err != nil || got.Summary != "C2 at 203.0.113.5 and a second one soon." || got.SummaryEdited == nil {
		t.Fatalf("receiver's view of the summary: %v %+v", err, got)
	}
	for _, id := range []string{origin.ID, linked.ID} {
		if n := w.count(`SELECT COUNT(*) FROM cert_case_events WHERE case_id = $1 AND kind = 'handover_edited'`, id); n != 1 {
			t.Errorf("case %s: %d edited events", id, n)
		}
	}
	// Every hop is audited for both teams.
	for _, action := range []string{"cert.handover.created", "cert.handover.accepted", "cert.handover.edited"} {
		for _, o := range []string{ke.ID, gh.ID} {
			if n := w.count(`SELECT COUNT(*) FROM audit_entries WHERE action = $1 AND org_id = $2`, action, o); n != 1 {
				t.Errorf("%s for %s: %d entries", action, o, n)
			}
		}
	}

	// A decline, with its reason, takes the shared observables back.
	h2, err := hand(cases.HandOverInput{To: "sn-cert", Summary: "The domain is registered in Dakar.", Observables: []string{"obs-2"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Decline(ctx, w.v("sn-analyst"), h2.ID, " ", ""); !errs.Is(err, errs.Invalid) {
		t.Errorf("decline without a reason: %v", err)
	}
	w.e.Clock.Advance(15 * time.Minute)
	res = w.p["sn-analyst"].B.Post("/cert/handovers/"+h2.ID+"/decline", url.Values{"reason": {"Registrar is not in Senegal."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("decline page: %d %s", res.StatusCode, res.Body)
	}
	if len(obs.sharedWith(sn.ID)) != 0 {
		t.Errorf("shares left after the decline: %v", obs.sharedWith(sn.ID))
	}
	if n := w.count(`SELECT COUNT(*) FROM notifications WHERE subject = 'cert.cases.note.handover_declined' AND user_id = $1`,
		w.p["ke-admin"].ID); n != 1 {
		t.Errorf("%d decline notes", n)
	}
	// A withdrawal does too.
	h3, err := hand(cases.HandOverInput{To: "sn-cert", Summary: "Second try.", Observables: []string{"obs-2"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Withdraw(ctx, w.v("gh-analyst"), h3.ID, ""); !errs.Is(err, errs.NotFound) && !errs.Is(err, errs.Forbidden) {
		t.Errorf("another team withdraws: %v", err)
	}
	if _, err := w.s.Withdraw(ctx, an, h3.ID, ""); err != nil {
		t.Fatal(err)
	}
	if len(obs.sharedWith(sn.ID)) != 0 {
		t.Errorf("shares left after the withdrawal: %v", obs.sharedWith(sn.ID))
	}
	if got := w.reload(origin.ID); got.Status != cert.StatusInProgress {
		t.Errorf("origin after the withdrawal: %s", got.Status)
	}

	// Indicators: one case handed across a border (to GH); answers took 45 and 15 minutes.
	val, err := w.s.HandedAcross().Compute(ctx, nil)
	if err != nil || val.Total != 1 || val.Breakdown["GH"] != 1 {
		t.Errorf("handovers indicator %+v %v", val, err)
	}
	med, err := w.s.AckMedian().Compute(ctx, nil)
	if err != nil || med.Total != 30 {
		t.Errorf("median %+v %v (sent %v)", med, err, sent)
	}
	// The STIX export goes through the observables part.
	res = w.p["ke-analyst"].B.Get("/cert/cases/" + origin.ID + "/stix")
	if saved != nil && (res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != cases.STIXType ||
		!strings.Contains(res.Body, "Botnet C2 in Accra")) {
		t.Errorf("STIX export: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res := w.p["sn-analyst"].B.Get("/cert/cases/" + origin.ID + "/stix"); saved != nil && res.StatusCode != http.StatusNotFound {
		t.Errorf("STIX export by another team: %d", res.StatusCode)
	}
}

func errFields(err error) string {
	var e *errs.Error
	if !errorsAs(err, &e) {
		return ""
	}
	var out []string
	for k, v := range e.Fields {
		out = append(out, k+"="+v)
	}
	return strings.Join(out, " ")
}
