package membership

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

// Mount registers the pages and the API.
func (s *Service) Mount(site *web.Site) {
	site.AddPages(templateFS, "templates/membership/*.html")
	site.PageFunc("GET /network/apply", s.applyPage)
	site.PageFunc("POST /network/apply", account.RequireSignIn(site, s.applyPost))
	site.PageFunc("GET /network/applications", account.RequireSignIn(site, s.queuePage))
	site.PageFunc("GET /network/applications/{id}", s.showPage)
	site.PageFunc("POST /network/applications/{id}/review", account.RequireSignIn(site, s.reviewPost))
	site.PageFunc("POST /network/applications/{id}/reply", account.RequireSignIn(site, s.replyPost))
	site.PageFunc("POST /network/applications/{id}/remove", account.RequireSignIn(site, s.removePost))
	site.PageFunc("GET /network/members", s.membersPage)
	s.mountAPI(site)
}

func lang(r *http.Request) string {
	if p := web.PrinterOf(r); p != nil {
		return p.Lang
	}
	return i18n.Default
}

// Option is a country in a form's list.
type Option struct {
	Code, Name string
}

func africanOptions(lang string) []Option {
	var out []Option
	for _, c := range geo.African() {
		out = append(out, Option{Code: c.Code, Name: c.Name(lang)})
	}
	slices.SortFunc(out, func(a, b Option) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	return out
}

func countryNames(codes []string, lang string) []string {
	out := make([]string, 0, len(codes))
	for _, cc := range codes {
		if c, ok := geo.Lookup(cc); ok {
			out = append(out, c.Name(lang))
		} else {
			out = append(out, cc)
		}
	}
	return out
}

// Shown is translatable text as one reader sees it.
type Shown struct{ Text, Lang, Dir string }

func (a *Application) activitiesIn(lang string) Shown {
	s, l := a.Activities.In(lang)
	return Shown{Text: s, Lang: l, Dir: i18n.Dir(l)}
}

// candidate is one of the viewer's organisations on the apply page.
type candidate struct {
	Org    *org.Org
	Name   org.Shown
	Admin  bool
	Why    []string // what makes it ineligible: message keys
	Member bool
	Open   *Application
	Latest *Application
}

// CanApply reports whether the form is for this organisation.
func (c *candidate) CanApply() bool { return c.Admin && len(c.Why) == 0 && !c.Member && c.Open == nil }

type applyData struct {
	Candidates  []*candidate
	Applicants  []*candidate // those the form may be for
	Countries   []Option
	Chosen      map[string]bool
	HomeNames   []string
	Kinds       []org.Kind
	ThisYear    int
	FirstYear   int
	MaxText     int
	GroupMember bool
}

func (s *Service) applyData(r *http.Request, f *web.Form) (*applyData, error) {
	ctx := r.Context()
	v := web.ViewerOf(r)
	l := lang(r)
	d := &applyData{Countries: africanOptions(l), Chosen: map[string]bool{}, HomeNames: countryNames(HomeCountries, l),
		Kinds: EnterpriseKinds, ThisYear: s.Clock.Now().Year(), FirstYear: FirstYear, MaxText: MaxText}
	if f != nil {
		for _, cc := range f.Values["countries"] {
			d.Chosen[cc] = true
		}
	}
	if v == nil {
		return d, nil
	}
	for _, m := range v.Orgs {
		if m.OrgID == s.Core.Office.ID {
			continue
		}
		o, err := s.Orgs.BySlug(ctx, m.Slug)
		if err != nil {
			return nil, err
		}
		member, err := s.Core.IsMember(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		c := &candidate{Org: o, Name: o.NameIn(l), Admin: slices.Contains(m.Roles, org.RoleAdmin), Why: Eligible(o), Member: member}
		// An open application is always the newest: no other is filed while one is open.
		latest, _, err := s.List(ctx, v, Filter{Orgs: []string{o.ID}, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(latest) == 1 {
			c.Latest = latest[0]
			if c.Latest.IsOpen() {
				c.Open = c.Latest
			}
		}
		d.Candidates = append(d.Candidates, c)
		if c.CanApply() {
			d.Applicants = append(d.Applicants, c)
		}
	}
	return d, nil
}

func (s *Service) applyPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.applyData(r, nil)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	f := web.NewForm(url.Values{})
	if len(d.Applicants) > 0 {
		o := d.Applicants[0].Org
		f.Values.Set("website", o.Website)
		if v := web.ViewerOf(r); v != nil {
			f.Values.Set("contact_name", v.Name)
			f.Values.Set("contact_email", v.Email)
		}
	}
	s.Site.RenderForm(w, r, http.StatusOK, "membership/apply", d, f)
}

func inputOf(f *web.Form) Input {
	return Input{Countries: f.Values["countries"], StartedYear: f.Value("started_year"), Website: f.Value("website"),
		ContactName: f.Value("contact_name"), ContactEmail: f.Value("contact_email"), Statement: f.Value("statement")}
}

func (s *Service) applyPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	a, err := s.Submit(r.Context(), web.ViewerOf(r), f.Value("org"), inputOf(f), f.Values, web.ClientIP(r))
	if err != nil {
		if f.Merge(err) {
			d, derr := s.applyData(r, f)
			if derr != nil {
				s.Site.Fail(w, r, derr)
				return
			}
			s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "membership/apply", d, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, a.Path(), "network.membership.flash.submitted")
}

type queueData struct {
	Rows     []*Application
	Status   string
	Statuses []string
	Next     string
	First    string
}

func (s *Service) queuePage(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerOf(r)
	if !s.IsOfficer(v) {
		s.Site.Fail(w, r, errForbidden)
		return
	}
	q := r.URL.Query()
	status := q.Get("status")
	if status != "" && !slices.Contains(Statuses, status) {
		status = ""
	}
	list, next, err := s.List(r.Context(), v, Filter{Status: status, Cursor: q.Get("cursor"), Limit: 50})
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	d := &queueData{Rows: list, Status: status, Statuses: Statuses}
	if next != "" {
		d.Next = "/network/applications?" + url.Values{"status": {status}, "cursor": {next}}.Encode()
	}
	if q.Get("cursor") != "" {
		d.First = "/network/applications?" + url.Values{"status": {status}}.Encode()
	}
	s.Site.Render(w, r, http.StatusOK, "membership/queue", d)
}

type showData struct {
	App        *Application
	Activities Shown
	Countries  []string
	Decisions  []string
	Officer    bool
	CanReview  bool
	CanReply   bool
	CanRemove  bool
	Editor     bool
	Files      template.HTML
}

func (s *Service) renderShow(w http.ResponseWriter, r *http.Request, status int, f *web.Form) {
	v := web.ViewerOf(r)
	a, err := s.Get(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	l := lang(r)
	officer := s.IsOfficer(v)
	admin := roleOf(v, a.OrgID) == org.RoleAdmin
	d := &showData{App: a, Activities: a.activitiesIn(l), Countries: countryNames(a.Countries, l), Decisions: Decisions, Officer: officer,
		CanReview: officer && a.IsOpen(), CanReply: admin && a.Status == MoreInfo, CanRemove: officer && a.Status == Approved, Editor: admin}
	if s.Files != nil {
		if d.Files, err = s.Files.Section(r, TypeName, a.ID); err != nil {
			s.Site.Fail(w, r, err)
			return
		}
	}
	s.Site.RenderForm(w, r, status, "membership/show", d, f)
}

// roleOf is "admin" when the viewer is an admin of orgID.
func roleOf(v *web.Viewer, orgID string) string {
	if m, ok := v.Member(orgID); ok && slices.Contains(m.Roles, org.RoleAdmin) {
		return org.RoleAdmin
	}
	return ""
}

func (s *Service) showPage(w http.ResponseWriter, r *http.Request) {
	s.renderShow(w, r, http.StatusOK, nil)
}

// act runs a change from the application page and goes back to it, or
// shows the page again with the form's errors.
func (s *Service) act(w http.ResponseWriter, r *http.Request, do func(f *web.Form) error, flash string) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := do(f); err != nil {
		if f.Merge(err) {
			s.renderShow(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, Type.Path(r.PathValue("id")), flash)
}

func (s *Service) reviewPost(w http.ResponseWriter, r *http.Request) {
	s.act(w, r, func(f *web.Form) error {
		_, err := s.Review(r.Context(), web.ViewerOf(r), r.PathValue("id"), f.Value("decision"), f.Value("reason"), web.ClientIP(r))
		return err
	}, "network.membership.flash.reviewed")
}

func (s *Service) replyPost(w http.ResponseWriter, r *http.Request) {
	s.act(w, r, func(f *web.Form) error {
		_, err := s.Reply(r.Context(), web.ViewerOf(r), r.PathValue("id"), f.Value("answer"), web.ClientIP(r))
		return err
	}, "network.membership.flash.replied")
}

func (s *Service) removePost(w http.ResponseWriter, r *http.Request) {
	s.act(w, r, func(f *web.Form) error {
		_, err := s.Remove(r.Context(), web.ViewerOf(r), r.PathValue("id"), f.Value("reason"), web.ClientIP(r))
		return err
	}, "network.membership.flash.removed")
}

// MembersPage is how many members a page of the list shows.
const MembersPage = 50

type memberRow struct {
	Slug    string
	Name    org.Shown
	Country string
	Since   time.Time
}

func (s *Service) membersPage(w http.ResponseWriter, r *http.Request) {
	offset, err := strconv.Atoi(r.URL.Query().Get("offset"))
	if r.URL.Query().Get("offset") == "" {
		offset, err = 0, nil
	}
	if err != nil || offset < 0 {
		s.Site.Fail(w, r, errs.E("network.members", errs.Invalid, "error.cursor"))
		return
	}
	list, more, err := s.Members(r.Context(), offset, MembersPage)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	l := lang(r)
	var rows []memberRow
	for _, m := range list {
		rows = append(rows, memberRow{Slug: m.Slug, Name: m.Org.NameIn(l), Country: countryNames([]string{m.Country}, l)[0],
			Since: m.Since})
	}
	d := map[string]any{"Rows": rows}
	if more {
		d["Next"] = "/network/members?offset=" + strconv.Itoa(offset+MembersPage)
	}
	if offset > 0 {
		d["First"] = "/network/members"
	}
	s.Site.Render(w, r, http.StatusOK, "membership/members", d)
}
