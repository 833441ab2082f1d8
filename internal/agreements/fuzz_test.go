package agreements

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzInput feeds arbitrary form input to the validation: it never panics,
// and what it accepts is within the limits and the vocabularies.
func FuzzInput(f *testing.F) {
	f.Add("mou", "en", "Title", "2025-01-02", "2026-01-02", "government", "KE", "other", "Body", "zh sw", "2.1")
	f.Add("treaty", "tlh", "", "02/01/2025", "", "org", "", "", "", "xx", "9.9")
	f.Add("other", "ar", strings.Repeat("ب", 301), "2025-02-30", "1899-12-31", "government", "TW", "other", "", "", "")
	f.Fuzz(func(t *testing.T, kind, orig, title, signed, expires, k1, c1, k2, n2, langs, actions string) {
		now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
		in := Input{Kind: kind, Title: TextInput{Original: orig, Texts: map[string]string{orig: title}},
			Parties:  []PartyInput{{Kind: k1, Country: c1}, {Kind: k2, Name: n2, Country: c1}},
			SignedOn: signed, ExpiresOn: expires, Languages: strings.Fields(langs), Actions: strings.Fields(actions)}
		a := &Agreement{}
		if fields := in.apply(a, "fuzzer", now); len(fields) > 0 {
			if a.Kind != "" || a.TitlePlain != "" {
				t.Fatalf("refused input was written: %+v", a)
			}
			return
		}
		if n := utf8.RuneCountInString(a.TitlePlain); n == 0 || n > TitleMax {
			t.Fatalf("title of %d characters accepted", n)
		}
		if len(a.Parties) < 2 || a.SignedOn.IsZero() || (a.ExpiresOn != nil && a.ExpiresOn.Before(a.SignedOn)) {
			t.Fatalf("accepted %+v", a)
		}
		for _, l := range a.Languages {
			if !slices.Contains(LanguageCodes, l) {
				t.Fatalf("language %q accepted", l)
			}
		}
		for _, x := range a.Actions {
			if !slices.Contains(Actions, x) {
				t.Fatalf("action %q accepted", x)
			}
		}
	})
}

func TestStatus(t *testing.T) {
	d := func(s string) *time.Time {
		t, _ := time.Parse(time.DateOnly, s)
		return &t
	}
	today := *d("2026-11-27")
	cases := []struct {
		signed            string
		effective, expiry *time.Time
		want              string
	}{
		{"2026-11-27", nil, nil, InForce},
		{"2026-11-28", nil, nil, NotYetInForce},
		{"2020-01-01", d("2026-12-01"), nil, NotYetInForce},
		{"2020-01-01", nil, d("2026-11-27"), InForce}, // in force on its last day
		{"2020-01-01", nil, d("2026-11-26"), Expired},
	}
	for _, c := range cases {
		s := Summary{SignedOn: *d(c.signed), EffectiveFrom: c.effective, ExpiresOn: c.expiry}
		if got := s.Status(today); got != c.want {
			t.Errorf("%+v: %s, want %s", c, got, c.want)
		}
	}
}
