package cldr

import (
	"strconv"
	"strings"

	"github.com/bojanz/currency"
)

// defaultMinorUnits is CLDR's fraction digits for a currency it does not list
// (currencyData "DEFAULT").
const defaultMinorUnits = 2

// MinorUnits returns the ISO 4217 minor units of a currency code: 2 for KES,
// 0 for XOF, 3 for TND. ok is false for a code that is not ISO 4217.
func MinorUnits(currencyCode string) (digits int, ok bool) {
	d, ok := currency.GetDigits(normalizeCode(currencyCode))
	return int(d), ok
}

// Money formats an amount given in the currency's minor units (cents: 123450
// KES is 1,234.50 shillings; 5000 XOF is 5,000 francs) with the locale's
// currency pattern and symbol: "Ksh 1,234.50" in Swahili, "1 234,50 KES" in
// French. A code that is not ISO 4217 is shown as it is, with two minor units.
func (l *Locale) Money(amountMinorUnits int64, currencyCode string) string {
	code := normalizeCode(currencyCode)
	if a, err := currency.NewAmountFromInt64(amountMinorUnits, code); err == nil {
		return l.money.Format(a)
	}
	return l.formatMinor(amountMinorUnits, defaultMinorUnits, code)
}

// formatMinor formats an amount in minor units with l's own CLDR currency
// pattern, the symbol in place of ¤. Money uses bojanz/currency for the codes
// it knows; this is for the rest, and lets the tests check one against the other.
func (l *Locale) formatMinor(amount int64, digits int, symbol string) string {
	u := uint64(amount)
	if amount < 0 {
		u = -u
	}
	s := strconv.FormatUint(u, 10)
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	whole, frac := s[:len(s)-digits], s[len(s)-digits:]
	return l.formatDigits(&l.currency, amount < 0, whole, frac, symbol)
}

func normalizeCode(code string) string {
	return strings.ToUpper(strings.TrimSpace(code))
}
