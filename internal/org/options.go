package org

import (
	"sort"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"harambee.africa/harambee/internal/geo"
)

// Option is one entry of a country menu, named in the reader's language.
type Option struct{ Code, Name string }

var optionCache sync.Map // lang + "/" + scope → []Option

// countryOptions returns the country menu for lang, sorted by name in that
// language's collation: every country, or only Africa's and China when
// partners is set. Menus are built once per language.
func countryOptions(lang string, partners bool) []Option {
	key := lang + "/all"
	if partners {
		key = lang + "/partners"
	}
	if v, ok := optionCache.Load(key); ok {
		return v.([]Option)
	}
	var out []Option
	for _, c := range geo.All() {
		if partners && !c.African && c.Code != "CN" {
			continue
		}
		out = append(out, Option{Code: c.Code, Name: c.Name(lang)})
	}
	col := collate.New(language.Make(lang))
	sort.SliceStable(out, func(i, j int) bool { return col.CompareString(out[i].Name, out[j].Name) < 0 })
	optionCache.Store(key, out)
	return out
}

// countryName names a country in lang, from the cached menu.
func countryName(lang, code string) string {
	for _, o := range countryOptions(lang, false) {
		if o.Code == code {
			return o.Name
		}
	}
	return code
}
