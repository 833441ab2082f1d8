package membership

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/web"
)

var textSchema = web.Obj(map[string]any{"original": web.Str, "texts": map[string]any{"type": "object", "additionalProperties": web.Str}}, "original", "texts")

var appSchema = web.Obj(map[string]any{
	"id": web.Str, "org_id": web.Str, "org_slug": web.Str, "org_name": web.Str, "org_verified": web.Bool,
	"countries": web.Arr(web.Str), "activities": web.Obj(map[string]any{"original": web.Str, "versions": map[string]any{"type": "object"}}),
	"activities_text": web.Str, "started_year": web.Int, "website": web.Str, "contact_name": web.Str, "contact_email": web.Str,
	"statement": web.Str, "status": web.Str, "marking": web.Str, "created_at": web.Time, "updated_at": web.Time,
	"decided_at": map[string]any{"type": []string{"string", "null"}, "format": "date-time"},
	"steps":      web.Arr(web.Obj(map[string]any{"step": web.Str, "by_office": web.Bool, "message": web.Str, "created_at": web.Time})),
}, "id", "org_slug", "countries", "status", "created_at")

func (s *Service) mountAPI(site *web.Site) {
	site.API("GET /api/v1/network/applications", web.Operation{ID: "listNetworkApplications", Tag: "network", List: true,
		Summary:  "Applications to join the cooperation network the caller may see, newest first: the officers' queue, or an applicant's own",
		Query:    []web.Param{{Name: "status", Description: "submitted, more_info_requested, approved, rejected or removed"}},
		Response: appSchema}, s.apiList)
	site.API("POST /api/v1/network/applications", web.Operation{ID: "applyToNetwork", Tag: "network", Auth: true, Status: http.StatusCreated,
		Summary: "Apply to join the cooperation network for an organisation you are an admin of (a Chinese internet enterprise working in Africa)",
		Body: web.Obj(map[string]any{"org": web.Str, "countries": web.Arr(web.Str), "activities": textSchema, "started_year": web.Int,
			"website": web.Str, "contact_name": web.Str, "contact_email": web.Str, "statement": web.Str},
			"org", "countries", "activities", "started_year", "contact_name", "contact_email", "statement"),
		Response: appSchema}, account.RequireSignIn(site, s.apiApply))
	site.API("GET /api/v1/network/applications/{id}", web.Operation{ID: "getNetworkApplication", Tag: "network",
		Summary: "One application with its history, if the caller may see it", Response: appSchema}, s.apiGet)
	site.API("POST /api/v1/network/applications/{id}/review", web.Operation{ID: "reviewNetworkApplication", Tag: "network", Auth: true,
		Summary:  "Programme officers: approve, ask for more information or reject (a reason is required to ask or reject)",
		Body:     web.Obj(map[string]any{"decision": map[string]any{"type": "string", "enum": Decisions}, "reason": web.Str}, "decision"),
		Response: appSchema}, account.RequireSignIn(site, s.apiReview))
	site.API("POST /api/v1/network/applications/{id}/reply", web.Operation{ID: "replyToNetworkApplication", Tag: "network", Auth: true,
		Summary: "The applicant's admins answer a request for more information",
		Body:    web.Obj(map[string]any{"answer": web.Str}, "answer"), Response: appSchema}, account.RequireSignIn(site, s.apiReply))
	site.API("POST /api/v1/network/applications/{id}/remove", web.Operation{ID: "removeNetworkMember", Tag: "network", Auth: true,
		Summary: "Programme officers: take an approved member out of the network, with a reason",
		Body:    web.Obj(map[string]any{"reason": web.Str}, "reason"), Response: appSchema}, account.RequireSignIn(site, s.apiRemove))
	site.API("GET /api/v1/network/members", web.Operation{ID: "listNetworkMembers", Tag: "network", List: true,
		Summary: "The member organisations of the cooperation network, by name (cursor is an offset)",
		Response: web.Obj(map[string]any{"slug": web.Str, "name": web.Str, "name_lang": web.Str, "country": web.Str, "since": web.Time},
			"slug", "name", "country", "since")}, s.apiMembers)
}

// appJSON is an application as the API gives it: activities also in the
// reader's language.
type appJSON struct {
	*Application
	ActivitiesText string `json:"activities_text"`
}

func (s *Service) reply(w http.ResponseWriter, r *http.Request, status int, a *Application) {
	text, _ := a.Activities.In(lang(r))
	web.JSON(w, status, appJSON{Application: a, ActivitiesText: text})
}

func (s *Service) apiList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := web.Limit(q.Get("limit"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	status := q.Get("status")
	if status != "" && !slices.Contains(Statuses, status) {
		s.Site.Fail(w, r, errs.Field("network.applications", map[string]string{"status": "network.membership.error.status"}))
		return
	}
	list, next, err := s.List(r.Context(), web.ViewerOf(r), Filter{Status: status, Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	l := lang(r)
	items := make([]appJSON, 0, len(list))
	for _, a := range list {
		text, _ := a.Activities.In(l)
		items = append(items, appJSON{Application: a, ActivitiesText: text})
	}
	web.JSON(w, http.StatusOK, web.NewList(items, next))
}

func (s *Service) apiApply(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Org          string    `json:"org"` // slug or id
		Countries    []string  `json:"countries"`
		Activities   TextInput `json:"activities"`
		StartedYear  int       `json:"started_year"`
		Website      string    `json:"website"`
		ContactName  string    `json:"contact_name"`
		ContactEmail string    `json:"contact_email"`
		Statement    string    `json:"statement"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	orgID := in.Org
	if o, err := s.Orgs.BySlug(r.Context(), in.Org); err == nil {
		orgID = o.ID
	}
	vals, bad := in.Activities.values("activities")
	if bad != nil {
		s.Site.Fail(w, r, errs.Field("network.apply", bad))
		return
	}
	a, err := s.Submit(r.Context(), web.ViewerOf(r), orgID, Input{Countries: in.Countries, StartedYear: strconv.Itoa(in.StartedYear),
		Website: in.Website, ContactName: in.ContactName, ContactEmail: in.ContactEmail, Statement: in.Statement}, vals, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	w.Header().Set("Location", s.Site.BaseURL+"/api/v1/network/applications/"+a.ID)
	s.reply(w, r, http.StatusCreated, a)
}

func (s *Service) apiGet(w http.ResponseWriter, r *http.Request) {
	a, err := s.Get(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, a)
}

func (s *Service) apiReview(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Decision string `json:"decision"`
		Reason   string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	a, err := s.Review(r.Context(), web.ViewerOf(r), r.PathValue("id"), in.Decision, in.Reason, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, a)
}

func (s *Service) apiReply(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Answer string `json:"answer"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	a, err := s.Reply(r.Context(), web.ViewerOf(r), r.PathValue("id"), in.Answer, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, a)
}

func (s *Service) apiRemove(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	a, err := s.Remove(r.Context(), web.ViewerOf(r), r.PathValue("id"), in.Reason, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, a)
}

type memberJSON struct {
	Slug     string    `json:"slug"`
	Name     string    `json:"name"`
	NameLang string    `json:"name_lang"`
	Country  string    `json:"country"`
	Since    time.Time `json:"since"`
}

func (s *Service) apiMembers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := web.Limit(q.Get("limit"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	offset := 0
	if c := q.Get("cursor"); c != "" {
		if offset, err = strconv.Atoi(c); err != nil || offset < 0 {
			s.Site.Fail(w, r, errs.E("network.members", errs.Invalid, "error.cursor"))
			return
		}
	}
	list, more, err := s.Members(r.Context(), offset, limit)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	l := lang(r)
	items := make([]memberJSON, 0, len(list))
	for _, m := range list {
		n := m.Org.NameIn(l)
		items = append(items, memberJSON{Slug: m.Slug, Name: n.Text, NameLang: n.Lang, Country: m.Country, Since: m.Since})
	}
	next := ""
	if more {
		next = strconv.Itoa(offset + limit)
	}
	web.JSON(w, http.StatusOK, web.NewList(items, next))
}
