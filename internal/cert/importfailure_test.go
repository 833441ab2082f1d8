package cert_test

import (
	"encoding/json"
	"testing"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/locales"
)

// TestImportFailureJSON: the TAXII JSON of a failure has id, version and
// message only; StoredFailures keeps the key, arguments and detail, and
// reads lists written before failures had keys.
func TestImportFailureJSON(t *testing.T) {
	f := cert.ImportFailure{ID: "indicator--1", Version: "2024-01-01T00:00:00.000Z", Message: "marked TLP:RED, above TLP:GREEN, the most this collection accepts",
		Key: "cert.taxii.import.above_ceiling", Args: map[string]string{"tlp": "TLP:RED", "ceiling": "TLP:GREEN"}, Detail: "x"}
	taxii, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	json.Unmarshal(taxii, &fields)
	if len(fields) != 3 || fields["id"] == nil || fields["version"] == nil || fields["message"] != f.Message {
		t.Errorf("TAXII JSON %s", taxii)
	}
	stored, err := json.Marshal(cert.StoredFailures{f})
	if err != nil {
		t.Fatal(err)
	}
	var back cert.StoredFailures
	if err := json.Unmarshal(stored, &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != 1 || back[0].Key != f.Key || back[0].Args["tlp"] != "TLP:RED" || back[0].Args["ceiling"] != "TLP:GREEN" || back[0].Detail != "x" ||
		back[0].Message != f.Message || back[0].ID != f.ID || back[0].Version != f.Version {
		t.Errorf("stored %s read back as %+v", stored, back)
	}
	if empty, _ := json.Marshal(cert.StoredFailures(nil)); string(empty) != "[]" {
		t.Errorf("no failures stored as %s", empty)
	}
	var old cert.StoredFailures
	if err := json.Unmarshal([]byte(`[{"id":"indicator--2","message":"already in the collection"}]`), &old); err != nil || len(old) != 1 ||
		old[0].Key != "" || old[0].Message != "already in the collection" {
		t.Errorf("an old list: %+v %v", old, err)
	}
}

// TestImportFailureSentence: a failure with a key is said in the printer's
// language with its arguments; one without (stored before keys) has no
// sentence, so pages show its English message.
func TestImportFailureSentence(t *testing.T) {
	cat := i18n.MustLoad(locales.FS)
	f := cert.ImportFailure{Message: "marked TLP:RED, above TLP:GREEN, the most this collection accepts", Key: "cert.taxii.import.above_ceiling",
		Args: map[string]string{"tlp": "TLP:RED", "ceiling": "TLP:GREEN"}}
	if got, want := f.Sentence(cat.Printer("fr")), "Marqué TLP:RED, au-dessus de TLP:GREEN, le maximum que cette collection accepte ; non enregistré."; got != want {
		t.Errorf("French: %q, want %q", got, want)
	}
	if got := (cert.ImportFailure{Message: "no modified"}).Sentence(cat.Printer("fr")); got != "" {
		t.Errorf("a failure without key: %q", got)
	}
}
