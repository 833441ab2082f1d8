// Package indicators is the registry of the action plan's indicators. Each
// module declares its own — a key, the action item it measures ("1.3"), a
// name and definition in the six languages (catalogue keys
// indicator.KEY.name and indicator.KEY.definition), a unit, a target, and
// the function that computes it under the viewer's visibility (or over
// CLEAR records for public totals) — and GET /api/v1/indicators lists them
// with their current values.
package indicators

import (
	"context"
	"net/http"
	"sort"
	"sync"

	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/web"
)

// Value is an indicator's value, in total and broken down (by country, by
// year) where the indicator has a breakdown.
type Value struct {
	Total     float64            `json:"total"`
	Breakdown map[string]float64 `json:"breakdown,omitempty"`
}

// Indicator is one declared indicator.
type Indicator struct {
	Key    string   // "plan.partners", "cert.cases_handed_over"
	Action string   // the action item of the plan: "1.2", "2.1", or "plan" for the plan as a whole
	Unit   string   // "organisations", "cases", "hours"
	Target *float64 // nil when the plan sets none
	By     string   // what Breakdown is keyed by: "country", "year", or ""
	// Compute returns the value the viewer may see.
	Compute func(ctx context.Context, v *web.Viewer) (Value, error)
}

// NameKey and DefinitionKey are the catalogue keys of the indicator's texts.
func (i Indicator) NameKey() string       { return "indicator." + i.Key + ".name" }
func (i Indicator) DefinitionKey() string { return "indicator." + i.Key + ".definition" }

// Registry holds the declared indicators.
type Registry struct {
	mu   sync.Mutex
	list []Indicator
}

// Declare adds an indicator; keys are unique.
func (r *Registry) Declare(ind Indicator) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range r.list {
		if x.Key == ind.Key {
			panic("indicators: declared twice: " + ind.Key)
		}
	}
	r.list = append(r.list, ind)
	sort.Slice(r.list, func(a, b int) bool {
		if r.list[a].Action != r.list[b].Action {
			return r.list[a].Action < r.list[b].Action
		}
		return r.list[a].Key < r.list[b].Key
	})
}

// All returns the indicators in action order.
func (r *Registry) All() []Indicator {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Indicator(nil), r.list...)
}

type item struct {
	Key        string            `json:"key"`
	Action     string            `json:"action"`
	Name       string            `json:"name"`
	Names      map[string]string `json:"names"`
	Definition string            `json:"definition"`
	Unit       string            `json:"unit"`
	Target     *float64          `json:"target"`
	By         string            `json:"by,omitempty"`
	Value      Value             `json:"value"`
}

// Mount registers GET /api/v1/indicators.
func (r *Registry) Mount(site *web.Site) {
	site.API("GET /api/v1/indicators", web.Operation{ID: "listIndicators", Tag: "plan",
		Summary: "The action plan's indicators with their current values, as far as the caller may see", List: true,
		Response: web.Obj(map[string]any{"key": web.Str, "action": web.Str, "name": web.Str, "names": map[string]any{"type": "object"},
			"definition": web.Str, "unit": web.Str, "target": map[string]any{"type": []string{"number", "null"}}, "by": web.Str,
			"value": web.Obj(map[string]any{"total": map[string]any{"type": "number"}, "breakdown": map[string]any{"type": "object"}}, "total")},
			"key", "action", "name", "value")},
		func(w http.ResponseWriter, req *http.Request) {
			p := web.PrinterOf(req)
			items := []item{}
			for _, ind := range r.All() {
				val, err := ind.Compute(req.Context(), web.ViewerOf(req))
				if err != nil {
					site.Fail(w, req, err)
					return
				}
				names := map[string]string{}
				for _, l := range i18n.Langs {
					names[l] = site.Catalog.Printer(l).T(ind.NameKey())
				}
				items = append(items, item{Key: ind.Key, Action: ind.Action, Name: p.T(ind.NameKey()), Names: names,
					Definition: p.T(ind.DefinitionKey()), Unit: ind.Unit, Target: ind.Target, By: ind.By, Value: val})
			}
			web.JSON(w, http.StatusOK, web.NewList(items, ""))
		})
}
