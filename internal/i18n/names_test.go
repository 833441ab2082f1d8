package i18n_test

import (
	"testing"

	"harambee.africa/harambee/internal/i18n"
)

func TestLanguageNamesAndMenus(t *testing.T) {
	if got := i18n.LanguageName("fr", "sw"); got != "swahili" {
		t.Errorf("Swahili in French: %q", got)
	}
	if got := i18n.LanguageName("zh-Hans", "ar"); got != "阿拉伯语" {
		t.Errorf("Arabic in Chinese: %q", got)
	}
	if got := i18n.LanguageName("en", "not a code"); got != "not a code" {
		t.Errorf("unknown code: %q", got)
	}
	build := func() []i18n.Option {
		return []i18n.Option{{Code: "b", Name: "Éthiopie"}, {Code: "a", Name: "Zambie"}, {Code: "c", Name: "Egypte"}}
	}
	m := i18n.Menu("test", "fr", build)
	if m[0].Name != "Egypte" || m[1].Name != "Éthiopie" || m[2].Name != "Zambie" {
		t.Errorf("French order: %v", m)
	}
}
