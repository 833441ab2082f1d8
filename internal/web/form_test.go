package web

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/errs"
)

func TestLimit(t *testing.T) {
	ok := map[string]int{"": 20, "1": 1, "20": 20, "100": 100, "007": 7}
	for in, want := range ok {
		got, err := Limit(in)
		if err != nil || got != want {
			t.Errorf("Limit(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"0", "101", "x", "-1", " 5", "5 ", "1e1", "2.5", "0x10", "99999999999999999999", "１０"} {
		got, err := Limit(in)
		if err == nil {
			t.Errorf("Limit(%q) = %d, want an error", in, got)
			continue
		}
		if errs.CodeOf(err) != errs.Invalid || errs.KeyOf(err) != "error.limit" {
			t.Errorf("Limit(%q) error %v: code %q key %q", in, err, errs.CodeOf(err), errs.KeyOf(err))
		}
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", true},
		{"Harambee", true},
		{"tab\there", true},
		{"line\nbreak", true},
		{"windows\r\nline", true},
		{"中文 العربية Kiswahili Français Português", true},
		{"emoji 🌍", true},
		{"\u00a0no-break\u200bzero-width", true},
		{"\u0085", true}, // C1 controls are not refused
		{"nul\x00", false},
		{"\x01", false},
		{"esc \x1b[31m", false},
		{"del\x7f", false},
		{"\x0b vertical tab", false},
		{"\x0c form feed", false},
		{"\xff", false},
		{"\xc0\xaf", false},     // overlong /
		{"\xed\xa0\x80", false}, // UTF-16 surrogate
		{"a\xe4\xb8", false},    // truncated
		{"\ufffd", true},        // the replacement character itself is fine
	}
	for _, tt := range tests {
		if got := CleanText(tt.in); got != tt.want {
			t.Errorf("CleanText(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func postForm(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/form", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, MaxBody)
	return r
}

func TestParseForm(t *testing.T) {
	f, err := ParseForm(postForm("name=+Acme+Ltd+&bio=line%0D%0Atwo%09x&lang=%E4%B8%AD%E6%96%87&a=1&a=2"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Value("name") != " Acme Ltd " || f.Trimmed("name") != "Acme Ltd" || f.Value("bio") != "line\r\ntwo\tx" ||
		f.Value("lang") != "中文" || f.Value("a") != "1" || len(f.Values["a"]) != 2 || f.Value("missing") != "" {
		t.Errorf("values %v", f.Values)
	}
	if f.Has() {
		t.Errorf("new form has errors %v", f.Errors)
	}
	f.Set("name", "error.first")
	f.Set("name", "error.second")
	if f.Error("name") != "error.first" || !f.Has() {
		t.Errorf("errors %v: first error should stick", f.Errors)
	}

	for _, body := range []string{"name=%00", "name=%1B", "name=%7F", "name=%FF", "a=ok&b=%C0%AF", "name=%0B"} {
		f, err := ParseForm(postForm(body))
		if err == nil || f != nil {
			t.Errorf("ParseForm(%q) = %v, %v; want error.encoding", body, f, err)
			continue
		}
		if errs.CodeOf(err) != errs.Invalid || errs.KeyOf(err) != "error.encoding" {
			t.Errorf("ParseForm(%q): code %q key %q", body, errs.CodeOf(err), errs.KeyOf(err))
		}
	}
	for _, body := range []string{"name=%", "name=%zz", "a=1;b=2"} {
		_, err := ParseForm(postForm(body))
		if errs.KeyOf(err) != "error.form_unreadable" {
			t.Errorf("ParseForm(%q) = %v, want error.form_unreadable", body, err)
		}
	}

	r := httptest.NewRequest(http.MethodPost, "/form", strings.NewReader("x="+strings.Repeat("a", 100)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 50)
	if _, err := ParseForm(r); errs.CodeOf(err) != errs.TooLarge || errs.Status(err) != http.StatusRequestEntityTooLarge {
		t.Errorf("over-long form: %v", err)
	}

	// Query parameters are not part of the form.
	r = postForm("name=body")
	r.URL.RawQuery = "name=query&extra=1"
	if f, err := ParseForm(r); err != nil || f.Value("name") != "body" || f.Value("extra") != "" {
		t.Errorf("query mixed into form: %v, %v", f, err)
	}
}

func TestFormNil(t *testing.T) {
	var f *Form
	if f.Value("x") != "" || f.Error("x") != "" || f.Has() {
		t.Error("nil form not empty")
	}
	f = &Form{}
	f.Set("x", "error.x")
	if f.Error("x") != "error.x" {
		t.Error("Set on a zero form")
	}
	g := NewForm(url.Values{})
	if !g.Merge(errs.Field("op", map[string]string{"email": "error.email"})) || g.Error("email") != "error.email" {
		t.Errorf("Merge of field errors: %v", g.Errors)
	}
	if g.Merge(errors.New("plain")) || g.Merge(errs.E("op", errs.Invalid, "error.x")) {
		t.Error("Merge of an error without fields reported true")
	}
}

type decodeTarget struct {
	Name  string    `json:"name"`
	Count int       `json:"count"`
	Tags  []string  `json:"tags"`
	When  time.Time `json:"when"`
}

func decode(body string) (decodeTarget, error) {
	var v decodeTarget
	r := httptest.NewRequest(http.MethodPost, "/api/v1/x", strings.NewReader(body))
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, MaxBody)
	err := DecodeJSON(r, &v)
	return v, err
}

func TestDecodeJSON(t *testing.T) {
	v, err := decode(`{"name":"Acme","count":3,"tags":["a","b"],"when":"2025-06-01T12:00:00+03:00"}`)
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != "Acme" || v.Count != 3 || len(v.Tags) != 2 || !v.When.Equal(time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("decoded %+v", v)
	}
	if _, err := decode(" \n{}\n "); err != nil {
		t.Errorf("surrounding space: %v", err)
	}

	tests := []struct {
		body, key, detail string
	}{
		{`{"nam":"x"}`, "error.json_invalid", `unknown field "nam"`},
		{`{"count":"3"}`, "error.json_invalid", "field count must be int"},
		{`{"tags":"a"}`, "error.json_invalid", "field tags must be []string"},
		{`{"name":}`, "error.json_invalid", "syntax error at byte 9"},
		{`{"name":"x"`, "error.json_invalid", "malformed body"},
		{``, "error.json_invalid", "malformed body"},
		{`{} {}`, "error.json_invalid", "trailing data"},
		{`{"name":"x"} 1`, "error.json_invalid", "trailing data"},
		{`{"when":"yesterday"}`, "error.json_invalid", ""},
		{"{\"name\":\"\xff\"}", "error.encoding", ""},
		{"\xef\xbb\xbf{}", "error.json_invalid", ""}, // a BOM is not JSON
	}
	for _, tt := range tests {
		_, err := decode(tt.body)
		if err == nil {
			t.Errorf("decode(%q) accepted", tt.body)
			continue
		}
		if errs.CodeOf(err) != errs.Invalid || errs.KeyOf(err) != tt.key {
			t.Errorf("decode(%q): code %q key %q, want invalid %s", tt.body, errs.CodeOf(err), errs.KeyOf(err), tt.key)
		}
		var e *errs.Error
		if tt.detail != "" && (!errors.As(err, &e) || e.Args["detail"] != tt.detail) {
			t.Errorf("decode(%q): detail %v, want %q", tt.body, e.Args["detail"], tt.detail)
		}
	}

	big := `{"name":"` + strings.Repeat("a", MaxBody) + `"}`
	if _, err := decode(big); errs.CodeOf(err) != errs.TooLarge {
		t.Errorf("body over MaxBody: %v", err)
	}
}

// dec.More reports false before a closing bracket, so a stray "}" or "]"
// after the object is taken as the end of the input.
func TestDecodeJSONTrailingBracket(t *testing.T) {

	for _, body := range []string{`{"name":"x"}}`, `{"name":"x"}]`, `{}]]]`} {
		if _, err := decode(body); err == nil {
			t.Errorf("decode(%q) accepted", body)
		}
	}
}

// ParseForm refuses NUL and other control characters; DecodeJSON lets them
// in through \u escapes, so API input reaches storage with NUL bytes
// (PostgreSQL rejects them in text: a 500) and ESC sequences.
func TestDecodeJSONControlCharacters(t *testing.T) {

	for _, body := range []string{`{"name":"a\u0000b"}`, `{"name":"\u001b[2J"}`, `{"tags":["\u007f"]}`} {
		if v, err := decode(body); err == nil {
			t.Errorf("decode(%q) accepted: %#v", body, v)
		}
	}
}
