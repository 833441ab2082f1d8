// Package cldr formats dates, times, numbers and money the way each of the
// platform's six languages (zh-Hans, en, fr, ar, pt, sw) writes them, from
// Unicode CLDR data.
//
// The data lives in tables_gen.go, generated from the CLDR JSON packages on
// npm by gen/main.go (see SOURCES.md); currency symbols, currency patterns
// and ISO 4217 minor units come from github.com/bojanz/currency, itself built
// from CLDR. A Locale is immutable and safe for concurrent use.
package cldr

//go:generate go run gen/main.go

import (
	"strings"

	"github.com/bojanz/currency"
)

// Style selects one of CLDR's four standard date and time formats.
type Style int

// The CLDR format lengths, from the shortest; the examples are French.
const (
	Short  Style = iota // 27/11/2026; 17:05
	Medium              // 27 nov. 2026; 17:05:00
	Long                // 27 novembre 2026; 17:05:00 UTC+3
	Full                // vendredi 27 novembre 2026; 17:05:00 UTC+03:00
)

// index returns s as an index into the format tables; an unknown style is Medium.
func (s Style) index() int {
	if s < Short || s > Full {
		return int(Medium)
	}
	return int(s)
}

// localeData is one locale's CLDR data, as written by gen/main.go.
type localeData struct {
	tag string // the platform's language tag: zh-Hans, en, fr, ar, pt, sw
	id  string // the CLDR locale the data was taken from

	// Gregorian month names, January first, in format and stand-alone context.
	months, monthsAbbr, monthsNarrow                               [12]string
	standaloneMonths, standaloneMonthsAbbr, standaloneMonthsNarrow [12]string
	// Weekday names, Sunday first as in time.Weekday.
	days, daysAbbr, daysShort, daysNarrow [7]string
	standaloneDays, standaloneDaysAbbr    [7]string
	am, pm                                string

	// Patterns indexed by Style. dateTimeFormats join a date {1} and a time
	// {0}; atTimeFormats are the variants CLDR gives for a date and time that
	// name one moment ("Friday, November 27, 2026 at 5:05 PM"), which ICU and
	// browsers use for date and time styles, and so does DateTime.
	dateFormats, timeFormats, dateTimeFormats, atTimeFormats [4]string

	// Localized GMT format: gmtFormat holds the offset as {0}, written with hourFormat.
	gmtFormat, gmtZeroFormat, hourFormat string

	numberingSystem string
	digits          string // the ten digits of numberingSystem, zero first
	decimal, group  string
	percentSign     string
	minusSign       string
	plusSign        string
	infinity, nan   string
	// minGroupingDigits is how many digits the integer part needs beyond the
	// first group before it is grouped at all.
	minGroupingDigits int
	decimalPattern    string
	percentPattern    string
	currencyPattern   string
	// currencySymbols are CLDR's symbols for this locale where
	// bojanz/currency would show another one.
	currencySymbols map[string]string
}

// Locale formats for one language. Get one with For.
type Locale struct {
	d        *localeData
	digits   []string // nil when the digits are ASCII
	decimal  numberPattern
	percent  numberPattern
	currency numberPattern
	money    *currency.Formatter
}

var (
	all    [len(tables)]Locale
	byLang = map[string]*Locale{}
)

func init() {
	for i := range tables {
		d := &tables[i]
		l := &all[i]
		l.d = d
		if d.digits != "0123456789" {
			l.digits = strings.Split(d.digits, "")
		}
		l.decimal = parseNumberPattern(d.decimalPattern, d)
		l.percent = parseNumberPattern(d.percentPattern, d)
		l.currency = parseNumberPattern(d.currencyPattern, d)
		l.money = currency.NewFormatter(currency.NewLocale(d.id))
		for code, symbol := range d.currencySymbols {
			l.money.SymbolMap[code] = symbol
		}
		byLang[strings.ToLower(strings.SplitN(d.tag, "-", 2)[0])] = l
	}
}

// For returns the Locale for a language tag. Any tag of a supported language
// selects it ("fr-SN" is French, "zh", "zh-CN" and "zh-Hant" are Chinese in
// zh-Hans, the only Chinese the platform has); anything else is English.
func For(lang string) *Locale {
	lang = strings.TrimSpace(lang)
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	if l, ok := byLang[strings.ToLower(lang)]; ok {
		return l
	}
	return byLang["en"]
}

// Tag returns the platform's language tag of l: zh-Hans, en, fr, ar, pt or sw.
func (l *Locale) Tag() string { return l.d.tag }

// appendDigits writes the ASCII digits of s in l's numbering system; other
// bytes are written as they are.
func (l *Locale) appendDigits(b *strings.Builder, s string) {
	if l.digits == nil {
		b.WriteString(s)
		return
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			b.WriteString(l.digits[c-'0'])
		} else {
			b.WriteByte(c)
		}
	}
}
