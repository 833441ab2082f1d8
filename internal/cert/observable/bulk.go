package observable

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"

	"harambee.africa/harambee/internal/errs"
)

// Limits bounds what ParseBulk reads. A zero field takes its default.
type Limits struct {
	MaxBytes  int // the whole text; default 1 MB
	MaxValues int // distinct values returned, and problems reported; default 10,000
	MaxToken  int // one token; default MaxValueBytes
}

// DefaultLimits are the limits of a paste or an uploaded file.
var DefaultLimits = Limits{MaxBytes: 1 << 20, MaxValues: 10000, MaxToken: MaxValueBytes}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxValues <= 0 {
		l.MaxValues = DefaultLimits.MaxValues
	}
	if l.MaxToken <= 0 {
		l.MaxToken = DefaultLimits.MaxToken
	}
	return l
}

// Problem is a token ParseBulk did not accept. Line counts from 1 (0 means
// the text as a whole); Token is the text as given, cut to 100 bytes; Key is
// a "cert.observable.error.*" message key.
type Problem struct {
	Line  int
	Token string
	Key   string
}

// ParseBulk reads a pasted list of indicators: one or several a line,
// separated by spaces, commas or semicolons, with comments from a '#' that
// starts a line or follows a space. Defanged forms are accepted (see Refang)
// and the kind of each token is detected; a token may name its kind with a
// prefix, "filename:report.zip" or "domain:example.zip", when the reading is
// ambiguous. Values come back normalised, without duplicates, in the order
// first seen; each token not understood is a Problem.
//
// Inside a URL commas and semicolons are kept unless the text after them
// starts another URL, so "http://a/x,y" is one URL; a scheme-less
// "host/path" is read as an http URL; "address:port" is read as the address.
func ParseBulk(text string, lim Limits) ([]Observable, []Problem) {
	return parseBulk(text, "", lim)
}

// ParseBulkAs reads text as ParseBulk does but takes every token as the
// given kind. For Filename each non-empty line is one name, since names may
// hold spaces, commas and '#', and comments are not read.
func ParseBulkAs(kind Kind, text string, lim Limits) ([]Observable, []Problem) {
	if !kind.Valid() {
		return nil, []Problem{{Key: KeyKind}}
	}
	return parseBulk(text, kind, lim)
}

func parseBulk(text string, kind Kind, lim Limits) ([]Observable, []Problem) {
	lim = lim.withDefaults()
	if len(text) > lim.MaxBytes {
		return nil, []Problem{{Key: KeyTooLarge}}
	}
	var (
		out      []Observable
		problems []Problem
		seen     = map[string]bool{}
	)
	problem := func(line int, tok, key string) {
		if len(problems) < lim.MaxValues {
			problems = append(problems, Problem{Line: line, Token: cut(tok, 100), Key: key})
		}
	}
	for n, line := range strings.Split(text, "\n") {
		n++
		if !utf8.ValidString(line) {
			problem(n, line, KeyUnknown)
			continue
		}
		var toks []string
		if kind == Filename {
			if t := strings.TrimSpace(line); t != "" {
				toks = []string{t}
			}
		} else {
			toks = tokens(line)
		}
		for _, tok := range toks {
			if len(tok) > lim.MaxToken {
				problem(n, tok, KeyTooLong)
				continue
			}
			o, err := parseToken(kind, tok)
			if err != "" {
				problem(n, tok, err)
				continue
			}
			id := string(o.Kind) + ":" + o.Value
			if seen[id] {
				continue
			}
			if len(out) == lim.MaxValues {
				problem(n, tok, KeyTooManyItems)
				return out, problems
			}
			seen[id] = true
			out = append(out, o)
		}
	}
	return out, problems
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// tokens splits one line into candidate indicators.
func tokens(line string) []string {
	line = stripComment(line)
	line = joinDefanged(line)
	var out []string
	for _, field := range strings.FieldsFunc(line, unicode.IsSpace) {
		for _, t := range splitSeparators(field) {
			if t = trimToken(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

func stripComment(line string) string {
	for i := 0; i < len(line); i++ {
		if line[i] == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			return line[:i]
		}
	}
	return line
}

// splitSeparators splits a field on commas and semicolons, except inside a
// URL, which keeps them unless another URL follows.
func splitSeparators(f string) []string {
	if !strings.ContainsAny(f, ",;") {
		return []string{f}
	}
	var out []string
	cur, inURL := "", false
	start := 0
	for i := 0; i <= len(f); i++ {
		if i < len(f) && f[i] != ',' && f[i] != ';' {
			continue
		}
		piece := f[start:i]
		switch {
		case start == 0:
			cur = piece
		case inURL && piece != "" && !strings.Contains(Refang(piece), "://"):
			cur += f[start-1 : i]
		default:
			out = append(out, cur)
			cur = piece
		}
		inURL = strings.Contains(Refang(cur), "://")
		start = i + 1
	}
	return append(out, cur)
}

// trimToken removes quotes, brackets and sentence punctuation around a token,
// keeping closing brackets that pair with one inside it ("http://[::1]").
func trimToken(t string) string {
	for {
		before := t
		t = strings.TrimLeft(t, "\"'<([{`")
		t = strings.TrimRight(t, "\"'>.,;!?`")
		if strings.HasSuffix(t, ":") && strings.Count(t, ":") == 1 {
			t = t[:len(t)-1] // "evil.example:" but not "2001:db8::"
		}
		for _, p := range []string{"()", "[]", "{}"} {
			if strings.HasSuffix(t, p[1:]) && strings.Count(t, p[:1]) < strings.Count(t, p[1:]) {
				t = t[:len(t)-1]
			}
		}
		if t == before {
			return t
		}
	}
}

// parseToken reads one token, of the given kind or of the kind it names or
// looks like; it returns a message key when it cannot.
func parseToken(kind Kind, raw string) (Observable, string) {
	t := raw
	if i := strings.IndexByte(t, ':'); i > 0 && kind == "" {
		if k := Kind(strings.ToLower(t[:i])); k.Valid() {
			kind, t = k, t[i+1:]
		} else if strings.EqualFold(t[:i], "mailto") {
			kind, t = Email, t[i+1:]
		}
	}
	t = Refang(t)
	if kind == "" {
		var key string
		if kind, t, key = detect(t); key != "" {
			return Observable{}, key
		}
	}
	o, err := Parse(kind, t)
	if err != nil {
		return Observable{}, errs.KeyOf(err)
	}
	o.Raw = raw
	return o, ""
}

// detect names the kind a refanged token looks like, and the text to parse.
func detect(t string) (Kind, string, string) {
	switch {
	case strings.Contains(t, "://"):
		return URL, t, ""
	case strings.Contains(t, "@"):
		return Email, t, ""
	case strings.Contains(t, "/"):
		if _, err := netip.ParsePrefix(t); err == nil {
			return CIDR4, t, ""
		}
		host := t[:strings.IndexByte(t, '/')]
		if _, err := parseAddr(host); err == nil {
			return URL, "http://" + t, ""
		}
		if _, err := normDomain(host); err == nil && knownSuffix(host) {
			return URL, "http://" + t, ""
		}
		if looksNumeric(host) {
			return "", t, KeyCIDR
		}
		return "", t, KeyURL
	}
	if _, err := netip.ParseAddr(t); err == nil {
		return IPv4, t, ""
	}
	if ap, err := netip.ParseAddrPort(t); err == nil {
		return IPv4, ap.Addr().String(), ""
	}
	if k, ok := hashKind(t); ok {
		return k, t, ""
	}
	if looksNumeric(t) {
		return "", t, KeyIP
	}
	if strings.Contains(t, ".") {
		known := knownSuffix(t)
		if _, err := normDomain(t); err == nil && known {
			return Domain, t, ""
		}
		if !known && looksFilename(t) {
			return Filename, t, ""
		}
		return "", t, KeyDomain
	}
	return "", t, KeyUnknown
}

// knownSuffix reports whether a name ends in a suffix of the public suffix
// list, or in a name reserved for examples and tests (RFC 2606), so that
// "invoice.pdf" is not taken for a host.
func knownSuffix(d string) bool {
	a, err := normDomain(d)
	if err != nil {
		a = strings.ToLower(strings.TrimSuffix(d, "."))
	}
	tld := a[strings.LastIndexByte(a, '.')+1:]
	if tld == "example" || tld == "test" || tld == "invalid" {
		return true
	}
	s, icann := publicsuffix.PublicSuffix(a)
	return icann || strings.Contains(s, ".")
}

// looksNumeric is true of malformed addresses: digits, dots and colons only,
// or hex groups with colons.
func looksNumeric(t string) bool {
	colons := strings.Count(t, ":")
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == ':' || colons >= 2 && isHex(c)) {
			return false
		}
	}
	return t != ""
}

// looksFilename is true of a name with a short alphanumeric extension that
// holds a letter: "setup.exe", "invoice.pdf".
func looksFilename(t string) bool {
	i := strings.LastIndexByte(t, '.')
	ext := t[i+1:]
	if i <= 0 || len(ext) == 0 || len(ext) > 10 || strings.ContainsAny(t, ":/\\") {
		return false
	}
	letter := false
	for j := 0; j < len(ext); j++ {
		c := ext[j]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return letter
}
