package directory

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/files"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/network"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/upload"
	"harambee.africa/harambee/internal/web"
)

// blankRows are the empty offer-or-seek rows the profile form adds.
const blankRows = 3

// Mount registers the directory's pages and API.
func (s *Service) Mount(site *web.Site) {
	site.AddPages(templateFS, "templates/directory/*.html")
	signed := func(h http.HandlerFunc) http.HandlerFunc { return account.RequireSignIn(site, h) }
	site.PageFunc("GET /network", s.homePage)
	site.PageFunc("GET /network/orgs", s.listPage)
	site.PageFunc("GET /network/orgs/{slug}", s.withOrg(s.profilePage))
	site.PageFunc("GET /network/orgs/{slug}/edit", signed(s.withOrg(s.editPage)))
	site.PageFunc("POST /network/orgs/{slug}/edit", signed(s.withOrg(s.editPost)))
	site.Upload("POST /network/orgs/{slug}/logo", s.logoLimit()+64<<10, nil, signed(s.withOrg(s.logoPost)))
	site.PageFunc("GET /network/countries", s.countriesPage)
	site.PageFunc("GET /network/countries/{code}", s.countryPage)
	s.mountAPI(site)
}

func (s *Service) logoLimit() int64 {
	lim := s.Files.Limits
	if lim == nil {
		lim = upload.DefaultLimits
	}
	return lim[upload.Image]
}

var errNotFound = errs.E("network.directory", errs.NotFound, "error.not_found")

type orgHandler func(w http.ResponseWriter, r *http.Request, o *org.Org)

// withOrg loads the organisation of the path; programme offices have no
// place in the directory.
func (s *Service) withOrg(h orgHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		o, err := s.Orgs.BySlug(r.Context(), r.PathValue("slug"))
		if err != nil || o.Kind == org.ProgrammeOffice {
			s.Site.Fail(w, r, errNotFound)
			return
		}
		h(w, r, o)
	}
}

// Shown is a translatable text as one reader sees it.
type Shown = org.Shown

func shown(t text.Text, lang string) Shown {
	s, l := t.In(lang)
	if s == "" {
		return Shown{}
	}
	return Shown{Text: s, Lang: l, Dir: i18n.Dir(l), Original: l == t.Original}
}

// homeData is the network's home page.
type homeData struct {
	Orgs, Members int
}

func (s *Service) homePage(w http.ResponseWriter, r *http.Request) {
	var d homeData
	ctx := r.Context()
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM orgs WHERE kind <> 'programme_office'`).Scan(&d.Orgs); err != nil {
		s.Site.Fail(w, r, errs.Wrap("network home", err))
		return
	}
	n, err := s.memberCount(ctx)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	d.Members = n
	s.Site.Render(w, r, http.StatusOK, "directory/home", d)
}

// memberCount counts the network's members.
func (s *Service) memberCount(ctx context.Context) (int, error) {
	var n int
	args := &db.Args{}
	g := args.Add(s.Core.Group.ID)
	cond := s.Core.MemberCondition("gm0.org_id", args)
	err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM group_members gm0 WHERE gm0.group_id = `+g+` AND `+cond, args.List()...).Scan(&n)
	return n, errs.Wrap("network member count", err)
}

// listData is the directory page.
type listData struct {
	Filter    Filter
	Entries   []entryView
	Next      string
	Countries []Option
	Kinds     []org.Kind
	Sectors   []string
	Languages []Option
}

// entryView is one directory entry for one reader.
type entryView struct {
	Entry
	Shown   Shown
	Country string
}

func (s *Service) view(es []Entry, lang string) []entryView {
	out := make([]entryView, len(es))
	for i, e := range es {
		out[i] = entryView{Entry: e, Shown: e.NameIn(lang), Country: CountryName(lang, e.Country)}
	}
	return out
}

func filterOf(q url.Values) Filter {
	return Filter{Q: q.Get("q"), Country: q.Get("country"), Kind: q.Get("kind"), Sector: q.Get("sector"), Language: q.Get("language"),
		Members: q.Get("members") == "1", Cursor: q.Get("cursor")}
}

func (s *Service) listPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := filterOf(q)
	lang := web.PrinterOf(r).Lang
	d := listData{Countries: CountryOptions(lang), Kinds: org.Kinds, Sectors: org.Sectors, Languages: LanguageOptions(lang)}
	es, next, err := s.Search(r.Context(), f)
	if err != nil {
		form := web.NewForm(q)
		if form.Merge(err) {
			d.Filter = f
			s.Site.RenderForm(w, r, http.StatusBadRequest, "directory/list", d, form)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	d.Filter, d.Entries = f, s.view(es, lang)
	if next != "" {
		q.Set("cursor", next)
		d.Next = "/network/orgs?" + q.Encode()
	}
	s.Site.Render(w, r, http.StatusOK, "directory/list", d)
}

// needView is an offer or a seek for one reader.
type needView struct {
	Sector string
	Detail Shown
}

// profileData is the public profile page.
type profileData struct {
	Org          *org.Org
	Name         Shown
	OriginalName *Shown
	Description  Shown
	Country      string
	Countries    []Option
	Languages    []Option
	Offers       []needView
	Seeks        []needView
	Contacts     []Contact
	Member       bool
	Admin        bool
	Own          bool // the viewer is one of its members (nobody writes to their own organisation)
	Logo         *LogoView
	Posts        []PostSummary
	PostTitles   map[string]Shown
	LD           map[string]any
}

// Profile is everything the profile page and API show of an organisation.
type Profile struct {
	Org      *org.Org
	Network  *network.Profile
	Contacts []Contact
	Member   bool
	Logo     *files.File
	Posts    []PostSummary
}

// Profile gathers an organisation's profile for a viewer.
func (s *Service) Profile(ctx context.Context, v *web.Viewer, o *org.Org) (*Profile, error) {
	p := &Profile{Org: o, Posts: []PostSummary{}}
	var err error
	if p.Network, err = s.Core.Profile(ctx, o.ID); err != nil {
		return nil, err
	}
	if p.Contacts, err = s.Contacts(ctx, o.ID); err != nil {
		return nil, err
	}
	if p.Member, err = s.Core.IsMember(ctx, o.ID); err != nil {
		return nil, err
	}
	if p.Logo, err = s.Logo(ctx, v, o.ID); err != nil {
		return nil, err
	}
	if s.Posts != nil {
		if p.Posts, err = s.Posts.ByOrg(ctx, v, o.ID, 10); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func languageOptionsOf(lang string, codes []string) []Option {
	out := make([]Option, len(codes))
	for i, c := range codes {
		out[i] = Option{Code: c, Name: LanguageName(lang, c)}
	}
	return out
}

func countryOptionsOf(lang string, codes []string) []Option {
	out := make([]Option, len(codes))
	for i, c := range codes {
		out[i] = Option{Code: c, Name: CountryName(lang, c)}
	}
	return out
}

func needViews(ns []network.Need, lang string) []needView {
	out := make([]needView, len(ns))
	for i, n := range ns {
		out[i] = needView{Sector: n.Sector, Detail: shown(n.Detail, lang)}
	}
	return out
}

func (s *Service) profilePage(w http.ResponseWriter, r *http.Request, o *org.Org) {
	v, lang := web.ViewerOf(r), web.PrinterOf(r).Lang
	p, err := s.Profile(r.Context(), v, o)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	d := profileData{Org: o, Name: o.NameIn(lang), Description: o.DescriptionIn(lang), Country: CountryName(lang, o.Country),
		Countries: countryOptionsOf(lang, p.Network.Countries), Languages: languageOptionsOf(lang, p.Network.Languages),
		Offers: needViews(p.Network.Offers, lang), Seeks: needViews(p.Network.Seeks, lang), Contacts: p.Contacts,
		Member: p.Member, Admin: v != nil && s.Orgs.IsAdmin(v, o.ID), Own: isMember(v, o.ID), Logo: logoView(p.Logo), Posts: p.Posts, PostTitles: map[string]Shown{}}
	if !d.Name.Original {
		orig := shown(o.Names, o.Names.Original)
		d.OriginalName = &orig
	}
	for _, ps := range p.Posts {
		d.PostTitles[ps.ID] = shown(ps.Title, lang)
	}
	d.LD = s.jsonLD(p, lang)
	s.Site.Render(w, r, http.StatusOK, "directory/profile", d)
}

// jsonLD describes the organisation as a schema.org Organization.
func (s *Service) jsonLD(p *Profile, lang string) map[string]any {
	o := p.Org
	name := o.NameIn(lang)
	ld := map[string]any{"@context": "https://schema.org", "@type": "Organization",
		"@id": s.Site.BaseURL + "/network/orgs/" + o.Slug, "name": name.Text}
	var alt []string
	for _, l := range i18n.Langs {
		if v, ok := o.Names.Versions[l]; ok && v.Text != "" && v.Text != name.Text && !slices.Contains(alt, v.Text) {
			alt = append(alt, v.Text)
		}
	}
	if len(alt) > 0 {
		ld["alternateName"] = alt
	}
	if d := o.DescriptionIn(lang); d.Text != "" {
		ld["description"] = d.Text
	}
	if o.Website != "" {
		ld["url"] = o.Website
	}
	if o.Country != "" {
		ld["address"] = map[string]any{"@type": "PostalAddress", "addressCountry": o.Country}
	}
	if len(p.Network.Countries) > 0 {
		var areas []any
		for _, c := range p.Network.Countries {
			areas = append(areas, map[string]any{"@type": "Country", "name": c})
		}
		ld["areaServed"] = areas
	}
	if len(p.Network.Languages) > 0 {
		ld["knowsLanguage"] = p.Network.Languages
	}
	if p.Logo != nil {
		ld["logo"] = s.Site.BaseURL + "/files/" + p.Logo.ID + "/" + files.Thumb
	}
	if len(p.Contacts) > 0 {
		var cps []any
		for _, c := range p.Contacts {
			cp := map[string]any{"@type": "ContactPoint", "name": c.Name, "email": c.Email}
			if c.Title != "" {
				cp["contactType"] = c.Title
			}
			cps = append(cps, cp)
		}
		ld["contactPoint"] = cps
	}
	return ld
}

// editData is the profile form.
type editData struct {
	Org       *org.Org
	Name      Shown
	Countries []Option
	Languages []Option
	Chosen    map[string]bool // countries and languages, by code
	Rows      []row
	Sectors   []string
	Members   []org.Member
	Contacts  map[string]bool
	Logo      *LogoView
}

func (s *Service) editData(r *http.Request, o *org.Org, f *web.Form, rows int) (*editData, error) {
	lang := web.PrinterOf(r).Lang
	d := &editData{Org: o, Name: o.NameIn(lang), Chosen: map[string]bool{}, Sectors: org.Sectors, Contacts: map[string]bool{}}
	d.Countries = slices.Clone(CountryOptions(lang))
	for _, c := range f.Values["countries"] {
		d.Chosen["c:"+c] = true
		if !Partner(c) && !slices.ContainsFunc(d.Countries, func(x Option) bool { return x.Code == c }) {
			d.Countries = append(d.Countries, Option{Code: c, Name: CountryName(lang, c)})
		}
	}
	d.Languages = slices.Clone(LanguageOptions(lang))
	for _, l := range f.Values["languages"] {
		d.Chosen["l:"+l] = true
		if !slices.Contains(Languages, l) {
			d.Languages = append(d.Languages, Option{Code: l, Name: LanguageName(lang, l)})
		}
	}
	for i := 0; i < rows; i++ {
		d.Rows = append(d.Rows, row{I: i, N: i + 1})
	}
	for _, id := range f.Values["contact"] {
		d.Contacts[id] = true
	}
	var err error
	if d.Members, err = s.Orgs.Members(r.Context(), web.ViewerOf(r), o); err != nil {
		return nil, err
	}
	logo, err := s.Logo(r.Context(), web.ViewerOf(r), o.ID)
	if err != nil {
		return nil, err
	}
	d.Logo = logoView(logo)
	return d, nil
}

// row is one offer-or-seek row of the form: its index and its number.
type row struct{ I, N int }

// profileValues writes a saved profile into form values.
func profileValues(p *network.Profile, contacts []Contact) url.Values {
	vals := url.Values{"countries": p.Countries, "languages": p.Languages}
	for i, n := range append(slices.Clone(p.Offers), p.Seeks...) {
		k := "need." + itoa(i)
		vals.Set(k+".direction", n.Direction)
		vals.Set(k+".sector", n.Sector)
		if n.Detail.Original != "" {
			vals.Set(k+".detail.original", n.Detail.Original)
		}
		for l, v := range n.Detail.Versions {
			vals.Set(k+".detail."+l, v.Text)
		}
	}
	for _, c := range contacts {
		vals.Add("contact", c.UserID)
		vals.Set("contact."+c.UserID+".title", c.Title)
	}
	return vals
}

func (s *Service) mayEdit(w http.ResponseWriter, r *http.Request, o *org.Org) bool {
	if !s.Orgs.IsAdmin(web.ViewerOf(r), o.ID) {
		s.Site.Fail(w, r, errForbidden)
		return false
	}
	return true
}

func (s *Service) editPage(w http.ResponseWriter, r *http.Request, o *org.Org) {
	if !s.mayEdit(w, r, o) {
		return
	}
	if err := s.ensureRecord(r.Context(), s.DB.W, o.ID); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	p, err := s.Core.Profile(r.Context(), o.ID)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	contacts, err := s.Contacts(r.Context(), o.ID)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	f := web.NewForm(profileValues(p, contacts))
	s.renderEdit(w, r, o, http.StatusOK, f, len(p.Offers)+len(p.Seeks)+blankRows)
}

func (s *Service) renderEdit(w http.ResponseWriter, r *http.Request, o *org.Org, status int, f *web.Form, rows int) {
	d, err := s.editData(r, o, f, min(rows, network.MaxNeeds+blankRows))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.RenderForm(w, r, status, "directory/edit", d, f)
}

// readForm reads the profile form. Rows left blank are skipped; rowOf maps
// each need to its row, for errors. prev are the saved needs, in the rows'
// order, so that unchanged texts keep their authors.
func (s *Service) readForm(f *web.Form, prev []network.Need, by string) (in ProfileInput, rowOf []int, bad map[string]string) {
	bad = map[string]string{}
	now := s.Clock.Now()
	in.Countries = f.Values["countries"]
	in.Languages = f.Values["languages"]
	rows := 0
	for k := range f.Values {
		if rest, ok := strings.CutPrefix(k, "need."); ok {
			if i, _, ok := strings.Cut(rest, "."); ok {
				if n := atoi(i); n >= rows {
					rows = n + 1
				}
			}
		}
	}
	if rows > network.MaxNeeds+blankRows {
		bad["needs"] = "network.error.too_many"
		rows = network.MaxNeeds + blankRows
	}
	for i := 0; i < rows; i++ {
		k := "need." + itoa(i)
		sector, dir := f.Trimmed(k+".sector"), f.Trimmed(k+".direction")
		blank := sector == ""
		for _, l := range i18n.Langs {
			if f.Trimmed(k+".detail."+l) != "" {
				blank = false
			}
		}
		if blank {
			continue
		}
		var before text.Text
		if i < len(prev) {
			before = prev[i].Detail
		}
		detail, errs := text.FromForm(f.Values, k+".detail", before, text.Limits{Max: network.MaxDetail}, by, now)
		for field, key := range errs {
			bad[field] = key
		}
		if key := checkDetail(detail); key != "" && len(errs) == 0 {
			if key == "text.error.required" {
				bad[k+".detail."+detail.Original] = key
			} else {
				bad[k+".detail"] = key
			}
		}
		if dir != network.Offer && dir != network.Seek {
			bad[k+".direction"] = "network.error.direction"
		}
		if !org.ValidSector(sector) {
			bad[k+".sector"] = "network.error.sector"
		}
		in.Needs = append(in.Needs, network.Need{Direction: dir, Sector: sector, Detail: detail})
		rowOf = append(rowOf, i)
	}
	for _, id := range f.Values["contact"] {
		in.Contacts = append(in.Contacts, ContactInput{UserID: id, Title: f.Value("contact." + id + ".title")})
	}
	return in, rowOf, bad
}

// formErrors turns the profile's field errors into the form's fields.
func formErrors(err error, in ProfileInput, rowOf []int, bad map[string]string) bool {
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return false
	}
	for k, v := range e.Fields {
		field := k
		if rest, ok := strings.CutPrefix(k, "needs."); ok {
			i, sub, _ := strings.Cut(rest, ".")
			if n := atoi(i); n >= 0 && n < len(rowOf) {
				field = "need." + itoa(rowOf[n]) + ".sector"
				if sub == "detail" {
					field = "need." + itoa(rowOf[n]) + ".detail"
				}
			}
		}
		if rest, ok := strings.CutPrefix(k, "contacts."); ok {
			if n := atoi(rest); n >= 0 && n < len(in.Contacts) && v != "network.directory.error.contact" {
				field = "contact." + in.Contacts[n].UserID + ".title"
			} else {
				field = "contacts" // not a member: no row of the form to show it beside
			}
		}
		if _, ok := bad[field]; !ok {
			bad[field] = v
		}
	}
	return true
}

func (s *Service) editPost(w http.ResponseWriter, r *http.Request, o *org.Org) {
	if !s.mayEdit(w, r, o) {
		return
	}
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	prev, err := s.Core.Profile(r.Context(), o.ID)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	in, rowOf, bad := s.readForm(f, append(slices.Clone(prev.Offers), prev.Seeks...), v.ID)
	rows := len(rowOf) + blankRows
	if last := len(rowOf); last > 0 {
		rows = max(rows, rowOf[last-1]+1+blankRows)
	}
	if len(bad) == 0 {
		err = s.SaveProfile(r.Context(), v, o, in, web.ClientIP(r))
		if err == nil {
			s.Site.Redirect(w, r, "/network/orgs/"+o.Slug, "network.directory.flash.saved")
			return
		}
		if !formErrors(err, in, rowOf, bad) {
			s.Site.Fail(w, r, err)
			return
		}
	} else {
		members, err := s.memberIDs(r.Context(), o.ID)
		if err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		formErrors(in.Check(members), in, rowOf, bad)
	}
	for k, key := range bad {
		f.Set(k, key)
	}
	s.renderEdit(w, r, o, http.StatusUnprocessableEntity, f, rows)
}

// logoPost takes a new logo from the profile form.
func (s *Service) logoPost(w http.ResponseWriter, r *http.Request, o *org.Org) {
	if !s.mayEdit(w, r, o) {
		return
	}
	err := readUpload(r, func(name string, body io.Reader) error {
		_, err := s.SetLogo(r.Context(), web.ViewerOf(r), o, files.Upload{Name: name, Body: body}, web.ClientIP(r))
		return err
	})
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/network/orgs/"+o.Slug+"/edit", "network.directory.flash.logo")
}

// readUpload takes the part named "file" of a multipart form.
func readUpload(r *http.Request, then func(name string, body io.Reader) error) error {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return errs.E("network.directory logo", errs.Invalid, "files.error.no_file")
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return errs.E("network.directory logo", errs.TooLarge, "upload.error.too_large")
			}
			return errs.E("network.directory logo", errs.Invalid, "files.error.no_file")
		}
		if p.FormName() == "file" && p.FileName() != "" {
			return then(p.FileName(), p)
		}
		p.Close()
	}
}

// countriesData is the list of country pages.
type countriesData struct {
	Countries []countryRow
}

type countryRow struct {
	Option
	Orgs int
}

func (s *Service) countriesPage(w http.ResponseWriter, r *http.Request) {
	lang := web.PrinterOf(r).Lang
	counts, err := s.countryCounts(r.Context())
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	var d countriesData
	// China first, then Africa's countries by name.
	d.Countries = append(d.Countries, countryRow{Option: Option{Code: "CN", Name: CountryName(lang, "CN")}, Orgs: counts["CN"]})
	for _, c := range CountryOptions(lang) {
		if c.Code != "CN" {
			d.Countries = append(d.Countries, countryRow{Option: c, Orgs: counts[c.Code]})
		}
	}
	s.Site.Render(w, r, http.StatusOK, "directory/countries", d)
}

// countryCounts counts, per country, the organisations based or working there.
func (s *Service) countryCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT country, COUNT(*) FROM (SELECT country, id AS org_id FROM orgs WHERE kind <> 'programme_office'
		UNION SELECT nc.country, nc.org_id FROM network_countries nc JOIN orgs o ON o.id = nc.org_id WHERE o.kind <> 'programme_office') x GROUP BY country`)
	if err != nil {
		return nil, errs.Wrap("network.directory country counts", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, errs.Wrap("network.directory country counts", err)
		}
		out[c] = n
	}
	return out, errs.Wrap("network.directory country counts", rows.Err())
}

// Country is a country page's content.
type Country struct {
	Code    string
	Name    string
	Figures []Figure
	Orgs    []Entry
	More    bool // more organisations than listed
	Posts   []PostSummary
}

// CountryPage gathers a partner country's page; NotFound for any other code.
func (s *Service) CountryPage(ctx context.Context, v *web.Viewer, code, lang string) (*Country, error) {
	code = strings.ToUpper(code)
	if !Partner(code) {
		return nil, errNotFound
	}
	c := &Country{Code: code, Name: CountryName(lang, code), Posts: []PostSummary{}}
	var err error
	if c.Figures, err = s.Figures(ctx, v, code); err != nil {
		return nil, err
	}
	var next string
	if c.Orgs, next, err = s.Search(ctx, Filter{Country: code, Limit: 20}); err != nil {
		return nil, err
	}
	c.More = next != ""
	if s.Posts != nil {
		if c.Posts, err = s.Posts.ByCountry(ctx, v, code, 10); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// countryData is a country page for one reader.
type countryData struct {
	*Country
	Entries    []entryView
	PostTitles map[string]Shown
}

func (s *Service) countryPage(w http.ResponseWriter, r *http.Request) {
	lang := web.PrinterOf(r).Lang
	c, err := s.CountryPage(r.Context(), web.ViewerOf(r), r.PathValue("code"), lang)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	d := countryData{Country: c, Entries: s.view(c.Orgs, lang), PostTitles: map[string]Shown{}}
	for _, p := range c.Posts {
		d.PostTitles[p.ID] = shown(p.Title, lang)
	}
	s.Site.Render(w, r, http.StatusOK, "directory/country", d)
}

func isMember(v *web.Viewer, orgID string) bool {
	if v == nil {
		return false
	}
	_, ok := v.Member(orgID)
	return ok
}
