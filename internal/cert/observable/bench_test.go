package observable_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"harambee.africa/harambee/internal/cert/observable"
)

// benchSize is the number of stored observables: 1,000,000 unless
// HARAMBEE_BENCH_OBSERVABLES says otherwise.
func benchSize(b *testing.B) int {
	n := 1_000_000
	if s := os.Getenv("HARAMBEE_BENCH_OBSERVABLES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			b.Fatalf("HARAMBEE_BENCH_OBSERVABLES=%q", s)
		}
	}
	return n
}

var (
	benchTLDs  = []string{"com", "net", "org", "co.uk", "ru", "info", "xyz", "top", "co.za", "ke", "ng", "io"}
	benchPaths = []string{"/", "/login.php", "/wp-admin/x.php", "/invoice.zip", "/gate.php?id=", "/a/b/c"}
)

// benchValue makes a realistic observable of the given kind from r.
func benchValue(r *rand.Rand, kind observable.Kind) (observable.Kind, string) {
	label := func() string {
		const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
		n := 5 + r.IntN(8)
		b := make([]byte, n)
		for i := range b {
			b[i] = letters[r.IntN(26)]
			if i > 0 {
				b[i] = letters[r.IntN(len(letters))]
			}
		}
		return string(b)
	}
	domain := func() string {
		// A few registered domains with many hosts, as phishing kits make them.
		reg := "d" + strconv.Itoa(r.IntN(50000)) + "." + benchTLDs[r.IntN(len(benchTLDs))]
		if r.IntN(3) == 0 {
			return reg
		}
		return label() + "." + reg
	}
	hexs := func(n int) string {
		const h = "0123456789abcdef"
		b := make([]byte, n)
		for i := range b {
			b[i] = h[r.IntN(16)]
		}
		return string(b)
	}
	switch kind {
	case observable.IPv4:
		return kind, fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(223), r.IntN(256), r.IntN(256), r.IntN(256))
	case observable.IPv6:
		return kind, fmt.Sprintf("2%03x:%x:%x:%x::%x", r.IntN(4096), r.IntN(65536), r.IntN(65536), r.IntN(65536), r.IntN(65536))
	case observable.CIDR4:
		return kind, fmt.Sprintf("%d.%d.%d.0/%d", 1+r.IntN(223), r.IntN(256), r.IntN(256), 16+r.IntN(9))
	case observable.CIDR6:
		return kind, fmt.Sprintf("2%03x:%x:%x::/%d", r.IntN(4096), r.IntN(65536), r.IntN(65536), 32+r.IntN(33))
	case observable.Domain:
		return kind, domain()
	case observable.URL:
		return kind, "http://" + domain() + benchPaths[r.IntN(len(benchPaths))] + label()
	case observable.Email:
		return kind, label() + "@" + domain()
	case observable.MD5:
		return kind, hexs(32)
	case observable.SHA1:
		return kind, hexs(40)
	case observable.SHA256:
		return kind, hexs(64)
	case observable.SHA512:
		return kind, hexs(128)
	}
	return observable.Filename, label() + ".exe"
}

// benchMix is the stored mix: many IPs, domains, URLs and hashes, some CIDRs.
var benchMix = []struct {
	kind observable.Kind
	per  int // per thousand
}{
	{observable.IPv4, 300}, {observable.IPv6, 40}, {observable.CIDR4, 20}, {observable.CIDR6, 5},
	{observable.Domain, 200}, {observable.URL, 180}, {observable.Email, 40},
	{observable.MD5, 70}, {observable.SHA1, 40}, {observable.SHA256, 90}, {observable.SHA512, 5}, {observable.Filename, 10},
}

func benchKind(r *rand.Rand) observable.Kind {
	n := r.IntN(1000)
	for _, m := range benchMix {
		if n < m.per {
			return m.kind
		}
		n -= m.per
	}
	return observable.IPv4
}

// BenchmarkCorrelate stores benchSize observables in SQLite (or PostgreSQL
// with HARAMBEE_TEST_POSTGRES) and correlates new indicators of each kind,
// reporting the median and 99th percentile latency of the documented query.
func BenchmarkCorrelate(b *testing.B) {
	n := benchSize(b)
	s := openStore(b)
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	const batch = 1000
	for done := 0; done < n; {
		m := min(batch*100, n-done)
		obs := make([]observable.Observable, 0, m)
		for range m {
			o, err := observable.Parse(benchValue(r, benchKind(r)))
			if err != nil {
				b.Fatal(err)
			}
			obs = append(obs, o)
		}
		s.insert(b, obs...)
		done += m
	}
	b.Logf("seeded %d observables in %s", n, time.Since(start).Round(time.Millisecond))

	for _, kind := range observable.Kinds {
		b.Run(string(kind), func(b *testing.B) {
			var probes []observable.Observable
			for range 500 {
				o, err := observable.Parse(benchValue(r, kind))
				if err != nil {
					b.Fatal(err)
				}
				probes = append(probes, o)
			}
			times := make([]time.Duration, 0, b.N)
			found := 0
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				t0 := time.Now()
				found += len(s.correlate(b, probes[i%len(probes)]))
				times = append(times, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(times)
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
			b.ReportMetric(ms(times[len(times)/2]), "median-ms")
			b.ReportMetric(ms(times[len(times)*99/100]), "p99-ms")
			b.ReportMetric(float64(found)/float64(len(times)), "links/op")
		})
	}
}
