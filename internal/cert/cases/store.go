package cases

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/search"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

func itoa(n int) string { return strconv.Itoa(n) }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// check validates in and writes it into c; it returns the fields at fault
// keyed as the form names them.
func (in Input) check(c *Case) map[string]string {
	bad := map[string]string{}
	title := strings.TrimSpace(in.Title)
	switch {
	case title == "":
		bad["title"] = "cert.cases.error.title"
	case utf8.RuneCountInString(title) > TitleMax || !web.CleanText(title) || strings.ContainsAny(title, "\r\n"):
		bad["title"] = "cert.cases.error.title_long"
	}
	summary := strings.TrimSpace(strings.ReplaceAll(in.Summary, "\r\n", "\n"))
	if utf8.RuneCountInString(summary) > SummaryMax || !web.CleanText(summary) {
		bad["summary"] = "cert.cases.error.summary"
	}
	category := strings.TrimSpace(in.Category)
	if _, ok := ClassOf(category); category != "" && !ok {
		bad["category"] = "cert.cases.error.category"
	}
	severity := strings.TrimSpace(in.Severity)
	if !slices.Contains(Severities, severity) {
		bad["severity"] = "cert.cases.error.severity"
	}
	countries, ok := checkCountries(in.Countries)
	if !ok {
		bad["countries"] = "cert.cases.error.country"
	} else if len(countries) > MaxCountry {
		bad["countries"] = "cert.cases.error.too_many"
	}
	sectors, ok := checkSectors(in.Sectors)
	if !ok {
		bad["sectors"] = "cert.cases.error.sector"
	} else if len(sectors) > MaxSectors {
		bad["sectors"] = "cert.cases.error.too_many"
	}
	if len(bad) > 0 {
		return bad
	}
	c.Title, c.Summary, c.Category, c.Severity, c.Countries, c.Sectors = title, summary, category, severity, countries, sectors
	return nil
}

// checkCountries returns ISO codes, upper case, sorted, without duplicates.
func checkCountries(in []string) ([]string, bool) {
	out := []string{}
	for _, raw := range in {
		for _, x := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ' ' }) {
			c, ok := geo.Lookup(strings.ToUpper(x))
			if !ok {
				return nil, false
			}
			out = append(out, c.Code)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), true
}

func checkSectors(in []string) ([]string, bool) {
	out := []string{}
	for _, x := range in {
		if x = strings.TrimSpace(x); x == "" {
			continue
		}
		if !slices.Contains(cert.Sectors, x) {
			return nil, false
		}
		out = append(out, x)
	}
	slices.Sort(out)
	return slices.Compact(out), true
}

func checkMarking(s string) (sharing.Marking, bool) {
	m := sharing.Marking(strings.TrimSpace(s))
	return m, m.Valid()
}

// isMember reports whether a person belongs to an organisation.
func (s *Service) isMember(ctx context.Context, q db.Querier, orgID, userID string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.org_id = $1 AND m.user_id = $2 AND u.deleted_at IS NULL`, orgID, userID).Scan(&n)
	return n > 0, errs.Wrap("team member", err)
}

// Member is a person of a team, to assign work to.
type Member struct{ ID, Name string }

// Members lists a team's people by name (the org service's list, without
// their addresses).
func (s *Service) Members(ctx context.Context, orgID string) ([]Member, error) {
	o, err := s.Orgs.ByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	ms, err := s.Orgs.Members(ctx, &web.Viewer{}, o)
	if err != nil {
		return nil, err
	}
	out := make([]Member, len(ms))
	for i, m := range ms {
		out[i] = Member{ID: m.UserID, Name: m.Name}
	}
	return out, nil
}

// Create opens a case owned by one of the viewer's CERT teams, in status
// "new", marked AMBER unless the input says otherwise.
func (s *Service) Create(ctx context.Context, v *web.Viewer, in Input, ip string) (*Case, error) {
	if v == nil {
		return nil, errSignIn
	}
	team, teamErr := teamOf(v, in.OwnerOrg)
	if teamErr != nil && !errs.Is(teamErr, errs.Invalid) {
		return nil, teamErr
	}
	return s.create(ctx, v, team, in, cert.StatusNew, "", "", ip)
}

func (s *Service) create(ctx context.Context, v *web.Viewer, team web.Membership, in Input, status, reportID, floor string,
	ip string) (*Case, error) {
	now := s.Clock.Now()
	c := &Case{ID: newID(), OwnerOrg: team.OrgID, OwnerSlug: team.Slug, OwnerName: team.Name, OwnerCountry: team.Country,
		Status: cert.StatusNew, State: sharing.Published, ReportID: reportID, CreatedBy: v.ID, CreatedAt: now, UpdatedAt: now,
		Floor: sharing.Marking(floor)}
	bad := in.check(c)
	if bad == nil {
		bad = map[string]string{}
	}
	if team.OrgID == "" {
		bad["owner_org"] = "cert.cases.error.owner"
	}
	marking := sharing.Amber
	if strings.TrimSpace(in.Marking) != "" {
		m, ok := checkMarking(in.Marking)
		if !ok || (floor != "" && m.Rank() < sharing.Marking(floor).Rank()) {
			bad["marking"] = "cert.cases.error.marking"
		}
		marking = m
	}
	if a := strings.TrimSpace(in.Assignee); a != "" && team.OrgID != "" {
		ok, err := s.isMember(ctx, s.DB.R, team.OrgID, a)
		if err != nil {
			return nil, err
		}
		if !ok {
			bad["assignee"] = "cert.cases.error.assignee"
		}
		c.Assignee = a
	}
	if len(bad) > 0 {
		return nil, errs.Field("cert.cases", bad)
	}
	c.Marking = marking
	running := now
	c.RunningSince = &running
	if status != cert.StatusNew {
		c.move(status, now)
	}
	c.dues()
	if err := s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.insert(ctx, tx, v, c, ip) }); err != nil {
		return nil, err
	}
	return c, nil
}

// insert stores a new case with its first timeline entry, inside tx.
func (s *Service) insert(ctx context.Context, tx *sql.Tx, v *web.Viewer, c *Case, ip string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO cert_cases (id, owner_org, marking, state, community, title, summary, category, severity,
		status, countries, sectors, assignee, report_id, created_by, created_at, updated_at, marking_floor, origin_handover)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17, $18)`,
		c.ID, c.OwnerOrg, string(c.Marking), string(c.State), s.Cert.Group.ID, c.Title, c.Summary, c.Category, c.Severity,
		c.Status, strings.Join(c.Countries, " "), strings.Join(c.Sectors, " "), c.Assignee, c.ReportID, c.CreatedBy, c.CreatedAt,
		string(c.Floor), c.OriginHandOver)
	if err != nil {
		return errs.Wrap("create case", err)
	}
	if err := saveClock(ctx, tx, c); err != nil {
		return err
	}
	if c.Marking == sharing.Red {
		if err := sharing.NameCreator(ctx, tx, c.CreatedAt, cert.CaseType, c.ID, v.ID, c.OwnerOrg); err != nil {
			return err
		}
	}
	data := map[string]string{"status": c.Status, "marking": string(c.Marking)}
	if c.ReportID != "" {
		data["report"] = c.ReportID
	}
	if err := s.event(ctx, tx, c.ID, "created", v.ID, "", data, c.CreatedAt); err != nil {
		return err
	}
	if err := s.index(ctx, tx, c); err != nil {
		return err
	}
	return s.record(ctx, tx, "cert.case.created", v.Pseudonym, c.OwnerOrg, c.ID, ip,
		map[string]any{"marking": c.Marking, "status": c.Status, "report": c.ReportID, "handover": c.OriginHandOver})
}

// Update edits a case's fields; a changed marking goes through SetMarking.
func (s *Service) Update(ctx context.Context, v *web.Viewer, id string, in Input, ip string) (*Case, error) {
	c, err := s.editable(ctx, v, id)
	if err != nil {
		return nil, err
	}
	was := *c
	bad := in.check(c)
	var marking sharing.Marking
	if strings.TrimSpace(in.Marking) != "" {
		m, ok := checkMarking(in.Marking)
		if !ok {
			if bad == nil {
				bad = map[string]string{}
			}
			bad["marking"] = "cert.cases.error.marking"
		}
		marking = m
	}
	if len(bad) > 0 {
		return nil, errs.Field("cert.cases", bad)
	}
	if marking != "" && marking != c.Marking {
		if err := s.checkFloor(c, marking); err != nil {
			return nil, err
		}
	}
	now := s.Clock.Now()
	c.UpdatedAt = now
	c.dues() // a new severity moves the due times
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE cert_cases SET title = $1, summary = $2, category = $3, severity = $4, countries = $5,
			sectors = $6, updated_at = $7 WHERE id = $8`, c.Title, c.Summary, c.Category, c.Severity, strings.Join(c.Countries, " "),
			strings.Join(c.Sectors, " "), now, c.ID)
		if err != nil {
			return errs.Wrap("update case", err)
		}
		if err := saveClock(ctx, tx, c); err != nil {
			return err
		}
		var changed []string
		for _, f := range []struct {
			name string
			same bool
		}{{"title", was.Title == c.Title}, {"summary", was.Summary == c.Summary}, {"category", was.Category == c.Category},
			{"severity", was.Severity == c.Severity}, {"countries", slices.Equal(was.Countries, c.Countries)},
			{"sectors", slices.Equal(was.Sectors, c.Sectors)}} {
			if !f.same {
				changed = append(changed, f.name)
			}
		}
		if len(changed) > 0 {
			d := map[string]string{"fields": strings.Join(changed, " ")}
			if was.Severity != c.Severity {
				d["from"], d["to"] = was.Severity, c.Severity
			}
			if err := s.event(ctx, tx, c.ID, "edited", v.ID, "", d, now); err != nil {
				return err
			}
		}
		if err := s.index(ctx, tx, c); err != nil {
			return err
		}
		return s.record(ctx, tx, "cert.case.updated", v.Pseudonym, c.OwnerOrg, c.ID, ip, map[string]any{"fields": changed})
	})
	if err != nil {
		return nil, err
	}
	if marking != "" && marking != c.Marking {
		if err := s.SetMarking(ctx, v, c.ID, marking, ip); err != nil {
			return nil, err
		}
		c.Marking = marking
	}
	return c, nil
}

var errFloor = errs.Field("cert.cases", map[string]string{"marking": "cert.cases.error.floor"})

// checkFloor refuses a marking below a received case's floor before any
// other change is made (OnMarking checks it again in the transaction).
func (s *Service) checkFloor(c *Case, to sharing.Marking) error {
	if c.Floor != "" && to.Rank() < c.Floor.Rank() {
		return errFloor
	}
	return nil
}

// SetMarking changes a case's marking through the sharing service, which
// audits it and calls OnMarking.
func (s *Service) SetMarking(ctx context.Context, v *web.Viewer, id string, to sharing.Marking, ip string) error {
	c, err := s.editable(ctx, v, id)
	if err != nil {
		return err
	}
	if !to.Valid() {
		return errs.Field("cert.cases", map[string]string{"marking": "cert.cases.error.marking"})
	}
	m, err := s.Sharing.Meta(ctx, v, cert.CaseTypeName, c.ID)
	if err != nil {
		return err
	}
	return s.Sharing.SetMarking(ctx, v, m, to, ip)
}

// OnMarking is the case type's marking hook (sharing.Type.OnMarking): from
// this module's pages and API or the kernel's share page alike, a received
// case never goes below its floor, and the change goes into the case's
// timeline and into the timelines of the cases linked to it by a hand-over.
func (s *Service) OnMarking(ctx context.Context, tx *sql.Tx, v *web.Viewer, m *sharing.Meta, to sharing.Marking, ip string) error {
	var floor, origin, team string
	err := tx.QueryRowContext(ctx, `SELECT c.marking_floor, c.origin_handover, o.name FROM cert_cases c JOIN orgs o ON o.id = c.owner_org
		WHERE c.id = $1`, m.ID).Scan(&floor, &origin, &team)
	if err != nil {
		return errs.Wrap("case marking", err)
	}
	if floor != "" && to.Rank() < sharing.Marking(floor).Rank() {
		return errFloor
	}
	now := s.Clock.Now()
	d := map[string]string{"from": string(m.Marking), "to": string(to)}
	if err := s.event(ctx, tx, m.ID, "marking", v.ID, "", d, now); err != nil {
		return err
	}
	// The other side of a hand-over sees the change in its timeline too.
	rows, err := tx.QueryContext(ctx, `SELECT h.case_id FROM cert_handovers h WHERE h.id = $1
		UNION SELECT h.linked_case FROM cert_handovers h WHERE h.case_id = $2 AND h.status = 'accepted'`, origin, m.ID)
	if err != nil {
		return errs.Wrap("linked cases", err)
	}
	linked, err := scanIDs(rows)
	if err != nil {
		return err
	}
	peer := map[string]string{"from": string(m.Marking), "to": string(to), "team": team, "team_id": m.OwnerOrg}
	for _, id := range linked {
		if err := s.event(ctx, tx, id, "peer_marking", "", "", peer, now); err != nil {
			return err
		}
	}
	return s.record(ctx, tx, "cert.case.marking_changed", v.Pseudonym, m.OwnerOrg, m.ID, ip,
		map[string]any{"from": m.Marking, "to": to, "linked": linked})
}

// SetStatus moves a case along the workflow (see workflow.go).
func (s *Service) SetStatus(ctx context.Context, v *web.Viewer, id, to, ip string) (*Case, error) {
	c, err := s.editable(ctx, v, id)
	if err != nil {
		return nil, err
	}
	to = strings.TrimSpace(to)
	if !slices.Contains(Statuses, to) {
		return nil, errs.Field("cert.cases", map[string]string{"status": "cert.cases.error.status"})
	}
	if !mayMove(c.Status, to) {
		return nil, errs.E("cert.cases", errs.Conflict, "cert.cases.error.transition").
			With(map[string]any{"from": c.Status, "to": to})
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.transition(ctx, tx, v, c, to, ip) })
	if err != nil {
		return nil, err
	}
	return c, nil
}

// transition moves c to status to inside tx, with its clock, timeline and audit entry.
func (s *Service) transition(ctx context.Context, tx *sql.Tx, v *web.Viewer, c *Case, to, ip string) error {
	now := s.Clock.Now()
	from := c.Status
	c.UpdatedAt = now
	c.move(to, now)
	if err := saveClock(ctx, tx, c); err != nil {
		return err
	}
	actor, pseudo := "", ""
	if v != nil {
		actor, pseudo = v.ID, v.Pseudonym
	}
	if err := s.event(ctx, tx, c.ID, "status", actor, "", map[string]string{"from": from, "to": to}, now); err != nil {
		return err
	}
	return s.record(ctx, tx, "cert.case.status_changed", pseudo, c.OwnerOrg, c.ID, ip, map[string]any{"from": from, "to": to})
}

// Assign gives the case to a member of its team ("" takes it from whoever had it).
func (s *Service) Assign(ctx context.Context, v *web.Viewer, id, userID, ip string) (*Case, error) {
	c, err := s.editable(ctx, v, id)
	if err != nil {
		return nil, err
	}
	userID = strings.TrimSpace(userID)
	if userID != "" {
		ok, err := s.isMember(ctx, s.DB.R, c.OwnerOrg, userID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errs.Field("cert.cases", map[string]string{"assignee": "cert.cases.error.assignee"})
		}
	}
	if userID == c.Assignee {
		return c, nil
	}
	now := s.Clock.Now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE cert_cases SET assignee = $1, updated_at = $2 WHERE id = $3`, userID, now, c.ID); err != nil {
			return errs.Wrap("assign case", err)
		}
		if err := s.event(ctx, tx, c.ID, "assigned", v.ID, "", map[string]string{"to": userID}, now); err != nil {
			return err
		}
		return s.record(ctx, tx, "cert.case.assigned", v.Pseudonym, c.OwnerOrg, c.ID, ip, map[string]any{"to": userID})
	})
	if err != nil {
		return nil, err
	}
	c.Assignee = userID
	return s.Get(ctx, v, c.ID)
}

// Comment adds a note to the case's timeline (editors only).
func (s *Service) Comment(ctx context.Context, v *web.Viewer, id, body, ip string) (*Event, error) {
	c, err := s.editable(ctx, v, id)
	if err != nil {
		return nil, err
	}
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	if body == "" || utf8.RuneCountInString(body) > CommentMax || !web.CleanText(body) {
		return nil, errs.Field("cert.cases", map[string]string{"body": "cert.cases.error.comment"})
	}
	now := s.Clock.Now()
	ev := &Event{ID: newID(), CaseID: c.ID, Kind: "comment", Actor: v.ID, ActorName: v.Name, Body: body, At: now}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO cert_case_events (id, case_id, kind, actor, body, data, created_at)
			VALUES ($1, $2, 'comment', $3, $4, '{}', $5)`, ev.ID, c.ID, v.ID, body, now); err != nil {
			return errs.Wrap("comment", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cert_cases SET updated_at = $1 WHERE id = $2`, now, c.ID); err != nil {
			return errs.Wrap("comment", err)
		}
		return s.record(ctx, tx, "cert.case.commented", v.Pseudonym, c.OwnerOrg, c.ID, ip, map[string]any{"event": ev.ID})
	})
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// editable loads a case for its editors: NotFound when the viewer may not
// see it, Forbidden when they see it but do not work on it.
func (s *Service) editable(ctx context.Context, v *web.Viewer, id string) (*Case, error) {
	if v == nil {
		return nil, errSignIn
	}
	c, err := s.Get(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if !s.isEditor(v, c) {
		return nil, errNotEditor
	}
	return c, nil
}

// Event is one entry of a case's timeline.
type Event struct {
	ID        string
	CaseID    string
	Kind      string // comment, created, status, assigned, marking, edited, task_*, handover_*, sla_breach, ...
	Actor     string
	ActorName string
	Body      string
	Data      map[string]string
	At        time.Time
}

// event writes an automatic timeline entry inside q.
func (s *Service) event(ctx context.Context, q db.Querier, caseID, kind, actor, body string, data map[string]string, now time.Time) error {
	raw := []byte("{}")
	if len(data) > 0 {
		var err error
		if raw, err = json.Marshal(data); err != nil {
			return errs.Wrap("case event", err)
		}
	}
	_, err := q.ExecContext(ctx, `INSERT INTO cert_case_events (id, case_id, kind, actor, body, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		newID(), caseID, kind, actor, body, string(raw), now)
	return errs.Wrap("case event", err)
}

// Timeline returns a case's timeline, oldest first, if the viewer may see the case.
func (s *Service) Timeline(ctx context.Context, v *web.Viewer, id string) ([]Event, error) {
	c, err := s.Get(ctx, v, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT e.id, e.kind, e.actor, COALESCE(u.name, ''), e.body, e.data, e.created_at
		FROM cert_case_events e LEFT JOIN users u ON u.id = e.actor WHERE e.case_id = $1 ORDER BY e.created_at, e.id LIMIT 2000`, c.ID)
	if err != nil {
		return nil, errs.Wrap("timeline", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		ev := Event{CaseID: c.ID}
		var raw string
		if err := rows.Scan(&ev.ID, &ev.Kind, &ev.Actor, &ev.ActorName, &ev.Body, &raw, &ev.At); err != nil {
			return nil, errs.Wrap("timeline", err)
		}
		_ = json.Unmarshal([]byte(raw), &ev.Data)
		ev.At = ev.At.UTC()
		out = append(out, ev)
	}
	return out, errs.Wrap("timeline", rows.Err())
}

func (s *Service) record(ctx context.Context, tx *sql.Tx, action, actor, orgID, caseID, ip string, details map[string]any) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, tx, action, actor, orgID, cert.CaseTypeName, caseID, ip, details)
}

// index writes the case's search document: title, summary, category and
// countries named in the six languages, sectors.
func (s *Service) index(ctx context.Context, tx *sql.Tx, c *Case) error {
	if s.Search == nil {
		return nil
	}
	var b strings.Builder
	b.WriteString(c.Title + "\n" + c.Summary + "\n" + c.Category + "\n")
	for _, code := range c.Countries {
		if g, ok := geo.Lookup(code); ok {
			for _, n := range g.Names {
				b.WriteString(n + "\n")
			}
		}
	}
	if s.Site != nil {
		for _, l := range []string{"zh-Hans", "en", "fr", "ar", "pt", "sw"} {
			p := s.Site.Catalog.Printer(l)
			if k := TypeKey(c.Category); k != "" {
				b.WriteString(p.T(k) + "\n")
			}
			for _, sec := range c.Sectors {
				b.WriteString(p.T("cert.sector."+sec) + "\n")
			}
		}
	}
	return search.Index(ctx, tx, cert.CaseTypeName, c.ID, b.String())
}

// columns are what scanCase reads, of cert_cases aliased t, its owner o and assignee u.
const columns = `t.id, t.owner_org, COALESCE(o.slug, ''), COALESCE(o.name, ''), COALESCE(o.country, ''), t.title, t.summary, t.category,
	t.severity, t.status, t.marking, t.state, t.countries, t.sectors, t.assignee, COALESCE(u.name, ''), t.report_id, t.created_by,
	t.created_at, t.updated_at, t.sla_spent_secs, t.sla_running_since, t.acknowledged_at, t.ack_secs, t.resolved_at, t.resolve_secs,
	t.closed_at, t.ack_due_at, t.resolve_due_at, t.origin_handover, t.marking_floor`

const from = ` FROM cert_cases t LEFT JOIN orgs o ON o.id = t.owner_org LEFT JOIN users u ON u.id = t.assignee`

func scanCase(row interface{ Scan(...any) error }) (*Case, error) {
	c := &Case{}
	var marking, state, countries, sectors, floor string
	var spent int64
	var running, acked, resolved, closed, ackDue, resolveDue sql.NullTime
	var ackSecs, resolveSecs sql.NullInt64
	err := row.Scan(&c.ID, &c.OwnerOrg, &c.OwnerSlug, &c.OwnerName, &c.OwnerCountry, &c.Title, &c.Summary, &c.Category,
		&c.Severity, &c.Status, &marking, &state, &countries, &sectors, &c.Assignee, &c.AssigneeName, &c.ReportID, &c.CreatedBy,
		&c.CreatedAt, &c.UpdatedAt, &spent, &running, &acked, &ackSecs, &resolved, &resolveSecs,
		&closed, &ackDue, &resolveDue, &c.OriginHandOver, &floor)
	if err != nil {
		return nil, err
	}
	c.Marking, c.State, c.Floor = sharing.Marking(marking), sharing.State(state), sharing.Marking(floor)
	c.Countries, c.Sectors = strings.Fields(countries), strings.Fields(sectors)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	c.Spent = time.Duration(spent) * time.Second
	t := func(n sql.NullTime) *time.Time {
		if !n.Valid {
			return nil
		}
		x := n.Time.UTC()
		return &x
	}
	d := func(n sql.NullInt64) *time.Duration {
		if !n.Valid {
			return nil
		}
		x := time.Duration(n.Int64) * time.Second
		return &x
	}
	c.RunningSince, c.AcknowledgedAt, c.ResolvedAt, c.ClosedAt = t(running), t(acked), t(resolved), t(closed)
	c.AckDue, c.ResolveDue = t(ackDue), t(resolveDue)
	c.AckTook, c.ResolveTook = d(ackSecs), d(resolveSecs)
	return c, nil
}

func scanCases(rows *sql.Rows) ([]*Case, error) {
	defer rows.Close()
	var out []*Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, errs.Wrap("scan case", err)
		}
		out = append(out, c)
	}
	return out, errs.Wrap("scan case", rows.Err())
}

// Get returns a case the viewer may see; otherwise NotFound, as if it did not exist.
func (s *Service) Get(ctx context.Context, v *web.Viewer, id string) (*Case, error) {
	args := &db.Args{}
	idArg := args.Add(id)
	cond := sharing.Visible(cert.CaseType, "t", v, s.Clock.Now(), args)
	c, err := scanCase(s.DB.R.QueryRowContext(ctx, `SELECT `+columns+from+` WHERE t.id = `+idArg+` AND `+cond, args.List()...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Wrap("get case", err)
	}
	return c, nil
}

// load reads a case without a viewer check, for the package's own use.
func (s *Service) load(ctx context.Context, q db.Querier, id string) (*Case, error) {
	c, err := scanCase(q.QueryRowContext(ctx, `SELECT `+columns+from+` WHERE t.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Wrap("load case", err)
	}
	return c, nil
}

// Filter narrows the list of cases.
type Filter struct {
	Q        string
	Status   string // a status, or "open" for all but resolved and closed
	Severity string
	Country  string
	Mine     bool // assigned to the viewer
	Cursor   string
	Limit    int
}

// Page is one page of cases.
type Page struct {
	Items []*Case
	Next  string
	Total int // with a query: how many cases match
}

var errFilter = errs.E("cert.cases", errs.Invalid, "cert.cases.error.filter")

func (f *Filter) check() error {
	f.Status, f.Severity = strings.TrimSpace(f.Status), strings.TrimSpace(f.Severity)
	f.Country = strings.ToUpper(strings.TrimSpace(f.Country))
	if (f.Status != "" && f.Status != "open" && !slices.Contains(Statuses, f.Status)) ||
		(f.Severity != "" && !slices.Contains(Severities, f.Severity)) || (f.Country != "" && !geo.IsValid(f.Country)) {
		return errFilter
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = PageDefault
	}
	return nil
}

func (f Filter) conditions(v *web.Viewer, args *db.Args) string {
	where := []string{"1 = 1"}
	switch f.Status {
	case "":
	case "open":
		where = append(where, `t.status NOT IN ('resolved', 'closed')`)
	default:
		where = append(where, `t.status = `+args.Add(f.Status))
	}
	if f.Severity != "" {
		where = append(where, `t.severity = `+args.Add(f.Severity))
	}
	if f.Country != "" {
		where = append(where, `(' ' || t.countries || ' ') LIKE `+args.Add("% "+f.Country+" %"))
	}
	if f.Mine {
		if v == nil {
			where = append(where, `1 = 0`)
		} else {
			where = append(where, `t.assignee = `+args.Add(v.ID))
		}
	}
	return strings.Join(where, " AND ")
}

// List returns a page of the cases the viewer may see, most recently
// changed first, or by relevance with a query.
func (s *Service) List(ctx context.Context, v *web.Viewer, f Filter) (*Page, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(f.Q) != "" && s.Search != nil {
		return s.search(ctx, v, f)
	}
	args := &db.Args{}
	where := sharing.Visible(cert.CaseType, "t", v, s.Clock.Now(), args) + ` AND ` + f.conditions(v, args)
	if q := strings.TrimSpace(f.Q); q != "" {
		where += ` AND LOWER(t.title) LIKE ` + args.Add("%"+strings.ToLower(q)+"%")
	}
	if f.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		atS, id, ok := strings.Cut(string(b), "\x00")
		at, terr := time.Parse(time.RFC3339Nano, atS)
		if err != nil || !ok || terr != nil {
			return nil, errs.E("cert.cases", errs.Invalid, "error.cursor")
		}
		a, i := args.Add(at), args.Add(id)
		where += ` AND (t.updated_at < ` + a + ` OR (t.updated_at = ` + a + ` AND t.id < ` + i + `))`
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+columns+from+` WHERE `+where+` ORDER BY t.updated_at DESC, t.id DESC LIMIT `+
		args.Add(f.Limit+1), args.List()...)
	if err != nil {
		return nil, errs.Wrap("list cases", err)
	}
	page := &Page{}
	if page.Items, err = scanCases(rows); err != nil {
		return nil, err
	}
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		last := page.Items[f.Limit-1]
		page.Next = base64.RawURLEncoding.EncodeToString([]byte(last.UpdatedAt.UTC().Format(time.RFC3339Nano) + "\x00" + last.ID))
	}
	return page, nil
}

func (s *Service) search(ctx context.Context, v *web.Viewer, f Filter) (*Page, error) {
	res, err := s.Search.Search(ctx, v, search.Request{Type: cert.CaseType, Q: f.Q, Recency: "created_at", Limit: f.Limit,
		Cursor: f.Cursor, Where: func(args *db.Args) string { return f.conditions(v, args) }})
	if err != nil {
		return nil, err
	}
	page := &Page{Total: res.Total, Next: res.Next}
	if len(res.Hits) == 0 {
		return page, nil
	}
	args := &db.Args{}
	ph := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ph[i] = args.Add(h.ID)
	}
	where := `t.id IN (` + strings.Join(ph, ", ") + `) AND ` + sharing.Visible(cert.CaseType, "t", v, s.Clock.Now(), args)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+columns+from+` WHERE `+where, args.List()...)
	if err != nil {
		return nil, errs.Wrap("search cases", err)
	}
	list, err := scanCases(rows)
	if err != nil {
		return nil, err
	}
	byID := map[string]*Case{}
	for _, c := range list {
		byID[c.ID] = c
	}
	for _, h := range res.Hits {
		if c, ok := byID[h.ID]; ok {
			page.Items = append(page.Items, c)
		}
	}
	return page, nil
}
