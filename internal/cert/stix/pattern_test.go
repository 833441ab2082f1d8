package stix_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/cert/stix"
)

// Patterns in the style of the STIX 2.1 specification's examples (section 9), with the canonical
// form String() gives ("" when it is the input itself).
var validPatterns = []struct{ in, canonical string }{
	{`[ipv4-addr:value = '198.51.100.1']`, ``},
	{`[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32']`, ``},
	{`[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']`, ``},
	{`[file:hashes."SHA-256" = 'x']`, `!`},
	{`[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4']`, ``},
	{`[file:hashes.'MD5' = '79054025255fb1a26e4bc422aef54eb4']`, `[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4']`},
	{`[domain-name:value = 'example.com'] AND [url:value = 'http://example.com/foo']`, ``},
	{`[email-message:from_ref.value MATCHES '.+\\@example\\.com$' AND email-message:body_multipart[*].body_raw_ref.name LIKE 'pdf%']`, ``},
	{`[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1008' AND user-account:account_login = 'Paul']`, ``},
	{`[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES '\\xd4\\xc3\\xb2\\xa1\\x02\\x00\\x04\\x00']`, ``},
	{`[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\Windows\\System32']`, ``},
	{`[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]`, ``},
	{`[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']`, ``},
	{`[file:magic_number_hex = h'FFD8']`, `[file:magic_number_hex = h'ffd8']`},
	{`[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']`, ``},
	{`[network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']`, ``},
	{`[network-traffic:src_ref.value ISSUPERSET '198.51.100.0/24']`, ``},
	{`[network-traffic:dst_port IN (80, 443, 8080)]`, `[network-traffic:dst_port IN (80, 443, 8080)]`},
	{`[network-traffic:dst_port NOT IN (80,443)]`, `[network-traffic:dst_port NOT IN (80, 443)]`},
	{`[network-traffic:dst_port NOT = 22]`, ``},
	{`[network-traffic:dst_port != 22]`, ``},
	{`[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\System\\Foo\\Bar']`, ``},
	{`[windows-registry-key:values[*].name = 'Foo' AND windows-registry-key:values[0].data = 'Bar']`, ``},
	{`[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']`, ``},
	{`[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine Root$'] FOLLOWEDBY [process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachineTrustedPublisher$'] WITHIN 300 SECONDS`, ``}, // the qualifier binds to the second observation only
	{`([a-b:c = 1] FOLLOWEDBY [a-b:c = 2]) WITHIN 300 SECONDS`, ``},
	{`([file:name = 'foo.dll'] AND [win-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) OR [process:name = 'fooproc' OR process:name = 'procfoo']`, `[file:name = 'foo.dll'] AND [win-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar'] OR [process:name = 'fooproc' OR process:name = 'procfoo']`},
	{`[file:hashes.'SHA-256' = 'x'] REPEATS 5 TIMES WITHIN 1800 SECONDS`, ``},
	{`[network-traffic:src_ref.type = 'ipv4-addr' AND network-traffic:src_ref.value = '203.0.113.10' AND network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES WITHIN 180 SECONDS`, ``},
	{`[file:name = 'pdf.exe' OR file:size = 371712] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'`, ``},
	{`[file:created < t'2016-11-29T08:40:00.123Z' AND file:size >= 1024 AND file:size <= -1]`, ``},
	{`[file:size > +5 AND file:size < 1.50]`, `[file:size > 5 AND file:size < 1.5]`},
	{`[x-acme-widget:flag = TRUE]`, `[x-acme-widget:flag = true]`},
	{`[artifact:payload_bin = b'aGVsbG8=']`, ``},
	{`[EXISTS file:hashes.'SHA-256']`, ``},
	{`[ipv4-addr:value = 'a' AND (ipv4-addr:value = 'b' OR ipv4-addr:value = 'c')]`, ``},
	{`[a-b:c = 1 OR (a-b:c = 2 OR a-b:c = 3)]`, ``},
	{`[a-b:c = 1 OR ((a-b:c = 2))]`, `[a-b:c = 1 OR a-b:c = 2]`},
	{`[a-b:c = 1] OR [a-b:c = 2] AND [a-b:c = 3] FOLLOWEDBY [a-b:c = 4]`, ``},
	{`(([a-b:c = 1] OR [a-b:c = 2]) AND [a-b:c = 3])`, `([a-b:c = 1] OR [a-b:c = 2]) AND [a-b:c = 3]`},
	{`[a-b:c = 'it\'s']`, ``},
	{`[a-b:'first key'.'x y'[*] = 'v']`, ``},
	{`[a-b:c = 1] WITHIN 2.5 SECONDS`, ``},
	{`[a-b:c = 1] WITHIN 2.0 SECONDS START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'`, ``},
	{"  [ a-b:c\t=\n'd' ]  ", `[a-b:c = 'd']`},
	{`[a-b:c IN ()]`, ``},
}

func TestParsePatternValid(t *testing.T) {
	for _, c := range validPatterns {
		if c.canonical == "!" {
			continue
		}
		p, err := stix.ParsePattern(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		want := c.canonical
		if want == "" {
			want = c.in
		}
		if got := p.String(); got != want {
			t.Errorf("%s\n got %s\nwant %s", c.in, got, want)
		}
		again, err := stix.ParsePattern(p.String())
		if err != nil || again.String() != p.String() {
			t.Errorf("%s: canonical form does not parse back to itself: %v", c.in, err)
		}
	}
}

func TestParsePatternInvalid(t *testing.T) {
	cases := []struct {
		in  string
		pos int
	}{
		{``, 0},
		{`ipv4-addr:value = '1.2.3.4'`, 0},
		{`[ipv4-addr:value = '1.2.3.4'`, 28},
		{`[ipv4-addr:value = '1.2.3.4]`, 19},
		{`[ipv4-addr:value = 1.2.3.4]`, 22},
		{`[ipv4-addr:value '1.2.3.4']`, 17},
		{`[ipv4-addr: = '1.2.3.4']`, 12},
		{`[ipv4-addr:value == '1.2.3.4']`, 18},
		{`[file:hashes."SHA-256" = 'x']`, 13},
		{`[a-b:c = 'x\n']`, 11},
		{`[a-b:c = 1] AND`, 15},
		{`[a-b:c = 1] [a-b:c = 2]`, 12},
		{`[a-b:c = 1] WITHIN SECONDS`, 19},
		{`[a-b:c = 1] WITHIN 0 SECONDS`, 19},
		{`[a-b:c = 1] WITHIN 5`, 20},
		{`[a-b:c = 1] REPEATS 2.5 TIMES`, 20},
		{`[a-b:c = 1] START t'2016-07-01T00:00:00Z' STOP t'2016-06-01T00:00:00Z'`, 47},
		{`[a-b:c = t'2016-13-01T00:00:00Z']`, 9},
		{`[a-b:c = t'2016-01-01 00:00:00']`, 9},
		{`[a-b:c = b'***']`, 9},
		{`[a-b:c = h'abc']`, 9},
		{`[a-b:c > true]`, 9},
		{`[a-b:c LIKE 5]`, 12},
		{`[a-b:c IN (1, 2]`, 15},
		{`[a-b:c = 99999999999999999999]`, 9},
		{`[a-b:c.d-e = 1]`, 7},
		{`[a-b:c[x] = 1]`, 7},
		{`[NOT a-b:c = 1]`, 1},
		{`[a-b:c = 1] FOLLOWEDBY`, 22},
		{`[a-b:c = 1] & [a-b:c = 1]`, 12},
		{`[a-b:c ! 1]`, 7},
		{strings.Repeat("(", 200) + "[a-b:c = 1]" + strings.Repeat(")", 200), 101},
	}
	for _, c := range cases {
		_, err := stix.ParsePattern(c.in)
		var pe *stix.PatternError
		if !errors.As(err, &pe) {
			t.Errorf("%q: %v, want a syntax error", c.in, err)
			continue
		}
		if pe.Pos != c.pos {
			t.Errorf("%q: error at %d, want %d (%v)", c.in, pe.Pos, c.pos, err)
		}
	}
}

func TestObservables(t *testing.T) {
	p, err := stix.ParsePattern(`([ipv4-addr:value = '198.51.100.1' OR domain-name:value = 'evil.example'] AND [url:value = 'http://evil.example/x?a=1&b=\'2\'']) FOLLOWEDBY [file:hashes.'SHA-256' = 'aec07064' AND file:size > 10 AND file:name != 'a'] OR [email-addr:value = 'x@evil.example' AND NOT-USED:x NOT = 'n'] WITHIN 60 SECONDS OR [ipv4-addr:value = '198.51.100.1' AND network-traffic:dst_port = 443]`)
	if err != nil {
		t.Fatal(err)
	}
	want := []stix.Term{
		{Type: "ipv4-addr", Path: "value", Value: "198.51.100.1"},
		{Type: "domain-name", Path: "value", Value: "evil.example"},
		{Type: "url", Path: "value", Value: "http://evil.example/x?a=1&b='2'"},
		{Type: "file", Path: "hashes.'SHA-256'", Value: "aec07064"},
		{Type: "email-addr", Path: "value", Value: "x@evil.example"},
		{Type: "network-traffic", Path: "dst_port", Value: "443"},
	}
	if got := stix.Observables(p); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if got := stix.Observables(nil); got != nil {
		t.Errorf("nil pattern: %v", got)
	}
}

func FuzzPattern(f *testing.F) {
	for _, c := range validPatterns {
		f.Add(c.in)
	}
	f.Add(`[a-b:c = 1] WITHIN 1e5 SECONDS`)
	f.Add(`[a:b = -0.0]`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := stix.ParsePattern(s)
		if err != nil {
			var pe *stix.PatternError
			if !errors.As(err, &pe) || pe.Pos < 0 || pe.Pos > len(s) {
				t.Fatalf("%q: bad error %v", s, err)
			}
			return
		}
		canon := p.String()
		again, err := stix.ParsePattern(canon)
		if err != nil {
			t.Fatalf("%q: canonical %q does not parse: %v", s, canon, err)
		}
		if again.String() != canon {
			t.Fatalf("%q: canonical %q prints as %q", s, canon, again.String())
		}
		_ = stix.Observables(p)
	})
}
