package cert

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/indicators"
	"harambee.africa/harambee/internal/notify"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

var (
	errForbidden = errs.E("cert", errs.Forbidden, "error.forbidden")
	errNotFound  = errs.E("cert", errs.NotFound, "error.not_found")
)

// errNotCERT answers for an organisation that exists but is no CERT.
var errNotCERT = errs.E("cert", errs.Conflict, "cert.error.not_cert")

// Team returns the CERT with slug; for an organisation of another kind,
// a Conflict error saying it is not a CERT.
func (s *Service) Team(ctx context.Context, slug string) (*org.Org, error) {
	o, err := s.Orgs.BySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	if !IsCERT(o.Kind) {
		return nil, errNotCERT
	}
	return o, nil
}

// vettedCond is the SQL condition under which the organisation in column
// is vetted: in the vetted CERTs' group and verified, the same test the
// sharing rule applies to GREEN records of the community.
func (s *Service) vettedCond(column string, args *db.Args) string {
	return `EXISTS (SELECT 1 FROM group_members gm JOIN orgs vo ON vo.id = gm.org_id WHERE gm.group_id = ` + args.Add(s.Group.ID) +
		` AND gm.org_id = ` + column + ` AND vo.verified_at IS NOT NULL)`
}

// IsVetted reports whether an organisation is a vetted CERT.
func (s *Service) IsVetted(ctx context.Context, orgID string) (bool, error) {
	args := &db.Args{}
	cond := s.vettedCond(args.Add(orgID), args)
	var n int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM orgs WHERE `+cond, args.List()...).Scan(&n); err != nil {
		return false, errs.Wrap("cert vetted", err)
	}
	return n > 0, nil
}

// Profile returns a team's profile (empty fields for a team that set nothing).
func (s *Service) Profile(ctx context.Context, o *org.Org) (*Profile, error) {
	p := &Profile{Org: o, Languages: []string{}, Vouchers: []string{}}
	var constituency, langs string
	var founding sql.NullTime
	var updated time.Time
	err := s.DB.R.QueryRowContext(ctx, `SELECT constituency, languages, first_member, first_since, founding_at, updated_at
		FROM cert_teams WHERE org_id = $1`, o.ID).Scan(&constituency, &langs, &p.FirstMember, &p.FirstSince, &founding, &updated)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, errs.Wrap("cert profile", err)
	default:
		if constituency != "" {
			if err := p.Constituency.Scan(constituency); err != nil {
				return nil, errs.Wrap("cert profile", err)
			}
		}
		if langs != "" {
			p.Languages = strings.Split(langs, ",")
		}
		p.Founding = founding.Valid
		p.UpdatedAt = &updated
	}
	if p.Vetted, err = s.IsVetted(ctx, o.ID); err != nil {
		return nil, err
	}
	args := &db.Args{}
	target := args.Add(o.ID)
	cond := s.vettedCond("v.voucher_org", args)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT o.slug FROM cert_vouches v JOIN orgs o ON o.id = v.voucher_org
		WHERE v.org_id = `+target+` AND `+cond+` ORDER BY o.slug`, args.List()...)
	if err != nil {
		return nil, errs.Wrap("cert vouchers", err)
	}
	defer rows.Close()
	for rows.Next() {
		var slug string
		if err := rows.Scan(&slug); err != nil {
			return nil, errs.Wrap("cert vouchers", err)
		}
		p.Vouchers = append(p.Vouchers, slug)
	}
	return p, errs.Wrap("cert vouchers", rows.Err())
}

// ContactsOf returns a team's contact block if the viewer may see it
// (sharing.Visible decides); NotFound otherwise, or when there is none.
func (s *Service) ContactsOf(ctx context.Context, v *web.Viewer, orgID string) (*Contacts, error) {
	args := &db.Args{}
	owner := args.Add(orgID)
	cond := sharing.Visible(ContactsType, "t", v, s.Clock.Now(), args)
	c := &Contacts{}
	var contacts, key string
	err := s.DB.R.QueryRowContext(ctx, `SELECT t.id, t.marking, t.contacts, t.hours, t.pgp_armored, t.pgp, t.updated_at FROM cert_contacts t
		WHERE t.owner_org = `+owner+` AND `+cond, args.List()...).Scan(&c.ID, &c.Marking, &contacts, &c.Hours, &c.Armored, &key, &c.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Wrap("cert contacts", err)
	}
	if err := json.Unmarshal([]byte(contacts), &c.Contacts); err != nil {
		return nil, errs.Wrap("cert contacts", err)
	}
	if key != "" {
		c.Key = &Key{}
		if err := json.Unmarshal([]byte(key), c.Key); err != nil {
			return nil, errs.Wrap("cert contacts", err)
		}
	}
	return c, nil
}

// MayEdit reports whether the viewer edits the team's profile: its admins
// and CERT analysts.
func MayEdit(v *web.Viewer, orgID string) bool {
	return sharing.OwnerFor(v, orgID, []string{RoleAnalyst}) == nil
}

// Save replaces a team's profile and contact block. A new contact block is
// GREEN for the vetted CERTs; an existing one keeps the marking its team gave it.
func (s *Service) Save(ctx context.Context, v *web.Viewer, o *org.Org, in Input, ip string) error {
	if !IsCERT(o.Kind) {
		return errNotCERT
	}
	if !MayEdit(v, o.ID) {
		return errForbidden
	}
	now := s.Clock.Now()
	key, err := in.check(now)
	if err != nil {
		return err
	}
	contacts, err := json.Marshal(in.Contacts)
	if err != nil {
		return errs.Wrap("cert save", err)
	}
	if in.Contacts == nil {
		contacts = []byte("[]")
	}
	keyJSON, armored := "", ""
	if key != nil {
		b, err := json.Marshal(key)
		if err != nil {
			return errs.Wrap("cert save", err)
		}
		keyJSON, armored = string(b), strings.TrimSpace(in.PGPKey)
	}
	var constituency any = ""
	if !in.Constituency.IsZero() || len(in.Constituency.Versions) > 0 {
		constituency = in.Constituency
	}
	since, _ := strconv.Atoi(in.FirstSince)
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO cert_teams (org_id, constituency, languages, first_member, first_since, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id) DO UPDATE SET constituency = $2, languages = $3, first_member = $4,
			first_since = $5, updated_at = $6`, o.ID, constituency, strings.Join(in.Languages, ","), in.FirstMember, since, now); err != nil {
			return errs.Wrap("cert save", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE cert_contacts SET contacts = $1, hours = $2, pgp_armored = $3, pgp = $4, title = $5, updated_at = $6
			WHERE owner_org = $7`, string(contacts), in.Hours, armored, keyJSON, o.Name, now, o.ID)
		if err != nil {
			return errs.Wrap("cert save", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cert_contacts (id, owner_org, marking, state, community, title, contacts, hours,
				pgp_armored, pgp, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, uuid.Must(uuid.NewV7()).String(), o.ID,
				string(sharing.Green), string(sharing.Published), s.Group.ID, o.Name, string(contacts), in.Hours, armored, keyJSON, now); err != nil {
				return errs.Wrap("cert save", err)
			}
		}
		return s.audit(ctx, tx, "cert.profile_saved", v, o.ID, ip, nil)
	})
}

func (s *Service) audit(ctx context.Context, tx *sql.Tx, action string, v *web.Viewer, orgID, ip string, details map[string]any) error {
	if s.Audit == nil {
		return nil
	}
	actor := "system"
	if v != nil {
		actor = v.Pseudonym
	}
	return s.Audit.Record(ctx, tx, action, actor, orgID, "org", orgID, ip, details)
}

// Row is a team in the directory.
type Row struct {
	Org         *org.Org `json:"-"`
	Vetted      bool     `json:"vetted"`
	FirstMember bool     `json:"first_member"`
	FirstSince  int      `json:"first_since,omitempty"`
}

// Filter narrows the directory.
type Filter struct {
	Country string
	Vetted  bool
	Offset  int
	Limit   int
}

// Directory lists the CERTs by country, then name; more reports a next page.
func (s *Service) Directory(ctx context.Context, f Filter) (rows []Row, more bool, err error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 50
	}
	args := &db.Args{}
	vetted := s.vettedCond("o.id", args)
	where := []string{`o.kind IN (` + args.Add(string(org.NationalCERT)) + `, ` + args.Add(string(org.SectorCERT)) + `)`}
	if f.Country != "" {
		where = append(where, `o.country = `+args.Add(strings.ToUpper(f.Country)))
	}
	if f.Vetted {
		where = append(where, s.vettedCond("o.id", args))
	}
	q := `SELECT o.id, o.slug, o.name, o.names, o.kind, o.country, o.verified_at IS NOT NULL, ` + vetted + `,
		COALESCE(t.first_member, FALSE), COALESCE(t.first_since, 0)
		FROM orgs o LEFT JOIN cert_teams t ON t.org_id = o.id WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY o.country, o.name, o.id LIMIT ` + args.Add(f.Limit+1) + ` OFFSET ` + args.Add(f.Offset)
	res, err := s.DB.R.QueryContext(ctx, q, args.List()...)
	if err != nil {
		return nil, false, errs.Wrap("cert directory", err)
	}
	defer res.Close()
	for res.Next() {
		o := &org.Org{}
		var names string
		var r Row
		if err := res.Scan(&o.ID, &o.Slug, &o.Name, &names, &o.Kind, &o.Country, &o.Verified, &r.Vetted, &r.FirstMember, &r.FirstSince); err != nil {
			return nil, false, errs.Wrap("cert directory", err)
		}
		var err error
		if o.Names, err = org.NamesOf(o.Name, names); err != nil {
			return nil, false, errs.Wrap("cert directory", err)
		}
		r.Org = o
		rows = append(rows, r)
	}
	if err := res.Err(); err != nil {
		return nil, false, errs.Wrap("cert directory", err)
	}
	if len(rows) > f.Limit {
		return rows[:f.Limit], true, nil
	}
	return rows, false, nil
}

// vettedOrgsOf returns the viewer's organisations that are vetted CERTs
// and that the viewer administers: those it may vouch for others as.
func (s *Service) vettedOrgsOf(ctx context.Context, v *web.Viewer) ([]web.Membership, error) {
	var out []web.Membership
	if v == nil {
		return nil, nil
	}
	for _, m := range v.Orgs {
		if !slices.Contains(m.Roles, org.RoleAdmin) || m.OrgID == s.Office.ID {
			continue
		}
		ok, err := s.IsVetted(ctx, m.OrgID)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, m)
		}
	}
	return out, nil
}

// Vouch records (or, with on false, withdraws) that the vetted CERT
// voucherID, whose admin the viewer is, vouches for team o; then the
// vetted set is recomputed.
func (s *Service) Vouch(ctx context.Context, v *web.Viewer, o *org.Org, voucherID string, on bool, ip string) error {
	if !IsCERT(o.Kind) {
		return errNotCERT
	}
	if m, ok := v.Member(voucherID); !ok || !slices.Contains(m.Roles, org.RoleAdmin) {
		return errs.E("cert.vouch", errs.Forbidden, "cert.error.vouch_admin")
	}
	if voucherID == o.ID {
		return errs.E("cert.vouch", errs.Invalid, "cert.error.vouch_self")
	}
	if on {
		ok, err := s.IsVetted(ctx, voucherID)
		if err != nil {
			return err
		}
		if !ok {
			return errs.E("cert.vouch", errs.Forbidden, "cert.error.vouch_unvetted")
		}
	}
	now := s.Clock.Now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var res sql.Result
		var err error
		action := "cert.vouched"
		if on {
			res, err = tx.ExecContext(ctx, `INSERT INTO cert_vouches (org_id, voucher_org, by_user, created_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (org_id, voucher_org) DO NOTHING`, o.ID, voucherID, v.ID, now)
		} else {
			action = "cert.vouch_withdrawn"
			res, err = tx.ExecContext(ctx, `DELETE FROM cert_vouches WHERE org_id = $1 AND voucher_org = $2`, o.ID, voucherID)
		}
		if err != nil {
			return errs.Wrap("cert vouch", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if on {
				return errs.E("cert.vouch", errs.Conflict, "cert.error.vouched_already")
			}
			return errs.E("cert.vouch", errs.NotFound, "cert.error.no_vouch")
		}
		if err := s.audit(ctx, tx, action, v, o.ID, ip, map[string]any{"voucher": voucherID}); err != nil {
			return err
		}
		if on {
			return s.note(ctx, tx, o.ID, "cert.note.vouched", "/cert/teams/"+o.Slug, "team", s.Orgs.NamesFor(ctx, voucherID, voucherID))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.Reconcile(ctx, v)
}

func (s *Service) note(ctx context.Context, q db.Querier, orgID, subject, path string, args ...any) error {
	if s.Notify == nil {
		return nil
	}
	return s.Notify.SendOrg(ctx, q, orgID, []string{"admin"}, notify.Note{Kind: VettingKind.Name, Subject: subject, Args: args, Path: path})
}

// SetFounding marks (or unmarks) a verified CERT as a founding vetted CERT:
// the bootstrap, by platform administrators alone. Marking is allowed only
// while fewer than two vetted CERTs exist — after that, vouching by two
// vetted peers is the only way in; unmarking is always allowed.
func (s *Service) SetFounding(ctx context.Context, v *web.Viewer, o *org.Org, on bool, ip string) error {
	if v == nil || !v.IsAdmin() {
		return errForbidden
	}
	if !IsCERT(o.Kind) {
		return errNotCERT
	}
	if on {
		if !o.Verified {
			return errs.E("cert.founding", errs.Conflict, "cert.error.unverified")
		}
		n, err := s.vettedCount(ctx)
		if err != nil {
			return err
		}
		if n >= 2 {
			return errs.E("cert.founding", errs.Conflict, "cert.error.founding_closed")
		}
	}
	now := s.Clock.Now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var at any
		by, action := "", "cert.founding_withdrawn"
		if on {
			at, by, action = now, v.ID, "cert.founding_set"
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cert_teams (org_id, founding_at, founding_by, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (org_id) DO UPDATE SET founding_at = $2, founding_by = $3`, o.ID, at, by, now); err != nil {
			return errs.Wrap("cert founding", err)
		}
		return s.audit(ctx, tx, action, v, o.ID, ip, nil)
	})
	if err != nil {
		return err
	}
	return s.Reconcile(ctx, v)
}

func (s *Service) vettedCount(ctx context.Context) (int, error) {
	args := &db.Args{}
	cond := s.vettedCond("o.id", args)
	var n int
	err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM orgs o WHERE `+cond, args.List()...).Scan(&n)
	return n, errs.Wrap("cert vetted count", err)
}

// Vetted computes the set of vetted CERTs from the rule: verified, and
// founding or vouched for by two distinct vetted CERTs. It is the least
// set closed under the rule, so a vouch counts only while its voucher is
// vetted, and a CERT whose verification is withdrawn takes out those that
// needed its vouch.
func (s *Service) Vetted(ctx context.Context) (map[string]bool, error) {
	type team struct{ verified, founding bool }
	teams := map[string]team{}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT o.id, o.verified_at IS NOT NULL, t.founding_at IS NOT NULL
		FROM orgs o LEFT JOIN cert_teams t ON t.org_id = o.id WHERE o.kind IN ($1, $2)`, string(org.NationalCERT), string(org.SectorCERT))
	if err != nil {
		return nil, errs.Wrap("cert vetted", err)
	}
	for rows.Next() {
		var id string
		var t team
		var founding sql.NullBool
		if err := rows.Scan(&id, &t.verified, &founding); err != nil {
			rows.Close()
			return nil, errs.Wrap("cert vetted", err)
		}
		t.founding = founding.Valid && founding.Bool
		teams[id] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap("cert vetted", err)
	}
	vouches := map[string][]string{}
	rows, err = s.DB.R.QueryContext(ctx, `SELECT org_id, voucher_org FROM cert_vouches`)
	if err != nil {
		return nil, errs.Wrap("cert vetted", err)
	}
	for rows.Next() {
		var id, by string
		if err := rows.Scan(&id, &by); err != nil {
			rows.Close()
			return nil, errs.Wrap("cert vetted", err)
		}
		vouches[id] = append(vouches[id], by)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap("cert vetted", err)
	}
	vetted := map[string]bool{}
	for id, t := range teams {
		if t.verified && t.founding {
			vetted[id] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for id, t := range teams {
			if vetted[id] || !t.verified {
				continue
			}
			n := 0
			for _, by := range vouches[id] {
				if by != id && vetted[by] {
					n++
				}
			}
			if n >= 2 {
				vetted[id], changed = true, true
			}
		}
	}
	return vetted, nil
}

// Reconcile makes the vetted CERTs' group equal to the computed set and
// tells the teams that joined or left it. It runs after every vouch and
// founding change, and as a periodic job for changes of verification,
// which the kernel makes without telling modules (meanwhile the sharing
// rule already ignores group members that lost their verification).
func (s *Service) Reconcile(ctx context.Context, by *web.Viewer) error {
	want, err := s.Vetted(ctx)
	if err != nil {
		return err
	}
	have, err := s.Sharing.GroupMembers(ctx, s.Group)
	if err != nil {
		return err
	}
	office := &web.Viewer{ID: "system", Pseudonym: "system", Orgs: []web.Membership{{OrgID: s.Office.ID, Roles: []string{org.RoleAdmin}}}}
	if by != nil {
		office.ID, office.Pseudonym = by.ID, by.Pseudonym
	}
	in := map[string]bool{}
	for _, id := range have {
		in[id] = true
		if want[id] {
			continue
		}
		if err := s.Sharing.SetGroupMember(ctx, office, s.Group, id, false); err != nil {
			return err
		}
		if err := s.noteVetting(ctx, id, "cert.note.unvetted"); err != nil {
			return err
		}
	}
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if in[id] {
			continue
		}
		if err := s.Sharing.SetGroupMember(ctx, office, s.Group, id, true); err != nil {
			return err
		}
		if err := s.noteVetting(ctx, id, "cert.note.vetted"); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) noteVetting(ctx context.Context, orgID, subject string) error {
	var slug string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT slug FROM orgs WHERE id = $1`, orgID).Scan(&slug); err != nil {
		return errs.Wrap("cert note", err)
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.note(ctx, tx, orgID, subject, "/cert/teams/"+slug)
	})
}

// VettedByCountry is the indicator "cert.vetted": the vetted CERTs, in
// total and by country. Vetted status is public (the directory's badge),
// so every viewer gets the same value.
func (s *Service) VettedByCountry() indicators.Indicator {
	return indicators.Indicator{Key: "cert.vetted", Action: "2.1", Unit: "teams", By: "country",
		Compute: func(ctx context.Context, _ *web.Viewer) (indicators.Value, error) {
			val := indicators.Value{Breakdown: map[string]float64{}}
			args := &db.Args{}
			cond := s.vettedCond("o.id", args)
			rows, err := s.DB.R.QueryContext(ctx, `SELECT o.country, COUNT(*) FROM orgs o WHERE o.kind IN (`+args.Add(string(org.NationalCERT))+`, `+
				args.Add(string(org.SectorCERT))+`) AND `+cond+` GROUP BY o.country ORDER BY o.country`, args.List()...)
			if err != nil {
				return val, errs.Wrap("cert vetted indicator", err)
			}
			defer rows.Close()
			for rows.Next() {
				var cc string
				var n int
				if err := rows.Scan(&cc, &n); err != nil {
					return val, errs.Wrap("cert vetted indicator", err)
				}
				val.Breakdown[cc] = float64(n)
				val.Total += float64(n)
			}
			return val, errs.Wrap("cert vetted indicator", rows.Err())
		}}
}
