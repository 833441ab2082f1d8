package stix

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// patternSamples are strings the fast matchers must judge as regexp does:
// hand-picked edge cases, and every key and string value of the ATT&CK
// bundles.
func patternSamples(t testing.TB) []string {
	out := []string{"", "a", "id", "xid", "ab", "abc", "a_b", "A_b", "_ab", "x_mitre_id", "x-ext", "a--ext", "a-b-ext", "-ext", "ab-", "a--b", "a-", "1a",
		"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f", "indicator--8e2e2d2b-17d4-4cbf-738f-98ee46b3cd3f",
		"a--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "ab--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "a-b--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "ab---8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"x-mitre-tactic--8E2E2D2B-17D4-4CBF-A38F-98EE46B3CD3F", "Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "in dicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"2016-04-06T20:03:48.000Z", "2016-04-06T20:03:48Z", "2016-04-06T20:03:48.Z", "2016-13-06T20:03:48Z", "2016-00-06T20:03:48Z", "2016-04-32T20:03:48Z",
		"2016-04-00T20:03:48Z", "2016-04-06T24:03:48Z", "2016-04-06T23:60:48Z", "2016-04-06T23:59:60Z", "2016-04-06T23:59:61Z", "2016-04-06T20:03:48.1234567Z",
		"2016-04-06T20:03:48.12Z", "x2016-04-06T20:03:48.123Z", "2016-04-06T20:03:48.123Zx", "2016-04-06t20:03:48.123Z", "2016-04-06T20:03:48.1a3Z",
		"T20:03:48.123Z", "T20:03:48.12Z", "T2:03:48.123Z", "20:03:48.123Z", ".123Z", "T20:03:48..123Z", "T20:03:48.123\nZ",
		"relationship--x", "relationship--", "bundle--a\nb", "sighting--\n", "marking-definition--y", "language-content--z", "report--x",
		"name_bin", "_bin", "a_bin", "A_bin", "a-b_bin", "name_hex", "sha-256", "SHA-256", "a/b", "text/plain", "a", strings.Repeat("a", 251), strings.Repeat("a", 250),
		"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d", "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88", "é", "aé", "éid", "x_é",
	}
	for _, f := range []string{"attack/ics-attack-18.1.json", "attack/ics-attack-18.0.json"} {
		b, err := os.ReadFile(filepath.Join("../../../../shared/data", f))
		if err != nil {
			t.Logf("%s not present", f)
			continue
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, x := range v {
					out = append(out, k)
					walk(x)
				}
			case []any:
				for _, x := range v {
					walk(x)
				}
			case string:
				if len(v) < 300 {
					out = append(out, v)
				}
			}
		}
		walk(doc)
	}
	return out
}

func TestFastPatternsAgree(t *testing.T) {
	samples := patternSamples(t)
	for src, fast := range fastPatterns {
		re := regexp.MustCompile(src)
		for _, s := range samples {
			if fast(s) != re.MatchString(s) {
				t.Errorf("%s on %q: fast %v, regexp %v", src, s, fast(s), re.MatchString(s))
			}
		}
	}
	for _, src := range []string{`^software--`, `^statement$`, `^tcp-ext$`} {
		m, err := compileRegexp(src)
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(src)
		for _, s := range append(samples, "software--x", "software-", "statement", "statements", "tcp-ext") {
			if m.MatchString(s) != re.MatchString(s) {
				t.Errorf("%s on %q", src, s)
			}
		}
	}
}

func FuzzFastPatterns(f *testing.F) {
	for _, s := range []string{"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "2016-04-06T20:03:48.000Z", "x_mitre_id", "a-b-ext", "relationship--x"} {
		f.Add(s)
	}
	res := map[string]*regexp.Regexp{}
	for src := range fastPatterns {
		res[src] = regexp.MustCompile(src)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for src, fast := range fastPatterns {
			if fast(s) != res[src].MatchString(s) {
				t.Fatalf("%s on %q: fast %v, regexp %v", src, s, fast(s), res[src].MatchString(s))
			}
		}
	})
}
