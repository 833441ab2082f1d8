package reports

import (
	"net/http"
	"strconv"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

var (
	statusSchema = web.Obj(map[string]any{"id": web.Str, "title": web.Str, "country": web.Str,
		"status": map[string]any{"type": "string", "enum": FollowStatuses}, "reason": web.Str, "created_at": web.Time, "updated_at": web.Time},
		"id", "title", "country", "status", "created_at", "updated_at")
	reportSchema = web.Obj(map[string]any{"id": web.Str, "url": web.Str, "country": web.Str,
		"team":      map[string]any{"type": "string", "description": "the team's name in the reader's language (?lang), else English, else the original"},
		"team_lang": web.Str, "title": web.Str,
		"description": web.Str, "occurred_on": map[string]any{"type": []string{"string", "null"}, "format": "date"},
		"category": web.Str, "enisa_type": web.Str, "sectors": web.Arr(web.Str), "systems": web.Str, "contact_email": web.Str, "lang": web.Str,
		"reporter": web.Str, "reporter_org": map[string]any{"type": "string", "description": "named as team is"}, "reporter_org_lang": web.Str,
		"status": map[string]any{"type": "string", "enum": []string{Received, Case, Rejected}},
		"case":   web.Str, "reason": web.Str, "forwarded_from": web.Str, "created_at": web.Time, "updated_at": web.Time},
		"id", "url", "country", "team", "team_lang", "title", "description", "status", "created_at", "updated_at")
	challengeSchema = web.Obj(map[string]any{"challenge": web.Str, "bits": map[string]any{"type": "integer"}, "question": web.Str,
		"expires": web.Time}, "challenge", "bits", "question", "expires")
	submitSchema = web.Obj(map[string]any{
		"country": map[string]any{"type": "string", "description": "ISO 3166-1 alpha-2 of the country concerned"},
		"title":   web.Str, "description": web.Str, "occurred_on": map[string]any{"type": "string", "format": "date"},
		"category": map[string]any{"type": "string", "enum": Categories}, "sectors": web.Arr(web.Str), "systems": web.Str,
		"contact_email": web.Str, "reporter_org": web.Str, "consent": map[string]any{"type": "boolean"},
		"challenge": map[string]any{"type": "string", "description": "from GET /api/v1/cert/report/challenge; not needed with a token"},
		"work":      map[string]any{"type": "string", "description": "a counter such that SHA-256(challenge \":\" work) starts with bits zero bits"},
		"answer":    map[string]any{"type": "string", "description": "or the answer to the challenge's question"}},
		"country", "title", "description", "consent")
	submittedSchema = web.Obj(map[string]any{"id": web.Str, "follow_url": web.Str, "status": web.Str}, "id", "follow_url", "status")
)

func (s *Service) mountAPI(site *web.Site) {
	signed := func(h http.HandlerFunc) http.HandlerFunc { return account.RequireSignIn(site, h) }
	site.API("GET /api/v1/cert/report/challenge", web.Operation{ID: "getCertReportChallenge", Tag: "cert", Response: challengeSchema,
		Summary: "A single-use challenge for reporting without an account: solve its proof of work or answer its question"}, s.apiChallenge)
	site.API("POST /api/v1/cert/reports", web.Operation{ID: "createCertReport", Tag: "cert", Status: http.StatusCreated, Response: submittedSchema,
		Summary: "Report an incident to the national CERT of a country. Without a token, answer a challenge (work or answer); " +
			"limited per address and hour (429 with Retry-After). follow_url is shown once",
		Body: submitSchema}, s.apiSubmit)
	site.API("GET /api/v1/cert/report/follow/{id}", web.Operation{ID: "followCertReport", Tag: "cert", Response: statusSchema,
		Summary: "The status of the report a follow link stands for; id is the link's secret, the last part of follow_url"}, s.apiFollow)
	site.API("GET /api/v1/cert/reports", web.Operation{ID: "listCertReports", Tag: "cert", Auth: true, List: true, Response: reportSchema,
		Summary: "The reports in the queues of the caller's teams, newest first",
		Query:   []web.Param{{Name: "status", Description: "received (default), case, rejected or all"}}}, signed(s.apiQueue))
	site.API("GET /api/v1/cert/reports/mine", web.Operation{ID: "listMyCertReports", Tag: "cert", Auth: true, List: true, Response: statusSchema,
		Summary: "The reports the caller made while signed in, with their status"}, signed(s.apiMine))
	site.API("GET /api/v1/cert/reports/{id}", web.Operation{ID: "getCertReport", Tag: "cert", Auth: true, Response: reportSchema,
		Summary: "A report in one of the caller's queues"}, signed(s.apiGet))
	site.API("POST /api/v1/cert/reports/{id}/case", web.Operation{ID: "openCaseFromCertReport", Tag: "cert", Auth: true, Scope: account.ScopeWrite,
		Status: http.StatusCreated, Response: web.Obj(map[string]any{"case": web.Str, "url": web.Str}, "case", "url"),
		Summary: "Open a case of the report's team from a waiting report",
		Body:    web.Obj(map[string]any{"marking": map[string]any{"type": "string", "enum": CaseMarkings}}, "marking")}, signed(s.apiCase))
	site.API("POST /api/v1/cert/reports/{id}/reject", web.Operation{ID: "rejectCertReport", Tag: "cert", Auth: true, Scope: account.ScopeWrite,
		Response: reportSchema, Summary: "Reject a waiting report with a reason the reporter is shown",
		Body: web.Obj(map[string]any{"reason": web.Str}, "reason")}, signed(s.apiReject))
	site.API("POST /api/v1/cert/reports/{id}/forward", web.Operation{ID: "forwardCertReport", Tag: "cert", Auth: true, Scope: account.ScopeWrite,
		Response: web.Obj(map[string]any{"id": web.Str, "country": web.Str}, "id", "country"),
		Summary:  "Pass a waiting report to the national CERT of another country",
		Body:     web.Obj(map[string]any{"country": web.Str}, "country")}, signed(s.apiForward))
}

type apiReport struct {
	ID            string    `json:"id"`
	URL           string    `json:"url"`
	Country       string    `json:"country"`
	Team          string    `json:"team"`
	TeamLang      string    `json:"team_lang"`
	Title         string    `json:"title"`
	Description   string    `json:"description"`
	OccurredOn    *string   `json:"occurred_on"`
	Category      string    `json:"category"`
	ENISAType     string    `json:"enisa_type"`
	Sectors       []string  `json:"sectors"`
	Systems       string    `json:"systems"`
	ContactEmail  string    `json:"contact_email"`
	Lang          string    `json:"lang"`
	Reporter      string    `json:"reporter"`
	ReporterOrg   string    `json:"reporter_org"`
	ReporterLang  string    `json:"reporter_org_lang,omitempty"`
	Status        string    `json:"status"`
	Case          string    `json:"case"`
	Reason        string    `json:"reason"`
	ForwardedFrom string    `json:"forwarded_from"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// apiOf is a report for the API, its team and the reporter's organisation
// named as the directory's API names organisations: in the reader's
// language, with the language the name is in.
func (s *Service) apiOf(r *Report, names org.Names) apiReport {
	team, by := names[r.TeamOrg], names[r.ReporterOrg]
	out := apiReport{ID: r.ID, URL: s.Site.BaseURL + r.Path(), Country: r.Country, Team: team.Text, TeamLang: team.Lang, Title: r.Title,
		Description: r.Description, Category: r.Category, ENISAType: ENISAType(r.Category), Sectors: r.Sectors, Systems: r.Systems,
		ContactEmail: r.ContactEmail, Lang: r.Lang, Reporter: r.ReporterName, ReporterOrg: by.Text, ReporterLang: by.Lang, Status: r.Status,
		Case: r.CaseID, Reason: r.Reason,
		ForwardedFrom: r.ForwardedFrom, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if out.Sectors == nil {
		out.Sectors = []string{}
	}
	if r.OccurredOn != nil {
		d := r.OccurredOn.Format(time.DateOnly)
		out.OccurredOn = &d
	}
	return out
}

func (s *Service) apiChallenge(w http.ResponseWriter, r *http.Request) {
	c, err := s.NewChallenge(web.PrinterOf(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, c)
}

func (s *Service) apiSubmit(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Country      string   `json:"country"`
		Title        string   `json:"title"`
		Description  string   `json:"description"`
		OccurredOn   string   `json:"occurred_on"`
		Category     string   `json:"category"`
		Sectors      []string `json:"sectors"`
		Systems      string   `json:"systems"`
		ContactEmail string   `json:"contact_email"`
		ReporterOrg  string   `json:"reporter_org"`
		Consent      bool     `json:"consent"`
		Challenge    string   `json:"challenge"`
		Work         string   `json:"work"`
		Answer       string   `json:"answer"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	if v != nil && v.TokenID != "" && !hasScope(v, account.ScopeWrite) {
		v = nil // a read-only token reports as the public does
	}
	in := Input{Country: body.Country, Title: body.Title, Description: body.Description, OccurredOn: body.OccurredOn, Category: body.Category,
		Sectors: body.Sectors, Systems: body.Systems, ContactEmail: body.ContactEmail, ReporterOrg: body.ReporterOrg, Consent: body.Consent,
		Lang: langOf(r)}
	sub, err := s.Submit(r.Context(), v, in, Proof{Challenge: body.Challenge, Work: body.Work, Answer: body.Answer}, web.ClientIP(r))
	if err != nil {
		if n := RetryAfter(err); n > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(n))
		}
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"id": sub.Report.ID, "follow_url": s.Site.BaseURL + FollowPath(sub.Secret),
		"status": FollowReceived})
}

func hasScope(v *web.Viewer, scope string) bool {
	for _, x := range v.Scopes {
		if x == scope {
			return true
		}
	}
	return false
}

func (s *Service) apiFollow(w http.ResponseWriter, r *http.Request) {
	st, err := s.Follow(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, st)
}

func (s *Service) apiQueue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := web.Limit(q.Get("limit"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	list, next, err := s.Queue(r.Context(), web.ViewerOf(r), Filter{Status: q.Get("status"), Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	var ids []string
	for _, rep := range list {
		ids = append(ids, rep.TeamOrg, rep.ReporterOrg)
	}
	names, err := s.Cert.Orgs.NamesIn(r.Context(), langOf(r), ids...)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	items := make([]apiReport, 0, len(list))
	for _, rep := range list {
		items = append(items, s.apiOf(rep, names))
	}
	web.JSON(w, http.StatusOK, web.NewList(items, next))
}

func (s *Service) apiMine(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := web.Limit(q.Get("limit"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	list, next, err := s.Mine(r.Context(), web.ViewerOf(r), Filter{Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	items := make([]Status, 0, len(list))
	for _, rep := range list {
		st, err := s.StatusOf(r.Context(), rep)
		if err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		items = append(items, st)
	}
	web.JSON(w, http.StatusOK, web.NewList(items, next))
}

func (s *Service) apiGet(w http.ResponseWriter, r *http.Request) {
	rep, err := s.Get(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.answer(w, r, rep)
}

// answer writes one report.
func (s *Service) answer(w http.ResponseWriter, r *http.Request, rep *Report) {
	names, err := s.Cert.Orgs.NamesIn(r.Context(), langOf(r), rep.TeamOrg, rep.ReporterOrg)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, s.apiOf(rep, names))
}

func (s *Service) apiCase(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Marking string `json:"marking"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	id, err := s.OpenCase(r.Context(), web.ViewerOf(r), r.PathValue("id"), body.Marking, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"case": id, "url": s.Site.BaseURL + "/cert/cases/" + id})
}

func (s *Service) apiReject(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	if err := s.Reject(r.Context(), v, r.PathValue("id"), body.Reason, web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	rep, err := s.Get(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.answer(w, r, rep)
}

func (s *Service) apiForward(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Country string `json:"country"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := s.Forward(r.Context(), web.ViewerOf(r), r.PathValue("id"), body.Country, web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]string{"id": r.PathValue("id"), "country": body.Country})
}
