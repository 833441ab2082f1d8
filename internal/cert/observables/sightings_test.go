package observables_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"harambee.africa/harambee/internal/sharing"
)

// TestSightingsSummaryCountsAll: the totals count every sighting, also
// beyond the ones a page lists.
func TestSightingsSummaryCountsAll(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ke, keAdmin := w.team("ke-cert", "KE")
	c := w.newCase(ke, "Busy case", sharing.Amber)
	id := w.paste(keAdmin, c, "busy.example.org", sharing.Amber)[0]
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 250 {
		day := start.AddDate(0, 0, i)
		if _, err := w.e.App.DB.W.Exec(`INSERT INTO cert_observable_sightings (id, observable_id, org_id, seen_count, first_seen, last_seen, created_by, created_at)
			VALUES ($1, $2, $3, 2, $4, $4, $5, $4)`, fmt.Sprintf("s%03d", i), id, ke.ID, day, keAdmin.ID); err != nil {
			t.Fatal(err)
		}
	}
	o, err := w.svc.Get(ctx, w.viewer(keAdmin), id)
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.svc.SightingsOf(ctx, w.viewer(keAdmin), o)
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != 500 || got.Teams != 1 || !got.FirstSeen.Equal(start) || !got.LastSeen.Equal(start.AddDate(0, 0, 249)) || len(got.Items) > 200 {
		t.Errorf("summary %d sightings by %d teams, %v – %v, %d listed", got.Total, got.Teams, got.FirstSeen, got.LastSeen, len(got.Items))
	}
}
