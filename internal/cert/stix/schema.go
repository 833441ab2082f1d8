package stix

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The OASIS STIX 2.1 JSON schemas (non-normative; the specification takes precedence). See
// schemas/SOURCES.md and schemas/LICENSE.
//
//go:embed schemas/common/*.json schemas/sdos/*.json schemas/sros/*.json schemas/observables/*.json
var schemaFS embed.FS

// The schemas name each other by these absolute URLs; they are served from schemaFS, never fetched.
const schemaBase = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"

var schemas struct {
	once   sync.Once
	byType map[string]*jsonschema.Schema
	err    error
}

// compiledSchemas compiles every type's schema once.
func compiledSchemas() (map[string]*jsonschema.Schema, error) {
	schemas.once.Do(func() {
		c := jsonschema.NewCompiler()
		c.UseRegexpEngine(compileRegexp)
		locs := map[string]string{}
		err := fs.WalkDir(schemaFS, "schemas", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := schemaFS.ReadFile(p)
			if err != nil {
				return err
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			rel := strings.TrimPrefix(p, "schemas/")
			if err := c.AddResource(schemaBase+rel, doc); err != nil {
				return err
			}
			dir, name := path.Split(rel)
			typ := strings.TrimSuffix(name, ".json")
			if dir != "common/" || typ == "marking-definition" || typ == "extension-definition" || typ == "language-content" {
				locs[typ] = schemaBase + rel
			}
			return nil
		})
		if err != nil {
			schemas.err = err
			return
		}
		schemas.byType = map[string]*jsonschema.Schema{}
		for typ, loc := range locs {
			s, err := c.Compile(loc)
			if err != nil {
				schemas.err = fmt.Errorf("stix: compile schema %s: %w", typ, err)
				return
			}
			schemas.byType[typ] = s
		}
	})
	return schemas.byType, schemas.err
}

// HasSchema reports whether objects of this type are checked against an OASIS schema.
func HasSchema(typ string) bool {
	m, err := compiledSchemas()
	return err == nil && m[typ] != nil
}

// validateSchema checks a decoded object (from jsonschema.UnmarshalJSON) against its type's schema,
// if there is one.
func validateSchema(typ string, doc any) error {
	m, err := compiledSchemas()
	if err != nil {
		return err
	}
	s := m[typ]
	if s == nil {
		return nil
	}
	if err := s.Validate(doc); err != nil {
		return invalid("does not match the STIX 2.1 schema for %s: %s", typ, schemaReason(err))
	}
	return nil
}

// schemaReason keeps the most specific causes of a schema failure, on one line.
func schemaReason(err error) string {
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return err.Error()
	}
	// A printer per call: objects are checked concurrently and a Printer is not safe for that.
	printer := message.NewPrinter(language.English)
	var leaves []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			loc := "/" + strings.Join(e.InstanceLocation, "/")
			leaves = append(leaves, fmt.Sprintf("at %s: %s", loc, e.ErrorKind.LocalizedString(printer)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	if len(leaves) > 3 {
		leaves = append(leaves[:3], fmt.Sprintf("and %d more", len(leaves)-3))
	}
	return strings.Join(leaves, "; ")
}
