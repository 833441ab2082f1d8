package app_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/moderation"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/locales"
)

// TestCataloguesComplete fails when any language lacks a key another has, a
// counted message lacks a plural form its language needs, or a translation
// drops a {placeholder}.
func TestCataloguesComplete(t *testing.T) {
	cat, err := i18n.Load(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	ref := cat.Keys("en")
	slot := regexp.MustCompile(`\{[a-z]+\}`)
	for _, lang := range i18n.Langs {
		keys := cat.Keys(lang)
		if d := diff(ref, keys); d != "" {
			t.Errorf("%s: %s", lang, d)
		}
		p := cat.Printer(lang)
		for _, k := range ref {
			if !cat.Has(lang, k) {
				continue
			}
			if forms := cat.PluralForms("en", k); forms != nil {
				for _, n := range []int{0, 1, 2, 3, 5, 11, 100, 101} {
					form := i18n.Category(lang, n)
					if cat.PluralForms(lang, k)[form] == "" {
						t.Errorf("%s %s: no %q form (needed for %d)", lang, k, form, n)
					}
				}
			}
			want := slot.FindAllString(cat.Printer("en").T(k), -1)
			got := slot.FindAllString(p.T(k), -1)
			sort.Strings(want)
			sort.Strings(got)
			if strings.Join(want, ",") != strings.Join(got, ",") {
				t.Errorf("%s %s: placeholders %v, English has %v", lang, k, got, want)
			}
		}
	}
}

func diff(want, got []string) string {
	have := map[string]bool{}
	for _, k := range got {
		have[k] = true
	}
	var missing, extra []string
	for _, k := range want {
		if !have[k] {
			missing = append(missing, k)
		}
		delete(have, k)
	}
	for k := range have {
		extra = append(extra, k)
	}
	if len(missing)+len(extra) == 0 {
		return ""
	}
	sort.Strings(extra)
	return "missing " + strings.Join(missing, " ") + "; extra " + strings.Join(extra, " ")
}

// TestEveryUsedKeyExists scans templates and Go code for message keys and
// checks the English catalogue has each (the other languages follow from
// TestCataloguesComplete), including keys built from vocabularies.
// moduleKeys add the keys the later modules build from their vocabularies,
// each from the module's own i18n_<module>_test.go: used[key] = where.
var moduleKeys []func(used map[string]string)

func TestEveryUsedKeyExists(t *testing.T) {
	cat := i18n.MustLoad(locales.FS)
	used := map[string]string{}
	tmpl := regexp.MustCompile(`\.?(?:T|N) "([a-z_]+(?:\.[a-z_0-9:]+)+)"`)
	code := regexp.MustCompile(`"(error(?:\.[a-z_]+)+|text\.error\.[a-z_]+|(?:[a-z]+\.)?flash\.[a-z_]+|mail\.[a-z_]+\.(?:subject|body)|[a-z]+\.error\.[a-z_]+)"`)
	root := filepath.Join("..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		var re *regexp.Regexp
		switch {
		case strings.HasSuffix(path, ".html"):
			re = tmpl
		case strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go"):
			re = code
		default:
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range org.Kinds {
		used["org.kind."+string(k)] = "org.Kinds"
	}
	for _, s := range org.Sectors {
		used["sector."+s] = "org.Sectors"
	}
	for _, r := range org.Roles {
		used["org.role."+r] = "org.Roles"
	}
	for _, r := range account.AllRoles() {
		used["role."+r] = "account.AllRoles"
	}
	for _, m := range sharing.Markings {
		used["sharing.explain."+string(m)] = "sharing.Markings"
	}
	for _, st := range []sharing.State{sharing.Draft, sharing.Published, sharing.Hidden} {
		used["sharing.state."+string(st)] = "sharing states"
	}
	for _, k := range []string{sharing.ToOrg, sharing.ToGroup, sharing.ToPerson} {
		used["sharing.kind."+k] = "sharing target kinds"
	}
	for _, r := range moderation.Reasons {
		used["moderation.reason."+r] = "moderation.Reasons"
	}
	for _, d := range []string{"hide", "restore"} {
		used["mail.moderation_"+d+".subject"], used["mail.moderation_"+d+".body"] = "moderation", "moderation"
	}
	for _, p := range []string{account.LinkFeed, account.LinkCalendar, account.LinkReport} {
		used["account.links.purpose."+p] = "secret link purposes"
	}
	for _, s := range account.Scopes {
		used["account.scope."+s] = "account.Scopes"
	}
	for _, add := range moduleKeys {
		add(used)
	}
	e := apptest.Start(t)
	for _, ind := range e.App.Indicators.All() {
		used[ind.NameKey()], used[ind.DefinitionKey()] = "indicator "+ind.Key, "indicator "+ind.Key
	}
	if len(used) < 100 {
		t.Fatalf("found only %d keys: is the scan broken?", len(used))
	}
	for k, where := range used {
		if !cat.Has("en", k) {
			t.Errorf("%s (used in %s) is not in the catalogue", k, where)
		}
	}
}

// TestPluralRules checks the CLDR plural categories the catalogues rely on.
func TestPluralRules(t *testing.T) {
	cases := []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "one"}, {"en", 0, "other"}, {"fr", 0, "one"}, {"fr", 1, "one"}, {"fr", 2, "other"},
		{"ar", 0, "zero"}, {"ar", 1, "one"}, {"ar", 2, "two"}, {"ar", 3, "few"}, {"ar", 11, "many"}, {"ar", 100, "other"},
		{"pt", 0, "one"}, {"pt", 1, "one"}, {"pt", 2, "other"}, {"sw", 1, "one"}, {"sw", 2, "other"}, {"zh-Hans", 1, "other"},
	}
	for _, c := range cases {
		if got := i18n.Category(c.lang, c.n); got != c.want {
			t.Errorf("%s %d: %s, want %s", c.lang, c.n, got, c.want)
		}
	}
}

// TestCountsUseTheLanguagesDigits checks that {n} is written the way the
// language groups digits.
func TestCountsUseTheLanguagesDigits(t *testing.T) {
	cat := i18n.MustLoad(locales.FS)
	for lang, want := range map[string]string{"en": "1,234", "fr": "1\u202f234", "pt": "1.234", "zh-Hans": "1,234"} {
		if got := cat.Printer(lang).N("admin.jobs.due", 1234); !strings.Contains(got, want) {
			t.Errorf("%s: %q lacks %q", lang, got, want)
		}
	}
}
