package stix

import (
	"encoding/json"
	"unicode/utf16"
	"unicode/utf8"
)

// A bundle is decoded once: scanJSON checks the whole of it (syntax,
// UTF-8, repeated keys), then decodeValue turns each object into the
// generic value (map[string]any, []any, string, json.Number, bool, nil)
// that both the hand-written checks and the OASIS schema validator read,
// and from which the common properties are taken. Before, every object
// was decoded three times by encoding/json (the bundle's list, the common
// properties, the schema's document).

// decodeValue decodes the JSON value at data[pos:], which scanJSON has
// accepted, and returns it with the position after it. Numbers stay
// json.Number, as jsonschema.UnmarshalJSON leaves them.
func decodeValue(data []byte, pos int) (any, int) { return decodeAt(data, pos, 0, nil) }

// keys keeps one copy of each property name a parsing worker has decoded
// (up to maxKeys of them), so that the names repeated in every object of a
// bundle are not allocated again for each: they were a quarter of the
// allocations of a parse. A nil keys allocates every name.
type keys map[string]string

const maxKeys = 1024

func (ks keys) name(b []byte) string {
	if s, ok := ks[string(b)]; ok {
		return s
	}
	s := string(b)
	if ks != nil && len(ks) < maxKeys {
		ks[s] = s
	}
	return s
}

// decodeAt decodes the value at pos, depth levels inside the object being
// decoded: a STIX object has a dozen properties or more, the objects
// inside it (external references, kill chain phases, hashes) a few.
func decodeAt(data []byte, pos, depth int, ks keys) (any, int) {
	pos = skipWS(data, pos)
	switch c := data[pos]; c {
	case '{':
		hint := 4
		if depth == 0 {
			hint = 16
		}
		m := make(map[string]any, hint)
		pos = skipWS(data, pos+1)
		if data[pos] == '}' {
			return m, pos + 1
		}
		for {
			var k string
			k, pos = decodeKeyIn(data, skipWS(data, pos), ks)
			pos = skipWS(data, pos) + 1 // ':'
			var v any
			v, pos = decodeAt(data, pos, depth+1, ks)
			m[k] = v
			pos = skipWS(data, pos)
			if data[pos] == '}' {
				return m, pos + 1
			}
			pos++ // ','
		}
	case '[':
		var l []any
		pos = skipWS(data, pos+1)
		if data[pos] == ']' {
			return []any{}, pos + 1
		}
		for {
			var v any
			v, pos = decodeAt(data, pos, depth+1, ks)
			l = append(l, v)
			pos = skipWS(data, pos)
			if data[pos] == ']' {
				return l, pos + 1
			}
			pos++ // ','
		}
	case '"':
		return decodeString(data, pos)
	case 't':
		return true, pos + 4
	case 'f':
		return false, pos + 5
	case 'n':
		return nil, pos + 4
	default:
		end := pos + 1
		for end < len(data) && (digit(data[end]) || data[end] == '.' || data[end] == 'e' || data[end] == 'E' || data[end] == '+' || data[end] == '-') {
			end++
		}
		return json.Number(data[pos:end]), end
	}
}

// decodeKeyIn decodes the property name starting at data[pos] ('"'),
// through ks when it has no escapes.
func decodeKeyIn(data []byte, pos int, ks keys) (string, int) {
	i := pos + 1
	for i < len(data) && data[i] != '"' && data[i] != '\\' {
		i++
	}
	if data[i] == '"' {
		return ks.name(data[pos+1 : i]), i + 1
	}
	return unescape(data, pos+1, i)
}

// decodeString decodes the string starting at data[pos] ('"').
func decodeString(data []byte, pos int) (string, int) {
	i := pos + 1
	for i < len(data) && data[i] != '"' && data[i] != '\\' {
		i++
	}
	if data[i] == '"' {
		return string(data[pos+1 : i]), i + 1
	}
	return unescape(data, pos+1, i)
}

// unescape decodes a string with escapes from data[start:] to its closing
// quote, as encoding/json does (a lone surrogate becomes U+FFFD).
func unescape(data []byte, start, i int) (string, int) {
	b := make([]byte, 0, i-start+16)
	b = append(b, data[start:i]...)
	for {
		c := data[i]
		switch {
		case c == '"':
			return string(b), i + 1
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		i++
		switch data[i] {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := hex4(data[i+1 : i+5])
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+6 < len(data) && data[i+1] == '\\' && data[i+2] == 'u' {
					r2 = hex4(data[i+3 : i+7])
				}
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					r = d
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
		default: // " \ /
			b = append(b, data[i])
		}
		i++
	}
}

func hex4(h []byte) rune {
	var r rune
	for _, c := range h {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

// skipValue returns the position after the JSON value at data[pos:].
func skipValue(data []byte, pos int) int {
	pos = skipWS(data, pos)
	switch data[pos] {
	case '{', '[':
		return skipBalanced(data, pos)
	case '"':
		return stringEnd(data, pos) + 1
	}
	_, end := decodeValue(data, pos)
	return end
}

func skipWS(data []byte, pos int) int {
	for pos < len(data) {
		switch data[pos] {
		case ' ', '\t', '\n', '\r':
			pos++
		default:
			return pos
		}
	}
	return pos
}

// topLevel is what parseTop needs of a bundle or envelope: the type and id
// (nil when absent), and each object's bytes (slices of data).
type topLevel struct {
	Type, ID  any
	HasType   bool
	Objects   [][]byte
	ObjectsOK bool // objects is absent, null or a list
	NotObject string
}

// splitTop reads the top level of a scanned document without decoding
// the objects.
func splitTop(data []byte) topLevel { return splitTopWith(data, list{start: -1}) }

// splitTopWith is splitTop with the objects list that splitList found,
// which it need not walk again.
func splitTopWith(data []byte, l list) topLevel {
	var t topLevel
	t.ObjectsOK = true
	pos := skipWS(data, 0)
	if data[pos] != '{' {
		t.NotObject = jsonKind(data[pos])
		return t
	}
	pos = skipWS(data, pos+1)
	if data[pos] == '}' {
		return t
	}
	for {
		var k string
		k, pos = decodeString(data, skipWS(data, pos))
		pos = skipWS(data, skipWS(data, pos)+1)
		switch k {
		case "type":
			t.Type, pos = decodeValue(data, pos)
			t.HasType = true
		case "id":
			t.ID, pos = decodeValue(data, pos)
		case "objects":
			switch {
			case pos == l.start:
				t.Objects = make([][]byte, len(l.members))
				for i, m := range l.members {
					t.Objects[i] = data[m[0]:m[1]]
				}
				pos = l.end
			case data[pos] == '[':
				t.Objects = [][]byte{}
				pos = skipWS(data, pos+1)
				if data[pos] == ']' {
					pos++
					break
				}
				for {
					end := skipValue(data, pos)
					t.Objects = append(t.Objects, data[pos:end])
					pos = skipWS(data, end)
					if data[pos] == ']' {
						pos++
						break
					}
					pos = skipWS(data, pos+1)
				}
			case data[pos] == 'n':
				t.Objects, pos = nil, pos+4
			default:
				t.ObjectsOK = false
				pos = skipValue(data, pos)
			}
		default:
			pos = skipValue(data, pos)
		}
		pos = skipWS(data, pos)
		if data[pos] == '}' {
			return t
		}
		pos++
	}
}

// jsonKind names the kind of JSON value that starts with c.
func jsonKind(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}
