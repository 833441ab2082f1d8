package stix

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// objectOf takes the common properties from a decoded object, as
// encoding/json would into Object: a null leaves the zero value, a value
// of the wrong JSON type is an error naming the property.
func objectOf(doc map[string]any) (*Object, *Error) {
	o := &Object{}
	for _, f := range []struct {
		name string
		to   *string
	}{{"type", &o.Type}, {"spec_version", &o.SpecVersion}, {"id", &o.ID}, {"created", &o.Created}, {"modified", &o.Modified},
		{"created_by_ref", &o.CreatedByRef}, {"lang", &o.Lang}} {
		if err := stringField(doc, f.name, f.to); err != nil {
			return nil, err
		}
	}
	if v, ok := doc["revoked"]; ok && v != nil {
		b, is := v.(bool)
		if !is {
			return nil, wrongType("revoked", v, "bool")
		}
		o.Revoked = b
	}
	if v, ok := doc["confidence"]; ok && v != nil {
		n, is := v.(json.Number)
		if !is {
			return nil, wrongType("confidence", v, "integer")
		}
		i, err := strconv.ParseInt(string(n), 10, 0)
		if err != nil {
			return nil, invalid("property confidence is the number %s, not an integer", n)
		}
		c := int(i)
		o.Confidence = &c
	}
	var err *Error
	if o.Labels, err = stringList(doc, "labels"); err != nil {
		return nil, err
	}
	if o.ObjectMarkingRefs, err = stringList(doc, "object_marking_refs"); err != nil {
		return nil, err
	}
	if v, ok := doc["external_references"]; ok && v != nil {
		l, is := v.([]any)
		if !is {
			return nil, wrongType("external_references", v, "list")
		}
		for _, e := range l {
			var r ExternalReference
			if e != nil {
				m, is := e.(map[string]any)
				if !is {
					return nil, wrongType("external_references", e, "JSON object")
				}
				for _, f := range []struct {
					name string
					to   *string
				}{{"source_name", &r.SourceName}, {"description", &r.Description}, {"url", &r.URL}, {"external_id", &r.ExternalID}} {
					if err := stringField(m, f.name, f.to); err != nil {
						err.Reason = "external_references: " + err.Reason
						return nil, err
					}
				}
				if h, ok := m["hashes"]; ok && h != nil {
					hm, is := h.(map[string]any)
					if !is {
						return nil, wrongType("external_references.hashes", h, "JSON object")
					}
					r.Hashes = make(map[string]string, len(hm))
					for k, hv := range hm {
						s, is := hv.(string)
						if hv != nil && !is {
							return nil, wrongType("external_references.hashes."+k, hv, "string")
						}
						r.Hashes[k] = s
					}
				}
			}
			o.ExternalReferences = append(o.ExternalReferences, r)
		}
	}
	if v, ok := doc["granular_markings"]; ok && v != nil {
		l, is := v.([]any)
		if !is {
			return nil, wrongType("granular_markings", v, "list")
		}
		for _, e := range l {
			var g GranularMarking
			if e != nil {
				m, is := e.(map[string]any)
				if !is {
					return nil, wrongType("granular_markings", e, "JSON object")
				}
				if err := stringField(m, "lang", &g.Lang); err != nil {
					return nil, err
				}
				if err := stringField(m, "marking_ref", &g.MarkingRef); err != nil {
					return nil, err
				}
				if g.Selectors, err = stringList(m, "selectors"); err != nil {
					return nil, err
				}
			}
			o.GranularMarkings = append(o.GranularMarkings, g)
		}
	}
	if v, ok := doc["extensions"]; ok && v != nil {
		m, is := v.(map[string]any)
		if !is {
			return nil, wrongType("extensions", v, "JSON object")
		}
		o.Extensions = make(map[string]json.RawMessage, len(m))
		for k, e := range m {
			b, err := json.Marshal(e)
			if err != nil {
				return nil, invalid("extensions: %v", err)
			}
			o.Extensions[k] = b
		}
	}
	return o, nil
}

func stringField(doc map[string]any, name string, to *string) *Error {
	v, ok := doc[name]
	if !ok || v == nil {
		return nil
	}
	s, is := v.(string)
	if !is {
		return wrongType(name, v, "string")
	}
	*to = s
	return nil
}

func stringList(doc map[string]any, name string) ([]string, *Error) {
	v, ok := doc[name]
	if !ok || v == nil {
		return nil, nil
	}
	l, is := v.([]any)
	if !is {
		return nil, wrongType(name, v, "list")
	}
	out := make([]string, len(l))
	for i, e := range l {
		if e == nil {
			continue
		}
		s, is := e.(string)
		if !is {
			return nil, wrongType(name, e, "string")
		}
		out[i] = s
	}
	return out, nil
}

// wrongType says what encoding/json said: "property created is a JSON number, not a string".
func wrongType(name string, v any, want string) *Error {
	return invalid("property %s is a JSON %s, not a %s", name, jsonTypeOf(v), want)
}

func jsonTypeOf(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}
