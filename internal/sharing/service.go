package sharing

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/web"
)

// Service applies the sharing rules to the record types modules declare.
type Service struct {
	DB    *db.DB
	Clock clock.Clock
	Audit account.Auditor
	Site  *web.Site
	types map[string]Type
}

// Declare registers a record type. Module wiring calls it once per type.
func (s *Service) Declare(t Type) {
	if s.types == nil {
		s.types = map[string]Type{}
	}
	if _, dup := s.types[t.Name]; dup || t.Name == "" || t.Table == "" {
		panic("sharing: bad or duplicate type " + t.Name)
	}
	s.types[t.Name] = t
}

// TypeOf returns a declared type.
func (s *Service) TypeOf(name string) (Type, error) {
	t, ok := s.types[name]
	if !ok {
		return Type{}, errs.E("sharing", errs.NotFound, "error.not_found")
	}
	return t, nil
}

// Meta is a record's sharing state.
type Meta struct {
	Type        Type
	ID          string
	OwnerOrg    string
	Marking     Marking
	State       State
	VisibleFrom *time.Time
	Community   string
	Title       string
}

// Meta reads a record's sharing state, if the viewer may see the record at
// all; otherwise NotFound, as if it did not exist.
func (s *Service) Meta(ctx context.Context, v *web.Viewer, typeName, id string) (*Meta, error) {
	t, err := s.TypeOf(typeName)
	if err != nil {
		return nil, err
	}
	args := &db.Args{}
	idArg := args.Add(id)
	cond := Visible(t, "t", v, s.Clock.Now(), args)
	if t.Also != nil {
		cond = `(` + cond + ` AND ` + t.Also("t", v, s.Clock.Now(), args) + `)`
	}
	m := &Meta{Type: t, ID: id}
	var marking, state string
	var from sql.NullTime
	title := "''"
	if t.Title != "" {
		title = "t." + t.Title
	}
	err = s.DB.R.QueryRowContext(ctx, `SELECT t.owner_org, t.marking, t.state, t.visible_from, t.community, `+title+` FROM `+t.Table+` t
		WHERE t.id = `+idArg+` AND `+cond, args.List()...).Scan(&m.OwnerOrg, &marking, &state, &from, &m.Community, &m.Title)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E("sharing", errs.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, errs.Wrap("sharing meta", err)
	}
	m.Marking, m.State = Marking(marking), State(state)
	if from.Valid {
		m.VisibleFrom = &from.Time
	}
	return m, nil
}

// IsEditor reports whether the viewer edits the owner's records of this
// type: an admin of the owner organisation, or a member with an editor role.
func IsEditor(v *web.Viewer, m *Meta) bool {
	mem, ok := v.Member(m.OwnerOrg)
	if !ok {
		return false
	}
	for _, r := range mem.Roles {
		if r == "admin" || slices.Contains(m.Type.EditorRoles, r) {
			return true
		}
	}
	return false
}

var errNotEditor = errs.E("sharing", errs.Forbidden, "sharing.error.not_editor")

// SetMarking changes a record's marking; only the owner's editors may, and
// lowering it is recorded in the audit log (raising too).
func (s *Service) SetMarking(ctx context.Context, v *web.Viewer, m *Meta, to Marking, ip string) error {
	if !to.Valid() {
		return errs.Field("marking", map[string]string{"marking": "sharing.error.marking"})
	}
	if !IsEditor(v, m) {
		return errNotEditor
	}
	if to == m.Marking {
		return nil
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if m.Type.OnMarking != nil {
			if err := m.Type.OnMarking(ctx, tx, v, m, to, ip); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE `+m.Type.Table+` SET marking = $1 WHERE id = $2`, string(to), m.ID); err != nil {
			return errs.Wrap("set marking", err)
		}
		action := "marking.raised"
		if to.Rank() < m.Marking.Rank() {
			action = "marking.lowered"
		}
		if to == Red {
			// RED is for named people: whoever raises it stays named.
			if err := nameIn(ctx, tx, s.Clock.Now(), m, v.ID, m.OwnerOrg); err != nil {
				return err
			}
		}
		if err := s.audit(ctx, tx, action, v, m, ip, map[string]any{"from": m.Marking, "to": to}); err != nil {
			return err
		}
		m.Marking = to
		return nil
	})
}

// SetState moves a record between draft, published and hidden (by its
// owner's editors; moderators hide through the abuse queue).
func (s *Service) SetState(ctx context.Context, v *web.Viewer, m *Meta, to State, ip string) error {
	if !to.Valid() {
		return errs.Field("state", map[string]string{"state": "sharing.error.state"})
	}
	if !IsEditor(v, m) {
		return errNotEditor
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE `+m.Type.Table+` SET state = $1 WHERE id = $2`, string(to), m.ID); err != nil {
			return errs.Wrap("set state", err)
		}
		m.State = to
		return s.audit(ctx, tx, "record.state_changed", v, m, ip, map[string]any{"state": to})
	})
}

// SetVisibleFrom sets or clears an embargo: before t only the owner sees
// that the record exists.
func (s *Service) SetVisibleFrom(ctx context.Context, v *web.Viewer, m *Meta, t *time.Time, ip string) error {
	if !IsEditor(v, m) {
		return errNotEditor
	}
	var at any
	if t != nil {
		at = t.UTC().Truncate(time.Second)
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE `+m.Type.Table+` SET visible_from = $1 WHERE id = $2`, at, m.ID); err != nil {
			return errs.Wrap("set embargo", err)
		}
		return s.audit(ctx, tx, "record.embargo_set", v, m, ip, map[string]any{"visible_from": at})
	})
}

// NameCreator names the person who created a record, inside the creating
// transaction, so that a RED record stays visible to its author.
func NameCreator(ctx context.Context, tx *sql.Tx, now time.Time, t Type, id, userID, ownerOrg string) error {
	return nameIn(ctx, tx, now, &Meta{Type: t, ID: id}, userID, ownerOrg)
}

func nameIn(ctx context.Context, tx *sql.Tx, now time.Time, m *Meta, userID, byOrg string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO shares (id, record_type, record_id, target_kind, target_id, granted_by, granted_at)
		VALUES ($1, $2, $3, 'person', $4, $5, $6) ON CONFLICT (record_type, record_id, target_kind, target_id) DO NOTHING`,
		uuid.Must(uuid.NewV7()).String(), m.Type.Name, m.ID, userID, byOrg, now)
	return errs.Wrap("name person", err)
}

// Share is one share of a record.
type Share struct {
	ID         string    `json:"id"`
	TargetKind string    `json:"target_kind"`
	TargetID   string    `json:"target_id"`
	TargetName string    `json:"target_name"`
	GrantedBy  string    `json:"granted_by"`
	GrantedAt  time.Time `json:"granted_at"`
}

// AddShare shares a record with an organisation, a group or a person, by
// the rules of its marking. byOrg is the organisation sharing: the owner,
// or, for AMBER, a recipient organisation passing it to a constituent.
func (s *Service) AddShare(ctx context.Context, v *web.Viewer, m *Meta, byOrg, kind, target, ip string) (*Share, error) {
	if err := s.mayShare(ctx, v, m, byOrg, kind, target); err != nil {
		return nil, err
	}
	sh := &Share{ID: uuid.Must(uuid.NewV7()).String(), TargetKind: kind, TargetID: target, GrantedBy: byOrg, GrantedAt: s.Clock.Now()}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO shares (id, record_type, record_id, target_kind, target_id, granted_by, granted_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, sh.ID, m.Type.Name, m.ID, kind, target, byOrg, sh.GrantedAt)
		if db.IsUnique(err) {
			return errs.E("share", errs.Conflict, "sharing.error.shared_already")
		}
		if err != nil {
			return errs.Wrap("add share", err)
		}
		return s.audit(ctx, tx, "share.added", v, m, ip, map[string]any{"to": kind + ":" + target, "by": byOrg})
	})
	if err != nil {
		return nil, err
	}
	return sh, nil
}

// mayShare applies the marking's rules to a new share.
func (s *Service) mayShare(ctx context.Context, v *web.Viewer, m *Meta, byOrg, kind, target string) error {
	if err := s.targetExists(ctx, kind, target); err != nil {
		return err
	}
	owner := byOrg == m.OwnerOrg
	if owner && !IsEditor(v, m) {
		return errNotEditor
	}
	switch m.Marking {
	case Clear, Green:
		return errs.E("share", errs.Invalid, "sharing.error.no_shares_needed")
	case Red:
		if !owner {
			return errNotEditor
		}
		if kind != ToPerson {
			return errs.Field("share", map[string]string{"target": "sharing.error.red_people_only"})
		}
	case AmberStrict:
		if !owner {
			return errs.E("share", errs.Forbidden, "sharing.error.strict_owner_only")
		}
		if kind != ToOrg {
			return errs.Field("share", map[string]string{"target": "sharing.error.strict_orgs_only"})
		}
	case Amber:
		if owner {
			return nil
		}
		// A recipient organisation passes the record to its constituents.
		if _, member := v.Member(byOrg); !member || kind != ToOrg {
			return errs.E("share", errs.Forbidden, "sharing.error.reshare")
		}
		var n int
		err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM shares sh JOIN constituents c ON c.org_id = sh.target_id
			WHERE sh.record_type = $1 AND sh.record_id = $2 AND sh.target_kind = 'org' AND sh.target_id = $3 AND c.constituent_id = $4`,
			m.Type.Name, m.ID, byOrg, target).Scan(&n)
		if err != nil {
			return errs.Wrap("reshare", err)
		}
		if n == 0 {
			return errs.E("share", errs.Forbidden, "sharing.error.reshare")
		}
	}
	return nil
}

func (s *Service) targetExists(ctx context.Context, kind, id string) error {
	var q string
	switch kind {
	case ToOrg:
		q = `SELECT COUNT(*) FROM orgs WHERE id = $1`
	case ToGroup:
		q = `SELECT COUNT(*) FROM org_groups WHERE id = $1`
	case ToPerson:
		q = `SELECT COUNT(*) FROM users WHERE id = $1 AND deleted_at IS NULL`
	default:
		return errs.Field("share", map[string]string{"target": "sharing.error.target_kind"})
	}
	var n int
	if err := s.DB.R.QueryRowContext(ctx, q, id).Scan(&n); err != nil {
		return errs.Wrap("share target", err)
	}
	if n == 0 {
		return errs.Field("share", map[string]string{"target": "sharing.error.target_unknown"})
	}
	return nil
}

// RemoveShare withdraws a share: the owner's editors withdraw any, a
// recipient the ones it passed on.
func (s *Service) RemoveShare(ctx context.Context, v *web.Viewer, m *Meta, shareID, ip string) error {
	var grantedBy, kind, target string
	err := s.DB.R.QueryRowContext(ctx, `SELECT granted_by, target_kind, target_id FROM shares WHERE id = $1 AND record_type = $2 AND record_id = $3`,
		shareID, m.Type.Name, m.ID).Scan(&grantedBy, &kind, &target)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E("share", errs.NotFound, "error.not_found")
	}
	if err != nil {
		return errs.Wrap("remove share", err)
	}
	_, byMe := v.Member(grantedBy)
	if !IsEditor(v, m) && !(byMe && grantedBy != m.OwnerOrg) {
		return errNotEditor
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM shares WHERE id = $1`, shareID); err != nil {
			return errs.Wrap("remove share", err)
		}
		return s.audit(ctx, tx, "share.removed", v, m, ip, map[string]any{"to": kind + ":" + target})
	})
}

// RemoveShareIn takes one share of a record back inside the caller's
// transaction, without a viewer: for a module withdrawing a share it made
// itself (observables handed over with a case that was then declined),
// which the module audits.
func (s *Service) RemoveShareIn(ctx context.Context, tx *sql.Tx, t Type, recordID, shareID string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM shares WHERE id = $1 AND record_type = $2 AND record_id = $3`, shareID, t.Name, recordID)
	return errs.Wrap("remove share", err)
}

// DropSharesIn removes every share of a record inside the caller's
// transaction: for a module deleting the record.
func (s *Service) DropSharesIn(ctx context.Context, tx *sql.Tx, t Type, recordID string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM shares WHERE record_type = $1 AND record_id = $2`, t.Name, recordID)
	return errs.Wrap("drop shares", err)
}

// Shares lists a record's shares with the names of their targets.
func (s *Service) Shares(ctx context.Context, m *Meta) ([]Share, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT s.id, s.target_kind, s.target_id, s.granted_by, s.granted_at,
		COALESCE(o.name, g.name, u.name, '')
		FROM shares s
		LEFT JOIN orgs o ON s.target_kind = 'org' AND o.id = s.target_id
		LEFT JOIN org_groups g ON s.target_kind = 'group' AND g.id = s.target_id
		LEFT JOIN users u ON s.target_kind = 'person' AND u.id = s.target_id
		WHERE s.record_type = $1 AND s.record_id = $2 ORDER BY s.granted_at, s.id`, m.Type.Name, m.ID)
	if err != nil {
		return nil, errs.Wrap("list shares", err)
	}
	defer rows.Close()
	var out []Share
	for rows.Next() {
		var sh Share
		if err := rows.Scan(&sh.ID, &sh.TargetKind, &sh.TargetID, &sh.GrantedBy, &sh.GrantedAt, &sh.TargetName); err != nil {
			return nil, errs.Wrap("list shares", err)
		}
		out = append(out, sh)
	}
	return out, rows.Err()
}

func (s *Service) audit(ctx context.Context, tx *sql.Tx, action string, v *web.Viewer, m *Meta, ip string, details map[string]any) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, tx, action, v.Pseudonym, m.OwnerOrg, m.Type.Name, m.ID, ip, details)
}

// OwnerFor checks that the viewer may create a record owned by orgID, and
// returns the organisation; modules call it before inserting.
func OwnerFor(v *web.Viewer, orgID string, editorRoles []string) error {
	mem, ok := v.Member(orgID)
	if !ok {
		return errs.E("sharing", errs.Forbidden, "error.forbidden")
	}
	for _, r := range mem.Roles {
		if r == "admin" || slices.Contains(editorRoles, r) {
			return nil
		}
	}
	return errs.E("sharing", errs.Forbidden, "error.forbidden")
}
