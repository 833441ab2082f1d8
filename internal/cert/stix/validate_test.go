package stix_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/cert/stix"
)

const indicatorJSON = `{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z"}`

func bundleOf(objects ...string) string {
	return `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[` + strings.Join(objects, ",") + `]}`
}

func TestParseBundleErrors(t *testing.T) {
	with := func(old, new string) string { return strings.Replace(indicatorJSON, old, new, 1) }
	cases := []struct {
		name   string
		input  string
		limits stix.Limits
		class  stix.Class
		index  int
		reason string
	}{
		{"TruncatedJSON", bundleOf(indicatorJSON)[:100], stix.Limits{}, stix.Malformed, -1, "ends too early"},
		{"NotJSON", "hello", stix.Limits{}, stix.Malformed, -1, "not valid JSON"},
		{"TrailingValue", bundleOf() + "{}", stix.Limits{}, stix.Malformed, -1, "more than one"},
		{"InvalidUTF8", bundleOf(with(`"pattern_type"`, "\"x_note\":\"\xff\xfe\",\"pattern_type\"")), stix.Limits{}, stix.Malformed, -1, "UTF-8"},
		{"DuplicateKey", bundleOf(with(`"pattern_type":"stix"`, `"pattern_type":"stix","pattern_type":"sigma"`)), stix.Limits{}, stix.Malformed, -1, "duplicate key"},
		{"NotABundle", `{"type":"report","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d"}`, stix.Limits{}, stix.Malformed, -1, "not a STIX bundle"},
		{"BadBundleID", `{"type":"bundle","id":"bundle--1"}`, stix.Limits{}, stix.Malformed, -1, "bundle id"},
		{"ObjectsNotList", `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":{}}`, stix.Limits{}, stix.Malformed, -1, "not a STIX bundle"},
		{"Oversize", bundleOf(indicatorJSON), stix.Limits{MaxBytes: 100}, stix.TooLarge, -1, "more than 100 bytes"},
		{"TooManyObjects", bundleOf(indicatorJSON, indicatorJSON, indicatorJSON), stix.Limits{MaxObjects: 2}, stix.TooLarge, -1, "3 objects"},
		{"ObjectNotObject", bundleOf(indicatorJSON, `42`), stix.Limits{}, stix.Invalid, 1, "not a JSON object"},
		{"WrongType", bundleOf(with(`"created":"2016-04-06T20:03:48.000Z"`, `"created":20160406`)), stix.Limits{}, stix.Invalid, 0, "created"},
		{"LabelsNotList", bundleOf(with(`"pattern_type"`, `"labels":"a","pattern_type"`)), stix.Limits{}, stix.Invalid, 0, "labels"},
		{"MissingType", bundleOf(with(`"type":"indicator",`, ``)), stix.Limits{}, stix.Invalid, 0, "type is missing"},
		{"BadID", bundleOf(with(`8e2e2d2b-17d4-4cbf`, `8e2e2d2b-17d4-0cbf`)), stix.Limits{}, stix.Invalid, 0, "RFC 4122"},
		{"IDTypeMismatch", bundleOf(with(`"id":"indicator--`, `"id":"malware--`)), stix.Limits{}, stix.Invalid, 0, "does not start with the type"},
		{"NoSpecVersion", bundleOf(with(`"spec_version":"2.1",`, ``)), stix.Limits{}, stix.Invalid, 0, "spec_version is missing"},
		{"SpecVersion20", bundleOf(with(`"spec_version":"2.1"`, `"spec_version":"2.0"`)), stix.Limits{}, stix.Invalid, 0, "not 2.1"},
		{"TimestampNoZ", bundleOf(with(`"created":"2016-04-06T20:03:48.000Z"`, `"created":"2016-04-06T20:03:48.000+01:00"`)), stix.Limits{}, stix.Invalid, 0, "created"},
		{"TimestampBadDate", bundleOf(with(`"created":"2016-04-06T20:03:48.000Z"`, `"created":"2016-02-30T20:03:48.000Z"`)), stix.Limits{}, stix.Invalid, 0, "created"},
		{"TimestampSeconds", bundleOf(with(`"modified":"2016-04-06T20:03:48.000Z"`, `"modified":"2016-04-06T20:03:48Z"`)), stix.Limits{}, stix.Invalid, 0, "millisecond"},
		{"ModifiedBeforeCreated", bundleOf(with(`"modified":"2016-04-06T20:03:48.000Z"`, `"modified":"2016-04-06T20:03:47.999Z"`)), stix.Limits{}, stix.Invalid, 0, "before created"},
		{"MissingModified", bundleOf(with(`"modified":"2016-04-06T20:03:48.000Z",`, ``)), stix.Limits{}, stix.Invalid, 0, "modified is missing"},
		{"BadCreatedByRef", bundleOf(with(`"pattern_type"`, `"created_by_ref":"malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","pattern_type"`)), stix.Limits{}, stix.Invalid, 0, "created_by_ref"},
		{"BadMarkingRef", bundleOf(with(`"pattern_type"`, `"object_marking_refs":["tlp:red"],"pattern_type"`)), stix.Limits{}, stix.Invalid, 0, "object_marking_refs"},
		{"BadCustomRef", bundleOf(`{"type":"x-acme-case","spec_version":"2.1","id":"x-acme-case--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","owner_ref":"nobody"}`), stix.Limits{}, stix.Invalid, 0, "owner_ref"},
		{"Confidence", bundleOf(with(`"pattern_type"`, `"confidence":101,"pattern_type"`)), stix.Limits{}, stix.Invalid, 0, "confidence"},
		{"BadPattern", bundleOf(with(`'198.51.100.1']`, `'198.51.100.1'`)), stix.Limits{}, stix.Invalid, 0, "pattern: stix pattern: expected"},
		{"SchemaMissingPattern", bundleOf(indicatorJSON, with(`"pattern":"[ipv4-addr:value = '198.51.100.1']",`, ``)), stix.Limits{}, stix.Invalid, 1, "schema for indicator"},
		{"SchemaRelationship", bundleOf(`{"type":"relationship","spec_version":"2.1","id":"relationship--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","source_ref":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}`), stix.Limits{}, stix.Invalid, 0, "schema for relationship"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := stix.ParseBundle(strings.NewReader(c.input), c.limits)
			if err == nil {
				t.Fatalf("accepted: %d objects", len(b.Objects))
			}
			if b != nil {
				t.Error("returned a bundle with the error")
			}
			var e *stix.Error
			if !errors.As(err, &e) {
				t.Fatalf("not a *stix.Error: %v", err)
			}
			if e.Class != c.class || e.Index != c.index || !strings.Contains(e.Reason, c.reason) {
				t.Errorf("got %v (class %v, index %d), want class %v, index %d, reason containing %q", err, e.Class, e.Index, c.class, c.index, c.reason)
			}
			want := map[stix.Class]error{stix.Malformed: stix.ErrMalformed, stix.TooLarge: stix.ErrTooLarge, stix.Invalid: stix.ErrInvalid}[c.class]
			if !errors.Is(err, want) {
				t.Errorf("errors.Is(%v) false", want)
			}
			if e.Class == stix.Invalid && e.Index >= 0 && strings.Contains(c.input, "8e2e2d2b") && e.ID == "" && c.name != "ObjectNotObject" && c.name != "MissingType" {
				t.Errorf("no object id in %v", err)
			}
		})
	}
	statuses := map[stix.Class]int{stix.Malformed: 400, stix.TooLarge: 413, stix.Invalid: 422}
	for class, status := range statuses {
		if got := (&stix.Error{Class: class}).Status(); got != status {
			t.Errorf("%v: status %d, want %d", class, got, status)
		}
	}
}

func TestParseBundleAccepts(t *testing.T) {
	cases := map[string]string{
		"Empty":        `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d"}`,
		"EmptyObjects": bundleOf(),
		"SCO":          bundleOf(`{"type":"ipv4-addr","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3"}`),
		"LeapSecond":   bundleOf(strings.Replace(indicatorJSON, `"valid_from":"2016-01-01T00:00:00Z"`, `"valid_from":"2016-12-31T23:59:60Z"`, 1)),
		"Microseconds": bundleOf(strings.ReplaceAll(indicatorJSON, `20:03:48.000Z`, `20:03:48.123456Z`)),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := stix.ParseBundle(strings.NewReader(in), stix.Limits{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Custom objects and properties come back exactly as they were sent, whitespace and key order
// included.
func TestCustomRoundTrip(t *testing.T) {
	custom := `{ "type": "x-acme-case",  "spec_version": "2.1", "id": "x-acme-case--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
	  "created": "2024-02-01T10:00:00.000Z", "modified": "2024-02-02T10:00:00.000Z",
	  "zeta": [1, 2.50, {"nested": "\u00e9t\u00e9"}], "alpha": null, "x_acme_note": "<b>&</b>" }`
	withProp := strings.Replace(indicatorJSON, `"pattern_type"`, `"x_acme_score":  7.10, "x_acme_tags": ["a","b"],"pattern_type"`, 1)
	in := bundleOf(custom, withProp)
	b, err := stix.ParseBundle(strings.NewReader(in), stix.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if string(b.Objects[0].Raw) != custom || string(b.Objects[1].Raw) != withProp {
		t.Errorf("objects changed:\n%s\n%s", b.Objects[0].Raw, b.Objects[1].Raw)
	}
	out, err := b.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != in {
		t.Errorf("bundle changed:\n%s\nwant\n%s", out, in)
	}
	if k := b.Objects[0].VersionKey(); k != "x-acme-case--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061@2024-02-02T10:00:00.000Z" {
		t.Errorf("version key %s", k)
	}
	if stix.KindOf("x-acme-case") != stix.KindCustom || stix.KindOf("indicator") != stix.KindSDO || stix.KindOf("url") != stix.KindSCO {
		t.Error("KindOf")
	}
}

func TestVersionKeyMarkingDefinition(t *testing.T) {
	data := readShared(t, "tlp2/marking-definitions.json")
	b, err := stix.ParseBundle(bytes.NewReader([]byte(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":`+string(data)+`}`)), stix.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if k := b.Objects[0].VersionKey(); k != stix.TLP2Clear+"@2022-10-01T00:00:00.000Z" {
		t.Errorf("version key %s", k)
	}
}
