package feeds

import (
	"net/http"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/web"
)

var (
	nullTime   = map[string]any{"type": []string{"string", "null"}, "format": "date-time"}
	feedSchema = web.Obj(map[string]any{
		"id": web.Str, "team_org": web.Str, "team": web.Str, "team_name": web.Str, "circle_id": web.Str, "circle": web.Str, "circle_name": web.Str,
		"title": web.Str, "api_root": web.Str, "collection": web.Str, "types": web.Arr(web.Str), "user": web.Str,
		"password_set":     map[string]any{"type": "boolean", "description": "whether a password or token is stored; it is never shown"},
		"interval_minutes": web.Int, "status": map[string]any{"type": "string", "enum": []string{Active, Stopped}},
		"added_after": web.Str, "resuming": web.Bool, "next_poll_at": nullTime, "last_poll_at": nullTime, "last_success_at": nullTime,
		"failures": web.Int, "last_error": web.Str, "last_error_text": web.Str, "last_error_at": nullTime, "last_error_detail": web.Str,
		"last_error_detail_key": web.Str, "last_error_detail_text": web.Str,
		"last_refused": web.Arr(web.Obj(map[string]any{"id": web.Str, "version": web.Str, "message": web.Str}, "id", "message")),
		"pages":        web.Int, "objects_added": web.Int, "objects_skipped": web.Int, "objects_refused": web.Int,
		"created_at": web.Time, "updated_at": web.Time},
		"id", "team", "circle", "title", "api_root", "collection", "types", "password_set", "interval_minutes", "status", "objects_added")
	inputProps = map[string]any{
		"title": web.Str, "api_root": map[string]any{"type": "string", "description": "the URL of the remote TAXII 2.1 API root (https)"},
		"collection": web.Str, "types": web.Arr(web.Str), "user": web.Str,
		"password":          map[string]any{"type": "string", "description": "password or token for HTTP Basic; absent keeps the stored one"},
		"clear_credentials": web.Bool, "interval_minutes": map[string]any{"type": "integer", "minimum": MinInterval, "maximum": MaxInterval}}
	probeSchema = web.Obj(map[string]any{"ok": web.Bool, "error": web.Str, "error_text": web.Str, "error_detail": web.Str,
		"error_detail_key": web.Str, "error_detail_text": web.Str, "discovery_title": web.Str,
		"listed": web.Bool, "api_root_title": web.Str, "taxii_2_1": web.Bool, "collection_title": web.Str, "can_read": web.Bool},
		"ok", "api_root_title", "collection_title", "can_read")
)

func (s *Service) mountAPI(site *web.Site) {
	signed := func(h http.HandlerFunc) http.HandlerFunc { return account.RequireSignIn(site, h) }
	site.API("GET /api/v1/cert/feeds", web.Operation{ID: "listCertFeeds", Tag: "cert", Auth: true, List: true, Response: feedSchema,
		Summary: "The TAXII subscriptions of the teams whose admin or CERT analyst the caller is, oldest first (cursor: the last id)"},
		signed(s.apiList))
	create := map[string]any{"team": map[string]any{"type": "string", "description": "slug or id of a vetted CERT the caller is an admin or analyst of"},
		"circle": map[string]any{"type": "string", "description": "slug or id of a trust circle the team is in"}}
	for k, v := range inputProps {
		create[k] = v
	}
	site.API("POST /api/v1/cert/feeds", web.Operation{ID: "createCertFeed", Tag: "cert", Auth: true, Scope: account.ScopeWrite,
		Status: http.StatusCreated, Response: feedSchema,
		Summary: "Subscribe a trust circle to a collection of a remote TAXII 2.1 server; a job polls it and imports into the circle's collection",
		Body:    web.Obj(create, "team", "circle", "title", "api_root", "collection")}, signed(s.apiCreate))
	site.API("GET /api/v1/cert/feeds/{id}", web.Operation{ID: "getCertFeed", Tag: "cert", Auth: true, Response: feedSchema,
		Summary: "A subscription, for its team's admins and CERT analysts; credentials only as password_set"}, signed(s.apiGet))
	site.API("PATCH /api/v1/cert/feeds/{id}", web.Operation{ID: "updateCertFeed", Tag: "cert", Auth: true, Scope: account.ScopeWrite,
		Response: feedSchema, Body: web.Obj(inputProps),
		Summary: "Change a subscription (the fields given); a new server, collection or type filter starts again from the beginning"},
		signed(s.apiPatch))
	site.API("DELETE /api/v1/cert/feeds/{id}", web.Operation{ID: "deleteCertFeed", Tag: "cert", Auth: true, Scope: account.ScopeWrite,
		Status: http.StatusNoContent, Summary: "End a subscription; what it imported stays in the circle's collection"}, signed(s.apiDelete))
	site.API("POST /api/v1/cert/feeds/{id}/poll", web.Operation{ID: "pollCertFeed", Tag: "cert", Auth: true, Scope: account.ScopeWrite,
		Status: http.StatusAccepted, Response: feedSchema, Summary: "Poll a subscription soon, resuming it if it stopped"}, signed(s.apiPoll))
	site.API("POST /api/v1/cert/feeds/{id}/test", web.Operation{ID: "testCertFeed", Tag: "cert", Auth: true, Scope: account.ScopeWrite,
		Response: probeSchema, Summary: "Fetch the subscription's API root and collection with its credentials and tell what the server answered"},
		signed(s.apiTest))
}

func (s *Service) apiList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := web.Limit(q.Get("limit"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	list, next, err := s.Feeds(r.Context(), web.ViewerOf(r), q.Get("cursor"), limit)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	for _, f := range list {
		translate(r, f)
	}
	web.JSON(w, http.StatusOK, web.NewList(list, next))
}

func (s *Service) apiGet(w http.ResponseWriter, r *http.Request) {
	f, err := s.Feed(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	translate(r, f)
	web.JSON(w, http.StatusOK, f)
}

type apiInput struct {
	Team       *string   `json:"team"`
	Circle     *string   `json:"circle"`
	Title      *string   `json:"title"`
	APIRoot    *string   `json:"api_root"`
	Collection *string   `json:"collection"`
	Types      *[]string `json:"types"`
	User       *string   `json:"user"`
	Password   *string   `json:"password"`
	Clear      bool      `json:"clear_credentials"`
	Interval   *int      `json:"interval_minutes"`
}

func str(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

// resolve turns a team's and a circle's slug into their ids; ids pass.
func (s *Service) resolve(r *http.Request, team, circle string) (string, string) {
	ctx := r.Context()
	if o, err := s.Cert.Orgs.BySlug(ctx, team); err == nil {
		team = o.ID
	}
	var id string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT id FROM org_groups WHERE slug = $1 OR id = $1`, circle).Scan(&id); err == nil {
		circle = id
	}
	return team, circle
}

func (s *Service) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in apiInput
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	team, circle := s.resolve(r, str(in.Team, ""), str(in.Circle, ""))
	types := []string{}
	if in.Types != nil {
		types = *in.Types
	}
	interval := 0
	if in.Interval != nil {
		interval = *in.Interval
		if interval == 0 {
			interval = -1
		}
	}
	f, err := s.Create(r.Context(), web.ViewerOf(r), Input{Team: team, Circle: circle, Title: str(in.Title, ""), APIRoot: str(in.APIRoot, ""),
		Collection: str(in.Collection, ""), Types: types, User: str(in.User, ""), Password: str(in.Password, ""), Interval: interval}, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.schedule(r.Context(), f.ID)
	w.Header().Set("Location", s.Site.BaseURL+"/api/v1/cert/feeds/"+f.ID)
	web.JSON(w, http.StatusCreated, f)
}

func (s *Service) apiPatch(w http.ResponseWriter, r *http.Request) {
	var in apiInput
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	f, err := s.Feed(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if in.Team != nil || in.Circle != nil {
		s.Site.Fail(w, r, errs.Field("cert.feeds", map[string]string{"circle": "cert.feeds.error.circle_fixed"}))
		return
	}
	types := f.Types
	if in.Types != nil {
		types = *in.Types
	}
	interval := f.Interval
	if in.Interval != nil {
		if interval = *in.Interval; interval == 0 {
			interval = -1
		}
	}
	f, err = s.Update(r.Context(), v, f.ID, Input{Title: str(in.Title, f.Title), APIRoot: str(in.APIRoot, f.APIRoot),
		Collection: str(in.Collection, f.Collection), Types: types, User: str(in.User, f.User), Password: str(in.Password, ""),
		ClearAuth: in.Clear, Interval: interval}, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.schedule(r.Context(), f.ID)
	translate(r, f)
	web.JSON(w, http.StatusOK, f)
}

func (s *Service) apiDelete(w http.ResponseWriter, r *http.Request) {
	if err := s.Delete(r.Context(), web.ViewerOf(r), r.PathValue("id"), web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) apiPoll(w http.ResponseWriter, r *http.Request) {
	f, err := s.PollNow(r.Context(), web.ViewerOf(r), r.PathValue("id"), web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.schedule(r.Context(), f.ID)
	translate(r, f)
	web.JSON(w, http.StatusAccepted, f)
}

func (s *Service) apiTest(w http.ResponseWriter, r *http.Request) {
	pr, err := s.Test(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	translateProbe(r, pr)
	web.JSON(w, http.StatusOK, pr)
}
