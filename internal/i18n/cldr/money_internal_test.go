package cldr

import (
	"testing"

	"github.com/bojanz/currency"
)

// TestMoneyAgreesWithCLDRPattern formats amounts both ways: with
// bojanz/currency, as Money does, and with the locale's own CLDR currency
// pattern from tables_gen.go. They must agree: a disagreement means the two
// CLDR copies drifted apart or one of the formatters is wrong.
func TestMoneyAgreesWithCLDRPattern(t *testing.T) {
	codes := []string{"KES", "CNY", "XOF", "XAF", "NGN", "ZAR", "EGP", "MAD", "DZD", "TND", "LYD", "ETB", "TZS", "UGX", "AOA", "MZN", "USD", "EUR", "JPY", "GBP", "HKD"}
	amounts := []int64{0, 5, 99, 100, 123450, -123450, 100000000, -7}
	for i := range all {
		l := &all[i]
		for _, code := range codes {
			digits, ok := currency.GetDigits(code)
			if !ok {
				t.Fatalf("%s is not known to bojanz/currency", code)
			}
			symbol, ok := l.d.currencySymbols[code]
			if !ok {
				symbol, _ = currency.GetSymbol(code, currency.NewLocale(l.d.id))
			}
			for _, amount := range amounts {
				got := l.Money(amount, code)
				want := l.formatMinor(amount, int(digits), symbol)
				if got != want {
					t.Errorf("%s Money(%d, %s) = %+q; the CLDR pattern gives %+q", l.d.tag, amount, code, got, want)
				}
			}
		}
	}
}

// TestCurrencyOverridesCurrent guards the CLDR symbol overrides in
// tables_gen.go, which were computed against one release of bojanz/currency.
func TestCurrencyOverridesCurrent(t *testing.T) {
	if currency.CLDRVersion != currencyCLDRVersion {
		t.Errorf("github.com/bojanz/currency now carries CLDR %s, the tables were generated against %s: run go generate (see SOURCES.md)", currency.CLDRVersion, currencyCLDRVersion)
	}
	for i := range all {
		l := &all[i]
		for code, symbol := range l.d.currencySymbols {
			if got, _ := currency.GetSymbol(code, currency.NewLocale(l.d.id)); got == symbol {
				t.Errorf("%s: override %s=%q is what bojanz/currency shows already: regenerate", l.d.tag, code, symbol)
			}
		}
	}
}

// TestTablesComplete checks every string of every table is present, so a
// generator change that loses a field fails here rather than on a page.
func TestTablesComplete(t *testing.T) {
	for i := range tables {
		d := &tables[i]
		var fields []string
		for _, a := range [][12]string{d.months, d.monthsAbbr, d.monthsNarrow, d.standaloneMonths, d.standaloneMonthsAbbr, d.standaloneMonthsNarrow} {
			fields = append(fields, a[:]...)
		}
		for _, a := range [][7]string{d.days, d.daysAbbr, d.daysShort, d.daysNarrow, d.standaloneDays, d.standaloneDaysAbbr} {
			fields = append(fields, a[:]...)
		}
		for _, a := range [][4]string{d.dateFormats, d.timeFormats, d.dateTimeFormats, d.atTimeFormats} {
			fields = append(fields, a[:]...)
		}
		fields = append(fields, d.am, d.pm, d.gmtFormat, d.gmtZeroFormat, d.hourFormat, d.numberingSystem,
			d.decimal, d.group, d.percentSign, d.minusSign, d.plusSign, d.infinity, d.nan,
			d.decimalPattern, d.percentPattern, d.currencyPattern)
		for j, f := range fields {
			if f == "" {
				t.Errorf("%s: field %d is empty", d.tag, j)
			}
		}
		if len([]rune(d.digits)) != 10 {
			t.Errorf("%s: digits %q are not ten", d.tag, d.digits)
		}
		if d.tag == "ar" && d.numberingSystem != "latn" {
			t.Errorf("ar uses %s digits; the platform chose latn (see gen/main.go)", d.numberingSystem)
		}
	}
}
