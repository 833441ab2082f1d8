package messages

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

// Mount registers the pages and the API. The routes of one conversation
// answer 404 to anyone outside its two organisations, signed in or not, so
// that they never tell whether it exists.
func (s *Service) Mount(site *web.Site) {
	site.AddPages(templateFS, "templates/network_messages/*.html")
	site.PageFunc("GET /network/messages", account.RequireSignIn(site, s.listPage))
	site.PageFunc("GET /network/messages/new", account.RequireSignIn(site, s.newPage))
	site.PageFunc("POST /network/messages", account.RequireSignIn(site, s.startPost))
	site.PageFunc("GET /network/messages/{id}", s.showPage)
	site.PageFunc("POST /network/messages/{id}", s.replyPost)

	site.API("GET /api/v1/network/conversations", web.Operation{ID: "listNetworkConversations", Tag: "network", Auth: true, List: true,
		Summary:  "Conversations of the caller's organisations with other organisations, newest activity first (q searches subjects)",
		Response: conversationSchema}, account.RequireSignIn(site, s.apiList))
	site.API("POST /api/v1/network/conversations", web.Operation{ID: "startNetworkConversation", Tag: "network", Auth: true,
		Scope: account.ScopeWrite, Status: http.StatusCreated,
		Summary: "Start a conversation from one of the caller's organisations (from: its slug, needed when they belong to several) " +
			"to another (to: its slug), with a subject and a first message in plain text",
		Body:     web.Obj(map[string]any{"from": web.Str, "to": web.Str, "subject": web.Str, "body": web.Str}, "to", "subject", "body"),
		Response: conversationSchema}, account.RequireSignIn(site, s.apiStart))
	site.API("GET /api/v1/network/conversations/{id}", web.Operation{ID: "getNetworkConversation", Tag: "network", Auth: true,
		Summary:  "One conversation with its newest messages (before: a message number, for earlier ones); marks them read",
		Query:    []web.Param{{Name: "before", Type: "integer", Description: "the earlier value of the previous answer"}},
		Response: conversationSchema}, s.apiGet)
	site.API("POST /api/v1/network/conversations/{id}/messages", web.Operation{ID: "replyNetworkConversation", Tag: "network", Auth: true,
		Scope: account.ScopeWrite, Status: http.StatusCreated,
		Summary: "Add a message to a conversation (as: the slug of the caller's side, when they belong to both)",
		Body:    web.Obj(map[string]any{"body": web.Str, "as": web.Str}, "body"), Response: messageSchema}, s.apiReply)
}

var (
	sideSchema    = web.Obj(map[string]any{"id": web.Str, "slug": web.Str, "name": web.Str, "country": web.Str}, "id", "slug", "name")
	messageSchema = web.Obj(map[string]any{"id": web.Str, "seq": web.Int, "org": web.Str, "author": web.Str, "body": web.Str,
		"created_at": web.Time}, "id", "seq", "org", "author", "body", "created_at")
	conversationSchema = web.Obj(map[string]any{"id": web.Str, "url": web.Str, "subject": web.Str, "from": sideSchema, "to": sideSchema,
		"created_at": web.Time, "last_at": web.Time, "messages_count": web.Int, "unread": web.Bool,
		"messages": web.Arr(messageSchema), "earlier": map[string]any{"type": []string{"integer", "null"}}},
		"id", "subject", "from", "to", "created_at", "last_at", "messages_count", "unread")
)

// mine lists the viewer's organisations a conversation may start from.
func mine(v *web.Viewer) []web.Membership {
	var out []web.Membership
	for _, m := range v.Orgs {
		if m.Kind != string(org.ProgrammeOffice) {
			out = append(out, m)
		}
	}
	return out
}

type convView struct {
	ID, Subject, From, To string
	FromLang, ToLang      string
	LastAt                time.Time
	Count                 int
	Unread                bool
}

func view(c Conversation, p *i18n.Printer) convView {
	return convView{ID: c.ID, Subject: c.Subject, From: c.From.NameIn(p.Lang), To: c.To.NameIn(p.Lang), LastAt: c.LastAt, Count: c.Count, Unread: c.Unread}
}

func (s *Service) listPage(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerOf(r)
	q := r.URL.Query().Get("q")
	list, next, err := s.List(r.Context(), v, q, r.URL.Query().Get("cursor"), PageSize)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	items := make([]convView, len(list))
	for i, c := range list {
		items[i] = view(c, web.PrinterOf(r))
	}
	data := map[string]any{"Items": items, "Q": q, "HasOrg": len(mine(v)) > 0}
	if next != "" {
		data["Next"] = "/network/messages?" + url.Values{"q": {q}, "cursor": {next}}.Encode()
	}
	s.Site.Render(w, r, http.StatusOK, "network_messages/list", data)
}

// newData is what the form to start a conversation shows: the viewer's
// organisations and the one addressed, when known.
func (s *Service) newData(r *http.Request, toSlug string) (map[string]any, string) {
	data := map[string]any{"Orgs": mine(web.ViewerOf(r))}
	if toSlug == "" {
		return data, ""
	}
	o, err := s.Orgs.BySlug(r.Context(), toSlug)
	if err != nil || o.Kind == org.ProgrammeOffice {
		return data, "network.messages.error.to"
	}
	n := o.NameIn(web.PrinterOf(r).Lang)
	data["To"] = map[string]string{"Slug": o.Slug, "Name": n.Text, "Lang": n.Lang, "Dir": n.Dir}
	return data, ""
}

func (s *Service) newPage(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(url.Values{"to": {r.URL.Query().Get("to")}, "from": {r.URL.Query().Get("from")}})
	data, bad := s.newData(r, f.Value("to"))
	status := http.StatusOK
	if bad != "" {
		f.Set("to", bad)
		status = http.StatusUnprocessableEntity
	}
	s.Site.RenderForm(w, r, status, "network_messages/new", data, f)
}

func (s *Service) startPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	c, err := s.Start(r.Context(), web.ViewerOf(r), f.Value("from"), f.Value("to"), f.Value("subject"), f.Value("body"))
	if err != nil {
		if f.Merge(err) {
			data, _ := s.newData(r, f.Trimmed("to"))
			if f.Error("to") != "" {
				delete(data, "To") // let them type another
			}
			s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "network_messages/new", data, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/network/messages/"+c.ID, "network.messages.flash.started")
}

type messageView struct {
	Seq             int
	Author, Org     string
	Mine            bool
	Lines           []string
	CreatedAt       time.Time
	OrgLang, OrgDir string
}

func (s *Service) renderShow(w http.ResponseWriter, r *http.Request, status int, c *Conversation, f *web.Form) {
	before, err := beforeOf(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	list, earlier, err := s.Messages(r.Context(), c, before, 0)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if before == 0 && len(list) > 0 {
		if err := s.MarkRead(r.Context(), web.ViewerOf(r), c, list[len(list)-1].Seq); err != nil {
			s.Site.Fail(w, r, err)
			return
		}
	}
	p := web.PrinterOf(r)
	v := web.ViewerOf(r)
	msgs := make([]messageView, len(list))
	for i, m := range list {
		side := c.From
		if m.OrgID == c.To.ID {
			side = c.To
		}
		msgs[i] = messageView{Seq: m.Seq, Author: m.Author, Org: side.NameIn(p.Lang), Mine: m.AuthorID == v.ID, Lines: m.Lines(), CreatedAt: m.CreatedAt}
	}
	_, inFrom := v.Member(c.From.ID)
	_, inTo := v.Member(c.To.ID)
	data := map[string]any{"C": view(*c, p), "Messages": msgs, "Both": inFrom && inTo, "FromSlug": c.From.Slug, "ToSlug": c.To.Slug}
	if earlier > 0 {
		data["Earlier"] = "/network/messages/" + c.ID + "?before=" + strconv.Itoa(earlier)
	}
	if before > 0 {
		data["Newest"] = "/network/messages/" + c.ID
	}
	s.Site.RenderForm(w, r, status, "network_messages/show", data, f)
}

func beforeOf(r *http.Request) (int, error) {
	raw := r.URL.Query().Get("before")
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, errs.E("messages", errs.Invalid, "error.cursor")
	}
	return n, nil
}

func (s *Service) showPage(w http.ResponseWriter, r *http.Request) {
	c, err := s.Get(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.renderShow(w, r, http.StatusOK, c, nil)
}

func (s *Service) replyPost(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerOf(r)
	c, err := s.Get(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	m, err := s.Reply(r.Context(), v, c.ID, f.Value("as"), f.Value("body"))
	if err != nil {
		if f.Merge(err) {
			s.renderShow(w, r, http.StatusUnprocessableEntity, c, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/network/messages/"+c.ID+"#m"+strconv.Itoa(m.Seq), "network.messages.flash.sent")
}

type apiSide struct {
	ID      string `json:"id"`
	Slug    string `json:"slug"`
	Name    string `json:"name"`
	Country string `json:"country"`
}

type apiMessage struct {
	ID        string    `json:"id"`
	Seq       int       `json:"seq"`
	Org       string    `json:"org"` // slug of the side it came from
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

type apiConversation struct {
	ID       string       `json:"id"`
	URL      string       `json:"url"`
	Subject  string       `json:"subject"`
	From     apiSide      `json:"from"`
	To       apiSide      `json:"to"`
	Created  time.Time    `json:"created_at"`
	LastAt   time.Time    `json:"last_at"`
	Count    int          `json:"messages_count"`
	Unread   bool         `json:"unread"`
	Messages []apiMessage `json:"messages,omitempty"`
	Earlier  *int         `json:"earlier,omitempty"`
}

func (s *Service) toAPI(c *Conversation, lang string) apiConversation {
	side := func(x Side) apiSide { return apiSide{ID: x.ID, Slug: x.Slug, Name: x.NameIn(lang), Country: x.Country} }
	return apiConversation{ID: c.ID, URL: s.Site.BaseURL + "/network/messages/" + c.ID, Subject: c.Subject, From: side(c.From), To: side(c.To),
		Created: c.CreatedAt.UTC(), LastAt: c.LastAt.UTC(), Count: c.Count, Unread: c.Unread}
}

func apiMsg(c *Conversation, m Message) apiMessage {
	slug := c.From.Slug
	if m.OrgID == c.To.ID {
		slug = c.To.Slug
	}
	return apiMessage{ID: m.ID, Seq: m.Seq, Org: slug, Author: m.Author, Body: m.Body, CreatedAt: m.CreatedAt.UTC()}
}

func (s *Service) apiList(w http.ResponseWriter, r *http.Request) {
	limit, err := web.Limit(r.URL.Query().Get("limit"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	list, next, err := s.List(r.Context(), web.ViewerOf(r), r.URL.Query().Get("q"), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	items := make([]apiConversation, len(list))
	for i := range list {
		items[i] = s.toAPI(&list[i], web.PrinterOf(r).Lang)
	}
	web.JSON(w, http.StatusOK, web.NewList(items, next))
}

// withMessages answers a conversation with its newest messages (before
// before), marking them read when they are the newest.
func (s *Service) withMessages(w http.ResponseWriter, r *http.Request, status int, c *Conversation, before int) {
	list, earlier, err := s.Messages(r.Context(), c, before, 0)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if before == 0 && len(list) > 0 {
		if err := s.MarkRead(r.Context(), web.ViewerOf(r), c, list[len(list)-1].Seq); err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		c.Unread = false
	}
	out := s.toAPI(c, web.PrinterOf(r).Lang)
	out.Messages = make([]apiMessage, len(list))
	for i, m := range list {
		out.Messages[i] = apiMsg(c, m)
	}
	if earlier > 0 {
		out.Earlier = &earlier
	}
	web.JSON(w, status, out)
}

func (s *Service) apiStart(w http.ResponseWriter, r *http.Request) {
	var in struct {
		From    string `json:"from"`
		To      string `json:"to"`
		Subject string `json:"subject"`
		Body    string `json:"body"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	c, err := s.Start(r.Context(), web.ViewerOf(r), in.From, in.To, in.Subject, in.Body)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.withMessages(w, r, http.StatusCreated, c, 0)
}

func (s *Service) apiGet(w http.ResponseWriter, r *http.Request) {
	c, err := s.Get(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	before, err := beforeOf(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.withMessages(w, r, http.StatusOK, c, before)
}

func (s *Service) apiReply(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerOf(r)
	c, err := s.Get(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	var in struct {
		Body string `json:"body"`
		As   string `json:"as"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	m, err := s.Reply(r.Context(), v, c.ID, in.As, in.Body)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, apiMsg(c, *m))
}
