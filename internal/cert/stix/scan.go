package stix

import (
	"encoding/json"
	"unicode/utf8"
)

// scanner checks JSON in one pass without building values: syntax (RFC
// 8259), valid UTF-8 and no repeated key in any object. It replaces a walk
// with encoding/json's Decoder.Token, which allocated for every token and
// was a fifth of the cost of parsing a bundle.
type scanner struct {
	data []byte
	pos  int
	keys []rawKey // keys of the open objects, each object's from its mark
	err  *Error

	escaped bool // whether the last string str read holds escapes

	split bool // delimit the top-level "objects" list's members (splitList)
	list  list // and its members
}

// maxDepth bounds nesting, as encoding/json does (10,000).
const maxDepth = 10000

func scanJSON(data []byte) *Error {
	s := &scanner{data: data}
	s.ws()
	if s.pos >= len(data) {
		return bundleErr(Malformed, "JSON ends too early")
	}
	if !s.value(0) {
		return s.err
	}
	s.ws()
	if s.pos < len(data) {
		return bundleErr(Malformed, "more than one JSON value")
	}
	return nil
}

func (s *scanner) fail(format string, args ...any) bool {
	if s.err == nil {
		if s.pos >= len(s.data) {
			s.err = bundleErr(Malformed, "JSON ends too early")
		} else {
			s.err = bundleErr(Malformed, format, args...)
		}
	}
	return false
}

func (s *scanner) syntax() bool {
	return s.fail("not valid JSON at byte %d: unexpected %q", s.pos, s.data[s.pos])
}

func (s *scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) value(depth int) bool {
	if s.pos >= len(s.data) {
		return s.fail("")
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		return s.object(depth + 1)
	case c == '[':
		return s.array(depth + 1)
	case c == '"':
		_, ok := s.str()
		return ok
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return s.syntax()
}

func (s *scanner) literal(lit string) bool {
	if len(s.data)-s.pos < len(lit) {
		s.pos = len(s.data)
		return s.fail("")
	}
	if string(s.data[s.pos:s.pos+len(lit)]) != lit {
		return s.syntax()
	}
	s.pos += len(lit)
	return true
}

func (s *scanner) number() bool {
	d := s.data
	if d[s.pos] == '-' {
		s.pos++
	}
	digits := func() int {
		n := 0
		for s.pos < len(d) && d[s.pos] >= '0' && d[s.pos] <= '9' {
			s.pos++
			n++
		}
		return n
	}
	if s.pos >= len(d) {
		return s.fail("")
	}
	if d[s.pos] == '0' {
		s.pos++
	} else if digits() == 0 {
		return s.syntax()
	}
	if s.pos < len(d) && d[s.pos] == '.' {
		s.pos++
		if s.pos >= len(d) {
			return s.fail("")
		}
		if digits() == 0 {
			return s.syntax()
		}
	}
	if s.pos < len(d) && (d[s.pos] == 'e' || d[s.pos] == 'E') {
		s.pos++
		if s.pos < len(d) && (d[s.pos] == '+' || d[s.pos] == '-') {
			s.pos++
		}
		if s.pos >= len(d) {
			return s.fail("")
		}
		if digits() == 0 {
			return s.syntax()
		}
	}
	return true
}

// str reads a string and returns its raw bytes between the quotes;
// s.escaped says whether it holds escapes.
func (s *scanner) str() (raw []byte, ok bool) {
	d := s.data
	start := s.pos + 1
	s.pos++
	s.escaped = false
	for s.pos < len(d) {
		c := d[s.pos]
		switch {
		case c == '"':
			s.pos++
			return d[start : s.pos-1], true
		case c == '\\':
			s.escaped = true
			s.pos++
			if s.pos >= len(d) {
				return nil, s.fail("")
			}
			switch d[s.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos++
			case 'u':
				if len(d)-s.pos < 5 {
					s.pos = len(d)
					return nil, s.fail("")
				}
				for _, h := range d[s.pos+1 : s.pos+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return nil, s.fail("not valid JSON at byte %d: bad \\u escape", s.pos)
					}
				}
				s.pos += 5
			default:
				return nil, s.fail("not valid JSON at byte %d: bad escape", s.pos)
			}
		case c < 0x20:
			return nil, s.fail("not valid JSON at byte %d: control character in a string", s.pos)
		case c < utf8.RuneSelf:
			s.pos++
		default:
			r, n := utf8.DecodeRune(d[s.pos:])
			if r == utf8.RuneError && n <= 1 {
				s.err = bundleErr(Malformed, "invalid UTF-8 at byte %d", s.pos)
				return nil, false
			}
			s.pos += n
		}
	}
	return nil, s.fail("")
}

// rawKey is a key as it is written, and whether it holds escapes.
type rawKey struct {
	raw     []byte
	escaped bool
}

// sameKey compares two raw keys as the strings they encode.
func sameKey(a, b rawKey) bool {
	if string(a.raw) == string(b.raw) {
		return true
	}
	if !a.escaped && !b.escaped {
		return false
	}
	return decodeKey(a.raw) == decodeKey(b.raw)
}

func hasEscape(b []byte) bool {
	for _, c := range b {
		if c == '\\' {
			return true
		}
	}
	return false
}

func decodeKey(raw []byte) string {
	var s string
	q := make([]byte, 0, len(raw)+2)
	q = append(append(append(q, '"'), raw...), '"')
	_ = json.Unmarshal(q, &s)
	return s
}

func (s *scanner) object(depth int) bool {
	if depth > maxDepth {
		return s.fail("not valid JSON: nested too deeply")
	}
	s.pos++ // {
	mark := len(s.keys)
	defer func() { s.keys = s.keys[:mark] }()
	var set map[string]struct{}
	s.ws()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return true
	}
	for {
		s.ws()
		if s.pos >= len(s.data) {
			return s.fail("")
		}
		if s.data[s.pos] != '"' {
			return s.syntax()
		}
		k, ok := s.str()
		if !ok {
			return false
		}
		rk := rawKey{k, s.escaped}
		// Few keys: compare with each; many: a set, so that a hostile object
		// with a huge number of keys costs linear time.
		if set != nil {
			dk := string(k)
			if rk.escaped {
				dk = decodeKey(k)
			}
			if _, dup := set[dk]; dup {
				return s.fail("duplicate key %q at byte %d", dk, s.pos)
			}
			set[dk] = struct{}{}
		} else {
			for _, prev := range s.keys[mark:] {
				if sameKey(prev, rk) {
					return s.fail("duplicate key %q at byte %d", decodeKey(k), s.pos)
				}
			}
			s.keys = append(s.keys, rk)
			if len(s.keys)-mark > 32 {
				set = make(map[string]struct{}, 64)
				for _, prev := range s.keys[mark:] {
					set[decodeKey(prev.raw)] = struct{}{}
				}
			}
		}
		s.ws()
		if s.pos >= len(s.data) {
			return s.fail("")
		}
		if s.data[s.pos] != ':' {
			return s.syntax()
		}
		s.pos++
		s.ws()
		if s.split && depth == 1 && s.pos < len(s.data) && s.data[s.pos] == '[' && isObjectsKey(k) {
			if !s.objectsList() {
				return false
			}
		} else if !s.value(depth) {
			return false
		}
		s.ws()
		if s.pos >= len(s.data) {
			return s.fail("")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return true
		default:
			return s.syntax()
		}
	}
}

func (s *scanner) array(depth int) bool {
	if depth > maxDepth {
		return s.fail("not valid JSON: nested too deeply")
	}
	s.pos++ // [
	s.ws()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return true
	}
	for {
		s.ws()
		if !s.value(depth) {
			return false
		}
		s.ws()
		if s.pos >= len(s.data) {
			return s.fail("")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return true
		default:
			return s.syntax()
		}
	}
}
