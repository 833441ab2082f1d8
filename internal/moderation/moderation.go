// Package moderation is abuse reports: anyone reports a record they can
// see; moderators (a platform role) work through a queue, hide or restore
// the record with a reason, and the owner organisation is told. Hiding sets
// the record's state through the sharing model, so a hidden record vanishes
// from every list, search, feed and export by the same rule as everything
// else.
package moderation

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates
var templateFS embed.FS

// Migrations creates the report table.
var Migrations = db.Embedded("moderation", migrationFS, "migrations")

// Reasons a record may be reported for.
var Reasons = []string{"spam", "fraud", "illegal", "personal_data"}

// ReportsPerHour bounds how many reports one address may file in an hour.
const ReportsPerHour = 10

// Report is one abuse report.
type Report struct {
	ID         string
	RecordType string
	RecordID   string
	Title      string
	Reason     string
	Details    string
	CreatedAt  time.Time
	Status     string
	Count      int // open reports of the same record
}

// Service is the moderation module.
type Service struct {
	DB      *db.DB
	Clock   clock.Clock
	Site    *web.Site
	Sharing *sharing.Service
	Mail    account.Mailer
	Audit   account.Auditor
	BaseURL string
}

// File records a report about a record the reporter can see.
func (s *Service) File(ctx context.Context, v *web.Viewer, typeName, id, reason, details, ip string) error {
	if _, err := s.Sharing.Meta(ctx, v, typeName, id); err != nil {
		return err // unseen records cannot be reported: 404, as if absent
	}
	fields := map[string]string{}
	if !slices.Contains(Reasons, reason) {
		fields["reason"] = "moderation.error.reason"
	}
	details = strings.TrimSpace(details)
	if utf8.RuneCountInString(details) > 2000 {
		fields["details"] = "moderation.error.details"
	}
	if len(fields) > 0 {
		return errs.Field("report", fields)
	}
	now := s.Clock.Now()
	var n int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM abuse_reports WHERE client_ip = $1 AND created_at > $2`,
		ip, now.Add(-time.Hour)).Scan(&n); err != nil {
		return errs.Wrap("report", err)
	}
	if n >= ReportsPerHour {
		return errs.E("report", errs.RateLimited, "error.rate_limited")
	}
	var reporter any
	if v != nil {
		reporter = v.ID
	}
	_, err := s.DB.W.ExecContext(ctx, `INSERT INTO abuse_reports (id, record_type, record_id, reason, details, reporter_id, client_ip, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, uuid.Must(uuid.NewV7()).String(), typeName, id, reason, details, reporter, ip, now)
	return errs.Wrap("report", err)
}

// Queue lists the reports in a status (open, or hidden for the records
// moderators hid), one line per reported record, oldest first.
func (s *Service) Queue(ctx context.Context, status string, limit int) ([]Report, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT MIN(id), record_type, record_id, MIN(reason), COUNT(*), MIN(created_at)
		FROM abuse_reports WHERE status = $1 GROUP BY record_type, record_id ORDER BY MIN(created_at), record_id LIMIT $2`, status, limit)
	if err != nil {
		return nil, errs.Wrap("queue", err)
	}
	defer rows.Close()
	var out []Report
	for rows.Next() {
		var r Report
		var first any
		if err := rows.Scan(&r.ID, &r.RecordType, &r.RecordID, &r.Reason, &r.Count, &first); err != nil {
			return nil, errs.Wrap("queue", err)
		}
		r.Status = status
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap("queue", err)
	}
	for i := range out {
		if err := s.describe(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// describe fills in a report's record title and its reports' details.
func (s *Service) describe(ctx context.Context, r *Report) error {
	t, err := s.Sharing.TypeOf(r.RecordType)
	if err != nil {
		r.Title = r.RecordID
		return nil
	}
	if t.Title != "" {
		err := s.DB.R.QueryRowContext(ctx, `SELECT `+t.Title+` FROM `+t.Table+` WHERE id = $1`, r.RecordID).Scan(&r.Title)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return errs.Wrap("describe", err)
		}
	}
	var details []string
	rows, err := s.DB.R.QueryContext(ctx, `SELECT reason, details FROM abuse_reports WHERE record_type = $1 AND record_id = $2 AND status = $3
		ORDER BY created_at LIMIT 20`, r.RecordType, r.RecordID, r.Status)
	if err != nil {
		return errs.Wrap("describe", err)
	}
	defer rows.Close()
	for rows.Next() {
		var reason, d string
		if err := rows.Scan(&reason, &d); err != nil {
			return errs.Wrap("describe", err)
		}
		if d != "" {
			details = append(details, d)
		}
	}
	r.Details = strings.Join(details, "\n— ")
	return rows.Err()
}

// Decide hides or restores a record, or dismisses its reports, with a
// reason; the owner organisation's admins are told.
func (s *Service) Decide(ctx context.Context, mod *web.Viewer, typeName, id, decision, reason, ip string) error {
	if !mod.HasRole(account.RoleModerator) {
		return errs.E("moderate", errs.Forbidden, "error.forbidden")
	}
	if decision != "hide" && decision != "restore" && decision != "dismiss" {
		return errs.Field("moderate", map[string]string{"decision": "moderation.error.decision"})
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 2000 {
		return errs.Field("moderate", map[string]string{"reason": "moderation.error.why"})
	}
	t, err := s.Sharing.TypeOf(typeName)
	if err != nil {
		return err
	}
	var owner, state string
	err = s.DB.R.QueryRowContext(ctx, `SELECT owner_org, state FROM `+t.Table+` WHERE id = $1`, id).Scan(&owner, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E("moderate", errs.NotFound, "error.not_found")
	}
	if err != nil {
		return errs.Wrap("moderate", err)
	}
	status := map[string]string{"hide": "hidden", "restore": "restored", "dismiss": "dismissed"}[decision]
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		switch decision {
		case "hide":
			if _, err := tx.ExecContext(ctx, `UPDATE `+t.Table+` SET state = 'hidden' WHERE id = $1`, id); err != nil {
				return errs.Wrap("hide", err)
			}
		case "restore":
			if _, err := tx.ExecContext(ctx, `UPDATE `+t.Table+` SET state = 'published' WHERE id = $1 AND state = 'hidden'`, id); err != nil {
				return errs.Wrap("restore", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE abuse_reports SET status = $1, decided_by = $2, decided_at = $3, decision = $4
			WHERE record_type = $5 AND record_id = $6 AND status IN ('open', 'hidden')`, status, mod.ID, now, reason, typeName, id); err != nil {
			return errs.Wrap("moderate", err)
		}
		if s.Audit != nil {
			if err := s.Audit.Record(ctx, tx, "moderation."+decision, mod.Pseudonym, owner, typeName, id, ip, map[string]any{"reason": reason}); err != nil {
				return err
			}
		}
		if decision == "dismiss" || s.Mail == nil {
			return nil
		}
		return s.tellOwner(ctx, tx, owner, t, id, decision, reason)
	})
}

// tellOwner mails the owner organisation's admins, each in their language.
func (s *Service) tellOwner(ctx context.Context, tx *sql.Tx, ownerOrg string, t sharing.Type, id, decision, reason string) error {
	rows, err := tx.QueryContext(ctx, `SELECT u.email, u.locale FROM member_roles r JOIN users u ON u.id = r.user_id
		WHERE r.org_id = $1 AND r.role = 'admin' AND u.deleted_at IS NULL AND u.email IS NOT NULL`, ownerOrg)
	if err != nil {
		return errs.Wrap("tell owner", err)
	}
	type to struct{ email, lang string }
	var list []to
	for rows.Next() {
		var x to
		if err := rows.Scan(&x.email, &x.lang); err != nil {
			rows.Close()
			return errs.Wrap("tell owner", err)
		}
		list = append(list, x)
	}
	rows.Close()
	link := strings.TrimRight(s.BaseURL, "/") + "/share/" + t.Name + "/" + id
	for _, x := range list {
		if err := s.Mail.Send(ctx, tx, x.email, x.lang, account.Mail{Subject: "mail.moderation_" + decision + ".subject",
			Body: "mail.moderation_" + decision + ".body", Args: []any{"reason", reason, "link", link}}); err != nil {
			return err
		}
	}
	return nil
}
