package cldr

import (
	"strconv"
	"strings"
	"time"
)

// Date formats the calendar date of t, as seen in loc, in the given style.
// A nil loc keeps t's own location.
func (l *Locale) Date(t time.Time, loc *time.Location, style Style) string {
	return l.FormatPattern(t, loc, l.d.dateFormats[style.index()])
}

// Time formats the time of day of t, as seen in loc, in the given style.
// Long and Full name the zone as a localized GMT offset ("GMT+3", "UTC+03:00").
// A nil loc keeps t's own location.
func (l *Locale) Time(t time.Time, loc *time.Location, style Style) string {
	return l.FormatPattern(t, loc, l.d.timeFormats[style.index()])
}

// DateTime formats t, as seen in loc, with the date and the time both in the
// given style, joined as CLDR joins a date and time that name one moment
// (its "atTime" patterns, which ICU and browsers use). Use DateTimeWith for a
// Medium date with a Short time, the usual choice on a page.
func (l *Locale) DateTime(t time.Time, loc *time.Location, style Style) string {
	return l.DateTimeWith(t, loc, style, style)
}

// DateTimeWith formats t, as seen in loc, with the date in dateStyle and the
// time in timeStyle, joined with the pattern CLDR gives for dateStyle:
// "Nov 27, 2026, 5:05 PM" but "November 27, 2026 at 5:05 PM".
func (l *Locale) DateTimeWith(t time.Time, loc *time.Location, dateStyle, timeStyle Style) string {
	if loc != nil {
		t = t.In(loc)
	}
	date := l.FormatPattern(t, nil, l.d.dateFormats[dateStyle.index()])
	clock := l.FormatPattern(t, nil, l.d.timeFormats[timeStyle.index()])
	glue := l.d.atTimeFormats[dateStyle.index()]

	var b strings.Builder
	for i := 0; i < len(glue); {
		switch {
		case strings.HasPrefix(glue[i:], "{1}"):
			b.WriteString(date)
			i += 3
		case strings.HasPrefix(glue[i:], "{0}"):
			b.WriteString(clock)
			i += 3
		case glue[i] == '\'':
			i = appendQuoted(&b, glue, i)
		default:
			b.WriteByte(glue[i])
			i++
		}
	}
	return b.String()
}

// maxFieldWidth bounds the padding a pattern field can ask for, so that a
// pattern such as a thousand y's cannot make a thousand-digit year.
const maxFieldWidth = 32

// FormatPattern formats t, as seen in loc, with a CLDR date format pattern
// (https://unicode.org/reports/tr35/tr35-dates.html#Date_Field_Symbol_Table).
// A nil loc keeps t's own location. Supported fields:
//
//	y yy yyyy     year (yy: the last two digits)
//	M MM MMM MMMM MMMMM   month: number, padded, abbreviated, wide, narrow
//	L LL LLL LLLL LLLLL   the same in stand-alone form
//	d dd          day of month; D day of year
//	E EEE EEEE EEEEE EEEEEE   weekday: abbreviated, wide, narrow, short
//	c ccc cccc    weekday in stand-alone form (abbreviated, wide)
//	a             AM/PM marker
//	h hh H HH K k hours (1-12, 0-23, 0-11, 1-24); m mm minutes; s ss seconds
//	S…            fraction of a second, to as many digits as S's
//	z zzz O v     the zone as a short localized GMT offset ("GMT+3")
//	zzzz ZZZZ OOOO vvvv   the long localized GMT offset ("GMT+03:00")
//	Z ZZ ZZZ      ISO 8601 basic offset (+0300); ZZZZZ extended (+03:00, Z)
//	X… x…         ISO 8601 offsets (X writes Z for UTC)
//	V VV VVV VVVV the IANA zone name (Africa/Nairobi)
//	'text'        literal text; '' is a single quote
//
// Other ASCII letters are reserved by CLDR and written as they are; every
// other character is literal. FormatPattern never panics, whatever the pattern.
func (l *Locale) FormatPattern(t time.Time, loc *time.Location, pattern string) string {
	if loc != nil {
		t = t.In(loc)
	}
	var b strings.Builder
	b.Grow(len(pattern) + 16)
	for i := 0; i < len(pattern); {
		c := pattern[i]
		switch {
		case c == '\'':
			i = appendQuoted(&b, pattern, i)
		case isLetter(c):
			n := 1
			for i+n < len(pattern) && pattern[i+n] == c {
				n++
			}
			l.appendField(&b, t, c, min(n, maxFieldWidth), pattern[i:i+n])
			i += n
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

func isLetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// appendQuoted writes the quoted literal that starts at p[i] (a quote) and
// returns the index after it. A doubled quote stands for one quote, inside or
// outside a quoted run; an unterminated run goes to the end of p.
func appendQuoted(b *strings.Builder, p string, i int) int {
	if i+1 < len(p) && p[i+1] == '\'' {
		b.WriteByte('\'')
		return i + 2
	}
	for i++; i < len(p); i++ {
		if p[i] != '\'' {
			b.WriteByte(p[i])
			continue
		}
		if i+1 < len(p) && p[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		return i + 1
	}
	return i
}

// appendField writes one pattern field: letter c repeated n times (raw is the
// field as written in the pattern).
func (l *Locale) appendField(b *strings.Builder, t time.Time, c byte, n int, raw string) {
	d := l.d
	switch c {
	case 'y':
		year := t.Year()
		if n == 2 {
			l.appendNumber(b, int64(abs(year)%100), 2)
			return
		}
		l.appendNumber(b, int64(year), n)
	case 'M', 'L':
		month := int(t.Month()) - 1
		switch {
		case n <= 2:
			l.appendNumber(b, int64(month+1), n)
		case c == 'M' && n == 3:
			b.WriteString(d.monthsAbbr[month])
		case c == 'M' && n == 4:
			b.WriteString(d.months[month])
		case c == 'M':
			b.WriteString(d.monthsNarrow[month])
		case n == 3:
			b.WriteString(d.standaloneMonthsAbbr[month])
		case n == 4:
			b.WriteString(d.standaloneMonths[month])
		default:
			b.WriteString(d.standaloneMonthsNarrow[month])
		}
	case 'd':
		l.appendNumber(b, int64(t.Day()), min(n, 2))
	case 'D':
		l.appendNumber(b, int64(t.YearDay()), min(n, 3))
	case 'E':
		day := t.Weekday()
		switch n {
		case 4:
			b.WriteString(d.days[day])
		case 5:
			b.WriteString(d.daysNarrow[day])
		case 6:
			b.WriteString(d.daysShort[day])
		default:
			b.WriteString(d.daysAbbr[day])
		}
	case 'c':
		if n == 4 {
			b.WriteString(d.standaloneDays[t.Weekday()])
		} else {
			b.WriteString(d.standaloneDaysAbbr[t.Weekday()])
		}
	case 'a':
		if t.Hour() < 12 {
			b.WriteString(d.am)
		} else {
			b.WriteString(d.pm)
		}
	case 'h':
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		l.appendNumber(b, int64(h), min(n, 2))
	case 'H':
		l.appendNumber(b, int64(t.Hour()), min(n, 2))
	case 'K':
		l.appendNumber(b, int64(t.Hour()%12), min(n, 2))
	case 'k':
		h := t.Hour()
		if h == 0 {
			h = 24
		}
		l.appendNumber(b, int64(h), min(n, 2))
	case 'm':
		l.appendNumber(b, int64(t.Minute()), min(n, 2))
	case 's':
		l.appendNumber(b, int64(t.Second()), min(n, 2))
	case 'S':
		frac := strconv.Itoa(t.Nanosecond() + 1e9)[1:] // nine digits
		if n <= len(frac) {
			frac = frac[:n]
		} else {
			frac += strings.Repeat("0", n-len(frac))
		}
		l.appendDigits(b, frac)
	case 'z', 'O', 'v':
		l.appendGMT(b, t, n == 4)
	case 'Z':
		switch n {
		case 4:
			l.appendGMT(b, t, true)
		case 5:
			appendISOOffset(b, t, true, true, false)
		default:
			appendISOOffset(b, t, false, false, false)
		}
	case 'X', 'x':
		// X and x: 1 +03 (+0530), 2 +0300, 3 +03:00, 4 +0300, 5 +03:00.
		appendISOOffset(b, t, n == 3 || n >= 5, c == 'X', n == 1)
	case 'V':
		b.WriteString(t.Location().String())
	default:
		b.WriteString(raw)
	}
}

// appendNumber writes v in l's digits, padded with zeros to width digits.
func (l *Locale) appendNumber(b *strings.Builder, v int64, width int) {
	if v < 0 {
		b.WriteString(l.d.minusSign)
		v = -v
	}
	s := strconv.FormatInt(v, 10)
	for i := len(s); i < width; i++ {
		l.appendDigits(b, "0")
	}
	l.appendDigits(b, s)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// appendGMT writes t's offset in the localized GMT format: long is
// "GMT+03:00", short is "GMT+3" (with minutes only when there are some);
// the word and the signs are the locale's ("UTC+3" in French).
func (l *Locale) appendGMT(b *strings.Builder, t time.Time, long bool) {
	_, offset := t.Zone()
	if offset == 0 {
		b.WriteString(l.d.gmtZeroFormat)
		return
	}
	hourFormat := l.d.hourFormat
	pos, neg, ok := strings.Cut(hourFormat, ";")
	if !ok {
		neg = "-" + pos
	}
	f := pos
	if offset < 0 {
		f = neg
		offset = -offset
	}
	hours, minutes, seconds := offset/3600, offset/60%60, offset%60

	// The short form drops the minutes when there are none: it ends with the hours.
	short := !long && minutes == 0 && seconds == 0
	var o strings.Builder
	for i := 0; i < len(f); {
		c := f[i]
		n := 1
		for isLetter(c) && i+n < len(f) && f[i+n] == c {
			n++
		}
		switch c {
		case 'H':
			width := n
			if !long {
				width = 1 // "+3", not "+03"
			}
			l.appendNumber(&o, int64(hours), width)
			if short {
				i = len(f)
				continue
			}
		case 'm':
			l.appendNumber(&o, int64(minutes), n)
			if seconds != 0 {
				o.WriteString(":")
				l.appendNumber(&o, int64(seconds), 2)
			}
		default:
			o.WriteString(f[i : i+n])
		}
		i += n
	}
	gmt := l.d.gmtFormat
	if before, after, ok := strings.Cut(gmt, "{0}"); ok {
		b.WriteString(before)
		b.WriteString(o.String())
		b.WriteString(after)
		return
	}
	b.WriteString(gmt)
	b.WriteString(o.String())
}

// appendISOOffset writes t's offset as ISO 8601 does: +03 (short, only when
// the minutes are zero), +0300, or +03:00 (extended); z writes Z for UTC.
// Seconds, which only historical zones have, are added when not zero.
func appendISOOffset(b *strings.Builder, t time.Time, extended, z, short bool) {
	_, offset := t.Zone()
	if offset == 0 && z {
		b.WriteByte('Z')
		return
	}
	sign := byte('+')
	if offset < 0 {
		sign = '-'
		offset = -offset
	}
	hours, minutes, seconds := offset/3600, offset/60%60, offset%60
	b.WriteByte(sign)
	writePadded(b, hours)
	if short && minutes == 0 && seconds == 0 {
		return
	}
	if extended {
		b.WriteByte(':')
	}
	writePadded(b, minutes)
	if seconds != 0 {
		if extended {
			b.WriteByte(':')
		}
		writePadded(b, seconds)
	}
}

func writePadded(b *strings.Builder, v int) {
	if v < 10 {
		b.WriteByte('0')
	}
	b.WriteString(strconv.Itoa(v))
}
