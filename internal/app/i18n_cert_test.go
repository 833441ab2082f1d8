package app_test

import "harambee.africa/harambee/internal/cert"

func init() {
	moduleKeys = append(moduleKeys, func(used map[string]string) {
		used[cert.VettingKind.LabelKey()], used[cert.VettingKind.HintKey()] = "cert.VettingKind", "cert.VettingKind"
		for _, k := range []string{"cert.note.vouched", "cert.note.vetted", "cert.note.unvetted"} {
			used[k] = "cert vetting notes"
		}
		used["indicator.cert.vetted.name"], used["indicator.cert.vetted.definition"] = "cert.VettedByCountry", "cert.VettedByCountry"
	})
}
