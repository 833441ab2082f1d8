package stix_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/cert/stix"
)

// sharedData is the standards data folder next to the repository (CI has the same layout).
const sharedData = "../../../../shared/data"

func readShared(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sharedData, rel))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s not present", rel)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseATTACKICS(t *testing.T) {
	data := readShared(t, "attack/ics-attack-18.1.json")
	b, err := stix.ParseBundle(bytes.NewReader(data), stix.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != "bundle--e4f0febd-b8cf-4272-b892-71049d272c40" {
		t.Errorf("bundle id %s", b.ID)
	}
	// Expected from the file itself, read independently of the package.
	var want struct {
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if len(b.Objects) != 1826 || len(want.Objects) != 1826 {
		t.Fatalf("%d objects, want 1826", len(b.Objects))
	}
	types := map[string]int{}
	for i, o := range b.Objects {
		if !bytes.Equal(o.Raw, want.Objects[i]) {
			t.Fatalf("object %d (%s) bytes changed", i, o.ID)
		}
		types[o.Type]++
	}
	for typ, n := range map[string]int{"relationship": 1373, "attack-pattern": 95, "course-of-action": 52,
		"malware": 30, "intrusion-set": 16, "campaign": 8, "identity": 1, "marking-definition": 1,
		"x-mitre-tactic": 12, "x-mitre-collection": 1, "x-mitre-matrix": 1, "x-mitre-asset": 18} {
		if types[typ] != n {
			t.Errorf("%d %s objects, want %d", types[typ], typ, n)
		}
	}
	out, err := b.MarshalJSON() // json.Marshal would compact the objects; MarshalJSON keeps them
	if err != nil {
		t.Fatal(err)
	}
	again, err := stix.ParseBundle(bytes.NewReader(out), stix.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range again.Objects {
		if !bytes.Equal(o.Raw, want.Objects[i]) {
			t.Fatalf("object %d changed after re-serialising", i)
		}
	}
	if !strings.Contains(string(out), `"x_mitre_version"`) {
		t.Error("custom properties lost")
	}
}

// The previous ATT&CK ICS release parses too (same object count, other content).
func TestParseATTACKICS180(t *testing.T) {
	data := readShared(t, "attack/ics-attack-18.0.json")
	b, err := stix.ParseBundle(bytes.NewReader(data), stix.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Objects) != 1826 {
		t.Errorf("%d objects, want 1826", len(b.Objects))
	}
}

func BenchmarkParseATTACK(b *testing.B) {
	data := readShared(b, "attack/ics-attack-18.1.json")
	b.SetBytes(int64(len(data)))
	n := 0
	for b.Loop() {
		bundle, err := stix.ParseBundle(bytes.NewReader(data), stix.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		n += len(bundle.Objects)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "objects/s")
}
