package stix

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// The one-pass scanner must accept and refuse exactly what the walk with
// encoding/json's Decoder (the scanner's predecessor, kept here as the
// reference) does.

// checkDuplicateKeys walks the JSON once and refuses the first object with a repeated key. It also
// reports syntax errors with their offset.
func referenceCheck(data []byte) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	type frame struct {
		keys   map[string]struct{}
		object bool
		key    bool // next token in an object is a key
	}
	var stack []frame
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if len(stack) > 0 {
				return bundleErr(Malformed, "JSON ends too early")
			}
			return nil
		}
		if err != nil {
			return bundleErr(Malformed, "not valid JSON at byte %d: %s", d.InputOffset(), jsonReason(err))
		}
		if k, isKey := tok.(string); isKey && len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].key {
			n := len(stack)
			if _, dup := stack[n-1].keys[k]; dup {
				return bundleErr(Malformed, "duplicate key %q at byte %d", k, d.InputOffset())
			}
			stack[n-1].keys[k] = struct{}{}
			stack[n-1].key = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{keys: map[string]struct{}{}, object: true, key: true})
			continue
		case json.Delim('['):
			stack = append(stack, frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].key = true
		}
		if len(stack) == 0 && d.More() {
			return bundleErr(Malformed, "more than one JSON value")
		}
	}
}

func agree(t *testing.T, in []byte) {
	t.Helper()
	want := referenceCheck(in)
	if !utf8.Valid(in) {
		want = bundleErr(Malformed, "invalid UTF-8") // checkJSON refuses it before either runs
	}
	got := scanJSON(in)
	if (want == nil) != (got == nil) {
		t.Fatalf("%q: reference %v, scanner %v", in, want, got)
	}
}

func TestScannerAgrees(t *testing.T) {
	for _, in := range []string{`{}`, `[]`, `{"a":1,"b":[1,2,{"c":null}]}`, `{"a":1,"a":2}`, `{"a":1,"\u0061":2}`, `{"a":{"a":1},"b":{"a":2}}`,
		`{"a":1}{}`, `{"a":1} `, ` {"a":tru}`, `{"a":-0.5e+3}`, `{"a":01}`, `{"a":1.}`, `{"a":"\x"}`, `{"a":"\ud800"}`, `[1,]`, `{,}`, `{"a" 1}`,
		`"s"`, `123`, `{"a":[`, `{"a":"tab\there"}`, "{\"a\":\"raw\ttab\"}", `{"é":1,"\u00e9":2}`, `[` + strings.Repeat(`{"k":1},`, 50) + `{}]`} {
		agree(t, []byte(in))
	}
	many := &strings.Builder{}
	many.WriteString("{")
	for i := 0; i < 100; i++ {
		if i > 0 {
			many.WriteString(",")
		}
		many.WriteString(`"k` + strings.Repeat("x", i) + `":1`)
	}
	agree(t, []byte(many.String()+"}"))
	agree(t, []byte(many.String()+`,"kxx":2}`))
	agree(t, []byte(many.String()+`,"k\u0078x":2}`))
	for _, f := range []string{"attack/ics-attack-18.1.json", "attack/ics-attack-18.0.json"} {
		b, err := os.ReadFile(filepath.Join("../../../../shared/data", f))
		if err != nil {
			t.Logf("%s not present", f)
			continue
		}
		agree(t, b)
	}
}

func FuzzScanner(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":[1,2,{"c":null}]}`, `{"a":1,"a":2}`, `{"a":"\u0061","\u0061":1}`, `[1,2.5e3,"x",true,false,null]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if !json.Valid(in) && referenceCheck(in) == nil {
			t.Skip() // the reference is lenient where the Decoder is (it stops at the first value)
		}
		agree(t, in)
	})
}

var _ = bytes.NewReader
var _ = io.EOF

// splitAgrees: checking a document split (the top level, then the members
// of its "objects" list on every core) gives the scanner's answer on the
// whole document, to the message.
func splitAgrees(t *testing.T, in []byte) {
	t.Helper()
	if !utf8.Valid(in) {
		return // refused before either runs
	}
	want := scanJSON(in)
	l, outside := splitList(in)
	got := scanMembers(in, l.members, outside)
	if (want == nil) != (got == nil) || (want != nil && want.Error() != got.Error()) {
		t.Fatalf("%q: whole %v, split %v", in, want, got)
	}
	if want != nil {
		return
	}
	// The top level read with the list found agrees with reading it anew.
	a, b := splitTop(in), splitTopWith(in, l)
	if len(a.Objects) != len(b.Objects) || (a.Objects == nil) != (b.Objects == nil) || a.ObjectsOK != b.ObjectsOK ||
		a.NotObject != b.NotObject || a.HasType != b.HasType || a.Type != b.Type || a.ID != b.ID {
		t.Fatalf("%q: top level %+v, with the list %+v", in, a, b)
	}
	for i := range a.Objects {
		if !bytes.Equal(a.Objects[i], b.Objects[i]) {
			t.Fatalf("%q: member %d is %q, with the list %q", in, i, a.Objects[i], b.Objects[i])
		}
	}
}

func TestSplitScanAgrees(t *testing.T) {
	objs := func(members ...string) string {
		return `{"type":"bundle","id":"bundle--1","objects":[` + strings.Join(members, ",") + `]}`
	}
	var many []string
	for i := 0; i < 300; i++ {
		many = append(many, `{"type":"x","n":`+strconv.Itoa(i)+`,"s":"a \"quoted\" \\ word"}`)
	}
	bad := func(i int, member string) string {
		l := append([]string(nil), many...)
		l[i] = member
		return objs(l...)
	}
	for _, in := range []string{
		objs(), objs(`{}`), objs(`{"a":1}`, `{"a":1,"a":2}`), objs(`{"a":[1}]`), objs(`{"a":"x\"}`), objs(`{"a":"\x"}`),
		objs(`1`, `"s"`, `[1,2]`, `{"a":{}}`), objs(`{"a":1}`, `{`), `{"objects":[{"a":1},{"a":2}`, `{"objects":[{"a":"b`,
		`{"objects":[{"a":1}],"objects":[]}`, `{"objects":[{"a":1}]} x`, `{"objects":[{"a":1}],"type":tru}`,
		`{"\u006fbjects":[{"a":1,"a":1}]}`, `{"x":{"objects":[{"a":1,"a":1}]}}`, `{"objects":{"a":{"b":1,"b":2}}}`,
		objs(`{"a":"\\"}`, `{"b":"\\\""}`), objs(`{"a":"\\\\\"}`), objs(`{"a":1]`), objs(`{"a":{"b":1}}}`),
		objs(many...), bad(0, `{"a":01}`), bad(150, `{"a":1,"a":2}`), bad(299, `{"a":[}`), bad(7, `{"a":1}`+"\x01"),
		bad(40, `{"a":"\u12"}`), strings.TrimSuffix(objs(many...), "]}"), `{"objects":null}`, `{"objects":{}}`, `[]`, `{"objects":[]}`,
		`{"type":"bundle","objects":[1,"x",{"a":1},null],"id":"bundle--2"}`,
	} {
		splitAgrees(t, []byte(in))
	}
	for _, f := range []string{"attack/ics-attack-18.1.json", "attack/ics-attack-18.0.json"} {
		b, err := os.ReadFile(filepath.Join("../../../../shared/data", f))
		if err != nil {
			t.Logf("%s not present", f)
			continue
		}
		splitAgrees(t, b)
		// A break in one member of a real bundle, far from its start.
		i := bytes.LastIndex(b, []byte(`"description": "`))
		if i < 0 {
			t.Fatalf("%s has no description", f)
		}
		broken := append(append(append([]byte(nil), b[:i]...), `"description": 01, "x": "`...), b[i+len(`"description": "`):]...)
		splitAgrees(t, broken)
		if scanJSON(broken) == nil {
			t.Fatalf("%s: the break was not found", f)
		}
	}
}

func FuzzSplitScan(f *testing.F) {
	for _, s := range []string{`{"objects":[{"a":1},{"a":1,"a":2}]}`, `{"type":"bundle","objects":[{"a":"\"}"},[1],2]}`, `{"objects":[{"a":[}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		splitAgrees(t, in)
	})
}
