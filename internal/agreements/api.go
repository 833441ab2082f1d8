package agreements

import (
	"net/http"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

var (
	dateSchema     = map[string]any{"type": "string", "format": "date"}
	nullDateSchema = map[string]any{"type": []string{"string", "null"}, "format": "date"}
	textSchema     = web.Obj(map[string]any{"original": web.Str, "texts": map[string]any{"type": "object", "additionalProperties": web.Str}},
		"original", "texts")
	partyIn = web.Obj(map[string]any{"kind": map[string]any{"type": "string", "enum": PartyKinds},
		"org": web.Str, "country": web.Str, "name": web.Str}, "kind")
	eventIn = web.Obj(map[string]any{"name": web.Str, "city": web.Str, "country": web.Str, "date": web.Str})
	orgRef  = web.Obj(map[string]any{"id": web.Str, "slug": web.Str, "name": web.Str}, "id", "slug", "name")

	agreementSchema = web.Obj(map[string]any{
		"id": web.Str, "url": web.Str, "kind": map[string]any{"type": "string", "enum": Kinds},
		"title": textSchema, "scope": textSchema,
		"parties": web.Arr(web.Obj(map[string]any{"kind": web.Str, "label": web.Str, "org": orgRef, "country": web.Str, "name": web.Str},
			"kind", "label")),
		"signed_on": dateSchema, "effective_from": nullDateSchema, "expires_on": nullDateSchema,
		"status":  map[string]any{"type": "string", "enum": Statuses},
		"sectors": web.Arr(web.Str), "actions": web.Arr(web.Str), "languages": web.Arr(web.Str),
		"event": map[string]any{"type": []string{"object", "null"}, "properties": map[string]any{
			"name": web.Str, "city": web.Str, "country": web.Str, "date": nullDateSchema}},
		"owner_org": orgRef, "marking": web.Str, "state": web.Str, "created_at": web.Time, "updated_at": web.Time},
		"id", "url", "kind", "title", "scope", "parties", "signed_on", "effective_from", "expires_on", "status", "owner_org", "marking", "state")

	fieldsIn = map[string]any{"kind": map[string]any{"type": "string", "enum": Kinds}, "title": textSchema, "scope": textSchema,
		"parties": web.Arr(partyIn), "signed_on": dateSchema, "effective_from": web.Str, "expires_on": web.Str,
		"sectors": web.Arr(web.Str), "actions": web.Arr(web.Str), "languages": web.Arr(web.Str), "event": eventIn}
)

func (s *Service) mountAPI(site *web.Site) {
	site.API("GET /api/v1/agreements", web.Operation{ID: "listAgreements", Tag: "agreements", List: true, Response: agreementSchema,
		Summary: "Agreements, MoUs and cooperation documents the caller may see, newest signature first (by relevance with q)",
		Query: []web.Param{{Name: "kind", Description: "one of the kinds of document"},
			{Name: "country", Description: "ISO 3166-1 alpha-2 of a party (a government, a body, or an organisation's country)"},
			{Name: "status", Description: "in_force, expiring (in force, expiring within 90 days), expired or not_yet_in_force"}}},
		s.apiList)
	site.API("GET /api/v1/agreements/{id}", web.Operation{ID: "getAgreement", Tag: "agreements", Summary: "One agreement",
		Response: agreementSchema}, s.apiGet)
	create := map[string]any{"owner_org": web.Str, "marking": web.Str}
	for k, v := range fieldsIn {
		create[k] = v
	}
	site.API("POST /api/v1/agreements", web.Operation{ID: "createAgreement", Tag: "agreements", Auth: true, Scope: account.ScopeWrite,
		Status: http.StatusCreated, Response: agreementSchema,
		Summary: "Register an agreement, as a draft of an organisation the caller is an admin or editor of (owner_org: its slug or id); " +
			"publish it through the sharing API",
		Body: web.Obj(create, "kind", "title", "parties", "signed_on")},
		account.RequireSignIn(site, s.apiCreate))
	site.API("PATCH /api/v1/agreements/{id}", web.Operation{ID: "updateAgreement", Tag: "agreements", Auth: true, Scope: account.ScopeWrite,
		Response: agreementSchema,
		Summary:  "Change an agreement (its owner's admins and editors): the fields given replace the record's; an empty date clears it",
		Body:     web.Obj(fieldsIn)},
		account.RequireSignIn(site, s.apiPatch))
}

type apiText struct {
	Original string            `json:"original"`
	Texts    map[string]string `json:"texts"`
}

type apiOrg struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

type apiParty struct {
	Kind    string  `json:"kind"`
	Label   string  `json:"label"`
	Org     *apiOrg `json:"org,omitempty"`
	Country string  `json:"country,omitempty"`
	Name    string  `json:"name,omitempty"`
}

type apiEvent struct {
	Name    string  `json:"name"`
	City    string  `json:"city"`
	Country string  `json:"country"`
	Date    *string `json:"date"`
}

type apiAgreement struct {
	ID            string     `json:"id"`
	URL           string     `json:"url"`
	Kind          string     `json:"kind"`
	Title         apiText    `json:"title"`
	Scope         apiText    `json:"scope"`
	Parties       []apiParty `json:"parties"`
	SignedOn      string     `json:"signed_on"`
	EffectiveFrom *string    `json:"effective_from"`
	ExpiresOn     *string    `json:"expires_on"`
	Status        string     `json:"status"`
	Sectors       []string   `json:"sectors"`
	Actions       []string   `json:"actions"`
	Languages     []string   `json:"languages"`
	Event         *apiEvent  `json:"event"`
	OwnerOrg      apiOrg     `json:"owner_org"`
	Marking       string     `json:"marking"`
	State         string     `json:"state"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

func optDate(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

func (s *Service) apiOf(r *http.Request, a *Agreement) apiAgreement {
	p := web.PrinterOf(r)
	out := apiAgreement{ID: a.ID, URL: s.Site.BaseURL + a.Path(), Kind: a.Kind, Title: apiText(text.InputOf(a.Title)),
		Scope: apiText(text.InputOf(a.Scope)), Parties: []apiParty{}, SignedOn: a.SignedOn.Format(time.DateOnly),
		EffectiveFrom: optDate(a.EffectiveFrom), ExpiresOn: optDate(a.ExpiresOn), Status: a.Status(day(s.Clock.Now())),
		Sectors: nonNil(a.Sectors), Actions: nonNil(a.Actions), Languages: nonNil(a.Languages),
		OwnerOrg: apiOrg{ID: a.OwnerOrg, Slug: a.OwnerSlug, Name: a.OwnerName}, Marking: string(a.Marking), State: string(a.State),
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
	if out.Scope.Original == "" {
		out.Scope.Original = out.Title.Original
	}
	labels := partyViews(p, a.Parties)
	for i, pt := range a.Parties {
		ap := apiParty{Kind: pt.Kind, Label: labels[i].Label, Country: pt.Country, Name: pt.Name}
		if pt.Kind == PartyOrg {
			ap.Org = &apiOrg{ID: pt.OrgID, Slug: pt.OrgSlug, Name: pt.OrgName}
		}
		out.Parties = append(out.Parties, ap)
	}
	if !a.Event.IsZero() {
		out.Event = &apiEvent{Name: a.Event.Name, City: a.Event.City, Country: a.Event.Country, Date: optDate(a.Event.Date)}
	}
	return out
}

func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
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
	items := make([]apiAgreement, 0, len(page.Items))
	for _, a := range page.Items {
		items = append(items, s.apiOf(r, a))
	}
	web.JSON(w, http.StatusOK, web.NewList(items, page.Next))
}

func (s *Service) apiGet(w http.ResponseWriter, r *http.Request) {
	a, err := s.Get(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, s.apiOf(r, a))
}

// apiFields are the fields the API takes, absent ones left as they are.
type apiFields struct {
	Kind          *string       `json:"kind"`
	Title         *TextInput    `json:"title"`
	Scope         *TextInput    `json:"scope"`
	Parties       *[]PartyInput `json:"parties"`
	SignedOn      *string       `json:"signed_on"`
	EffectiveFrom *string       `json:"effective_from"`
	ExpiresOn     *string       `json:"expires_on"`
	Sectors       *[]string     `json:"sectors"`
	Actions       *[]string     `json:"actions"`
	Languages     *[]string     `json:"languages"`
	Event         *EventInput   `json:"event"`
}

// onto writes the fields given over in.
func (f apiFields) onto(in *Input) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&in.Kind, f.Kind)
	set(&in.SignedOn, f.SignedOn)
	set(&in.EffectiveFrom, f.EffectiveFrom)
	set(&in.ExpiresOn, f.ExpiresOn)
	if f.Title != nil {
		in.Title = *f.Title
	}
	if f.Scope != nil {
		in.Scope = *f.Scope
	}
	if f.Parties != nil {
		in.Parties = *f.Parties
	}
	if f.Sectors != nil {
		in.Sectors = *f.Sectors
	}
	if f.Actions != nil {
		in.Actions = *f.Actions
	}
	if f.Languages != nil {
		in.Languages = *f.Languages
	}
	if f.Event != nil {
		in.Event = *f.Event
	}
}

func (s *Service) apiCreate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		apiFields
		OwnerOrg string `json:"owner_org"`
		Marking  string `json:"marking"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	in := Input{OwnerOrg: body.OwnerOrg, Marking: body.Marking}
	body.onto(&in)
	a, err := s.Create(r.Context(), web.ViewerOf(r), in, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, s.apiOf(r, a))
}

func (s *Service) apiPatch(w http.ResponseWriter, r *http.Request) {
	var body apiFields
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	a, err := s.Get(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	in := InputOf(a)
	body.onto(&in)
	if a, err = s.Update(r.Context(), v, a.ID, in, web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, s.apiOf(r, a))
}
