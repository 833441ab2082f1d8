package sharing

import (
	"context"
	"embed"
	"net/http"
	"strings"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/web"
)

//go:embed templates
var templateFS embed.FS

// Mount registers the share and marking pages and API, which serve every
// declared record type.
func (s *Service) Mount(site *web.Site) {
	site.AddPages(templateFS, "templates/sharing/*.html")
	signed := func(h http.HandlerFunc) http.HandlerFunc { return account.RequireSignIn(site, h) }
	site.PageFunc("GET /share/{type}/{id}", s.withMeta(s.sharePage))
	site.PageFunc("POST /share/{type}/{id}/marking", signed(s.withMeta(s.markingPost)))
	site.PageFunc("POST /share/{type}/{id}/state", signed(s.withMeta(s.statePost)))
	site.PageFunc("POST /share/{type}/{id}/embargo", signed(s.withMeta(s.embargoPost)))
	site.PageFunc("POST /share/{type}/{id}/shares", signed(s.withMeta(s.sharePost)))
	site.PageFunc("POST /share/{type}/{id}/shares/{share}/remove", signed(s.withMeta(s.unsharePost)))

	metaSchema := web.Obj(map[string]any{"type": web.Str, "id": web.Str, "title": web.Str, "marking": web.Str, "state": web.Str,
		"visible_from": web.Time, "owner_org": web.Str, "shares": web.Arr(web.Obj(map[string]any{"id": web.Str, "target_kind": web.Str,
			"target_id": web.Str, "target_name": web.Str, "granted_by": web.Str, "granted_at": web.Time}))}, "type", "id", "marking", "state")
	site.API("GET /api/v1/shares/{type}/{id}", web.Operation{ID: "getSharing", Tag: "sharing",
		Summary: "A record's marking, state, embargo and (for its owner's editors) shares", Response: metaSchema},
		s.withMeta(s.apiGet))
	site.API("POST /api/v1/shares/{type}/{id}", web.Operation{ID: "addShare", Tag: "sharing", Auth: true, Scope: account.ScopeWrite,
		Status: http.StatusCreated, Summary: "Share a record with an organisation (slug), a group (slug) or a person (e-mail), by its marking's rules",
		Body: web.Obj(map[string]any{"target_kind": web.Str, "target": web.Str, "by_org": web.Str}, "target_kind", "target")},
		signed(s.withMeta(s.apiShare)))
	site.API("DELETE /api/v1/shares/{type}/{id}/{share}", web.Operation{ID: "removeShare", Tag: "sharing", Auth: true, Scope: account.ScopeWrite,
		Status: http.StatusNoContent, Summary: "Withdraw a share"},
		signed(s.withMeta(s.apiUnshare)))
	site.API("PUT /api/v1/shares/{type}/{id}/marking", web.Operation{ID: "setMarking", Tag: "sharing", Auth: true, Scope: account.ScopeWrite,
		Summary: "Change a record's marking (its owner's editors; lowering is audited)", Body: web.Obj(map[string]any{"marking": web.Str}, "marking"),
		Response: metaSchema},
		signed(s.withMeta(s.apiMarking)))
}

type metaHandler func(w http.ResponseWriter, r *http.Request, m *Meta)

// withMeta loads the record the viewer may see, or answers 404 whether it
// does not exist or is hidden from them.
func (s *Service) withMeta(h metaHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		m, err := s.Meta(r.Context(), web.ViewerOf(r), r.PathValue("type"), r.PathValue("id"))
		if err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		h(w, r, m)
	}
}

// View is what the share page and API show of a record.
type View struct {
	Meta     *Meta
	Editor   bool
	Shares   []Share
	Markings []Marking
	States   []State
	MyOrgs   []web.Membership // organisations the viewer may pass an AMBER record on from
}

func (s *Service) view(ctx context.Context, v *web.Viewer, m *Meta) (*View, error) {
	out := &View{Meta: m, Markings: Markings, States: []State{Draft, Published, Hidden}}
	if v == nil {
		return out, nil
	}
	out.Editor = IsEditor(v, m)
	all, err := s.Shares(ctx, m)
	if err != nil {
		return nil, err
	}
	// Editors see every share; a recipient sees the ones it passed on.
	for _, sh := range all {
		if _, mine := v.Member(sh.GrantedBy); out.Editor || (mine && sh.GrantedBy != m.OwnerOrg) {
			out.Shares = append(out.Shares, sh)
		}
	}
	if m.Marking == Amber {
		for _, mem := range v.Orgs {
			if mem.OrgID != m.OwnerOrg {
				out.MyOrgs = append(out.MyOrgs, mem)
			}
		}
	}
	return out, nil
}

func (s *Service) sharePage(w http.ResponseWriter, r *http.Request, m *Meta) {
	s.renderShare(w, r, m, http.StatusOK, nil)
}

func (s *Service) renderShare(w http.ResponseWriter, r *http.Request, m *Meta, status int, f *web.Form) {
	vw, err := s.view(r.Context(), web.ViewerOf(r), m)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.RenderForm(w, r, status, "sharing/share", vw, f)
}

// act runs a share-page form and returns to the page.
func (s *Service) act(w http.ResponseWriter, r *http.Request, m *Meta, do func(*web.Form) error) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := do(f); err != nil {
		if f.Merge(err) || errs.CodeOf(err) == errs.Invalid || errs.CodeOf(err) == errs.Conflict {
			if !f.Has() {
				f.Set("form", errs.KeyOf(err))
			}
			s.renderShare(w, r, m, errs.Status(err), f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	// The record may have left the viewer's sight (a lowered share, RED).
	if _, err := s.Meta(r.Context(), web.ViewerOf(r), m.Type.Name, m.ID); err != nil {
		s.Site.Redirect(w, r, "/", "sharing.flash.saved")
		return
	}
	s.Site.Redirect(w, r, "/share/"+m.Type.Name+"/"+m.ID, "sharing.flash.saved")
}

func (s *Service) markingPost(w http.ResponseWriter, r *http.Request, m *Meta) {
	s.act(w, r, m, func(f *web.Form) error {
		return s.SetMarking(r.Context(), web.ViewerOf(r), m, Marking(f.Value("marking")), web.ClientIP(r))
	})
}

func (s *Service) statePost(w http.ResponseWriter, r *http.Request, m *Meta) {
	s.act(w, r, m, func(f *web.Form) error {
		return s.SetState(r.Context(), web.ViewerOf(r), m, State(f.Value("state")), web.ClientIP(r))
	})
}

func (s *Service) embargoPost(w http.ResponseWriter, r *http.Request, m *Meta) {
	s.act(w, r, m, func(f *web.Form) error {
		raw := strings.TrimSpace(f.Value("visible_from"))
		t, ok := web.ParseFormTime(web.ViewerOf(r), raw)
		if !ok || len(raw) == len("2006-01-02") { // an embargo names its hour
			return errs.Field("embargo", map[string]string{"visible_from": "sharing.error.time"})
		}
		return s.SetVisibleFrom(r.Context(), web.ViewerOf(r), m, t, web.ClientIP(r))
	})
}

func (s *Service) sharePost(w http.ResponseWriter, r *http.Request, m *Meta) {
	s.act(w, r, m, func(f *web.Form) error {
		_, err := s.shareBy(r, m, f.Value("target_kind"), f.Trimmed("target"), f.Value("by_org"))
		return err
	})
}

// shareBy resolves a target named by slug or e-mail and adds the share.
func (s *Service) shareBy(r *http.Request, m *Meta, kind, target, byOrg string) (*Share, error) {
	v := web.ViewerOf(r)
	if byOrg == "" {
		byOrg = m.OwnerOrg
	}
	id, err := s.resolve(r.Context(), kind, target)
	if err != nil {
		return nil, err
	}
	return s.AddShare(r.Context(), v, m, byOrg, kind, id, web.ClientIP(r))
}

func (s *Service) resolve(ctx context.Context, kind, target string) (string, error) {
	var q string
	switch kind {
	case ToOrg:
		q = `SELECT id FROM orgs WHERE slug = $1`
	case ToGroup:
		q = `SELECT id FROM org_groups WHERE slug = $1`
	case ToPerson:
		q = `SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL`
		target = strings.ToLower(target)
	default:
		return "", errs.Field("share", map[string]string{"target_kind": "sharing.error.target_kind"})
	}
	var id string
	if err := s.DB.R.QueryRowContext(ctx, q, target).Scan(&id); err != nil {
		return "", errs.Field("share", map[string]string{"target": "sharing.error.target_unknown"})
	}
	return id, nil
}

func (s *Service) unsharePost(w http.ResponseWriter, r *http.Request, m *Meta) {
	s.act(w, r, m, func(f *web.Form) error {
		return s.RemoveShare(r.Context(), web.ViewerOf(r), m, r.PathValue("share"), web.ClientIP(r))
	})
}

type apiMeta struct {
	Type        string     `json:"type"`
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Marking     Marking    `json:"marking"`
	State       State      `json:"state"`
	VisibleFrom *time.Time `json:"visible_from"`
	OwnerOrg    string     `json:"owner_org"`
	Shares      []Share    `json:"shares"`
}

func (s *Service) apiView(r *http.Request, m *Meta) (apiMeta, error) {
	vw, err := s.view(r.Context(), web.ViewerOf(r), m)
	if err != nil {
		return apiMeta{}, err
	}
	shares := vw.Shares
	if shares == nil {
		shares = []Share{}
	}
	return apiMeta{Type: m.Type.Name, ID: m.ID, Title: m.Title, Marking: m.Marking, State: m.State, VisibleFrom: m.VisibleFrom, OwnerOrg: m.OwnerOrg, Shares: shares}, nil
}

func (s *Service) apiGet(w http.ResponseWriter, r *http.Request, m *Meta) {
	out, err := s.apiView(r, m)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, out)
}

func (s *Service) apiShare(w http.ResponseWriter, r *http.Request, m *Meta) {
	var in struct {
		TargetKind string `json:"target_kind"`
		Target     string `json:"target"`
		ByOrg      string `json:"by_org"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	sh, err := s.shareBy(r, m, in.TargetKind, strings.TrimSpace(in.Target), in.ByOrg)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, sh)
}

func (s *Service) apiUnshare(w http.ResponseWriter, r *http.Request, m *Meta) {
	if err := s.RemoveShare(r.Context(), web.ViewerOf(r), m, r.PathValue("share"), web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) apiMarking(w http.ResponseWriter, r *http.Request, m *Meta) {
	var in struct {
		Marking string `json:"marking"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := s.SetMarking(r.Context(), web.ViewerOf(r), m, Marking(in.Marking), web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.apiGet(w, r, m)
}
