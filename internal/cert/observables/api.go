package observables

import (
	"net/http"
	"strconv"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/cert/observable"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

var matchSchema = web.Obj(map[string]any{"id": web.Str, "kind": web.Str, "value": web.Str, "marking": web.Str, "case_id": web.Str,
	"case_title": web.Str}, "id", "kind", "value", "marking", "case_id", "case_title")

var refSchema = web.Obj(map[string]any{"stix_type": web.Str, "path": web.Str, "kind": web.Str, "value": web.Str}, "stix_type", "path", "value")

var observableSchema = web.Obj(map[string]any{"id": web.Str, "case_id": web.Str, "owner_org": web.Str, "marking": web.Str, "kind": web.Str,
	"value": web.Str, "original": web.Str, "name": web.Str, "refs": web.Arr(refSchema), "valid_from": web.Time, "valid_until": web.Time,
	"labels": web.Arr(web.Str), "note": web.Str, "created_at": web.Time, "handed": web.Bool, "matches": web.Arr(matchSchema)},
	"id", "case_id", "marking", "kind", "value", "labels", "created_at", "matches")

var sightingsSchema = web.Obj(map[string]any{"total": web.Int, "teams": web.Int, "first_seen": web.Time, "last_seen": web.Time,
	"items": web.Arr(web.Obj(map[string]any{"id": web.Str, "count": web.Int, "first_seen": web.Time, "last_seen": web.Time,
		"org_name": web.Str, "source": web.Str, "mine": web.Bool}, "id", "count", "first_seen", "last_seen", "mine"))}, "total", "teams", "items")

func (s *Service) mountAPI(site *web.Site) {
	signed := func(h http.HandlerFunc) http.HandlerFunc { return account.RequireSignIn(site, h) }
	site.API("GET /api/v1/cert/cases/{id}/observables", web.Operation{ID: "listCertCaseObservables", Tag: "cert",
		Summary: "The observables and indicators of a case (and of the cases it was handed over from) that the caller may see, " +
			"oldest first, each with its correlations in other cases the caller may see (cursor is an offset)",
		Query:    []web.Param{{Name: "limit", Type: "integer"}, {Name: "cursor"}},
		Response: web.Obj(map[string]any{"items": web.Arr(observableSchema), "next": map[string]any{"type": []string{"string", "null"}}}, "items", "next")},
		s.apiList)
	site.API("POST /api/v1/cert/cases/{id}/observables", web.Operation{ID: "addCertCaseObservables", Tag: "cert", Auth: true,
		Scope: account.ScopeWrite, Status: http.StatusCreated,
		Summary: "Paste observables into a case (one or more a line, defanged input accepted; nothing is stored when a line is invalid " +
			"unless skip_invalid), or add an indicator as a STIX pattern; values the case holds already are merged",
		Body: web.Obj(map[string]any{"text": web.Str, "kind": web.Str, "pattern": web.Str, "name": web.Str, "marking": web.Str,
			"labels": web.Arr(web.Str), "note": web.Str, "skip_invalid": web.Bool, "valid_from": web.Time, "valid_until": web.Time}),
		Response: web.Obj(map[string]any{"added": web.Int, "merged": web.Int, "ids": web.Arr(web.Str), "skipped": web.Arr(problemSchema)},
			"added", "merged", "ids")},
		signed(s.apiAdd))
	site.API("GET /api/v1/cert/observables/{id}", web.Operation{ID: "getCertObservable", Tag: "cert",
		Summary:  "An observable or indicator, with its correlations and sightings (teams named to its owner only)",
		Response: web.Obj(map[string]any{"observable": observableSchema, "sightings": sightingsSchema}, "observable", "sightings")},
		s.apiGet)
	site.API("POST /api/v1/cert/observables/{id}/sightings", web.Operation{ID: "addCertSighting", Tag: "cert", Auth: true,
		Scope: account.ScopeWrite, Status: http.StatusCreated,
		Summary: "Record that one of the caller's teams saw an observable it may see",
		Body: web.Obj(map[string]any{"org": web.Str, "count": web.Int, "first_seen": web.Time, "last_seen": web.Time, "source": web.Str},
			"count", "first_seen"),
		Response: sightingsSchema},
		signed(s.apiSighting))
	site.API("DELETE /api/v1/cert/observables/{id}", web.Operation{ID: "deleteCertObservable", Tag: "cert", Auth: true,
		Scope: account.ScopeWrite, Status: http.StatusNoContent,
		Summary: "Delete an observable of the caller's team's case, with its sightings and what a hand-over shared of it"},
		signed(s.apiDelete))
	site.API("GET /api/v1/cert/observables/correlate", web.Operation{ID: "correlateCertObservable", Tag: "cert",
		Summary: "The observables the caller may see, in cases the caller may see, that correlate with a value (normalised, defanged accepted): " +
			"the same value, parent or sub-domains, the host of a URL, addresses inside a CIDR or CIDRs around an address",
		Query:    []web.Param{{Name: "value", Required: true}, {Name: "kind", Description: "the value's kind, when detection would be ambiguous"}},
		Response: web.Obj(map[string]any{"kind": web.Str, "value": web.Str, "items": web.Arr(matchSchema)}, "kind", "value", "items")},
		s.apiCorrelate)
}

var problemSchema = web.Obj(map[string]any{"line": web.Int, "token": web.Str, "message": web.Str}, "line", "token", "message")

type observableJSON struct {
	*Observable
	Matches []Match `json:"matches"`
}

func (s *Service) apiList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := web.Limit(q.Get("limit"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	offset := 0
	if c := q.Get("cursor"); c != "" {
		if offset, err = strconv.Atoi(c); err != nil || offset < 0 || offset > 1_000_000 {
			s.Site.Fail(w, r, errs.E("cert.observables", errs.Invalid, "error.cursor"))
			return
		}
	}
	c, _, err := s.caseOf(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	ids := append([]string{c.ID}, c.From...)
	list, err := s.listPage(r.Context(), v, ids, offset, limit+1)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	next := ""
	if len(list) > limit {
		list, next = list[:limit], strconv.Itoa(offset+limit)
	}
	if err := s.loadRefs(r.Context(), list); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	matches, err := s.CorrelateMany(r.Context(), v, groupsOf(list), ids, matchesShown)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	items := []observableJSON{}
	for i, o := range list {
		items = append(items, observableJSON{Observable: o, Matches: matches[i]})
	}
	web.JSON(w, http.StatusOK, web.NewList(items, next))
}

type addBody struct {
	Text        string     `json:"text"`
	Kind        string     `json:"kind"`
	Pattern     string     `json:"pattern"`
	Name        string     `json:"name"`
	Marking     string     `json:"marking"`
	Labels      []string   `json:"labels"`
	Note        string     `json:"note"`
	SkipInvalid bool       `json:"skip_invalid"`
	ValidFrom   *time.Time `json:"valid_from"`
	ValidUntil  *time.Time `json:"valid_until"`
}

type problemJSON struct {
	Line    int    `json:"line"`
	Token   string `json:"token"`
	Message string `json:"message"`
}

func (s *Service) problems(r *http.Request, ps []observable.Problem) []problemJSON {
	p := web.PrinterOf(r)
	out := []problemJSON{}
	for _, pr := range ps {
		msg := pr.Key
		if p != nil {
			msg = p.T(pr.Key)
		}
		out = append(out, problemJSON{Line: pr.Line, Token: pr.Token, Message: msg})
	}
	return out
}

func (s *Service) apiAdd(w http.ResponseWriter, r *http.Request) {
	var b addBody
	if err := web.DecodeJSON(r, &b); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v, id, ip := web.ViewerOf(r), r.PathValue("id"), web.ClientIP(r)
	if b.Pattern != "" {
		if b.Text != "" || b.Kind != "" {
			s.Site.Fail(w, r, errs.Field("cert.observables", map[string]string{"pattern": "cert.observables.error.pattern_or_text"}))
			return
		}
		oid, err := s.AddIndicator(r.Context(), v, id, IndicatorInput{Pattern: b.Pattern, Name: b.Name, Marking: sharing.Marking(b.Marking),
			ValidFrom: b.ValidFrom, ValidUntil: b.ValidUntil, Labels: b.Labels, Note: b.Note}, ip)
		if err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		web.JSON(w, http.StatusCreated, map[string]any{"added": 1, "merged": 0, "ids": []string{oid}})
		return
	}
	res, err := s.Paste(r.Context(), v, id, PasteInput{Text: b.Text, Kind: b.Kind, Marking: sharing.Marking(b.Marking), Labels: b.Labels,
		Note: b.Note, SkipInvalid: b.SkipInvalid}, ip)
	if err == errLines {
		p := web.PrinterOf(r)
		msg := "cert.observables.error.lines"
		if p != nil {
			msg = p.T(msg)
		}
		web.JSON(w, http.StatusUnprocessableEntity, map[string]any{"error": map[string]any{"code": string(errs.Invalid), "message": msg,
			"lines": s.problems(r, res.Problems)}})
		return
	}
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]any{"added": res.Added, "merged": res.Merged, "ids": res.IDs, "skipped": s.problems(r, res.Problems)})
}

func (s *Service) apiGet(w http.ResponseWriter, r *http.Request) {
	d, err := s.observableData(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"observable": observableJSON{Observable: d.O, Matches: d.Matches}, "sightings": d.Sightings})
}

type sightingBody struct {
	Org       string    `json:"org"`
	Count     int       `json:"count"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Source    string    `json:"source"`
}

func (s *Service) apiSighting(w http.ResponseWriter, r *http.Request) {
	var b sightingBody
	if err := web.DecodeJSON(r, &b); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	if _, err := s.AddSighting(r.Context(), v, r.PathValue("id"), SightingInput(b), web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	d, err := s.observableData(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, d.Sightings)
}

func (s *Service) apiCorrelate(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	o, err := ParseValue(q.Get("kind"), q.Get("value"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	m, err := s.Correlate(r.Context(), web.ViewerOf(r), []observable.Observable{o}, nil, MaxMatches)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"kind": o.Kind, "value": o.Value, "items": m})
}

func (s *Service) apiDelete(w http.ResponseWriter, r *http.Request) {
	if err := s.Delete(r.Context(), web.ViewerOf(r), r.PathValue("id"), web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
