package web

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Operation describes one API endpoint for the OpenAPI document.
type Operation struct {
	ID       string
	Summary  string
	Tag      string
	Auth     bool           // needs a bearer token or a session
	Scope    string         // the token scope it needs, if any
	Query    []Param        // query parameters
	Body     map[string]any // JSON Schema of the request body, nil for none
	Response map[string]any // JSON Schema of a success response
	Status   int            // success status, 200 when zero
	List     bool           // the response is a list: q, limit, cursor apply
}

// Param is a query parameter.
type Param struct {
	Name, Description, Type string
	Required                bool
}

// ListParams are the parameters every list endpoint takes.
var ListParams = []Param{
	{Name: "q", Type: "string", Description: "full-text search; results ordered by relevance, then recency, then id"},
	{Name: "limit", Type: "integer", Description: "page size, 1 to 100 (default 20)"},
	{Name: "cursor", Type: "string", Description: "the next value of the previous page"},
}

var pathParam = regexp.MustCompile(`\{([a-zA-Z_]+)\.{0,3}\}`)

// OpenAPI builds the OpenAPI 3.1 document from the registered API routes:
// what is described is exactly what is routed.
func (s *Site) OpenAPI() map[string]any {
	paths := map[string]any{}
	for _, rt := range s.Routes() {
		if rt.API == nil {
			continue
		}
		op := rt.API
		item, _ := paths[rt.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Path] = item
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		qs := op.Query
		if op.List {
			qs = append(append([]Param(nil), ListParams...), qs...)
		}
		for _, q := range qs {
			t := q.Type
			if t == "" {
				t = "string"
			}
			params = append(params, map[string]any{"name": q.Name, "in": "query", "required": q.Required,
				"description": q.Description, "schema": map[string]any{"type": t}})
		}
		status := op.Status
		if status == 0 {
			status = http.StatusOK
		}
		resp := op.Response
		if op.List {
			resp = map[string]any{"type": "object", "required": []string{"items", "next"}, "properties": map[string]any{
				"items": map[string]any{"type": "array", "items": orEmpty(op.Response)},
				"next":  map[string]any{"type": []string{"string", "null"}},
			}}
		}
		o := map[string]any{
			"operationId": op.ID,
			"summary":     op.Summary,
			"tags":        []string{op.Tag},
			"responses": map[string]any{
				strconv.Itoa(status): map[string]any{"description": http.StatusText(status),
					"content": map[string]any{"application/json": map[string]any{"schema": orEmpty(resp)}}},
				"default": map[string]any{"description": "error",
					"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}},
			},
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if op.Body != nil {
			o["requestBody"] = map[string]any{"required": true,
				"content": map[string]any{"application/json": map[string]any{"schema": op.Body}}}
		}
		if op.Auth {
			o["security"] = []any{map[string]any{"bearer": []string{}}}
		} else {
			o["security"] = []any{}
		}
		item[strings.ToLower(rt.Method)] = o
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Harambee API", "version": "1",
			"description": "The JSON API of Harambee, the platform of the China–Africa digital cooperation action plan."},
		"servers": []any{map[string]any{"url": s.BaseURL + "/api/v1"}},
		"paths":   stripPrefix(paths),
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas": map[string]any{"Error": map[string]any{
				"type": "object", "required": []string{"error"},
				"properties": map[string]any{"error": map[string]any{"type": "object", "required": []string{"code", "message"},
					"properties": map[string]any{"code": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"},
						"fields": map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}}}},
			}},
		},
	}
}

// stripPrefix writes paths relative to the server URL (…/api/v1).
func stripPrefix(paths map[string]any) map[string]any {
	out := map[string]any{}
	for p, v := range paths {
		out[strings.TrimPrefix(p, "/api/v1")] = v
	}
	return out
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{"type": "object"}
	}
	return m
}

// ServeOpenAPI answers GET /api/v1/openapi.json.
func (s *Site) ServeOpenAPI(w http.ResponseWriter, r *http.Request) {
	JSON(w, http.StatusOK, s.OpenAPI())
}

// Obj is shorthand for a JSON Schema object with the given properties.
func Obj(props map[string]any, required ...string) map[string]any {
	m := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		m["required"] = required
	}
	return m
}

// Str, Int, Bool, Time and Arr are shorthands for JSON Schema types.
var (
	Str  = map[string]any{"type": "string"}
	Int  = map[string]any{"type": "integer"}
	Bool = map[string]any{"type": "boolean"}
	Time = map[string]any{"type": "string", "format": "date-time"}
	Arr  = func(items map[string]any) map[string]any { return map[string]any{"type": "array", "items": items} }
)
