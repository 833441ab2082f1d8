package cldr_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"harambee.africa/harambee/internal/i18n/cldr"
)

// The expected strings below are read off the CLDR 48 JSON by hand
// (cldr-dates-full main/<locale>/ca-gregorian.json and timeZoneNames.json),
// not produced by this package: a wrong table or a wrong formatter fails them.
// Invisible characters are written as escapes: U+202F NARROW NO-BREAK SPACE
// (en times), U+200F RIGHT-TO-LEFT MARK (ar dates).

var langs = []string{"zh-Hans", "en", "fr", "ar", "pt", "sw"}

// friday is 2026-11-27 14:05 UTC: 17:05 on a Friday in Nairobi (UTC+3, no DST).
var friday = time.Date(2026, time.November, 27, 14, 5, 0, 0, time.UTC)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("time zone %s not available: %v", name, err)
	}
	return loc
}

func TestNairobi(t *testing.T) {
	nairobi := zone(t, "Africa/Nairobi")
	tests := []struct {
		lang, date, clock string
	}{
		{"zh-Hans", "2026年11月27日", "17:05"},
		{"en", "Nov 27, 2026", "5:05\u202fPM"},
		{"fr", "27 nov. 2026", "17:05"},
		{"ar", "27\u200f/11\u200f/2026", "5:05 م"},
		{"pt", "27 de nov. de 2026", "17:05"},
		{"sw", "27 Nov 2026", "17:05"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			l := cldr.For(tt.lang)
			if got := l.Date(friday, nairobi, cldr.Medium); got != tt.date {
				t.Errorf("Date(Medium) = %+q, want %+q", got, tt.date)
			}
			if got := l.Time(friday, nairobi, cldr.Short); got != tt.clock {
				t.Errorf("Time(Short) = %+q, want %+q", got, tt.clock)
			}
		})
	}
}

func TestDateStyles(t *testing.T) {
	nairobi := zone(t, "Africa/Nairobi")
	tests := []struct {
		lang              string
		short, long, full string
	}{
		{"zh-Hans", "2026/11/27", "2026年11月27日", "2026年11月27日星期五"},
		{"en", "11/27/26", "November 27, 2026", "Friday, November 27, 2026"},
		{"fr", "27/11/2026", "27 novembre 2026", "vendredi 27 novembre 2026"},
		{"ar", "27\u200f/11\u200f/2026", "27 نوفمبر 2026", "الجمعة، 27 نوفمبر 2026"},
		{"pt", "27/11/2026", "27 de novembro de 2026", "sexta-feira, 27 de novembro de 2026"},
		{"sw", "27/11/2026", "27 Novemba 2026", "Ijumaa, 27 Novemba 2026"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			l := cldr.For(tt.lang)
			for style, want := range map[cldr.Style]string{cldr.Short: tt.short, cldr.Long: tt.long, cldr.Full: tt.full} {
				if got := l.Date(friday, nairobi, style); got != want {
					t.Errorf("Date(%d) = %+q, want %+q", style, got, want)
				}
			}
		})
	}
}

func TestTimeStyles(t *testing.T) {
	nairobi := zone(t, "Africa/Nairobi")
	tests := []struct {
		lang               string
		medium, long, full string
	}{
		{"zh-Hans", "17:05:00", "GMT+3 17:05:00", "GMT+03:00 17:05:00"},
		{"en", "5:05:00\u202fPM", "5:05:00\u202fPM GMT+3", "5:05:00\u202fPM GMT+03:00"},
		{"fr", "17:05:00", "17:05:00 UTC+3", "17:05:00 UTC+03:00"},
		{"ar", "5:05:00 م", "5:05:00 م غرينتش+3", "5:05:00 م غرينتش+03:00"},
		{"pt", "17:05:00", "17:05:00 GMT+3", "17:05:00 GMT+03:00"},
		{"sw", "17:05:00", "17:05:00 GMT +3", "17:05:00 GMT +03:00"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			l := cldr.For(tt.lang)
			for style, want := range map[cldr.Style]string{cldr.Medium: tt.medium, cldr.Long: tt.long, cldr.Full: tt.full} {
				if got := l.Time(friday, nairobi, style); got != want {
					t.Errorf("Time(%d) = %+q, want %+q", style, got, want)
				}
			}
		})
	}
}

func TestDateTime(t *testing.T) {
	nairobi := zone(t, "Africa/Nairobi")
	tests := []struct {
		lang, mediumShort, short string
	}{
		{"zh-Hans", "2026年11月27日 17:05", "2026/11/27 17:05"},
		{"en", "Nov 27, 2026, 5:05\u202fPM", "11/27/26, 5:05\u202fPM"},
		{"fr", "27 nov. 2026, 17:05", "27/11/2026 17:05"},
		{"ar", "27\u200f/11\u200f/2026، 5:05 م", "27\u200f/11\u200f/2026، 5:05 م"},
		{"pt", "27 de nov. de 2026, 17:05", "27/11/2026, 17:05"},
		{"sw", "27 Nov 2026, 17:05", "27/11/2026, 17:05"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			l := cldr.For(tt.lang)
			if got := l.DateTimeWith(friday, nairobi, cldr.Medium, cldr.Short); got != tt.mediumShort {
				t.Errorf("DateTimeWith(Medium, Short) = %+q, want %+q", got, tt.mediumShort)
			}
			if got := l.DateTime(friday, nairobi, cldr.Short); got != tt.short {
				t.Errorf("DateTime(Short) = %+q, want %+q", got, tt.short)
			}
		})
	}
	// Long and Full dates are joined with a word, quoted in the CLDR pattern.
	for _, c := range []struct{ lang, want string }{
		{"fr", "vendredi 27 novembre 2026 à 17:05"},
		{"pt", "27 de novembro de 2026 às 17:05"},
		{"ar", "الجمعة، 27 نوفمبر 2026 في 5:05 م"},
		{"sw", "27 Novemba 2026, 17:05"},
	} {
		style := cldr.Full
		if c.lang == "pt" || c.lang == "sw" {
			style = cldr.Long
		}
		if got := cldr.For(c.lang).DateTimeWith(friday, nairobi, style, cldr.Short); got != c.want {
			t.Errorf("%s DateTimeWith(%d, Short) = %+q, want %+q", c.lang, style, got, c.want)
		}
	}
	if got, want := cldr.For("en").DateTime(friday, nairobi, cldr.Full), "Friday, November 27, 2026 at 5:05:00\u202fPM GMT+03:00"; got != want {
		t.Errorf("en DateTime(Full) = %+q, want %+q", got, want)
	}
}

func TestDateNilLocationKeepsTimeZone(t *testing.T) {
	nairobi := zone(t, "Africa/Nairobi")
	if got, want := cldr.For("fr").Time(friday.In(nairobi), nil, cldr.Short), "17:05"; got != want {
		t.Errorf("Time(nil loc) = %q, want %q", got, want)
	}
	if got, want := cldr.For("fr").Time(friday, nil, cldr.Long), "14:05:00 UTC"; got != want {
		t.Errorf("Time(UTC, Long) = %q, want %q", got, want)
	}
}

func TestZoneOffsets(t *testing.T) {
	tests := []struct {
		lang, zone, pattern, want string
	}{
		{"en", "UTC", "z|zzzz", "GMT|GMT"},
		{"ar", "UTC", "z", "غرينتش"},
		{"fr", "America/Sao_Paulo", "z|zzzz", "UTC\u22123|UTC\u221203:00"},
		{"en", "America/Sao_Paulo", "z|zzzz|Z|ZZZZZ|X|XXX", "GMT-3|GMT-03:00|-0300|-03:00|-03|-03:00"},
		{"en", "Asia/Kolkata", "z|zzzz|x|XX|XXX", "GMT+5:30|GMT+05:30|+0530|+0530|+05:30"},
		{"en", "UTC", "Z|ZZZZZ|X|x|xxx", "+0000|Z|Z|+00|+00:00"},
		{"en", "Africa/Nairobi", "VV|O|OOOO|v", "Africa/Nairobi|GMT+3|GMT+03:00|GMT+3"},
	}
	for _, tt := range tests {
		got := cldr.For(tt.lang).FormatPattern(friday, zone(t, tt.zone), tt.pattern)
		if got != tt.want {
			t.Errorf("%s %s %q = %+q, want %+q", tt.lang, tt.zone, tt.pattern, got, tt.want)
		}
	}
}

func TestFormatPattern(t *testing.T) {
	nairobi := zone(t, "Africa/Nairobi")
	early := time.Date(987, time.March, 1, 0, 7, 9, 123456789, nairobi)
	tests := []struct {
		name, lang string
		t          time.Time
		pattern    string
		want       string
	}{
		{"Years", "en", early, "y|yy|yyyy|yyyyy", "987|87|0987|00987"},
		{"Months", "en", early, "M|MM|MMM|MMMM|MMMMM", "3|03|Mar|March|M"},
		{"StandaloneMonths", "fr", friday, "L|LL|LLL|LLLL|LLLLL", "11|11|nov.|novembre|N"},
		{"Days", "en", early, "d|dd|D", "1|01|60"},
		{"Weekdays", "en", friday, "E|EE|EEE|EEEE|EEEEE|EEEEEE", "Fri|Fri|Fri|Friday|F|Fr"},
		{"StandaloneWeekdays", "zh-Hans", friday, "ccc|cccc", "周五|星期五"},
		{"Midnight", "en", early, "h|hh|H|HH|K|k|a", "12|12|0|00|0|24|AM"},
		{"Afternoon", "zh-Hans", friday.In(nairobi), "ah:mm", "下午5:05"},
		{"MinutesSeconds", "en", early, "m|mm|s|ss", "7|07|9|09"},
		{"Fractions", "en", early, "S|SSS|SSSSSSSSSSS", "1|123|12345678900"},
		{"Quoted", "en", friday.In(nairobi), "h 'o''clock' a", "5 o'clock PM"},
		{"LoneQuotes", "en", friday, "''|'a''b'|'x'", "'|a'b|x"},
		{"Unterminated", "en", friday, "d 'MMM", "27 MMM"},
		{"ReservedLetters", "en", friday, "G QQ w", "G QQ w"},
		{"Literals", "ar", friday, "d—M/y ✓", "27—11/2026 ✓"},
		{"Empty", "en", friday, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cldr.For(tt.lang).FormatPattern(tt.t, nil, tt.pattern); got != tt.want {
				t.Errorf("FormatPattern(%q) = %+q, want %+q", tt.pattern, got, tt.want)
			}
		})
	}
}

func TestMonthAndWeekdayNames(t *testing.T) {
	// One month and one weekday per language, each context and width, from
	// ca-gregorian.json: catches a table whose columns are shifted or swapped.
	tests := []struct {
		lang string
		want string // MMMM MMM EEEE EEE for January 2026 (a Thursday)
	}{
		{"zh-Hans", "一月 1月 星期四 周四"},
		{"en", "January Jan Thursday Thu"},
		{"fr", "janvier janv. jeudi jeu."},
		{"ar", "يناير يناير الخميس الخميس"},
		{"pt", "janeiro jan. quinta-feira qui."},
		{"sw", "Januari Jan Alhamisi Alhamisi"},
	}
	jan := time.Date(2026, time.January, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		if got := cldr.For(tt.lang).FormatPattern(jan, nil, "MMMM MMM EEEE EEE"); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.lang, got, tt.want)
		}
	}
	dec := time.Date(2026, time.December, 6, 12, 0, 0, 0, time.UTC) // a Sunday
	if got, want := cldr.For("sw").FormatPattern(dec, nil, "MMMM EEEE"), "Desemba Jumapili"; got != want {
		t.Errorf("sw December: %q, want %q", got, want)
	}
}

func TestStyleOutOfRangeIsMedium(t *testing.T) {
	l := cldr.For("en")
	if got, want := l.Date(friday, nil, cldr.Style(42)), l.Date(friday, nil, cldr.Medium); got != want {
		t.Errorf("Date(42) = %q, want the Medium %q", got, want)
	}
}

func FuzzPattern(f *testing.F) {
	for _, p := range []string{
		"", "y", "EEEE, MMMM d, y", "h:mm\u202fa zzzz", "d 'de' MMMM 'de' y", "dd\u200f/MM\u200f/y",
		"'", "''", "'''", "'a''b", "GGGG QQQ www", "SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS",
		"ZZZZZ XXX xxxxx VV O OOOO v vvvv", "\xff\xfe y", strings.Repeat("y", 200),
	} {
		f.Add(p, int64(1795788300), int64(0), 3*3600, uint8(0))
	}
	f.Add("y-MM-dd HH:mm:ss", int64(-62135596800), int64(999999999), -(14*3600 + 59), uint8(3))
	f.Fuzz(func(t *testing.T, pattern string, sec, nsec int64, offset int, lang uint8) {
		tm := time.Unix(sec, nsec).In(time.FixedZone("", offset))
		l := cldr.For(langs[int(lang)%len(langs)])
		got := l.FormatPattern(tm, nil, pattern)
		if utf8.ValidString(pattern) && !utf8.ValidString(got) {
			t.Errorf("FormatPattern(%q) = %q: not UTF-8", pattern, got)
		}
		if !strings.ContainsFunc(pattern, func(r rune) bool {
			return r == '\'' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		}) && got != pattern {
			t.Errorf("FormatPattern(%q) = %q: a pattern without fields must come back as it is", pattern, got)
		}
	})
}
