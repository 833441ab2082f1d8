package cert

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

// DirectoryPage is how many teams a page of the directory shows.
const DirectoryPage = 50

// Mount registers the pages and the API.
func (s *Service) Mount(site *web.Site) {
	site.AddPages(templateFS, "templates/cert/*.html")
	site.PageFunc("GET /cert", s.directoryPage)
	site.PageFunc("GET /cert/teams/{slug}", s.profilePage)
	site.PageFunc("GET /cert/teams/{slug}/edit", account.RequireSignIn(site, s.editPage))
	site.PageFunc("POST /cert/teams/{slug}/edit", account.RequireSignIn(site, s.editPost))
	site.PageFunc("POST /cert/teams/{slug}/vouch", account.RequireSignIn(site, s.vouchPost))
	site.PageFunc("POST /cert/teams/{slug}/founding", account.RequireSignIn(site, s.foundingPost))
	site.PageFunc("GET /cert/contacts/{id}", s.contactsPage)
	s.mountCircles(site)
	s.mountAPI(site)
}

func lang(r *http.Request) string {
	if p := web.PrinterOf(r); p != nil {
		return p.Lang
	}
	return i18n.Default
}

func countryName(code, lang string) string {
	if c, ok := geo.Lookup(code); ok {
		return c.Name(lang)
	}
	return code
}

// Option is a country in the directory's filter.
type Option struct{ Code, Name string }

type dirRow struct {
	Row
	Name    org.Shown
	Country string
}

func (s *Service) filterOf(q url.Values) (Filter, error) {
	f := Filter{Country: strings.ToUpper(strings.TrimSpace(q.Get("country"))), Vetted: q.Get("vetted") == "1"}
	if f.Country != "" && !geo.IsValid(f.Country) {
		return f, errs.Field("cert.directory", map[string]string{"country": "cert.error.country"})
	}
	return f, nil
}

func (s *Service) directoryPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := s.filterOf(q)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if c := q.Get("offset"); c != "" {
		if f.Offset, err = strconv.Atoi(c); err != nil || f.Offset < 0 {
			s.Site.Fail(w, r, errs.E("cert.directory", errs.Invalid, "error.cursor"))
			return
		}
	}
	f.Limit = DirectoryPage
	rows, more, err := s.Directory(r.Context(), f)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	l := lang(r)
	out := make([]dirRow, 0, len(rows))
	for _, row := range rows {
		out = append(out, dirRow{Row: row, Name: row.Org.NameIn(l), Country: countryName(row.Org.Country, l)})
	}
	var countries []Option
	for _, c := range geo.African() {
		countries = append(countries, Option{Code: c.Code, Name: c.Name(l)})
	}
	countries = append(countries, Option{Code: "CN", Name: countryName("CN", l)})
	slices.SortFunc(countries, func(a, b Option) int { return strings.Compare(a.Name, b.Name) })
	d := map[string]any{"Rows": out, "Country": f.Country, "Vetted": f.Vetted, "Countries": countries, "InTeam": InTeam(web.ViewerOf(r))}
	keep := url.Values{}
	if f.Country != "" {
		keep.Set("country", f.Country)
	}
	if f.Vetted {
		keep.Set("vetted", "1")
	}
	if more {
		next := url.Values{}
		for k, v := range keep {
			next[k] = v
		}
		next.Set("offset", strconv.Itoa(f.Offset+DirectoryPage))
		d["Next"] = "/cert?" + next.Encode()
	}
	if f.Offset > 0 {
		d["First"] = "/cert?" + keep.Encode()
	}
	s.Site.Render(w, r, http.StatusOK, "cert/directory", d)
}

// team reads the {slug} of the request.
func (s *Service) team(w http.ResponseWriter, r *http.Request) (*org.Org, bool) {
	o, err := s.Team(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return nil, false
	}
	return o, true
}

type agreementRow struct {
	ID    string
	Title org.Shown
}

type profileData struct {
	Org          *org.Org
	Name         org.Shown
	Country      string
	Profile      *Profile
	Constituency org.Shown
	Contacts     *Contacts
	Agreements   []agreementRow
	Editor       bool
	VouchAs      []web.Membership // the viewer's vetted CERTs that have not vouched
	WithdrawAs   []web.Membership // the viewer's vetted CERTs that have vouched
	Admin        bool
	CanFound     bool
}

func shownText(t text.Text, l string) org.Shown {
	s, in := t.In(l)
	if s == "" {
		return org.Shown{}
	}
	return org.Shown{Text: s, Lang: in, Dir: i18n.Dir(in), Original: in == t.Original}
}

func (s *Service) profileData(r *http.Request, o *org.Org) (*profileData, error) {
	ctx, v, l := r.Context(), web.ViewerOf(r), lang(r)
	p, err := s.Profile(ctx, o)
	if err != nil {
		return nil, err
	}
	d := &profileData{Org: o, Name: o.NameIn(l), Country: countryName(o.Country, l), Profile: p, Constituency: shownText(p.Constituency, l),
		Editor: v != nil && MayEdit(v, o.ID), Admin: v != nil && v.IsAdmin()}
	if c, err := s.ContactsOf(ctx, v, o.ID); err == nil {
		d.Contacts = c
	} else if !errs.Is(err, errs.NotFound) {
		return nil, err
	}
	if s.Agreements != nil {
		list, err := s.Agreements.ForOrg(ctx, v, o.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			d.Agreements = append(d.Agreements, agreementRow{ID: a.ID, Title: shownText(a.Title, l)})
		}
	}
	mine, err := s.vettedOrgsOf(ctx, v)
	if err != nil {
		return nil, err
	}
	for _, m := range mine {
		if m.OrgID == o.ID {
			continue
		}
		vouched, err := s.hasVouched(r, o.ID, m.OrgID)
		if err != nil {
			return nil, err
		}
		if vouched {
			d.WithdrawAs = append(d.WithdrawAs, m)
		} else {
			d.VouchAs = append(d.VouchAs, m)
		}
	}
	if d.Admin && o.Verified && !p.Founding {
		n, err := s.vettedCount(ctx)
		if err != nil {
			return nil, err
		}
		d.CanFound = n < 2
	}
	return d, nil
}

func (s *Service) hasVouched(r *http.Request, orgID, voucher string) (bool, error) {
	var n int
	err := s.DB.R.QueryRowContext(r.Context(), `SELECT COUNT(*) FROM cert_vouches WHERE org_id = $1 AND voucher_org = $2`, orgID, voucher).Scan(&n)
	return n > 0, errs.Wrap("cert vouched", err)
}

func (s *Service) profilePage(w http.ResponseWriter, r *http.Request) {
	o, ok := s.team(w, r)
	if !ok {
		return
	}
	d, err := s.profileData(r, o)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Render(w, r, http.StatusOK, "cert/profile", d)
}

// contactsPage is the page of a contact block (where the share pages
// link): its team's profile, if the viewer may see the block.
func (s *Service) contactsPage(w http.ResponseWriter, r *http.Request) {
	m, err := s.Sharing.Meta(r.Context(), web.ViewerOf(r), ContactsTypeName, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	var slug string
	if err := s.DB.R.QueryRowContext(r.Context(), `SELECT slug FROM orgs WHERE id = $1`, m.OwnerOrg).Scan(&slug); err != nil {
		s.Site.Fail(w, r, errs.Wrap("cert contacts", err))
		return
	}
	http.Redirect(w, r, "/cert/teams/"+slug+"#contacts", http.StatusSeeOther)
}

type contactRow struct {
	I, N                             string
	Name, Phone, Email, Emergency    string
	Error                            string
	NameID, PhoneID, EmailID, EmerID string
}

type editData struct {
	Org       *org.Org
	Name      org.Shown
	Contacts  []contactRow
	FirstYear int
	ThisYear  int
}

func (s *Service) editData(r *http.Request, o *org.Org, f *web.Form) *editData {
	d := &editData{Org: o, Name: o.NameIn(lang(r)), FirstYear: FirstYear, ThisYear: s.Clock.Now().Year()}
	filled := 0
	for i := range MaxContacts {
		p := "contacts." + strconv.Itoa(i)
		row := contactRow{I: strconv.Itoa(i), N: strconv.Itoa(i + 1), Name: f.Value(p + ".name"), Phone: f.Value(p + ".phone"), Email: f.Value(p + ".email"),
			Emergency: f.Value(p + ".emergency_phone"), Error: f.Error(p)}
		if row.Name != "" || row.Phone != "" || row.Email != "" || row.Emergency != "" || row.Error != "" {
			filled = i + 1
		}
		d.Contacts = append(d.Contacts, row)
	}
	// The filled rows and two empty ones.
	d.Contacts = d.Contacts[:min(MaxContacts, filled+2)]
	return d
}

func (s *Service) editPage(w http.ResponseWriter, r *http.Request) {
	o, ok := s.team(w, r)
	if !ok {
		return
	}
	v := web.ViewerOf(r)
	if !MayEdit(v, o.ID) {
		s.Site.Fail(w, r, errForbidden)
		return
	}
	p, err := s.Profile(r.Context(), o)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	vals := url.Values{"languages": {strings.Join(p.Languages, ", ")}}
	if p.FirstMember {
		vals.Set("first_member", "1")
		vals.Set("first_since", strconv.Itoa(p.FirstSince))
	}
	vals.Set("constituency.original", p.Constituency.Original)
	for l, ver := range p.Constituency.Versions {
		vals.Set("constituency."+l, ver.Text)
	}
	c, err := s.ContactsOf(r.Context(), v, o.ID)
	switch {
	case err == nil:
		for i, row := range c.Contacts {
			pre := "contacts." + strconv.Itoa(i)
			vals.Set(pre+".name", row.Name)
			vals.Set(pre+".phone", row.Phone)
			vals.Set(pre+".email", row.Email)
			vals.Set(pre+".emergency_phone", row.EmergencyPhone)
		}
		vals.Set("hours", c.Hours)
		vals.Set("pgp_key", c.Armored)
	case !errs.Is(err, errs.NotFound):
		s.Site.Fail(w, r, err)
		return
	}
	f := web.NewForm(vals)
	s.Site.RenderForm(w, r, http.StatusOK, "cert/edit", s.editData(r, o, f), f)
}

// inputOf reads the edit form; the constituency's field errors come back
// separately, as text.FromForm gives them.
func (s *Service) inputOf(f *web.Form, prev text.Text, by string) (Input, map[string]string) {
	constituency, bad := text.FromForm(f.Values, "constituency", prev, text.Limits{Max: MaxConstituency}, by, s.Clock.Now())
	in := Input{Constituency: constituency, Languages: strings.FieldsFunc(f.Value("languages"), func(r rune) bool { return r == ',' || r == ' ' }),
		FirstMember: f.Value("first_member") == "1", FirstSince: f.Value("first_since"), Hours: f.Value("hours"), PGPKey: f.Value("pgp_key")}
	for i := range MaxContacts {
		p := "contacts." + strconv.Itoa(i)
		in.Contacts = append(in.Contacts, Contact{Name: f.Value(p + ".name"), Phone: f.Value(p + ".phone"), Email: f.Value(p + ".email"),
			EmergencyPhone: f.Value(p + ".emergency_phone")})
	}
	return in, bad
}

func (s *Service) editPost(w http.ResponseWriter, r *http.Request) {
	o, ok := s.team(w, r)
	if !ok {
		return
	}
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	if !MayEdit(v, o.ID) {
		s.Site.Fail(w, r, errForbidden)
		return
	}
	p, err := s.Profile(r.Context(), o)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	in, bad := s.inputOf(f, p.Constituency, v.ID)
	if len(bad) > 0 {
		err = errs.Field("cert.profile", bad)
	} else {
		err = s.Save(r.Context(), v, o, in, web.ClientIP(r))
	}
	if err != nil {
		if f.Merge(err) {
			s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "cert/edit", s.editData(r, o, f), f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/cert/teams/"+o.Slug, "cert.flash.saved")
}

func (s *Service) vouchPost(w http.ResponseWriter, r *http.Request) {
	o, ok := s.team(w, r)
	if !ok {
		return
	}
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	on := f.Value("withdraw") != "1"
	if err := s.Vouch(r.Context(), web.ViewerOf(r), o, f.Value("org"), on, web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	flash := "cert.flash.vouched"
	if !on {
		flash = "cert.flash.vouch_withdrawn"
	}
	s.Site.Redirect(w, r, "/cert/teams/"+o.Slug, flash)
}

func (s *Service) foundingPost(w http.ResponseWriter, r *http.Request) {
	o, ok := s.team(w, r)
	if !ok {
		return
	}
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := s.SetFounding(r.Context(), web.ViewerOf(r), o, f.Value("founding") == "1", web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/cert/teams/"+o.Slug, "cert.flash.founding")
}
