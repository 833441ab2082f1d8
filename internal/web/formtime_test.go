package web

import (
	"testing"
	"time"
)

func TestParseFormTime(t *testing.T) {
	nairobi := &Viewer{TimeZone: "Africa/Nairobi"}
	for _, c := range []struct {
		v    *Viewer
		raw  string
		want string // RFC 3339 in UTC; "" for nil; "bad" for unreadable
	}{
		{nairobi, "2026-11-27", "2026-11-26T21:00:00Z"},
		{nairobi, "2026-11-27T10:00", "2026-11-27T07:00:00Z"},
		{nairobi, "2026-11-27T10:00:30", "2026-11-27T07:00:30Z"},
		{nairobi, "2026-11-27T10:00:00+01:00", "2026-11-27T09:00:00Z"},
		{nil, "2026-11-27T10:00", "2026-11-27T10:00:00Z"},
		{&Viewer{TimeZone: "Nowhere/City"}, "2026-11-27", "2026-11-27T00:00:00Z"},
		{nairobi, "  ", ""},
		{nairobi, "27/11/2026", "bad"},
	} {
		got, ok := ParseFormTime(c.v, c.raw)
		switch {
		case c.want == "bad":
			if ok {
				t.Errorf("%q read as %v", c.raw, got)
			}
		case c.want == "":
			if !ok || got != nil {
				t.Errorf("%q: %v %v", c.raw, got, ok)
			}
		case !ok || got == nil || got.UTC().Format(time.RFC3339) != c.want:
			t.Errorf("%q in %v: %v %v, want %s", c.raw, c.v, got, ok, c.want)
		}
	}
}
