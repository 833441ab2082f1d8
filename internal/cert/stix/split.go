package stix

import (
	"bytes"
	"runtime"
	"sync"
	"sync/atomic"
)

// A bundle's JSON is checked on every core: one pass over the document
// checks everything but the members of its top-level "objects" list, which
// it only delimits (splitList); the members are then checked in parallel
// (scanMembers). The result is the scanner's on the whole document, to the
// byte and the message: the first error in the document.

// list is the top-level "objects" list as splitList found it: the bounds
// of the list (from its '[' to after its ']') and of its members. Members
// that are not JSON objects are checked, not deferred, and listed too.
type list struct {
	start, end int
	members    [][2]int
	deferred   []bool
}

// splitList checks data as scanJSON does, except for each object member of
// the top-level "objects" list, which it delimits without checking. It
// returns the list and the document's first error outside the deferred
// members (nil if none). When a member has no end, it runs to the end of
// data and the error is that the JSON ends too early.
func splitList(data []byte) (list, *Error) {
	s := &scanner{data: data, split: true}
	s.ws()
	if s.pos >= len(data) {
		return s.list, bundleErr(Malformed, "JSON ends too early")
	}
	if !s.value(0) {
		return s.list, s.err
	}
	s.ws()
	if s.pos < len(data) {
		return s.list, bundleErr(Malformed, "more than one JSON value")
	}
	return s.list, nil
}

// isObjectsKey says whether a raw key is "objects".
func isObjectsKey(k []byte) bool {
	if !hasEscape(k) {
		return string(k) == "objects"
	}
	return decodeKey(k) == "objects"
}

// objectsList reads the top-level "objects" list at s.pos ('['), as array
// does, delimiting its object members instead of checking them.
func (s *scanner) objectsList() bool {
	s.list.start = s.pos
	s.pos++ // [
	s.ws()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		s.list.end = s.pos
		return true
	}
	for {
		s.ws()
		if s.pos < len(s.data) && s.data[s.pos] == '{' {
			end := skipBalanced(s.data, s.pos)
			if end < 0 {
				s.list.add(s.pos, len(s.data), true)
				s.pos = len(s.data)
				return s.fail("")
			}
			s.list.add(s.pos, end, true)
			s.pos = end
		} else {
			start := s.pos
			if !s.value(2) {
				return false
			}
			s.list.add(start, s.pos, false)
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
			s.list.end = s.pos
			return true
		default:
			return s.syntax()
		}
	}
}

func (l *list) add(start, end int, deferred bool) {
	l.members = append(l.members, [2]int{start, end})
	l.deferred = append(l.deferred, deferred)
}

// skipBalanced returns the position after the bracket that closes the one
// at data[pos], counting brackets of either kind outside strings, or -1
// when none does. On JSON that the scanner accepts it ends where the
// scanner does; on anything else the scanner finds the error.
func skipBalanced(data []byte, pos int) int {
	depth := 0
	for i := pos; i < len(data); i++ {
		switch data[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		case '"':
			i = stringEnd(data, i)
			if i < 0 {
				return -1
			}
		}
	}
	return -1
}

// stringEnd returns the position of the quote that closes the string
// opening at data[pos], or -1: a quote preceded by an odd number of
// backslashes is escaped. Strings are most of a bundle's bytes, so it
// jumps from quote to quote.
func stringEnd(data []byte, pos int) int {
	i := pos + 1
	for {
		q := bytes.IndexByte(data[i:], '"')
		if q < 0 {
			return -1
		}
		i += q
		n := 0
		for j := i - 1; j > pos && data[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return i
		}
		i++
	}
}

// scanMember checks the member at data[b[0]:b[1]] as the scanner would
// within the whole document (errors at the same bytes), with s, whose
// list of keys it reuses.
func scanMember(s *scanner, data []byte, b [2]int) *Error {
	*s = scanner{data: data[:b[1]], pos: b[0], keys: s.keys[:0]}
	if !s.value(2) {
		return s.err
	}
	if s.pos != b[1] {
		return bundleErr(Malformed, "not valid JSON at byte %d: unexpected %q", s.pos, data[s.pos])
	}
	return nil
}

// scanMembers checks the members on every core and returns the first
// error by position (members are in document order), else outside, the
// error splitList found after them. Checking a member that is not a JSON
// object again is harmless.
func scanMembers(data []byte, members [][2]int, outside *Error) *Error {
	errs := make([]*Error, len(members))
	var first atomic.Int64 // the lowest failing member so far; members after it need no check
	first.Store(int64(len(members)))
	var next atomic.Int64
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), max(1, len(members)/64))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &scanner{}
			for {
				i := int(next.Add(1) - 1)
				if i >= len(members) || int64(i) > first.Load() {
					return
				}
				if errs[i] = scanMember(s, data, members[i]); errs[i] != nil {
					for {
						f := first.Load()
						if int64(i) >= f || first.CompareAndSwap(f, int64(i)) {
							break
						}
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	if f := int(first.Load()); f < len(members) {
		return errs[f]
	}
	return outside
}
