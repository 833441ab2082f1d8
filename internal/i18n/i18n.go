// Package i18n chooses the reader's language and translates messages into it.
// Catalogues live in /locales as flat JSON objects: a key maps to a string,
// or, for counted messages, to an object of CLDR plural categories
// ("zero", "one", "two", "few", "many", "other"). Arguments are written
// {name} in messages.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"harambee.africa/harambee/internal/i18n/cldr"
)

// Langs are the interface languages, in the order menus show them.
var Langs = []string{"zh-Hans", "en", "fr", "ar", "pt", "sw"}

// Default is the language used when nothing else decides.
const Default = "en"

// Native names of the languages, for the language menu.
var Native = map[string]string{
	"zh-Hans": "中文",
	"en":      "English",
	"fr":      "Français",
	"ar":      "العربية",
	"pt":      "Português",
	"sw":      "Kiswahili",
}

var tags = []language.Tag{
	language.MustParse("en"), // first: the matcher's fallback
	language.MustParse("zh-Hans"),
	language.MustParse("fr"),
	language.MustParse("ar"),
	language.MustParse("pt"),
	language.MustParse("sw"),
}

var matcher = language.NewMatcher(tags)

// Supported reports whether lang is one of the interface languages.
func Supported(lang string) bool {
	_, ok := Native[lang]
	return ok
}

// Dir returns "rtl" for right-to-left languages, else "ltr".
func Dir(lang string) string {
	if lang == "ar" {
		return "rtl"
	}
	return "ltr"
}

// Match picks the best interface language for an Accept-Language header.
func Match(acceptLanguage string) string {
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return Default
	}
	_, idx, conf := matcher.Match(prefs...)
	if conf == language.No {
		return Default
	}
	return tags[idx].String()
}

// CookieName is the cookie that remembers a ?lang= choice.
const CookieName = "lang"

// Negotiate decides the language of a request: ?lang=, then the cookie, then
// the signed-in person's setting, then Accept-Language.
func Negotiate(r *http.Request, personal string) string {
	if l := r.URL.Query().Get("lang"); Supported(l) {
		return l
	}
	if c, err := r.Cookie(CookieName); err == nil && Supported(c.Value) {
		return c.Value
	}
	if Supported(personal) {
		return personal
	}
	return Match(r.Header.Get("Accept-Language"))
}

// message is one catalogue entry: a plain text or plural forms.
type message struct {
	text  string
	forms map[string]string
}

func (m *message) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &m.text)
	}
	return json.Unmarshal(b, &m.forms)
}

// Catalog holds the messages of all languages.
type Catalog struct {
	msgs map[string]map[string]*message // lang → key → message
}

// Load reads <lang>.json for every interface language from fsys.
func Load(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]*message{}}
	for _, lang := range Langs {
		b, err := fs.ReadFile(fsys, lang+".json")
		if err != nil {
			return nil, fmt.Errorf("load catalogue: %w", err)
		}
		m := map[string]*message{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("load catalogue %s: %w", lang, err)
		}
		c.msgs[lang] = m
	}
	return c, nil
}

// MustLoad is Load that panics, for the embedded catalogues.
func MustLoad(fsys fs.FS) *Catalog {
	c, err := Load(fsys)
	if err != nil {
		panic(err)
	}
	return c
}

// Keys returns the sorted keys of one language's catalogue.
func (c *Catalog) Keys(lang string) []string {
	keys := make([]string, 0, len(c.msgs[lang]))
	for k := range c.msgs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// PluralForms returns the plural categories a key defines in lang, or nil.
func (c *Catalog) PluralForms(lang, key string) map[string]string {
	if m := c.msgs[lang][key]; m != nil {
		return m.forms
	}
	return nil
}

// Has reports whether key exists in lang.
func (c *Catalog) Has(lang, key string) bool { return c.msgs[lang][key] != nil }

// Printer translates into one language.
type Printer struct {
	Lang string
	c    *Catalog
	tag  language.Tag
}

// Printer returns a printer for lang (the default language if unsupported).
func (c *Catalog) Printer(lang string) *Printer {
	if !Supported(lang) {
		lang = Default
	}
	return &Printer{Lang: lang, c: c, tag: language.MustParse(lang)}
}

// Dir is the text direction of the printer's language.
func (p *Printer) Dir() string { return Dir(p.Lang) }

// T translates key; args are name, value pairs filling {name} slots.
// A key missing from the language falls back to English, then to the key.
func (p *Printer) T(key string, args ...any) string {
	m := p.lookup(key)
	if m == nil {
		return key
	}
	text := m.text
	if m.forms != nil {
		text = m.forms["other"]
	}
	return fill(text, args)
}

// N translates a counted message, choosing the CLDR plural form for n; {n}
// in the message is the count, written with the language's digits and
// grouping.
func (p *Printer) N(key string, n int, args ...any) string {
	m := p.lookup(key)
	if m == nil {
		return key
	}
	text := m.text
	if m.forms != nil {
		text = m.forms[category(p.tag, n)]
		if text == "" {
			text = m.forms["other"]
		}
	}
	return fill(text, append(args[:len(args):len(args)], "n", cldr.For(p.Lang).Int(int64(n))))
}

func (p *Printer) lookup(key string) *message {
	if m := p.c.msgs[p.Lang][key]; m != nil {
		return m
	}
	return p.c.msgs[Default][key]
}

var formNames = map[plural.Form]string{
	plural.Other: "other", plural.Zero: "zero", plural.One: "one",
	plural.Two: "two", plural.Few: "few", plural.Many: "many",
}

// category returns the CLDR cardinal plural category of the integer n.
func category(tag language.Tag, n int) string {
	switch {
	case n == math.MinInt: // -n would overflow
		n = math.MaxInt
	case n < 0:
		n = -n
	}
	return formNames[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)]
}

// Category is exported for tests and for modules that need the rule itself.
func Category(lang string, n int) string { return category(language.MustParse(lang), n) }

func fill(text string, args []any) string {
	if len(args) == 0 || !strings.Contains(text, "{") {
		return text
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		name, _ := args[i].(string)
		pairs = append(pairs, "{"+name+"}", toString(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

func toString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case fmt.Stringer:
		return v.String()
	default:
		return fmt.Sprint(v)
	}
}
