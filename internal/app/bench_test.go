package app_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"testing"
	"time"

	"harambee.africa/harambee/internal/app/apptest"
)

// seedOrgs inserts n organisations directly, as fast as the database allows.
func seedOrgs(b *testing.B, e *apptest.Env, n int) {
	b.Helper()
	countries := []string{"KE", "NG", "EG", "MA", "ZA", "ET", "GH", "SN", "TZ", "CN", "DZ", "AO"}
	err := e.App.DB.Tx(b.Context(), func(tx *sql.Tx) error {
		for i := 0; i < n; i++ {
			_, err := tx.Exec(`INSERT INTO orgs (id, slug, name, kind, country, created_at) VALUES ($1, $2, $3, 'enterprise', $4, $5)`,
				fmt.Sprintf("00000000-0000-7000-8000-%012d", i), fmt.Sprintf("org-%d", i), fmt.Sprintf("Organisation %05d", i),
				countries[i%len(countries)], e.Clock.Now())
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPages measures the server time of the signed-in home page and the
// organisation list with 10,000 organisations, through the whole middleware
// chain (no network), and reports the median.
func BenchmarkPages(b *testing.B) {
	e := apptest.Start(b)
	seedOrgs(b, e, 10000)
	br := e.SignUp("Bench Mark", "bench@example.org", "correct horse battery")
	u, _ := url.Parse(e.Server.URL)
	cookies := br.Client.Jar.Cookies(u)
	h := e.App.Handler()
	for _, page := range []string{"/", "/orgs", "/orgs?country=KE", "/api/v1/orgs?limit=50"} {
		b.Run(page, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				req := httptest.NewRequest(http.MethodGet, page, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				for _, c := range cookies {
					req.AddCookie(c)
				}
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, req)
				times = append(times, time.Since(start))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", page, rec.Code)
				}
			}
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
			b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
