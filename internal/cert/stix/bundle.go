package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// Bundle is a STIX 2.1 bundle: an id and objects, each kept as received.
type Bundle struct {
	ID      string
	Objects []*Object
}

// MarshalJSON writes the bundle with every object's bytes as they came. Call it directly (or
// write Raw yourself): json.Marshal would compact the objects' whitespace.
func (b *Bundle) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`{"type":"bundle","id":`)
	id, _ := json.Marshal(b.ID)
	buf.Write(id)
	if len(b.Objects) > 0 {
		buf.WriteString(`,"objects":[`)
		for i, o := range b.Objects {
			if i > 0 {
				buf.WriteByte(',')
			}
			if len(o.Raw) == 0 {
				return nil, fmt.Errorf("stix: object %s has no content", o.ID)
			}
			buf.Write(o.Raw)
		}
		buf.WriteByte(']')
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// Limits bound what ParseBundle accepts. A zero field takes the default.
type Limits struct {
	MaxBytes   int64 // size of the whole bundle
	MaxObjects int   // number of objects in it
}

// DefaultLimits fit the largest ATT&CK bundle (about 45 MB, 24,000 objects) with room to spare.
var DefaultLimits = Limits{MaxBytes: 64 << 20, MaxObjects: 100_000}

// ParseBundle reads a bundle strictly and checks every object. It returns the whole bundle or an
// *Error, never part of one: a caller that stores only what ParseBundle returned stores nothing
// partial.
func ParseBundle(r io.Reader, limits Limits) (*Bundle, error) {
	if limits.MaxBytes <= 0 {
		limits.MaxBytes = DefaultLimits.MaxBytes
	}
	if limits.MaxObjects <= 0 {
		limits.MaxObjects = DefaultLimits.MaxObjects
	}
	var buf bytes.Buffer
	if l, ok := r.(interface{ Len() int }); ok { // a bytes or strings reader: one allocation
		buf.Grow(int(min(int64(l.Len()), limits.MaxBytes)) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(io.LimitReader(r, limits.MaxBytes+1))
	data := buf.Bytes()
	if err != nil {
		return nil, bundleErr(Malformed, "reading the bundle: %v", err)
	}
	if int64(len(data)) > limits.MaxBytes {
		return nil, bundleErr(TooLarge, "more than %d bytes", limits.MaxBytes)
	}
	return parseTop(data, limits, false)
}

// ParseEnvelope reads the body of a TAXII 2.1 add-objects request: an
// envelope ({"objects": [...]}, section 3.7 of TAXII 2.1) or a STIX bundle,
// with the same checks and the same all-or-nothing result as ParseBundle.
// The objects' Raw are slices of data, which the caller must leave as it is.
// The bundle it returns has no id when the body was an envelope.
func ParseEnvelope(data []byte, limits Limits) (*Bundle, error) {
	if limits.MaxBytes <= 0 {
		limits.MaxBytes = DefaultLimits.MaxBytes
	}
	if limits.MaxObjects <= 0 {
		limits.MaxObjects = DefaultLimits.MaxObjects
	}
	if int64(len(data)) > limits.MaxBytes {
		return nil, bundleErr(TooLarge, "more than %d bytes", limits.MaxBytes)
	}
	return parseTop(data, limits, true)
}

func parseTop(data []byte, limits Limits, envelope bool) (*Bundle, error) {
	if err := checkUTF8(data); err != nil {
		return nil, err
	}
	l, outside := splitList(data)
	if err := scanMembers(data, l.members, outside); err != nil {
		return nil, err
	}
	top := splitTopWith(data, l)
	if top.NotObject != "" {
		return nil, bundleErr(Malformed, "not a STIX bundle: a JSON %s where a JSON object is expected", top.NotObject)
	}
	if !top.ObjectsOK {
		return nil, bundleErr(Malformed, "not a STIX bundle: property objects is not a list")
	}
	id, idOK := top.ID.(string)
	if top.ID != nil && !idOK {
		return nil, bundleErr(Malformed, "not a STIX bundle: property id is a JSON %s, not a string", jsonTypeOf(top.ID))
	}
	typ, typeOK := top.Type.(string)
	if top.Type != nil && !typeOK {
		return nil, bundleErr(Malformed, "not a STIX bundle: property type is a JSON %s, not a string", jsonTypeOf(top.Type))
	}
	switch {
	case envelope && top.Type == nil:
		if id != "" {
			return nil, bundleErr(Malformed, "not a TAXII envelope: it has an id")
		}
	case typ != "bundle":
		return nil, bundleErr(Malformed, "not a STIX bundle: type is %q", typ)
	default:
		if t, _, ok := SplitID(id); !ok || t != "bundle" {
			return nil, bundleErr(Malformed, "bundle id %q is not bundle--<uuid>", id)
		}
	}
	if len(top.Objects) > limits.MaxObjects {
		return nil, bundleErr(TooLarge, "%d objects, more than %d", len(top.Objects), limits.MaxObjects)
	}
	objs, err := parseObjects(top.Objects)
	if err != nil {
		return nil, err
	}
	return &Bundle{ID: id, Objects: objs}, nil
}

// parseObjects checks every object; the first failure (by index) is the
// error. Objects are independent, so they are checked on every core.
func parseObjects(raws [][]byte) ([]*Object, error) {
	out := make([]*Object, len(raws))
	errs := make([]error, len(raws))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(raws)/64))
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ks := keys{}
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(raws) {
					return
				}
				o, err := parseScannedIn(raws[i], ks)
				if err != nil {
					errs[i] = err
					failed.Store(true) // later objects need not be checked; earlier ones still are, below
					return
				}
				out[i] = o
			}
		}()
	}
	wg.Wait()
	for i, raw := range raws {
		err := errs[i]
		if err == nil && out[i] == nil {
			// Not reached by a worker that stopped after a failure further on.
			out[i], err = parseScanned(raw)
		}
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				e.Index = i
			}
			return nil, err
		}
	}
	return out, nil
}

// checkJSON refuses invalid UTF-8, JSON syntax errors and objects that repeat a key (which
// encoding/json would silently resolve to the last value).
func checkJSON(data []byte) error {
	if err := checkUTF8(data); err != nil {
		return err
	}
	if err := scanJSON(data); err != nil {
		return err
	}
	return nil
}

// checkUTF8 refuses invalid UTF-8, naming the first bad byte.
func checkUTF8(data []byte) error {
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, n := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		return bundleErr(Malformed, "invalid UTF-8 at byte %d", off)
	}
	return nil
}

// jsonReason turns an encoding/json error into a short reason.
func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Sprintf("property %s is a JSON %s, not a %s", te.Field, te.Value, jsonTypeName(te.Type.Kind().String()))
		}
		return fmt.Sprintf("a JSON %s where a %s is expected", te.Value, jsonTypeName(te.Type.Kind().String()))
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func jsonTypeName(kind string) string {
	switch kind {
	case "slice":
		return "list"
	case "map", "struct":
		return "JSON object"
	case "int", "int64":
		return "integer"
	}
	return kind
}

// ParseObject checks one STIX object and keeps its bytes (a copy of raw).
func ParseObject(raw []byte) (*Object, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, invalid("not a JSON object")
	}
	if err := checkJSON(raw); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, invalid("%s", e.Reason)
		}
		return nil, err
	}
	return parseScanned(append([]byte(nil), raw...))
}

// parseScanned checks one object that scanJSON has accepted (alone or
// within its bundle). It decodes the object once: the common properties,
// the reference and pattern checks, and the hand checks or the OASIS
// schema all read the same decoded value. The object keeps raw itself,
// not a copy: a bundle's objects share the bundle's bytes.
func parseScanned(raw []byte) (*Object, error) { return parseScannedIn(raw, nil) }

// parseScannedIn is parseScanned with the property names of ks.
func parseScannedIn(raw []byte, ks keys) (*Object, error) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, invalid("not a JSON object")
	}
	v, _ := decodeAt(raw, 0, 0, ks)
	doc := v.(map[string]any)
	o, e := objectOf(doc)
	if e != nil {
		e.ID, _ = doc["id"].(string)
		return nil, e
	}
	o.Raw = json.RawMessage(raw[:len(raw):len(raw)])
	if err := o.validate(); err != nil {
		err.ID = o.ID
		return nil, err
	}
	if err := checkRefs(doc); err != nil {
		err.ID = o.ID
		return nil, err
	}
	pattern, perr := checkPattern(o.Type, doc)
	if perr != nil {
		perr.ID = o.ID
		return nil, perr
	}
	o.Name, _ = doc["name"].(string)
	o.Description, _ = doc["description"].(string)
	o.Terms = termsOf(o.Type, doc, pattern)
	if fastValid(o.Type, doc) {
		return o, nil
	}
	if err := validateSchema(o.Type, doc); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.ID = o.ID
			return nil, e
		}
		return nil, err
	}
	return o, nil
}

// validate checks the common properties the specification requires of every object.
func (o *Object) validate() *Error {
	if o.Type == "" {
		return invalid("type is missing")
	}
	if !ValidType(o.Type) {
		return invalid("type %q is not a valid STIX type name", o.Type)
	}
	if o.ID == "" {
		return invalid("id is missing")
	}
	typ, _, ok := SplitID(o.ID)
	if !ok {
		return invalid("id %q is not <type>--<RFC 4122 UUID>", o.ID)
	}
	if typ != o.Type {
		return invalid("id %q does not start with the type %q", o.ID, o.Type)
	}
	kind := KindOf(o.Type)
	switch {
	case kind == KindSCO:
		if o.SpecVersion != "" && o.SpecVersion != "2.1" {
			return invalid("spec_version is %q, not 2.1", o.SpecVersion)
		}
	case o.SpecVersion == "":
		return invalid("spec_version is missing")
	case o.SpecVersion != "2.1":
		return invalid("spec_version is %q, not 2.1", o.SpecVersion)
	}
	needCreated := kind == KindSDO || kind == KindSRO || kind == KindMeta || (kind == KindCustom && (o.Created != "" || o.Modified != ""))
	needModified := needCreated && o.Type != "marking-definition"
	if needCreated && o.Created == "" {
		return invalid("created is missing")
	}
	if needModified && o.Modified == "" {
		return invalid("modified is missing")
	}
	var created, modified = o.Created, o.Modified
	for _, p := range []struct{ name, v string }{{"created", created}, {"modified", modified}} {
		if p.v == "" {
			continue
		}
		if _, err := ParseTimestamp(p.v); err != nil {
			return invalid("%s: %v", p.name, err)
		}
		if !hasMillis(p.v) {
			return invalid("%s %q is not precise to the millisecond", p.name, p.v)
		}
	}
	if created != "" && modified != "" {
		c, _ := ParseTimestamp(created)
		m, _ := ParseTimestamp(modified)
		if m.Before(c) {
			return invalid("modified %s is before created %s", modified, created)
		}
	}
	if o.CreatedByRef != "" && !refTo(o.CreatedByRef, "identity") {
		return invalid("created_by_ref %q is not an identity id", o.CreatedByRef)
	}
	for _, m := range o.ObjectMarkingRefs {
		if !refTo(m, "marking-definition") {
			return invalid("object_marking_refs: %q is not a marking-definition id", m)
		}
	}
	for _, g := range o.GranularMarkings {
		if g.MarkingRef != "" && !refTo(g.MarkingRef, "marking-definition") {
			return invalid("granular_markings: %q is not a marking-definition id", g.MarkingRef)
		}
		if (g.MarkingRef == "") == (g.Lang == "") {
			return invalid("granular_markings: each needs exactly one of marking_ref and lang")
		}
		if len(g.Selectors) == 0 {
			return invalid("granular_markings: selectors are missing")
		}
	}
	if o.Confidence != nil && (*o.Confidence < 0 || *o.Confidence > 100) {
		return invalid("confidence %d is not between 0 and 100", *o.Confidence)
	}
	for _, r := range o.ExternalReferences {
		if r.SourceName == "" {
			return invalid("external_references: source_name is missing")
		}
	}
	for k := range o.Extensions {
		if strings.HasPrefix(k, "extension-definition--") && !ValidID(k) {
			return invalid("extensions: %q is not an extension-definition id", k)
		}
	}
	return nil
}

func refTo(id, typ string) bool {
	t, _, ok := SplitID(id)
	return ok && t == typ
}

// checkRefs checks that every top-level *_ref property holds an identifier and every *_refs
// property a list of them. Custom x_ properties are left alone: published data (ATT&CK's
// x_mitre_data_source_ref "" on deprecated objects) breaks the rule and must still import.
func checkRefs(doc map[string]any) *Error {
	for k, v := range doc {
		switch {
		case strings.HasPrefix(k, "x_"):
		case strings.HasSuffix(k, "_ref"):
			s, ok := v.(string)
			if !ok || !ValidID(s) {
				return invalid("%s is not a STIX identifier", k)
			}
		case strings.HasSuffix(k, "_refs"):
			l, ok := v.([]any)
			if !ok {
				return invalid("%s is not a list of STIX identifiers", k)
			}
			for _, e := range l {
				if s, ok := e.(string); !ok || !ValidID(s) {
					return invalid("%s: %v is not a STIX identifier", k, e)
				}
			}
		}
	}
	return nil
}

// checkPattern parses the pattern of an indicator whose pattern_type is stix.
func checkPattern(typ string, doc map[string]any) (*Pattern, *Error) {
	if typ != "indicator" || doc["pattern_type"] != "stix" {
		return nil, nil
	}
	p, ok := doc["pattern"].(string)
	if !ok {
		return nil, nil // the schema reports it
	}
	parsed, err := ParsePattern(p)
	if err != nil {
		return nil, invalid("pattern: %v", err)
	}
	return parsed, nil
}

// termsOf: the equality terms of an indicator's pattern, or the value (and
// hashes) of an SCO that carries one.
func termsOf(typ string, doc map[string]any, p *Pattern) []Term {
	if p != nil {
		return Observables(p)
	}
	switch typ {
	case "ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr":
		if v, ok := doc["value"].(string); ok {
			return []Term{{Type: typ, Path: "value", Value: v}}
		}
	case "file":
		hashes, _ := doc["hashes"].(map[string]any)
		var out []Term
		for k, v := range hashes {
			if s, ok := v.(string); ok {
				out = append(out, Term{Type: typ, Path: "hashes." + pathName(k), Value: s})
			}
		}
		return out
	}
	return nil
}
