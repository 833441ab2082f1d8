package stix_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/cert/stix"
)

// Everything the builders make is a valid bundle: ParseBundle (which checks the OASIS schemas)
// takes it back unchanged.
func TestBuildersExportValidBundle(t *testing.T) {
	now := time.Date(2026, 11, 27, 8, 30, 15, 123456789, time.UTC)
	team, err := stix.NewIdentity(stix.Common{Created: now, TLP: stix.TLPClear}, "CERT Kenya", "organization", []string{"government"})
	if err != nil {
		t.Fatal(err)
	}
	c := stix.Common{Created: now, CreatedByRef: team.ID, TLP: stix.TLPAmberStrict}
	ind, err := stix.NewIndicator(c, stix.Indicator{
		Name: "C2 server", Pattern: `[ipv4-addr:value='198.51.100.1']  OR [domain-name:value = 'evil.example']`,
		ValidFrom: now, ValidUntil: now.Add(24 * time.Hour), Types: []string{"malicious-activity"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ip, err := stix.NewObservable("ipv4-addr", "198.51.100.1")
	if err != nil {
		t.Fatal(err)
	}
	od, err := stix.NewObservedData(c, now.Add(-time.Hour), now, 3, []string{ip.ID})
	if err != nil {
		t.Fatal(err)
	}
	crit := 80
	inc, err := stix.NewIncident(c, "Phishing wave", "Spear-phishing against ministries", &stix.IncidentCore{
		Determination: "confirmed", InvestigationStatus: "open", Criticality: &crit, IncidentTypes: []string{"phishing"},
	})
	if err != nil {
		t.Fatal(err)
	}
	rel, err := stix.NewRelationship(c, "indicates", ind.ID, inc.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	b := stix.NewBundle(team, ind, ip, od, inc, rel)
	out, err := b.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := stix.ParseBundle(bytes.NewReader(out), stix.Limits{})
	if err != nil {
		t.Fatalf("exported bundle refused: %v\n%s", err, out)
	}
	if back.ID != b.ID || len(back.Objects) != 6 {
		t.Fatalf("bundle %s with %d objects", back.ID, len(back.Objects))
	}
	for i, o := range back.Objects {
		if !bytes.Equal(o.Raw, b.Objects[i].Raw) {
			t.Errorf("object %d changed", i)
		}
		if !stix.HasSchema(o.Type) {
			t.Errorf("%s not checked against a schema", o.Type)
		}
	}
	if ind.Created != "2026-11-27T08:30:15.123Z" || ind.Modified != ind.Created {
		t.Errorf("timestamps %s %s", ind.Created, ind.Modified)
	}
	if tlp, _ := ind.TLP(); tlp != stix.TLPAmberStrict {
		t.Errorf("indicator TLP %s", tlp)
	}
	var fields map[string]any
	if err := json.Unmarshal(ind.Raw, &fields); err != nil {
		t.Fatal(err)
	}
	if fields["pattern"] != `[ipv4-addr:value = '198.51.100.1'] OR [domain-name:value = 'evil.example']` || fields["pattern_type"] != "stix" || fields["valid_from"] != "2026-11-27T08:30:15.123Z" {
		t.Errorf("indicator %s", ind.Raw)
	}
	// The SCO id is the one the specification's algorithm gives: UUIDv5 in the STIX namespace over
	// {"value":"198.51.100.1"} (computed independently with Python's uuid.uuid5).
	if ip.ID != "ipv4-addr--2b3e2c17-3144-5591-9c88-a605220f8c0c" {
		t.Errorf("ipv4-addr id %s", ip.ID)
	}
	if !bytes.Contains(inc.Raw, []byte(`"`+stix.IncidentCoreExtension+`":{"criticality":80,"determination":"confirmed","extension_type":"property-extension","incident_types":["phishing"],"investigation_status":"open"}`)) {
		t.Errorf("incident %s", inc.Raw)
	}
	if !strings.HasPrefix(b.ID, "bundle--") || stix.NewBundle().ID == b.ID {
		t.Error("bundle ids")
	}
}

func TestBuildersRefuse(t *testing.T) {
	now := time.Date(2026, 11, 27, 8, 30, 0, 0, time.UTC)
	if _, err := stix.NewIndicator(stix.Common{Created: now}, stix.Indicator{Pattern: "[a:b = ", ValidFrom: now}); !errors.As(err, new(*stix.PatternError)) {
		t.Errorf("bad pattern: %v", err)
	}
	if _, err := stix.NewIdentity(stix.Common{}, "x", "", nil); err == nil {
		t.Error("no created time accepted")
	}
	if _, err := stix.NewIdentity(stix.Common{Created: now, TLP: "white"}, "x", "", nil); err == nil {
		t.Error("TLP white accepted")
	}
	if _, err := stix.NewRelationship(stix.Common{Created: now}, "indicates", "not-an-id", "incident--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061", ""); !errors.Is(err, stix.ErrInvalid) {
		t.Errorf("bad source_ref: %v", err)
	}
	if _, err := stix.NewObservable("file", "x"); err == nil {
		t.Error("file observable accepted")
	}
	if _, err := stix.NewIndicator(stix.Common{Created: now}, stix.Indicator{Pattern: "[a:b = 1]", ValidFrom: now, ValidUntil: now}); err == nil {
		t.Error("valid_until = valid_from accepted")
	}
}

func TestSortAndMarkingRefs(t *testing.T) {
	if got := stix.MarkingRefs(stix.TLPRed, "marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168"); len(got) != 2 || got[0] != stix.TLP2Red {
		t.Errorf("MarkingRefs %v", got)
	}
	if got := stix.MarkingRefs(""); got != nil {
		t.Errorf("no TLP: %v", got)
	}
	objs := []*stix.Object{{Type: "b", ID: "b--2"}, {Type: "a", ID: "a--2", Modified: "2"}, {Type: "a", ID: "a--2", Modified: "1"}, {Type: "a", ID: "a--1"}}
	stix.Sort(objs)
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.VersionKey())
	}
	if strings.Join(keys, " ") != "a--1@ a--2@1 a--2@2 b--2@" {
		t.Errorf("sorted %v", keys)
	}
}

func FuzzParseBundle(f *testing.F) {
	f.Add([]byte(bundleOf(indicatorJSON)))
	f.Add([]byte(bundleOf(`{"type":"x-acme-case","spec_version":"2.1","id":"x-acme-case--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","a_ref":"identity--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061"}`)))
	f.Add([]byte(bundleOf(`{"type":"ipv4-addr","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3"}`)))
	f.Add([]byte(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{"a":[{"b":{}}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := stix.ParseBundle(bytes.NewReader(data), stix.Limits{MaxBytes: 1 << 16, MaxObjects: 50})
		if err != nil {
			var e *stix.Error
			if !errors.As(err, &e) || e.Class < stix.Malformed || e.Class > stix.Invalid {
				t.Fatalf("error is not a *stix.Error: %v", err)
			}
			return
		}
		out, err := b.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		again, err := stix.ParseBundle(bytes.NewReader(out), stix.Limits{MaxBytes: 1 << 17, MaxObjects: 50})
		if err != nil {
			t.Fatalf("re-serialised bundle refused: %v", err)
		}
		for i, o := range again.Objects {
			if !bytes.Equal(o.Raw, b.Objects[i].Raw) {
				t.Fatalf("object %d changed", i)
			}
		}
	})
}
