package reports_test

import (
	"testing"

	"harambee.africa/harambee/internal/cert/reports"
)

// FuzzChallenge feeds arbitrary tokens and answers to the challenge's
// parsers: they never panic, never accept a token the server did not sign,
// and read only small whole numbers.
func FuzzChallenge(f *testing.F) {
	s := reports.WithKey([]byte("0123456789abcdef0123456789abcdef"))
	f.Add("v1.AAAA.1790000000.18.tag.mac", "12")
	f.Add("", "7")
	f.Add("v1....", "١٢")
	f.Add("v1.a.b.c.d.e.f", "０")
	f.Add("v1.nonce.99999999999999999999.-1.tag.bWFj", "99999999999999999999")
	f.Fuzz(func(t *testing.T, token, answer string) {
		if err := s.Parse(token); err == nil {
			t.Fatalf("accepted an unsigned challenge %q", token)
		}
		if n, ok := reports.Number(answer); ok && (n < 0 || n > 1000) {
			t.Fatalf("read %q as %d", answer, n)
		}
	})
}
