package web

import (
	"strconv"
	"time"
)

// Date formats a date for the reader, in their time zone and language.
func (v *View) Date(t time.Time) string { return v.Fmt().Date(t.In(v.Location)) }

// DateTime formats a date and time for the reader.
func (v *View) DateTime(t time.Time) string { return v.Fmt().DateTime(t.In(v.Location)) }

// Number formats an integer for the reader's language.
func (v *View) Number(n int) string { return v.Fmt().Number(n) }

// Fmt returns the formatter of the page's language.
func (v *View) Fmt() Formatter { return formatterFor(v.Lang) }

// Formatter formats values for one language.
type Formatter interface {
	Date(time.Time) string
	DateTime(time.Time) string
	Number(int) string
}

// formatterFor is replaced by the CLDR-backed formatter at start-up.
var formatterFor = func(lang string) Formatter { return isoFormatter{} }

// SetFormatter installs the locale formatter.
func SetFormatter(f func(lang string) Formatter) { formatterFor = f }

// isoFormatter writes ISO 8601 dates: unambiguous in every language.
type isoFormatter struct{}

func (isoFormatter) Date(t time.Time) string     { return t.Format("2006-01-02") }
func (isoFormatter) DateTime(t time.Time) string { return t.Format("2006-01-02 15:04 MST") }
func (isoFormatter) Number(n int) string         { return strconv.Itoa(n) }
