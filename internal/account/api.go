package account

import (
	"net/http"
	"time"

	"harambee.africa/harambee/internal/web"
)

var meSchema = web.Obj(map[string]any{
	"id": web.Str, "email": web.Str, "name": web.Str, "locale": web.Str, "time_zone": web.Str,
	"roles": web.Arr(web.Str),
	"organisations": web.Arr(web.Obj(map[string]any{"id": web.Str, "slug": web.Str, "name": web.Str,
		"kind": web.Str, "country": web.Str, "roles": web.Arr(web.Str)})),
}, "id", "email", "name", "locale", "organisations")

var tokenSchema = web.Obj(map[string]any{"id": web.Str, "name": web.Str, "org_id": web.Str, "scopes": web.Arr(web.Str),
	"created_at": web.Time, "expires_at": web.Time, "last_used_at": web.Time, "revoked": web.Bool}, "id", "name", "scopes")

func (s *Service) mountAPI(site *web.Site) {
	site.API("GET /api/v1/me", web.Operation{ID: "getMe", Tag: "account", Auth: true, Summary: "The caller: id, e-mail, name, locale, organisations with roles", Response: meSchema},
		RequireSignIn(site, s.apiMe))
	site.API("GET /api/v1/tokens", web.Operation{ID: "listTokens", Tag: "account", Auth: true, Summary: "The caller's personal API tokens", Response: tokenSchema, List: true},
		RequireSignIn(site, s.apiTokens))
	site.API("POST /api/v1/tokens", web.Operation{ID: "createToken", Tag: "account", Auth: true, Scope: ScopeWrite, Status: http.StatusCreated,
		Summary:  "Create a personal API token; the secret is in the answer once",
		Body:     web.Obj(map[string]any{"name": web.Str, "scopes": web.Arr(web.Str), "expires_at": web.Time}, "name", "scopes"),
		Response: web.Obj(map[string]any{"token": tokenSchema, "secret": web.Str}, "token", "secret")},
		RequireSignIn(site, s.apiCreateToken))
	site.API("DELETE /api/v1/tokens/{id}", web.Operation{ID: "revokeToken", Tag: "account", Auth: true, Scope: ScopeWrite, Status: http.StatusNoContent,
		Summary: "Revoke one of the caller's personal tokens"},
		RequireSignIn(site, s.apiRevokeToken))
}

func (s *Service) apiMe(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerOf(r)
	orgs := v.Orgs
	if orgs == nil {
		orgs = []web.Membership{}
	}
	roles := v.Roles
	if roles == nil {
		roles = []string{}
	}
	web.JSON(w, http.StatusOK, map[string]any{"id": v.ID, "email": v.Email, "name": v.Name, "locale": v.Locale,
		"time_zone": v.TimeZone, "roles": roles, "organisations": orgs})
}

func (s *Service) apiTokens(w http.ResponseWriter, r *http.Request) {
	tokens, err := s.Tokens(r.Context(), web.ViewerOf(r).ID, "")
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, web.NewList(tokens, ""))
}

func (s *Service) apiCreateToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name      string     `json:"name"`
		Scopes    []string   `json:"scopes"`
		ExpiresAt *time.Time `json:"expires_at"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	u, err := s.current(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	t, secret, err := s.CreateToken(r.Context(), u, NewToken{Name: in.Name, Scopes: in.Scopes, ExpiresAt: in.ExpiresAt}, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]any{"token": t, "secret": secret})
}

func (s *Service) apiRevokeToken(w http.ResponseWriter, r *http.Request) {
	u, err := s.current(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := s.RevokeToken(r.Context(), u, "", r.PathValue("id"), web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
