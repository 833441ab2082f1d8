package cldr_test

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/i18n/cldr"
)

// Expected strings from CLDR 48 cldr-numbers-full main/<locale>/numbers.json,
// latn symbols (ar included: see gen/main.go). U+202F is French grouping,
// U+00A0 the space before French %, U+200E the LEFT-TO-RIGHT MARKs of ar's
// minus and percent signs.

func TestNumber(t *testing.T) {
	tests := []struct {
		lang, want string
	}{
		{"en", "1,234,567.89"},
		{"fr", "1\u202f234\u202f567,89"},
		{"pt", "1.234.567,89"},
		{"sw", "1,234,567.89"},
		{"zh-Hans", "1,234,567.89"},
		{"ar", "1,234,567.89"},
	}
	for _, tt := range tests {
		if got := cldr.For(tt.lang).Number(1234567.891, 2); got != tt.want {
			t.Errorf("%s Number(1234567.891, 2) = %+q, want %+q", tt.lang, got, tt.want)
		}
	}
}

func TestNumberNegative(t *testing.T) {
	tests := []struct {
		lang, want string
	}{
		{"en", "-1,234.50"},
		{"fr", "-1\u202f234,50"},
		{"pt", "-1.234,50"},
		{"ar", "\u200e-1,234.50"},
	}
	for _, tt := range tests {
		if got := cldr.For(tt.lang).Number(-1234.5, 2); got != tt.want {
			t.Errorf("%s Number(-1234.5, 2) = %+q, want %+q", tt.lang, got, tt.want)
		}
	}
}

func TestNumberRounding(t *testing.T) {
	en := cldr.For("en")
	tests := []struct {
		v        float64
		decimals int
		want     string
	}{
		{0, 0, "0"},
		{0, 2, "0.00"},
		{123, 0, "123"},
		{1234, 0, "1,234"},
		{999, 0, "999"},
		{2.675, 2, "2.68"}, // the float64 is 2.67499…; people wrote 2.675
		{1.005, 2, "1.01"},
		{0.5, 0, "1"},
		{1.5, 0, "2"},
		{2.5, 0, "3"}, // half away from zero, as Intl.NumberFormat
		{-2.5, 0, "-3"},
		{999.995, 2, "1,000.00"},
		{99999.5, 0, "100,000"},
		{0.004, 2, "0.00"},
		{0.005, 2, "0.01"},
		{0.0001, 2, "0.00"},
		{-0.001, 2, "0.00"}, // rounds to zero: no minus sign
		{math.Copysign(0, -1), 0, "0"},
		{0.1, 5, "0.10000"},
		{1e21, 0, "1,000,000,000,000,000,000,000"},
		{1234.5678, -3, "1,235"},
		{1.25, 40, "1." + "25" + strings.Repeat("0", 18)},
		{math.NaN(), 2, "NaN"},
		{math.Inf(1), 2, "∞"},
		{math.Inf(-1), 2, "-∞"},
	}
	for _, tt := range tests {
		if got := en.Number(tt.v, tt.decimals); got != tt.want {
			t.Errorf("Number(%v, %d) = %q, want %q", tt.v, tt.decimals, got, tt.want)
		}
	}
	if got, want := cldr.For("ar").Number(math.NaN(), 0), "\u0644\u064a\u0633\u00a0\u0631\u0642\u0645\u064b\u0627"; got != want {
		t.Errorf("ar NaN = %+q, want %+q", got, want)
	}
}

func TestInt(t *testing.T) {
	tests := []struct {
		lang string
		v    int64
		want string
	}{
		{"en", 0, "0"},
		{"en", 999, "999"},
		{"en", 1000, "1,000"},
		{"en", math.MaxInt64, "9,223,372,036,854,775,807"},
		{"en", math.MinInt64, "-9,223,372,036,854,775,808"},
		{"fr", 1234, "1\u202f234"},
		{"pt", -1234567, "-1.234.567"},
		{"ar", -5, "\u200e-5"},
		{"sw", 42, "42"},
	}
	for _, tt := range tests {
		if got := cldr.For(tt.lang).Int(tt.v); got != tt.want {
			t.Errorf("%s Int(%d) = %+q, want %+q", tt.lang, tt.v, got, tt.want)
		}
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		lang     string
		v        float64
		decimals int
		want     string
	}{
		{"en", 0.25, 0, "25%"},
		{"fr", 0.25, 0, "25\u00a0%"},
		{"ar", 0.25, 0, "25\u200e%\u200e"},
		{"zh-Hans", 0.25, 0, "25%"},
		{"pt", 0.1234, 1, "12,3%"},
		{"sw", 0.145, 0, "15%"}, // 14.5 rounds away from zero
		{"en", 12.5, 0, "1,250%"},
		{"fr", 12.5, 0, "1\u202f250\u00a0%"},
		{"en", -0.05, 0, "-5%"},
		{"ar", -0.05, 0, "\u200e-5\u200e%\u200e"},
	}
	for _, tt := range tests {
		if got := cldr.For(tt.lang).Percent(tt.v, tt.decimals); got != tt.want {
			t.Errorf("%s Percent(%v, %d) = %+q, want %+q", tt.lang, tt.v, tt.decimals, got, tt.want)
		}
	}
}

func TestFor(t *testing.T) {
	tests := map[string]string{
		"zh-Hans": "zh-Hans", "zh": "zh-Hans", "zh-CN": "zh-Hans", "ZH_hant": "zh-Hans",
		"en": "en", "en-KE": "en", "fr": "fr", "fr-SN": "fr", "ar": "ar", "ar-MA": "ar",
		"pt": "pt", "pt-AO": "pt", "sw": "sw", "sw-KE": "sw", " sw ": "sw",
		"": "en", "de": "en", "x": "en", "-": "en", "\xff": "en",
	}
	for in, want := range tests {
		if got := cldr.For(in).Tag(); got != want {
			t.Errorf("For(%q).Tag() = %q, want %q", in, got, want)
		}
	}
}

func TestCLDRVersion(t *testing.T) {
	if !strings.HasPrefix(cldr.CLDRVersion, "48.") {
		t.Errorf("CLDRVersion = %q: the expected strings in these tests are CLDR 48's; check them against the new data", cldr.CLDRVersion)
	}
}

func FuzzNumber(f *testing.F) {
	f.Add(1234567.891, 2)
	f.Add(-0.005, 2)
	f.Add(1e300, 0)
	f.Add(5e-324, 20)
	f.Fuzz(func(t *testing.T, v float64, decimals int) {
		for _, lang := range langs {
			cldr.For(lang).Number(v, decimals)
			cldr.For(lang).Percent(v, decimals)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e15 || decimals < 0 || decimals > 20 {
			return
		}
		// In English, without the group separators, the text is v rounded.
		got := cldr.For("en").Number(v, decimals)
		back, err := strconv.ParseFloat(strings.ReplaceAll(got, ",", ""), 64)
		if err != nil {
			t.Fatalf("Number(%v, %d) = %q: %v", v, decimals, got, err)
		}
		if diff := math.Abs(back - v); diff > 0.5*math.Pow10(-decimals)*(1+1e-9)+1e-9*math.Abs(v) {
			t.Errorf("Number(%v, %d) = %q, off by %g", v, decimals, got, diff)
		}
	})
}
