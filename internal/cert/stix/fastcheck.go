package stix

import (
	"encoding/json"
	"math/big"
	"strings"
)

// Hand-written checks for the types that arrive in bulk, each a
// sufficient condition for its OASIS schema: when one says an object is
// valid, the schema says so too, and validateSchema is skipped. When it is
// not sure — a refusal, or a rare shape it does not follow (extensions,
// granular markings, hashes in external references, _bin and _hex
// properties) — the schema decides, and its reason is the one reported.
// So a hand check can only make the import faster, never accept more;
// TestFastChecksAgree runs both over the ATT&CK bundles, the OASIS
// examples and thousands of mutated objects and proves they also agree on
// what the hand checks refuse.

// propCheck checks one property's value.
type propCheck func(v any) bool

// fastChecks are the hand checks by type.
var fastChecks = map[string]func(map[string]any) bool{}

func init() {
	kcp := listOf(killChainPhase, 1)
	strs1 := listOf(isString, 1)
	sdo := func(typ string, props map[string]propCheck, required ...string) {
		props["description"] = isString // every SDO and SRO schema here has it
		fastChecks[typ] = func(doc map[string]any) bool { return coreValid(doc, typ, props) && has(doc, required...) }
	}
	sdo("attack-pattern", map[string]propCheck{"aliases": listOf(isString, 0), "name": isString, "kill_chain_phases": kcp}, "name")
	sdo("course-of-action", map[string]propCheck{"name": isString}, "name")
	sdo("identity", map[string]propCheck{"roles": strs1, "name": isString, "identity_class": isString, "sectors": strs1,
		"contact_information": isString}, "name")
	sdo("indicator", map[string]propCheck{"indicator_types": strs1, "name": isString, "pattern": isString, "pattern_type": isString,
		"pattern_version": isString, "valid_from": isTimestamp, "valid_until": isTimestamp, "kill_chain_phases": kcp},
		"pattern", "pattern_type", "valid_from")
	sdo("intrusion-set", map[string]propCheck{"name": isString, "aliases": strs1, "first_seen": isTimestamp, "last_seen": isTimestamp,
		"goals": strs1, "resource_level": isString, "primary_motivation": isString, "secondary_motivations": strs1}, "name")
	malware := map[string]propCheck{"aliases": strs1, "first_seen": isTimestamp, "last_seen": isTimestamp,
		"operating_system_refs": listOf(refTo1("software"), 1), "architecture_execution_envs": strs1, "implementation_languages": strs1,
		"capabilities": strs1, "sample_refs": strs1, "malware_types": strs1, "name": isString, "kill_chain_phases": kcp, "description": isString}
	fastChecks["malware"] = func(doc map[string]any) bool {
		// required is_family; oneOf [is_family false] [is_family true, name required]
		fam, ok := doc["is_family"].(bool)
		return ok && (!fam || has(doc, "name")) && coreValid(doc, "malware", malware)
	}
	sdo("tool", map[string]propCheck{"aliases": strs1, "tool_types": strs1, "name": isString, "tool_version": isString,
		"kill_chain_phases": kcp}, "name")
	notEmbedded := func(v any) bool { s, ok := v.(string); return ok && matchIdentifier(s) && !matchNonObjectRef(s) }
	sdo("relationship", map[string]propCheck{"relationship_type": relationshipType, "source_ref": notEmbedded, "target_ref": notEmbedded,
		"start_time": isTimestamp, "stop_time": isTimestamp}, "relationship_type", "source_ref", "target_ref")

	fastChecks["marking-definition"] = statementMarking
	fastChecks["ipv4-addr"] = func(doc map[string]any) bool {
		return scoValid(doc, "ipv4-addr", map[string]propCheck{"value": ipv4CIDR, "resolves_to_refs": strs1, "belongs_to_refs": strs1}) && has(doc, "value")
	}
	fastChecks["domain-name"] = func(doc map[string]any) bool {
		return scoValid(doc, "domain-name", map[string]propCheck{"value": isString, "resolves_to_refs": strs1}) && has(doc, "value")
	}
	file := map[string]propCheck{"hashes": hashes, "size": func(v any) bool { return integerIn(v, 0, 1<<62) }, "name": isString,
		"mime_type": isString, "ctime": isTimestamp, "mtime": isTimestamp, "atime": isTimestamp, "parent_directory_ref": isString,
		"contains_refs": strs1, "content_ref": isString, "name_enc": func(any) bool { return false }}
	fastChecks["file"] = func(doc map[string]any) bool {
		return (has(doc, "hashes") || has(doc, "name")) && scoValid(doc, "file", file)
	}
	fastChecks["url"] = func(doc map[string]any) bool {
		return scoValid(doc, "url", map[string]propCheck{"value": isString}) && has(doc, "value")
	}
}

// fastValid reports whether the hand check of the type says the object is
// valid (false: no hand check, or the schema must decide).
func fastValid(typ string, doc map[string]any) bool {
	f := fastChecks[typ]
	return f != nil && f(doc)
}

func has(doc map[string]any, names ...string) bool {
	for _, n := range names {
		if _, ok := doc[n]; !ok {
			return false
		}
	}
	return true
}

// coreValid is core.json (with properties.json) plus the type's own
// properties, for SDOs and SROs.
func coreValid(doc map[string]any, typ string, props map[string]propCheck) bool {
	if !has(doc, "type", "spec_version", "id", "created", "modified") {
		return false
	}
	for k, v := range doc {
		if !commonProperty(k, v, typ, props) {
			return false
		}
		switch k {
		case "created_by_ref":
			if !isIdentifier(v) {
				return false
			}
		case "labels":
			if !listOf(isString, 1)(v) {
				return false
			}
		case "created", "modified":
			if s, ok := v.(string); !ok || !matchTimestamp(s) || !matchMillis(s) {
				return false
			}
		case "revoked":
			if _, ok := v.(bool); !ok {
				return false
			}
		case "confidence":
			if !integerIn(v, 0, 100) {
				return false
			}
		case "lang":
			if !isString(v) {
				return false
			}
		case "external_references":
			if !listOf(externalReference, 1)(v) {
				return false
			}
		}
	}
	return true
}

// scoValid is cyber-observable-core.json (with properties.json) plus the
// type's own properties.
func scoValid(doc map[string]any, typ string, props map[string]propCheck) bool {
	if !has(doc, "type", "id") {
		return false
	}
	for k, v := range doc {
		if !commonProperty(k, v, typ, props) {
			return false
		}
		if k == "defanged" {
			if _, ok := v.(bool); !ok {
				return false
			}
		}
	}
	return true
}

// commonProperty checks one property as both cores do: its name and value
// (properties.json), the type's own check, type, spec_version, id and
// object_marking_refs; the rare or refused properties are left to the
// schema.
func commonProperty(k string, v any, typ string, props map[string]propCheck) bool {
	if !customProperty(k, v) {
		return false
	}
	if check, ok := props[k]; ok && !check(v) {
		return false
	}
	switch k {
	case "type":
		return v == typ
	case "spec_version":
		return v == "2.1" || v == "2.0"
	case "id":
		s, ok := v.(string)
		return ok && matchIdentifier(s) && strings.HasPrefix(s, typ+"--")
	case "object_marking_refs":
		return listOf(isIdentifier, 1)(v)
	case "granular_markings", "extensions", "severity", "action", "username", "phone_numbers":
		return false // rare, or refused: the schema decides
	}
	return true
}

// customProperty is properties.json: every property name matches
// ^([a-z][a-z0-9_]{2,249})|id$ and its value is not null nor an empty list.
// Names that end in _bin or _hex have their own patterns: the schema
// decides those.
func customProperty(k string, v any) bool {
	if strings.HasSuffix(k, "_bin") || strings.HasSuffix(k, "_hex") || !matchPropertyName(k) {
		return false
	}
	switch v := v.(type) {
	case nil:
		return false
	case []any:
		return len(v) > 0
	}
	return true
}

func isString(v any) bool { _, ok := v.(string); return ok }

func isIdentifier(v any) bool { s, ok := v.(string); return ok && matchIdentifier(s) }

func isTimestamp(v any) bool { s, ok := v.(string); return ok && matchTimestamp(s) }

func refTo1(typ string) propCheck {
	return func(v any) bool {
		s, ok := v.(string)
		return ok && matchIdentifier(s) && strings.HasPrefix(s, typ+"--")
	}
}

func listOf(item propCheck, minItems int) propCheck {
	return func(v any) bool {
		l, ok := v.([]any)
		if !ok || len(l) < minItems {
			return false
		}
		for _, e := range l {
			if !item(e) {
				return false
			}
		}
		return true
	}
}

// integerIn: an integer (as jsonschema tells integers: a number whose value
// is whole, 1.0 included) between lo and hi.
func integerIn(v any, lo, hi int64) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	r, ok := new(big.Rat).SetString(string(n))
	return ok && r.IsInt() && r.Num().IsInt64() && r.Num().Int64() >= lo && r.Num().Int64() <= hi
}

// relationshipType: ^[a-z0-9\-]+$.
func relationshipType(v any) bool {
	s, ok := v.(string)
	if !ok || s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(lower(c) || digit(c) || c == '-') {
			return false
		}
	}
	return true
}

// killChainPhase: an object with string kill_chain_name and phase_name.
func killChainPhase(v any) bool {
	m, ok := v.(map[string]any)
	return ok && isString(m["kill_chain_name"]) && isString(m["phase_name"])
}

// externalReference is external-reference.json for references without
// hashes: one of (cve, CVE id), (capec, CAPEC id), or another source with
// an external_id that is neither, a description or a url.
func externalReference(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	if _, ok := m["hashes"]; ok {
		return false // the schema decides
	}
	for _, k := range []string{"description", "url"} {
		if x, ok := m[k]; ok && !isString(x) {
			return false
		}
	}
	sn, ok := m["source_name"].(string)
	if !ok {
		return false
	}
	eid, hasID := m["external_id"]
	id, idStr := eid.(string)
	if hasID && !idStr {
		return false
	}
	switch sn {
	case "cve":
		return hasID && cveID(id)
	case "capec":
		return hasID && capecID(id)
	}
	if hasID && (cveID(id) || capecID(id)) {
		return false
	}
	return hasID || has(m, "description") || has(m, "url")
}

// cveID: ^CVE-\d{4}-(0\d{3}|[1-9]\d{3,})$.
func cveID(s string) bool {
	if len(s) < 13 || !strings.HasPrefix(s, "CVE-") || s[8] != '-' || !allDigits(s[4:8]) {
		return false
	}
	n := s[9:]
	if !allDigits(n) {
		return false
	}
	return n[0] == '0' && len(n) == 4 || n[0] != '0' && len(n) >= 4
}

// capecID: ^CAPEC-\d+$.
func capecID(s string) bool {
	return len(s) > 6 && strings.HasPrefix(s, "CAPEC-") && allDigits(s[6:])
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !digit(s[i]) {
			return false
		}
	}
	return true
}

// hashes is hashes-type.json for the usual algorithms: at least one; every
// name of [a-zA-Z0-9_-]{3,250}; every value a string, of the right length
// in hexadecimal for MD5, SHA-1, SHA-256, SHA-512, SHA3-256 and SHA3-512.
// SSDEEP and TLSH values are left to the schema.
func hashes(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return false
	}
	for k, h := range m {
		s, ok := h.(string)
		if !ok || len(k) < 3 || len(k) > 250 {
			return false
		}
		for i := 0; i < len(k); i++ {
			if c := k[i]; !(lower(c) || c >= 'A' && c <= 'Z' || digit(c) || c == '_' || c == '-') {
				return false
			}
		}
		want := map[string]int{"MD5": 32, "SHA-1": 40, "SHA-256": 64, "SHA-512": 128, "SHA3-256": 64, "SHA3-512": 128, "SSDEEP": -1, "TLSH": -1}[k]
		switch {
		case want < 0:
			return false
		case want > 0:
			if len(s) != want {
				return false
			}
			for i := 0; i < len(s); i++ {
				if !hexDigit(s[i]) {
					return false
				}
			}
		}
	}
	return true
}

// ipv4CIDR is the pattern of ipv4-addr's value: a dotted quad without
// leading zeros, with an optional /0 to /32.
func ipv4CIDR(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	addr, prefix, cidr := strings.Cut(s, "/")
	if cidr && !decimalIn(prefix, 32) {
		return false
	}
	parts := strings.Split(addr, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if !decimalIn(p, 255) {
			return false
		}
	}
	return true
}

// decimalIn: a decimal without leading zeros, at most max.
func decimalIn(s string, max int) bool {
	if s == "" || len(s) > 3 || !allDigits(s) || len(s) > 1 && s[0] == '0' {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n <= max
}

// statementMarking is marking-definition.json for a statement marking
// without extensions (copyright statements, as in ATT&CK): the first
// branch of its oneOf. TLP 1.0 definitions and extension markings go to
// the schema.
func statementMarking(doc map[string]any) bool {
	if doc["definition_type"] != "statement" || has(doc, "extensions") || !has(doc, "id", "type", "spec_version", "created", "definition") {
		return false
	}
	def, ok := doc["definition"].(map[string]any)
	if !ok || !isString(def["statement"]) {
		return false
	}
	for k, v := range doc {
		switch k {
		case "type":
			if v != "marking-definition" {
				return false
			}
		case "id":
			if !refTo1("marking-definition")(v) {
				return false
			}
		case "spec_version":
			if v != "2.1" && v != "2.0" {
				return false
			}
		case "name":
			if !isString(v) {
				return false
			}
		case "created_by_ref":
			if !isIdentifier(v) {
				return false
			}
		case "created":
			if !isTimestamp(v) {
				return false
			}
		case "external_references":
			if !listOf(externalReference, 1)(v) {
				return false
			}
		case "object_marking_refs":
			if !listOf(refTo1("marking-definition"), 1)(v) {
				return false
			}
		case "granular_markings":
			return false
		}
	}
	return true
}
