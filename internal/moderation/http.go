package moderation

import (
	"net/http"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/web"
)

// Mount registers the report form, the moderators' queue and the API.
func (s *Service) Mount(site *web.Site) {
	site.AddPages(templateFS, "templates/moderation/*.html")
	site.PageFunc("GET /report/{type}/{id}", s.reportPage)
	site.PageFunc("POST /report/{type}/{id}", s.reportPost)
	site.PageFunc("GET /moderation", s.moderator(s.queuePage))
	site.PageFunc("POST /moderation/{type}/{id}", s.moderator(s.decidePost))
	site.API("POST /api/v1/reports", web.Operation{ID: "reportRecord", Tag: "moderation", Status: http.StatusCreated,
		Summary: "Report a record you can see (spam, fraud, illegal content, personal data)",
		Body:    web.Obj(map[string]any{"type": web.Str, "id": web.Str, "reason": web.Str, "details": web.Str}, "type", "id", "reason")},
		s.apiReport)
}

func (s *Service) moderator(h http.HandlerFunc) http.HandlerFunc {
	return account.RequireSignIn(s.Site, func(w http.ResponseWriter, r *http.Request) {
		if !web.ViewerOf(r).HasRole(account.RoleModerator) {
			s.Site.Fail(w, r, errs.E("moderation", errs.Forbidden, "error.forbidden"))
			return
		}
		h(w, r)
	})
}

func (s *Service) reportPage(w http.ResponseWriter, r *http.Request) {
	m, err := s.Sharing.Meta(r.Context(), web.ViewerOf(r), r.PathValue("type"), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Render(w, r, http.StatusOK, "moderation/report", map[string]any{"Meta": m, "Reasons": Reasons})
}

func (s *Service) reportPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	err = s.File(r.Context(), web.ViewerOf(r), r.PathValue("type"), r.PathValue("id"), f.Value("reason"), f.Value("details"), web.ClientIP(r))
	if err != nil {
		if f.Merge(err) {
			m, merr := s.Sharing.Meta(r.Context(), web.ViewerOf(r), r.PathValue("type"), r.PathValue("id"))
			if merr != nil {
				s.Site.Fail(w, r, merr)
				return
			}
			s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "moderation/report", map[string]any{"Meta": m, "Reasons": Reasons}, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Render(w, r, http.StatusOK, "moderation/thanks", nil)
}

func (s *Service) queuePage(w http.ResponseWriter, r *http.Request) {
	s.renderQueue(w, r, http.StatusOK, nil)
}

func (s *Service) renderQueue(w http.ResponseWriter, r *http.Request, status int, f *web.Form) {
	open, err := s.Queue(r.Context(), "open", 100)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	hidden, err := s.Queue(r.Context(), "hidden", 100)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.RenderForm(w, r, status, "moderation/queue", map[string]any{"Queue": open, "Hidden": hidden}, f)
}

func (s *Service) decidePost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	err = s.Decide(r.Context(), web.ViewerOf(r), r.PathValue("type"), r.PathValue("id"), f.Value("decision"), f.Value("reason"), web.ClientIP(r))
	if err != nil {
		if f.Merge(err) {
			s.renderQueue(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/moderation", "moderation.flash.decided")
}

func (s *Service) apiReport(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Type    string `json:"type"`
		ID      string `json:"id"`
		Reason  string `json:"reason"`
		Details string `json:"details"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := s.File(r.Context(), web.ViewerOf(r), in.Type, in.ID, in.Reason, in.Details, web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"status": "received"})
}
