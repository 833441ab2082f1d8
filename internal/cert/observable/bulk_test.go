package observable_test

import (
	"fmt"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/cert/observable"
)

func TestParseBulk(t *testing.T) {
	text := `# indicators from the phishing wave, defanged
hxxp://evil[.]example/login.php?id=1, 1[.]2[.]3[.]4; example[.]com
"hxxps://bücher[.]example:443/a b"   # comment after a space
phish[@]evil[.]example  EVIL.example.  198.51.100.0/24
2001:db8::1 [2001:db8::2] 192.0.2.1:8080 2001:db8:5:: Host: a.example: d41d8cd98f00b204e9800998ecf8427e
dropper.exe filename:report.zip domain:setup.exe report.zip
evil [.] example/path/x http://a.example/x,http://b.example/y
http://c.example/p,q;r  mailto:Boss@Evil.Example
1.2.3.4 http://evil.example/login.php?id=1#again
localhost 999.1.1.1 fe80::1%eth0 ssh://h.example nonsense bad..example.com
`
	got, problems := observable.ParseBulk(text, observable.DefaultLimits)
	want := []struct {
		kind  observable.Kind
		value string
	}{
		{observable.URL, "http://evil.example/login.php?id=1"},
		{observable.IPv4, "1.2.3.4"},
		{observable.Domain, "example.com"},
		{observable.URL, "https://xn--bcher-kva.example/a"},
		{observable.Email, "phish@evil.example"},
		{observable.Domain, "evil.example"},
		{observable.CIDR4, "198.51.100.0/24"},
		{observable.IPv6, "2001:db8::1"},
		{observable.IPv6, "2001:db8::2"},
		{observable.IPv4, "192.0.2.1"},
		{observable.IPv6, "2001:db8:5::"},
		{observable.Domain, "a.example"},
		{observable.MD5, "d41d8cd98f00b204e9800998ecf8427e"},
		{observable.Filename, "dropper.exe"},
		{observable.Filename, "report.zip"},
		{observable.Domain, "setup.exe"},
		{observable.Domain, "report.zip"},
		{observable.URL, "http://evil.example/path/x"},
		{observable.URL, "http://a.example/x"},
		{observable.URL, "http://b.example/y"},
		{observable.URL, "http://c.example/p,q;r"},
		{observable.Email, "Boss@evil.example"},
	}
	var gs []string
	for _, o := range got {
		gs = append(gs, string(o.Kind)+" "+o.Value)
	}
	var ws []string
	for _, w := range want {
		ws = append(ws, string(w.kind)+" "+w.value)
	}
	if strings.Join(gs, "\n") != strings.Join(ws, "\n") {
		t.Errorf("values:\n%s\nwant:\n%s", strings.Join(gs, "\n"), strings.Join(ws, "\n"))
	}
	if got[0].Raw != "hxxp://evil[.]example/login.php?id=1" {
		t.Errorf("Raw = %q, want the defanged text as given", got[0].Raw)
	}
	var ps []string
	for _, p := range problems {
		ps = append(ps, fmt.Sprintf("%d %s %s", p.Line, p.Token, p.Key))
	}
	wantPs := []string{
		"3 b cert.observable.error.unknown",
		"5 Host cert.observable.error.unknown",
		"10 localhost cert.observable.error.unknown",
		"10 999.1.1.1 cert.observable.error.ip",
		"10 fe80::1%eth0 cert.observable.error.zone",
		"10 ssh://h.example cert.observable.error.scheme",
		"10 nonsense cert.observable.error.unknown",
		"10 bad..example.com cert.observable.error.domain",
	}
	if strings.Join(ps, "\n") != strings.Join(wantPs, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(ps, "\n"), strings.Join(wantPs, "\n"))
	}
}

func TestParseBulkAs(t *testing.T) {
	got, problems := observable.ParseBulkAs(observable.Filename, "my report, final.docx\n\n  setup.exe \nbad/name\n", observable.DefaultLimits)
	if len(got) != 2 || got[0].Value != "my report, final.docx" || got[1].Value != "setup.exe" {
		t.Errorf("got %+v", got)
	}
	if len(problems) != 1 || problems[0].Line != 4 || problems[0].Key != observable.KeyFilename {
		t.Errorf("problems %+v", problems)
	}
	got, problems = observable.ParseBulkAs(observable.Domain, "report.zip, setup.exe", observable.DefaultLimits)
	if len(got) != 2 || got[1].Kind != observable.Domain || len(problems) != 0 {
		t.Errorf("got %+v %+v", got, problems)
	}
	if _, problems := observable.ParseBulkAs("colour", "x", observable.DefaultLimits); len(problems) != 1 || problems[0].Key != observable.KeyKind {
		t.Errorf("unknown kind: %+v", problems)
	}
}

func TestParseBulkLimits(t *testing.T) {
	lim := observable.Limits{MaxBytes: 100, MaxValues: 3, MaxToken: 20}
	if got, problems := observable.ParseBulk(strings.Repeat("a", 101), lim); got != nil || len(problems) != 1 || problems[0].Key != observable.KeyTooLarge {
		t.Errorf("too large: %+v %+v", got, problems)
	}
	got, problems := observable.ParseBulk("1.1.1.1 1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 5.5.5.5", lim)
	if len(got) != 3 || len(problems) != 1 || problems[0].Key != observable.KeyTooManyItems || problems[0].Token != "4.4.4.4" {
		t.Errorf("too many: %+v %+v", got, problems)
	}
	_, problems = observable.ParseBulk("http://example.com/"+strings.Repeat("x", 20), lim)
	if len(problems) != 1 || problems[0].Key != observable.KeyTooLong {
		t.Errorf("too long: %+v", problems)
	}
	big := strings.Repeat("1.2.3.4 ", 200000)
	if got, problems := observable.ParseBulk(big, observable.DefaultLimits); len(got) != 0 || len(problems) != 1 {
		t.Errorf("default 1 MB limit: %d values, %+v", len(got), problems)
	}
}
