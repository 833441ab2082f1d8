package org

import (
	"net/http"
	"net/url"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/web"
)

// Mount registers the organisation pages and API.
func (s *Service) Mount(site *web.Site) {
	site.AddPages(templateFS, "templates/org/*.html")
	signed := func(h http.HandlerFunc) http.HandlerFunc { return account.RequireSignIn(site, h) }
	site.PageFunc("GET /orgs", s.listPage)
	site.PageFunc("GET /orgs/new", signed(s.newPage))
	site.PageFunc("POST /orgs", signed(s.createPost))
	site.PageFunc("GET /orgs/{slug}", s.withOrg(s.showPage))
	site.PageFunc("GET /orgs/{slug}/edit", signed(s.withOrg(s.editPage)))
	site.PageFunc("POST /orgs/{slug}/edit", signed(s.withOrg(s.editPost)))
	site.PageFunc("GET /orgs/{slug}/members", signed(s.withOrg(s.membersPage)))
	site.PageFunc("POST /orgs/{slug}/invitations", signed(s.withOrg(s.invitePost)))
	site.PageFunc("POST /orgs/{slug}/invitations/{id}/revoke", signed(s.withOrg(s.revokeInvitationPost)))
	site.PageFunc("POST /orgs/{slug}/members/{user}/roles", signed(s.withOrg(s.rolesPost)))
	site.PageFunc("POST /orgs/{slug}/members/{user}/remove", signed(s.withOrg(s.removePost)))
	site.PageFunc("POST /orgs/{slug}/transfer", signed(s.withOrg(s.transferPost)))
	site.PageFunc("GET /orgs/{slug}/tokens", signed(s.withOrg(s.tokensPage)))
	site.PageFunc("POST /orgs/{slug}/tokens", signed(s.withOrg(s.tokenCreatePost)))
	site.PageFunc("POST /orgs/{slug}/tokens/{id}/revoke", signed(s.withOrg(s.tokenRevokePost)))
	site.PageFunc("GET /invitations/{secret}", s.invitationPage)
	site.PageFunc("POST /invitations/{secret}", signed(s.invitationPost))
	site.PageFunc("GET /admin/orgs", account.RequireAdmin(site, s.adminPage))
	site.PageFunc("POST /admin/orgs/{slug}/verify", account.RequireAdmin(site, s.withOrg(s.verifyPost)))
	s.mountAPI(site)
}

type orgHandler func(w http.ResponseWriter, r *http.Request, o *Org)

func (s *Service) withOrg(h orgHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		o, err := s.BySlug(r.Context(), r.PathValue("slug"))
		if err != nil || o.Kind == ProgrammeOffice && web.ViewerOf(r) == nil {
			s.Site.Fail(w, r, errs.E("org", errs.NotFound, "error.not_found"))
			return
		}
		h(w, r, o)
	}
}

// formData is what the organisation form needs.
type formData struct {
	Org       *Org
	Kinds     []Kind
	Sectors   []string
	Countries []Option
	Chosen    map[string]bool
}

func (s *Service) formData(r *http.Request, o *Org, f *web.Form) formData {
	chosen := map[string]bool{}
	for _, sec := range f.Values["sectors"] {
		chosen[sec] = true
	}
	return formData{Org: o, Kinds: Kinds, Sectors: Sectors, Countries: countryOptions(web.PrinterOf(r).Lang, false), Chosen: chosen}
}

// inputOf reads the organisation form: the name and description side by
// side in the six languages. A plain name field (scripts written before
// the side-by-side form) is the version in the form's lang, else English.
func inputOf(f *web.Form) Input {
	in := Input{Names: formText(f, "name"), Description: formText(f, "description"), Slug: f.Value("slug"), Kind: f.Value("kind"),
		Country: f.Value("country"), Website: f.Value("website"), Sectors: f.Values["sectors"]}
	if in.Names.Original == "" && len(in.Names.Versions) == 0 {
		in.Name, in.Lang = f.Value("name"), f.Trimmed("lang")
	}
	return in
}

func (s *Service) listPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := Filter{Q: q.Get("q"), Country: q.Get("country"), Kind: q.Get("kind"), Sector: q.Get("sector"), After: q.Get("cursor"), Limit: 30}
	orgs, next, err := s.List(r.Context(), f)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	lang := web.PrinterOf(r).Lang
	names := map[string]string{}
	for _, o := range orgs {
		names[o.Country] = countryName(lang, o.Country)
	}
	nextURL := ""
	if next != "" {
		q.Set("cursor", next)
		nextURL = "/orgs?" + q.Encode()
	}
	s.Site.Render(w, r, http.StatusOK, "org/list", map[string]any{"Orgs": orgs, "Next": nextURL, "Filter": f,
		"Kinds": Kinds, "Sectors": Sectors, "Countries": countryOptions(lang, true), "CountryNames": names})
}

func (s *Service) newPage(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(url.Values{})
	s.Site.RenderForm(w, r, http.StatusOK, "org/form", s.formData(r, nil, f), f)
}

func (s *Service) createPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	o, err := s.Create(r.Context(), web.ViewerOf(r), inputOf(f), web.ClientIP(r))
	if err != nil {
		if f.Merge(err) {
			s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "org/form", s.formData(r, nil, f), f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/orgs/"+o.Slug, "org.flash.created")
}

func (s *Service) showPage(w http.ResponseWriter, r *http.Request, o *Org) {
	v, lang := web.ViewerOf(r), web.PrinterOf(r).Lang
	data := map[string]any{"Org": o, "Admin": v != nil && s.IsAdmin(v, o.ID), "Name": o.NameIn(lang), "Description": o.DescriptionIn(lang)}
	if name := data["Name"].(Shown); !name.Original {
		data["OriginalName"] = shown(o.Names, o.Names.Original)
	}
	if _, ok := v.Member(o.ID); ok {
		members, err := s.Members(r.Context(), v, o)
		if err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		versions, err := s.versions(r.Context(), o)
		if err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		data["Members"] = members
		data["Member"] = true
		data["Versions"] = versions
	}
	if o.Country != "" {
		data["Country"] = countryName(lang, o.Country)
	}
	s.Site.Render(w, r, http.StatusOK, "org/show", data)
}

func (s *Service) editPage(w http.ResponseWriter, r *http.Request, o *Org) {
	if !s.IsAdmin(web.ViewerOf(r), o.ID) {
		s.Site.Fail(w, r, errs.E("org", errs.Forbidden, "error.forbidden"))
		return
	}
	vals := url.Values{"kind": {string(o.Kind)}, "country": {o.Country}, "website": {o.Website}, "sectors": o.Sectors}
	formValues(vals, "name", o.Names)
	formValues(vals, "description", o.Description)
	f := web.NewForm(vals)
	s.Site.RenderForm(w, r, http.StatusOK, "org/form", s.formData(r, o, f), f)
}

func (s *Service) editPost(w http.ResponseWriter, r *http.Request, o *Org) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := s.Update(r.Context(), web.ViewerOf(r), o, inputOf(f), web.ClientIP(r)); err != nil {
		if f.Merge(err) {
			s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "org/form", s.formData(r, o, f), f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/orgs/"+o.Slug, "account.flash.saved")
}

func (s *Service) membersPage(w http.ResponseWriter, r *http.Request, o *Org) {
	s.renderMembers(w, r, o, http.StatusOK, nil)
}

func (s *Service) renderMembers(w http.ResponseWriter, r *http.Request, o *Org, status int, f *web.Form) {
	v := web.ViewerOf(r)
	if _, ok := v.Member(o.ID); !ok {
		s.Site.Fail(w, r, errs.E("org", errs.Forbidden, "error.forbidden"))
		return
	}
	members, err := s.Members(r.Context(), v, o)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	admin := s.IsAdmin(v, o.ID)
	data := map[string]any{"Org": o, "Members": members, "Admin": admin, "Roles": Roles, "Owner": v.ID == o.OwnerID, "Me": v.ID}
	if admin {
		inv, err := s.Invitations(r.Context(), o)
		if err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		data["Invitations"] = inv
	}
	s.Site.RenderForm(w, r, status, "org/members", data, f)
}

// act runs a form action about an organisation and returns to the members page.
func (s *Service) act(w http.ResponseWriter, r *http.Request, o *Org, do func(*web.Form) error, flash string) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := do(f); err != nil {
		if f.Merge(err) {
			s.renderMembers(w, r, o, http.StatusUnprocessableEntity, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/orgs/"+o.Slug+"/members", flash)
}

func (s *Service) invitePost(w http.ResponseWriter, r *http.Request, o *Org) {
	s.act(w, r, o, func(f *web.Form) error {
		lang := f.Value("lang")
		if lang == "" {
			lang = web.PrinterOf(r).Lang
		}
		return s.Invite(r.Context(), web.ViewerOf(r), o, f.Value("email"), f.Values["roles"], lang, web.ClientIP(r))
	}, "org.flash.invited")
}

func (s *Service) revokeInvitationPost(w http.ResponseWriter, r *http.Request, o *Org) {
	s.act(w, r, o, func(f *web.Form) error {
		return s.RevokeInvitation(r.Context(), web.ViewerOf(r), o, r.PathValue("id"), web.ClientIP(r))
	}, "org.flash.invitation_revoked")
}

func (s *Service) rolesPost(w http.ResponseWriter, r *http.Request, o *Org) {
	s.act(w, r, o, func(f *web.Form) error {
		return s.SetRoles(r.Context(), web.ViewerOf(r), o, r.PathValue("user"), f.Values["roles"], web.ClientIP(r))
	}, "account.flash.saved")
}

func (s *Service) removePost(w http.ResponseWriter, r *http.Request, o *Org) {
	v := web.ViewerOf(r)
	leaving := r.PathValue("user") == v.ID
	if err := s.Remove(r.Context(), v, o, r.PathValue("user"), web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if leaving {
		s.Site.Redirect(w, r, "/orgs/"+o.Slug, "org.flash.left")
		return
	}
	s.Site.Redirect(w, r, "/orgs/"+o.Slug+"/members", "org.flash.removed")
}

func (s *Service) transferPost(w http.ResponseWriter, r *http.Request, o *Org) {
	s.act(w, r, o, func(f *web.Form) error {
		return s.Transfer(r.Context(), web.ViewerOf(r), o, f.Value("user"), web.ClientIP(r))
	}, "org.flash.transferred")
}

func (s *Service) tokensPage(w http.ResponseWriter, r *http.Request, o *Org) {
	s.renderTokens(w, r, o, http.StatusOK, nil, "")
}

func (s *Service) renderTokens(w http.ResponseWriter, r *http.Request, o *Org, status int, f *web.Form, secret string) {
	if !s.IsAdmin(web.ViewerOf(r), o.ID) {
		s.Site.Fail(w, r, errs.E("org", errs.Forbidden, "error.forbidden"))
		return
	}
	tokens, err := s.Accounts.Tokens(r.Context(), "", o.ID)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.RenderForm(w, r, status, "org/tokens", map[string]any{"Org": o, "Tokens": tokens, "Secret": secret, "Scopes": account.Scopes}, f)
}

func (s *Service) tokenCreatePost(w http.ResponseWriter, r *http.Request, o *Org) {
	v := web.ViewerOf(r)
	if !s.IsAdmin(v, o.ID) {
		s.Site.Fail(w, r, errs.E("org", errs.Forbidden, "error.forbidden"))
		return
	}
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	u, err := s.Accounts.UserByID(r.Context(), v.ID)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	exp, ok := account.ParseExpiry(f.Value("expires"))
	if !ok {
		f.Set("expires", "account.error.date_invalid")
		s.renderTokens(w, r, o, http.StatusUnprocessableEntity, f, "")
		return
	}
	_, secret, err := s.Accounts.CreateToken(r.Context(), u, account.NewToken{Name: f.Value("name"), Scopes: f.Values["scopes"], ExpiresAt: exp, OrgID: o.ID}, web.ClientIP(r))
	if err != nil {
		if f.Merge(err) {
			s.renderTokens(w, r, o, http.StatusUnprocessableEntity, f, "")
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.renderTokens(w, r, o, http.StatusCreated, nil, secret)
}

func (s *Service) tokenRevokePost(w http.ResponseWriter, r *http.Request, o *Org) {
	v := web.ViewerOf(r)
	if !s.IsAdmin(v, o.ID) {
		s.Site.Fail(w, r, errs.E("org", errs.Forbidden, "error.forbidden"))
		return
	}
	u, err := s.Accounts.UserByID(r.Context(), v.ID)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := s.Accounts.RevokeToken(r.Context(), u, o.ID, r.PathValue("id"), web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/orgs/"+o.Slug+"/tokens", "account.flash.token_revoked")
}

func (s *Service) invitationPage(w http.ResponseWriter, r *http.Request) {
	in, err := s.PeekInvitation(r.Context(), r.PathValue("secret"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Render(w, r, http.StatusOK, "org/invitation", map[string]any{"Invitation": in, "Here": r.URL.Path})
}

func (s *Service) invitationPost(w http.ResponseWriter, r *http.Request) {
	in, err := s.Accept(r.Context(), web.ViewerOf(r), r.PathValue("secret"), web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/orgs/"+in.OrgSlug, "org.flash.joined")
}

func (s *Service) adminPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	kind := q.Get("kind")
	orgs, next, err := s.List(r.Context(), Filter{Q: q.Get("q"), Kind: kind, After: q.Get("cursor"), Limit: 50})
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	nextURL := ""
	if next != "" {
		q.Set("cursor", next)
		nextURL = "/admin/orgs?" + q.Encode()
	}
	s.Site.Render(w, r, http.StatusOK, "org/admin", map[string]any{"Orgs": orgs, "Next": nextURL, "Q": q.Get("q"), "Kind": kind, "Kinds": Kinds})
}

func (s *Service) verifyPost(w http.ResponseWriter, r *http.Request, o *Org) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := s.SetVerified(r.Context(), web.ViewerOf(r), o, f.Value("verified") == "1", web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/admin/orgs", "account.flash.saved")
}
