package search_test

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"testing"
	"time"

	"harambee.africa/harambee/internal/search"
)

// BenchmarkSearch searches 100,000 records in mixed scripts (Chinese,
// French, Arabic, English, Portuguese, Swahili, a sixth each, built from
// the corpus with numbered variations) as an anonymous viewer, and reports
// the median and 99th percentile.
func BenchmarkSearch(b *testing.B) {
	l := setupLib(b)
	o, _ := l.e.App.Orgs.BySlug(context.Background(), "library")
	const n = 100000
	err := l.e.App.DB.Tx(context.Background(), func(tx *sql.Tx) error {
		for i := 0; i < n; i++ {
			d := corpus[i%len(corpus)]
			id := fmt.Sprintf("b%06d", i)
			marking := "clear"
			if i%5 == 0 {
				marking = "amber"
			}
			title := fmt.Sprintf("%s %d", d.title, i%997)
			if _, err := tx.Exec(`INSERT INTO docs (id, title, lang, created_at, owner_org, marking, state) VALUES ($1, $2, $3, $4, $5, $6, 'published')`,
				id, title, d.lang, l.e.Clock.Now().Add(time.Duration(i)*time.Second), o.ID, marking); err != nil {
				return err
			}
			if err := search.Index(context.Background(), tx, docType.Name, id, title+"\n"+d.body); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	queries := []string{"网络安全", "cybersécurité", "الأمن السيبراني", "cable Kenya", "comércio", "biashara mtandaoni", "數字經濟 合作"}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := l.e.App.Search.Search(context.Background(), nil, search.Request{Type: docType, Q: queries[i%len(queries)], Recency: "created_at", Facet: "lang", Limit: 20}); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}
