package cases

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// Hand-over statuses.
const (
	Pending   = "pending"
	Accepted  = "accepted"
	Declined  = "declined"
	Withdrawn = "withdrawn"
)

// HandOver is a case (or some of its observables) handed by one CERT team
// to another. Its one row is read by both teams.
type HandOver struct {
	ID            string
	CaseID        string
	FromOrg       string
	FromSlug      string
	FromName      string // the teams' names in their original language; pages name them in the reader's
	FromCountry   string
	ToOrg         string
	ToSlug        string
	ToName        string
	ToCountry     string
	Title         string
	Summary       string
	SummaryEdited *time.Time
	Marking       sharing.Marking
	Observables   []string
	Status        string
	Reason        string
	LinkedCase    string
	CreatedBy     string
	CreatedAt     time.Time
	RespondedBy   string
	RespondedAt   *time.Time
	UpdatedAt     time.Time
}

// Path is the hand-over's page.
func (h *HandOver) Path() string { return "/cert/handovers/" + h.ID }

// HandOverInput is what handing a case over takes.
type HandOverInput struct {
	To          string // the receiving team's slug, or a country code whose one vetted national CERT receives it
	Title       string // "" for the case's title
	Summary     string
	Marking     string // "" for the case's marking; never lower
	Observables []string
}

var (
	errHandOverState = errs.E("cert.cases", errs.Conflict, "cert.cases.error.handover_state")
	errCaseClosed    = errs.E("cert.cases", errs.Conflict, "cert.cases.error.case_closed")
)

// receiver finds the receiving team: a vetted CERT other than the sender.
func (s *Service) receiver(ctx context.Context, to, fromOrg string) (*org.Org, string) {
	to = strings.TrimSpace(to)
	if to == "" {
		return nil, "cert.cases.error.to"
	}
	var o *org.Org
	if len(to) == 2 && geo.IsValid(strings.ToUpper(to)) {
		rows, err := s.DB.R.QueryContext(ctx, `SELECT slug FROM orgs WHERE country = $1 AND kind = $2 ORDER BY slug LIMIT 20`,
			strings.ToUpper(to), string(org.NationalCERT))
		if err != nil {
			return nil, "cert.cases.error.to"
		}
		slugs, err := scanIDs(rows)
		if err != nil {
			return nil, "cert.cases.error.to"
		}
		var vetted []*org.Org
		for _, slug := range slugs {
			x, err := s.Cert.Team(ctx, slug)
			if err != nil {
				continue
			}
			if ok, _ := s.Cert.IsVetted(ctx, x.ID); ok {
				vetted = append(vetted, x)
			}
		}
		switch len(vetted) {
		case 0:
			return nil, "cert.cases.error.to_none"
		case 1:
			o = vetted[0]
		default:
			return nil, "cert.cases.error.to_many"
		}
	} else {
		x, err := s.Cert.Team(ctx, strings.ToLower(to))
		if err != nil {
			return nil, "cert.cases.error.to"
		}
		o = x
	}
	if o.ID == fromOrg {
		return nil, "cert.cases.error.to_self"
	}
	if ok, err := s.Cert.IsVetted(ctx, o.ID); err != nil || !ok {
		return nil, "cert.cases.error.to_unvetted"
	}
	return o, ""
}

// HandOver hands a case (or, with Observables, part of it) to another
// vetted CERT team: the chosen observables are shared with it, the case
// waits in handed_over (its SLA clock paused) until the team answers, and
// the team is told.
func (s *Service) HandOver(ctx context.Context, v *web.Viewer, caseID string, in HandOverInput, ip string) (*HandOver, error) {
	c, err := s.editable(ctx, v, caseID)
	if err != nil {
		return nil, err
	}
	if !open(c.Status) {
		return nil, errCaseClosed
	}
	bad := map[string]string{}
	to, key := s.receiver(ctx, in.To, c.OwnerOrg)
	if key != "" {
		bad["to"] = key
	}
	title := strings.TrimSpace(in.Title)
	if title == "" {
		title = c.Title
	}
	if utf8.RuneCountInString(title) > TitleMax || !web.CleanText(title) || strings.ContainsAny(title, "\r\n") {
		bad["title"] = "cert.cases.error.title_long"
	}
	summary := strings.TrimSpace(strings.ReplaceAll(in.Summary, "\r\n", "\n"))
	if summary == "" || utf8.RuneCountInString(summary) > SummaryMax || !web.CleanText(summary) {
		bad["summary"] = "cert.cases.error.handover_summary"
	}
	marking := c.Marking
	if strings.TrimSpace(in.Marking) != "" {
		m, ok := checkMarking(in.Marking)
		switch {
		case !ok:
			bad["marking"] = "cert.cases.error.marking"
		case m.Rank() < c.Marking.Rank():
			bad["marking"] = "cert.cases.error.handover_lower"
		}
		marking = m
	}
	var ids []string
	for _, id := range in.Observables {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) > 0 {
		if s.Observables == nil {
			bad["observables"] = "cert.cases.error.observables"
		} else {
			handable, err := s.Observables.Handable(ctx, v, c.ID)
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				if !slices.ContainsFunc(handable, func(o cert.ObservableItem) bool { return o.ID == id }) {
					bad["observables"] = "cert.cases.error.observables"
				}
			}
		}
	}
	if len(bad) > 0 {
		return nil, errs.Field("cert.cases", bad)
	}
	var n int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cert_handovers WHERE case_id = $1 AND to_org = $2 AND status = 'pending'`,
		c.ID, to.ID).Scan(&n); err != nil {
		return nil, errs.Wrap("hand over", err)
	}
	if n > 0 {
		return nil, errs.E("cert.cases", errs.Conflict, "cert.cases.error.handover_pending")
	}
	now := s.Clock.Now()
	h := &HandOver{ID: newID(), CaseID: c.ID, FromOrg: c.OwnerOrg, FromSlug: c.OwnerSlug, FromName: c.OwnerName, FromCountry: c.OwnerCountry,
		ToOrg: to.ID, ToSlug: to.Slug, ToName: to.Name, ToCountry: to.Country, Title: title, Summary: summary, Marking: marking,
		Observables: ids, Status: Pending, CreatedBy: v.ID, CreatedAt: now, UpdatedAt: now}
	// The observables are shared first: if storing the hand-over fails,
	// the shares are taken back.
	if len(ids) > 0 {
		if err := s.Observables.ShareWith(ctx, v, c.ID, ids, to.ID, ip); err != nil {
			return nil, err
		}
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO cert_handovers (id, case_id, from_org, to_org, title, summary, marking, observables, status,
			created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, $10)`,
			h.ID, c.ID, c.OwnerOrg, to.ID, title, summary, string(marking), strings.Join(ids, " "), v.ID, now)
		if err != nil {
			return errs.Wrap("hand over", err)
		}
		if running(c.Status) {
			if err := s.transition(ctx, tx, v, c, cert.StatusHandedOver, ip); err != nil {
				return err
			}
		}
		d := map[string]string{"team": to.Name, "team_id": to.ID, "handover": h.ID, "marking": string(marking)}
		if len(ids) > 0 {
			d["observables"] = itoa(len(ids))
		}
		if err := s.event(ctx, tx, c.ID, "handover_sent", v.ID, "", d, now); err != nil {
			return err
		}
		if err := s.note(ctx, tx, HandOverKind.Name, to.ID, "cert.cases.note.handover_new", h.Path(),
			"team", s.Orgs.NamesFor(ctx, c.OwnerOrg, c.OwnerName), "title", title); err != nil {
			return err
		}
		return s.recordHandOver(ctx, tx, "cert.handover.created", v, h, ip, map[string]any{"observables": len(ids)})
	})
	if err != nil {
		if len(ids) > 0 {
			_ = s.Observables.Unshare(context.WithoutCancel(ctx), c.ID, ids, to.ID)
		}
		return nil, err
	}
	return h, nil
}

// toTeam is the data of a sending case's timeline entry about hand-over h:
// the receiving team, by id (pages name it in the reader's language) and
// by its original name (as entries written before the id have it), and
// the hand-over.
func toTeam(h *HandOver) map[string]string {
	return map[string]string{"team": h.ToName, "team_id": h.ToOrg, "handover": h.ID}
}

// recordHandOver audits a hand-over hop for both teams.
func (s *Service) recordHandOver(ctx context.Context, tx *sql.Tx, action string, v *web.Viewer, h *HandOver, ip string, details map[string]any) error {
	if s.Audit == nil {
		return nil
	}
	d := map[string]any{"handover": h.ID, "from": h.FromOrg, "to": h.ToOrg, "marking": h.Marking}
	for k, x := range details {
		d[k] = x
	}
	actor := ""
	if v != nil {
		actor = v.Pseudonym
	}
	for _, o := range []string{h.FromOrg, h.ToOrg} {
		if err := s.Audit.Record(ctx, tx, action, actor, o, cert.CaseTypeName, h.CaseID, ip, d); err != nil {
			return err
		}
	}
	return nil
}

const handOverColumns = `h.id, h.case_id, h.from_org, COALESCE(fo.slug, ''), COALESCE(fo.name, ''), COALESCE(fo.country, ''), h.to_org,
	COALESCE(tto.slug, ''), COALESCE(tto.name, ''), COALESCE(tto.country, ''), h.title, h.summary, h.summary_edited_at, h.marking,
	h.observables, h.status, h.reason, h.linked_case, h.created_by, h.created_at, h.responded_by, h.responded_at, h.updated_at`

const handOverFrom = ` FROM cert_handovers h LEFT JOIN orgs fo ON fo.id = h.from_org LEFT JOIN orgs tto ON tto.id = h.to_org`

func scanHandOver(row interface{ Scan(...any) error }) (*HandOver, error) {
	h := &HandOver{}
	var edited, responded sql.NullTime
	var marking, obs string
	err := row.Scan(&h.ID, &h.CaseID, &h.FromOrg, &h.FromSlug, &h.FromName, &h.FromCountry, &h.ToOrg, &h.ToSlug, &h.ToName, &h.ToCountry,
		&h.Title, &h.Summary, &edited, &marking, &obs, &h.Status, &h.Reason, &h.LinkedCase, &h.CreatedBy, &h.CreatedAt, &h.RespondedBy,
		&responded, &h.UpdatedAt)
	if err != nil {
		return nil, err
	}
	h.Marking, h.Observables = sharing.Marking(marking), strings.Fields(obs)
	if edited.Valid {
		t := edited.Time.UTC()
		h.SummaryEdited = &t
	}
	if responded.Valid {
		t := responded.Time.UTC()
		h.RespondedAt = &t
	}
	h.CreatedAt, h.UpdatedAt = h.CreatedAt.UTC(), h.UpdatedAt.UTC()
	return h, nil
}

func scanHandOvers(rows *sql.Rows) ([]*HandOver, error) {
	defer rows.Close()
	var out []*HandOver
	for rows.Next() {
		h, err := scanHandOver(rows)
		if err != nil {
			return nil, errs.Wrap("scan hand-over", err)
		}
		out = append(out, h)
	}
	return out, errs.Wrap("scan hand-over", rows.Err())
}

// editorOrgs is the SQL list of the organisations where the viewer is an
// admin or analyst.
func editorOrgs(v *web.Viewer, args *db.Args) string {
	return `SELECT r.org_id FROM memberships m JOIN member_roles r ON r.org_id = m.org_id AND r.user_id = m.user_id
		WHERE m.user_id = ` + args.Add(v.ID) + ` AND r.role IN ('admin', ` + args.Add(cert.RoleAnalyst) + `)`
}

// handOverVisible is the SQL condition under which the viewer sees a
// hand-over (aliased h): they belong to the sending team and see its case,
// or they see the case it opened, or they are an admin or analyst of the
// receiving team. Seeing the sending case is not enough: a CLEAR case may
// be handed over under AMBER, and its summary then goes no further.
func (s *Service) handOverVisible(v *web.Viewer, args *db.Args) string {
	if v == nil {
		return `1 = 0`
	}
	return `(` + s.sentVisible(v, args) + `
		OR EXISTS (SELECT 1 FROM cert_cases t WHERE t.id = h.linked_case AND ` + sharing.Visible(cert.CaseType, "t", v, s.Clock.Now(), args) + `)
		OR h.to_org IN (` + editorOrgs(v, args) + `))`
}

// sentVisible is the SQL condition under which the viewer sees a hand-over
// (aliased h) as a member of the sending team who sees its case.
func (s *Service) sentVisible(v *web.Viewer, args *db.Args) string {
	return `(h.from_org IN (SELECT org_id FROM memberships WHERE user_id = ` + args.Add(v.ID) + `)
		AND EXISTS (SELECT 1 FROM cert_cases t WHERE t.id = h.case_id AND ` + sharing.Visible(cert.CaseType, "t", v, s.Clock.Now(), args) + `))`
}

// GetHandOver returns a hand-over the viewer may see; otherwise NotFound.
func (s *Service) GetHandOver(ctx context.Context, v *web.Viewer, id string) (*HandOver, error) {
	args := &db.Args{}
	idArg := args.Add(id)
	cond := s.handOverVisible(v, args)
	h, err := scanHandOver(s.DB.R.QueryRowContext(ctx, `SELECT `+handOverColumns+handOverFrom+` WHERE h.id = `+idArg+` AND `+cond, args.List()...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return h, errs.Wrap("hand-over", err)
}

// HandOversOf lists the hand-overs sent from a case the viewer may see
// that they may see too (see handOverVisible), newest first.
func (s *Service) HandOversOf(ctx context.Context, v *web.Viewer, caseID string) ([]*HandOver, error) {
	c, err := s.Get(ctx, v, caseID)
	if err != nil {
		return nil, err
	}
	args := &db.Args{}
	where := `h.case_id = ` + args.Add(c.ID) + ` AND ` + s.handOverVisible(v, args)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+handOverColumns+handOverFrom+` WHERE `+where+` ORDER BY h.created_at DESC, h.id DESC LIMIT 200`,
		args.List()...)
	if err != nil {
		return nil, errs.Wrap("hand-overs", err)
	}
	return scanHandOvers(rows)
}

// Inbox lists the hand-overs to the teams where the viewer is an admin or
// analyst (pending ones first), and those sent by the viewer's teams from
// cases they see.
func (s *Service) Inbox(ctx context.Context, v *web.Viewer) (in, out []*HandOver, err error) {
	if v == nil {
		return nil, nil, errSignIn
	}
	args := &db.Args{}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+handOverColumns+handOverFrom+` WHERE h.to_org IN (`+editorOrgs(v, args)+`)
		ORDER BY CASE WHEN h.status = 'pending' THEN 0 ELSE 1 END, h.created_at DESC, h.id DESC LIMIT 200`, args.List()...)
	if err != nil {
		return nil, nil, errs.Wrap("hand-over inbox", err)
	}
	if in, err = scanHandOvers(rows); err != nil {
		return nil, nil, err
	}
	args = &db.Args{}
	rows, err = s.DB.R.QueryContext(ctx, `SELECT `+handOverColumns+handOverFrom+` WHERE `+s.sentVisible(v, args)+`
		ORDER BY CASE WHEN h.status = 'pending' THEN 0 ELSE 1 END, h.created_at DESC, h.id DESC LIMIT 200`, args.List()...)
	if err != nil {
		return nil, nil, errs.Wrap("hand-over inbox", err)
	}
	out, err = scanHandOvers(rows)
	return in, out, err
}

// PendingFor counts the pending hand-overs to the viewer's teams (the nav badge).
func (s *Service) PendingFor(ctx context.Context, v *web.Viewer) int {
	if v == nil {
		return 0
	}
	args := &db.Args{}
	var n int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cert_handovers h WHERE h.status = 'pending' AND h.to_org IN (`+
		editorOrgs(v, args)+`)`, args.List()...).Scan(&n); err != nil {
		return 0
	}
	return n
}

// receiving loads a pending hand-over for an admin or analyst of its receiving team.
func (s *Service) receiving(ctx context.Context, v *web.Viewer, id string) (*HandOver, error) {
	if v == nil {
		return nil, errSignIn
	}
	h, err := s.GetHandOver(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if !sharing.IsEditor(v, &sharing.Meta{Type: cert.CaseType, OwnerOrg: h.ToOrg}) {
		return nil, errNotEditor
	}
	if h.Status != Pending {
		return nil, errHandOverState
	}
	return h, nil
}

// sending loads a hand-over for an editor of the case it was sent from.
func (s *Service) sending(ctx context.Context, v *web.Viewer, id string) (*HandOver, *Case, error) {
	if v == nil {
		return nil, nil, errSignIn
	}
	h, err := s.GetHandOver(ctx, v, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.Get(ctx, v, h.CaseID)
	if err != nil || !s.isEditor(v, c) {
		return nil, nil, errNotEditor
	}
	return h, c, nil
}

// settle takes the sending case out of handed_over when no hand-over of it
// waits any more, inside tx.
func (s *Service) settle(ctx context.Context, tx *sql.Tx, caseID, ip string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cert_handovers WHERE case_id = $1 AND status = 'pending'`, caseID).Scan(&n); err != nil {
		return errs.Wrap("settle hand-over", err)
	}
	if n > 0 {
		return nil
	}
	c, err := s.load(ctx, tx, caseID)
	if err != nil {
		return err
	}
	if c.Status != cert.StatusHandedOver {
		return nil
	}
	return s.transition(ctx, tx, nil, c, cert.StatusInProgress, ip)
}

// Accept accepts a hand-over for the receiving team: the team gets its own
// case linked to the sending one, carrying the hand-over's title and
// classification, marked with the hand-over's marking (its floor), and
// acknowledged at once. It returns the new case.
func (s *Service) Accept(ctx context.Context, v *web.Viewer, id, ip string) (*Case, error) {
	h, err := s.receiving(ctx, v, id)
	if err != nil {
		return nil, err
	}
	origin, err := s.load(ctx, s.DB.R, h.CaseID)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	c := &Case{ID: newID(), OwnerOrg: h.ToOrg, OwnerSlug: h.ToSlug, OwnerName: h.ToName, OwnerCountry: h.ToCountry, Title: h.Title,
		Category: origin.Category, Severity: origin.Severity, Status: cert.StatusNew, Marking: h.Marking, State: sharing.Published,
		Countries: origin.Countries, Sectors: origin.Sectors, CreatedBy: v.ID, CreatedAt: now, UpdatedAt: now, OriginHandOver: h.ID,
		Floor: h.Marking}
	running := now
	c.RunningSince = &running
	c.move(cert.StatusInProgress, now)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cert_handovers SET status = 'accepted', responded_by = $1, responded_at = $2, linked_case = $3,
			updated_at = $2 WHERE id = $4 AND status = 'pending'`, v.ID, now, c.ID, h.ID)
		if err != nil {
			return errs.Wrap("accept hand-over", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errHandOverState
		}
		if err := s.insert(ctx, tx, v, c, ip); err != nil {
			return err
		}
		d := map[string]string{"team": h.FromName, "team_id": h.FromOrg, "handover": h.ID, "marking": string(h.Marking)}
		if err := s.event(ctx, tx, c.ID, "handover_received", v.ID, "", d, now); err != nil {
			return err
		}
		if err := s.event(ctx, tx, h.CaseID, "handover_accepted", "", "", toTeam(h), now); err != nil {
			return err
		}
		if err := s.settle(ctx, tx, h.CaseID, ip); err != nil {
			return err
		}
		if err := s.note(ctx, tx, HandOverKind.Name, h.FromOrg, "cert.cases.note.handover_accepted", cert.CaseType.Path(h.CaseID),
			"team", s.Orgs.NamesFor(ctx, h.ToOrg, h.ToName), "title", h.Title); err != nil {
			return err
		}
		return s.recordHandOver(ctx, tx, "cert.handover.accepted", v, h, ip, map[string]any{"linked_case": c.ID})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Decline declines a hand-over for the receiving team, with a reason: the
// observables shared with it are taken back and the sender is told.
func (s *Service) Decline(ctx context.Context, v *web.Viewer, id, reason, ip string) (*HandOver, error) {
	h, err := s.receiving(ctx, v, id)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > ReasonMax || !web.CleanText(reason) {
		return nil, errs.Field("cert.cases", map[string]string{"reason": "cert.cases.error.reason"})
	}
	return s.close(ctx, v, h, Declined, reason, ip)
}

// Withdraw takes back a pending hand-over, by an editor of the sending case.
func (s *Service) Withdraw(ctx context.Context, v *web.Viewer, id, ip string) (*HandOver, error) {
	h, _, err := s.sending(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if h.Status != Pending {
		return nil, errHandOverState
	}
	return s.close(ctx, v, h, Withdrawn, "", ip)
}

// close ends a pending hand-over without a linked case.
func (s *Service) close(ctx context.Context, v *web.Viewer, h *HandOver, status, reason, ip string) (*HandOver, error) {
	now := s.Clock.Now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cert_handovers SET status = $1, reason = $2, responded_by = $3, responded_at = $4, updated_at = $4
			WHERE id = $5 AND status = 'pending'`, status, reason, v.ID, now, h.ID)
		if err != nil {
			return errs.Wrap("close hand-over", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errHandOverState
		}
		actor := ""
		if status == Withdrawn {
			actor = v.ID
		}
		if err := s.event(ctx, tx, h.CaseID, "handover_"+status, actor, reason, toTeam(h), now); err != nil {
			return err
		}
		if err := s.settle(ctx, tx, h.CaseID, ip); err != nil {
			return err
		}
		if status == Declined {
			if err := s.note(ctx, tx, HandOverKind.Name, h.FromOrg, "cert.cases.note.handover_declined", cert.CaseType.Path(h.CaseID),
				"team", s.Orgs.NamesFor(ctx, h.ToOrg, h.ToName), "title", h.Title); err != nil {
				return err
			}
		}
		return s.recordHandOver(ctx, tx, "cert.handover."+status, v, h, ip, nil)
	})
	if err != nil {
		return nil, err
	}
	if len(h.Observables) > 0 && s.Observables != nil {
		if err := s.Observables.Unshare(ctx, h.CaseID, h.Observables, h.ToOrg); err != nil {
			return nil, err
		}
	}
	h.Status, h.Reason, h.RespondedBy, h.RespondedAt = status, reason, v.ID, &now
	return h, nil
}

// EditSummary changes a hand-over's summary, by an editor of the sending
// case, while it waits or after acceptance: both teams read the one row,
// and both timelines say it was edited.
func (s *Service) EditSummary(ctx context.Context, v *web.Viewer, id, summary, ip string) (*HandOver, error) {
	h, _, err := s.sending(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if h.Status != Pending && h.Status != Accepted {
		return nil, errHandOverState
	}
	summary = strings.TrimSpace(strings.ReplaceAll(summary, "\r\n", "\n"))
	if summary == "" || utf8.RuneCountInString(summary) > SummaryMax || !web.CleanText(summary) {
		return nil, errs.Field("cert.cases", map[string]string{"summary": "cert.cases.error.handover_summary"})
	}
	if summary == h.Summary {
		return h, nil
	}
	now := s.Clock.Now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE cert_handovers SET summary = $1, summary_edited_at = $2, updated_at = $2 WHERE id = $3`,
			summary, now, h.ID); err != nil {
			return errs.Wrap("edit hand-over", err)
		}
		if err := s.event(ctx, tx, h.CaseID, "handover_edited", v.ID, "", toTeam(h), now); err != nil {
			return err
		}
		if h.LinkedCase != "" {
			d := map[string]string{"team": h.FromName, "team_id": h.FromOrg, "handover": h.ID}
			if err := s.event(ctx, tx, h.LinkedCase, "handover_edited", "", "", d, now); err != nil {
				return err
			}
			if err := s.note(ctx, tx, HandOverKind.Name, h.ToOrg, "cert.cases.note.handover_edited", cert.CaseType.Path(h.LinkedCase),
				"team", s.Orgs.NamesFor(ctx, h.FromOrg, h.FromName), "title", h.Title); err != nil {
				return err
			}
		}
		return s.recordHandOver(ctx, tx, "cert.handover.edited", v, h, ip, nil)
	})
	if err != nil {
		return nil, err
	}
	h.Summary, h.SummaryEdited = summary, &now
	return h, nil
}
