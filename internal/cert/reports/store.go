package reports

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/indicators"
	"harambee.africa/harambee/internal/notify"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

var (
	errNotFound = errs.E("cert.report", errs.NotFound, "error.not_found")
	errTriaged  = errs.E("cert.report", errs.Conflict, "cert.reports.error.triaged")
	errNoCases  = errs.E("cert.report", errs.Conflict, "cert.reports.error.no_cases")
	errNoTeam   = errs.Field("cert.report", map[string]string{"country": "cert.reports.error.no_team"})
	errSameTeam = errs.Field("cert.report", map[string]string{"country": "cert.reports.error.same_team"})
	errReason   = errs.Field("cert.report", map[string]string{"reason": "cert.reports.error.reason"})
	errMarking  = errs.Field("cert.report", map[string]string{"marking": "cert.reports.error.marking"})
)

// Submitted is a stored report with the secret of its follow link, shown once.
type Submitted struct {
	Report *Report
	Secret string
}

// FollowPath is the page of a follow link's secret.
func FollowPath(secret string) string { return "/cert/report/follow/" + secret }

// Submit stores a report from v (nil without an account) at address ip.
// Without an account it needs a proof (a challenge answered); anyone is
// limited per hour (PerHour per address, PerHourMember per person). The
// limit counts every attempt that reaches the challenge, answered or not.
func (s *Service) Submit(ctx context.Context, v *web.Viewer, in Input, pr Proof, ip string) (*Submitted, error) {
	now := s.Clock.Now()
	if err := in.check(v, now); err != nil {
		return nil, err
	}
	who, limit := s.client(v, ip)
	// Counting and recording the attempt is one statement, so that two
	// attempts at once cannot both take the last place in the window: on
	// SQLite the one writer orders them; PostgreSQL takes a lock per client
	// for the transaction.
	var recorded int64
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if s.DB.Engine == db.Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, "cert.report:"+who); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO cert_report_hits (who, at) SELECT $1, $2
			WHERE (SELECT COUNT(*) FROM cert_report_hits WHERE who = $3 AND at > $4) < $5`, who, now, who, now.Add(-Window), limit)
		if err != nil {
			return err
		}
		recorded, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return nil, errs.Wrap("cert.report", err)
	}
	if recorded == 0 {
		if err := s.limited(ctx, who, limit, now); err != nil {
			return nil, err
		}
		return nil, errs.E("cert.report", errs.RateLimited, "cert.reports.error.too_many").With(map[string]any{"minutes": 1, "seconds": 60})
	}
	rep := &Report{ID: uuid.Must(uuid.NewV7()).String(), Country: in.Country, Title: in.Title, Description: in.Description,
		Category: in.Category, Sectors: in.Sectors, Systems: in.Systems, ContactEmail: in.ContactEmail, Lang: in.Lang,
		ReporterOrg: in.ReporterOrg, Status: Received, CreatedAt: now, UpdatedAt: now}
	if in.OccurredOn != "" {
		d, _ := time.Parse(time.DateOnly, in.OccurredOn)
		rep.OccurredOn = &d
	}
	if v != nil {
		rep.ReporterUser = v.ID
	}
	var secret string
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if v == nil {
			if err := s.verify(ctx, tx, pr); err != nil {
				return err
			}
		}
		team, err := s.teamFor(ctx, tx, rep.Country)
		if err != nil {
			return err
		}
		rep.TeamOrg = team
		if _, err := tx.ExecContext(ctx, `INSERT INTO cert_reports (id, country, team_org, title, description, occurred_on, category,
			sectors, systems, contact_email, lang, reporter_user, reporter_org, status, told_status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)`,
			rep.ID, rep.Country, rep.TeamOrg, rep.Title, rep.Description, rep.OccurredOn, rep.Category, strings.Join(rep.Sectors, " "),
			rep.Systems, rep.ContactEmail, rep.Lang, rep.ReporterUser, rep.ReporterOrg, Received, FollowReceived, now); err != nil {
			return err
		}
		if secret, err = s.Accounts.NewSecretLink(ctx, tx, rep.ReporterUser, account.LinkReport, truncate(rep.Title, 100), rep.ID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, "cert.report_received", v, rep.TeamOrg, rep.ID, ip,
			map[string]any{"country": rep.Country, "anonymous": v == nil, "reporter_org": rep.ReporterOrg}); err != nil {
			return err
		}
		if err := s.tellTeam(ctx, tx, rep, rep.TeamOrg); err != nil {
			return err
		}
		if rep.ContactEmail != "" && s.Mail != nil {
			return s.Mail.Send(ctx, tx, rep.ContactEmail, rep.Lang, account.Mail{Subject: "mail.cert_report_received.subject",
				Body: "mail.cert_report_received.body", Args: []any{"title", rep.Title, "link", s.Site.BaseURL + FollowPath(secret)}})
		}
		return nil
	})
	if err != nil {
		return nil, errs.Wrap("cert.report", err)
	}
	return &Submitted{Report: rep, Secret: secret}, nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// client is who a request counts as for the hourly limit, and that limit:
// a signed-in person by account, anyone else by a keyed hash of the address
// (so the table holds no addresses).
func (s *Service) client(v *web.Viewer, ip string) (string, int) {
	if v != nil {
		return "user:" + v.ID, PerHourMember
	}
	return "ip:" + base64.RawURLEncoding.EncodeToString(s.mac("ip", ip)[:12]), PerHour
}

// limited returns a RateLimited error, with the seconds to wait, when who
// has used up the limit in the window before now.
func (s *Service) limited(ctx context.Context, who string, limit int, now time.Time) error {
	since := now.Add(-Window)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT at FROM cert_report_hits WHERE who = $1 AND at > $2 ORDER BY at DESC LIMIT $3`,
		who, since, limit)
	if err != nil {
		return errs.Wrap("cert.report limit", err)
	}
	defer rows.Close()
	var hits []time.Time
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			return errs.Wrap("cert.report limit", err)
		}
		hits = append(hits, at)
	}
	if err := rows.Err(); err != nil {
		return errs.Wrap("cert.report limit", err)
	}
	if len(hits) < limit {
		return nil
	}
	// The oldest of the last limit hits leaves the window first.
	wait := hits[len(hits)-1].Add(Window).Sub(now)
	secs := max(int((wait+time.Second-1)/time.Second), 1)
	return errs.E("cert.report", errs.RateLimited, "cert.reports.error.too_many").With(map[string]any{"minutes": (secs + 59) / 60, "seconds": secs})
}

// RetryAfter is the seconds a RateLimited error of Submit asks to wait, 0 for other errors.
func RetryAfter(err error) int {
	var e *errs.Error
	if errors.As(err, &e) && e.Code == errs.RateLimited {
		if n, ok := e.Args["seconds"].(int); ok {
			return n
		}
	}
	return 0
}

// Prune drops the counts and used nonces that no longer matter.
func (s *Service) Prune(ctx context.Context) error {
	now := s.Clock.Now()
	if _, err := s.DB.W.ExecContext(ctx, `DELETE FROM cert_report_hits WHERE at < $1`, now.Add(-Window)); err != nil {
		return errs.Wrap("cert.report prune", err)
	}
	_, err := s.DB.W.ExecContext(ctx, `DELETE FROM cert_report_nonces WHERE expires_at < $1`, now)
	return errs.Wrap("cert.report prune", err)
}

// nationalCERT returns the verified national CERT of a country (the oldest
// when there are several), or "".
func nationalCERT(ctx context.Context, q db.Querier, country string) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM orgs WHERE kind = $1 AND country = $2 AND verified_at IS NOT NULL
		ORDER BY created_at, id LIMIT 1`, string(org.NationalCERT), country).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// teamFor is the team whose queue a report about country goes to: its
// national CERT, or the programme office.
func (s *Service) teamFor(ctx context.Context, q db.Querier, country string) (string, error) {
	id, err := nationalCERT(ctx, q, country)
	if err != nil || id != "" {
		return id, err
	}
	return s.Cert.Office.ID, nil
}

// CountriesWithCERT lists the countries that have a verified national CERT.
func (s *Service) CountriesWithCERT(ctx context.Context) ([]string, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT DISTINCT country FROM orgs WHERE kind = $1 AND verified_at IS NOT NULL ORDER BY country`,
		string(org.NationalCERT))
	if err != nil {
		return nil, errs.Wrap("cert.report countries", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, errs.Wrap("cert.report countries", err)
		}
		if geo.IsValid(c) {
			out = append(out, c)
		}
	}
	return out, errs.Wrap("cert.report countries", rows.Err())
}

// Teams are the queues the viewer triages: the national CERTs they are an
// admin or analyst of, and the programme office if they are one of its
// officers.
func (s *Service) Teams(v *web.Viewer) []string {
	var out []string
	if v == nil {
		return nil
	}
	for _, m := range v.Orgs {
		office := s.Cert != nil && s.Cert.Office != nil && m.OrgID == s.Cert.Office.ID
		if office || (m.Kind == string(org.NationalCERT) && (slices.Contains(m.Roles, "admin") || slices.Contains(m.Roles, cert.RoleAnalyst))) {
			out = append(out, m.OrgID)
		}
	}
	return out
}

// teamCond is the SQL condition "the report is in one of the viewer's queues".
func (s *Service) teamCond(v *web.Viewer, args *db.Args) string {
	teams := s.Teams(v)
	if len(teams) == 0 {
		return "1 = 0"
	}
	in := make([]string, len(teams))
	for i, t := range teams {
		in[i] = args.Add(t)
	}
	return "r.team_org IN (" + strings.Join(in, ", ") + ")"
}

const reportColumns = `r.id, r.country, r.team_org, COALESCE(t.name, ''), r.title, r.description, r.occurred_on, r.category, r.sectors,
	r.systems, r.contact_email, r.lang, r.reporter_user, COALESCE(u.name, ''), r.reporter_org, COALESCE(o.name, ''), r.status, r.case_id,
	r.reason, r.forwarded_from, r.triaged_by, r.triaged_at, r.created_at, r.updated_at`

const reportFrom = ` FROM cert_reports r LEFT JOIN orgs t ON t.id = r.team_org LEFT JOIN users u ON u.id = r.reporter_user
	LEFT JOIN orgs o ON o.id = r.reporter_org`

func scanReport(sc interface{ Scan(...any) error }) (*Report, error) {
	var r Report
	var occurred, triaged sql.NullTime
	var sectors string
	if err := sc.Scan(&r.ID, &r.Country, &r.TeamOrg, &r.TeamName, &r.Title, &r.Description, &occurred, &r.Category, &sectors,
		&r.Systems, &r.ContactEmail, &r.Lang, &r.ReporterUser, &r.ReporterName, &r.ReporterOrg, &r.ReporterOrgName, &r.Status, &r.CaseID,
		&r.Reason, &r.ForwardedFrom, &r.TriagedBy, &triaged, &r.CreatedAt, &r.UpdatedAt); err != nil {
		return nil, err
	}
	if occurred.Valid {
		r.OccurredOn = &occurred.Time
	}
	if triaged.Valid {
		r.TriagedAt = &triaged.Time
	}
	r.Sectors = strings.Fields(sectors)
	return &r, nil
}

// Get returns a report in one of the viewer's queues; NotFound for anyone else.
func (s *Service) Get(ctx context.Context, v *web.Viewer, id string) (*Report, error) {
	args := &db.Args{}
	where := `r.id = ` + args.Add(id) + ` AND ` + s.teamCond(v, args)
	r, err := scanReport(s.DB.R.QueryRowContext(ctx, `SELECT `+reportColumns+reportFrom+` WHERE `+where, args.List()...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Wrap("cert.report", err)
	}
	return r, nil
}

// Filter narrows a queue.
type Filter struct {
	Status string // "" for those waiting (received), "all", or a status
	Cursor string
	Limit  int
}

var errCursor = errs.E("cert.report", errs.Invalid, "error.cursor")
var errStatus = errs.Field("cert.report", map[string]string{"status": "cert.reports.error.status"})

// Queue lists the reports of the viewer's queues, newest first.
func (s *Service) Queue(ctx context.Context, v *web.Viewer, f Filter) ([]*Report, string, error) {
	args := &db.Args{}
	where := []string{s.teamCond(v, args)}
	switch f.Status {
	case "":
		where = append(where, `r.status = `+args.Add(Received))
	case "all":
	case Received, Case, Rejected:
		where = append(where, `r.status = `+args.Add(f.Status))
	default:
		return nil, "", errStatus
	}
	return s.page(ctx, where, args, f)
}

// Mine lists the reports the viewer made while signed in, newest first.
func (s *Service) Mine(ctx context.Context, v *web.Viewer, f Filter) ([]*Report, string, error) {
	args := &db.Args{}
	return s.page(ctx, []string{`r.reporter_user = ` + args.Add(v.ID)}, args, f)
}

func (s *Service) page(ctx context.Context, where []string, args *db.Args, f Filter) ([]*Report, string, error) {
	if f.Cursor != "" {
		at, id, ok := decodeCursor(f.Cursor)
		if !ok {
			return nil, "", errCursor
		}
		a, b := args.Add(at), args.Add(id)
		where = append(where, `(r.created_at < `+a+` OR (r.created_at = `+a+` AND r.id < `+b+`))`)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 20
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+reportColumns+reportFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY r.created_at DESC, r.id DESC LIMIT `+args.Add(limit+1), args.List()...)
	if err != nil {
		return nil, "", errs.Wrap("cert.reports", err)
	}
	defer rows.Close()
	var out []*Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, "", errs.Wrap("cert.reports", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", errs.Wrap("cert.reports", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = encodeCursor(last.CreatedAt, last.ID)
	}
	return out, next, nil
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

// Status is what a reporter sees of a report.
type Status struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Country   string    `json:"country"`
	Status    string    `json:"status"` // one of FollowStatuses
	Reason    string    `json:"reason,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// StatusOf is what the reporter of r is told: the case's status in coarse
// words, never its content.
func (s *Service) StatusOf(ctx context.Context, r *Report) (Status, error) {
	st := Status{ID: r.ID, Title: r.Title, Country: r.Country, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	caseStatus := ""
	if r.Status == Case && s.Cases != nil {
		cs, err := s.Cases.StatusOf(ctx, r.CaseID)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return st, err
		}
		caseStatus = cs
	}
	st.Status = followStatus(r.Status, caseStatus)
	if r.Status == Rejected {
		st.Reason = r.Reason
	}
	return st, nil
}

// Follow returns the status of the report a follow link's secret stands for.
func (s *Service) Follow(ctx context.Context, secret string) (Status, error) {
	if len(secret) == 0 || len(secret) > 200 {
		return Status{}, errNotFound
	}
	_, id, err := s.Accounts.ResolveSecretLink(ctx, secret, account.LinkReport)
	if err != nil {
		return Status{}, err
	}
	r, err := scanReport(s.DB.R.QueryRowContext(ctx, `SELECT `+reportColumns+reportFrom+` WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Status{}, errNotFound
	}
	if err != nil {
		return Status{}, errs.Wrap("cert.report follow", err)
	}
	return s.StatusOf(ctx, r)
}

// triageable loads a report in the viewer's queues that waits for triage.
func (s *Service) triageable(ctx context.Context, v *web.Viewer, id string) (*Report, error) {
	r, err := s.Get(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if r.Status != Received {
		return nil, errTriaged
	}
	return r, nil
}

// OpenCase turns a report into a case of its team, with marking (one of
// CaseMarkings), through cert.Cases; it returns the case's id.
func (s *Service) OpenCase(ctx context.Context, v *web.Viewer, id, marking, ip string) (string, error) {
	if !slices.Contains(CaseMarkings, marking) {
		return "", errMarking
	}
	r, err := s.triageable(ctx, v, id)
	if err != nil {
		return "", err
	}
	if s.Cases == nil {
		return "", errNoCases
	}
	// Claim the report before opening the case, so that two triagers at
	// once cannot both open one; give it back if the case cannot be opened.
	now := s.Clock.Now()
	res, err := s.DB.W.ExecContext(ctx, `UPDATE cert_reports SET status = $1, triaged_by = $2, triaged_at = $3, updated_at = $3
		WHERE id = $4 AND status = $5`, Case, v.ID, now, r.ID, Received)
	if err != nil {
		return "", errs.Wrap("cert.report case", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", errTriaged
	}
	caseID, err := s.Cases.OpenFromReport(ctx, v, cert.ReportCase{ReportID: r.ID, TeamOrg: r.TeamOrg, Title: r.Title,
		Description: caseDescription(r), Category: ENISAType(r.Category), Countries: []string{r.Country}, Sectors: r.Sectors,
		Marking: sharing.Marking(marking)}, ip)
	if err != nil {
		if _, uerr := s.DB.W.ExecContext(ctx, `UPDATE cert_reports SET status = $1, triaged_by = '', triaged_at = NULL, updated_at = $2
			WHERE id = $3 AND status = $4 AND case_id = ''`, Received, r.UpdatedAt, r.ID, Case); uerr != nil {
			return "", errs.Wrap("cert.report case", uerr)
		}
		return "", err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE cert_reports SET case_id = $1 WHERE id = $2`, caseID, r.ID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, "cert.report_case_opened", v, r.TeamOrg, r.ID, ip, map[string]any{"case": caseID, "marking": marking}); err != nil {
			return err
		}
		r.Status, r.CaseID = Case, caseID
		return s.tellReporter(ctx, tx, r, FollowAssessed)
	})
	if err != nil {
		return "", errs.Wrap("cert.report case", err)
	}
	return caseID, nil
}

// caseDescription is the case's description: the report's, with what the
// reporter said beside it.
func caseDescription(r *Report) string {
	var b strings.Builder
	b.WriteString(r.Description)
	if r.Systems != "" {
		b.WriteString("\n\n" + r.Systems)
	}
	if r.OccurredOn != nil {
		b.WriteString("\n\n" + r.OccurredOn.Format(time.DateOnly))
	}
	return b.String()
}

// Reject closes a report with a reason the reporter is shown.
func (s *Service) Reject(ctx context.Context, v *web.Viewer, id, reason, ip string) error {
	reason = strings.TrimSpace(strings.ReplaceAll(reason, "\r\n", "\n"))
	if n := utf8.RuneCountInString(reason); n < 3 || n > ReasonMax || !web.CleanText(reason) {
		return errReason
	}
	r, err := s.triageable(ctx, v, id)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	return errs.Wrap("cert.report reject", s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cert_reports SET status = $1, reason = $2, triaged_by = $3, triaged_at = $4, updated_at = $4
			WHERE id = $5 AND status = $6`, Rejected, reason, v.ID, now, r.ID, Received)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errTriaged
		}
		if err := s.audit(ctx, tx, "cert.report_rejected", v, r.TeamOrg, r.ID, ip, nil); err != nil {
			return err
		}
		r.Status, r.Reason = Rejected, reason
		return s.tellReporter(ctx, tx, r, FollowRejected)
	}))
}

// Forward passes a waiting report to the national CERT of another country.
func (s *Service) Forward(ctx context.Context, v *web.Viewer, id, country, ip string) error {
	c, ok := geo.Lookup(strings.ToUpper(strings.TrimSpace(country)))
	if !ok {
		return errs.Field("cert.report", map[string]string{"country": "cert.reports.error.country"})
	}
	r, err := s.triageable(ctx, v, id)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	return errs.Wrap("cert.report forward", s.DB.Tx(ctx, func(tx *sql.Tx) error {
		to, err := nationalCERT(ctx, tx, c.Code)
		switch {
		case err != nil:
			return err
		case to == "":
			return errNoTeam
		case to == r.TeamOrg:
			return errSameTeam
		}
		res, err := tx.ExecContext(ctx, `UPDATE cert_reports SET team_org = $1, country = $2, forwarded_from = $3, updated_at = $4
			WHERE id = $5 AND status = $6 AND team_org = $3`, to, c.Code, r.TeamOrg, now, r.ID, Received)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errTriaged
		}
		if err := s.audit(ctx, tx, "cert.report_forwarded", v, r.TeamOrg, r.ID, ip, map[string]any{"to": to, "country": c.Code}); err != nil {
			return err
		}
		return s.tellTeam(ctx, tx, r, to)
	}))
}

func (s *Service) audit(ctx context.Context, tx *sql.Tx, action string, v *web.Viewer, orgID, id, ip string, details map[string]any) error {
	if s.Audit == nil {
		return nil
	}
	actor := "anonymous"
	if v != nil {
		actor = v.Pseudonym
	}
	return s.Audit.Record(ctx, tx, action, actor, orgID, "cert.report", id, ip, details)
}

// tellTeam tells a team's admins and analysts (the office's officers) of a
// report in its queue. The note names the country, not the report's text:
// notifications may go out by e-mail.
func (s *Service) tellTeam(ctx context.Context, q db.Querier, r *Report, team string) error {
	if s.Notify == nil {
		return nil
	}
	roles := []string{cert.RoleAnalyst}
	if s.Cert != nil && s.Cert.Office != nil && team == s.Cert.Office.ID {
		roles = nil // every officer
	}
	return s.Notify.SendOrg(ctx, q, team, roles, notify.Note{Kind: ReportKind.Name, Subject: "cert.reports.note.new",
		Args: []any{"country", r.Country}, Path: r.Path()})
}

// tellReporter tells the reporter that their report's status is now st: by
// e-mail if they gave an address, by notification if they were signed in.
func (s *Service) tellReporter(ctx context.Context, q db.Querier, r *Report, st string) error {
	if _, err := q.ExecContext(ctx, `UPDATE cert_reports SET told_status = $1 WHERE id = $2`, st, r.ID); err != nil {
		return err
	}
	if r.ContactEmail != "" && s.Mail != nil {
		args := []any{"title", r.Title}
		if st == FollowRejected {
			args = append(args, "reason", r.Reason)
		}
		if err := s.Mail.Send(ctx, q, r.ContactEmail, r.Lang, account.Mail{Subject: "mail.cert_report_status.subject",
			Body: "mail.cert_report_" + st + ".body", Args: args}); err != nil {
			return err
		}
	}
	if r.ReporterUser != "" && s.Notify != nil {
		return s.Notify.Send(ctx, q, notify.Note{Kind: StatusKind.Name, To: r.ReporterUser, Subject: "cert.reports.note." + st,
			Args: []any{"title", truncate(r.Title, 100)}, Path: "/cert/reports/mine"})
	}
	return nil
}

// FollowCases tells reporters whose reports became cases of changes in
// the cases' status (the FollowJob); it looks at up to 500 reports a run,
// those told the longest ago first.
func (s *Service) FollowCases(ctx context.Context) error {
	if s.Cases == nil {
		return nil
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+reportColumns+reportFrom+` WHERE r.status = $1 AND r.told_status <> $2
		ORDER BY r.updated_at LIMIT 500`, Case, FollowResolved)
	if err != nil {
		return errs.Wrap("cert.report follow", err)
	}
	var list []*Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			rows.Close()
			return errs.Wrap("cert.report follow", err)
		}
		list = append(list, r)
	}
	rows.Close()
	for _, r := range list {
		var told string
		if err := s.DB.R.QueryRowContext(ctx, `SELECT told_status FROM cert_reports WHERE id = $1`, r.ID).Scan(&told); err != nil {
			return errs.Wrap("cert.report follow", err)
		}
		st, err := s.StatusOf(ctx, r)
		if err != nil {
			return err
		}
		if st.Status == told {
			continue
		}
		if err := s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.tellReporter(ctx, tx, r, st.Status) }); err != nil {
			return errs.Wrap("cert.report follow", err)
		}
	}
	return nil
}

// ReceivedByCountry is the indicator "cert.reports": incident reports received, in
// total and by the country concerned. Counts only, so anyone may read it.
func (s *Service) ReceivedByCountry() indicators.Indicator {
	return indicators.Indicator{Key: "cert.reports", Action: "2.1", Unit: "reports", By: "country",
		Compute: func(ctx context.Context, _ *web.Viewer) (indicators.Value, error) {
			val := indicators.Value{Breakdown: map[string]float64{}}
			rows, err := s.DB.R.QueryContext(ctx, `SELECT country, COUNT(*) FROM cert_reports GROUP BY country ORDER BY country`)
			if err != nil {
				return val, errs.Wrap("cert.reports indicator", err)
			}
			defer rows.Close()
			for rows.Next() {
				var c string
				var n int
				if err := rows.Scan(&c, &n); err != nil {
					return val, errs.Wrap("cert.reports indicator", err)
				}
				val.Total += float64(n)
				val.Breakdown[c] = float64(n)
			}
			return val, errs.Wrap("cert.reports indicator", rows.Err())
		}}
}

// Waiting counts the reports waiting for triage in the viewer's queues (the
// navigation's badge); 0 on error, which the log of the next page shows.
func (s *Service) Waiting(ctx context.Context, v *web.Viewer) int {
	args := &db.Args{}
	where := s.teamCond(v, args) + ` AND r.status = ` + args.Add(Received)
	var n int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cert_reports r WHERE `+where, args.List()...).Scan(&n); err != nil {
		return 0
	}
	return n
}
