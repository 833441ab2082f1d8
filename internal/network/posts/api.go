package posts

import (
	"net/http"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

var (
	textSchema = web.Obj(map[string]any{"original": web.Str, "texts": map[string]any{"type": "object", "additionalProperties": web.Str}},
		"original", "texts")
	orgRef      = web.Obj(map[string]any{"id": web.Str, "slug": web.Str, "name": web.Str}, "id", "slug", "name")
	replySchema = web.Obj(map[string]any{"id": web.Str, "parent": web.Str, "author": web.Str, "org": orgRef, "body": web.Str,
		"created_at": web.Time, "replies": web.Arr(web.Obj(map[string]any{"id": web.Str}))}, "id", "author", "org", "body", "created_at")
	postSchema = web.Obj(map[string]any{
		"id": web.Str, "url": web.Str, "kind": map[string]any{"type": "string", "enum": Kinds},
		"title": textSchema, "body": textSchema, "country": web.Str, "sectors": web.Arr(web.Str),
		"expires_on": map[string]any{"type": []string{"string", "null"}, "format": "date"}, "expired": map[string]any{"type": "boolean"},
		"audience": map[string]any{"type": "string", "enum": Audiences}, "marking": web.Str, "state": web.Str, "owner_org": orgRef,
		"created_at": web.Time, "updated_at": web.Time, "replies": web.Arr(replySchema)},
		"id", "url", "kind", "title", "body", "country", "sectors", "expires_on", "expired", "audience", "marking", "state", "owner_org")
	fieldsIn = map[string]any{"kind": map[string]any{"type": "string", "enum": Kinds}, "title": textSchema, "body": textSchema,
		"country": map[string]any{"type": "string", "description": "ISO 3166-1 alpha-2 of an African state or CN, or \"africa\""},
		"sectors": web.Arr(web.Str), "expires_on": web.Str, "audience": map[string]any{"type": "string", "enum": Audiences}}
	subsSchema = web.Obj(map[string]any{"countries": web.Arr(web.Str), "sectors": web.Arr(web.Str), "orgs": web.Arr(orgRef)},
		"countries", "sectors", "orgs")
)

func (s *Service) mountAPI(site *web.Site) {
	signed := func(h http.HandlerFunc) http.HandlerFunc { return account.RequireSignIn(site, h) }
	site.API("GET /api/v1/network/posts", web.Operation{ID: "listNetworkPosts", Tag: "network", List: true, Response: postSchema,
		Summary: "Cooperation posts the caller may see, newest first (by relevance with q); expired ones only with expired=1",
		Query: []web.Param{{Name: "kind", Description: "one of the kinds of post"},
			{Name: "country", Description: "ISO 3166-1 alpha-2 of an African state or CN, or \"africa\""},
			{Name: "sector", Description: "a sector of the vocabulary"},
			{Name: "expired", Description: "1 to include expired posts"}}},
		s.apiList)
	site.API("GET /api/v1/network/posts/{id}", web.Operation{ID: "getNetworkPost", Tag: "network", Summary: "One post, with its replies",
		Response: postSchema}, s.apiGet)
	create := map[string]any{"owner_org": web.Str, "draft": map[string]any{"type": "boolean"}}
	for k, v := range fieldsIn {
		create[k] = v
	}
	site.API("POST /api/v1/network/posts", web.Operation{ID: "createNetworkPost", Tag: "network", Auth: true, Scope: account.ScopeWrite,
		Status: http.StatusCreated, Response: postSchema,
		Summary: "Publish a post (or keep it as a draft) for an organisation the caller is an admin or editor of (owner_org: slug or id); " +
			"audience network is for the network's members; share a named post through the sharing API",
		Body: web.Obj(create, "kind", "title", "body", "country", "sectors", "audience")},
		signed(s.apiCreate))
	site.API("PATCH /api/v1/network/posts/{id}", web.Operation{ID: "updateNetworkPost", Tag: "network", Auth: true, Scope: account.ScopeWrite,
		Response: postSchema, Summary: "Change a post (its owner's admins and editors): the fields given replace the post's; publish: true publishes a draft",
		Body: web.Obj(func() map[string]any {
			m := map[string]any{"publish": map[string]any{"type": "boolean"}}
			for k, v := range fieldsIn {
				m[k] = v
			}
			return m
		}())},
		signed(s.apiPatch))
	site.API("POST /api/v1/network/posts/{id}/replies", web.Operation{ID: "replyNetworkPost", Tag: "network", Auth: true, Scope: account.ScopeWrite,
		Status: http.StatusCreated, Response: replySchema,
		Summary: "Reply to a post the caller may see, for one of their organisations (org: slug or id); parent answers a reply",
		Body:    web.Obj(map[string]any{"body": web.Str, "parent": web.Str, "org": web.Str}, "body")},
		signed(s.apiReply))
	site.API("GET /api/v1/network/subscriptions", web.Operation{ID: "getNetworkSubscriptions", Tag: "network", Auth: true,
		Summary: "The countries, sectors and organisations the caller follows", Response: subsSchema}, signed(s.apiSubs))
	site.API("PUT /api/v1/network/subscriptions", web.Operation{ID: "setNetworkSubscriptions", Tag: "network", Auth: true, Scope: account.ScopeWrite,
		Summary: "Replace what the caller follows (organisations by slug)", Response: subsSchema,
		Body: web.Obj(map[string]any{"countries": web.Arr(web.Str), "sectors": web.Arr(web.Str), "orgs": web.Arr(web.Str)})},
		signed(s.apiSetSubs))
}

type apiOrg struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

type apiReply struct {
	ID        string     `json:"id"`
	Parent    string     `json:"parent,omitempty"`
	Author    string     `json:"author"`
	Org       apiOrg     `json:"org"`
	Body      string     `json:"body"`
	CreatedAt time.Time  `json:"created_at"`
	Replies   []apiReply `json:"replies,omitempty"`
}

type apiPost struct {
	ID        string      `json:"id"`
	URL       string      `json:"url"`
	Kind      string      `json:"kind"`
	Title     TextInput   `json:"title"`
	Body      TextInput   `json:"body"`
	Country   string      `json:"country"`
	Sectors   []string    `json:"sectors"`
	ExpiresOn *string     `json:"expires_on"`
	Expired   bool        `json:"expired"`
	Audience  string      `json:"audience"`
	Marking   string      `json:"marking"`
	State     string      `json:"state"`
	OwnerOrg  apiOrg      `json:"owner_org"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
	Replies   *[]apiReply `json:"replies,omitempty"`
}

func (s *Service) apiOf(p *Post) apiPost {
	out := apiPost{ID: p.ID, URL: s.Site.BaseURL + p.Path(), Kind: p.Kind, Title: text.InputOf(p.Title), Body: text.InputOf(p.Body),
		Country: p.Country, Sectors: p.Sectors, Expired: p.Expired(s.Clock.Now()), Audience: p.Audience(), Marking: string(p.Marking),
		State: string(p.State), OwnerOrg: apiOrg{ID: p.OwnerOrg, Slug: p.OwnerSlug, Name: p.OwnerName}, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	if out.Sectors == nil {
		out.Sectors = []string{}
	}
	if p.ExpiresOn != nil {
		d := p.ExpiresOn.Format(time.DateOnly)
		out.ExpiresOn = &d
	}
	return out
}

func replyOf(r Reply) apiReply {
	out := apiReply{ID: r.ID, Parent: r.ParentID, Author: r.AuthorName, Org: apiOrg{ID: r.OrgID, Slug: r.OrgSlug, Name: r.OrgName},
		Body: r.Body, CreatedAt: r.CreatedAt}
	for _, a := range r.Replies {
		out.Replies = append(out.Replies, replyOf(a))
	}
	return out
}

func (s *Service) apiList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := filterOf(q)
	limit, err := web.Limit(q.Get("limit"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	f.Limit = limit
	page, err := s.List(r.Context(), web.ViewerOf(r), f)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	items := make([]apiPost, 0, len(page.Items))
	for _, p := range page.Items {
		items = append(items, s.apiOf(p))
	}
	web.JSON(w, http.StatusOK, web.NewList(items, page.Next))
}

func (s *Service) apiGet(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerOf(r)
	p, err := s.Get(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	replies, err := s.Replies(r.Context(), v, p.ID)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	out := s.apiOf(p)
	list := []apiReply{}
	for _, rp := range replies {
		list = append(list, replyOf(rp))
	}
	out.Replies = &list
	web.JSON(w, http.StatusOK, out)
}

// apiFields are the fields the API takes, absent ones left as they are.
type apiFields struct {
	Kind      *string    `json:"kind"`
	Title     *TextInput `json:"title"`
	Body      *TextInput `json:"body"`
	Country   *string    `json:"country"`
	Sectors   *[]string  `json:"sectors"`
	ExpiresOn *string    `json:"expires_on"`
	Audience  *string    `json:"audience"`
}

func (f apiFields) onto(in *Input) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&in.Kind, f.Kind)
	set(&in.Country, f.Country)
	set(&in.ExpiresOn, f.ExpiresOn)
	set(&in.Audience, f.Audience)
	if f.Title != nil {
		in.Title = *f.Title
	}
	if f.Body != nil {
		in.Body = *f.Body
	}
	if f.Sectors != nil {
		in.Sectors = *f.Sectors
	}
}

func (s *Service) apiCreate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		apiFields
		OwnerOrg string `json:"owner_org"`
		Draft    bool   `json:"draft"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	in := Input{OwnerOrg: body.OwnerOrg, Draft: body.Draft}
	body.onto(&in)
	p, err := s.Create(r.Context(), web.ViewerOf(r), in, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, s.apiOf(p))
}

func (s *Service) apiPatch(w http.ResponseWriter, r *http.Request) {
	var body struct {
		apiFields
		Publish bool `json:"publish"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	p, err := s.Get(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	in := InputOf(p)
	body.onto(&in)
	if p, err = s.Update(r.Context(), v, p.ID, in, body.Publish, web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, s.apiOf(p))
}

func (s *Service) apiReply(w http.ResponseWriter, r *http.Request) {
	var in ReplyInput
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	rp, err := s.AddReply(r.Context(), web.ViewerOf(r), r.PathValue("id"), in, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, replyOf(*rp))
}

func (s *Service) apiSubs(w http.ResponseWriter, r *http.Request) {
	subs, err := s.Subscriptions(r.Context(), web.ViewerOf(r).ID)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, subs)
}

func (s *Service) apiSetSubs(w http.ResponseWriter, r *http.Request) {
	var in SubscriptionInput
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	subs, err := s.SetSubscriptions(r.Context(), web.ViewerOf(r), in)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, subs)
}
