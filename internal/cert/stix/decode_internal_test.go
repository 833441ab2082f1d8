package stix

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// decodeReference is what jsonschema.UnmarshalJSON (and so the schema
// validator) used to read: encoding/json with numbers kept as json.Number.
func decodeReference(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

var decodeSamples = []string{
	`{}`, `[]`, `{"a":[]}`, `{"a":[1,-2.5e+3,0,true,false,null,"x"]}`, ` { "a" : { "b" : [ { } ] } } `,
	`"\u00e9\n\t\"\\\/\b\f\r"`, `"\ud83d\ude00"`, `"\ud800"`, `"\ud800\u0041"`, `"\udc00\ud800x"`, `"a\u0000b"`, `"\uD83D\uDE00 é 中"`,
	`{"k\n":"v\u2028"}`, `1E400`, `-0`, `0.000001`,
}

// TestDecodeAgrees: decodeValue gives the value encoding/json gives, on
// hand-picked inputs and on every object of both ATT&CK bundles.
func TestDecodeAgrees(t *testing.T) {
	inputs := decodeSamples
	for _, f := range []string{"attack/ics-attack-18.1.json", "attack/ics-attack-18.0.json"} {
		b, err := os.ReadFile(filepath.Join("../../../../shared/data", f))
		if err != nil {
			t.Logf("%s not present", f)
			continue
		}
		for _, o := range splitTop(b).Objects {
			inputs = append(inputs, string(o))
		}
	}
	for _, in := range inputs {
		want, err := decodeReference([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		got, end := decodeValue([]byte(in), 0)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%.200s: decoded %#v, encoding/json %#v", in, got, want)
		}
		if skipWS([]byte(in), end) != len(in) || skipValue([]byte(in), 0) != end {
			t.Errorf("%.200s: ends at %d, skipValue at %d, length %d", in, end, skipValue([]byte(in), 0), len(in))
		}
	}
}

// FuzzDecode: on any input scanJSON accepts, decodeValue agrees with encoding/json.
func FuzzDecode(f *testing.F) {
	for _, s := range decodeSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if checkJSON(b) != nil {
			return
		}
		want, err := decodeReference(b)
		if err != nil {
			t.Fatalf("scanner accepted what encoding/json refuses: %q: %v", b, err)
		}
		got, _ := decodeValue(b, 0)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: decoded %#v, encoding/json %#v", b, got, want)
		}
	})
}
