package observable_test

import (
	"testing"

	"harambee.africa/harambee/internal/cert/observable"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{"192.0.2.1", "::ffff:1.2.3.4", "10.0.0.0/8", "2001:db8::/32", "bücher.example",
		"HTTP://[::1]:80/%7e?a#b", "a@例子.测试", "d41d8cd98f00b204e9800998ecf8427e", "Re\u0301sume\u0301.docx",
		"http://a.example/%", "xn--bcher-kva.example", "fe80::1%eth0"} {
		for i := range observable.Kinds {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, k uint8, s string) {
		kind := observable.Kinds[int(k)%len(observable.Kinds)]
		o, err := observable.Parse(kind, s)
		if err != nil {
			return
		}
		again, err := observable.Parse(o.Kind, o.Value)
		if err != nil || again.Kind != o.Kind || again.Value != o.Value {
			t.Fatalf("Parse(%s, %q) = %s %q, which re-parses to %s %q, %v", kind, s, o.Kind, o.Value, again.Kind, again.Value, err)
		}
		keys := observable.KeysOf(o)
		if keys.Exact != string(o.Kind)+":"+o.Value || len(keys.Terms) == 0 || keys.Terms[0] != keys.Exact || keys.Probes[0] != keys.Exact {
			t.Fatalf("KeysOf(%+v) = %+v", o, keys)
		}
	})
}

func FuzzParseBulk(f *testing.F) {
	f.Add("hxxp://evil[.]example/x, 1[.]2[.]3[.]4; user[@]example[.]com # note\n198.51.100.0/24 d41d8cd98f00b204e9800998ecf8427e")
	f.Add("\"<http://[2001:db8::1]:8080/a,b>\" filename:report.zip mailto:A@B.example evil [.] example/p")
	f.Add("http://a.example/x,http://b.example/y;;,, ((example.com)) [::1] fe80::1%eth0 1.2.3.4:80")
	f.Fuzz(func(t *testing.T, text string) {
		lim := observable.Limits{MaxBytes: 1 << 16, MaxValues: 100, MaxToken: 512}
		obs, problems := observable.ParseBulk(text, lim)
		if len(obs) > lim.MaxValues || len(problems) > lim.MaxValues {
			t.Fatalf("%d values, %d problems over the limit", len(obs), len(problems))
		}
		seen := map[string]bool{}
		for _, o := range obs {
			again, err := observable.Parse(o.Kind, o.Value)
			if err != nil || again.Kind != o.Kind || again.Value != o.Value {
				t.Fatalf("%s %q (from %q) re-parses to %s %q, %v", o.Kind, o.Value, o.Raw, again.Kind, again.Value, err)
			}
			id := string(o.Kind) + ":" + o.Value
			if seen[id] {
				t.Fatalf("duplicate %s", id)
			}
			seen[id] = true
		}
		for _, p := range problems {
			if p.Key == "" || len(p.Token) > 100+len("…") {
				t.Fatalf("problem %+v", p)
			}
		}
	})
}
