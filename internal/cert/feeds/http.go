package feeds

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/web"
)

// Mount registers the pages and the API.
func (s *Service) Mount(site *web.Site) {
	site.AddPages(templateFS, "templates/certfeeds/*.html")
	signed := func(h http.HandlerFunc) http.HandlerFunc { return account.RequireSignIn(site, h) }
	site.PageFunc("GET /cert/feeds", signed(s.listPage))
	site.PageFunc("GET /cert/feeds/new", signed(s.newPage))
	site.PageFunc("POST /cert/feeds", signed(s.createPost))
	site.PageFunc("GET /cert/feeds/{id}", signed(s.showPage))
	site.PageFunc("GET /cert/feeds/{id}/edit", signed(s.editPage))
	site.PageFunc("POST /cert/feeds/{id}/edit", signed(s.editPost))
	site.PageFunc("POST /cert/feeds/{id}/delete", signed(s.deletePost))
	site.PageFunc("POST /cert/feeds/{id}/poll", signed(s.pollPost))
	site.PageFunc("POST /cert/feeds/{id}/test", signed(s.testPost))
	s.mountAPI(site)
}

// Schedule asks for a poll of one subscription soon (the job queue's
// Enqueue, set by the wiring); without it the next sweep polls it.
type Schedule func(ctx context.Context, id string) error

func printer(r *http.Request) *i18n.Printer { return web.PrinterOf(r) }

// translate fills the texts of the message keys a page or the API shows.
func translate(r *http.Request, f *Feed) {
	p := printer(r)
	if p == nil {
		return
	}
	if f.LastError != "" {
		f.LastErrorText = p.T(f.LastError)
	}
	if f.LastDetailKey != "" {
		f.LastDetailText = p.T(f.LastDetailKey, pairs(f.detailArgs)...)
	}
}

// translateProbe fills the texts of a connection test's message keys.
func translateProbe(r *http.Request, pr *Probe) {
	p := printer(r)
	if p == nil {
		return
	}
	if pr.Error != "" {
		pr.ErrorText = p.T(pr.Error)
	}
	if pr.DetailKey != "" {
		pr.DetailText = p.T(pr.DetailKey, pairs(pr.detailArgs)...)
	}
}

// pairs turns a message's arguments into the name, value pairs T takes.
func pairs(args map[string]string) []any {
	out := make([]any, 0, 2*len(args))
	for k, v := range args {
		out = append(out, k, v)
	}
	return out
}

type listData struct {
	Feeds     []*Feed
	CanCreate bool
	Next      string
}

func (s *Service) listPage(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), web.ViewerOf(r)
	list, next, err := s.Feeds(ctx, v, r.URL.Query().Get("after"), 50)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	teams, err := s.Teams(ctx, v)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	for _, f := range list {
		translate(r, f)
	}
	d := &listData{Feeds: list, CanCreate: hasCircle(teams)}
	if next != "" {
		d.Next = "/cert/feeds?after=" + url.QueryEscape(next)
	}
	s.Site.Render(w, r, http.StatusOK, "certfeeds/list", d)
}

func hasCircle(teams []Team) bool {
	for _, t := range teams {
		if len(t.Circles) > 0 {
			return true
		}
	}
	return false
}

type formData struct {
	Feed      *Feed // nil when new
	Teams     []Team
	MinMinute int
}

func (s *Service) renderForm(w http.ResponseWriter, r *http.Request, status int, f *Feed, form *web.Form) {
	d := &formData{Feed: f, MinMinute: MinInterval}
	if f == nil {
		teams, err := s.Teams(r.Context(), web.ViewerOf(r))
		if err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		d.Teams = teams
	}
	s.Site.RenderForm(w, r, status, "certfeeds/form", d, form)
}

func (s *Service) newPage(w http.ResponseWriter, r *http.Request) {
	s.renderForm(w, r, http.StatusOK, nil, web.NewForm(url.Values{"interval": {strconv.Itoa(DefaultInterval)}}))
}

// inputOf reads the form; target is "team-id/circle-id".
func inputOf(form *web.Form) Input {
	team, circle, _ := strings.Cut(form.Value("target"), "/")
	interval, err := strconv.Atoi(form.Trimmed("interval"))
	if err != nil {
		interval = -1
	}
	return Input{Team: team, Circle: circle, Title: form.Value("title"), APIRoot: form.Value("api_root"), Collection: form.Value("collection"),
		Types: []string{form.Value("types")}, User: form.Value("user"), Password: form.Value("password"), ClearAuth: form.Value("clear_auth") == "1",
		Interval: interval}
}

func (s *Service) createPost(w http.ResponseWriter, r *http.Request) {
	form, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	in := inputOf(form)
	if form.Trimmed("interval") == "" {
		in.Interval = 0
	}
	if in.Team == "" {
		form.Set("target", "cert.feeds.error.circle")
	}
	f, err := s.Create(r.Context(), web.ViewerOf(r), in, web.ClientIP(r))
	if err != nil {
		if form.Merge(err) {
			if e := form.Error("team"); e != "" {
				form.Set("target", e)
			}
			if e := form.Error("circle"); e != "" {
				form.Set("target", e)
			}
			s.renderForm(w, r, http.StatusUnprocessableEntity, nil, form)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.schedule(r.Context(), f.ID)
	s.Site.Redirect(w, r, "/cert/feeds/"+f.ID, "cert.feeds.flash.created")
}

func (s *Service) schedule(ctx context.Context, id string) {
	if s.Schedule == nil {
		return
	}
	if err := s.Schedule(ctx, id); err != nil && s.Site != nil {
		s.Site.Log.Warn("cert feed schedule", "feed", id, "err", err)
	}
}

type showData struct {
	Feed  *Feed
	Probe *Probe
}

func (s *Service) showPage(w http.ResponseWriter, r *http.Request) {
	f, err := s.Feed(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	translate(r, f)
	s.Site.Render(w, r, http.StatusOK, "certfeeds/show", &showData{Feed: f})
}

func (s *Service) editPage(w http.ResponseWriter, r *http.Request) {
	f, err := s.Feed(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	form := web.NewForm(url.Values{"title": {f.Title}, "api_root": {f.APIRoot}, "collection": {f.Collection}, "types": {strings.Join(f.Types, ", ")},
		"user": {f.User}, "interval": {strconv.Itoa(f.Interval)}})
	s.renderForm(w, r, http.StatusOK, f, form)
}

func (s *Service) editPost(w http.ResponseWriter, r *http.Request) {
	form, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	f, err := s.Feed(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if _, err := s.Update(r.Context(), v, f.ID, inputOf(form), web.ClientIP(r)); err != nil {
		if form.Merge(err) {
			s.renderForm(w, r, http.StatusUnprocessableEntity, f, form)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.schedule(r.Context(), f.ID)
	s.Site.Redirect(w, r, "/cert/feeds/"+f.ID, "cert.feeds.flash.saved")
}

func (s *Service) deletePost(w http.ResponseWriter, r *http.Request) {
	if _, err := web.ParseForm(r); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := s.Delete(r.Context(), web.ViewerOf(r), r.PathValue("id"), web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/cert/feeds", "cert.feeds.flash.deleted")
}

func (s *Service) pollPost(w http.ResponseWriter, r *http.Request) {
	if _, err := web.ParseForm(r); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	f, err := s.PollNow(r.Context(), web.ViewerOf(r), r.PathValue("id"), web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.schedule(r.Context(), f.ID)
	s.Site.Redirect(w, r, "/cert/feeds/"+f.ID, "cert.feeds.flash.poll")
}

func (s *Service) testPost(w http.ResponseWriter, r *http.Request) {
	if _, err := web.ParseForm(r); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	pr, err := s.Test(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	f, err := s.Feed(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	translate(r, f)
	translateProbe(r, pr)
	s.Site.Render(w, r, http.StatusOK, "certfeeds/show", &showData{Feed: f, Probe: pr})
}
