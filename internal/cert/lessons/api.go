package lessons

import (
	"net/http"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

var (
	textSchema = web.Obj(map[string]any{"original": web.Str, "texts": map[string]any{"type": "object", "additionalProperties": web.Str}},
		"original", "texts")
	markingEnum  = map[string]any{"type": "string", "enum": []string{"clear", "green", "amber", "amber+strict"}}
	lessonSchema = web.Obj(map[string]any{
		"id": web.Str, "url": web.Str, "team": web.Obj(map[string]any{"id": web.Str, "slug": web.Str,
			"name":      map[string]any{"type": "string", "description": "in the reader's language (?lang), else English, else the original"},
			"name_lang": web.Str}, "id", "slug", "name", "name_lang"),
		"marking": web.Str, "title": textSchema, "happened": textSchema, "worked": textSchema, "change": textSchema,
		"category": map[string]any{"type": "string", "description": "an ENISA taxonomy class, or empty"}, "sectors": web.Arr(web.Str),
		"countries": web.Arr(web.Str), "case": map[string]any{"type": "string", "description": "the case it comes from, if the caller may see it"},
		"created_at": web.Time, "updated_at": web.Time},
		"id", "url", "team", "marking", "title", "happened", "worked", "change", "category", "sectors", "countries", "created_at", "updated_at")
	fieldsIn = map[string]any{"marking": markingEnum, "title": textSchema, "happened": textSchema, "worked": textSchema, "change": textSchema,
		"category": map[string]any{"type": "string", "enum": append([]string{""}, Classes...)}, "sectors": web.Arr(web.Str),
		"countries": web.Arr(web.Str), "case": web.Str}
)

func (s *Service) mountAPI(site *web.Site) {
	signed := func(h http.HandlerFunc) http.HandlerFunc { return account.RequireSignIn(site, h) }
	site.API("GET /api/v1/cert/lessons", web.Operation{ID: "listCertLessons", Tag: "cert", List: true, Response: lessonSchema,
		Summary: "Lessons learned the caller may see, newest first (by relevance with q)",
		Query: []web.Param{{Name: "category", Description: "an ENISA taxonomy class"}, {Name: "country", Description: "ISO 3166-1 alpha-2"},
			{Name: "sector", Description: "a sector code"}}}, s.apiList)
	site.API("GET /api/v1/cert/lessons/{id}", web.Operation{ID: "getCertLesson", Tag: "cert", Response: lessonSchema,
		Summary: "One lesson learned"}, s.apiGet)
	create := map[string]any{"team": web.Str}
	for k, v := range fieldsIn {
		create[k] = v
	}
	site.API("POST /api/v1/cert/lessons", web.Operation{ID: "createCertLesson", Tag: "cert", Auth: true, Scope: account.ScopeWrite,
		Status: http.StatusCreated, Response: lessonSchema,
		Summary: "Write a lesson for a CERT team the caller is an admin or analyst of (team: slug or id); GREEN is for the vetted CERTs; " +
			"share an AMBER one through the sharing API",
		Body: web.Obj(create, "title", "happened", "marking")}, signed(s.apiCreate))
	site.API("PATCH /api/v1/cert/lessons/{id}", web.Operation{ID: "updateCertLesson", Tag: "cert", Auth: true, Scope: account.ScopeWrite,
		Response: lessonSchema, Summary: "Change a lesson (its team's admins and analysts): the fields given replace the lesson's",
		Body: web.Obj(fieldsIn)}, signed(s.apiPatch))
}

// apiTeam is a lesson's team, named as the directory's API names
// organisations: in the reader's language, with the language the name is in.
type apiTeam struct {
	ID       string `json:"id"`
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	NameLang string `json:"name_lang"`
}

type apiLesson struct {
	ID        string     `json:"id"`
	URL       string     `json:"url"`
	Team      apiTeam    `json:"team"`
	Marking   string     `json:"marking"`
	Title     text.Input `json:"title"`
	Happened  text.Input `json:"happened"`
	Worked    text.Input `json:"worked"`
	Change    text.Input `json:"change"`
	Category  string     `json:"category"`
	Sectors   []string   `json:"sectors"`
	Countries []string   `json:"countries"`
	Case      string     `json:"case,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

func (s *Service) apiOf(l *Lesson, names org.Names) apiLesson {
	team := names[l.OwnerOrg]
	out := apiLesson{ID: l.ID, URL: s.Site.BaseURL + l.Path(), Team: apiTeam{ID: l.OwnerOrg, Slug: l.OwnerSlug, Name: team.Text, NameLang: team.Lang},
		Marking: string(l.Marking), Title: text.InputOf(l.Title), Happened: text.InputOf(l.Happened), Worked: text.InputOf(l.Worked),
		Change: text.InputOf(l.Change), Category: l.Category, Sectors: l.Sectors, Countries: l.Countries, Case: l.CaseID,
		CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
	if out.Sectors == nil {
		out.Sectors = []string{}
	}
	if out.Countries == nil {
		out.Countries = []string{}
	}
	return out
}

func (s *Service) apiList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := filterOf(q)
	limit, err := web.Limit(q.Get("limit"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	f.Limit = limit
	page, err := s.List(r.Context(), web.ViewerOf(r), f)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	ids := make([]string, len(page.Items))
	for i, l := range page.Items {
		ids[i] = l.OwnerOrg
	}
	names, err := s.Cert.Orgs.NamesIn(r.Context(), web.PrinterOf(r).Lang, ids...)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	items := make([]apiLesson, 0, len(page.Items))
	for _, l := range page.Items {
		items = append(items, s.apiOf(l, names))
	}
	web.JSON(w, http.StatusOK, web.NewList(items, page.Next))
}

func (s *Service) apiGet(w http.ResponseWriter, r *http.Request) {
	l, err := s.Get(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.answer(w, r, http.StatusOK, l)
}

// answer writes one lesson.
func (s *Service) answer(w http.ResponseWriter, r *http.Request, status int, l *Lesson) {
	names, err := s.Cert.Orgs.NamesIn(r.Context(), web.PrinterOf(r).Lang, l.OwnerOrg)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, status, s.apiOf(l, names))
}

// apiFields are the fields the API takes, absent ones left as they are.
type apiFields struct {
	Marking   *string     `json:"marking"`
	Title     *text.Input `json:"title"`
	Happened  *text.Input `json:"happened"`
	Worked    *text.Input `json:"worked"`
	Change    *text.Input `json:"change"`
	Category  *string     `json:"category"`
	Sectors   *[]string   `json:"sectors"`
	Countries *[]string   `json:"countries"`
	Case      *string     `json:"case"`
}

func (f apiFields) onto(in *Input) {
	for dst, src := range map[*string]*string{&in.Marking: f.Marking, &in.Category: f.Category, &in.CaseID: f.Case} {
		if src != nil {
			*dst = *src
		}
	}
	for dst, src := range map[*text.Input]*text.Input{&in.Title: f.Title, &in.Happened: f.Happened, &in.Worked: f.Worked, &in.Change: f.Change} {
		if src != nil {
			*dst = *src
		}
	}
	if f.Sectors != nil {
		in.Sectors = *f.Sectors
	}
	if f.Countries != nil {
		in.Countries = *f.Countries
	}
}

func (s *Service) apiCreate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		apiFields
		Team string `json:"team"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	in := Input{OwnerOrg: body.Team}
	body.onto(&in)
	l, err := s.Create(r.Context(), web.ViewerOf(r), in, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if l, err = s.Get(r.Context(), web.ViewerOf(r), l.ID); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.answer(w, r, http.StatusCreated, l)
}

func (s *Service) apiPatch(w http.ResponseWriter, r *http.Request) {
	var body apiFields
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	l, err := s.Get(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if !s.IsEditor(v, l) {
		s.Site.Fail(w, r, errNotEditor)
		return
	}
	in := InputOf(l)
	body.onto(&in)
	if l, err = s.Update(r.Context(), v, l.ID, in, web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.answer(w, r, http.StatusOK, l)
}
