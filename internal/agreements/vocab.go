package agreements

import (
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/i18n"
)

// Actions are the action items of the China–Africa digital cooperation
// action plan that an agreement may serve, numbered as in the plan itself
// (/work/shared/plan/action-plan.zh-Hans.txt: five actions, fifteen items).
// Their labels are the numbers.
var Actions = []string{
	"1.1", "1.2", "1.3", // digital economy: infrastructure, enterprise network, Silk Road e-commerce
	"2.1", "2.2", "2.3", // cybersecurity: CERT cooperation, conferences, data security
	"3.1", "3.2", "3.3", // capacity building: talent, seminars, dialogues
	"4.1", "4.2", "4.3", // AI governance
	"5.1", "5.2", "5.3", // online media
}

// LanguageCodes are the ISO 639-1 languages a signed text may be in: the
// platform's, the continent's widely written ones, and the other
// languages agreements with African partners are commonly signed in.
var LanguageCodes = []string{
	"zh", "en", "fr", "ar", "pt", "sw", "es", "am", "ha", "yo", "ig", "zu", "xh", "so", "om", "rw", "mg", "ln",
	"wo", "ff", "ti", "af", "st", "tn", "sn", "ny", "rn", "lg", "de", "ru", "it", "nl",
	"ak", "bm", "ee", "ki", "kg", "lu", "nd", "nr", "ss", "ts", "ve", "ja", "ko", "hi", "tr",
}

// option is one entry of a menu: a code and its name in the reader's language.
type option = i18n.Option

// languageName names an ISO 639-1 language in the reader's language.
func languageName(lang, code string) string { return i18n.LanguageName(lang, code) }

// languageOptions lists the languages of signed texts, sorted by name in
// the reader's language.
func languageOptions(lang string) []option {
	return i18n.Menu("agreements.languages", lang, func() []option {
		out := make([]option, 0, len(LanguageCodes))
		for _, c := range LanguageCodes {
			out = append(out, option{Code: c, Name: languageName(lang, c)})
		}
		return out
	})
}

// countryOptions lists every country, sorted by name in the reader's language.
func countryOptions(lang string) []option {
	return i18n.Menu("agreements.countries", lang, func() []option {
		var out []option
		for _, c := range geo.All() {
			out = append(out, option{Code: c.Code, Name: c.Name(lang)})
		}
		return out
	})
}

// countryName names a country in the reader's language.
func countryName(lang, code string) string {
	if c, ok := geo.Lookup(code); ok {
		return c.Name(lang)
	}
	return code
}
