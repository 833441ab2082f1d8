package app_test

import (
	"testing"

	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/notify"
)

func init() {
	moduleKeys = append(moduleKeys, func(used map[string]string) {
		for _, f := range notify.Frequencies {
			used["notify.frequency."+string(f)] = "notify.Frequencies"
		}
		for _, f := range []notify.Frequency{notify.Daily, notify.Weekly} {
			used["notify.digest."+string(f)] = "notify digests"
		}
		for _, k := range []string{"notify.digest.subject", "notify.digest.more", "notify.digest.footer",
			"notify.mail.footer", "notify.mail.open", "notify.unsubscribe.all"} {
			used[k] = "notify e-mails"
		}
	})
}

// TestNotifyKindsHaveLabels checks that every module that declares a kind
// of notification gave it a label and a description in every language.
func TestNotifyKindsHaveLabels(t *testing.T) {
	e := apptest.Start(t)
	for _, k := range e.App.Notify.Kinds() {
		for _, key := range []string{k.LabelKey(), k.HintKey()} {
			for _, lang := range i18n.Langs {
				if !e.App.Catalog.Has(lang, key) {
					t.Errorf("kind %s: %s is missing in %s", k.Name, key, lang)
				}
			}
		}
	}
}
