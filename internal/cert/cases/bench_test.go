package cases_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/cert/cases"
)

// seed inserts n cases of each of two teams, their clocks running, a third
// of them overdue, in SQL (the service's Create would dominate the set-up).
func seed(b *testing.B, w *world, n int) {
	ctx := context.Background()
	now := w.e.Clock.Now()
	err := w.e.App.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, team := range []string{"ke-cert", "gh-cert"} {
			for i := range n {
				at := now.Add(-time.Duration(i) * time.Minute)
				due := at.Add(time.Hour)
				_, err := tx.ExecContext(ctx, `INSERT INTO cert_cases (id, owner_org, marking, state, community, title, severity, status,
					countries, created_at, updated_at, sla_running_since, ack_due_at, resolve_due_at, ack_breach_noted_at, resolve_breach_noted_at)
					VALUES ($1, $2, 'amber', 'published', '', $3, 'critical', 'new', 'KE', $4, $4, $4, $5, $6, $7, $7)`,
					uuid.Must(uuid.NewV7()).String(), w.orgs[team].ID, fmt.Sprintf("case %d", i), at, due, at.Add(24*time.Hour), now)
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkList is the first page of the case list (50 cases) of a team
// with 10,000 cases among 20,000.
func BenchmarkList(b *testing.B) {
	w := newWorld(b)
	seed(b, w, 10000)
	v := w.v("ke-analyst")
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		page, err := w.s.List(ctx, v, cases.Filter{Status: "open"})
		if err != nil || len(page.Items) != cases.PageDefault {
			b.Fatal(err, len(page.Items))
		}
	}
}

// BenchmarkCheckSLA is one run of the minute job over 20,000 running cases
// whose breaches were all noted already: the cost of a quiet minute.
func BenchmarkCheckSLA(b *testing.B) {
	w := newWorld(b)
	seed(b, w, 10000)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if err := w.s.CheckSLA(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
