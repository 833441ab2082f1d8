package org

import (
	"net/http"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/web"
)

var orgSchema = web.Obj(map[string]any{"id": web.Str, "slug": web.Str, "name": web.Str, "kind": web.Str, "country": web.Str,
	"website": web.Str, "description": web.Str, "sectors": web.Arr(web.Str), "verified": web.Bool, "created_at": web.Time},
	"id", "slug", "name", "kind", "country")

var memberSchema = web.Obj(map[string]any{"user_id": web.Str, "name": web.Str, "email": web.Str, "roles": web.Arr(web.Str),
	"joined_at": web.Time, "owner": web.Bool}, "user_id", "name", "roles")

func (s *Service) mountAPI(site *web.Site) {
	site.API("GET /api/v1/orgs", web.Operation{ID: "listOrgs", Tag: "organisations", Summary: "Organisations, by name; filter by country, kind and sector",
		List: true, Response: orgSchema, Query: []web.Param{{Name: "country", Description: "ISO 3166-1 alpha-2"}, {Name: "kind"}, {Name: "sector"}}},
		s.apiList)
	site.API("GET /api/v1/orgs/{slug}", web.Operation{ID: "getOrg", Tag: "organisations", Summary: "One organisation", Response: orgSchema},
		s.withOrg(s.apiGet))
	site.API("POST /api/v1/orgs", web.Operation{ID: "createOrg", Tag: "organisations", Auth: true, Scope: account.ScopeWrite, Status: http.StatusCreated,
		Summary: "Create an organisation; the caller becomes its owner and admin",
		Body: web.Obj(map[string]any{"name": web.Str, "slug": web.Str, "kind": web.Str, "country": web.Str, "website": web.Str,
			"description": web.Str, "sectors": web.Arr(web.Str)}, "name", "slug", "kind", "country"), Response: orgSchema},
		account.RequireSignIn(site, s.apiCreate))
	site.API("GET /api/v1/orgs/{slug}/members", web.Operation{ID: "listOrgMembers", Tag: "organisations", Auth: true,
		Summary: "Members of an organisation, for its members", List: true, Response: memberSchema},
		account.RequireSignIn(site, s.withOrg(s.apiMembers)))
}

func (s *Service) apiList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := web.Limit(q.Get("limit"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	orgs, next, err := s.List(r.Context(), Filter{Q: q.Get("q"), Country: q.Get("country"), Kind: q.Get("kind"), Sector: q.Get("sector"),
		After: q.Get("cursor"), Limit: limit})
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, web.NewList(orgs, next))
}

func (s *Service) apiGet(w http.ResponseWriter, r *http.Request, o *Org) {
	web.JSON(w, http.StatusOK, o)
}

func (s *Service) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name        string   `json:"name"`
		Slug        string   `json:"slug"`
		Kind        string   `json:"kind"`
		Country     string   `json:"country"`
		Website     string   `json:"website"`
		Description string   `json:"description"`
		Sectors     []string `json:"sectors"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	o, err := s.Create(r.Context(), web.ViewerOf(r), Input{Name: in.Name, Slug: in.Slug, Kind: in.Kind, Country: in.Country,
		Website: in.Website, Description: in.Description, Sectors: in.Sectors}, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if o.Sectors == nil {
		o.Sectors = []string{}
	}
	web.JSON(w, http.StatusCreated, o)
}

func (s *Service) apiMembers(w http.ResponseWriter, r *http.Request, o *Org) {
	v := web.ViewerOf(r)
	if _, ok := v.Member(o.ID); !ok && !v.IsAdmin() {
		s.Site.Fail(w, r, errForbidden)
		return
	}
	members, err := s.Members(r.Context(), v, o)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, web.NewList(members, ""))
}
