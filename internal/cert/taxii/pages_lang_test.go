package taxii_test

import (
	"strings"
	"testing"
)

// TestCollectionTitlesTranslated: the built-in collections are named in the
// reader's language on the pages (TAXII clients keep the English title).
func TestCollectionTitlesTranslated(t *testing.T) {
	w := newWorld(t)
	for lang, want := range map[string]string{"fr": "Publique", "zh-Hans": "公开", "ar": "عامة"} {
		if page := w.e.Browser().Get("/cert/taxii?lang=" + lang).Body; !strings.Contains(page, "<td>"+want+"</td>") {
			t.Errorf("%s: the public collection is not named %q", lang, want)
		}
	}
}
