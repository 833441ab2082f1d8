package feeds

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/locales"
)

// TestMessageKeysExist: every cert.feeds.error key the package's code
// names, details included, is in the catalogue of every language.
func TestMessageKeysExist(t *testing.T) {
	cat := i18n.MustLoad(locales.FS)
	key := regexp.MustCompile(`"(cert\.feeds\.error\.[a-z_0-9]+)"`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			n++
			for _, lang := range i18n.Langs {
				if !cat.Has(lang, m[1]) {
					t.Errorf("%s (in %s) is not in the %s catalogue", m[1], f, lang)
				}
			}
		}
	}
	if n < 20 {
		t.Fatalf("found only %d keys: is the scan broken?", n)
	}
}
