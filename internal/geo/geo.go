// Package geo is the platform's country reference data: the ISO 3166-1
// countries and territories with their names in the six platform languages
// (from Unicode CLDR), African Union region, ISO 4217 currency and official
// languages. The table is generated (countries_gen.go) and read-only; every
// function hands out copies.
//
// Taiwan, Hong Kong and Macao are listed as regions of China: their names say
// so in every language and their PartOf is "CN".
package geo

//go:generate go run gen/main.go -cldr /tmp/node_modules

import (
	"maps"
	"slices"
	"strings"

	"harambee.africa/harambee/internal/i18n"
)

// Country is one ISO 3166-1 country or territory.
type Country struct {
	Code    string // ISO 3166-1 alpha-2, upper case: "KE"
	Alpha3  string // ISO 3166-1 alpha-3: "KEN"
	Numeric string // ISO 3166-1 numeric, three digits: "404"

	// Names maps each platform language (zh-Hans, en, fr, ar, pt, sw) to the
	// country's name in it.
	Names map[string]string

	// AURegion is the African Union region of an African UN member state
	// (RegionCentral ... RegionWestern), "" for every other country.
	AURegion string

	// Currency is the current ISO 4217 code, "" where there is none
	// (Antarctica); CurrencyMinorUnits is its number of decimal places.
	Currency           string
	CurrencyMinorUnits int

	// Languages are the BCP 47 tags of the official and de facto official
	// languages, most spoken first.
	Languages []string

	// PartOf is the code of the country a territory is listed under as a
	// region: "CN" for Taiwan, Hong Kong and Macao, "" otherwise.
	PartOf string

	// African reports whether the country is one of the 54 African UN member
	// states, the platform's African partners. Western Sahara and the African
	// territories of other states are not.
	African bool
}

// byCode indexes countries by alpha-2 code.
var byCode = func() map[string]int {
	m := make(map[string]int, len(countries))
	for i, c := range countries {
		m[c.Code] = i
	}
	return m
}()

// All returns every country, sorted by code.
func All() []Country {
	out := make([]Country, len(countries))
	for i, c := range countries {
		out[i] = c.clone()
	}
	return out
}

// African returns the 54 African UN member states, sorted by code.
func African() []Country {
	var out []Country
	for _, c := range countries {
		if c.African {
			out = append(out, c.clone())
		}
	}
	return out
}

// Lookup returns the country with the alpha-2 code, in any letter case.
func Lookup(code string) (Country, bool) {
	i, ok := byCode[strings.ToUpper(code)]
	if !ok {
		return Country{}, false
	}
	return countries[i].clone(), true
}

// IsValid reports whether code is an ISO 3166-1 alpha-2 code, in any letter case.
func IsValid(code string) bool {
	_, ok := byCode[strings.ToUpper(code)]
	return ok
}

// Name returns the country's name in lang, a BCP 47 tag such as "fr",
// "pt-BR" or "zh-CN" (matched by language; Chinese is zh-Hans), and the
// English name for languages the platform does not speak.
func (c Country) Name(lang string) string {
	return localName(c.Names, lang)
}

func (c Country) clone() Country {
	c.Names = maps.Clone(c.Names)
	c.Languages = slices.Clone(c.Languages)
	return c
}

// localName picks the name for lang from names keyed by platform language.
func localName(names map[string]string, lang string) string {
	if n, ok := names[lang]; ok {
		return n
	}
	if n, ok := names[platformLanguage(lang)]; ok {
		return n
	}
	return names["en"]
}

// platformLanguage maps a BCP 47 tag to the platform language that serves
// it, "" if none does.
func platformLanguage(tag string) string {
	base, _, _ := strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
	switch base = strings.ToLower(base); base {
	case "zh":
		return "zh-Hans"
	case "en", "fr", "ar", "pt", "sw":
		return base
	}
	return ""
}

// Menu is every country by its name in lang, sorted in lang's collation,
// for a form's menu (built once per language and shared: callers must not
// change it).
func Menu(lang string) []i18n.Option {
	return i18n.Menu("geo.countries", lang, func() []i18n.Option {
		out := make([]i18n.Option, len(countries))
		for i, c := range countries {
			out[i] = i18n.Option{Code: c.Code, Name: c.Name(lang)}
		}
		return out
	})
}
