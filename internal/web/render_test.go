package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestLocalPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/", "/"},
		{"/orgs", "/orgs"},
		{"/orgs/acme?tab=members#top", "/orgs/acme?tab=members#top"},
		{"/orgs/%E4%B8%AD", "/orgs/%E4%B8%AD"},
		{"/a/../b", "/a/../b"},
		{"/@evil.example", "/@evil.example"},
		{"/%2F%2Fevil.example", "/%2F%2Fevil.example"},
		{"", "/"},
		{"orgs", "/"},
		{"./orgs", "/"},
		{"../orgs", "/"},
		{"?next=/x", "/"},
		{"#top", "/"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{"//evil.example/orgs", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"\\/evil.example", "/"},
		{"https://evil.example/", "/"},
		{"HTTPS://evil.example/", "/"},
		{"http:/evil.example", "/"},
		{"http:evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"data:text/html,<script>alert(1)</script>", "/"},
		{" /orgs", "/"},
		{" //evil.example", "/"},
		{"\t//evil.example", "/"},
		{"/\t/evil.example", "/"}, // browsers drop tabs: //evil.example
		{"/\n/evil.example", "/"},
		{"/\r/evil.example", "/"},
		{"/\x00", "/"},
		{"/%zz", "/"},
	}
	for _, tt := range tests {
		if got := LocalPath(tt.in); got != tt.want {
			t.Errorf("LocalPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// http.Redirect cleans the path it is given: LocalPath passes "/./\\host"
// (it starts with neither "//" nor "/\\"), and http.Redirect turns it into
// Location: /\\host, which browsers follow to //host. The sign-in and
// second-factor handlers (internal/account/http.go) redirect to
// LocalPath(next) with http.Redirect: an open redirect.
func TestLocalPathRedirect(t *testing.T) {

	for _, p := range []string{"/./\\evil.example", "/a/../\\evil.example", "/../\\evil.example/x?y=1"} {
		w := httptest.NewRecorder()
		http.Redirect(w, httptest.NewRequest(http.MethodPost, "/signin", nil), LocalPath(p), http.StatusSeeOther)
		if loc := w.Header().Get("Location"); strings.HasPrefix(loc, "/\\") || strings.HasPrefix(loc, "//") {
			t.Errorf("LocalPath(%q) = %q redirects to %q", p, LocalPath(p), loc)
		}
	}
}

func TestNewList(t *testing.T) {
	for _, tt := range []struct {
		list List[string]
		want string
	}{
		{NewList[string](nil, ""), `{"items":[],"next":null}`},
		{NewList([]string{}, ""), `{"items":[],"next":null}`},
		{NewList([]string{"a", "b"}, "c2"), `{"items":["a","b"],"next":"c2"}`},
	} {
		b, err := json.Marshal(tt.list)
		if err != nil || string(b) != tt.want {
			t.Errorf("marshal = %s, %v; want %s", b, err, tt.want)
		}
	}
}
