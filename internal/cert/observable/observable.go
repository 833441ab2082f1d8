package observable

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"

	"harambee.africa/harambee/internal/errs"
)

// Kind is the type of an observable.
type Kind string

// The kinds of observable.
const (
	IPv4     Kind = "ipv4"
	IPv6     Kind = "ipv6"
	CIDR4    Kind = "cidr4"
	CIDR6    Kind = "cidr6"
	Domain   Kind = "domain"
	URL      Kind = "url"
	Email    Kind = "email"
	MD5      Kind = "md5"
	SHA1     Kind = "sha1"
	SHA256   Kind = "sha256"
	SHA512   Kind = "sha512"
	Filename Kind = "filename"
)

// Kinds lists every kind, in the order forms offer them.
var Kinds = []Kind{IPv4, IPv6, CIDR4, CIDR6, Domain, URL, Email, MD5, SHA1, SHA256, SHA512, Filename}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Observable is one normalised value. Value is the canonical form that is
// stored and compared; Raw is the text it was read from, kept for display.
type Observable struct {
	Kind  Kind
	Value string
	Raw   string
}

// The message keys of parse errors; the CERT module translates them.
const (
	KeyKind         = "cert.observable.error.kind"
	KeyEmpty        = "cert.observable.error.empty"
	KeyTooLong      = "cert.observable.error.too_long"
	KeyIP           = "cert.observable.error.ip"
	KeyZone         = "cert.observable.error.zone"
	KeyCIDR         = "cert.observable.error.cidr"
	KeyDomain       = "cert.observable.error.domain"
	KeySingleLabel  = "cert.observable.error.single_label"
	KeyURL          = "cert.observable.error.url"
	KeyScheme       = "cert.observable.error.scheme"
	KeyPort         = "cert.observable.error.port"
	KeyEmail        = "cert.observable.error.email"
	KeyHash         = "cert.observable.error.hash"
	KeyFilename     = "cert.observable.error.filename"
	KeyUnknown      = "cert.observable.error.unknown"
	KeyTooLarge     = "cert.observable.error.too_large"
	KeyTooManyItems = "cert.observable.error.too_many"
)

// ErrorKeys lists every message key Parse and ParseBulk return, for the
// module that translates them.
var ErrorKeys = []string{KeyKind, KeyEmpty, KeyTooLong, KeyIP, KeyZone, KeyCIDR, KeyDomain,
	KeySingleLabel, KeyURL, KeyScheme, KeyPort, KeyEmail, KeyHash, KeyFilename, KeyUnknown,
	KeyTooLarge, KeyTooManyItems}

// MaxValueBytes bounds any one value (a URL is the longest kind).
const MaxValueBytes = 4096

const op = "observable.Parse"

func fail(key string) error { return errs.E(op, errs.Invalid, key) }

// Parse normalises s as an observable of the given kind. It does not refang:
// call Refang first for input that may be defanged. The address family of an
// IP or CIDR follows the value, so Parse(IPv6, "::ffff:192.0.2.1") is the
// IPv4 observable 192.0.2.1. Errors are errs.Invalid with a
// "cert.observable.error.*" message key.
func Parse(kind Kind, s string) (Observable, error) {
	raw := s
	s = strings.TrimSpace(s)
	if s == "" {
		return Observable{}, fail(KeyEmpty)
	}
	if len(s) > MaxValueBytes {
		return Observable{}, fail(KeyTooLong)
	}
	if !utf8.ValidString(s) {
		return Observable{}, fail(KeyUnknown)
	}
	var (
		v   string
		k   = kind
		err error
	)
	switch kind {
	case IPv4, IPv6:
		var a netip.Addr
		a, err = parseAddr(s)
		if err == nil {
			k, v = addrKind(a), a.String()
		}
	case CIDR4, CIDR6:
		var p netip.Prefix
		p, err = parsePrefix(s)
		if err == nil {
			k, v = IPv4, p.String()
			if p.Addr().Is4() {
				k = CIDR4
			} else {
				k = CIDR6
			}
		}
	case Domain:
		v, err = normDomain(s)
	case URL:
		v, err = normURL(s)
	case Email:
		v, err = normEmail(s)
	case MD5, SHA1, SHA256, SHA512:
		v, err = normHash(kind, s)
	case Filename:
		v, err = normFilename(s)
	default:
		err = fail(KeyKind)
	}
	if err != nil {
		return Observable{}, err
	}
	return Observable{Kind: k, Value: v, Raw: raw}, nil
}

func addrKind(a netip.Addr) Kind {
	if a.Is4() {
		return IPv4
	}
	return IPv6
}

// parseAddr reads an IP address, refusing zones (they name a local
// interface, not a host) and turning IPv4-mapped IPv6 into IPv4.
func parseAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fail(KeyIP)
	}
	if a.Zone() != "" {
		return netip.Addr{}, fail(KeyZone)
	}
	return a.Unmap(), nil
}

// parsePrefix reads a CIDR and returns its masked network; an IPv4-mapped
// IPv6 prefix of /96 or longer becomes the IPv4 prefix it covers.
func parsePrefix(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fail(KeyCIDR)
	}
	a := p.Addr()
	if a.Is4In6() {
		if p.Bits() < 96 {
			return p.Masked(), nil
		}
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// normDomain applies IDNA (UTS #46 lookup profile: case folding, width
// mapping, STD3 rules, punycode) and then DNS length rules. A single label
// is refused: in pasted text it is far more often a word than a host, and
// intranet names mean nothing across organisations. A numeric top-level
// label is refused so that a malformed IPv4 address is never a domain.
func normDomain(s string) (string, error) {
	s = strings.TrimSuffix(s, ".")
	if s == "" || strings.HasPrefix(s, ".") {
		return "", fail(KeyDomain)
	}
	a, err := idna.Lookup.ToASCII(s)
	if err != nil {
		return "", fail(KeyDomain)
	}
	a = strings.TrimSuffix(a, ".") // "。" and friends map to '.'
	if a == "" || len(a) > 253 {
		return "", fail(KeyDomain)
	}
	labels := strings.Split(a, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return "", fail(KeyDomain)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", fail(KeyDomain)
			}
		}
	}
	if len(labels) < 2 {
		return "", fail(KeySingleLabel)
	}
	if allDigits(labels[len(labels)-1]) {
		return "", fail(KeyDomain)
	}
	// The result must be stable: a punycode label that decodes to something
	// the lookup profile maps differently is not canonical.
	if b, err := idna.Lookup.ToASCII(a); err != nil || b != a {
		return "", fail(KeyDomain)
	}
	return a, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

var defaultPorts = map[string]string{"http": "80", "https": "443", "ftp": "21"}

// normURL canonicalises an http, https or ftp URL. Other schemes are
// refused: their hosts, ports and paths have no shared normal form, and the
// indicators CERTs exchange are web and FTP locations.
func normURL(s string) (string, error) {
	i := strings.Index(s, "://")
	if i <= 0 {
		return "", fail(KeyURL)
	}
	scheme := strings.ToLower(s[:i])
	defPort, ok := defaultPorts[scheme]
	if !ok {
		return "", fail(KeyScheme)
	}
	rest := s[i+3:]
	if j := strings.IndexByte(rest, '#'); j >= 0 {
		rest = rest[:j]
	}
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	userinfo := ""
	if j := strings.LastIndexByte(authority, '@'); j >= 0 {
		userinfo, authority = authority[:j], authority[j+1:]
		userinfo = normPercent(userinfo, true) + "@"
	}
	host, port, err := splitHostPort(authority)
	if err != nil {
		return "", err
	}
	if port == defPort {
		port = ""
	}
	var b strings.Builder
	b.WriteString(scheme)
	b.WriteString("://")
	b.WriteString(userinfo)
	b.WriteString(host)
	if port != "" {
		b.WriteString(":")
		b.WriteString(port)
	}
	path, query := tail, ""
	if j := strings.IndexByte(tail, '?'); j >= 0 {
		path, query = tail[:j], tail[j+1:]
	}
	if path == "" {
		path = "/"
	}
	b.WriteString(normPercent(path, false))
	if query != "" {
		b.WriteString("?")
		b.WriteString(normPercent(query, false))
	}
	if b.Len() > MaxValueBytes {
		return "", fail(KeyTooLong)
	}
	return b.String(), nil
}

// splitHostPort normalises "host[:port]" where host is a domain, an IPv4
// address or a bracketed IPv6 address.
func splitHostPort(a string) (host, port string, err error) {
	if strings.HasPrefix(a, "[") {
		j := strings.IndexByte(a, ']')
		if j < 0 {
			return "", "", fail(KeyURL)
		}
		ip, err := parseAddr(a[1:j])
		if err != nil {
			return "", "", fail(KeyURL)
		}
		host, a = ip.String(), a[j+1:]
		if ip.Is6() {
			host = "[" + host + "]"
		}
		if a != "" && a[0] != ':' {
			return "", "", fail(KeyURL)
		}
		port = strings.TrimPrefix(a, ":")
	} else {
		if j := strings.LastIndexByte(a, ':'); j >= 0 {
			a, port = a[:j], a[j+1:]
		}
		if ip, err := parseAddr(a); err == nil {
			host = ip.String()
		} else if host, err = normDomain(a); err != nil {
			return "", "", fail(KeyURL)
		}
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || !allDigits(port) {
			return "", "", fail(KeyPort)
		}
		port = strconv.Itoa(n)
	}
	return host, port, nil
}

// normPercent normalises percent-encoding (RFC 3986 section 6.2.2.2):
// escapes of unreserved characters are decoded, other escapes get upper-case
// hex, a '%' that starts no escape becomes %25, and bytes that may not
// appear in a URL (controls, space, non-ASCII) are escaped. inUserinfo also
// escapes '@' and '/', which would otherwise move the host.
func normPercent(s string, inUserinfo bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
				d := unhex(s[i+1])<<4 | unhex(s[i+2])
				if unreserved(d) {
					b.WriteByte(d)
				} else {
					b.WriteByte('%')
					b.WriteByte(hex[d>>4])
					b.WriteByte(hex[d&15])
				}
				i += 2
				continue
			}
			b.WriteString("%25")
			continue
		}
		if c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' ||
			c == '^' || c == '`' || c == '{' || c == '|' || c == '}' || c == '#' ||
			inUserinfo && (c == '@' || c == '/' || c == '?') {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func unreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// normEmail keeps the local part as given (its case may matter to the
// receiving server) and normalises the domain.
func normEmail(s string) (string, error) {
	j := strings.LastIndexByte(s, '@')
	if j <= 0 || j > 64 {
		return "", fail(KeyEmail)
	}
	local := s[:j]
	for _, r := range local {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '@' {
			return "", fail(KeyEmail)
		}
	}
	d, err := normDomain(s[j+1:])
	if err != nil {
		return "", fail(KeyEmail)
	}
	return local + "@" + d, nil
}

var hashLen = map[Kind]int{MD5: 32, SHA1: 40, SHA256: 64, SHA512: 128}

func normHash(k Kind, s string) (string, error) {
	if len(s) != hashLen[k] {
		return "", fail(KeyHash)
	}
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return "", fail(KeyHash)
		}
	}
	return strings.ToLower(s), nil
}

// hashKind names the hash kind of a hex string by its length.
func hashKind(s string) (Kind, bool) {
	for k, n := range hashLen {
		if len(s) == n {
			for i := 0; i < len(s); i++ {
				if !isHex(s[i]) {
					return "", false
				}
			}
			return k, true
		}
	}
	return "", false
}

// normFilename keeps a file's base name in NFC, so that the same name typed
// on different systems compares equal.
func normFilename(s string) (string, error) {
	s = norm.NFC.String(s)
	if len(s) > 255 || s == "." || s == ".." {
		return "", fail(KeyFilename)
	}
	for _, r := range s {
		if r == '/' || r == '\\' || r == 0 || unicode.IsControl(r) || r == utf8.RuneError {
			return "", fail(KeyFilename)
		}
	}
	return s, nil
}
