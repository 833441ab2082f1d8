package cert

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// A trust circle is a named group of CERTs: a sharing group of purpose
// "cert" owned by the vetted CERT that made it, whose admins add and
// remove vetted CERTs. Being a group, a circle is a share target of the
// sharing model: an AMBER record shared with it reaches its members only.
//
// Who sees what: the names and owners of circles are seen by vetted CERTs
// and by the members of any circle; a circle's members list by its members
// alone.

// CirclePurpose is the purpose of a circle's group.
const CirclePurpose = "cert"

// MaxCircles bounds one listing page; circles are few.
const MaxCircles = 100

// Circle is a trust circle.
type Circle struct {
	sharing.Group
	OwnerSlug string       `json:"owner_slug"`
	OwnerName string       `json:"owner_name"`
	Member    bool         `json:"member"`            // one of the viewer's organisations is in it
	Members   []CircleTeam `json:"members,omitempty"` // for members only
}

// CircleTeam is a member of a circle.
type CircleTeam struct {
	Slug    string `json:"slug"`
	Name    string `json:"name"`
	Country string `json:"country"`
}

var errCircleHidden = errs.E("cert.circle", errs.NotFound, "error.not_found")

// seesCircles reports whether the viewer may see circle names: a member of
// a vetted CERT or of an organisation in some circle.
func (s *Service) seesCircles(ctx context.Context, v *web.Viewer) (bool, error) {
	if v == nil || len(v.Orgs) == 0 {
		return false, nil
	}
	args := &db.Args{}
	me := args.Add(v.ID)
	q := `SELECT COUNT(*) FROM memberships m WHERE m.user_id = ` + me + ` AND (` + s.vettedCond("m.org_id", args) + ` OR EXISTS (
		SELECT 1 FROM group_members gm JOIN org_groups g ON g.id = gm.group_id WHERE gm.org_id = m.org_id AND g.purpose = ` + args.Add(CirclePurpose) +
		` AND g.id <> ` + args.Add(s.Group.ID) + `))`
	var n int
	if err := s.DB.R.QueryRowContext(ctx, q, args.List()...).Scan(&n); err != nil {
		return false, errs.Wrap("cert circles", err)
	}
	return n > 0, nil
}

const circleCols = `g.id, g.slug, g.name, g.owner_org, g.purpose, g.created_at, o.slug, o.name`

func (s *Service) memberCond(v *web.Viewer, args *db.Args) string {
	if v == nil {
		return `1 = 0`
	}
	return `EXISTS (SELECT 1 FROM group_members gm JOIN memberships m ON m.org_id = gm.org_id WHERE gm.group_id = g.id AND m.user_id = ` + args.Add(v.ID) + `)`
}

// Circles lists the circles by name, for a viewer who may see them (none otherwise).
func (s *Service) Circles(ctx context.Context, v *web.Viewer) ([]Circle, error) {
	ok, err := s.seesCircles(ctx, v)
	if err != nil || !ok {
		return nil, err
	}
	args := &db.Args{}
	member := s.memberCond(v, args)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+circleCols+`, `+member+` FROM org_groups g JOIN orgs o ON o.id = g.owner_org
		WHERE g.purpose = `+args.Add(CirclePurpose)+` AND g.id <> `+args.Add(s.Group.ID)+` ORDER BY g.name, g.id LIMIT `+args.Add(MaxCircles),
		args.List()...)
	if err != nil {
		return nil, errs.Wrap("cert circles", err)
	}
	defer rows.Close()
	var out []Circle
	for rows.Next() {
		var c Circle
		if err := rows.Scan(&c.ID, &c.Slug, &c.Name, &c.OwnerOrg, &c.Purpose, &c.CreatedAt, &c.OwnerSlug, &c.OwnerName, &c.Member); err != nil {
			return nil, errs.Wrap("cert circles", err)
		}
		out = append(out, c)
	}
	return out, errs.Wrap("cert circles", rows.Err())
}

// CircleBySlug returns a circle (by slug, or by id) the viewer may see, with its members when
// the viewer is one of them; NotFound otherwise.
func (s *Service) CircleBySlug(ctx context.Context, v *web.Viewer, slug string) (*Circle, error) {
	ok, err := s.seesCircles(ctx, v)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errCircleHidden
	}
	args := &db.Args{}
	member := s.memberCond(v, args)
	c := &Circle{}
	err = s.DB.R.QueryRowContext(ctx, `SELECT `+circleCols+`, `+member+` FROM org_groups g JOIN orgs o ON o.id = g.owner_org
		WHERE (g.slug = `+args.Add(slug)+` OR g.id = `+args.Add(slug)+`) AND g.purpose = `+args.Add(CirclePurpose)+` AND g.id <> `+args.Add(s.Group.ID), args.List()...).
		Scan(&c.ID, &c.Slug, &c.Name, &c.OwnerOrg, &c.Purpose, &c.CreatedAt, &c.OwnerSlug, &c.OwnerName, &c.Member)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errCircleHidden
	}
	if err != nil {
		return nil, errs.Wrap("cert circle", err)
	}
	if !c.Member {
		return c, nil
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT o.slug, o.name, o.country FROM group_members gm JOIN orgs o ON o.id = gm.org_id
		WHERE gm.group_id = $1 ORDER BY o.name, o.id`, c.ID)
	if err != nil {
		return nil, errs.Wrap("cert circle", err)
	}
	defer rows.Close()
	c.Members = []CircleTeam{}
	for rows.Next() {
		var t CircleTeam
		if err := rows.Scan(&t.Slug, &t.Name, &t.Country); err != nil {
			return nil, errs.Wrap("cert circle", err)
		}
		c.Members = append(c.Members, t)
	}
	return c, errs.Wrap("cert circle", rows.Err())
}

// CirclesOf lists the circles that the organisations orgIDs are in, by
// circle name, read through q (a transaction, or the reader): their seats
// in the sharing model's groups of purpose "cert", the vetted CERTs'
// community group left out. It does not ask who may see them: the caller
// decides what the seats open.
func (s *Service) CirclesOf(ctx context.Context, q db.Querier, orgIDs ...string) ([]sharing.Seat, error) {
	return s.Sharing.SeatsOf(ctx, q, CirclePurpose, []string{s.Group.ID}, orgIDs...)
}

// CreateCircle makes a circle owned by the vetted CERT ownerID, whose
// admin the viewer is.
func (s *Service) CreateCircle(ctx context.Context, v *web.Viewer, ownerID, slug, name string) (*Circle, error) {
	if m, ok := v.Member(ownerID); !ok || !slices.Contains(m.Roles, org.RoleAdmin) {
		return nil, errs.Field("cert.circle", map[string]string{"org": "cert.error.circle_owner"})
	}
	vetted, err := s.IsVetted(ctx, ownerID)
	if err != nil {
		return nil, err
	}
	if !vetted {
		return nil, errs.Field("cert.circle", map[string]string{"org": "cert.error.circle_owner"})
	}
	g, err := s.Sharing.CreateGroup(ctx, v, ownerID, strings.TrimSpace(slug), name, CirclePurpose)
	if err != nil {
		return nil, err
	}
	return s.CircleBySlug(ctx, v, g.Slug)
}

// SetCircleMember adds a vetted CERT to a circle, or takes a member out;
// the owner's admins decide (the sharing service checks it).
func (s *Service) SetCircleMember(ctx context.Context, v *web.Viewer, c *Circle, teamSlug string, member bool) error {
	if !sharingAdmin(v, c.OwnerOrg) {
		return errForbidden
	}
	o, err := s.Orgs.BySlug(ctx, strings.TrimSpace(teamSlug))
	if errs.Is(err, errs.NotFound) {
		return errs.Field("cert.circle", map[string]string{"team": "cert.error.circle_member"})
	}
	if err != nil {
		return err
	}
	if member {
		vetted, err := s.IsVetted(ctx, o.ID)
		if err != nil {
			return err
		}
		if !vetted || !IsCERT(o.Kind) {
			return errs.Field("cert.circle", map[string]string{"team": "cert.error.circle_member"})
		}
	}
	return s.Sharing.SetGroupMember(ctx, v, &c.Group, o.ID, member)
}

func sharingAdmin(v *web.Viewer, orgID string) bool {
	m, ok := v.Member(orgID)
	return ok && slices.Contains(m.Roles, org.RoleAdmin)
}

func (s *Service) mountCircles(site *web.Site) {
	site.PageFunc("GET /cert/circles", s.circlesPage)
	site.PageFunc("POST /cert/circles", account.RequireSignIn(site, s.circleCreatePost))
	site.PageFunc("GET /cert/circles/{slug}", s.circlePage)
	site.PageFunc("POST /cert/circles/{slug}/members", account.RequireSignIn(site, s.circleMemberPost))
	circleSchema := web.Obj(map[string]any{"id": web.Str, "slug": web.Str, "name": web.Str, "owner_org": web.Str, "owner_slug": web.Str,
		"owner_name": web.Str, "purpose": web.Str, "created_at": web.Time, "member": web.Bool,
		"members": web.Arr(web.Obj(map[string]any{"slug": web.Str, "name": web.Str, "country": web.Str}, "slug", "name", "country"))},
		"id", "slug", "name", "owner_slug", "member")
	site.API("GET /api/v1/cert/circles", web.Operation{ID: "listCertCircles", Tag: "cert", List: true,
		Summary: "Trust circles by name, for vetted CERTs and circle members (empty for others); one page holds them all", Response: circleSchema}, s.apiCircles)
	site.API("POST /api/v1/cert/circles", web.Operation{ID: "createCertCircle", Tag: "cert", Auth: true, Status: http.StatusCreated,
		Summary: "Create a trust circle owned by a vetted CERT whose admin you are",
		Body:    web.Obj(map[string]any{"org": web.Str, "slug": web.Str, "name": web.Str}, "org", "slug", "name"), Response: circleSchema},
		account.RequireSignIn(site, s.apiCircleCreate))
	site.API("GET /api/v1/cert/circles/{id}", web.Operation{ID: "getCertCircle", Tag: "cert",
		Summary: "A trust circle by its slug or id; its members only for members", Response: circleSchema}, s.apiCircle)
	site.API("POST /api/v1/cert/circles/{id}/members", web.Operation{ID: "setCertCircleMember", Tag: "cert", Auth: true,
		Summary: "The circle owner's admins: add a vetted CERT to the circle, or take a member out",
		Body:    web.Obj(map[string]any{"team": web.Str, "remove": web.Bool}, "team"), Response: circleSchema},
		account.RequireSignIn(site, s.apiCircleMember))
}

type circlesData struct {
	Circles []Circle
	Sees    bool
	Owners  []web.Membership // the viewer's vetted CERTs it may create circles for
}

func (s *Service) renderCircles(w http.ResponseWriter, r *http.Request, status int, f *web.Form) {
	ctx, v := r.Context(), web.ViewerOf(r)
	list, err := s.Circles(ctx, v)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	sees, err := s.seesCircles(ctx, v)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	owners, err := s.vettedOrgsOf(ctx, v)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.RenderForm(w, r, status, "cert/circles", &circlesData{Circles: list, Sees: sees, Owners: owners}, f)
}

func (s *Service) circlesPage(w http.ResponseWriter, r *http.Request) {
	s.renderCircles(w, r, http.StatusOK, nil)
}

func (s *Service) circleCreatePost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	c, err := s.CreateCircle(r.Context(), web.ViewerOf(r), f.Value("org"), f.Value("slug"), f.Value("name"))
	if err != nil {
		if f.Merge(err) {
			s.renderCircles(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/cert/circles/"+c.Slug, "cert.flash.circle_created")
}

type circleData struct {
	Circle *Circle
	Owner  bool
}

func (s *Service) renderCircle(w http.ResponseWriter, r *http.Request, status int, f *web.Form) {
	v := web.ViewerOf(r)
	c, err := s.CircleBySlug(r.Context(), v, r.PathValue("slug"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.RenderForm(w, r, status, "cert/circle", &circleData{Circle: c, Owner: v != nil && sharingAdmin(v, c.OwnerOrg)}, f)
}

func (s *Service) circlePage(w http.ResponseWriter, r *http.Request) {
	s.renderCircle(w, r, http.StatusOK, nil)
}

func (s *Service) circleMemberPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	c, err := s.CircleBySlug(r.Context(), v, r.PathValue("slug"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := s.SetCircleMember(r.Context(), v, c, f.Value("team"), f.Value("remove") != "1"); err != nil {
		if f.Merge(err) {
			s.renderCircle(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/cert/circles/"+url.PathEscape(c.Slug), "cert.flash.circle_saved")
}

func (s *Service) apiCircles(w http.ResponseWriter, r *http.Request) {
	list, err := s.Circles(r.Context(), web.ViewerOf(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if list == nil {
		list = []Circle{}
	}
	web.JSON(w, http.StatusOK, web.NewList(list, ""))
}

func (s *Service) apiCircle(w http.ResponseWriter, r *http.Request) {
	c, err := s.CircleBySlug(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, c)
}

func (s *Service) apiCircleCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Org  string `json:"org"` // slug or id of the owning vetted CERT
		Slug string `json:"slug"`
		Name string `json:"name"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	owner := in.Org
	if o, err := s.Orgs.BySlug(r.Context(), in.Org); err == nil {
		owner = o.ID
	}
	c, err := s.CreateCircle(r.Context(), web.ViewerOf(r), owner, in.Slug, in.Name)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	w.Header().Set("Location", s.Site.BaseURL+"/api/v1/cert/circles/"+c.Slug)
	web.JSON(w, http.StatusCreated, c)
}

func (s *Service) apiCircleMember(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Team   string `json:"team"`
		Remove bool   `json:"remove"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	c, err := s.CircleBySlug(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := s.SetCircleMember(r.Context(), v, c, in.Team, !in.Remove); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if c, err = s.CircleBySlug(r.Context(), v, c.Slug); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, c)
}
