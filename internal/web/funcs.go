package web

import (
	"html/template"
	"strings"
	"time"
)

var funcs = template.FuncMap{
	"join": strings.Join,
	"isoTime": func(t time.Time) string {
		return t.UTC().Format(time.RFC3339)
	},
	"int": func(v int64) int { return int(v) },
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			m[k] = kv[i+1]
		}
		return m
	},
}
