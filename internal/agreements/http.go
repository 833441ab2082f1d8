package agreements

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/i18n/cldr"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/search"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

// Mount registers the register's pages and API.
func (s *Service) Mount(site *web.Site) {
	site.AddPages(templateFS, "templates/agreements/*.html")
	signed := func(h http.HandlerFunc) http.HandlerFunc { return account.RequireSignIn(site, h) }
	site.PageFunc("GET /agreements", s.listPage)
	site.PageFunc("GET /agreements.csv", s.exportCSV)
	site.PageFunc("GET /agreements/new", signed(s.newPage))
	site.PageFunc("POST /agreements", signed(s.createPost))
	site.PageFunc("GET /agreements/{id}", s.showPage)
	site.PageFunc("GET /agreements/{id}/edit", signed(s.editPage))
	site.PageFunc("POST /agreements/{id}/edit", signed(s.editPost))
	s.mountAPI(site)
}

// textView is a translatable text as a reader gets it: in their language or
// the nearest there is, with the language it is in.
type textView struct {
	Text, Lang, Dir string
	LangName        string // the language it is in, named in itself
	Other           bool   // not in the reader's language
}

func viewText(t text.Text, lang string) textView {
	s, l := t.In(lang)
	return textView{Text: s, Lang: l, Dir: i18n.Dir(l), LangName: i18n.Native[l], Other: l != "" && l != lang}
}

// Paragraphs splits the text at its line breaks, for display.
func (s textView) Paragraphs() []string {
	var out []string
	for _, p := range strings.Split(s.Text, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// partyView is a party as pages show it.
type partyView struct {
	Label, Href string
}

func partyViews(p *i18n.Printer, parties []Party) []partyView {
	out := make([]partyView, 0, len(parties))
	for _, pt := range parties {
		switch pt.Kind {
		case PartyOrg:
			out = append(out, partyView{Label: pt.OrgName, Href: "/orgs/" + pt.OrgSlug})
		case PartyGovernment:
			out = append(out, partyView{Label: p.T("agreements.party.government", "country", countryName(p.Lang, pt.Country))})
		default:
			label := pt.Name
			if pt.Country != "" {
				label = p.T("agreements.party.body_in", "name", pt.Name, "country", countryName(p.Lang, pt.Country))
			}
			out = append(out, partyView{Label: label})
		}
	}
	return out
}

// formatDate writes a calendar date in the reader's language; dates are
// days, not instants, so no time zone moves them.
func formatDate(lang string, t *time.Time) string {
	if t == nil {
		return ""
	}
	return cldr.For(lang).Date(*t, time.UTC, cldr.Medium)
}

// listRow is one agreement in the list.
type listRow struct {
	ID       string
	Title    textView
	Snippet  template.HTML
	Kind     string
	Parties  []partyView
	Signed   string
	Expires  string
	Status   string
	Marking  sharing.Marking
	State    sharing.State
	Editable bool
}

func (s *Service) rows(r *http.Request, items []*Agreement, tokens []string) []listRow {
	p := web.PrinterOf(r)
	v := web.ViewerOf(r)
	today := day(s.Clock.Now())
	out := make([]listRow, 0, len(items))
	for _, a := range items {
		row := listRow{ID: a.ID, Title: viewText(a.Title, p.Lang), Kind: a.Kind, Parties: partyViews(p, a.Parties),
			Signed: formatDate(p.Lang, &a.SignedOn), Expires: formatDate(p.Lang, a.ExpiresOn), Status: a.Status(today),
			Marking: a.Marking, State: a.State, Editable: s.IsEditor(v, a)}
		if scope, _ := a.Scope.In(p.Lang); len(tokens) > 0 && scope != "" {
			row.Snippet = search.Snippet(scope, tokens, 200)
		}
		out = append(out, row)
	}
	return out
}

// facetLink is one kind among the search results, with a link that narrows to it.
type facetLink struct {
	Kind    string
	Count   int
	Href    string
	Current bool
}

func filterOf(q url.Values) Filter {
	return Filter{Q: q.Get("q"), Kind: q.Get("kind"), Country: q.Get("country"), Status: q.Get("status"), Cursor: q.Get("cursor")}
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
	p := web.PrinterOf(r)
	data := map[string]any{"Filter": f, "Kinds": Kinds, "Statuses": StatusFilters, "Countries": countryOptions(p.Lang),
		"CanCreate": len(OwnerChoices(web.ViewerOf(r))) > 0, "Searching": strings.TrimSpace(f.Q) != ""}
	form := web.NewForm(q)
	page, err := s.List(r.Context(), web.ViewerOf(r), f)
	if err != nil {
		if form.Merge(err) {
			data["Searching"] = false
			s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "agreements/list", data, form)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	data["Rows"] = s.rows(r, page.Items, page.Tokens)
	data["Total"] = page.Total
	if page.Next != "" {
		next := cloneValues(q)
		next.Set("cursor", page.Next)
		data["Next"] = "/agreements?" + next.Encode()
	}
	if q.Get("cursor") != "" {
		first := cloneValues(q)
		first.Del("cursor")
		data["First"] = "/agreements?" + first.Encode()
	}
	var facets []facetLink
	for _, fc := range page.Facets {
		u := cloneValues(q)
		u.Del("cursor")
		u.Set("kind", fc.Value)
		facets = append(facets, facetLink{Kind: fc.Value, Count: fc.Count, Href: "/agreements?" + u.Encode(), Current: fc.Value == f.Kind})
	}
	data["Facets"] = facets
	csv := cloneValues(q)
	csv.Del("cursor")
	csv.Del("limit")
	data["CSV"] = "/agreements.csv"
	if len(csv) > 0 {
		data["CSV"] = "/agreements.csv?" + csv.Encode()
	}
	s.Site.RenderForm(w, r, http.StatusOK, "agreements/list", data, form)
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, vs := range q {
		if k != "lang" {
			out[k] = slices.Clone(vs)
		}
	}
	return out
}

// showData is what the record page shows.
type showData struct {
	A         *Agreement
	Files     template.HTML // the signed texts: the files service's section
	Title     textView
	Scope     textView
	Versions  []string // the languages the title is written in, named in the reader's
	Parties   []partyView
	Status    string
	Signed    string
	Effective string
	Expires   string
	Languages []string
	Event     string // name · place · date
	EventDate string
	Editor    bool
	SharePath string
}

func (s *Service) showPage(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerOf(r)
	a, err := s.Get(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	p := web.PrinterOf(r)
	d := showData{A: a, Title: viewText(a.Title, p.Lang), Scope: viewText(a.Scope, p.Lang), Parties: partyViews(p, a.Parties),
		Status: a.Status(day(s.Clock.Now())), Signed: formatDate(p.Lang, &a.SignedOn), Effective: formatDate(p.Lang, a.EffectiveFrom),
		Expires: formatDate(p.Lang, a.ExpiresOn), EventDate: formatDate(p.Lang, a.Event.Date), Editor: s.IsEditor(v, a),
		SharePath: "/share/" + TypeName + "/" + a.ID}
	for _, l := range i18n.Langs {
		if vs, ok := a.Title.Versions[l]; ok && vs.Text != "" {
			d.Versions = append(d.Versions, i18n.Native[l])
		}
	}
	for _, o := range languageOptions(p.Lang) { // in the order of their names
		if slices.Contains(a.Languages, o.Code) {
			d.Languages = append(d.Languages, o.Name)
		}
	}
	var place []string
	if a.Event.City != "" {
		place = append(place, a.Event.City)
	}
	if a.Event.Country != "" {
		place = append(place, countryName(p.Lang, a.Event.Country))
	}
	var event []string
	for _, x := range []string{a.Event.Name, strings.Join(place, p.T("agreements.list_separator")), d.EventDate} {
		if x != "" {
			event = append(event, x)
		}
	}
	d.Event = strings.Join(event, " · ")
	if s.Files != nil {
		if d.Files, err = s.Files.Section(r, TypeName, a.ID); err != nil {
			s.Site.Fail(w, r, err)
			return
		}
	}
	s.Site.Render(w, r, http.StatusOK, "agreements/show", d)
}

// formData is what the registration and edit form needs.
type formData struct {
	A          *Agreement // nil when registering
	Owners     []web.Membership
	Kinds      []string
	PartyKinds []string
	Markings   []sharing.Marking
	Sectors    []string
	Actions    []string
	Languages  []option
	Countries  []option
	Rows       []partyRow
	Chosen     map[string]bool // "sectors/x", "actions/x", "languages/x"
}

func (s *Service) formData(r *http.Request, a *Agreement, f *web.Form) formData {
	lang := web.PrinterOf(r).Lang
	d := formData{A: a, Owners: OwnerChoices(web.ViewerOf(r)), Kinds: Kinds, PartyKinds: PartyKinds, Markings: sharing.Markings,
		Sectors: org.Sectors, Actions: Actions, Languages: languageOptions(lang), Countries: countryOptions(lang),
		Chosen: map[string]bool{}}
	for _, k := range []string{"sectors", "actions", "languages"} {
		for _, x := range f.Values[k] {
			d.Chosen[k+"/"+x] = true
		}
	}
	n := max(partyRows(f.Values), 4)
	if f.Value("more") != "" {
		n += 2
	}
	for i := range min(n, MaxParties) {
		d.Rows = append(d.Rows, partyRow{Index: i, Number: i + 1})
	}
	return d
}

// partyRow is one row of parties in the form.
type partyRow struct{ Index, Number int }

// partyRows is how many party rows the form values hold.
func partyRows(vals url.Values) int {
	n := 0
	for k := range vals {
		rest, ok := strings.CutPrefix(k, "party.")
		if !ok {
			continue
		}
		i, _, _ := strings.Cut(rest, ".")
		if x, err := strconv.Atoi(i); err == nil && x >= 0 && x < MaxParties && x+1 > n {
			n = x + 1
		}
	}
	return n
}

// inputOf reads the form.
func inputOf(f *web.Form) Input {
	in := Input{OwnerOrg: f.Value("owner_org"), Marking: f.Value("marking"), Kind: f.Value("kind"),
		Title: text.InputFrom(f.Values, "title"), Scope: text.InputFrom(f.Values, "scope"),
		SignedOn: f.Value("signed_on"), EffectiveFrom: f.Value("effective_from"), ExpiresOn: f.Value("expires_on"),
		Sectors: f.Values["sectors"], Actions: f.Values["actions"], Languages: f.Values["languages"],
		Event: EventInput{Name: f.Value("event_name"), City: f.Value("event_city"), Country: f.Value("event_country"), Date: f.Value("event_date")}}
	for i := range partyRows(f.Values) {
		k := "party." + strconv.Itoa(i) + "."
		in.Parties = append(in.Parties, PartyInput{Kind: f.Value(k + "kind"), Org: f.Value(k + "org"), Country: f.Value(k + "country"), Name: f.Value(k + "name")})
	}
	return in
}

// valuesOf writes an agreement as the form's values, to edit it.
func valuesOf(a *Agreement) url.Values {
	in := InputOf(a)
	vals := url.Values{"kind": {in.Kind}, "signed_on": {in.SignedOn}, "effective_from": {in.EffectiveFrom}, "expires_on": {in.ExpiresOn},
		"sectors": in.Sectors, "actions": in.Actions, "languages": in.Languages, "event_name": {in.Event.Name},
		"event_city": {in.Event.City}, "event_country": {in.Event.Country}, "event_date": {in.Event.Date}}
	for name, t := range map[string]TextInput{"title": in.Title, "scope": in.Scope} {
		vals.Set(name+".original", t.Original)
		for l, s := range t.Texts {
			vals.Set(name+"."+l, s)
		}
	}
	for i, p := range in.Parties {
		k := "party." + strconv.Itoa(i) + "."
		vals.Set(k+"kind", p.Kind)
		vals.Set(k+"org", p.Org)
		vals.Set(k+"country", p.Country)
		vals.Set(k+"name", p.Name)
	}
	return vals
}

// InputOf returns the input that would register a as it is: the base an
// API PATCH applies its fields to.
func InputOf(a *Agreement) Input {
	in := Input{Kind: a.Kind, Title: text.InputOf(a.Title), Scope: text.InputOf(a.Scope), SignedOn: a.SignedOn.Format(time.DateOnly),
		EffectiveFrom: dateString(a.EffectiveFrom), ExpiresOn: dateString(a.ExpiresOn),
		Sectors: slices.Clone(a.Sectors), Actions: slices.Clone(a.Actions), Languages: slices.Clone(a.Languages),
		Event: EventInput{Name: a.Event.Name, City: a.Event.City, Country: a.Event.Country, Date: dateString(a.Event.Date)}}
	if in.Scope.Original == "" {
		in.Scope.Original = in.Title.Original
	}
	for _, p := range a.Parties {
		pi := PartyInput{Kind: p.Kind, Org: p.OrgSlug, Name: p.Name}
		if p.Kind != PartyOrg {
			pi.Country = p.Country // an organisation's country is its own
		}
		in.Parties = append(in.Parties, pi)
	}
	return in
}

func dateString(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

func (s *Service) newPage(w http.ResponseWriter, r *http.Request) {
	if len(OwnerChoices(web.ViewerOf(r))) == 0 {
		s.Site.Fail(w, r, errNoOrg)
		return
	}
	f := web.NewForm(url.Values{"marking": {string(sharing.Amber)}})
	s.Site.RenderForm(w, r, http.StatusOK, "agreements/form", s.formData(r, nil, f), f)
}

func (s *Service) createPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if f.Value("more") != "" { // "more parties": show the form again with spare rows, saving nothing
		s.Site.RenderForm(w, r, http.StatusOK, "agreements/form", s.formData(r, nil, f), f)
		return
	}
	a, err := s.Create(r.Context(), web.ViewerOf(r), inputOf(f), web.ClientIP(r))
	if err != nil {
		if f.Merge(err) {
			s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "agreements/form", s.formData(r, nil, f), f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, a.Path(), "agreements.flash.created")
}

// editable loads the agreement for its editors: 404 when the viewer may
// not see it, 403 when they see it but do not edit it.
func (s *Service) editable(w http.ResponseWriter, r *http.Request) (*Agreement, bool) {
	v := web.ViewerOf(r)
	a, err := s.Get(r.Context(), v, r.PathValue("id"))
	if err == nil && !s.IsEditor(v, a) {
		err = errNotEditor
	}
	if err != nil {
		s.Site.Fail(w, r, err)
		return nil, false
	}
	return a, true
}

func (s *Service) editPage(w http.ResponseWriter, r *http.Request) {
	a, ok := s.editable(w, r)
	if !ok {
		return
	}
	f := web.NewForm(valuesOf(a))
	s.Site.RenderForm(w, r, http.StatusOK, "agreements/form", s.formData(r, a, f), f)
}

func (s *Service) editPost(w http.ResponseWriter, r *http.Request) {
	a, ok := s.editable(w, r)
	if !ok {
		return
	}
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if f.Value("more") != "" {
		s.Site.RenderForm(w, r, http.StatusOK, "agreements/form", s.formData(r, a, f), f)
		return
	}
	if _, err := s.Update(r.Context(), web.ViewerOf(r), a.ID, inputOf(f), web.ClientIP(r)); err != nil {
		if f.Merge(err) {
			s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "agreements/form", s.formData(r, a, f), f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, a.Path(), "agreements.flash.saved")
}
