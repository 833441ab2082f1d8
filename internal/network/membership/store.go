package membership

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/notify"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

var (
	errForbidden = errs.E("network.membership", errs.Forbidden, "error.forbidden")
	errNotFound  = errs.E("network.membership", errs.NotFound, "error.not_found")
)

// Submit files an application for the organisation orgID, whose admin the
// viewer is. activities are the side-by-side form's values of the
// "activities" field. The application is published AMBER+STRICT, shared
// with the programme office, and the officers are told.
func (s *Service) Submit(ctx context.Context, v *web.Viewer, orgID string, in Input, activities url.Values, ip string) (*Application, error) {
	if v == nil {
		return nil, errs.E("network.apply", errs.Unauthorized, "error.unauthorized")
	}
	if err := sharing.OwnerFor(v, orgID, nil); err != nil {
		return nil, err
	}
	o, err := s.orgByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if why := Eligible(o); len(why) > 0 {
		return nil, errs.E("network.apply", errs.Forbidden, why[0])
	}
	now := s.Clock.Now()
	c, err := in.check(activities, v.ID, now)
	if err != nil {
		return nil, err
	}
	if member, err := s.Core.IsMember(ctx, orgID); err != nil {
		return nil, err
	} else if member {
		return nil, errs.E("network.apply", errs.Conflict, "network.membership.error.member_already")
	}
	a := &Application{ID: uuid.Must(uuid.NewV7()).String(), OrgID: o.ID, OrgSlug: o.Slug, OrgName: o.Name, OrgVerified: o.Verified,
		Countries: c.countries, Activities: c.activities, StartedYear: c.year, Website: c.website, ContactName: c.contactName,
		ContactEmail: c.contactEmail, Statement: c.statement, Status: Submitted, Marking: sharing.AmberStrict, CreatedAt: now, UpdatedAt: now}
	// Written as a draft, shared with the office by the sharing service,
	// then published: if sharing fails, the draft goes again.
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO network_applications (id, org_name, activities, started_year, website, contact_name,
			contact_email, statement, status, submitted_by, created_at, updated_at, owner_org, marking, state)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14)`,
			a.ID, a.OrgName, a.Activities, a.StartedYear, a.Website, a.ContactName, a.ContactEmail, a.Statement, a.Status, v.ID, now,
			a.OrgID, string(a.Marking), string(sharing.Draft))
		if db.IsUnique(err) {
			return errs.E("network.apply", errs.Conflict, "network.membership.error.open_already")
		}
		if err != nil {
			return errs.Wrap("network.apply", err)
		}
		for _, cc := range a.Countries {
			if _, err := tx.ExecContext(ctx, `INSERT INTO network_application_countries (application_id, country) VALUES ($1, $2)`, a.ID, cc); err != nil {
				return errs.Wrap("network.apply", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.publish(ctx, v, a, ip); err != nil {
		s.discard(ctx, a.ID)
		return nil, err
	}
	return a, nil
}

// publish shares a new application with the programme office, publishes
// it, records the step and tells the officers.
func (s *Service) publish(ctx context.Context, v *web.Viewer, a *Application, ip string) error {
	m, err := s.Sharing.Meta(ctx, v, TypeName, a.ID)
	if err != nil {
		return err
	}
	if _, err := s.Sharing.AddShare(ctx, v, m, a.OrgID, sharing.ToOrg, s.Core.Office.ID, ip); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE network_applications SET state = $1 WHERE id = $2`, string(sharing.Published), a.ID); err != nil {
			return errs.Wrap("network.apply", err)
		}
		if err := s.step(ctx, tx, a.ID, Submitted, v.ID, false, ""); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, "network.application_submitted", v, a, ip, map[string]any{"countries": a.Countries}); err != nil {
			return err
		}
		return s.tellOffice(ctx, tx, a, "network.membership.note.submitted")
	})
}

// discard removes an application that could not be published, with its shares.
func (s *Service) discard(ctx context.Context, id string) {
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.Sharing.DropSharesIn(ctx, tx, Type, id); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM network_application_steps WHERE application_id = $1`,
			`DELETE FROM network_application_countries WHERE application_id = $1`, `DELETE FROM network_applications WHERE id = $1`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && s.Site != nil {
		s.Site.Log.Error("discard unpublished application", "id", id, "err", err)
	}
}

const appCols = `t.id, t.owner_org, o.slug, o.name, o.verified_at IS NOT NULL, t.activities, t.started_year, t.website, t.contact_name,
	t.contact_email, t.statement, t.status, t.marking, t.created_at, t.updated_at, t.decided_at`

func scanApp(row interface{ Scan(...any) error }) (*Application, error) {
	a := &Application{}
	var marking string
	var decided sql.NullTime
	err := row.Scan(&a.ID, &a.OrgID, &a.OrgSlug, &a.OrgName, &a.OrgVerified, &a.Activities, &a.StartedYear, &a.Website, &a.ContactName,
		&a.ContactEmail, &a.Statement, &a.Status, &marking, &a.CreatedAt, &a.UpdatedAt, &decided)
	if err != nil {
		return nil, err
	}
	a.Marking = sharing.Marking(marking)
	if decided.Valid {
		a.DecidedAt = &decided.Time
	}
	return a, nil
}

// Get returns an application the viewer may see, with its countries and
// history; NotFound otherwise, as if it did not exist.
func (s *Service) Get(ctx context.Context, v *web.Viewer, id string) (*Application, error) {
	args := &db.Args{}
	idArg := args.Add(id)
	cond := sharing.Visible(Type, "t", v, s.Clock.Now(), args)
	a, err := scanApp(s.DB.R.QueryRowContext(ctx, `SELECT `+appCols+` FROM network_applications t JOIN orgs o ON o.id = t.owner_org
		WHERE t.id = `+idArg+` AND `+cond, args.List()...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Wrap("network.application", err)
	}
	if err := s.fill(ctx, []*Application{a}); err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT step, by_office, message, created_at FROM network_application_steps
		WHERE application_id = $1 ORDER BY created_at, id`, a.ID)
	if err != nil {
		return nil, errs.Wrap("network.application", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st Step
		if err := rows.Scan(&st.Step, &st.ByOffice, &st.Message, &st.CreatedAt); err != nil {
			return nil, errs.Wrap("network.application", err)
		}
		a.Steps = append(a.Steps, st)
	}
	return a, errs.Wrap("network.application", rows.Err())
}

// fill reads the applications' countries.
func (s *Service) fill(ctx context.Context, list []*Application) error {
	if len(list) == 0 {
		return nil
	}
	args := &db.Args{}
	byID := map[string]*Application{}
	var in []string
	for _, a := range list {
		a.Countries = []string{}
		byID[a.ID] = a
		in = append(in, args.Add(a.ID))
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT application_id, country FROM network_application_countries
		WHERE application_id IN (`+strings.Join(in, ", ")+`) ORDER BY application_id, country`, args.List()...)
	if err != nil {
		return errs.Wrap("network.application countries", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, cc string
		if err := rows.Scan(&id, &cc); err != nil {
			return errs.Wrap("network.application countries", err)
		}
		byID[id].Countries = append(byID[id].Countries, cc)
	}
	return errs.Wrap("network.application countries", rows.Err())
}

// Filter narrows a list of applications.
type Filter struct {
	Status string   // one of Statuses, or "" for all
	Orgs   []string // only these applicants, when set
	Cursor string
	Limit  int
}

// List returns the applications the viewer may see, newest first, with
// the cursor of the next page ("" at the end).
func (s *Service) List(ctx context.Context, v *web.Viewer, f Filter) ([]*Application, string, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	args := &db.Args{}
	where := []string{sharing.Visible(Type, "t", v, s.Clock.Now(), args)}
	if f.Status != "" {
		where = append(where, `t.status = `+args.Add(f.Status))
	}
	if f.Orgs != nil {
		if len(f.Orgs) == 0 {
			return nil, "", nil
		}
		var in []string
		for _, id := range f.Orgs {
			in = append(in, args.Add(id))
		}
		where = append(where, `t.owner_org IN (`+strings.Join(in, ", ")+`)`)
	}
	if f.Cursor != "" {
		at, id, ok := decodeCursor(f.Cursor)
		if !ok {
			return nil, "", errs.E("network.applications", errs.Invalid, "error.cursor")
		}
		a, b := args.Add(at), args.Add(id)
		where = append(where, `(t.created_at < `+a+` OR (t.created_at = `+a+` AND t.id < `+b+`))`)
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+appCols+` FROM network_applications t JOIN orgs o ON o.id = t.owner_org
		WHERE `+strings.Join(where, " AND ")+` ORDER BY t.created_at DESC, t.id DESC LIMIT `+args.Add(f.Limit+1), args.List()...)
	if err != nil {
		return nil, "", errs.Wrap("network.applications", err)
	}
	var list []*Application
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			rows.Close()
			return nil, "", errs.Wrap("network.applications", err)
		}
		list = append(list, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", errs.Wrap("network.applications", err)
	}
	next := ""
	if len(list) > f.Limit {
		list = list[:f.Limit]
		last := list[len(list)-1]
		next = encodeCursor(last.CreatedAt, last.ID)
	}
	return list, next, s.fill(ctx, list)
}

func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func decodeCursor(c string) (time.Time, string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", false
	}
	at, id, ok := strings.Cut(string(b), "|")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", false
	}
	return t, id, true
}

// Review records an officer's decision on an open application: approve
// (the organisation joins the network; it must be verified), ask for more
// information, or reject; asking and rejecting need a reason.
func (s *Service) Review(ctx context.Context, v *web.Viewer, id, decision, reason, ip string) (*Application, error) {
	if !s.IsOfficer(v) {
		return nil, errForbidden
	}
	a, err := s.Get(ctx, v, id)
	if err != nil {
		return nil, err
	}
	status := map[string]string{Approve: Approved, Ask: MoreInfo, Reject: Rejected}[decision]
	if status == "" {
		return nil, errs.Field("network.review", map[string]string{"decision": "network.membership.error.decision"})
	}
	if reason, err = message(reason, decision != Approve, "reason"); err != nil {
		return nil, err
	}
	if !a.IsOpen() {
		return nil, errs.E("network.review", errs.Conflict, "network.membership.error.closed")
	}
	if decision == Approve {
		if !a.OrgVerified {
			return nil, errs.E("network.review", errs.Conflict, "network.membership.error.unverified")
		}
	}
	if err := s.decide(ctx, v, a, status, reason, ip); err != nil {
		return nil, err
	}
	return a, nil
}

// decide moves an open application to status, records the step and tells
// the applicant's admins; an approval adds the organisation to the group in
// the same transaction, so that "approved" always means a member.
func (s *Service) decide(ctx context.Context, v *web.Viewer, a *Application, status, reason, ip string) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if status == Approved {
			if err := s.Sharing.SetGroupMemberIn(ctx, tx, s.asOffice(v), s.Core.Group, a.OrgID, true); err != nil {
				return err
			}
		}
		var decidedAt, decidedBy any
		if status != MoreInfo {
			decidedAt, decidedBy = now, v.ID
		}
		res, err := tx.ExecContext(ctx, `UPDATE network_applications SET status = $1, updated_at = $2, decided_at = $3, decided_by = $4
			WHERE id = $5 AND status IN ($6, $7)`, status, now, decidedAt, decidedBy, a.ID, Submitted, MoreInfo)
		if err != nil {
			return errs.Wrap("network.review", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E("network.review", errs.Conflict, "network.membership.error.closed") // decided meanwhile
		}
		if err := s.step(ctx, tx, a.ID, status, v.ID, true, reason); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, "network.application_"+status, v, a, ip, map[string]any{"reason": reason}); err != nil {
			return err
		}
		a.Status, a.UpdatedAt = status, now
		return s.tellApplicant(ctx, tx, a, status, reason)
	})
}

// Reply answers an officer's request for more information; the
// application goes back to the officers.
func (s *Service) Reply(ctx context.Context, v *web.Viewer, id, answer, ip string) (*Application, error) {
	a, err := s.Get(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if err := sharing.OwnerFor(v, a.OrgID, nil); err != nil {
		return nil, err
	}
	if answer, err = message(answer, true, "answer"); err != nil {
		return nil, err
	}
	if a.Status != MoreInfo {
		return nil, errs.E("network.reply", errs.Conflict, "network.membership.error.no_question")
	}
	now := s.Clock.Now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE network_applications SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4`,
			Submitted, now, a.ID, MoreInfo)
		if err != nil {
			return errs.Wrap("network.reply", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E("network.reply", errs.Conflict, "network.membership.error.no_question")
		}
		if err := s.step(ctx, tx, a.ID, "replied", v.ID, false, answer); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, "network.application_replied", v, a, ip, nil); err != nil {
			return err
		}
		a.Status, a.UpdatedAt = Submitted, now
		return s.tellOffice(ctx, tx, a, "network.membership.note.replied")
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Remove takes an approved member out of the network, with a reason; the
// application records it and the organisation's admins are told.
func (s *Service) Remove(ctx context.Context, v *web.Viewer, id, reason, ip string) (*Application, error) {
	if !s.IsOfficer(v) {
		return nil, errForbidden
	}
	a, err := s.Get(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if reason, err = message(reason, true, "reason"); err != nil {
		return nil, err
	}
	if a.Status != Approved {
		return nil, errs.E("network.remove", errs.Conflict, "network.membership.error.not_member")
	}
	now := s.Clock.Now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.Sharing.SetGroupMemberIn(ctx, tx, s.asOffice(v), s.Core.Group, a.OrgID, false); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE network_applications SET status = $1, updated_at = $2, decided_at = $2, decided_by = $3
			WHERE id = $4`, Removed, now, v.ID, a.ID); err != nil {
			return errs.Wrap("network.remove", err)
		}
		if err := s.step(ctx, tx, a.ID, Removed, v.ID, true, reason); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, "network.member_removed", v, a, ip, map[string]any{"reason": reason}); err != nil {
			return err
		}
		a.Status, a.UpdatedAt = Removed, now
		return s.tellApplicant(ctx, tx, a, Removed, reason)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (s *Service) step(ctx context.Context, tx *sql.Tx, appID, step, actor string, byOffice bool, msg string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO network_application_steps (id, application_id, step, actor_id, by_office, message, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, uuid.Must(uuid.NewV7()).String(), appID, step, actor, byOffice, msg, s.Clock.Now())
	return errs.Wrap("network.application step", err)
}

func (s *Service) audit(ctx context.Context, tx *sql.Tx, action string, v *web.Viewer, a *Application, ip string, details map[string]any) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, tx, action, v.Pseudonym, a.OrgID, TypeName, a.ID, ip, details)
}

// tellOffice notifies the officers of a submission or a reply.
func (s *Service) tellOffice(ctx context.Context, tx *sql.Tx, a *Application, subject string) error {
	if s.Notify == nil {
		return nil
	}
	return s.Notify.SendOrg(ctx, tx, s.Core.Office.ID, []string{org.RoleMember}, notify.Note{Kind: Kind.Name, Subject: subject,
		Args: []any{"org", s.Orgs.NamesFor(ctx, a.OrgID, a.OrgName)}, Path: a.Path()})
}

// tellApplicant notifies the applicant's admins of a decision.
func (s *Service) tellApplicant(ctx context.Context, tx *sql.Tx, a *Application, status, reason string) error {
	if s.Notify == nil {
		return nil
	}
	n := notify.Note{Kind: Kind.Name, Subject: "network.membership.note." + status, Args: []any{"org", s.Orgs.NamesFor(ctx, a.OrgID, a.OrgName)}, Path: a.Path()}
	if reason != "" {
		n.Body = "network.membership.note.reason"
		n.Args = append(n.Args, "reason", reason)
	}
	return s.Notify.SendOrg(ctx, tx, a.OrgID, nil, n)
}

func (s *Service) orgByID(ctx context.Context, id string) (*org.Org, error) {
	var slug string
	err := s.DB.R.QueryRowContext(ctx, `SELECT slug FROM orgs WHERE id = $1`, id).Scan(&slug)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Wrap("network.apply", err)
	}
	return s.Orgs.BySlug(ctx, slug)
}

// Member is one organisation of the network, as the public sees it.
type Member struct {
	OrgID   string
	Slug    string
	Org     *org.Org
	Country string
	Since   time.Time
}

// Members lists the network's members (the programme office aside) by
// name, from offset, with whether more follow.
func (s *Service) Members(ctx context.Context, offset, limit int) ([]Member, bool, error) {
	args := &db.Args{}
	cond := s.Core.MemberCondition("o.id", args)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT o.slug, gm.added_at FROM orgs o JOIN group_members gm ON gm.org_id = o.id AND gm.group_id = `+
		args.Add(s.Core.Group.ID)+` WHERE `+cond+` ORDER BY o.name, o.id LIMIT `+args.Add(limit+1)+` OFFSET `+args.Add(offset), args.List()...)
	if err != nil {
		return nil, false, errs.Wrap("network.members", err)
	}
	type row struct {
		slug  string
		since time.Time
	}
	var got []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.slug, &r.since); err != nil {
			rows.Close()
			return nil, false, errs.Wrap("network.members", err)
		}
		got = append(got, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, errs.Wrap("network.members", err)
	}
	more := len(got) > limit
	if more {
		got = got[:limit]
	}
	out := make([]Member, 0, len(got))
	for _, r := range got {
		o, err := s.Orgs.BySlug(ctx, r.slug)
		if err != nil {
			return nil, false, err
		}
		out = append(out, Member{OrgID: o.ID, Slug: o.Slug, Org: o, Country: o.Country, Since: r.since})
	}
	return out, more, nil
}
