package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/errs"
)

func TestClientIP(t *testing.T) {
	trusted, err := ParseProxies("10.0.0.0/8, 192.168.1.1, fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		remote  string
		xff     []string
		trusted []Prefix
		want    string
	}{
		{"untrusted peer ignores XFF", "203.0.113.9:5555", []string{"198.51.100.7"}, trusted, "203.0.113.9"},
		{"no proxies configured", "10.0.0.2:5555", []string{"198.51.100.7"}, nil, "10.0.0.2"},
		{"trusted peer without XFF", "10.0.0.2:1234", nil, trusted, "10.0.0.2"},
		{"trusted peer, one hop", "10.0.0.2:1234", []string{"198.51.100.7"}, trusted, "198.51.100.7"},
		{"single trusted address", "192.168.1.1:1234", []string{"198.51.100.7"}, trusted, "198.51.100.7"},
		{"neighbour of single trusted address", "192.168.1.2:1234", []string{"198.51.100.7"}, trusted, "192.168.1.2"},
		{"right-most untrusted hop wins over spoofed left hops", "10.0.0.2:1234",
			[]string{"6.6.6.6, 198.51.100.7, 10.1.1.1"}, trusted, "198.51.100.7"},
		{"spaces and no spaces", "10.0.0.2:1234", []string{"6.6.6.6,198.51.100.7 ,  10.1.1.1"}, trusted, "198.51.100.7"},
		{"multiple XFF headers are one list", "10.0.0.2:1234",
			[]string{"6.6.6.6, 198.51.100.7", "10.1.1.1"}, trusted, "198.51.100.7"},
		{"multiple XFF headers, last untrusted", "10.0.0.2:1234",
			[]string{"6.6.6.6", "198.51.100.8"}, trusted, "198.51.100.8"},
		{"all hops trusted: left-most", "10.0.0.2:1234", []string{"10.9.9.9, 10.1.1.1"}, trusted, "10.9.9.9"},
		{"garbage hop right of client stops at the last trusted hop", "10.0.0.2:1234",
			[]string{"198.51.100.7, 10.1.1.1, not-an-ip"}, trusted, "10.0.0.2"},
		{"garbage hop after trusted hop", "10.0.0.2:1234",
			[]string{"198.51.100.7, garbage, 10.1.1.1"}, trusted, "10.1.1.1"},
		{"garbage hop left of client is never reached", "10.0.0.2:1234",
			[]string{"garbage, 198.51.100.7"}, trusted, "198.51.100.7"},
		{"hop with a port is garbage", "10.0.0.2:1234", []string{"198.51.100.7:4711"}, trusted, "10.0.0.2"},
		{"empty XFF", "10.0.0.2:1234", []string{""}, trusted, "10.0.0.2"},
		{"IPv6 untrusted peer", "[2001:db8::1]:443", []string{"198.51.100.7"}, trusted, "2001:db8::1"},
		{"IPv6 trusted peer, IPv6 client", "[fd00::1]:443", []string{"2001:db8::7"}, trusted, "2001:db8::7"},
		{"IPv6 trusted peer, IPv4 client", "[fd12::1]:443", []string{"198.51.100.7"}, trusted, "198.51.100.7"},
		{"IPv4-mapped trusted peer", "[::ffff:10.0.0.2]:80", []string{"198.51.100.7"}, trusted, "198.51.100.7"},
		{"IPv4-mapped untrusted peer", "[::ffff:203.0.113.9]:80", []string{"198.51.100.7"}, trusted, "203.0.113.9"},
		{"IPv4-mapped client hop", "10.0.0.2:1234", []string{"::ffff:198.51.100.7"}, trusted, "198.51.100.7"},
		{"IPv4-mapped trusted hop is skipped", "10.0.0.2:1234",
			[]string{"198.51.100.7, ::ffff:10.3.3.3"}, trusted, "198.51.100.7"},
		{"peer without port", "203.0.113.9", nil, trusted, "203.0.113.9"},
		{"unparsable peer is returned as is", "@unix", []string{"198.51.100.7"}, trusted, "@unix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := clientIP(r, tt.trusted); got != tt.want {
				t.Errorf("clientIP(%s, XFF %q) = %q, want %q", tt.remote, tt.xff, got, tt.want)
			}
		})
	}
}

func TestParseProxies(t *testing.T) {
	ok := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" , ,", nil},
		{"10.0.0.1", []string{"10.0.0.1/32"}},
		{"10.1.2.3/8", []string{"10.0.0.0/8"}},
		{" 10.0.0.0/8 ,192.168.0.0/16,", []string{"10.0.0.0/8", "192.168.0.0/16"}},
		{"2001:db8::1", []string{"2001:db8::1/128"}},
		{"fd00::1/8", []string{"fd00::/8"}},
		{"0.0.0.0/0", []string{"0.0.0.0/0"}},
	}
	for _, tt := range ok {
		got, err := ParseProxies(tt.in)
		if err != nil {
			t.Errorf("ParseProxies(%q): %v", tt.in, err)
			continue
		}
		var s []string
		for _, p := range got {
			s = append(s, p.String())
		}
		if !slices.Equal(s, tt.want) {
			t.Errorf("ParseProxies(%q) = %q, want %q", tt.in, s, tt.want)
		}
	}
	for _, in := range []string{
		"not-an-ip", "10.0.0.256", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/8/8", "fd00::/129",
		"10.0.0.1 10.0.0.2", "10.0.0.1, bogus", "10.0.0.0/", "/8", "10.0.0.0/8x", "fe80::1%eth0/64",
		"example.com",
	} {
		if got, err := ParseProxies(in); err == nil {
			t.Errorf("ParseProxies(%q) = %v, want an error", in, got)
		}
	}
}

// An operator may list proxies as IPv4-mapped IPv6 addresses (as some
// dual-stack tools print them); ParseProxies accepts them, but clientIP
// unmaps every address before the lookup, so they never match.
func TestParseProxiesMapped(t *testing.T) {

	trusted, err := ParseProxies("::ffff:10.0.0.0/104")
	if err != nil {
		return // refusing them would be fine too
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "10.0.0.2:1234"
	r.Header.Set("X-Forwarded-For", "198.51.100.7")
	if got := clientIP(r, trusted); got != "198.51.100.7" {
		t.Errorf("clientIP behind %v = %q, want 198.51.100.7", trusted, got)
	}
}

// serveCompressed runs h through compress and returns the response.
func serveCompressed(t *testing.T, method, acceptEncoding string, h http.HandlerFunc) *http.Response {
	t.Helper()
	r := httptest.NewRequest(method, "/page", nil)
	if acceptEncoding != "" {
		r.Header.Set("Accept-Encoding", acceptEncoding)
	}
	w := httptest.NewRecorder()
	compress(h).ServeHTTP(w, r)
	return w.Result()
}

var page = strings.Repeat("<p>Harambee — pamoja tunaweza.</p>\n", 100)

func writeTyped(ct string, status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(page)))
		if status != 0 {
			w.WriteHeader(status)
		}
		if status != http.StatusNoContent && status != http.StatusNotModified {
			io.WriteString(w, page)
		}
	}
}

func TestCompress(t *testing.T) {
	tests := []struct {
		name, method, ae string
		h                http.HandlerFunc
		gzipped          bool
	}{
		{"html with gzip", "GET", "gzip", writeTyped("text/html; charset=utf-8", 0), true},
		{"json with gzip", "GET", "gzip, deflate, br", writeTyped("application/json; charset=utf-8", 0), true},
		{"html with explicit 200", "GET", "br, gzip", writeTyped("text/html; charset=utf-8", http.StatusOK), true},
		{"error page", "GET", "gzip", writeTyped("text/html; charset=utf-8", http.StatusNotFound), true},
		{"sniffed html", "GET", "gzip", writeTyped("", 0), true},
		{"png", "GET", "gzip", writeTyped("image/png", 0), false},
		{"octet stream", "GET", "gzip", writeTyped("application/octet-stream", 0), false},
		{"no Accept-Encoding", "GET", "", writeTyped("text/html; charset=utf-8", 0), false},
		{"br only", "GET", "br", writeTyped("text/html; charset=utf-8", 0), false},
		{"identity", "GET", "identity", writeTyped("application/json", 0), false},
		{"HEAD", "HEAD", "gzip", writeTyped("text/html; charset=utf-8", 0), false},
		{"204", "GET", "gzip", writeTyped("application/json", http.StatusNoContent), false},
		{"304", "GET", "gzip", writeTyped("text/html", http.StatusNotModified), false},
		{"already encoded", "GET", "gzip", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "br")
			io.WriteString(w, page)
		}, false},
		{"range", "GET", "gzip", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Range", "bytes 0-9/3600")
			w.WriteHeader(http.StatusPartialContent)
			io.WriteString(w, page[:10])
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := serveCompressed(t, tt.method, tt.ae, tt.h)
			if !slices.Contains(res.Header.Values("Vary"), "Accept-Encoding") {
				t.Errorf("Vary = %q, want Accept-Encoding", res.Header.Values("Vary"))
			}
			body, _ := io.ReadAll(res.Body)
			if !tt.gzipped {
				if ce := res.Header.Get("Content-Encoding"); ce == "gzip" {
					t.Fatalf("Content-Encoding gzip, want none")
				}
				if tt.method == "GET" && len(body) > 0 && !strings.HasPrefix(page, string(body)) {
					t.Errorf("body altered: %q…", body[:min(len(body), 40)])
				}
				return
			}
			if ce := res.Header.Get("Content-Encoding"); ce != "gzip" {
				t.Fatalf("Content-Encoding = %q, want gzip", ce)
			}
			if cl := res.Header.Get("Content-Length"); cl != "" {
				t.Errorf("Content-Length %q kept on a gzipped body", cl)
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if string(plain) != page {
				t.Errorf("gunzipped body differs: %d bytes, want %d", len(plain), len(page))
			}
		})
	}
}

// Accept-Encoding "gzip;q=0" means gzip is not acceptable (RFC 9110
// §12.5.3), but compress matches the substring "gzip".
func TestCompressRefusedGzip(t *testing.T) {

	for _, ae := range []string{"gzip;q=0", "identity, gzip;q=0", "br, gzip; q=0.0"} {
		res := serveCompressed(t, "GET", ae, writeTyped("text/html", 0))
		if res.Header.Get("Content-Encoding") == "gzip" {
			t.Errorf("Accept-Encoding %q: gzipped", ae)
		}
	}
}

// A handler that sets its headers and flushes them early (to start a
// streamed export, say) gets them sent without Content-Encoding, and then
// its body gzipped: the client sees garbage.
func TestCompressFlushFirst(t *testing.T) {

	res := serveCompressed(t, "GET", "gzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		w.(http.Flusher).Flush()
		io.WriteString(w, "a,b\n1,2\n")
	})
	body, _ := io.ReadAll(res.Body)
	if res.Header.Get("Content-Encoding") != "gzip" && string(body) != "a,b\n1,2\n" {
		t.Errorf("Content-Encoding %q with body %q", res.Header.Get("Content-Encoding"), body)
	}
}

func TestLimitBody(t *testing.T) {
	var called bool
	var formErr error
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called = true
		_, formErr = ParseForm(r)
	})
	h := limitBody(next)

	t.Run("declared length over MaxBody", func(t *testing.T) {
		called = false
		r := httptest.NewRequest(http.MethodPost, "/orgs", strings.NewReader("x=1"))
		r.ContentLength = MaxBody + 1
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", w.Code)
		}
		if w.Header().Get("Connection") != "close" {
			t.Errorf("Connection = %q, want close", w.Header().Get("Connection"))
		}
		if called {
			t.Error("next handler called")
		}
	})
	t.Run("exactly MaxBody", func(t *testing.T) {
		called, formErr = false, nil
		body := "x=" + strings.Repeat("a", MaxBody-2)
		r := httptest.NewRequest(http.MethodPost, "/orgs", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if !called || formErr != nil {
			t.Errorf("called %v, ParseForm error %v", called, formErr)
		}
	})
	t.Run("undeclared length over MaxBody", func(t *testing.T) {
		called, formErr = false, nil
		body := "x=" + strings.Repeat("a", MaxBody)
		r := httptest.NewRequest(http.MethodPost, "/orgs", io.MultiReader(strings.NewReader(body)))
		r.ContentLength = -1
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if !called {
			t.Fatal("next handler not called")
		}
		if errs.CodeOf(formErr) != errs.TooLarge {
			t.Errorf("ParseForm error %v, want too_large", formErr)
		}
	})
	t.Run("JSON over MaxBody", func(t *testing.T) {
		var err error
		h := limitBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var v map[string]any
			err = DecodeJSON(r, &v)
		}))
		body := `{"x":"` + strings.Repeat("a", MaxBody) + `"}`
		r := httptest.NewRequest(http.MethodPost, "/api/v1/orgs", io.MultiReader(strings.NewReader(body)))
		r.ContentLength = -1
		h.ServeHTTP(httptest.NewRecorder(), r)
		if errs.CodeOf(err) != errs.TooLarge {
			t.Errorf("DecodeJSON error %v, want too_large", err)
		}
	})
}

// No path is exempt from the body limit: uploads will get their own limits
// per kind when the upload service exists.
func TestLimitBodyHasNoExemptions(t *testing.T) {
	for _, p := range []string{"/upload/file", "/uploads-x", "/orgs"} {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, p, bytes.NewReader(make([]byte, 2*MaxBody)))
		limitBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})).ServeHTTP(rec, r)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: %d, want 413", p, rec.Code)
		}
	}
}
