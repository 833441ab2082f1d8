package reports_test

import (
	"strconv"
	"testing"

	"harambee.africa/harambee/internal/cert/reports"
)

// BenchmarkSolve measures a proof of work at the default difficulty, on
// tokens shaped like the server's (the time varies with luck: 2^18 hashes
// on average).
func BenchmarkSolve(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		reports.Solve("v1.bench"+strconv.Itoa(i)+".1790000000.18.tagtagtagtagtagt.macmacmacmacmacmacmacm", reports.DefaultBits)
	}
}
