package observable_test

import (
	"slices"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/cert/observable"
	"harambee.africa/harambee/internal/errs"
)

func TestParseNormalises(t *testing.T) {
	tests := []struct {
		kind  observable.Kind
		in    string
		kOut  observable.Kind
		value string
	}{
		{observable.IPv4, "192.0.2.1", observable.IPv4, "192.0.2.1"},
		{observable.IPv4, " 192.0.2.1\n", observable.IPv4, "192.0.2.1"},
		{observable.IPv6, "2001:DB8:0:0::1", observable.IPv6, "2001:db8::1"},
		{observable.IPv6, "::ffff:192.0.2.1", observable.IPv4, "192.0.2.1"},
		{observable.IPv4, "2001:db8::1", observable.IPv6, "2001:db8::1"},
		{observable.CIDR4, "192.0.2.77/24", observable.CIDR4, "192.0.2.0/24"},
		{observable.CIDR6, "2001:db8:a:b::1/48", observable.CIDR6, "2001:db8:a::/48"},
		{observable.CIDR6, "::ffff:192.0.2.0/120", observable.CIDR4, "192.0.2.0/24"},
		{observable.Domain, "Example.COM.", observable.Domain, "example.com"},
		{observable.Domain, "bücher.example", observable.Domain, "xn--bcher-kva.example"},
		{observable.Domain, "BÜCHER.example", observable.Domain, "xn--bcher-kva.example"},
		{observable.Domain, "例子.测试", observable.Domain, "xn--fsqu00a.xn--0zwm56d"},
		{observable.Domain, "例子。测试", observable.Domain, "xn--fsqu00a.xn--0zwm56d"},
		{observable.Domain, "xn--bcher-kva.example", observable.Domain, "xn--bcher-kva.example"},
		{observable.Domain, "ｅｘａｍｐｌｅ.com", observable.Domain, "example.com"},
		{observable.URL, "HTTP://Example.COM", observable.URL, "http://example.com/"},
		{observable.URL, "https://example.com:443/a?b=c#frag", observable.URL, "https://example.com/a?b=c"},
		{observable.URL, "http://example.com:8080/", observable.URL, "http://example.com:8080/"},
		{observable.URL, "http://example.com:080/", observable.URL, "http://example.com/"},
		{observable.URL, "ftp://ftp.example.org:21/pub", observable.URL, "ftp://ftp.example.org/pub"},
		{observable.URL, "http://example.com/%7euser/%2f%3F%41", observable.URL, "http://example.com/~user/%2F%3FA"},
		{observable.URL, "http://example.com/a b/ü", observable.URL, "http://example.com/a%20b/%C3%BC"},
		{observable.URL, "http://example.com/100%", observable.URL, "http://example.com/100%25"},
		{observable.URL, "http://bücher.example/x", observable.URL, "http://xn--bcher-kva.example/x"},
		{observable.URL, "http://192.0.2.1:80/x", observable.URL, "http://192.0.2.1/x"},
		{observable.URL, "http://[2001:DB8::1]:8080/x", observable.URL, "http://[2001:db8::1]:8080/x"},
		{observable.URL, "http://[::ffff:192.0.2.1]/", observable.URL, "http://192.0.2.1/"},
		{observable.URL, "http://example.com?q=1", observable.URL, "http://example.com/?q=1"},
		{observable.URL, "http://google.com@evil.example/", observable.URL, "http://google.com@evil.example/"},
		{observable.Email, "John.Doe@Example.COM", observable.Email, "John.Doe@example.com"},
		{observable.Email, "info@bücher.example", observable.Email, "info@xn--bcher-kva.example"},
		{observable.MD5, "D41D8CD98F00B204E9800998ECF8427E", observable.MD5, "d41d8cd98f00b204e9800998ecf8427e"},
		{observable.SHA1, strings.Repeat("A", 40), observable.SHA1, strings.Repeat("a", 40)},
		{observable.SHA256, strings.Repeat("0", 64), observable.SHA256, strings.Repeat("0", 64)},
		{observable.SHA512, strings.Repeat("F", 128), observable.SHA512, strings.Repeat("f", 128)},
		{observable.Filename, "invoice.pdf.exe", observable.Filename, "invoice.pdf.exe"},
		{observable.Filename, "Re\u0301sume\u0301.docx", observable.Filename, "Résumé.docx"},
		{observable.Filename, "my report.zip", observable.Filename, "my report.zip"},
	}
	for _, tc := range tests {
		t.Run(string(tc.kind)+"/"+tc.in, func(t *testing.T) {
			o, err := observable.Parse(tc.kind, tc.in)
			if err != nil {
				t.Fatalf("Parse(%s, %q): %v", tc.kind, tc.in, err)
			}
			if o.Kind != tc.kOut || o.Value != tc.value || o.Raw != tc.in {
				t.Fatalf("Parse(%s, %q) = %+v, want %s %q", tc.kind, tc.in, o, tc.kOut, tc.value)
			}
			again, err := observable.Parse(o.Kind, o.Value)
			if err != nil || again.Kind != o.Kind || again.Value != o.Value {
				t.Fatalf("re-parse of %q = %+v, %v", o.Value, again, err)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		kind observable.Kind
		in   string
		key  string
	}{
		{"colour", "red", observable.KeyKind},
		{observable.IPv4, "", observable.KeyEmpty},
		{observable.IPv4, "256.1.1.1", observable.KeyIP},
		{observable.IPv4, "01.2.3.4", observable.KeyIP},
		{observable.IPv6, "fe80::1%eth0", observable.KeyZone},
		{observable.CIDR4, "192.0.2.1", observable.KeyCIDR},
		{observable.CIDR4, "192.0.2.0/33", observable.KeyCIDR},
		{observable.Domain, "localhost", observable.KeySingleLabel},
		{observable.Domain, "exa mple.com", observable.KeyDomain},
		{observable.Domain, "a..example.com", observable.KeyDomain},
		{observable.Domain, "-bad.example.com", observable.KeyDomain},
		{observable.Domain, "under_score.example.com", observable.KeyDomain},
		{observable.Domain, strings.Repeat("a", 64) + ".com", observable.KeyDomain},
		{observable.Domain, "1.2.3.4", observable.KeyDomain},
		{observable.Domain, "xn--a.example", observable.KeyDomain},
		{observable.URL, "example.com/x", observable.KeyURL},
		{observable.URL, "javascript://alert(1)", observable.KeyScheme},
		{observable.URL, "ssh://host.example.com", observable.KeyScheme},
		{observable.URL, "http://example.com:99999/", observable.KeyPort},
		{observable.URL, "http://example.com:8a/", observable.KeyPort},
		{observable.URL, "http:///path", observable.KeyURL},
		{observable.URL, "http://[fe80::1%25eth0]/", observable.KeyURL},
		{observable.Email, "nobody", observable.KeyEmail},
		{observable.Email, "@example.com", observable.KeyEmail},
		{observable.Email, "a b@example.com", observable.KeyEmail},
		{observable.Email, "x@localhost", observable.KeyEmail},
		{observable.MD5, strings.Repeat("a", 31), observable.KeyHash},
		{observable.SHA256, strings.Repeat("g", 64), observable.KeyHash},
		{observable.SHA1, strings.Repeat("a", 64), observable.KeyHash},
		{observable.Filename, "../etc/passwd", observable.KeyFilename},
		{observable.Filename, `C:\evil.exe`, observable.KeyFilename},
		{observable.Filename, "..", observable.KeyFilename},
		{observable.Filename, strings.Repeat("é", 128), observable.KeyFilename},
		{observable.Filename, "a\x00b", observable.KeyFilename},
	}
	for _, tc := range tests {
		t.Run(string(tc.kind)+"/"+tc.in, func(t *testing.T) {
			o, err := observable.Parse(tc.kind, tc.in)
			if err == nil {
				t.Fatalf("Parse(%s, %q) = %+v, want %s", tc.kind, tc.in, o, tc.key)
			}
			if !slices.Contains(observable.ErrorKeys, tc.key) {
				t.Fatalf("key %s missing from ErrorKeys", tc.key)
			}
			if !errs.Is(err, errs.Invalid) || errs.KeyOf(err) != tc.key {
				t.Fatalf("Parse(%s, %q): %v, want key %s", tc.kind, tc.in, err, tc.key)
			}
		})
	}
}

func TestRefang(t *testing.T) {
	tests := map[string]string{
		"hxxp://evil[.]example/x":        "http://evil.example/x",
		"hXXps://evil(.)example":         "https://evil.example",
		"fxp://files{.}example":          "ftp://files.example",
		"http[://]evil[dot]example":      "http://evil.example",
		"hxxp[:]//evil(dot)example":      "http://evil.example",
		"1[.]2[.]3[.]4":                  "1.2.3.4",
		"user[@]example[.]com":           "user@example.com",
		"user(at)example(.)com":          "user@example.com",
		"user[at]example[DOT]com":        "user@example.com",
		"example [.] com":                "example.com",
		`evil\.example`:                  "evil.example",
		"2001[:]db8[:][:]1":              "2001:db8::1",
		"plain text, nothing to see":     "plain text, nothing to see",
		"h**p://evil.example":            "http://evil.example",
		"already http://fine.example/ok": "already http://fine.example/ok",
	}
	for in, want := range tests {
		if got := observable.Refang(in); got != want {
			t.Errorf("Refang(%q) = %q, want %q", in, got, want)
		}
	}
}
