package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/i18n"
)

// formRequest builds a urlencoded POST whose body is capped by
// http.MaxBytesReader at limit bytes, as limitBody does.
func formRequest(body []byte, limit int64) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/form", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, limit)
	return r
}

func FuzzParseForm(f *testing.F) {
	for _, s := range []string{
		"",
		"email=ada%40example.org&password=s3cret&next=%2Forgs",
		"name=Harambee+Fund&description=line+one%0D%0Aline+two%09tabbed",
		"name=%E4%B8%AD%E6%96%87&country=KE",
		"name=%D8%A7%D9%84%D8%B9%D8%B1%D8%A8%D9%8A%D8%A9",
		"a=1&a=2&a=3&b=",
		"name=%00",
		"name=%1B%5B31m",
		"name=%7F",
		"name=%FF%FE",
		"name=%C0%AF",
		"name=%ED%A0%80",
		"name=%",
		"name=%zz",
		"a=1;b=2",
		"%00=value",
		"=&=&&&",
		"name=\xff",
		strings.Repeat("x=y&", 40),
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, small bool) {
		limit := int64(MaxBody)
		if small {
			limit = 64
		}
		form, err := ParseForm(formRequest(body, limit))
		if err != nil {
			if form != nil {
				t.Fatalf("ParseForm returned both a form and %v", err)
			}
			if c := errs.CodeOf(err); c != errs.Invalid && c != errs.TooLarge {
				t.Fatalf("ParseForm error code %q (%v), want invalid or too_large", c, err)
			}
			if int64(len(body)) > limit && errs.CodeOf(err) != errs.TooLarge {
				t.Fatalf("body of %d bytes over limit %d: code %q, want too_large", len(body), limit, errs.CodeOf(err))
			}
			return
		}
		if int64(len(body)) > limit {
			t.Fatalf("body of %d bytes over limit %d accepted", len(body), limit)
		}
		if form == nil || form.Errors == nil {
			t.Fatal("ParseForm returned a nil form or nil error map without an error")
		}
		for k, vs := range form.Values {
			for _, v := range vs {
				if !CleanText(v) {
					t.Fatalf("field %q: value %q accepted but not CleanText", k, v)
				}
			}
		}
	})
}

// jsonInput is the kind of struct API handlers decode into.
type jsonInput struct {
	Name    string    `json:"name"`
	Count   int       `json:"count"`
	Tags    []string  `json:"tags"`
	When    time.Time `json:"when"`
	Comment string    `json:"comment,omitempty"`
}

func jsonRequest(body []byte, limit int64) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/api/v1/x", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, limit)
	return r
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"name":"Harambee","count":3,"tags":["agri","fintech"],"when":"2025-06-01T12:00:00Z"}`,
		`{"name":"中文 العربية","when":"2025-06-01T12:00:00.123456789+03:00"}`,
		`{"name":"a\u0000b"}`,
		`{"name":"\ud800"}`,
		`{"tags":null,"count":-0}`,
		`{"count":1e2}`,
		`{"count":9223372036854775808}`,
		`{"count":"3"}`,
		`{"when":"2025-13-01T00:00:00Z"}`,
		`{"when":"0000-01-01T00:00:00Z"}`,
		`{"when":"9999-12-31T23:59:59+23:59"}`,
		`{"unknown":1}`,
		`{"NAME":"case"}`,
		`{"name":"a","name":"b"}`,
		`{"name":"x"} {"name":"y"}`,
		`{"name":"x"}}`,
		`{"name":"x"} trailing`,
		`[]`,
		`null`,
		`"string"`,
		`{"name":`,
		"{\"name\":\"\xff\"}",
		"\xef\xbb\xbf{}",
		`{"tags":[` + strings.Repeat(`"t",`, 50) + `"t"]}`,
		strings.Repeat("[", 200),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in jsonInput
		err := DecodeJSON(jsonRequest(body, MaxBody), &in)
		if !utf8.Valid(body) {
			if err == nil {
				t.Fatalf("invalid UTF-8 accepted: %q", body)
			}
			return
		}
		if err != nil {
			if c := errs.CodeOf(err); c != errs.Invalid {
				t.Fatalf("error code %q (%v), want invalid", c, err)
			}
			return
		}
		out, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("decoded %q to %+v, which does not marshal: %v", body, in, err)
		}
		var again jsonInput
		if err := DecodeJSON(jsonRequest(out, MaxBody), &again); err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		if in.Name != again.Name || in.Count != again.Count || in.Comment != again.Comment ||
			!slices.Equal(in.Tags, again.Tags) || !in.When.Equal(again.When) {
			t.Fatalf("round trip changed %+v into %+v", in, again)
		}
		out2, err := json.Marshal(again)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("marshal not stable: %s then %s (%v)", out, out2, err)
		}
	})
}

func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{
		"", "/", "/orgs", "/orgs/acme?tab=members#top", "/a/../b", "/.//evil.example",
		"//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "\\/evil.example",
		"https://evil.example/", "http:/evil.example", "javascript:alert(1)", "HTTPS://evil.example",
		"/%2F%2Fevil.example", "/%5Cevil.example", " /orgs", "\t//evil.example", "/\t/evil.example",
		"/\n/evil.example", "/\x00", "orgs", "./orgs", "../orgs", "?next=//evil", "#frag",
		"/ //evil.example", "/?//evil.example", "/\u3000/evil.example", "/@evil.example",
		"//@evil.example", "/:/evil.example", "mailto:x@y", "data:text/html,<script>",
		"/./\\evil.example", "/a/../\\evil.example", "/x/..//evil.example",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got := LocalPath(p)
		if got != "/" && got != p {
			t.Fatalf("LocalPath(%q) = %q: neither p nor /", p, got)
		}
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, "/\\") {
			t.Fatalf("LocalPath(%q) = %q", p, got)
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("LocalPath(%q) = %q, which does not parse: %v", p, got, err)
		}
		if u.Host != "" || u.Scheme != "" || u.User != nil {
			t.Fatalf("LocalPath(%q) = %q has scheme %q host %q", p, got, u.Scheme, u.Host)
		}
		// Through http.Redirect the Location must stay on this site too.
		w := httptest.NewRecorder()
		http.Redirect(w, httptest.NewRequest(http.MethodPost, "/signin", nil), got, http.StatusSeeOther)
		loc := w.Header().Get("Location")
		if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") {
			t.Fatalf("LocalPath(%q) = %q redirects to %q", p, got, loc)
		}
	})
}

func FuzzNegotiate(f *testing.F) {
	for _, s := range [][4]string{
		{"", "", "", ""},
		{"fr-CA,fr;q=0.9,en;q=0.8", "", "", ""},
		{"zh-TW", "", "", ""},
		{"ar-EG,ar;q=0.9", "sw", "", ""},
		{"*", "", "pt", ""},
		{"de-DE", "", "", "fr"},
		{"en;q=0", "xx", "zz", "yy"},
		{"sw;q=1.5, pt;q=-1", "zh-hans", "EN", "Fr"},
		{strings.Repeat("en-US-x-", 100), "", "", ""},
		{strings.Repeat("a,", 500), "", "", ""},
		{"en;q=0.5;q=0.7", "en\x00", "fr;", "ar "},
		{"\xff\xfe", "\xff", "\xff", "\xff"},
		{"i-klingon, x-pig-latin, und", "", "", ""},
		{"zh-Hant-TW-u-co-pinyin", "", "", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, accept, lang, cookie, personal string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.RawQuery = url.Values{"lang": {lang}}.Encode()
		r.Header.Set("Accept-Language", accept)
		r.Header.Set("Cookie", i18n.CookieName+"="+cookie)
		got := i18n.Negotiate(r, personal)
		if !slices.Contains(i18n.Langs, got) {
			t.Fatalf("Negotiate(accept %q, lang %q, cookie %q, personal %q) = %q, not an interface language",
				accept, lang, cookie, personal, got)
		}
		if i18n.Supported(lang) && got != lang {
			t.Fatalf("?lang=%s ignored: got %q", lang, got)
		}
		if m := i18n.Match(accept); !slices.Contains(i18n.Langs, m) {
			t.Fatalf("Match(%q) = %q", accept, m)
		}
		// The raw query may be anything a client sends.
		r.URL.RawQuery = lang
		if got := i18n.Negotiate(r, personal); !slices.Contains(i18n.Langs, got) {
			t.Fatalf("Negotiate(raw query %q) = %q", lang, got)
		}
	})
}
