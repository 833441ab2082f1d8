package posts

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/search"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

// Mount registers the pages, the feed and the API.
func (s *Service) Mount(site *web.Site) {
	site.AddPages(templateFS, "templates/network-posts/*.html")
	signed := func(h http.HandlerFunc) http.HandlerFunc { return account.RequireSignIn(site, h) }
	site.PageFunc("GET /network/posts", s.listPage)
	site.PageFunc("GET /network/posts.atom", s.feed)
	site.PageFunc("GET /network/posts/new", signed(s.newPage))
	site.PageFunc("POST /network/posts", signed(s.createPost))
	site.PageFunc("GET /network/posts/{id}", s.showPage)
	site.PageFunc("GET /network/posts/{id}/edit", signed(s.editPage))
	site.PageFunc("POST /network/posts/{id}/edit", signed(s.editPost))
	site.PageFunc("POST /network/posts/{id}/replies", signed(s.replyPost))
	site.PageFunc("GET /network/subscriptions", signed(s.subscriptionsPage))
	site.PageFunc("POST /network/subscriptions", signed(s.subscriptionsPost))
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

// Paragraphs splits the text at its blank lines and line breaks, for display.
func (t textView) Paragraphs() []string {
	var out []string
	for _, p := range strings.Split(t.Text, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// option is one choice of a menu.
type option struct{ Code, Name string }

var optionCache sync.Map // lang → []option

// countryOptions are the countries a post may be about, Africa as a whole
// first, then the countries by their names in lang.
func countryOptions(p *i18n.Printer) []option {
	if v, ok := optionCache.Load(p.Lang); ok {
		return v.([]option)
	}
	var list []option
	for _, c := range Countries()[1:] {
		list = append(list, option{Code: c, Name: countryName(p, c)})
	}
	col := collate.New(language.Make(p.Lang))
	slices.SortFunc(list, func(a, b option) int { return col.CompareString(a.Name, b.Name) })
	out := append([]option{{Code: AllAfrica, Name: countryName(p, AllAfrica)}}, list...)
	optionCache.Store(p.Lang, out)
	return out
}

// row is one post in a list.
type row struct {
	ID       string
	Title    textView
	Snippet  template.HTML
	Kind     string
	Country  string
	Owner    string
	Date     time.Time
	Expires  *time.Time
	Expired  bool
	Marking  sharing.Marking
	State    sharing.State
	Editable bool
}

func (s *Service) rows(r *http.Request, items []*Post, tokens []string) []row {
	p := web.PrinterOf(r)
	v := web.ViewerOf(r)
	now := s.Clock.Now()
	out := make([]row, 0, len(items))
	for _, it := range items {
		rw := row{ID: it.ID, Title: viewText(it.Title, p.Lang), Kind: it.Kind, Country: countryName(p, it.Country), Owner: it.OwnerIn(p.Lang),
			Date: it.CreatedAt, Expires: it.ExpiresOn, Expired: it.Expired(now), Marking: it.Marking, State: it.State, Editable: s.IsEditor(v, it)}
		body, _ := it.Body.In(p.Lang)
		if len(tokens) > 0 {
			rw.Snippet = search.Snippet(body, tokens, 200)
		} else {
			rw.Snippet = search.Snippet(body, nil, 160)
		}
		out = append(out, rw)
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
	return Filter{Q: q.Get("q"), Kind: q.Get("kind"), Country: q.Get("country"), Sector: q.Get("sector"),
		Expired: q.Get("expired") != "", Cursor: q.Get("cursor")}
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
	v := web.ViewerOf(r)
	feed := url.Values{}
	for _, k := range []string{"country", "sector"} {
		if x := q.Get(k); x != "" {
			feed.Set(k, x)
		}
	}
	data := map[string]any{"Filter": f, "Kinds": Kinds, "Countries": countryOptions(p), "Sectors": org.Sectors,
		"CanCreate": len(OwnerChoices(v)) > 0, "Signed": v != nil, "Searching": strings.TrimSpace(f.Q) != "",
		"Feed": "/network/posts.atom"}
	if len(feed) > 0 {
		data["Feed"] = "/network/posts.atom?" + feed.Encode()
	}
	form := web.NewForm(q)
	page, err := s.List(r.Context(), v, f)
	if err != nil {
		if form.Merge(err) {
			data["Searching"] = false
			s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "network-posts/list", data, form)
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
		data["Next"] = "/network/posts?" + next.Encode()
	}
	if q.Get("cursor") != "" {
		first := cloneValues(q)
		first.Del("cursor")
		data["First"] = "/network/posts?" + first.Encode()
	}
	var facets []facetLink
	for _, fc := range page.Facets {
		u := cloneValues(q)
		u.Del("cursor")
		u.Set("kind", fc.Value)
		facets = append(facets, facetLink{Kind: fc.Value, Count: fc.Count, Href: "/network/posts?" + u.Encode(), Current: fc.Value == f.Kind})
	}
	data["Facets"] = facets
	s.Site.RenderForm(w, r, http.StatusOK, "network-posts/list", data, form)
}

// showData is what the post page shows.
type showData struct {
	P           *Post
	Title       textView
	Body        textView
	Country     string
	Owner       string
	Expired     bool
	Editor      bool
	SharePath   string
	Attachments template.HTML
	Replies     []Reply
	CanReply    bool
	Orgs        []web.Membership
}

func (s *Service) showPage(w http.ResponseWriter, r *http.Request) {
	s.renderShow(w, r, http.StatusOK, nil)
}

func (s *Service) renderShow(w http.ResponseWriter, r *http.Request, status int, f *web.Form) {
	v := web.ViewerOf(r)
	post, err := s.Get(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	replies, err := s.Replies(r.Context(), v, post.ID)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	p := web.PrinterOf(r)
	d := showData{P: post, Title: viewText(post.Title, p.Lang), Body: viewText(post.Body, p.Lang), Country: countryName(p, post.Country),
		Owner: post.OwnerIn(p.Lang), Expired: post.Expired(s.Clock.Now()), Editor: s.IsEditor(v, post),
		SharePath: "/share/" + TypeName + "/" + post.ID, Replies: replies, CanReply: v != nil && len(v.Orgs) > 0}
	if v != nil {
		d.Orgs = v.Orgs
	}
	if s.Attachments != nil {
		if d.Attachments, err = s.Attachments(r, TypeName, post.ID); err != nil {
			s.Site.Fail(w, r, err)
			return
		}
	}
	if f == nil {
		f = web.NewForm(url.Values{})
	}
	s.Site.RenderForm(w, r, status, "network-posts/show", d, f)
}

// formData is what the publishing and edit form needs.
type formData struct {
	P         *Post // nil when publishing
	Owners    []web.Membership
	Audiences []string
	Kinds     []string
	Countries []option
	Sectors   []string
	Chosen    map[string]bool
}

func (s *Service) formData(r *http.Request, p *Post, f *web.Form) formData {
	d := formData{P: p, Owners: OwnerChoices(web.ViewerOf(r)), Audiences: Audiences, Kinds: Kinds,
		Countries: countryOptions(web.PrinterOf(r)), Sectors: org.Sectors, Chosen: map[string]bool{}}
	for _, x := range f.Values["sectors"] {
		d.Chosen[x] = true
	}
	return d
}

// inputOf reads the form.
func inputOf(f *web.Form) Input {
	return Input{OwnerOrg: f.Value("owner_org"), Audience: f.Value("audience"), Draft: f.Value("draft") != "", Kind: f.Value("kind"),
		Title: text.InputFrom(f.Values, "title"), Body: text.InputFrom(f.Values, "body"), Country: f.Value("country"), Sectors: f.Values["sectors"],
		ExpiresOn: f.Value("expires_on")}
}

// valuesOf writes a post as the form's values, to edit it.
func valuesOf(p *Post) url.Values {
	in := InputOf(p)
	vals := url.Values{"audience": {in.Audience}, "kind": {in.Kind}, "country": {in.Country}, "sectors": in.Sectors, "expires_on": {in.ExpiresOn}}
	for name, t := range map[string]TextInput{"title": in.Title, "body": in.Body} {
		vals.Set(name+".original", t.Original)
		for l, x := range t.Texts {
			vals.Set(name+"."+l, x)
		}
	}
	return vals
}

func (s *Service) newPage(w http.ResponseWriter, r *http.Request) {
	if len(OwnerChoices(web.ViewerOf(r))) == 0 {
		s.Site.Fail(w, r, errNoOrg)
		return
	}
	f := web.NewForm(url.Values{"audience": {Public}})
	s.Site.RenderForm(w, r, http.StatusOK, "network-posts/form", s.formData(r, nil, f), f)
}

func (s *Service) createPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	p, err := s.Create(r.Context(), web.ViewerOf(r), inputOf(f), web.ClientIP(r))
	if err != nil {
		if f.Merge(err) {
			s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "network-posts/form", s.formData(r, nil, f), f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	flash := "network.posts.flash.published"
	switch {
	case p.State == sharing.Draft:
		flash = "network.posts.flash.draft"
	case p.Marking == sharing.Amber:
		// Named organisations are chosen on the share page.
		s.Site.Redirect(w, r, "/share/"+TypeName+"/"+p.ID, "network.posts.flash.share")
		return
	}
	s.Site.Redirect(w, r, p.Path(), flash)
}

// editable loads the post for its editors: 404 when the viewer may not see
// it, 403 when they see it but do not edit it.
func (s *Service) editable(w http.ResponseWriter, r *http.Request) (*Post, bool) {
	v := web.ViewerOf(r)
	p, err := s.Get(r.Context(), v, r.PathValue("id"))
	if err == nil && !s.IsEditor(v, p) {
		err = errNotEditor
	}
	if err != nil {
		s.Site.Fail(w, r, err)
		return nil, false
	}
	return p, true
}

func (s *Service) editPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.editable(w, r)
	if !ok {
		return
	}
	f := web.NewForm(valuesOf(p))
	s.Site.RenderForm(w, r, http.StatusOK, "network-posts/form", s.formData(r, p, f), f)
}

func (s *Service) editPost(w http.ResponseWriter, r *http.Request) {
	p, ok := s.editable(w, r)
	if !ok {
		return
	}
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if _, err := s.Update(r.Context(), web.ViewerOf(r), p.ID, inputOf(f), f.Value("publish") != "", web.ClientIP(r)); err != nil {
		if f.Merge(err) {
			s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "network-posts/form", s.formData(r, p, f), f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, p.Path(), "network.posts.flash.saved")
}

func (s *Service) replyPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	reply, err := s.AddReply(r.Context(), web.ViewerOf(r), r.PathValue("id"),
		ReplyInput{Body: f.Value("body"), Parent: f.Value("parent"), Org: f.Value("org")}, web.ClientIP(r))
	if err != nil {
		if f.Merge(err) {
			s.renderShow(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, Type.Path(reply.PostID)+"#r-"+reply.ID, "network.posts.flash.replied")
}

// subsData is what the subscriptions page shows.
type subsData struct {
	Countries []option
	Sectors   []string
	Chosen    map[string]bool // "country/KE", "sector/x"
}

func (s *Service) renderSubscriptions(w http.ResponseWriter, r *http.Request, status int, f *web.Form) {
	d := subsData{Countries: countryOptions(web.PrinterOf(r)), Sectors: org.Sectors, Chosen: map[string]bool{}}
	for _, c := range f.Values["countries"] {
		d.Chosen["country/"+c] = true
	}
	for _, x := range f.Values["sectors"] {
		d.Chosen["sector/"+x] = true
	}
	s.Site.RenderForm(w, r, status, "network-posts/subscriptions", d, f)
}

func (s *Service) subscriptionsPage(w http.ResponseWriter, r *http.Request) {
	subs, err := s.Subscriptions(r.Context(), web.ViewerOf(r).ID)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	var slugs []string
	for _, o := range subs.Orgs {
		slugs = append(slugs, o.Slug)
	}
	f := web.NewForm(url.Values{"countries": subs.Countries, "sectors": subs.Sectors, "orgs": {strings.Join(slugs, "\n")}})
	s.renderSubscriptions(w, r, http.StatusOK, f)
}

func (s *Service) subscriptionsPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	in := SubscriptionInput{Countries: f.Values["countries"], Sectors: f.Values["sectors"],
		Orgs: strings.FieldsFunc(f.Value("orgs"), func(c rune) bool { return c == '\n' || c == '\r' || c == ',' || c == ' ' })}
	if _, err := s.SetSubscriptions(r.Context(), web.ViewerOf(r), in); err != nil {
		if f.Merge(err) {
			s.renderSubscriptions(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/network/subscriptions", "network.posts.flash.subscriptions")
}
