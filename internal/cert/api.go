package cert

import (
	"net/http"
	"strconv"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

var textSchema = web.Obj(map[string]any{"original": web.Str, "versions": map[string]any{"type": "object"}}, "original")

var teamSchema = web.Obj(map[string]any{
	"slug": web.Str, "name": web.Str, "name_lang": web.Str, "kind": web.Str, "country": web.Str, "verified": web.Bool, "vetted": web.Bool,
	"first_member": web.Bool, "first_since": web.Int,
}, "slug", "name", "kind", "country", "verified", "vetted", "first_member")

var contactsSchema = web.Obj(map[string]any{
	"id": web.Str, "marking": web.Str, "hours": web.Str, "pgp_key_armored": web.Str, "updated_at": web.Time,
	"contacts": web.Arr(web.Obj(map[string]any{"name": web.Str, "phone": web.Str, "email": web.Str, "emergency_phone": web.Str})),
	"pgp_key": map[string]any{"type": []string{"object", "null"}, "properties": map[string]any{"fingerprint": web.Str, "algorithm": web.Str,
		"bits": web.Int, "user_ids": web.Arr(web.Str), "created": web.Time, "expires": map[string]any{"type": []string{"string", "null"}, "format": "date-time"}}},
}, "id", "marking", "contacts")

var profileSchema = web.Obj(map[string]any{
	"slug": web.Str, "name": web.Str, "name_lang": web.Str, "kind": web.Str, "country": web.Str, "verified": web.Bool, "vetted": web.Bool,
	"founding": web.Bool, "vouchers": web.Arr(web.Str), "constituency": textSchema, "constituency_text": web.Str, "languages": web.Arr(web.Str),
	"first_member": web.Bool, "first_since": web.Int,
	"contacts":   map[string]any{"oneOf": []any{contactsSchema, map[string]any{"type": "null"}}},
	"agreements": web.Arr(web.Obj(map[string]any{"id": web.Str, "title": web.Str, "path": web.Str}, "id", "title", "path")),
}, "slug", "name", "kind", "country", "vetted", "languages", "contacts", "agreements")

func (s *Service) mountAPI(site *web.Site) {
	site.API("GET /api/v1/cert/teams", web.Operation{ID: "listCertTeams", Tag: "cert", List: true,
		Summary:  "The CERT directory: national and sector CERTs by country, then name (cursor is an offset)",
		Query:    []web.Param{{Name: "country", Description: "ISO 3166-1 alpha-2 code"}, {Name: "vetted", Description: "1 for vetted CERTs only"}},
		Response: teamSchema}, s.apiList)
	site.API("GET /api/v1/cert/teams/{slug}", web.Operation{ID: "getCertTeam", Tag: "cert",
		Summary:  "A team's profile; contacts (24/7 contacts, PGP key, hours) only for vetted CERTs and the team itself, null otherwise",
		Response: profileSchema}, s.apiGet)
	site.API("PUT /api/v1/cert/teams/{slug}", web.Operation{ID: "putCertTeam", Tag: "cert", Auth: true,
		Summary: "Replace a team's profile and contacts (the team's admins and CERT analysts)",
		Body: web.Obj(map[string]any{"constituency": textSchema, "languages": web.Arr(web.Str), "first_member": web.Bool, "first_since": web.Int,
			"contacts": web.Arr(web.Obj(map[string]any{"name": web.Str, "phone": web.Str, "email": web.Str, "emergency_phone": web.Str})),
			"hours":    web.Str, "pgp_key": web.Str}),
		Response: profileSchema}, account.RequireSignIn(site, s.apiPut))
	site.API("POST /api/v1/cert/teams/{slug}/vouch", web.Operation{ID: "vouchForCertTeam", Tag: "cert", Auth: true,
		Summary: "Vouch for a team as a vetted CERT whose admin you are, or withdraw the vouch",
		Body:    web.Obj(map[string]any{"org": web.Str, "withdraw": web.Bool}, "org"), Response: profileSchema}, account.RequireSignIn(site, s.apiVouch))
	site.API("POST /api/v1/cert/teams/{slug}/founding", web.Operation{ID: "setCertFounding", Tag: "cert", Auth: true,
		Summary: "Platform administrators: mark a verified CERT as a founding vetted CERT (only while fewer than two are vetted), or unmark it",
		Body:    web.Obj(map[string]any{"founding": web.Bool}, "founding"), Response: profileSchema}, account.RequireSignIn(site, s.apiFounding))
}

type teamJSON struct {
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	NameLang    string `json:"name_lang"`
	Kind        string `json:"kind"`
	Country     string `json:"country"`
	Verified    bool   `json:"verified"`
	Vetted      bool   `json:"vetted"`
	FirstMember bool   `json:"first_member"`
	FirstSince  int    `json:"first_since,omitempty"`
}

func (s *Service) apiList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := web.Limit(q.Get("limit"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	f, err := s.filterOf(q)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if c := q.Get("cursor"); c != "" {
		if f.Offset, err = strconv.Atoi(c); err != nil || f.Offset < 0 {
			s.Site.Fail(w, r, errs.E("cert.directory", errs.Invalid, "error.cursor"))
			return
		}
	}
	f.Limit = limit
	rows, more, err := s.Directory(r.Context(), f)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	l := lang(r)
	items := make([]teamJSON, 0, len(rows))
	for _, row := range rows {
		n := row.Org.NameIn(l)
		items = append(items, teamJSON{Slug: row.Org.Slug, Name: n.Text, NameLang: n.Lang, Kind: string(row.Org.Kind), Country: row.Org.Country,
			Verified: row.Org.Verified, Vetted: row.Vetted, FirstMember: row.FirstMember, FirstSince: row.FirstSince})
	}
	next := ""
	if more {
		next = strconv.Itoa(f.Offset + limit)
	}
	web.JSON(w, http.StatusOK, web.NewList(items, next))
}

type agreementJSON struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Path  string `json:"path"`
}

type profileJSON struct {
	teamJSON
	Founding         bool            `json:"founding"`
	Vouchers         []string        `json:"vouchers"`
	Constituency     text.Text       `json:"constituency"`
	ConstituencyText string          `json:"constituency_text"`
	Languages        []string        `json:"languages"`
	Contacts         *Contacts       `json:"contacts"`
	Agreements       []agreementJSON `json:"agreements"`
	UpdatedAt        *time.Time      `json:"updated_at,omitempty"`
}

func (s *Service) replyProfile(w http.ResponseWriter, r *http.Request, slug string) {
	o, err := s.Team(r.Context(), slug)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	d, err := s.profileData(r, o)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	p := d.Profile
	out := profileJSON{teamJSON: teamJSON{Slug: o.Slug, Name: d.Name.Text, NameLang: d.Name.Lang, Kind: string(o.Kind), Country: o.Country,
		Verified: o.Verified, Vetted: p.Vetted, FirstMember: p.FirstMember, FirstSince: p.FirstSince},
		Founding: p.Founding, Vouchers: p.Vouchers, Constituency: p.Constituency, ConstituencyText: d.Constituency.Text,
		Languages: p.Languages, Contacts: d.Contacts, Agreements: []agreementJSON{}, UpdatedAt: p.UpdatedAt}
	for _, a := range d.Agreements {
		out.Agreements = append(out.Agreements, agreementJSON{ID: a.ID, Title: a.Title.Text, Path: "/agreements/" + a.ID})
	}
	web.JSON(w, http.StatusOK, out)
}

func (s *Service) apiGet(w http.ResponseWriter, r *http.Request) {
	s.replyProfile(w, r, r.PathValue("slug"))
}

func (s *Service) apiPut(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Constituency text.Text `json:"constituency"`
		Languages    []string  `json:"languages"`
		FirstMember  bool      `json:"first_member"`
		FirstSince   int       `json:"first_since"`
		Contacts     []Contact `json:"contacts"`
		Hours        string    `json:"hours"`
		PGPKey       string    `json:"pgp_key"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	o, err := s.Team(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	now := s.Clock.Now()
	for l, ver := range in.Constituency.Versions {
		ver.By, ver.At = v.ID, now
		in.Constituency.Versions[l] = ver
	}
	since := ""
	if in.FirstSince != 0 {
		since = strconv.Itoa(in.FirstSince)
	}
	if err := s.Save(r.Context(), v, o, Input{Constituency: in.Constituency, Languages: in.Languages, FirstMember: in.FirstMember,
		FirstSince: since, Contacts: in.Contacts, Hours: in.Hours, PGPKey: in.PGPKey}, web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.replyProfile(w, r, o.Slug)
}

func (s *Service) apiVouch(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Org      string `json:"org"` // slug or id of the vouching CERT
		Withdraw bool   `json:"withdraw"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	o, err := s.Team(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	voucher := in.Org
	if vo, err := s.Orgs.BySlug(r.Context(), in.Org); err == nil {
		voucher = vo.ID
	}
	if err := s.Vouch(r.Context(), web.ViewerOf(r), o, voucher, !in.Withdraw, web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.replyProfile(w, r, o.Slug)
}

func (s *Service) apiFounding(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Founding bool `json:"founding"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	o, err := s.Team(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := s.SetFounding(r.Context(), web.ViewerOf(r), o, in.Founding, web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.replyProfile(w, r, o.Slug)
}
