package stix

import (
	"regexp"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The OASIS schemas check identifiers, timestamps and property names with
// regular expressions, on every object, many times over; they were a
// quarter of the cost of checking a bundle. fastPatterns are hand-written
// matchers for the patterns that run in bulk, each equivalent to Go's
// regexp for its pattern (TestFastPatternsAgree and FuzzFastPatterns compare
// them on every string of the ATT&CK bundles and on random input). Every
// other pattern goes to regexp.

type matcher struct {
	src   string
	match func(string) bool
}

func (m *matcher) MatchString(s string) bool { return m.match(s) }
func (m *matcher) String() string            { return m.src }

var fastPatterns = map[string]func(string) bool{
	`^[a-z][a-z0-9-]+[a-z0-9]--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`: matchIdentifier,
	`^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\.[0-9]+)?Z$`:     matchTimestamp,
	`T\d{2}:\d{2}:\d{2}\.\d{3,}Z$`:                                             matchMillis,
	`^[a-z][a-z0-9_]{0,245}_bin$`:                                              func(s string) bool { return matchSuffixed(s, "_bin") },
	`^[a-z][a-z0-9_]{0,245}_hex$`:                                              func(s string) bool { return matchSuffixed(s, "_hex") },
	`^([a-z][a-z0-9_]{2,249})|id$`:                                             matchPropertyName,
	`^([a-z][a-z0-9]*)+(-[a-z0-9]+)*\-?$`:                                      matchTypeName,
	`^([a-z][a-z0-9]*)+(-[a-z0-9]+)*\-ext$`:                                    matchExtensionName,
	`^[a-zA-Z0-9_-]{0,250}$`:                                                   matchDictKey,
	`^[a-zA-Z0-9/\.+_:-]{2,250}$`:                                              matchMediaTypeLike,
	`^(relationship|sighting|bundle|marking-definition|language-content)--.+$`: matchNonObjectRef,
	`^extension-definition--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`: func(s string) bool {
		return strings.HasPrefix(s, "extension-definition--") && isUUID(s[len("extension-definition--"):])
	},
}

// literalPrefix matches "^name--" and "^literal$" patterns without regexp.
var literalPrefix = regexp.MustCompile(`^\^([a-z0-9-]+)(--|\$)$`)

// compileRegexp is the schemas' regexp engine.
func compileRegexp(src string) (jsonschema.Regexp, error) {
	if f, ok := fastPatterns[src]; ok {
		return &matcher{src, f}, nil
	}
	if m := literalPrefix.FindStringSubmatch(src); m != nil {
		lit := m[1]
		if m[2] == "--" {
			p := lit + "--"
			return &matcher{src, func(s string) bool { return strings.HasPrefix(s, p) }}, nil
		}
		return &matcher{src, func(s string) bool { return s == lit }}, nil
	}
	return regexp.Compile(src)
}

func lower(c byte) bool    { return c >= 'a' && c <= 'z' }
func digit(c byte) bool    { return c >= '0' && c <= '9' }
func hexDigit(c byte) bool { return digit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// isUUID: [0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}, whole string.
func isUUID(u string) bool {
	if len(u) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := u[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		case 14:
			if c < '1' || c > '5' {
				return false
			}
		case 19:
			if !strings.ContainsRune("89abAB", rune(c)) {
				return false
			}
		default:
			if !hexDigit(c) {
				return false
			}
		}
	}
	return true
}

// matchIdentifier: ^[a-z][a-z0-9-]+[a-z0-9]--<uuid>$. The type part is
// greedy in the regexp but the UUID has a fixed length, so the split is
// the one 38 bytes from the end.
func matchIdentifier(s string) bool {
	if len(s) < 3+2+36 {
		return false
	}
	typ, sep, u := s[:len(s)-38], s[len(s)-38:len(s)-36], s[len(s)-36:]
	if sep != "--" || !isUUID(u) || !lower(typ[0]) {
		return false
	}
	last := typ[len(typ)-1]
	if !(lower(last) || digit(last)) {
		return false
	}
	for i := 1; i < len(typ)-1; i++ {
		if c := typ[i]; !(lower(c) || digit(c) || c == '-') {
			return false
		}
	}
	return true
}

// matchTimestamp: YYYY-MM-DDTHH:MM:SS(.f+)?Z with the ranges of the pattern
// (month 01-12, day 01-31, hour 00-23, minute 00-59, second 00-60).
func matchTimestamp(s string) bool {
	if len(s) < 20 {
		return false
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if !digit(s[i]) {
			return false
		}
	}
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return false
	}
	two := func(i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }
	if m := two(5); m < 1 || m > 12 {
		return false
	}
	if d := two(8); d < 1 || d > 31 {
		return false
	}
	if two(11) > 23 || two(14) > 59 || two(17) > 60 {
		return false
	}
	rest := s[19:]
	if len(rest) > 1 {
		if rest[0] != '.' || len(rest) < 3 {
			return false
		}
		for i := 1; i < len(rest)-1; i++ {
			if !digit(rest[i]) {
				return false
			}
		}
	}
	return rest[len(rest)-1] == 'Z'
}

// matchMillis: T\d{2}:\d{2}:\d{2}\.\d{3,}Z$, anywhere: the string ends
// with Z after three or more digits, a dot and "Thh:mm:ss" (the digits
// run back to the dot, so the match is decided by the tail).
func matchMillis(s string) bool {
	if !strings.HasSuffix(s, "Z") {
		return false
	}
	i := len(s) - 1
	j := i
	for j > 0 && digit(s[j-1]) {
		j--
	}
	if i-j < 3 || j < 10 || s[j-1] != '.' {
		return false
	}
	t := s[j-10 : j-1] // Thh:mm:ss
	return t[0] == 'T' && digit(t[1]) && digit(t[2]) && t[3] == ':' && digit(t[4]) && digit(t[5]) && t[6] == ':' && digit(t[7]) && digit(t[8])
}

// matchSuffixed: ^[a-z][a-z0-9_]{0,245}<suffix>$.
func matchSuffixed(s, suffix string) bool {
	if !strings.HasSuffix(s, suffix) {
		return false
	}
	name := s[:len(s)-len(suffix)]
	if len(name) < 1 || len(name) > 246 || !lower(name[0]) {
		return false
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; !(lower(c) || digit(c) || c == '_') {
			return false
		}
	}
	return true
}

// matchPropertyName: ^([a-z][a-z0-9_]{2,249})|id$ — a prefix of a letter
// and two more of [a-z0-9_] (the rest is free), or a string ending in "id".
func matchPropertyName(s string) bool {
	if strings.HasSuffix(s, "id") {
		return true
	}
	if len(s) < 3 || !lower(s[0]) {
		return false
	}
	for i := 1; i < 3; i++ {
		if c := s[i]; !(lower(c) || digit(c) || c == '_') {
			return false
		}
	}
	return true
}

// matchTypeName: ^([a-z][a-z0-9]*)+(-[a-z0-9]+)*\-?$ — a lower-case letter
// first, then [a-z0-9-] with no two hyphens in a row (a final one allowed).
func matchTypeName(s string) bool {
	if len(s) == 0 || !lower(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case lower(c) || digit(c):
		case c == '-':
			if s[i-1] == '-' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// matchExtensionName: ^([a-z][a-z0-9]*)+(-[a-z0-9]+)*\-ext$.
func matchExtensionName(s string) bool {
	if !strings.HasSuffix(s, "-ext") {
		return false
	}
	name := s[:len(s)-4]
	return name != "" && matchTypeName(name) && !strings.HasSuffix(name, "-")
}

// matchDictKey: ^[a-zA-Z0-9_-]{0,250}$.
func matchDictKey(s string) bool {
	if len(s) > 250 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(lower(c) || c >= 'A' && c <= 'Z' || digit(c) || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// matchMediaTypeLike: ^[a-zA-Z0-9/\.+_:-]{2,250}$.
func matchMediaTypeLike(s string) bool {
	if len(s) < 2 || len(s) > 250 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(lower(c) || c >= 'A' && c <= 'Z' || digit(c) || strings.IndexByte("/.+_:-", c) >= 0) {
			return false
		}
	}
	return true
}

// matchNonObjectRef: ^(relationship|sighting|bundle|marking-definition|language-content)--.+$
// — ".+$" is one or more characters other than a newline, to the end.
func matchNonObjectRef(s string) bool {
	for _, p := range []string{"relationship--", "sighting--", "bundle--", "marking-definition--", "language-content--"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest != "" && !strings.Contains(rest, "\n")
		}
	}
	return false
}
