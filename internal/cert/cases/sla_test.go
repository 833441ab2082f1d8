package cases_test

import (
	"context"
	"testing"
	"time"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/cases"
)

// TestSLA follows a critical case on the manual clock: the time to
// acknowledge breaches once (one notification per team person, one audit
// entry, however often the job runs); the hand-over pauses the clock; the
// time to resolve breaches only on running time.
func TestSLA(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	clk := w.e.Clock
	c := w.open("ke-analyst", "Critical outage", "critical") // 1 h to acknowledge, 24 h to resolve
	notes := func(subject string) int {
		return w.count(`SELECT COUNT(*) FROM notifications WHERE kind = $1 AND subject = $2`, cases.SLAKind.Name, subject)
	}
	clk.Advance(59 * time.Minute)
	if err := w.s.CheckSLA(ctx); err != nil {
		t.Fatal(err)
	}
	if n := notes("cert.cases.note.sla_ack"); n != 0 {
		t.Fatalf("%d notes before the target", n)
	}
	if sla := w.reload(c.ID).SLAAt(clk.Now()); sla.Ack.Breached || sla.Ack.Left != time.Minute {
		t.Fatalf("at 59 min: %+v", sla.Ack)
	}
	clk.Advance(2 * time.Minute)
	for range 3 {
		if err := w.s.CheckSLA(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// The team's admin and analyst are told, once; the plain member is not.
	if n := notes("cert.cases.note.sla_ack"); n != 2 {
		t.Fatalf("%d ack breach notes, want 2", n)
	}
	if n := w.count(`SELECT COUNT(*) FROM audit_entries WHERE action = 'cert.case.sla_breached' AND target_id = $1`, c.ID); n != 1 {
		t.Errorf("%d breach audit entries, want 1", n)
	}
	if sla := w.reload(c.ID).SLAAt(clk.Now()); !sla.Ack.Breached || sla.Ack.Left != -time.Minute {
		t.Fatalf("at 61 min: %+v", sla.Ack)
	}
	an := w.v("ke-analyst")
	if _, err := w.s.SetStatus(ctx, an, c.ID, cert.StatusInProgress, ""); err != nil {
		t.Fatal(err)
	}
	if got := w.reload(c.ID); got.AckTook == nil || *got.AckTook != 61*time.Minute || !got.SLAAt(clk.Now()).Ack.Met {
		t.Fatalf("acknowledged late: %v", got.AckTook)
	}
	clk.Advance(59 * time.Minute) // 2 h on the clock
	if _, err := w.s.HandOver(ctx, an, c.ID, cases.HandOverInput{To: "GH", Summary: "Please take the Ghanaian part."}, ""); err != nil {
		t.Fatal(err)
	}
	got := w.reload(c.ID)
	if got.Status != cert.StatusHandedOver || got.RunningSince != nil || got.ResolveDue != nil {
		t.Fatalf("handed over: %s, running since %v, due %v", got.Status, got.RunningSince, got.ResolveDue)
	}
	clk.Advance(30 * time.Hour) // waiting for Ghana does not count
	if err := w.s.CheckSLA(ctx); err != nil {
		t.Fatal(err)
	}
	if n := notes("cert.cases.note.sla_resolve"); n != 0 {
		t.Fatalf("resolve breach while paused: %d", n)
	}
	if sla := w.reload(c.ID).SLAAt(clk.Now()); !sla.Paused || sla.Resolve.Took != 2*time.Hour || sla.Resolve.Breached {
		t.Fatalf("paused: %+v", sla)
	}
	_, out, err := w.s.Inbox(ctx, an)
	if err != nil || len(out) != 1 {
		t.Fatalf("outgoing: %v %d", err, len(out))
	}
	if _, err := w.s.Decline(ctx, w.v("gh-analyst"), out[0].ID, "Not our constituency.", ""); err != nil {
		t.Fatal(err)
	}
	if got := w.reload(c.ID); got.Status != cert.StatusInProgress || got.RunningSince == nil {
		t.Fatalf("after the decline: %s", got.Status)
	}
	clk.Advance(21*time.Hour + 59*time.Minute) // 23 h 59 min on the clock
	if err := w.s.CheckSLA(ctx); err != nil {
		t.Fatal(err)
	}
	if n := notes("cert.cases.note.sla_resolve"); n != 0 {
		t.Fatalf("resolve breach before the target: %d", n)
	}
	clk.Advance(2 * time.Minute)
	for range 2 {
		if err := w.s.CheckSLA(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := notes("cert.cases.note.sla_resolve"); n != 2 {
		t.Fatalf("%d resolve breach notes, want 2", n)
	}
	if n := w.count(`SELECT COUNT(*) FROM cert_case_events WHERE case_id = $1 AND kind = 'sla_breach'`, c.ID); n != 2 {
		t.Errorf("%d breach events in the timeline, want 2", n)
	}
	// A new severity moves the due time: lowering it to low gives 30 days.
	got = w.reload(c.ID)
	in := cases.InputOf(got)
	in.Severity = "low"
	if _, err := w.s.Update(ctx, an, c.ID, in, ""); err != nil {
		t.Fatal(err)
	}
	if got := w.reload(c.ID); got.ResolveDue == nil || !got.ResolveDue.Equal(clk.Now().Add(30*24*time.Hour-24*time.Hour-time.Minute)) {
		t.Errorf("due after lowering the severity: %v", got.ResolveDue)
	}
}
