package org

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

// textSchema is a text in several languages as text.Text marshals it.
var textSchema = map[string]any{"type": "object", "required": []string{"original", "versions"},
	"description": "Text in several languages: the language it was written in, and a version per language. " +
		"by (who wrote or translated a version: a person id, or \"machine\") is shown to the organisation's members only; " +
		"by and at are set by the server and ignored in requests.",
	"properties": map[string]any{
		"original": map[string]any{"type": "string", "enum": i18n.Langs},
		"versions": map[string]any{"type": "object", "propertyNames": map[string]any{"enum": i18n.Langs},
			"additionalProperties": web.Obj(map[string]any{"text": web.Str, "by": web.Str, "at": web.Time}, "text")},
	}}

// textInSchema is a translatable field of a request: a text in several
// languages, or one string in the request's lang.
var textInSchema = map[string]any{"oneOf": []any{textSchema, map[string]any{"type": "string",
	"description": "the text in one language: the request's lang, English when it has none"}}}

var orgSchema = web.Obj(map[string]any{
	"id":   web.Str,
	"slug": web.Str,
	"name": map[string]any{"type": "string",
		"description": "in the reader's language (?lang, their setting, Accept-Language), else English, else the original"},
	"name_lang": map[string]any{"type": "string", "description": "the language name is in"},
	"names":     textSchema,
	"kind":      web.Str,
	"country":   web.Str,
	"website":   web.Str,
	"description": map[string]any{"type": "string",
		"description": "in the reader's language, else English, else the original; empty when there is none"},
	"description_lang": map[string]any{"type": "string", "description": "the language description is in; absent when there is none"},
	"descriptions":     textSchema,
	"sectors":          web.Arr(web.Str),
	"verified":         web.Bool,
	"created_at":       web.Time,
}, "id", "slug", "name", "name_lang", "names", "kind", "country", "description", "descriptions")

var memberSchema = web.Obj(map[string]any{"user_id": web.Str, "name": web.Str, "email": web.Str, "roles": web.Arr(web.Str),
	"joined_at": web.Time, "owner": web.Bool}, "user_id", "name", "roles")

func (s *Service) mountAPI(site *web.Site) {
	site.API("GET /api/v1/orgs", web.Operation{ID: "listOrgs", Tag: "organisations",
		Summary: "Organisations, by original name; q finds any version of the name; filter by country, kind and sector",
		List:    true, Response: orgSchema, Query: []web.Param{{Name: "country", Description: "ISO 3166-1 alpha-2"}, {Name: "kind"}, {Name: "sector"},
			{Name: "lang", Description: "the reader's language for name and description: zh-Hans, en, fr, ar, pt or sw"}}},
		s.apiList)
	site.API("GET /api/v1/orgs/{slug}", web.Operation{ID: "getOrg", Tag: "organisations", Summary: "One organisation", Response: orgSchema,
		Query: []web.Param{{Name: "lang", Description: "the reader's language for name and description"}}},
		s.withOrg(s.apiGet))
	site.API("POST /api/v1/orgs", web.Operation{ID: "createOrg", Tag: "organisations", Auth: true, Scope: account.ScopeWrite, Status: http.StatusCreated,
		Summary: "Create an organisation; the caller becomes its owner and admin, and the author of every version of its name and description",
		Body: web.Obj(map[string]any{"name": textInSchema, "description": textInSchema,
			"lang": map[string]any{"type": "string", "enum": i18n.Langs, "description": "the language of name and description given as plain strings (default en)"},
			"slug": web.Str, "kind": web.Str, "country": web.Str, "website": web.Str, "sectors": web.Arr(web.Str)},
			"name", "slug", "kind", "country"), Response: orgSchema},
		account.RequireSignIn(site, s.apiCreate))
	site.API("GET /api/v1/orgs/{slug}/members", web.Operation{ID: "listOrgMembers", Tag: "organisations", Auth: true,
		Summary: "Members of an organisation, for its members", List: true, Response: memberSchema},
		account.RequireSignIn(site, s.withOrg(s.apiMembers)))
}

// orgJSON is an organisation as the API shows it to one reader.
type orgJSON struct {
	ID              string    `json:"id"`
	Slug            string    `json:"slug"`
	Name            string    `json:"name"`
	NameLang        string    `json:"name_lang"`
	Names           text.Text `json:"names"`
	Kind            Kind      `json:"kind"`
	Country         string    `json:"country"`
	Website         string    `json:"website"`
	Description     string    `json:"description"`
	DescriptionLang string    `json:"description_lang,omitempty"`
	Descriptions    text.Text `json:"descriptions"`
	Sectors         []string  `json:"sectors"`
	Verified        bool      `json:"verified"`
	CreatedAt       time.Time `json:"created_at"`
}

// seesAuthors reports whether the viewer may see who wrote each version of
// an organisation's texts: its members and platform administrators may.
// Person ids are not public, and a translation's author is the
// organisation's business.
func seesAuthors(v *web.Viewer, orgID string) bool {
	_, member := v.Member(orgID)
	return member || v.IsAdmin()
}

// forReader shows the organisation to a reader of lang, with who wrote
// each version when authors is set.
func (o *Org) forReader(lang string, authors bool) orgJSON {
	name, desc := o.NameIn(lang), o.DescriptionIn(lang)
	j := orgJSON{ID: o.ID, Slug: o.Slug, Name: name.Text, NameLang: name.Lang, Names: o.Names, Kind: o.Kind, Country: o.Country,
		Website: o.Website, Description: desc.Text, DescriptionLang: desc.Lang, Descriptions: o.Description, Sectors: o.Sectors,
		Verified: o.Verified, CreatedAt: o.CreatedAt}
	if !authors {
		j.Names, j.Descriptions = withoutAuthors(o.Names), withoutAuthors(o.Description)
	}
	if j.Sectors == nil {
		j.Sectors = []string{}
	}
	return j
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
	v, lang := web.ViewerOf(r), web.PrinterOf(r).Lang
	items := make([]orgJSON, len(orgs))
	for i, o := range orgs {
		items[i] = o.forReader(lang, seesAuthors(v, o.ID))
	}
	web.JSON(w, http.StatusOK, web.NewList(items, next))
}

func (s *Service) apiGet(w http.ResponseWriter, r *http.Request, o *Org) {
	web.JSON(w, http.StatusOK, o.forReader(web.PrinterOf(r).Lang, seesAuthors(web.ViewerOf(r), o.ID)))
}

// textIn is a translatable field of a request: a text.Text object, or a
// plain string in the request's language.
type textIn struct {
	text.Text
	plain *string
}

func (t *textIn) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		return nil
	case len(b) > 0 && b[0] == '"':
		t.plain = new(string)
		return json.Unmarshal(b, t.plain)
	case len(b) > 0 && b[0] == '{':
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		return dec.Decode(&t.Text)
	}
	return errors.New("a text is a string or an object")
}

// in returns the field as text, a plain string being the version in lang.
func (t textIn) in(lang string) text.Text {
	if t.plain != nil {
		return plainText(lang, *t.plain)
	}
	return t.Text
}

func (s *Service) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name        textIn   `json:"name"`
		Description textIn   `json:"description"`
		Lang        string   `json:"lang"`
		Slug        string   `json:"slug"`
		Kind        string   `json:"kind"`
		Country     string   `json:"country"`
		Website     string   `json:"website"`
		Sectors     []string `json:"sectors"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if in.Lang != "" && !i18n.Supported(in.Lang) {
		s.Site.Fail(w, r, errs.Field("org", map[string]string{"lang": "text.error.original"}))
		return
	}
	v := web.ViewerOf(r)
	o, err := s.Create(r.Context(), v, Input{Names: in.Name.in(in.Lang), Description: in.Description.in(in.Lang), Slug: in.Slug,
		Kind: in.Kind, Country: in.Country, Website: in.Website, Sectors: in.Sectors}, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, o.forReader(web.PrinterOf(r).Lang, true)) // the creator is its first member
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
