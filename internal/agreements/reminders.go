package agreements

import (
	"context"
	"database/sql"
	"time"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/jobs"
	"harambee.africa/harambee/internal/notify"
)

// Thresholds are the days before expiry at which the owner organisation's
// admins and editors are reminded, nearest last.
var Thresholds = []int{90, 30, 7}

// ReminderJob is the daily job that sends the reminders.
const ReminderJob = "agreements.reminders"

// Schedule registers the reminder job on the queue, to run once a day
// across all instances.
func (s *Service) Schedule(q *jobs.Queue) {
	q.Register(ReminderJob, func(ctx context.Context, _ jobs.Job) error {
		_, err := s.SendReminders(ctx)
		return err
	})
	q.Every(ReminderJob, 24*time.Hour)
}

// due is an agreement whose owner is to be reminded.
type due struct {
	id, title, owner string
	expires          time.Time
}

// SendReminders reminds the owners of published agreements that expire
// within a threshold and were not yet reminded at that threshold for that
// expiry date. An agreement found late (registered 20 days before expiry)
// gets the nearest threshold's reminder only. Each reminder is recorded in
// the transaction that sends it, so a second instance, or a second run,
// sends nothing, and a new expiry date re-arms all three. It returns how
// many reminders it sent.
func (s *Service) SendReminders(ctx context.Context) (int, error) {
	if s.Notify == nil {
		return 0, nil // nothing is marked sent that could not be
	}
	today := day(s.Clock.Now())
	sent := 0
	for i := len(Thresholds) - 1; i >= 0; i-- { // nearest first, so that a late find gets only that one
		days := Thresholds[i]
		list, err := s.dueWithin(ctx, today, days)
		if err != nil {
			return sent, err
		}
		for _, d := range list {
			ok, err := s.remind(ctx, d, days, today)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
	}
	return sent, nil
}

// dueWithin lists the published agreements that expire within days of
// today and have had no reminder at days or nearer for that expiry date.
func (s *Service) dueWithin(ctx context.Context, today time.Time, days int) ([]due, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT t.id, t.title_plain, t.owner_org, t.expires_on FROM agreements t
		WHERE t.state = 'published' AND t.expires_on >= $1 AND t.expires_on <= $2
		AND NOT EXISTS (SELECT 1 FROM agreement_reminders r WHERE r.agreement_id = t.id AND r.expires_on = t.expires_on AND r.days <= $3)
		ORDER BY t.expires_on, t.id`, today, today.AddDate(0, 0, days), days)
	if err != nil {
		return nil, errs.Wrap("reminders", err)
	}
	defer rows.Close()
	var out []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.title, &d.owner, &d.expires); err != nil {
			return nil, errs.Wrap("reminders", err)
		}
		d.expires = d.expires.UTC()
		out = append(out, d)
	}
	return out, errs.Wrap("reminders", rows.Err())
}

// remind records and sends one reminder, unless it was recorded already.
func (s *Service) remind(ctx context.Context, d due, days int, today time.Time) (bool, error) {
	sent := false
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO agreement_reminders (agreement_id, expires_on, days, sent_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (agreement_id, expires_on, days) DO NOTHING`, d.id, d.expires, days, s.Clock.Now())
		if err != nil {
			return errs.Wrap("reminder", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // another instance sent it
		}
		date := d.expires.Format(time.DateOnly)
		left := int(d.expires.Sub(today).Hours() / 24)
		err = s.Notify.SendOrg(ctx, tx, d.owner, Editors, notify.Note{Kind: ExpiryKind.Name,
			Subject: "agreements.expiry.subject", Body: "agreements.expiry.body",
			Args: []any{"title", d.title, "date", date, "days", left}, Path: Type.Path(d.id)})
		if err != nil {
			return err
		}
		sent = true
		return nil
	})
	return sent, err
}
