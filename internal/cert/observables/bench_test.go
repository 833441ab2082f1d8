package observables_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/cert/observable"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

// BenchmarkCorrelateStored correlates a new value against 1,000,000 stored
// observables (100,000 with -short) through the service, with the
// visibility filter, as an analyst of one of eight CERTs. The store is
// generated here: 10,000 cases of the eight teams, half TLP:CLEAR, a fifth
// GREEN, the rest AMBER; observables 40% domains (sub-domains of 20,000
// registered domains), 30% IPv4 addresses, 5% CIDRs (/16 to /28), 15%
// SHA-256 hashes and 10% URLs, their markings those of their cases with a
// tenth AMBER+STRICT, with their correlation keys. Each probe is a fresh
// value: a sub-domain, an address (inside stored CIDRs) or a CIDR, a URL on
// a stored domain, or a hash, in turn. It reports the median and the 99th
// percentile, and the matches found per probe; then the same for a case's
// page of observables (sub-benchmarks value, page, page-one-by-one).
func BenchmarkCorrelateStored(b *testing.B) {
	e := apptest.Start(b)
	ctx := context.Background()
	svc := e.App.CertParts.Observables
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	const cases, teams, domains = 10_000, 8, 20_000
	u, err := e.App.Accounts.Create(ctx, account.NewUser{Email: "bench@cert.example", Name: "Bench", Password: "bench password 2026", Confirmed: true})
	if err != nil {
		b.Fatal(err)
	}
	admin, err := e.App.Accounts.Create(ctx, account.NewUser{Email: "root@cert.example", Name: "Root", Password: "bench password 2026", Confirmed: true,
		Roles: []string{account.RoleAdmin}})
	if err != nil {
		b.Fatal(err)
	}
	adminV := &web.Viewer{ID: admin.ID, Pseudonym: admin.Pseudonym, Roles: admin.Roles}
	var orgIDs []string
	for i := range teams {
		o, err := e.App.Orgs.Create(ctx, &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym}, org.Input{Name: fmt.Sprintf("Bench CERT %d", i),
			Slug: fmt.Sprintf("bench-cert-%d", i), Kind: string(org.NationalCERT), Country: "KE"}, "")
		if err != nil {
			b.Fatal(err)
		}
		if err := e.App.Orgs.SetVerified(ctx, adminV, o, true, ""); err != nil {
			b.Fatal(err)
		}
		orgIDs = append(orgIDs, o.ID)
	}
	// The viewer is an analyst of the first team only.
	viewerUser, err := e.App.Accounts.Create(ctx, account.NewUser{Email: "analyst@cert.example", Name: "Analyst", Password: "bench password 2026", Confirmed: true})
	if err != nil {
		b.Fatal(err)
	}
	if err := e.App.Orgs.AddMember(ctx, "bench-cert-0", viewerUser.ID, []string{"cert_analyst"}); err != nil {
		b.Fatal(err)
	}
	ms, err := e.App.Orgs.Memberships(ctx, viewerUser.ID)
	if err != nil {
		b.Fatal(err)
	}
	v := &web.Viewer{ID: viewerUser.ID, Pseudonym: viewerUser.Pseudonym, Orgs: ms}

	rng := rand.New(rand.NewPCG(7, 11))
	now := e.Clock.Now()
	caseIDs := make([]string, cases)
	caseOwner := make([]string, cases)
	caseMarking := make([]string, cases)
	markingOf := func(i int) string {
		switch {
		case i%10 < 5:
			return "clear"
		case i%10 < 7:
			return "green"
		}
		return "amber"
	}
	err = insertRows(ctx, e.App.DB, "cert_cases", []string{"id", "owner_org", "marking", "state", "community", "title", "created_at", "updated_at"}, cases,
		func(i int) []any {
			caseIDs[i], caseOwner[i], caseMarking[i] = uuid.Must(uuid.NewV7()).String(), orgIDs[i%teams], markingOf(i/teams)
			return []any{caseIDs[i], caseOwner[i], caseMarking[i], "published", "", fmt.Sprintf("Bench case %d", i), now, now}
		})
	if err != nil {
		b.Fatal(err)
	}
	domain := func(k int) string { return fmt.Sprintf("d%05d.example%d.com", k, k%7) }
	value := func(i int) observable.Observable {
		var kind observable.Kind
		var s string
		switch r := i % 20; {
		case r < 8:
			kind, s = observable.Domain, fmt.Sprintf("h%d.%s", i, domain(rng.IntN(domains)))
		case r < 14:
			kind, s = observable.IPv4, fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255) // distinct
		case r < 15:
			// /16 to /28 blocks, never twice the same in a case.
			kind, s = observable.CIDR4, fmt.Sprintf("172.%d.%d.0/%d", 16+i%16, i/16%256, 16+i/4096%13)
		case r < 18:
			kind, s = observable.SHA256, fmt.Sprintf("%016x%016x%016x%016x", rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64())
		default:
			kind, s = observable.URL, fmt.Sprintf("https://%s/p/%d", domain(rng.IntN(domains)), i)
		}
		o, err := observable.Parse(kind, s)
		if err != nil {
			b.Fatalf("generated %s %q: %v", kind, s, err)
		}
		return o
	}
	if e.App.DB.Engine == db.SQLite {
		// The generation writes a few million index entries in random
		// order: a larger page cache on the one writer connection keeps it
		// from thrashing. Reads run on the reader pool as the server's do.
		if _, err := e.App.DB.W.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	seen := map[string]bool{}
	const batch = 20_000
	for from := 0; from < n; from += batch {
		count := min(batch, n-from)
		obs := make([]observable.Observable, count)
		ids := make([]string, count)
		for j := range obs {
			obs[j], ids[j] = value(from+j), uuid.Must(uuid.NewV7()).String()
			key := fmt.Sprint((from+j)%cases, obs[j].Kind, obs[j].Value)
			if seen[key] { // a value once a case: a masked CIDR may repeat
				obs[j] = value(from + j + 2) // a hash
			}
			seen[key] = true
		}
		err := e.App.DB.Tx(ctx, func(tx *sql.Tx) error {
			if err := insertRowsTx(ctx, tx, "cert_observables", []string{"id", "case_id", "owner_org", "marking", "state", "community", "kind", "value",
				"digest", "original", "name", "labels", "note", "created_by", "created_at", "updated_at"}, count, func(j int) []any {
				c := (from + j) % cases
				marking := caseMarking[c]
				if (from+j)%10 == 9 {
					marking = "amber+strict"
				}
				o := obs[j]
				return []any{ids[j], caseIDs[c], caseOwner[c], marking, "published", "", string(o.Kind), o.Value, string(o.Kind) + ":" + o.Value,
					"", "", "", "", "bench", now, now}
			}); err != nil {
				return err
			}
			var terms, addrs [][]any
			for j, o := range obs {
				k := observable.KeysOf(o)
				for _, t := range k.Terms {
					terms = append(terms, []any{t, ids[j]})
				}
				if k.Lo != "" {
					addrs = append(addrs, []any{k.Lo, k.Hi, ids[j]})
				}
			}
			if err := insertRowsTx(ctx, tx, "cert_observable_terms", []string{"term", "observable_id"}, len(terms), func(j int) []any { return terms[j] }); err != nil {
				return err
			}
			return insertRowsTx(ctx, tx, "cert_observable_addrs", []string{"lo", "hi", "observable_id"}, len(addrs), func(j int) []any { return addrs[j] })
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("stored %d observables in %v (%s)", n, time.Since(start).Round(time.Second), e.App.DB.Engine)
	if e.App.DB.Engine == db.SQLite {
		if _, err := e.App.DB.W.ExecContext(ctx, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}

	probe := func(i int) observable.Observable {
		var kind observable.Kind
		var s string
		switch i % 5 {
		case 0:
			kind, s = observable.Domain, fmt.Sprintf("new%d.%s", i, domain(rng.IntN(domains)))
		case 1:
			kind, s = observable.IPv4, fmt.Sprintf("172.%d.%d.%d", 16+rng.IntN(16), rng.IntN(256), rng.IntN(256))
		case 2:
			kind, s = observable.CIDR4, fmt.Sprintf("10.%d.%d.0/24", rng.IntN(256), rng.IntN(256))
		case 3:
			kind, s = observable.URL, fmt.Sprintf("http://%s/new/%d", domain(rng.IntN(domains)), i)
		default:
			kind, s = observable.SHA256, fmt.Sprintf("%016x%016x%016x%016x", rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64())
		}
		o, err := observable.Parse(kind, s)
		if err != nil {
			b.Fatal(err)
		}
		return o
	}
	// A fresh value against the store.
	b.Run("value", func(b *testing.B) {
		var times []time.Duration
		matches := 0
		i := 0
		for b.Loop() {
			o := probe(i)
			i++
			t0 := time.Now()
			m, err := svc.Correlate(ctx, v, []observable.Observable{o}, nil, 0)
			if err != nil {
				b.Fatal(err)
			}
			times = append(times, time.Since(t0))
			matches += len(m)
		}
		report(b, times, float64(matches)/float64(len(times)), "matches/op")
	})
	// A case's page of observables (the first team's cases, which the
	// viewer sees: 100 observables each, 10 with -short) correlated in one
	// query, and, for comparison, one query per observable as the page
	// did before.
	var mine []string
	for c := range cases {
		if c%teams == 0 {
			mine = append(mine, caseIDs[c])
		}
	}
	for _, way := range []string{"page", "page-one-by-one"} {
		b.Run(way, func(b *testing.B) {
			var times []time.Duration
			shown := 0
			i := 0
			for b.Loop() {
				c := mine[i%len(mine)]
				i++
				list, err := svc.ListCase(ctx, v, []string{c}, 100)
				if err != nil {
					b.Fatal(err)
				}
				groups := make([][]observable.Observable, len(list))
				for j, o := range list {
					groups[j] = []observable.Observable{{Kind: observable.Kind(o.Kind), Value: o.Value}}
				}
				t0 := time.Now()
				if way == "page" {
					m, err := svc.CorrelateMany(ctx, v, groups, []string{c}, 10)
					if err != nil {
						b.Fatal(err)
					}
					for _, x := range m {
						shown += len(x)
					}
				} else {
					for _, g := range groups {
						m, err := svc.Correlate(ctx, v, g, []string{c}, 10)
						if err != nil {
							b.Fatal(err)
						}
						shown += len(m)
					}
				}
				times = append(times, time.Since(t0))
			}
			report(b, times, float64(shown)/float64(len(times)), "matches/page")
		})
	}
}

// report gives the median and 99th percentile of times, and one more figure.
func report(b *testing.B, times []time.Duration, per float64, unit string) {
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(per, unit)
}

func insertRows(ctx context.Context, d *db.DB, table string, cols []string, n int, row func(i int) []any) error {
	return d.Tx(ctx, func(tx *sql.Tx) error { return insertRowsTx(ctx, tx, table, cols, n, row) })
}

// insertRowsTx writes n rows with multi-row INSERTs of at most 500 rows.
func insertRowsTx(ctx context.Context, tx *sql.Tx, table string, cols []string, n int, row func(i int) []any) error {
	for from := 0; from < n; from += 500 {
		args := &db.Args{}
		var values []string
		for i := from; i < min(n, from+500); i++ {
			var ph []string
			for _, v := range row(i) {
				ph = append(ph, args.Add(v))
			}
			values = append(values, "("+strings.Join(ph, ", ")+")")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`) VALUES `+strings.Join(values, ", ")+
			` ON CONFLICT DO NOTHING`, args.List()...); err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
	}
	return nil
}
