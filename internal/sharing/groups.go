package sharing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/web"
)

// Group is a named set of organisations, owned by one organisation whose
// admins manage its membership. Modules build on groups: trust circles,
// the cooperation network's members, partner outlets.
type Group struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	OwnerOrg  string    `json:"owner_org"`
	Purpose   string    `json:"purpose"`
	CreatedAt time.Time `json:"created_at"`
}

var groupSlug = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$`)

func mayManage(v *web.Viewer, orgID string) bool {
	m, ok := v.Member(orgID)
	if !ok {
		return false
	}
	for _, r := range m.Roles {
		if r == "admin" {
			return true
		}
	}
	return false
}

// CreateGroup makes a group owned by ownerOrg, whose admin the viewer is;
// the owner is its first member.
func (s *Service) CreateGroup(ctx context.Context, v *web.Viewer, ownerOrg, slug, name, purpose string) (*Group, error) {
	if !mayManage(v, ownerOrg) {
		return nil, errs.E("group", errs.Forbidden, "error.forbidden")
	}
	fields := map[string]string{}
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n == 0 || n > 200 {
		fields["name"] = "org.error.name"
	}
	if !groupSlug.MatchString(slug) {
		fields["slug"] = "org.error.slug"
	}
	if len(fields) > 0 {
		return nil, errs.Field("group", fields)
	}
	g := &Group{ID: uuid.Must(uuid.NewV7()).String(), Slug: slug, Name: name, OwnerOrg: ownerOrg, Purpose: purpose, CreatedAt: s.Clock.Now()}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO org_groups (id, slug, name, owner_org, purpose, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			g.ID, g.Slug, g.Name, g.OwnerOrg, g.Purpose, g.CreatedAt)
		if db.IsUnique(err) {
			return errs.Field("group", map[string]string{"slug": "org.error.slug_taken"})
		}
		if err != nil {
			return errs.Wrap("create group", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO group_members (group_id, org_id, added_at) VALUES ($1, $2, $3)`, g.ID, ownerOrg, g.CreatedAt); err != nil {
			return errs.Wrap("create group", err)
		}
		return s.groupAudit(ctx, tx, "group.created", v, g, "")
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// GroupByID returns a group.
func (s *Service) GroupByID(ctx context.Context, id string) (*Group, error) {
	g := &Group{}
	err := s.DB.R.QueryRowContext(ctx, `SELECT id, slug, name, owner_org, purpose, created_at FROM org_groups WHERE id = $1`, id).
		Scan(&g.ID, &g.Slug, &g.Name, &g.OwnerOrg, &g.Purpose, &g.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E("group", errs.NotFound, "error.not_found")
	}
	return g, errs.Wrap("group", err)
}

// SetGroupMember adds an organisation to a group or takes it out; the
// owner organisation's admins decide. The owner of a group an organisation
// created stays a member; a programme office is never one of its
// community (see EnsureGroup).
func (s *Service) SetGroupMember(ctx context.Context, v *web.Viewer, g *Group, orgID string, member bool) error {
	if !mayManage(v, g.OwnerOrg) {
		return errs.E("group", errs.Forbidden, "error.forbidden")
	}
	if orgID == g.OwnerOrg && !member {
		return errs.E("group", errs.Conflict, "sharing.error.group_owner")
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.SetGroupMemberIn(ctx, tx, v, g, orgID, member) })
}

// SetGroupMemberIn is SetGroupMember inside the caller's transaction, for a
// module whose own change (an approved application) must commit or fail
// together with the membership.
func (s *Service) SetGroupMemberIn(ctx context.Context, tx *sql.Tx, v *web.Viewer, g *Group, orgID string, member bool) error {
	if !mayManage(v, g.OwnerOrg) {
		return errs.E("group", errs.Forbidden, "error.forbidden")
	}
	if orgID == g.OwnerOrg && !member {
		return errs.E("group", errs.Conflict, "sharing.error.group_owner")
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM orgs WHERE id = $1`, orgID).Scan(&n); err != nil {
		return errs.Wrap("group member", err)
	}
	if n == 0 {
		return errs.Field("share", map[string]string{"target": "sharing.error.target_unknown"})
	}
	var err error
	action := "group.member_added"
	if member {
		_, err = tx.ExecContext(ctx, `INSERT INTO group_members (group_id, org_id, added_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			g.ID, orgID, s.Clock.Now())
	} else {
		action = "group.member_removed"
		_, err = tx.ExecContext(ctx, `DELETE FROM group_members WHERE group_id = $1 AND org_id = $2`, g.ID, orgID)
	}
	if err != nil {
		return errs.Wrap("group member", err)
	}
	return s.groupAudit(ctx, tx, action, v, g, orgID)
}

// GroupMembers lists the organisations in a group.
func (s *Service) GroupMembers(ctx context.Context, g *Group) ([]string, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT org_id FROM group_members WHERE group_id = $1 ORDER BY org_id`, g.ID)
	if err != nil {
		return nil, errs.Wrap("group members", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, errs.Wrap("group members", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Seat is an organisation's place in a group.
type Seat struct {
	GroupID, Slug, Name string // the group's
	OrgID               string
}

// SeatsOf lists the places that the organisations orgIDs hold in groups
// of purpose, leaving out the groups of except, by group name, read
// through q (a transaction, or the reader).
func (s *Service) SeatsOf(ctx context.Context, q db.Querier, purpose string, except []string, orgIDs ...string) ([]Seat, error) {
	if len(orgIDs) == 0 {
		return nil, nil
	}
	args := &db.Args{}
	in := make([]string, len(orgIDs))
	for i, id := range orgIDs {
		in[i] = args.Add(id)
	}
	cond := `g.purpose = ` + args.Add(purpose) + ` AND gm.org_id IN (` + strings.Join(in, ", ") + `)`
	for _, id := range except {
		cond += ` AND g.id <> ` + args.Add(id)
	}
	rows, err := q.QueryContext(ctx, `SELECT g.id, g.slug, g.name, gm.org_id FROM org_groups g JOIN group_members gm ON gm.group_id = g.id
		WHERE `+cond+` ORDER BY g.name, g.id, gm.org_id`, args.List()...)
	if err != nil {
		return nil, errs.Wrap("group seats", err)
	}
	defer rows.Close()
	var out []Seat
	for rows.Next() {
		var st Seat
		if err := rows.Scan(&st.GroupID, &st.Slug, &st.Name, &st.OrgID); err != nil {
			return nil, errs.Wrap("group seats", err)
		}
		out = append(out, st)
	}
	return out, errs.Wrap("group seats", rows.Err())
}

// SetConstituent records (or removes) that constituent is among the
// organisations org is responsible for. Only platform administrators do:
// it widens where AMBER records may travel.
func (s *Service) SetConstituent(ctx context.Context, v *web.Viewer, org, constituent string, on bool, ip string) error {
	if !v.IsAdmin() {
		return errs.E("constituent", errs.Forbidden, "error.forbidden")
	}
	if org == constituent {
		return errs.E("constituent", errs.Invalid, "sharing.error.self_constituent")
	}
	for _, id := range []string{org, constituent} {
		if err := s.targetExists(ctx, ToOrg, id); err != nil {
			return err
		}
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if on {
			_, err = tx.ExecContext(ctx, `INSERT INTO constituents (org_id, constituent_id, added_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
				org, constituent, s.Clock.Now())
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM constituents WHERE org_id = $1 AND constituent_id = $2`, org, constituent)
		}
		if err != nil {
			return errs.Wrap("constituent", err)
		}
		if s.Audit == nil {
			return nil
		}
		return s.Audit.Record(ctx, tx, "org.constituent_changed", v.Pseudonym, org, "org", constituent, ip, map[string]any{"on": on})
	})
}

func (s *Service) groupAudit(ctx context.Context, tx *sql.Tx, action string, v *web.Viewer, g *Group, orgID string) error {
	if s.Audit == nil {
		return nil
	}
	var details map[string]any
	if orgID != "" {
		details = map[string]any{"org": orgID}
	}
	return s.Audit.Record(ctx, tx, action, v.Pseudonym, g.OwnerOrg, "group", g.ID, "", details)
}

// EnsureGroup returns the group with slug, creating it owned by ownerOrg if
// it does not exist: for groups the platform itself keeps, like a module's
// community (the cooperation network's members, the vetted CERTs). The
// owning programme office manages the group but is not a member of it: its
// people see the community's GREEN records only when a share names them.
// Two instances starting at once end with one group.
func (s *Service) EnsureGroup(ctx context.Context, ownerOrg, slug, name, purpose string) (*Group, error) {
	if !groupSlug.MatchString(slug) {
		return nil, fmt.Errorf("sharing: bad group slug %q", slug)
	}
	now := s.Clock.Now()
	id := uuid.Must(uuid.NewV7()).String()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO org_groups (id, slug, name, owner_org, purpose, created_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (slug) DO NOTHING`, id, slug, name, ownerOrg, purpose, now)
		return err
	})
	if err != nil {
		return nil, errs.Wrap("ensure group", err)
	}
	g := &Group{}
	err = s.DB.R.QueryRowContext(ctx, `SELECT id, slug, name, owner_org, purpose, created_at FROM org_groups WHERE slug = $1`, slug).
		Scan(&g.ID, &g.Slug, &g.Name, &g.OwnerOrg, &g.Purpose, &g.CreatedAt)
	if err != nil {
		return nil, errs.Wrap("ensure group", err)
	}
	return g, nil
}
