package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

// Mount registers the pages, the script and the API.
func (s *Service) Mount(site *web.Site) {
	site.AddPages(templateFS, "templates/cert-reports/*.html")
	signed := func(h http.HandlerFunc) http.HandlerFunc { return account.RequireSignIn(site, h) }
	site.PageFunc("GET /cert/report", s.reportPage)
	site.PageFunc("POST /cert/report", s.reportPost)
	site.PageFunc("GET /cert/report/pow.js", s.script)
	site.PageFunc("GET /cert/report/follow/{secret}", s.followPage)
	site.PageFunc("GET /cert/reports", signed(s.queuePage))
	site.PageFunc("GET /cert/reports/mine", signed(s.minePage))
	site.PageFunc("GET /cert/reports/{id}", signed(s.showPage))
	site.PageFunc("POST /cert/reports/{id}/case", signed(s.casePost))
	site.PageFunc("POST /cert/reports/{id}/reject", signed(s.rejectPost))
	site.PageFunc("POST /cert/reports/{id}/forward", signed(s.forwardPost))
	s.mountAPI(site)
}

var powJS, _ = templateFS.ReadFile("static/pow.js")

var powHash = func() string { h := sha256.Sum256(powJS); return hex.EncodeToString(h[:])[:12] }()

// ScriptPath is the proof-of-work script's address, versioned by content.
func ScriptPath() string { return "/cert/report/pow.js?v=" + powHash }

func (s *Service) script(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("Content-Length", strconv.Itoa(len(powJS)))
	w.Write(powJS)
}

// reportCSP is the site's policy with this site's scripts allowed: the
// report form is the one page that runs one (the proof of work).
const reportCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// option is one choice of a menu.
type option = i18n.Option

// allCountries are the countries by their names in the reader's language.
func allCountries(lang string) []option { return geo.Menu(lang) }

func countryName(code, lang string) string {
	if c, ok := geo.Lookup(code); ok {
		return c.Name(lang)
	}
	return code
}

// formData is what the report form shows.
type formData struct {
	WithCERT   []option // countries with a national CERT, first
	HasCERT    map[string]bool
	Countries  []option
	Categories []string
	Sectors    []string
	Chosen     map[string]bool
	Orgs       []org.Choice // the viewer's organisations, one of which may be the reporter
	Challenge  *Challenge
	Script     string
	Problem    string // a whole-form message (the hourly limit)
	Triager    bool   // the viewer triages a queue
	Limit      int
}

func (s *Service) renderForm(w http.ResponseWriter, r *http.Request, status int, f *web.Form, problem string) {
	p := web.PrinterOf(r)
	v := web.ViewerOf(r)
	d := formData{Countries: allCountries(p.Lang), Categories: Categories, Sectors: cert.Sectors, Chosen: map[string]bool{},
		Script: ScriptPath(), Problem: problem, Limit: PerHour, HasCERT: map[string]bool{}}
	codes, err := s.CountriesWithCERT(r.Context())
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	for _, c := range d.Countries {
		if slices.Contains(codes, c.Code) {
			d.WithCERT = append(d.WithCERT, c)
			d.HasCERT[c.Code] = true
		}
	}
	for _, x := range f.Values["sectors"] {
		d.Chosen[x] = true
	}
	if v != nil {
		if d.Orgs, err = s.Cert.Orgs.MenuOf(r.Context(), v.Orgs, p.Lang); err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		d.Triager = len(s.Teams(v)) > 0
	} else {
		c, err := s.NewChallenge(p)
		if err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		d.Challenge = &c
		w.Header().Set("Content-Security-Policy", reportCSP)
	}
	s.Site.RenderForm(w, r, status, "cert-reports/report", d, f)
}

func (s *Service) reportPage(w http.ResponseWriter, r *http.Request) {
	q := url.Values{}
	if c := r.URL.Query().Get("country"); c != "" {
		q.Set("country", c)
	}
	s.renderForm(w, r, http.StatusOK, web.NewForm(q), "")
}

// inputOf reads the report form.
func inputOf(f *web.Form, lang string) (Input, Proof) {
	return Input{Country: f.Value("country"), Title: f.Value("title"), Description: f.Value("description"), OccurredOn: f.Value("occurred_on"),
			Category: f.Value("category"), Sectors: f.Values["sectors"], Systems: f.Value("systems"), ContactEmail: f.Value("contact_email"),
			ReporterOrg: f.Value("reporter_org"), Consent: f.Value("consent") != "", Lang: lang},
		Proof{Challenge: f.Value("challenge"), Work: f.Value("work"), Answer: f.Value("answer")}
}

func (s *Service) reportPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	p := web.PrinterOf(r)
	in, pr := inputOf(f, p.Lang)
	sub, err := s.Submit(r.Context(), web.ViewerOf(r), in, pr, web.ClientIP(r))
	if err != nil {
		// Answers do not survive a failed attempt: a new challenge is shown.
		f.Values.Del("answer")
		f.Values.Del("work")
		if n := RetryAfter(err); n > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(n))
			s.renderForm(w, r, http.StatusTooManyRequests, f, p.T(errs.KeyOf(err), "minutes", (n+59)/60))
			return
		}
		if f.Merge(err) {
			s.renderForm(w, r, http.StatusUnprocessableEntity, f, "")
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Render(w, r, http.StatusOK, "cert-reports/submitted", map[string]any{"Link": s.Site.BaseURL + FollowPath(sub.Secret),
		"Mailed": sub.Report.ContactEmail != "", "Signed": web.ViewerOf(r) != nil})
}

func (s *Service) followPage(w http.ResponseWriter, r *http.Request) {
	st, err := s.Follow(r.Context(), r.PathValue("secret"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	// The link is the permission: never let it leak through a referrer.
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.Site.Render(w, r, http.StatusOK, "cert-reports/follow", map[string]any{"S": st,
		"Country": countryName(st.Country, web.PrinterOf(r).Lang)})
}

// row is a report in a list.
type row struct {
	R       *Report
	Team    org.Shown
	Country string
	Follow  string
}

func (s *Service) rows(r *http.Request, list []*Report, follow bool) ([]row, error) {
	lang := web.PrinterOf(r).Lang
	ids := make([]string, len(list))
	for i, rep := range list {
		ids[i] = rep.TeamOrg
	}
	teams, err := s.Cert.Orgs.NamesIn(r.Context(), lang, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]row, 0, len(list))
	for _, rep := range list {
		rw := row{R: rep, Team: teams[rep.TeamOrg], Country: countryName(rep.Country, lang)}
		if follow {
			st, err := s.StatusOf(r.Context(), rep)
			if err != nil {
				return nil, err
			}
			rw.Follow = st.Status
		}
		out = append(out, rw)
	}
	return out, nil
}

func (s *Service) listPage(w http.ResponseWriter, r *http.Request, mine bool) {
	q := r.URL.Query()
	limit, err := web.Limit(q.Get("limit"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	f := Filter{Status: q.Get("status"), Cursor: q.Get("cursor"), Limit: limit}
	var list []*Report
	var next string
	page, path := "cert-reports/queue", "/cert/reports"
	if mine {
		page, path = "cert-reports/mine", "/cert/reports/mine"
		list, next, err = s.Mine(r.Context(), v, f)
	} else {
		list, next, err = s.Queue(r.Context(), v, f)
	}
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	rows, err := s.rows(r, list, mine)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	d := map[string]any{"Rows": rows, "Status": f.Status, "Statuses": []string{"", Case, Rejected, "all"}, "Triager": len(s.Teams(v)) > 0}
	if next != "" {
		nq := url.Values{"cursor": {next}}
		if f.Status != "" {
			nq.Set("status", f.Status)
		}
		d["Next"] = path + "?" + nq.Encode()
	}
	s.Site.Render(w, r, http.StatusOK, page, d)
}

func (s *Service) queuePage(w http.ResponseWriter, r *http.Request) { s.listPage(w, r, false) }
func (s *Service) minePage(w http.ResponseWriter, r *http.Request)  { s.listPage(w, r, true) }

// showData is what a report's page shows its team.
type showData struct {
	R           *Report
	Team        org.Shown     // the team whose queue it is in
	ReporterOrg org.Shown     // the organisation it was made for, if any
	Forwarded   template.HTML // which team forwarded it, if one did
	Country     string
	CanCase     bool
	Markings    []markingOption
	Countries   []option
	CaseLink    string
	Categories  []string
}

func (s *Service) renderShow(w http.ResponseWriter, r *http.Request, status int, f *web.Form) {
	rep, err := s.Get(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	p := web.PrinterOf(r)
	names, err := s.Cert.Orgs.NamesIn(r.Context(), p.Lang, rep.TeamOrg, rep.ReporterOrg, rep.ForwardedFrom)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	d := showData{R: rep, Team: names[rep.TeamOrg], ReporterOrg: names[rep.ReporterOrg], Country: countryName(rep.Country, p.Lang),
		CanCase: s.Cases != nil, Markings: markingOptions(), Countries: allCountries(p.Lang)}
	if rep.CaseID != "" {
		d.CaseLink = "/cert/cases/" + rep.CaseID
	}
	if n, ok := names[rep.ForwardedFrom]; ok {
		d.Forwarded = teamSentence(p, "cert.reports.forwarded_from", "team", n)
	}
	if f == nil {
		f = web.NewForm(url.Values{"marking": {CaseMarkings[0]}})
	}
	s.Site.RenderForm(w, r, status, "cert-reports/show", d, f)
}

// markingOption is a marking of the case form with its label's key
// (marking values carry "+", which keys do not).
type markingOption struct{ Value, Key string }

func markingOptions() []markingOption {
	out := make([]markingOption, len(CaseMarkings))
	for i, m := range CaseMarkings {
		out[i] = markingOption{Value: m, Key: "cert.reports.marking." + strings.ReplaceAll(m, "+", "_")}
	}
	return out
}

func (s *Service) showPage(w http.ResponseWriter, r *http.Request) {
	s.renderShow(w, r, http.StatusOK, nil)
}

// triage runs one triage action from a form and redirects, or shows the
// report again with the form's errors.
func (s *Service) triage(w http.ResponseWriter, r *http.Request, do func(*web.Form) (string, error), flash string) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	to, err := do(f)
	if err != nil {
		if f.Merge(err) {
			s.renderShow(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, to, flash)
}

func (s *Service) casePost(w http.ResponseWriter, r *http.Request) {
	s.triage(w, r, func(f *web.Form) (string, error) {
		id, err := s.OpenCase(r.Context(), web.ViewerOf(r), r.PathValue("id"), f.Value("marking"), web.ClientIP(r))
		return "/cert/cases/" + id, err
	}, "cert.reports.flash.case")
}

func (s *Service) rejectPost(w http.ResponseWriter, r *http.Request) {
	s.triage(w, r, func(f *web.Form) (string, error) {
		id := r.PathValue("id")
		return "/cert/reports/" + id, s.Reject(r.Context(), web.ViewerOf(r), id, f.Value("reason"), web.ClientIP(r))
	}, "cert.reports.flash.rejected")
}

func (s *Service) forwardPost(w http.ResponseWriter, r *http.Request) {
	s.triage(w, r, func(f *web.Form) (string, error) {
		return "/cert/reports", s.Forward(r.Context(), web.ViewerOf(r), r.PathValue("id"), f.Value("country"), web.ClientIP(r))
	}, "cert.reports.flash.forwarded")
}

// langOf is the page's language.
func langOf(r *http.Request) string {
	if p := web.PrinterOf(r); p != nil {
		return p.Lang
	}
	return i18n.Default
}
