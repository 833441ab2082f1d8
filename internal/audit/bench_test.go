package audit_test

import (
	"context"
	"encoding/json"
	"testing"

	"harambee.africa/harambee/internal/audit"
)

// BenchmarkAppend measures one Log: a transaction that takes the lock, reads
// the head, hashes and inserts one entry, and commits.
func BenchmarkAppend(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	e := audit.Entry{
		Action: "org.role_changed", Actor: "p_3f9a", OrgID: "org-1",
		TargetType: "membership", TargetID: "m-42", ClientAddr: "192.0.2.1",
		Details: json.RawMessage(`{"from":"member","to":"admin"}`),
	}
	for b.Loop() {
		if err := f.trail.Log(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures Verify per entry over a log of 10,000 entries.
func BenchmarkVerify(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	f.log(b, 10_000)
	pub := newSigner(b).PublicKey()
	for b.Loop() {
		r, err := f.trail.Verify(ctx, pub)
		if err != nil || !r.OK() {
			b.Fatal(r.Problem, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10_000, "ns/entry")
}
