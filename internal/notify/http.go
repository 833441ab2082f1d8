package notify

import (
	"database/sql"
	"net/http"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/web"
)

// Mount registers the notifications page, the preferences, the unsubscribe
// links and the API.
func (s *Service) Mount(site *web.Site) {
	if s.Site == nil {
		s.Site = site
	}
	site.AddPages(templateFS, "templates/notify/*.html")
	site.PageFunc("GET /notifications", account.RequireSignIn(site, s.listPage))
	site.PageFunc("POST /notifications/read", account.RequireSignIn(site, s.readPost))
	site.PageFunc("GET /account/notifications", account.RequireSignIn(site, s.prefsPage))
	site.PageFunc("POST /account/notifications", account.RequireSignIn(site, s.prefsPost))
	site.PageFunc("GET /unsubscribe/{token}", s.unsubscribePage)
	site.PageFunc("POST /unsubscribe/{token}", s.unsubscribePost)

	site.API("GET /api/v1/notifications", web.Operation{ID: "listNotifications", Tag: "notifications", Auth: true,
		Summary: "Your notifications, newest first, with their text in your language",
		Query: []web.Param{{Name: "limit", Type: "integer", Description: "page size, 1 to 100 (default 20)"},
			{Name: "cursor", Description: "the next value of the previous page"}},
		Response: web.Obj(map[string]any{"items": web.Arr(noteSchema), "next": map[string]any{"type": []string{"string", "null"}}}, "items", "next")},
		account.RequireSignIn(site, s.apiList))
	site.API("POST /api/v1/notifications/read", web.Operation{ID: "readNotifications", Tag: "notifications", Auth: true, Scope: account.ScopeWrite,
		Summary: "Mark one of your notifications read (with id), or all of them (empty body or no id)",
		Body:    web.Obj(map[string]any{"id": web.Str}), Response: web.Obj(map[string]any{"unread": web.Int}, "unread")},
		account.RequireSignIn(site, s.apiRead))
	site.API("GET /api/v1/notification-preferences", web.Operation{ID: "getNotificationPreferences", Tag: "notifications", Auth: true,
		Summary: "How often you get e-mail about each kind of notification: now, daily, weekly or never", Response: prefsSchema},
		account.RequireSignIn(site, s.apiPrefs))
	site.API("PUT /api/v1/notification-preferences", web.Operation{ID: "setNotificationPreferences", Tag: "notifications", Auth: true,
		Scope: account.ScopeWrite, Summary: "Set the e-mail frequency of some kinds; an unknown kind or frequency changes nothing",
		Body: prefsSchema, Response: prefsSchema},
		account.RequireSignIn(site, s.apiSetPrefs))
}

var noteSchema = web.Obj(map[string]any{"id": web.Str, "kind": web.Str, "text": web.Str, "detail": web.Str, "path": web.Str,
	"url": web.Str, "created_at": web.Time, "read_at": map[string]any{"type": []string{"string", "null"}, "format": "date-time"},
	"unread": web.Bool}, "id", "kind", "text", "created_at", "read_at", "unread")

var prefsSchema = map[string]any{"type": "object", "description": "kind → frequency",
	"additionalProperties": map[string]any{"type": "string", "enum": []string{string(Now), string(Daily), string(Weekly), string(Never)}}}

// noteView is a notification as pages and the API show it.
type noteView struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Label     string     `json:"-"`
	Text      string     `json:"text"`
	Detail    string     `json:"detail,omitempty"`
	Path      string     `json:"path,omitempty"`
	URL       string     `json:"url,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
	Unread    bool       `json:"unread"`
}

func (s *Service) views(r *http.Request, list []Notification) []noteView {
	p := web.PrinterOf(r)
	out := make([]noteView, 0, len(list))
	for _, n := range list {
		v := noteView{ID: n.ID, Kind: n.Kind, Label: LabelKey(n.Kind), Text: n.Text(p), Detail: n.Detail(p), Path: n.Path,
			CreatedAt: n.CreatedAt, ReadAt: n.ReadAt, Unread: n.ReadAt == nil}
		if n.Path != "" {
			v.URL = s.base() + n.Path
		}
		out = append(out, v)
	}
	return out
}

func (s *Service) page(r *http.Request) ([]noteView, string, error) {
	q := r.URL.Query()
	limit, err := web.Limit(q.Get("limit"))
	if err != nil {
		return nil, "", err
	}
	list, next, err := s.List(r.Context(), web.ViewerOf(r).ID, q.Get("cursor"), limit)
	if err != nil {
		return nil, "", err
	}
	return s.views(r, list), next, nil
}

func (s *Service) listPage(w http.ResponseWriter, r *http.Request) {
	items, next, err := s.page(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	unread, err := s.Unread(r.Context(), web.ViewerOf(r).ID)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Render(w, r, http.StatusOK, "notify/list", map[string]any{"Items": items, "Next": next, "Unread": unread})
}

func (s *Service) readPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := s.MarkRead(r.Context(), web.ViewerOf(r).ID, f.Trimmed("id")); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/notifications", "notify.flash.read")
}

// prefRow is one kind on the preferences page.
type prefRow struct {
	Name, Label, Hint string
}

func (s *Service) renderPrefs(w http.ResponseWriter, r *http.Request, status int, f *web.Form) {
	var rows []prefRow
	for _, k := range s.Kinds() {
		rows = append(rows, prefRow{Name: k.Name, Label: k.LabelKey(), Hint: k.HintKey()})
	}
	zone := "UTC"
	if v := web.ViewerOf(r); v.TimeZone != "" {
		zone = v.TimeZone
	}
	s.Site.RenderForm(w, r, status, "notify/preferences", map[string]any{"Kinds": rows, "Frequencies": Frequencies,
		"Zone": zone, "Hour": time.Date(2000, 1, 1, DigestHour, 0, 0, 0, time.UTC).Format("15:04")}, f)
}

func (s *Service) prefsPage(w http.ResponseWriter, r *http.Request) {
	prefs, err := s.Preferences(r.Context(), web.ViewerOf(r).ID)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	f := web.NewForm(nil)
	f.Values = map[string][]string{}
	for k, v := range prefs {
		f.Values.Set(k, string(v))
	}
	s.renderPrefs(w, r, http.StatusOK, f)
}

func (s *Service) prefsPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	uid := web.ViewerOf(r).ID
	current, err := s.Preferences(r.Context(), uid)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	// Only the kinds whose choice changed are stored, so that the others
	// keep following their default.
	changed := map[string]string{}
	for _, k := range s.Kinds() {
		if vs, sent := f.Values[k.Name]; sent && (len(vs) != 1 || vs[0] != string(current[k.Name])) {
			if len(vs) != 1 {
				f.Set(k.Name, "notify.error.frequency")
				continue
			}
			changed[k.Name] = vs[0]
		}
	}
	if !f.Has() {
		err = s.SetPreferences(r.Context(), uid, changed)
	}
	if f.Has() || f.Merge(err) {
		s.renderPrefs(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/account/notifications", "notify.flash.saved")
}

// unsubscription is what an unsubscribe link stands for.
type unsubscription struct {
	UserID, Kind, Label, Token string
}

func (s *Service) unsubscription(r *http.Request) (unsubscription, error) {
	tok := r.PathValue("token")
	uid, kind, ok := s.parseToken(r.Context(), tok)
	notFound := errs.E("notify.unsubscribe", errs.NotFound, "error.not_found")
	if !ok {
		return unsubscription{}, notFound
	}
	u := unsubscription{UserID: uid, Kind: kind, Token: tok, Label: "notify.unsubscribe.all"}
	if kind != allKinds {
		if _, declared := s.kind(kind); !declared {
			return u, notFound
		}
		u.Label = LabelKey(kind)
	}
	to, err := s.recipient(r.Context(), s.DB.R, uid)
	if err != nil || !to.Active {
		return u, notFound
	}
	return u, nil
}

// unsubscribePage shows what the link would stop, and a button: mail
// scanners follow links, so GET changes nothing.
func (s *Service) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	u, err := s.unsubscription(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Render(w, r, http.StatusOK, "notify/unsubscribe", u)
}

// unsubscribePost is the one-click unsubscription of RFC 8058 (and the
// page's button): no cookie and no form token are needed, the token in
// the link is the authority. It sets the kind's (or every kind's) e-mail
// frequency to never.
func (s *Service) unsubscribePost(w http.ResponseWriter, r *http.Request) {
	u, err := s.unsubscription(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	kinds := []string{u.Kind}
	if u.Kind == allKinds {
		kinds = kinds[:0]
		for _, k := range s.Kinds() {
			kinds = append(kinds, k.Name)
		}
	}
	now := s.Clock.Now()
	err = s.DB.Tx(r.Context(), func(tx *sql.Tx) error {
		for _, k := range kinds {
			if err := setPref(r.Context(), tx, u.UserID, k, Never, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Render(w, r, http.StatusOK, "notify/unsubscribed", u)
}

func (s *Service) apiList(w http.ResponseWriter, r *http.Request) {
	items, next, err := s.page(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, web.NewList(items, next))
}

func (s *Service) apiRead(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID string `json:"id"`
	}
	if r.ContentLength != 0 {
		if err := web.DecodeJSON(r, &in); err != nil {
			s.Site.Fail(w, r, err)
			return
		}
	}
	uid := web.ViewerOf(r).ID
	if err := s.MarkRead(r.Context(), uid, in.ID); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	n, err := s.Unread(r.Context(), uid)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]int{"unread": n})
}

func (s *Service) apiPrefs(w http.ResponseWriter, r *http.Request) {
	prefs, err := s.Preferences(r.Context(), web.ViewerOf(r).ID)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, prefs)
}

func (s *Service) apiSetPrefs(w http.ResponseWriter, r *http.Request) {
	var in map[string]string
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	uid := web.ViewerOf(r).ID
	if err := s.SetPreferences(r.Context(), uid, in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.apiPrefs(w, r)
}
