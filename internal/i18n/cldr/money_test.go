package cldr_test

import (
	"testing"

	"harambee.africa/harambee/internal/i18n/cldr"
)

// Expected strings from CLDR 48: the currency pattern of each locale
// (numbers.json currencyFormats-numberSystem-latn "standard"), its symbols
// (currencies.json, falling back to root: KES is "Ksh" only in sw, CNY is
// "¥" in zh, "CNY" in fr, "CN¥" elsewhere; XOF is "F\u202fCFA"), CLDR's
// currency spacing (a no-break space between a symbol ending in a letter and
// a digit, none after "¥") and ISO 4217 minor units (KES 2, CNY 2, XOF 0).
func TestMoney(t *testing.T) {
	tests := []struct {
		lang          string
		kes, cny, xof string
	}{
		{"zh-Hans", "KES\u00a01,234.50", "¥99.00", "F\u202fCFA\u00a05,000"},
		{"en", "KES\u00a01,234.50", "CN¥99.00", "F\u202fCFA\u00a05,000"},
		{"fr", "1\u202f234,50\u00a0KES", "99,00\u00a0CNY", "5\u202f000\u00a0F\u202fCFA"},
		{"ar", "\u200f1,234.50\u00a0KES", "\u200f99.00\u00a0CN¥", "\u200f5,000\u00a0F\u202fCFA"},
		{"pt", "KES\u00a01.234,50", "CN¥\u00a099,00", "F\u202fCFA\u00a05.000"},
		{"sw", "Ksh\u00a01,234.50", "CN¥\u00a099.00", "F\u202fCFA\u00a05,000"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			l := cldr.For(tt.lang)
			for _, c := range []struct {
				minor int64
				code  string
				want  string
			}{
				{123450, "KES", tt.kes},
				{9900, "CNY", tt.cny},
				{5000, "XOF", tt.xof},
			} {
				if got := l.Money(c.minor, c.code); got != c.want {
					t.Errorf("Money(%d, %s) = %+q, want %+q", c.minor, c.code, got, c.want)
				}
			}
		})
	}
}

func TestMoneyEdges(t *testing.T) {
	tests := []struct {
		lang  string
		minor int64
		code  string
		want  string
	}{
		{"en", -123450, "KES", "-KES\u00a01,234.50"},
		{"ar", -123450, "KES", "\u200f\u200e-1,234.50\u00a0KES"}, // ar's own negative pattern
		{"fr", -5, "EUR", "-0,05\u00a0€"},
		{"en", 0, "USD", "$0.00"},
		{"en", 1234567, "TND", "TND\u00a01,234.567"}, // three minor units
		{"sw", 123450, " kes ", "Ksh\u00a01,234.50"}, // code normalized
		{"en", 1234, "ZZZ", "ZZZ\u00a012.34"},        // not ISO 4217: shown as it is
		{"fr", 1234, "ZZZ", "12,34\u00a0ZZZ"},
		{"fr", 1234, "", "12,34"},
		{"pt", 5, "", "0,05"},
	}
	for _, tt := range tests {
		if got := cldr.For(tt.lang).Money(tt.minor, tt.code); got != tt.want {
			t.Errorf("%s Money(%d, %q) = %+q, want %+q", tt.lang, tt.minor, tt.code, got, tt.want)
		}
	}
}

func TestMinorUnits(t *testing.T) {
	tests := []struct {
		code   string
		digits int
		ok     bool
	}{
		{"KES", 2, true}, {"CNY", 2, true}, {"XOF", 0, true}, {"XAF", 0, true},
		{"TND", 3, true}, {"MGA", 2, true}, {"ngn", 2, true}, {"ZZZ", 0, false}, {"", 0, false},
	}
	for _, tt := range tests {
		digits, ok := cldr.MinorUnits(tt.code)
		if digits != tt.digits || ok != tt.ok {
			t.Errorf("MinorUnits(%q) = %d, %v; want %d, %v", tt.code, digits, ok, tt.digits, tt.ok)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	done := make(chan struct{})
	for _, lang := range langs {
		go func() {
			defer func() { done <- struct{}{} }()
			l := cldr.For(lang)
			for i := range 100 {
				l.Money(int64(i)*1001, "KES")
				l.Number(float64(i)/7, 2)
				l.DateTime(friday, nil, cldr.Full)
			}
		}()
	}
	for range langs {
		<-done
	}
}
