package i18n_test

import (
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"harambee.africa/harambee/internal/i18n"
)

func TestMatch(t *testing.T) {
	tests := []struct{ accept, want string }{
		{"zh-TW", "zh-Hans"}, // Traditional Chinese: Simplified is the closest we have
		{"zh-Hant-HK", "zh-Hans"},
		{"zh-CN", "zh-Hans"},
		{"zh", "zh-Hans"},
		{"ar-EG", "ar"},
		{"ar-MA,fr;q=0.8", "ar"},
		{"pt-BR", "pt"},
		{"pt-AO", "pt"},
		{"sw-TZ", "sw"},
		{"sw-KE", "sw"},
		{"fr-CA", "fr"},
		{"fr-SN,en;q=0.5", "fr"},
		{"de", "en"},
		{"de-DE,de;q=0.9", "en"},
		{"de,fr;q=0.5", "fr"},
		{"en-GB", "en"},
		{"", "en"},
		{"*", "en"},
		{"xx-YY", "en"},
		{"en;q=0,sw", "sw"},
		{";;;", "en"},
		{strings.Repeat("a", 1000), "en"},
	}
	for _, tt := range tests {
		if got := i18n.Match(tt.accept); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.accept, got, tt.want)
		}
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name, query, cookie, personal, accept, want string
	}{
		{"nothing", "", "", "", "", "en"},
		{"accept-language", "", "", "", "pt-BR", "pt"},
		{"personal over header", "", "", "sw", "pt-BR", "sw"},
		{"cookie over personal", "", "fr", "sw", "pt-BR", "fr"},
		{"query over cookie", "lang=ar", "fr", "sw", "pt-BR", "ar"},
		{"unsupported query ignored", "lang=de", "fr", "", "", "fr"},
		{"query is case-sensitive", "lang=AR", "", "", "", "en"},
		{"unsupported cookie ignored", "", "xx", "", "zh-TW", "zh-Hans"},
		{"unsupported personal ignored", "", "", "de", "sw", "sw"},
		{"malformed query", "lang=%zz;x", "", "", "fr", "fr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/?"+tt.query, nil)
			if tt.cookie != "" {
				r.AddCookie(&http.Cookie{Name: i18n.CookieName, Value: tt.cookie})
			}
			if tt.accept != "" {
				r.Header.Set("Accept-Language", tt.accept)
			}
			if got := i18n.Negotiate(r, tt.personal); got != tt.want {
				t.Errorf("Negotiate = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSupportedAndDir(t *testing.T) {
	for _, l := range i18n.Langs {
		if !i18n.Supported(l) || i18n.Native[l] == "" {
			t.Errorf("%s: not supported or no native name", l)
		}
		want := "ltr"
		if l == "ar" {
			want = "rtl"
		}
		if i18n.Dir(l) != want {
			t.Errorf("Dir(%s) = %s", l, i18n.Dir(l))
		}
	}
	for _, l := range []string{"", "de", "zh", "zh-hans", "EN", "en-US"} {
		if i18n.Supported(l) {
			t.Errorf("Supported(%q)", l)
		}
	}
}

// catalogue is a tiny set of messages in the six languages. Only English
// has every key, so the fallbacks show.
func catalogue(t *testing.T) *i18n.Catalog {
	t.Helper()
	fsys := fstest.MapFS{
		"en.json": {Data: []byte(`{
			"hello": "Hello, {name}!",
			"pair": "{a} and {b}, {a} again",
			"braces": "{name} {unknown} {} {{name}}",
			"only.en": "English only",
			"plain": "No slots",
			"jobs": {"one": "{n} job waiting", "other": "{n} jobs waiting"},
			"files": {"one": "one file", "other": "{n} files of {owner}"}
		}`)},
		"fr.json": {Data: []byte(`{
			"hello": "Bonjour, {name} !",
			"jobs": {"one": "{n} tâche en attente", "many": "{n} de tâches en attente", "other": "{n} tâches en attente"}
		}`)},
		"ar.json": {Data: []byte(`{
			"hello": "مرحبا {name}",
			"jobs": {"zero": "zero", "one": "one", "two": "two", "few": "few", "many": "many", "other": "other"},
			"files": {"one": "ملف واحد"}
		}`)},
		"zh-Hans.json": {Data: []byte(`{"jobs": {"other": "other"}}`)},
		"pt.json":      {Data: []byte(`{"jobs": {"one": "one", "many": "many", "other": "other"}}`)},
		"sw.json":      {Data: []byte(`{}`)},
	}
	c, err := i18n.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLoad(t *testing.T) {
	c := catalogue(t)
	if !c.Has("fr", "hello") || c.Has("fr", "only.en") || !c.Has("en", "only.en") {
		t.Error("Has")
	}
	if got := c.Keys("fr"); !slices.Equal(got, []string{"hello", "jobs"}) {
		t.Errorf("Keys(fr) = %q", got)
	}
	if f := c.PluralForms("ar", "jobs"); len(f) != 6 || f["two"] != "two" {
		t.Errorf("PluralForms(ar, jobs) = %v", f)
	}
	if c.PluralForms("en", "hello") != nil || c.PluralForms("en", "missing") != nil {
		t.Error("PluralForms of a plain or missing key")
	}

	full := fstest.MapFS{}
	for _, l := range i18n.Langs {
		full[l+".json"] = &fstest.MapFile{Data: []byte(`{}`)}
	}
	missing := fstest.MapFS{}
	for k, v := range full {
		if k != "sw.json" {
			missing[k] = v
		}
	}
	if _, err := i18n.Load(missing); err == nil {
		t.Error("Load without sw.json succeeded")
	}
	for _, bad := range []string{`[]`, `{"k": 1}`, `{"k": ["a"]}`, `{"k": {"one": 1}}`, `{`, `{"k":"a"} x`} {
		broken := fstest.MapFS{}
		for k, v := range full {
			broken[k] = v
		}
		broken["fr.json"] = &fstest.MapFile{Data: []byte(bad)}
		if _, err := i18n.Load(broken); err == nil || !strings.Contains(err.Error(), "fr") {
			t.Errorf("Load with fr.json %s: %v", bad, err)
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("MustLoad of a broken catalogue did not panic")
			}
		}()
		i18n.MustLoad(missing)
	}()
}

func TestPrinterT(t *testing.T) {
	c := catalogue(t)
	tests := []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"en", "hello", []any{"name", "Amina"}, "Hello, Amina!"},
		{"fr", "hello", []any{"name", "Amina"}, "Bonjour, Amina !"},
		{"ar", "hello", []any{"name", "Amina"}, "مرحبا Amina"},
		{"sw", "hello", []any{"name", "Juma"}, "Hello, Juma!"}, // falls back to English
		{"fr", "only.en", nil, "English only"},
		{"zh-Hans", "missing.key", []any{"name", "x"}, "missing.key"}, // then to the key
		{"xx", "hello", []any{"name", "Ada"}, "Hello, Ada!"},          // unsupported printer: English
		{"en", "hello", nil, "Hello, {name}!"},                        // no args: slots stay
		{"en", "hello", []any{"other", "x"}, "Hello, {name}!"},
		{"en", "hello", []any{"name"}, "Hello, {name}!"},                   // odd args: last ignored
		{"en", "hello", []any{"name", 42}, "Hello, 42!"},                   // ints
		{"en", "hello", []any{"name", 1.5}, "Hello, 1.5!"},                 // anything else via fmt
		{"en", "hello", []any{"name", "{name}"}, "Hello, {name}!"},         // no re-expansion
		{"en", "hello", []any{"name", "<b>&"}, "Hello, <b>&!"},             // escaping is the template's job
		{"en", "pair", []any{"a", "1", "b", "2"}, "1 and 2, 1 again"},      // every occurrence
		{"en", "braces", []any{"name", "N"}, "N {unknown} {} {N}"},         // only named slots
		{"en", "plain", []any{"name", "x"}, "No slots"},                    // nothing to fill
		{"en", "jobs", []any{"n", 3}, "3 jobs waiting"},                    // plural key via T: other
		{"en", "hello", []any{"name", "A", "name", "B"}, "Hello, A!"},      // first pair wins
		{"en", "hello", []any{7, "x", "name", "Z"}, "Hello, Z!"},           // non-string name
		{"ar", "files", []any{"n", 2, "owner", "Ali"}, ""},                 // no "other" form: empty, English is not consulted
		{"en", "files", []any{"owner", "Ali", "n", "2"}, "2 files of Ali"}, // argument order free
	}
	for _, tt := range tests {
		if got := c.Printer(tt.lang).T(tt.key, tt.args...); got != tt.want {
			t.Errorf("Printer(%s).T(%q, %v) = %q, want %q", tt.lang, tt.key, tt.args, got, tt.want)
		}
	}
	if p := c.Printer("xx"); p.Lang != "en" || p.Dir() != "ltr" {
		t.Errorf("Printer(xx) = %s %s", p.Lang, p.Dir())
	}
	if p := c.Printer("ar"); p.Dir() != "rtl" {
		t.Errorf("Printer(ar).Dir() = %s", p.Dir())
	}
}

func TestPrinterN(t *testing.T) {
	c := catalogue(t)
	tests := []struct {
		lang, key string
		n         int
		want      string
	}{
		{"en", "jobs", 0, "0 jobs waiting"},
		{"en", "jobs", 1, "1 job waiting"},
		{"en", "jobs", 2, "2 jobs waiting"},
		{"en", "jobs", -1, "-1 job waiting"},
		{"fr", "jobs", 0, "0 tâche en attente"}, // French 0 is singular
		{"fr", "jobs", 1, "1 tâche en attente"},
		{"fr", "jobs", 2, "2 tâches en attente"},
		{"ar", "jobs", 0, "zero"},
		{"ar", "jobs", 1, "one"},
		{"ar", "jobs", 2, "two"},
		{"ar", "jobs", 3, "few"},
		{"ar", "jobs", 10, "few"},
		{"ar", "jobs", 11, "many"},
		{"ar", "jobs", 99, "many"},
		{"ar", "jobs", 100, "other"},
		{"ar", "jobs", 102, "other"},
		{"ar", "jobs", 103, "few"},
		{"ar", "jobs", 111, "many"},
		{"zh-Hans", "jobs", 1, "other"},
		{"pt", "jobs", 0, "one"}, // Portuguese 0 and 1 are singular
		{"pt", "jobs", 1, "one"},
		{"pt", "jobs", 2, "other"},
		{"sw", "jobs", 1, "1 job waiting"}, // falls back to English forms
		{"sw", "jobs", 5, "5 jobs waiting"},
		{"ar", "files", 1, "ملف واحد"},
		{"ar", "files", 5, ""},               // neither the form nor "other" in ar: empty (app's catalogue test forbids this)
		{"en", "hello", 3, "Hello, {name}!"}, // plain message
		{"en", "missing", 3, "missing"},
	}
	for _, tt := range tests {
		if got := c.Printer(tt.lang).N(tt.key, tt.n); got != tt.want {
			t.Errorf("Printer(%s).N(%q, %d) = %q, want %q", tt.lang, tt.key, tt.n, got, tt.want)
		}
	}
	if got := c.Printer("en").N("files", 3, "owner", "Ali"); got != "3 files of Ali" {
		t.Errorf("N with args = %q", got)
	}
	if got := c.Printer("en").N("files", 1, "owner", "Ali"); got != "one file" {
		t.Errorf("N(1) with args = %q", got)
	}
}

func TestCategory(t *testing.T) {
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "one"}, {"en", 0, "other"}, {"en", 21, "other"},
		{"fr", 0, "one"}, {"fr", 1, "one"}, {"fr", 2, "other"},
		{"ar", 0, "zero"}, {"ar", 2, "two"}, {"ar", 1003, "few"}, {"ar", 1011, "many"},
		{"sw", 1, "one"}, {"sw", 2, "other"},
		{"pt", 0, "one"}, {"pt", 2, "other"},
		{"zh-Hans", 1, "other"},
		{"ar", math.MaxInt, "few"},
	}
	for _, tt := range tests {
		if got := i18n.Category(tt.lang, tt.n); got != tt.want {
			t.Errorf("Category(%s, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}

// category negates a negative n, which overflows for math.MinInt and
// leaves it negative; x/text then indexes a table with it.
func TestCategoryMinInt(t *testing.T) {

	c := catalogue(t)
	for _, l := range i18n.Langs {
		c.Printer(l).N("jobs", math.MinInt)
		i18n.Category(l, math.MinInt)
	}
}

// N appends "n" and the count to the caller's args, which writes into the
// caller's backing array when it has spare capacity (a data race when such
// a slice is shared).
func TestNDoesNotWriteCallerArgs(t *testing.T) {

	c := catalogue(t)
	args := make([]any, 2, 4)
	args[0], args[1] = "owner", "Ali"
	c.Printer("en").N("files", 3, args...)
	if spare := args[:4]; spare[2] != nil || spare[3] != nil {
		t.Errorf("N wrote %v into the caller's spare capacity", spare[2:])
	}
}
