package stix

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
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
