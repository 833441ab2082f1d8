package stix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
)

// Builders for the objects the platform exports. Each returns an *Object that has passed
// ParseObject, so what is exported validates against the STIX 2.1 schemas.
//
// Identifiers are random UUIDv4, as STIX recommends for SDOs and SROs (the schemas accept versions
// 1 to 5 only, so the platform's UUIDv7 ids are not used for them); SCOs get the deterministic
// UUIDv5 the specification defines.

// IncidentCoreExtension is the extension-definition of the OASIS Incident Core extension
// (cti-stix-common-objects, extension-definition-specifications/incident-core).
const IncidentCoreExtension = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"

// scoNamespace is the UUIDv5 namespace the STIX 2.1 specification fixes for SCO ids.
var scoNamespace = uuid.MustParse("00abedb4-aa42-466c-9c01-fed23315a9b7")

// Common holds the properties every exported SDO and SRO may carry.
type Common struct {
	ID           string    // "" for a new random id
	Created      time.Time // from the injected clock
	Modified     time.Time // zero: same as Created
	CreatedByRef string
	TLP          TLP      // "" for none; added to ObjectMarkingRefs as its TLP 2.0 marking
	MarkingRefs  []string // other markings (statements), kept as given
	Labels       []string
	Confidence   *int
	Lang         string
	External     []ExternalReference
}

func (c Common) fill(typ string, m map[string]any) error {
	id := c.ID
	if id == "" {
		id = typ + "--" + uuid.New().String()
	}
	if c.Created.IsZero() {
		return fmt.Errorf("stix: %s needs a created time", typ)
	}
	modified := c.Modified
	if modified.IsZero() {
		modified = c.Created
	}
	m["type"], m["spec_version"], m["id"] = typ, "2.1", id
	m["created"], m["modified"] = FormatTimestamp(c.Created), FormatTimestamp(modified)
	if c.CreatedByRef != "" {
		m["created_by_ref"] = c.CreatedByRef
	}
	markings := MarkingRefs(c.TLP, c.MarkingRefs...)
	if c.TLP != "" && !c.TLP.Valid() {
		return fmt.Errorf("stix: %q is not a TLP 2.0 level", c.TLP)
	}
	if len(markings) > 0 {
		m["object_marking_refs"] = markings
	}
	if len(c.Labels) > 0 {
		m["labels"] = c.Labels
	}
	if c.Confidence != nil {
		m["confidence"] = *c.Confidence
	}
	if c.Lang != "" {
		m["lang"] = c.Lang
	}
	if len(c.External) > 0 {
		m["external_references"] = c.External
	}
	return nil
}

// MarkingRefs gives object_marking_refs for a TLP level (none if tlp is "") followed by others.
func MarkingRefs(tlp TLP, others ...string) []string {
	var refs []string
	if id := tlp.Marking(); id != "" {
		refs = append(refs, id)
	}
	for _, o := range others {
		if o != "" && (len(refs) == 0 || refs[0] != o) {
			refs = append(refs, o)
		}
	}
	return refs
}

// build writes m as JSON (keys sorted, HTML characters unescaped) and checks it.
func build(m map[string]any) (*Object, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return ParseObject(bytes.TrimRight(buf.Bytes(), "\n"))
}

// NewIdentity makes an identity (an organisation or team: identityClass "organization", "group", …).
func NewIdentity(c Common, name, identityClass string, sectors []string) (*Object, error) {
	m := map[string]any{"name": name}
	if identityClass != "" {
		m["identity_class"] = identityClass
	}
	if len(sectors) > 0 {
		m["sectors"] = sectors
	}
	if err := c.fill("identity", m); err != nil {
		return nil, err
	}
	return build(m)
}

// Indicator is what NewIndicator needs beyond the common properties.
type Indicator struct {
	Name        string
	Description string
	Pattern     string // STIX pattern; checked with ParsePattern and stored in canonical form
	ValidFrom   time.Time
	ValidUntil  time.Time // zero: open-ended
	Types       []string  // indicator_type_ov, e.g. "malicious-activity"
}

// NewIndicator makes an indicator with a STIX pattern.
func NewIndicator(c Common, in Indicator) (*Object, error) {
	p, err := ParsePattern(in.Pattern)
	if err != nil {
		return nil, err
	}
	if in.ValidFrom.IsZero() {
		return nil, fmt.Errorf("stix: indicator needs valid_from")
	}
	m := map[string]any{
		"pattern":      p.String(),
		"pattern_type": "stix",
		"valid_from":   FormatTimestamp(in.ValidFrom),
	}
	if in.Name != "" {
		m["name"] = in.Name
	}
	if in.Description != "" {
		m["description"] = in.Description
	}
	if !in.ValidUntil.IsZero() {
		if !in.ValidUntil.After(in.ValidFrom) {
			return nil, fmt.Errorf("stix: valid_until must be later than valid_from")
		}
		m["valid_until"] = FormatTimestamp(in.ValidUntil)
	}
	if len(in.Types) > 0 {
		m["indicator_types"] = in.Types
	}
	if err := c.fill("indicator", m); err != nil {
		return nil, err
	}
	return build(m)
}

// NewObservable makes an SCO whose only identifying property is value (ipv4-addr, ipv6-addr,
// domain-name, url, email-addr, mac-addr), with the deterministic id the specification defines, so
// the same value exported twice gets the same id.
func NewObservable(typ, value string) (*Object, error) {
	switch typ {
	case "ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "mac-addr":
	default:
		return nil, fmt.Errorf("stix: NewObservable does not make %s objects", typ)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the id is computed on the JCS (RFC 8785) form, which does not escape <>&
	if err := enc.Encode(map[string]string{"value": value}); err != nil {
		return nil, err
	}
	id := typ + "--" + uuid.NewSHA1(scoNamespace, bytes.TrimRight(buf.Bytes(), "\n")).String()
	return build(map[string]any{"type": typ, "spec_version": "2.1", "id": id, "value": value})
}

// NewObservedData makes observed-data over SCOs (objectRefs), seen count times between first and last.
func NewObservedData(c Common, first, last time.Time, count int, objectRefs []string) (*Object, error) {
	m := map[string]any{
		"first_observed":  FormatTimestamp(first),
		"last_observed":   FormatTimestamp(last),
		"number_observed": count,
		"object_refs":     objectRefs,
	}
	if err := c.fill("observed-data", m); err != nil {
		return nil, err
	}
	return build(m)
}

// NewRelationship makes a relationship of relType ("indicates", "related-to", …) from source to target.
func NewRelationship(c Common, relType, source, target, description string) (*Object, error) {
	m := map[string]any{"relationship_type": relType, "source_ref": source, "target_ref": target}
	if description != "" {
		m["description"] = description
	}
	if err := c.fill("relationship", m); err != nil {
		return nil, err
	}
	return build(m)
}

// IncidentCore holds properties of the Incident Core extension. Empty fields are left out.
type IncidentCore struct {
	Determination       string   // "confirmed", "suspected", "false-positive", …
	InvestigationStatus string   // "new", "open", "closed"
	Criticality         *int     // 0 to 100
	IncidentTypes       []string // incident-type-ov
}

// NewIncident makes an incident; core, when given, is written as the Incident Core extension.
func NewIncident(c Common, name, description string, core *IncidentCore) (*Object, error) {
	m := map[string]any{"name": name}
	if description != "" {
		m["description"] = description
	}
	if core != nil {
		ext := map[string]any{"extension_type": "property-extension"}
		if core.Determination != "" {
			ext["determination"] = core.Determination
		}
		if core.InvestigationStatus != "" {
			ext["investigation_status"] = core.InvestigationStatus
		}
		if core.Criticality != nil {
			ext["criticality"] = *core.Criticality
		}
		if len(core.IncidentTypes) > 0 {
			ext["incident_types"] = core.IncidentTypes
		}
		m["extensions"] = map[string]any{IncidentCoreExtension: ext}
	}
	if err := c.fill("incident", m); err != nil {
		return nil, err
	}
	return build(m)
}

// NewBundle makes a bundle with a new id around objects, in the order given.
func NewBundle(objects ...*Object) *Bundle {
	return &Bundle{ID: "bundle--" + uuid.New().String(), Objects: objects}
}

// Sort orders objects by type, then id, then version: a stable order for exports.
func Sort(objects []*Object) {
	sort.SliceStable(objects, func(i, j int) bool {
		a, b := objects[i], objects[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Version() < b.Version()
	})
}
