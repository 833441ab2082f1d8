// Package stix reads, checks and writes STIX 2.1 content for the CERT module: bundles and their
// objects (kept byte-for-byte as they came, custom objects and properties included), TLP markings,
// the patterning language of indicators, and builders for the objects the platform exports.
//
// It is a pure library: no database, no HTTP. The TAXII layer maps its errors to status codes
// (see Class).
package stix

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Object is one STIX object: its exact JSON as received (Raw) and the common properties parsed from
// it. Serving Raw back keeps unknown properties, custom x- objects and custom properties intact.
type Object struct {
	Raw json.RawMessage `json:"-"`

	Type               string                     `json:"type"`
	SpecVersion        string                     `json:"spec_version,omitempty"`
	ID                 string                     `json:"id"`
	Created            string                     `json:"created,omitempty"`
	Modified           string                     `json:"modified,omitempty"`
	CreatedByRef       string                     `json:"created_by_ref,omitempty"`
	Revoked            bool                       `json:"revoked,omitempty"`
	Labels             []string                   `json:"labels,omitempty"`
	Confidence         *int                       `json:"confidence,omitempty"`
	Lang               string                     `json:"lang,omitempty"`
	ExternalReferences []ExternalReference        `json:"external_references,omitempty"`
	ObjectMarkingRefs  []string                   `json:"object_marking_refs,omitempty"`
	GranularMarkings   []GranularMarking          `json:"granular_markings,omitempty"`
	Extensions         map[string]json.RawMessage `json:"extensions,omitempty"`

	// Read by ParseObject for the object store's search index and
	// correlation, so that nothing decodes the object again.
	Name        string `json:"-"` // name, when a string
	Description string `json:"-"` // description, when a string
	// Terms are the values the object is about: the equality terms of an
	// indicator's STIX pattern, or an SCO's own value and hashes.
	Terms []Term `json:"-"`
}

// ExternalReference is a pointer to non-STIX information.
type ExternalReference struct {
	SourceName  string            `json:"source_name"`
	Description string            `json:"description,omitempty"`
	URL         string            `json:"url,omitempty"`
	Hashes      map[string]string `json:"hashes,omitempty"`
	ExternalID  string            `json:"external_id,omitempty"`
}

// GranularMarking applies a marking (or a language) to some properties of an object.
type GranularMarking struct {
	Lang       string   `json:"lang,omitempty"`
	MarkingRef string   `json:"marking_ref,omitempty"`
	Selectors  []string `json:"selectors"`
}

// MarshalJSON writes the object exactly as it was received or built.
func (o *Object) MarshalJSON() ([]byte, error) {
	if len(o.Raw) == 0 {
		return nil, fmt.Errorf("stix: object %s has no content", o.ID)
	}
	return o.Raw, nil
}

// VersionKey identifies one version of an object: its id and its modified time, or its created time
// for objects that are never modified (marking definitions). SCOs have neither; their key is the id.
func (o *Object) VersionKey() string {
	return o.ID + "@" + o.Version()
}

// Version is the timestamp that tells versions of the object apart ("" for objects without one).
func (o *Object) Version() string {
	if o.Modified != "" {
		return o.Modified
	}
	return o.Created
}

// VersionTime is Version parsed (the zero time when the object has no version timestamp).
func (o *Object) VersionTime() time.Time {
	t, _ := ParseTimestamp(o.Version())
	return t
}

// Kind sorts STIX types into the families the specification treats differently.
type Kind int

// The families of STIX types.
const (
	KindCustom Kind = iota // x- types and any type this package does not know
	KindSDO
	KindSRO
	KindSCO
	KindMeta // marking-definition, language-content, extension-definition
)

var kinds = map[string]Kind{}

func init() {
	for _, t := range strings.Fields(`attack-pattern campaign course-of-action grouping identity incident
		indicator infrastructure intrusion-set location malware malware-analysis note observed-data
		opinion report threat-actor tool vulnerability`) {
		kinds[t] = KindSDO
	}
	kinds["relationship"], kinds["sighting"] = KindSRO, KindSRO
	for _, t := range strings.Fields(`artifact autonomous-system directory domain-name email-addr
		email-message file ipv4-addr ipv6-addr mac-addr mutex network-traffic process software url
		user-account windows-registry-key x509-certificate`) {
		kinds[t] = KindSCO
	}
	for _, t := range []string{"marking-definition", "language-content", "extension-definition"} {
		kinds[t] = KindMeta
	}
}

// KindOf tells the family of a STIX type.
func KindOf(typ string) Kind { return kinds[typ] }

// The checks of identifiers, type names and timestamps run several times
// per object; they are hand-written matchers, each equal to a regular
// expression kept in the tests (TestObjectMatchersAgree):
//
//	type name   ^[a-z][a-z0-9]*(-[a-z0-9]+)*-?$           matchTypeName
//	UUID        ^[0-9a-fA-F]{8}-…-[0-9a-fA-F]{12}$ (RFC 4122) isUUID
//	timestamp   ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$  timestampShape
//	millis      \.[0-9]{3,}Z$                               hasMillis

// ValidType reports whether s is a well-formed STIX type name (3 to 250 characters).
func ValidType(s string) bool {
	return len(s) >= 3 && len(s) <= 250 && matchTypeName(s)
}

// timestampShape: YYYY-MM-DDTHH:MM:SS(.f+)?Z, digits only, ranges not checked.
func timestampShape(s string) bool {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[len(s)-1] != 'Z' {
		return false
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if !digit(s[i]) {
			return false
		}
	}
	rest := s[19 : len(s)-1]
	if rest == "" {
		return true
	}
	return len(rest) >= 2 && rest[0] == '.' && allDigits(rest[1:])
}

// hasMillis: the string ends with a dot, three or more digits and Z.
func hasMillis(s string) bool {
	if len(s) < 5 || s[len(s)-1] != 'Z' {
		return false
	}
	j := len(s) - 1
	for j > 0 && digit(s[j-1]) {
		j--
	}
	return len(s)-1-j >= 3 && j > 0 && s[j-1] == '.'
}

// SplitID splits an identifier "type--uuid" into its parts, and reports whether it is well formed:
// a valid type and an RFC 4122 UUID (variant 10, versions 1 to 5, as the STIX schemas require).
func SplitID(id string) (typ, uuid string, ok bool) {
	i := strings.LastIndex(id, "--")
	if i < 0 {
		return "", "", false
	}
	typ, uuid = id[:i], id[i+2:]
	return typ, uuid, ValidType(typ) && isUUID(uuid)
}

// ValidID reports whether id is a well-formed STIX identifier.
func ValidID(id string) bool {
	_, _, ok := SplitID(id)
	return ok
}

// ParseTimestamp parses a STIX timestamp: RFC 3339, in UTC written "Z", any fraction of a second.
func ParseTimestamp(s string) (time.Time, error) {
	if !timestampShape(s) {
		return time.Time{}, fmt.Errorf("timestamp %q is not RFC 3339 in UTC (Z)", s)
	}
	// A leap second (:60) is allowed by STIX; Go's parser refuses it, so read it as :59.
	if s[17:19] == "60" {
		s = s[:17] + "59" + s[19:]
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q is not a valid date and time", s)
	}
	return t, nil
}

// FormatTimestamp writes t as STIX created/modified need it: UTC, millisecond precision.
func FormatTimestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
