package directory

import (
	"net/http"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/files"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/network"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

var (
	textSchema = map[string]any{"type": "object", "required": []string{"original", "versions"},
		"description": "Text in several languages: the language it was written in, and a version per language",
		"properties": map[string]any{
			"original": map[string]any{"type": "string", "enum": i18n.Langs},
			"versions": map[string]any{"type": "object", "propertyNames": map[string]any{"enum": i18n.Langs},
				"additionalProperties": web.Obj(map[string]any{"text": web.Str, "at": web.Time}, "text")},
		}}
	entrySchema = web.Obj(map[string]any{
		"id": web.Str, "slug": web.Str,
		"name":      map[string]any{"type": "string", "description": "in the reader's language (?lang), else English, else the original"},
		"name_lang": web.Str, "kind": web.Str, "country": web.Str, "sectors": web.Arr(web.Str),
		"member": map[string]any{"type": "boolean", "description": "a member of the cooperation network"}, "verified": web.Bool, "url": web.Str,
	}, "id", "slug", "name", "name_lang", "kind", "country", "sectors", "member", "verified", "url")
	needSchema    = web.Obj(map[string]any{"sector": web.Str, "detail": textSchema, "detail_text": web.Str, "detail_lang": web.Str}, "sector")
	contactSchema = web.Obj(map[string]any{"user_id": web.Str, "name": web.Str, "email": web.Str, "title": web.Str}, "user_id", "name", "email", "title")
	postSchema    = web.Obj(map[string]any{"id": web.Str, "title": web.Str, "title_lang": web.Str, "kind": web.Str, "country": web.Str,
		"url": web.Str, "published_at": web.Time}, "id", "title", "url")
	profileSchema = web.Obj(map[string]any{
		"organisation": entrySchema, "names": textSchema, "description": web.Str, "description_lang": web.Str, "website": web.Str,
		"countries": web.Arr(web.Str), "languages": web.Arr(web.Str), "offers": web.Arr(needSchema), "seeks": web.Arr(needSchema),
		"contacts": web.Arr(contactSchema), "logo_url": web.Str, "posts": web.Arr(postSchema),
	}, "organisation", "names", "countries", "languages", "offers", "seeks", "contacts", "posts")
	needInSchema    = web.Obj(map[string]any{"sector": map[string]any{"type": "string", "enum": org.Sectors}, "detail": textSchema}, "sector")
	profileInSchema = web.Obj(map[string]any{
		"countries": map[string]any{"type": "array", "items": web.Str, "maxItems": network.MaxCountries, "description": "ISO 3166-1 alpha-2 codes"},
		"languages": map[string]any{"type": "array", "items": web.Str, "maxItems": network.MaxLanguages, "description": "BCP 47 base languages"},
		"offers":    web.Arr(needInSchema), "seeks": web.Arr(needInSchema),
		"contacts": map[string]any{"type": "array", "maxItems": MaxContacts, "items": web.Obj(map[string]any{"user_id": web.Str,
			"title": map[string]any{"type": "string", "maxLength": MaxTitle}}, "user_id"),
			"description": "members of the organisation shown on its profile, with their name and e-mail address"},
	})
	countrySchema = web.Obj(map[string]any{"code": web.Str, "name": web.Str,
		"figures":       web.Arr(web.Obj(map[string]any{"key": web.Str, "label": web.Str, "value": web.Int}, "key", "value")),
		"organisations": web.Arr(entrySchema), "posts": web.Arr(postSchema)}, "code", "name", "figures", "organisations", "posts")
)

func (s *Service) mountAPI(site *web.Site) {
	site.API("GET /api/v1/network/orgs", web.Operation{ID: "listNetworkOrgs", Tag: "network",
		Summary: "The directory: every organisation on the platform, network members or not; q finds any version of the name",
		List:    true, Response: entrySchema, Query: []web.Param{
			{Name: "country", Description: "ISO 3166-1 alpha-2: based there or working there"}, {Name: "kind"}, {Name: "sector"},
			{Name: "language", Description: "a language it works in (BCP 47)"}, {Name: "members", Description: "1 for the network's members only"},
			{Name: "lang", Description: "the reader's language for names"}}}, s.apiList)
	site.API("GET /api/v1/network/orgs/{slug}", web.Operation{ID: "getNetworkProfile", Tag: "network",
		Summary: "An organisation's network profile", Response: profileSchema}, s.withOrg(s.apiGet))
	site.API("PUT /api/v1/network/orgs/{slug}/profile", web.Operation{ID: "putNetworkProfile", Tag: "network", Auth: true, Scope: account.ScopeWrite,
		Summary: "Replace an organisation's network profile (its admins)", Body: profileInSchema, Response: profileSchema},
		account.RequireSignIn(site, s.withOrg(s.apiPut)))
	// The path parameter is the country's ISO 3166-1 alpha-2 code, named id
	// as the platform names the identifiers of the things its API serves.
	site.API("GET /api/v1/network/countries/{id}", web.Operation{ID: "getNetworkCountry", Tag: "network",
		Summary: "A country page: Africa's 54 countries and China; id is the ISO 3166-1 alpha-2 code", Response: countrySchema}, s.apiCountry)
}

type entryJSON struct {
	ID       string   `json:"id"`
	Slug     string   `json:"slug"`
	Name     string   `json:"name"`
	NameLang string   `json:"name_lang"`
	Kind     org.Kind `json:"kind"`
	Country  string   `json:"country"`
	Sectors  []string `json:"sectors"`
	Member   bool     `json:"member"`
	Verified bool     `json:"verified"`
	URL      string   `json:"url"`
}

func (s *Service) entryJSON(o *org.Org, member bool, lang string) entryJSON {
	n := o.NameIn(lang)
	j := entryJSON{ID: o.ID, Slug: o.Slug, Name: n.Text, NameLang: n.Lang, Kind: o.Kind, Country: o.Country, Sectors: o.Sectors,
		Member: member, Verified: o.Verified, URL: s.Site.BaseURL + "/network/orgs/" + o.Slug}
	if j.Sectors == nil {
		j.Sectors = []string{}
	}
	return j
}

func (s *Service) apiList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := web.Limit(q.Get("limit"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	f := filterOf(q)
	f.Limit = limit
	es, next, err := s.Search(r.Context(), f)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	lang := web.PrinterOf(r).Lang
	items := make([]entryJSON, len(es))
	for i := range es {
		items[i] = s.entryJSON(&es[i].Org, es[i].Member, lang)
	}
	web.JSON(w, http.StatusOK, web.NewList(items, next))
}

type needJSON struct {
	Sector     string    `json:"sector"`
	Detail     text.Text `json:"detail"`
	DetailText string    `json:"detail_text,omitempty"`
	DetailLang string    `json:"detail_lang,omitempty"`
}

type postJSON struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	TitleLang   string    `json:"title_lang"`
	Kind        string    `json:"kind,omitempty"`
	Country     string    `json:"country,omitempty"`
	URL         string    `json:"url"`
	PublishedAt time.Time `json:"published_at"`
}

type profileJSON struct {
	Organisation    entryJSON  `json:"organisation"`
	Names           text.Text  `json:"names"`
	Description     string     `json:"description,omitempty"`
	DescriptionLang string     `json:"description_lang,omitempty"`
	Website         string     `json:"website,omitempty"`
	Countries       []string   `json:"countries"`
	Languages       []string   `json:"languages"`
	Offers          []needJSON `json:"offers"`
	Seeks           []needJSON `json:"seeks"`
	Contacts        []Contact  `json:"contacts"`
	LogoURL         string     `json:"logo_url,omitempty"`
	Posts           []postJSON `json:"posts"`
}

// withoutAuthors drops who wrote each version: person ids are not public.
func withoutAuthors(t text.Text) text.Text {
	out := text.Text{Original: t.Original, Versions: make(map[string]text.Version, len(t.Versions))}
	for l, v := range t.Versions {
		v.By = ""
		out.Versions[l] = v
	}
	return out
}

func needsJSON(ns []network.Need, lang string) []needJSON {
	out := make([]needJSON, len(ns))
	for i, n := range ns {
		sh := shown(n.Detail, lang)
		out[i] = needJSON{Sector: n.Sector, Detail: withoutAuthors(n.Detail), DetailText: sh.Text, DetailLang: sh.Lang}
		if out[i].Detail.Original == "" {
			out[i].Detail = text.Text{Original: "", Versions: map[string]text.Version{}}
		}
	}
	return out
}

func (s *Service) postsJSON(ps []PostSummary, lang string) []postJSON {
	out := make([]postJSON, len(ps))
	for i, p := range ps {
		sh := shown(p.Title, lang)
		out[i] = postJSON{ID: p.ID, Title: sh.Text, TitleLang: sh.Lang, Kind: p.Kind, Country: p.Country, URL: s.Site.BaseURL + p.Path,
			PublishedAt: p.PublishedAt}
	}
	return out
}

func (s *Service) profileJSON(p *Profile, lang string) profileJSON {
	o := p.Org
	d := o.DescriptionIn(lang)
	j := profileJSON{Organisation: s.entryJSON(o, p.Member, lang), Names: withoutAuthors(o.Names), Description: d.Text, DescriptionLang: d.Lang,
		Website: o.Website, Countries: p.Network.Countries, Languages: p.Network.Languages,
		Offers: needsJSON(p.Network.Offers, lang), Seeks: needsJSON(p.Network.Seeks, lang), Contacts: p.Contacts, Posts: s.postsJSON(p.Posts, lang)}
	if p.Logo != nil {
		j.LogoURL = s.Site.BaseURL + "/files/" + p.Logo.ID + "/" + files.Thumb
	}
	return j
}

func (s *Service) apiGet(w http.ResponseWriter, r *http.Request, o *org.Org) {
	p, err := s.Profile(r.Context(), web.ViewerOf(r), o)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, s.profileJSON(p, web.PrinterOf(r).Lang))
}

type needIn struct {
	Sector string    `json:"sector"`
	Detail text.Text `json:"detail"`
}

type profileIn struct {
	Countries []string       `json:"countries"`
	Languages []string       `json:"languages"`
	Offers    []needIn       `json:"offers"`
	Seeks     []needIn       `json:"seeks"`
	Contacts  []ContactInput `json:"contacts"`
}

func (s *Service) apiPut(w http.ResponseWriter, r *http.Request, o *org.Org) {
	v := web.ViewerOf(r)
	if !s.Orgs.IsAdmin(v, o.ID) {
		s.Site.Fail(w, r, errForbidden)
		return
	}
	var body profileIn
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	now := s.Clock.Now()
	in := ProfileInput{Contacts: body.Contacts}
	in.Countries, in.Languages = body.Countries, body.Languages
	for _, group := range []struct {
		dir   string
		needs []needIn
	}{{network.Offer, body.Offers}, {network.Seek, body.Seeks}} {
		for _, n := range group.needs {
			d := text.Text{Original: n.Detail.Original, Versions: map[string]text.Version{}}
			for l, ver := range n.Detail.Versions {
				if ver.Text != "" {
					d.Versions[l] = text.Version{Text: ver.Text, By: v.ID, At: now}
				}
			}
			if d.Original == "" && len(d.Versions) > 0 {
				d.Original = web.PrinterOf(r).Lang
			}
			in.Needs = append(in.Needs, network.Need{Direction: group.dir, Sector: n.Sector, Detail: d})
		}
	}
	if err := s.SaveProfile(r.Context(), v, o, in, web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	p, err := s.Profile(r.Context(), v, o)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, s.profileJSON(p, web.PrinterOf(r).Lang))
}

type figureJSON struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Value int    `json:"value"`
}

func (s *Service) apiCountry(w http.ResponseWriter, r *http.Request) {
	p := web.PrinterOf(r)
	c, err := s.CountryPage(r.Context(), web.ViewerOf(r), r.PathValue("id"), p.Lang)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	figs := make([]figureJSON, len(c.Figures))
	for i, f := range c.Figures {
		figs[i] = figureJSON{Key: f.Key, Label: p.N(f.Key, f.Value), Value: f.Value}
	}
	orgs := make([]entryJSON, len(c.Orgs))
	for i := range c.Orgs {
		orgs[i] = s.entryJSON(&c.Orgs[i].Org, c.Orgs[i].Member, p.Lang)
	}
	web.JSON(w, http.StatusOK, map[string]any{"code": c.Code, "name": c.Name, "figures": figs, "organisations": orgs,
		"posts": s.postsJSON(c.Posts, p.Lang)})
}
