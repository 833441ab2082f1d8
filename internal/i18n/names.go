package i18n

import (
	"slices"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// LanguageName names a language (a BCP 47 code such as "sw" or "zh") in
// the reader's language, from CLDR; the code itself when CLDR has no name.
func LanguageName(reader, code string) string {
	t, err := language.Parse(code)
	if err != nil {
		return code
	}
	if n := display.Languages(tagOf(reader)).Name(t); n != "" {
		return n
	}
	return code
}

// Option is one entry of a menu: a code and its name in the reader's
// language.
type Option struct{ Code, Name string }

var menus sync.Map // key + "/" + lang → []Option

// Menu returns the options build makes for lang, sorted by name in lang's
// collation. Menus are built once per key and language and shared: callers
// must not change them.
func Menu(key, lang string, build func() []Option) []Option {
	k := key + "/" + lang
	if v, ok := menus.Load(k); ok {
		return v.([]Option)
	}
	out := build()
	col := collate.New(tagOf(lang))
	slices.SortStableFunc(out, func(a, b Option) int { return col.CompareString(a.Name, b.Name) })
	menus.Store(k, out)
	return out
}

func tagOf(lang string) language.Tag {
	t, err := language.Parse(lang)
	if err != nil {
		return language.English
	}
	return t
}
