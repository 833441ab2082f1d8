package stix_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/cert/stix"
)

// The TLP 2.0 constants are the ones OASIS publishes.
func TestTLP2MarkingsMatchOASIS(t *testing.T) {
	data := readShared(t, "tlp2/marking-definitions.json")
	var defs []json.RawMessage
	if err := json.Unmarshal(data, &defs); err != nil {
		t.Fatal(err)
	}
	want := map[stix.TLP]string{stix.TLPClear: stix.TLP2Clear, stix.TLPGreen: stix.TLP2Green, stix.TLPAmber: stix.TLP2Amber,
		stix.TLPAmberStrict: stix.TLP2AmberStrict, stix.TLPRed: stix.TLP2Red}
	seen := 0
	for _, raw := range defs {
		o, err := stix.ParseObject(raw)
		if err != nil {
			t.Fatalf("OASIS object refused: %v", err)
		}
		if o.Type == "extension-definition" {
			if o.ID != stix.TLP2Extension {
				t.Errorf("extension id %s", o.ID)
			}
			continue
		}
		var ext struct {
			Extensions map[string]struct {
				TLP stix.TLP `json:"tlp_2_0"`
			} `json:"extensions"`
		}
		if err := json.Unmarshal(raw, &ext); err != nil {
			t.Fatal(err)
		}
		level := ext.Extensions[stix.TLP2Extension].TLP
		if want[level] != o.ID || level.Marking() != o.ID {
			t.Errorf("%s: file says %s is %s", level, level, o.ID)
		}
		if got, ok := stix.DefinedTLP(o); !ok || got != level {
			t.Errorf("DefinedTLP(%s) = %s", o.ID, got)
		}
		seen++
	}
	if seen != 5 {
		t.Errorf("%d TLP 2.0 definitions in the file, want 5", seen)
	}
}

func TestTLP1To2(t *testing.T) {
	for id, want := range map[string]stix.TLP{
		stix.TLP1White: stix.TLPClear, stix.TLP1Green: stix.TLPGreen, stix.TLP1Amber: stix.TLPAmber, stix.TLP1Red: stix.TLPRed,
	} {
		if got, ok := stix.TLPOfMarking(id); !ok || got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
	if _, ok := stix.TLPOfMarking("marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168"); ok {
		t.Error("a statement marking (ATT&CK copyright) read as TLP")
	}
	// The TLP 1.0 objects the specification prints parse (the schema admits them under these ids only).
	for id, level := range map[string]string{stix.TLP1White: "white", stix.TLP1Red: "red"} {
		raw := `{"type":"marking-definition","spec_version":"2.1","id":"` + id + `","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:` + strings.ToUpper(level) + `","definition":{"tlp":"` + level + `"}}`
		def, err := stix.ParseObject([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := stix.TLPOfMarking(id)
		if got, ok := stix.DefinedTLP(def); !ok || got != want {
			t.Errorf("%s read as %q", level, got)
		}
		// The same content under another id is read by content.
		def.ID = "marking-definition--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061"
		if got, ok := stix.DefinedTLP(def); !ok || got != want {
			t.Errorf("%s by content read as %q", level, got)
		}
	}
}

func TestEffectiveTLP(t *testing.T) {
	const copyright = "marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168"
	cases := []struct {
		refs []string
		want stix.TLP
		ok   bool
	}{
		{nil, "", false},
		{[]string{copyright}, "", false},
		{[]string{stix.TLP2Green}, stix.TLPGreen, true},
		{[]string{copyright, stix.TLP1White}, stix.TLPClear, true},
		{[]string{stix.TLP2Green, stix.TLP1Amber, copyright}, stix.TLPAmber, true},
		{[]string{stix.TLP2AmberStrict, stix.TLP1Amber}, stix.TLPAmberStrict, true},
		{[]string{stix.TLP2Clear, stix.TLP1Red, stix.TLP2AmberStrict}, stix.TLPRed, true},
	}
	for _, c := range cases {
		got, ok := stix.EffectiveTLP(c.refs)
		if got != c.want || ok != c.ok {
			t.Errorf("%v: %q %v, want %q %v", c.refs, got, ok, c.want, c.ok)
		}
	}
	for _, s := range []string{"clear", "green", "amber", "amber+strict", "red"} {
		if !stix.TLP(s).Valid() || stix.TLP(s).SharingMarking() != s {
			t.Errorf("%s not a sharing marking", s)
		}
	}
	if stix.TLP("white").Valid() {
		t.Error("white is TLP 1.0, not a TLP 2.0 level")
	}
}

// Statement markings are kept unchanged: the ATT&CK copyright marking parses and comes back as it was.
func TestStatementMarkingKept(t *testing.T) {
	data := readShared(t, "attack/ics-attack-18.1.json")
	b, err := stix.ParseBundle(bytes.NewReader(data), stix.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range b.Objects {
		if o.Type == "marking-definition" {
			if _, ok := stix.DefinedTLP(o); ok {
				t.Error("copyright statement read as TLP")
			}
			if !bytes.Contains(o.Raw, []byte(`"definition_type": "statement"`)) {
				t.Errorf("statement lost: %s", o.Raw)
			}
		}
		if _, ok := o.TLP(); ok {
			t.Errorf("%s: ATT&CK has no TLP markings", o.ID)
		}
	}
}
