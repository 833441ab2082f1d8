package cldr

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxDecimals bounds the fraction digits Number and Percent write; a float64
// carries no more than 17 significant digits anyway.
const maxDecimals = 20

// Number formats v with exactly decimals fraction digits (0 to 20), rounded
// half away from zero as written in its shortest decimal form (2.675 gives
// 2.68, as Intl.NumberFormat does), and grouped as the locale groups digits:
// 1,234,567.89 in English, 1 234 567,89 in French (with U+202F NARROW NO-BREAK
// SPACE), 1.234.567,89 in Portuguese.
func (l *Locale) Number(v float64, decimals int) string {
	return l.formatFloat(&l.decimal, v, 0, decimals)
}

// Int formats the integer v, grouped as the locale groups digits.
func (l *Locale) Int(v int64) string {
	u := uint64(v)
	if v < 0 {
		u = -u // two's complement: right for math.MinInt64 too
	}
	return l.formatDigits(&l.decimal, v < 0, strconv.FormatUint(u, 10), "", "")
}

// Percent formats the ratio v as a percentage with decimals fraction digits:
// 0.25 is "25%" in English, "25 %" in French (with a no-break space).
func (l *Locale) Percent(v float64, decimals int) string {
	return l.formatFloat(&l.percent, v, 2, decimals)
}

func (l *Locale) formatFloat(p *numberPattern, v float64, shift, decimals int) string {
	decimals = min(max(decimals, 0), maxDecimals)
	switch {
	case math.IsNaN(v):
		return l.d.nan
	case math.IsInf(v, 0):
		return l.formatDigits(p, v < 0, "", "", "")
	}
	whole, frac := decimalDigits(v, shift, decimals)
	return l.formatDigits(p, v < 0, whole, frac, "")
}

// formatDigits writes the number of ASCII digits whole.frac with pattern p:
// grouped, in the locale's digits and symbols, with symbol standing for ¤.
// Empty whole digits stand for infinity. A number that rounded to zero has
// no minus sign.
func (l *Locale) formatDigits(p *numberPattern, negative bool, whole, frac, symbol string) string {
	if negative && strings.Trim(whole, "0") == "" && strings.Trim(frac, "0") == "" && whole != "" {
		negative = false
	}
	prefix, suffix := p.posPrefix, p.posSuffix
	if negative {
		prefix, suffix = p.negPrefix, p.negSuffix
	}
	prefix, suffix = placeCurrency(prefix, suffix, symbol)

	var b strings.Builder
	b.WriteString(prefix)
	if whole == "" {
		b.WriteString(l.d.infinity)
	} else {
		l.appendGrouped(&b, p, whole)
		if frac != "" {
			b.WriteString(l.d.decimal)
			l.appendDigits(&b, frac)
		}
	}
	b.WriteString(suffix)
	return b.String()
}

// appendGrouped writes the integer digits whole, grouped by p's sizes once
// they are at least minGroupingDigits more than the first group.
func (l *Locale) appendGrouped(b *strings.Builder, p *numberPattern, whole string) {
	if p.primary <= 0 || len(whole) < p.primary+l.d.minGroupingDigits {
		l.appendDigits(b, whole)
		return
	}
	// Cut the groups from the right: primary first, then secondary ones.
	var cuts []int
	end := len(whole) - p.primary
	for end > 0 {
		cuts = append(cuts, end)
		end -= p.secondary
	}
	start := 0
	for i := len(cuts) - 1; i >= 0; i-- {
		l.appendDigits(b, whole[start:cuts[i]])
		b.WriteString(l.d.group)
		start = cuts[i]
	}
	l.appendDigits(b, whole[start:])
}

// decimalDigits returns |v|·10^shift rounded half away from zero to decimals
// fraction digits, as the ASCII digits of its integer and fraction parts. It
// rounds v's shortest decimal form, the one strconv prints, so that 2.675
// rounds to 2.68 although the float64 nearest to it is 2.67499….
func decimalDigits(v float64, shift, decimals int) (whole, frac string) {
	s := strconv.FormatFloat(math.Abs(v), 'e', -1, 64) // d.ddde±x
	mantissa, exp, _ := strings.Cut(s, "e")
	e, _ := strconv.Atoi(exp)
	digits := []byte(strings.Replace(mantissa, ".", "", 1))
	point := e + 1 + shift // how many of digits come before the decimal point
	keep := point + decimals
	if keep < 0 {
		return "0", strings.Repeat("0", decimals)
	}
	if keep < len(digits) {
		up := digits[keep] >= '5'
		digits = digits[:keep]
		if up {
			i := len(digits) - 1
			for ; i >= 0 && digits[i] == '9'; i-- {
				digits[i] = '0'
			}
			if i >= 0 {
				digits[i]++
			} else {
				digits = append([]byte{'1'}, digits...)
				point++
			}
		}
	}
	if point <= 0 {
		whole = "0"
		frac = strings.Repeat("0", -point) + string(digits)
	} else if len(digits) <= point {
		whole = string(digits) + strings.Repeat("0", point-len(digits))
	} else {
		whole, frac = string(digits[:point]), string(digits[point:])
	}
	if len(frac) < decimals {
		frac += strings.Repeat("0", decimals-len(frac))
	}
	return whole, frac
}

// numberPattern is a CLDR number pattern taken apart: the text around the
// number, for positive and negative values, and the grouping sizes. The
// texts have the locale's symbols in place, except ¤, which stands for the
// currency until it is known.
type numberPattern struct {
	posPrefix, posSuffix string
	negPrefix, negSuffix string
	primary, secondary   int // group sizes from the right; primary 0: no grouping
}

// parseNumberPattern parses a pattern such as "#,##0.###", "#,##0 %" or
// "¤#,##0.00;(¤#,##0.00)", with d's symbols.
func parseNumberPattern(pattern string, d *localeData) numberPattern {
	pos, neg, hasNeg := strings.Cut(pattern, ";")
	var p numberPattern
	var number string
	p.posPrefix, number, p.posSuffix = splitNumberPattern(pos, d)
	if hasNeg {
		p.negPrefix, _, p.negSuffix = splitNumberPattern(neg, d)
	} else {
		// No negative subpattern: the minus sign goes before the positive one.
		p.negPrefix, p.negSuffix = d.minusSign+p.posPrefix, p.posSuffix
	}
	whole, _, _ := strings.Cut(number, ".")
	if last := strings.LastIndexByte(whole, ','); last >= 0 {
		p.primary = len(whole) - last - 1
		p.secondary = p.primary
		if prev := strings.LastIndexByte(whole[:last], ','); prev >= 0 {
			p.secondary = last - prev - 1
		}
		if p.secondary <= 0 {
			p.secondary = p.primary
		}
	}
	return p
}

// numberChars are the characters of the number itself in a pattern.
const numberChars = "#0123456789,.@"

// splitNumberPattern splits a subpattern into the text before the number,
// the number's own pattern and the text after it, with the locale's symbols
// put in place of the special characters and quotes removed.
func splitNumberPattern(sub string, d *localeData) (prefix, number, suffix string) {
	var before, num, after strings.Builder
	inNumber, afterNumber, quoted := false, false, false
	for _, r := range sub {
		if r == '\'' {
			quoted = !quoted
			continue
		}
		if !quoted && !afterNumber && strings.ContainsRune(numberChars, r) {
			inNumber = true
			num.WriteRune(r)
			continue
		}
		if inNumber {
			inNumber, afterNumber = false, true
		}
		out := &before
		if afterNumber {
			out = &after
		}
		switch {
		case quoted:
			out.WriteRune(r)
		case r == '%':
			out.WriteString(d.percentSign)
		case r == '-':
			out.WriteString(d.minusSign)
		case r == '+':
			out.WriteString(d.plusSign)
		default:
			out.WriteRune(r)
		}
	}
	return before.String(), num.String(), after.String()
}

// placeCurrency puts symbol in place of ¤ in a prefix and suffix, with the
// no-break space CLDR's currency spacing rule asks for between a symbol that
// ends (or starts) with a letter or digit and the number beside it ("KES
// 1,234.50", but "¥99.00"). An empty symbol removes ¤ and the space beside it.
func placeCurrency(prefix, suffix, symbol string) (string, string) {
	if !strings.ContainsRune(prefix, '¤') && !strings.ContainsRune(suffix, '¤') {
		return prefix, suffix
	}
	if symbol == "" {
		r := strings.NewReplacer("¤\u00a0", "", "\u00a0¤", "", "¤", "")
		return r.Replace(prefix), r.Replace(suffix)
	}
	before, after := symbol, symbol
	if strings.HasSuffix(prefix, "¤") {
		if r, _ := utf8.DecodeLastRuneInString(symbol); needsSpacing(r) {
			before = symbol + "\u00a0"
		}
	}
	if strings.HasPrefix(suffix, "¤") {
		if r, _ := utf8.DecodeRuneInString(symbol); needsSpacing(r) {
			after = "\u00a0" + symbol
		}
	}
	return strings.ReplaceAll(prefix, "¤", before), strings.ReplaceAll(suffix, "¤", after)
}

// needsSpacing reports whether r matches CLDR's currencyMatch [[:^S:]&[:^Z:]]:
// neither a symbol nor a separator.
func needsSpacing(r rune) bool {
	return !unicode.IsSymbol(r) && !unicode.In(r, unicode.Z)
}
