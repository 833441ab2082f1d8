package lessons

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/search"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

// Mount registers the pages and the API.
func (s *Service) Mount(site *web.Site) {
	site.AddPages(templateFS, "templates/cert-lessons/*.html")
	signed := func(h http.HandlerFunc) http.HandlerFunc { return account.RequireSignIn(site, h) }
	site.PageFunc("GET /cert/lessons", s.listPage)
	site.PageFunc("GET /cert/lessons/new", signed(s.newPage))
	site.PageFunc("POST /cert/lessons", signed(s.createPost))
	site.PageFunc("GET /cert/lessons/{id}", s.showPage)
	site.PageFunc("GET /cert/lessons/{id}/edit", signed(s.editPage))
	site.PageFunc("POST /cert/lessons/{id}/edit", signed(s.editPost))
	s.mountAPI(site)
}

// textView is a translatable text as a reader gets it.
type textView struct {
	Text, Lang, Dir, LangName string
	Other                     bool
}

func viewText(t text.Text, lang string) textView {
	s, l := t.In(lang)
	return textView{Text: s, Lang: l, Dir: i18n.Dir(l), LangName: i18n.Native[l], Other: l != "" && l != lang}
}

// Paragraphs splits the text at its line breaks, for display.
func (t textView) Paragraphs() []string {
	var out []string
	for _, p := range strings.Split(t.Text, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

type option = i18n.Option

// countryOptions are all countries by their names in lang.
func countryOptions(lang string) []option { return geo.Menu(lang) }

func countryName(code, lang string) string {
	if c, ok := geo.Lookup(code); ok {
		return c.Name(lang)
	}
	return code
}

// classOption is a class with its label's key.
type classOption struct{ Code, Key string }

func classOptions() []classOption {
	out := make([]classOption, len(Classes))
	for i, c := range Classes {
		out[i] = classOption{Code: c, Key: classKey(c)}
	}
	return out
}

// row is a lesson in a list.
type row struct {
	L         *Lesson
	Team      org.Shown
	Title     textView
	Snippet   template.HTML
	ClassKey  string
	Countries []string
}

func (s *Service) rows(r *http.Request, items []*Lesson, tokens []string) ([]row, error) {
	lang := web.PrinterOf(r).Lang
	ids := make([]string, len(items))
	for i, l := range items {
		ids[i] = l.OwnerOrg
	}
	teams, err := s.Cert.Orgs.NamesIn(r.Context(), lang, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]row, 0, len(items))
	for _, l := range items {
		rw := row{L: l, Team: teams[l.OwnerOrg], Title: viewText(l.Title, lang)}
		if l.Category != "" {
			rw.ClassKey = classKey(l.Category)
		}
		for _, c := range l.Countries {
			rw.Countries = append(rw.Countries, countryName(c, lang))
		}
		body, _ := l.Happened.In(lang)
		rw.Snippet = search.Snippet(body, tokens, 200)
		out = append(out, rw)
	}
	return out, nil
}

func filterOf(q url.Values) Filter {
	return Filter{Q: q.Get("q"), Category: q.Get("category"), Country: q.Get("country"), Sector: q.Get("sector"), Cursor: q.Get("cursor")}
}

func (s *Service) listPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := filterOf(q)
	limit, err := web.Limit(q.Get("limit"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	f.Limit = limit
	v := web.ViewerOf(r)
	lang := web.PrinterOf(r).Lang
	d := map[string]any{"Filter": f, "Classes": classOptions(), "Sectors": cert.Sectors, "Countries": countryOptions(lang),
		"CanWrite": len(Teams(v)) > 0, "Searching": strings.TrimSpace(f.Q) != ""}
	form := web.NewForm(q)
	page, err := s.List(r.Context(), v, f)
	if err != nil {
		if form.Merge(err) {
			d["Searching"] = false
			s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "cert-lessons/list", d, form)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	if d["Rows"], err = s.rows(r, page.Items, page.Tokens); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	d["Total"] = page.Total
	if page.Next != "" {
		next := url.Values{}
		for k, vs := range q {
			if k != "lang" {
				next[k] = vs
			}
		}
		next.Set("cursor", page.Next)
		d["Next"] = "/cert/lessons?" + next.Encode()
	}
	s.Site.RenderForm(w, r, http.StatusOK, "cert-lessons/list", d, form)
}

// showData is what a lesson's page shows.
type showData struct {
	L                       *Lesson
	Team                    org.Shown
	Title, Happened, Worked textView
	Change                  textView
	ClassKey                string
	Countries               []string
	Editor                  bool
	SharePath               string
	Attachments             template.HTML
}

func (s *Service) showPage(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerOf(r)
	l, err := s.Get(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	lang := web.PrinterOf(r).Lang
	teams, err := s.Cert.Orgs.NamesIn(r.Context(), lang, l.OwnerOrg)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	d := showData{L: l, Team: teams[l.OwnerOrg], Title: viewText(l.Title, lang), Happened: viewText(l.Happened, lang), Worked: viewText(l.Worked, lang),
		Change: viewText(l.Change, lang), Editor: s.IsEditor(v, l), SharePath: "/share/" + TypeName + "/" + l.ID}
	if l.Category != "" {
		d.ClassKey = classKey(l.Category)
	}
	for _, c := range l.Countries {
		d.Countries = append(d.Countries, countryName(c, lang))
	}
	if s.Attachments != nil {
		if d.Attachments, err = s.Attachments(r, TypeName, l.ID); err != nil {
			s.Site.Fail(w, r, err)
			return
		}
	}
	s.Site.Render(w, r, http.StatusOK, "cert-lessons/show", d)
}

// formData is what the writing and edit form needs.
type formData struct {
	L         *Lesson
	Teams     []org.Choice // when writing a new lesson
	Markings  []sharing.Marking
	Classes   []classOption
	Sectors   []string
	Countries []option
	Chosen    map[string]bool // "sector/x", "country/KE"
}

func (s *Service) formData(r *http.Request, l *Lesson, f *web.Form) (formData, error) {
	lang := web.PrinterOf(r).Lang
	d := formData{L: l, Markings: Markings, Classes: classOptions(), Sectors: cert.Sectors, Countries: countryOptions(lang),
		Chosen: map[string]bool{}}
	if l == nil {
		var err error
		if d.Teams, err = s.Cert.Orgs.MenuOf(r.Context(), Teams(web.ViewerOf(r)), lang); err != nil {
			return d, err
		}
	}
	for _, x := range f.Values["sectors"] {
		d.Chosen["sector/"+x] = true
	}
	for _, x := range f.Values["countries"] {
		d.Chosen["country/"+x] = true
	}
	return d, nil
}

// renderForm shows the form (l nil: for a new lesson).
func (s *Service) renderForm(w http.ResponseWriter, r *http.Request, status int, l *Lesson, f *web.Form) {
	d, err := s.formData(r, l, f)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.RenderForm(w, r, status, "cert-lessons/form", d, f)
}

func inputOf(f *web.Form) Input {
	return Input{OwnerOrg: f.Value("owner_org"), Marking: f.Value("marking"), Title: text.InputFrom(f.Values, "title"),
		Happened: text.InputFrom(f.Values, "happened"), Worked: text.InputFrom(f.Values, "worked"), Change: text.InputFrom(f.Values, "change"),
		Category: f.Value("category"), Sectors: f.Values["sectors"], Countries: f.Values["countries"], CaseID: f.Value("case_id")}
}

func valuesOf(l *Lesson) url.Values {
	in := InputOf(l)
	vals := url.Values{"marking": {in.Marking}, "category": {in.Category}, "sectors": in.Sectors, "countries": in.Countries, "case_id": {in.CaseID}}
	for name, t := range map[string]text.Input{"title": in.Title, "happened": in.Happened, "worked": in.Worked, "change": in.Change} {
		t.Values(name, vals)
	}
	return vals
}

func (s *Service) newPage(w http.ResponseWriter, r *http.Request) {
	if len(Teams(web.ViewerOf(r))) == 0 {
		s.Site.Fail(w, r, errNoTeam)
		return
	}
	vals := url.Values{"marking": {string(sharing.Green)}}
	if c := r.URL.Query().Get("case"); c != "" {
		vals.Set("case_id", c)
	}
	s.renderForm(w, r, http.StatusOK, nil, web.NewForm(vals))
}

func (s *Service) createPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	l, err := s.Create(r.Context(), web.ViewerOf(r), inputOf(f), web.ClientIP(r))
	if err != nil {
		if f.Merge(err) {
			s.renderForm(w, r, http.StatusUnprocessableEntity, nil, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	if l.Marking == sharing.Amber || l.Marking == sharing.AmberStrict {
		s.Site.Redirect(w, r, "/share/"+TypeName+"/"+l.ID, "cert.lessons.flash.share")
		return
	}
	s.Site.Redirect(w, r, l.Path(), "cert.lessons.flash.saved")
}

// editable loads the lesson for its editors: 404 when the viewer may not
// see it, 403 when they see it but do not edit it.
func (s *Service) editable(w http.ResponseWriter, r *http.Request) (*Lesson, bool) {
	v := web.ViewerOf(r)
	l, err := s.Get(r.Context(), v, r.PathValue("id"))
	if err == nil && !s.IsEditor(v, l) {
		err = errNotEditor
	}
	if err != nil {
		s.Site.Fail(w, r, err)
		return nil, false
	}
	return l, true
}

func (s *Service) editPage(w http.ResponseWriter, r *http.Request) {
	l, ok := s.editable(w, r)
	if !ok {
		return
	}
	s.renderForm(w, r, http.StatusOK, l, web.NewForm(valuesOf(l)))
}

func (s *Service) editPost(w http.ResponseWriter, r *http.Request) {
	l, ok := s.editable(w, r)
	if !ok {
		return
	}
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if _, err := s.Update(r.Context(), web.ViewerOf(r), l.ID, inputOf(f), web.ClientIP(r)); err != nil {
		if f.Merge(err) {
			s.renderForm(w, r, http.StatusUnprocessableEntity, l, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, l.Path(), "cert.lessons.flash.saved")
}
