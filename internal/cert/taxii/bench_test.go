package taxii_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/cert/stix"
	"harambee.africa/harambee/internal/cert/taxii"
)

// Benchmarks of the figures in docs/benchmarks.md. Import: parse (with
// every check), versions, storage, the search index and the correlation
// keys, into a fresh collection each time; longest-tx-ms is the longest
// write transaction of an import.
//
//	go test -run XXX -bench 'Import' -benchtime 3x ./internal/cert/taxii/
//	HARAMBEE_BENCH_LARGE=1 go test -run XXX -bench TAXIIGet1M -benchtime 20x -timeout 30m ./internal/cert/taxii/
//
// With HARAMBEE_TEST_POSTGRES set, the same run on PostgreSQL.

func benchImport(b *testing.B, data []byte) {
	e := apptest.Start(b)
	s := e.App.CertParts.TAXII
	s.Limits.MaxBytes = 1 << 30
	b.SetBytes(int64(len(data)))
	n := 0
	var longest time.Duration
	cpu0 := cpuTime()
	for b.Loop() {
		bundle, err := stix.ParseBundle(bytes.NewReader(data), stix.Limits{MaxBytes: 1 << 30, MaxObjects: 200_000})
		if err != nil {
			b.Fatal(err)
		}
		col := &taxii.Collection{ID: uuid.NewString(), Kind: taxii.Circle, Ceiling: stix.TLPAmberStrict, CanWrite: true}
		st, err := s.Store(context.Background(), col, bundle.Objects, "bench", "", "")
		if err != nil {
			b.Fatal(err)
		}
		if st.FailureCount > 0 || st.Added != len(bundle.Objects) {
			b.Fatalf("%d added, %d failed of %d", st.Added, st.FailureCount, len(bundle.Objects))
		}
		n += len(bundle.Objects)
		longest = max(longest, st.LongestBatch)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "objects/s")
	// CPU time of the whole process (every goroutine, the timed loop
	// only), per 1,000 objects: comparable between runs on a loaded
	// machine where wall time is not.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(n)*1000, "cpu-ms/kobj")
	b.ReportMetric(float64(longest.Microseconds())/1000, "longest-tx-ms")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkImportATTACKICS(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("../../../../shared/data", "attack/ics-attack-18.1.json"))
	if err != nil {
		b.Skipf("ATT&CK ICS bundle not present: %v", err)
	}
	benchImport(b, data)
}

// generatedBundle holds n objects: indicators, malware and the
// relationships between them, as a feed of indicators typically looks.
func generatedBundle(n int) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		id := fmt.Sprintf("%08x-17d4-4cbf-938f-%012x", i/3, i)
		switch i % 3 {
		case 0:
			fmt.Fprintf(&buf, `{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"Malicious address %d","description":"Seen in phishing campaign number %d against ministries.","indicator_types":["malicious-activity"],"pattern":"[ipv4-addr:value = '10.%d.%d.%d']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z","labels":["phishing"],"object_marking_refs":["%s"]}`,
				id, i, i%97, (i>>16)&255, (i>>8)&255, i&255, stix.TLP2Green)
		case 1:
			fmt.Fprintf(&buf, `{"type":"malware","spec_version":"2.1","id":"malware--%s","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"Loader %d","is_family":false,"malware_types":["dropper"],"object_marking_refs":["%s"]}`,
				id, i, stix.TLP2Green)
		default:
			fmt.Fprintf(&buf, `{"type":"relationship","spec_version":"2.1","id":"relationship--%s","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","relationship_type":"indicates","source_ref":"indicator--%08x-17d4-4cbf-938f-%012x","target_ref":"malware--%08x-17d4-4cbf-938f-%012x","object_marking_refs":["%s"]}`,
				id, i/3, i-2, i/3, i-1, stix.TLP2Green)
		}
	}
	buf.WriteString(`]}`)
	return buf.Bytes()
}

func BenchmarkImportGenerated100k(b *testing.B) {
	benchImport(b, generatedBundle(100_000))
}

// BenchmarkTAXIIGet1M: GET objects, 1,000 a page, from a collection of
// 1,000,000 object versions, at pages 1, 500 and 999; reports the median.
func BenchmarkTAXIIGet1M(b *testing.B) {
	if os.Getenv("HARAMBEE_BENCH_LARGE") == "" {
		b.Skip("set HARAMBEE_BENCH_LARGE=1 to build a collection of 1,000,000 objects")
	}
	const total = 1_000_000
	e := apptest.Start(b)
	ctx := context.Background()
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	// Straight into the table, in transactions of 20,000 rows: the fast path
	// for the fixture, not what the benchmark measures.
	const per = 200
	for base := 0; base < total; {
		tx, err := e.App.DB.W.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		for end := min(base+20_000, total); base < end; base += per {
			var q strings.Builder
			q.WriteString(`INSERT INTO cert_taxii_objects (collection_id, seq, added_us, stix_id, type, spec_version, version, version_us, tlp, digest, import_id, raw) VALUES `)
			args := make([]any, 0, per*7)
			for i := base; i < base+per; i++ {
				if i > base {
					q.WriteString(", ")
				}
				k := len(args)
				fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, 'indicator', '2.1', '2024-01-01T00:00:00.000Z', 1704067200000000, 'clear', 'd', 'bench', $%d)", k+1, k+2, k+3, k+4, k+5)
				id := fmt.Sprintf("indicator--%08x-17d4-4cbf-938f-000000000000", i)
				args = append(args, taxii.PublicID, int64(i+1), start+int64(i), id,
					`{"type":"indicator","spec_version":"2.1","id":"`+id+`","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"Malicious address","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z","object_marking_refs":["`+stix.TLP2Clear+`"]}`)
			}
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := e.App.DB.W.ExecContext(ctx, `INSERT INTO cert_taxii_heads (collection_id, published_seq, last_seq, last_added_us) VALUES ($1, $2, $2, $3)`,
		taxii.PublicID, total, start+total-1); err != nil {
		b.Fatal(err)
	}
	if e.App.DB.Engine == "postgres" {
		e.App.DB.W.ExecContext(ctx, `ANALYZE cert_taxii_objects`)
	} else {
		e.App.DB.W.ExecContext(ctx, `ANALYZE`)
	}
	for _, page := range []int{1, 500, 999} {
		b.Run(fmt.Sprintf("page%d", page), func(b *testing.B) {
			u := e.Server.URL + "/taxii2/cert/collections/" + taxii.PublicID + "/objects/?limit=1000&match[version]=all"
			if page > 1 {
				i := int64((page - 1) * 1000) // the last row of the previous page
				u += "&next=" + taxii.NextToken(start+i-1, i)
			}
			var times []time.Duration
			for b.Loop() {
				t0 := time.Now()
				req, _ := http.NewRequest("GET", u, nil)
				req.Header.Set("Accept", taxii.MediaTAXII)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				times = append(times, time.Since(t0))
				if res.StatusCode != 200 || bytes.Count(body, []byte(`"type":"indicator"`)) != 1000 {
					b.Fatalf("%d, %d objects", res.StatusCode, bytes.Count(body, []byte(`"type":"indicator"`)))
				}
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
		})
	}
}
