package notify

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/jobs"
	"harambee.africa/harambee/internal/mail"
)

// DigestItems is how many notifications a digest lists; the rest are
// counted, with a link to the notifications page.
const DigestItems = 50

// Schedule registers the hourly digest job on s.Queue.
func (s *Service) Schedule() {
	s.Queue.Register(DigestJob, func(ctx context.Context, _ jobs.Job) error { return s.RunDigests(ctx) })
	s.Queue.Every(DigestJob, time.Hour)
}

// RunDigests is the hourly job: it sends each person the daily and weekly
// digests that are due in their time zone, and deletes notifications older
// than Retention. It is safe to run twice, on two instances at once: each
// person's digest of a period is claimed in the transaction that marks its
// notifications mailed and queues the e-mail.
func (s *Service) RunDigests(ctx context.Context) error {
	const op = "notify.RunDigests"
	now := s.Clock.Now()
	var failed []error
	after := ""
	for {
		ids, err := s.pendingPeople(ctx, after, 200)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := s.digestFor(ctx, id, now); err != nil {
				failed = append(failed, err) // the others still get theirs; the job retries
			}
		}
		if len(ids) < 200 {
			break
		}
		after = ids[len(ids)-1]
	}
	if _, err := s.DB.W.ExecContext(ctx, `DELETE FROM notifications WHERE created_at < $1`, now.Add(-Retention)); err != nil {
		failed = append(failed, errs.Wrap(op, err))
	}
	return errors.Join(failed...)
}

// pendingPeople returns, by id, the people who have notifications waiting
// for a digest.
func (s *Service) pendingPeople(ctx context.Context, after string, limit int) ([]string, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT DISTINCT user_id FROM notifications WHERE mail_state = 'pending' AND user_id > $1
		ORDER BY user_id LIMIT $2`, after, limit)
	if err != nil {
		return nil, errs.Wrap("notify.digest", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, errs.Wrap("notify.digest", err)
		}
		ids = append(ids, id)
	}
	return ids, errs.Wrap("notify.digest", rows.Err())
}

// period is one digest that may be due: its name, the start of the current
// period in the person's time, and the notifications it would carry.
type period struct {
	name  Frequency // Daily or Weekly
	start time.Time
	key   string // the local date of start: one digest per key
	last  string // the key of the last digest sent
	notes []Notification
}

func (p *period) due() bool { return len(p.notes) > 0 && p.key > p.last }

// plan is what a person's digests would do now.
type plan struct {
	to      recipient
	periods []*period
	drop    []string // pending notifications that will never be mailed
}

func (pl plan) empty() bool {
	if len(pl.drop) > 0 {
		return false
	}
	for _, p := range pl.periods {
		if p.due() {
			return false
		}
	}
	return true
}

// digestFor sends one person's due digests. The plan is made first on the
// reader, so that the common case — nothing due — takes no write lock; it
// is made again inside the transaction that carries it out.
func (s *Service) digestFor(ctx context.Context, userID string, now time.Time) error {
	pl, err := s.plan(ctx, s.DB.R, userID, now)
	if err != nil || pl.empty() {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		pl, err := s.plan(ctx, tx, userID, now)
		if err != nil || pl.empty() {
			return err
		}
		if err := markMail(ctx, tx, pl.drop, mailNone, nil); err != nil {
			return err
		}
		for _, p := range pl.periods {
			if !p.due() {
				continue
			}
			if err := s.sendDigest(ctx, tx, pl.to, p, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// starts returns the start of the current daily and weekly periods at now
// in loc: the latest DigestHour o'clock, and the latest Monday at that hour.
func starts(now time.Time, loc *time.Location) (day, week time.Time) {
	d := now.In(loc).Add(-DigestHour * time.Hour)
	day = time.Date(d.Year(), d.Month(), d.Day(), DigestHour, 0, 0, 0, loc)
	week = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	return day, week
}

func location(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}

func (s *Service) plan(ctx context.Context, q db.Querier, userID string, now time.Time) (plan, error) {
	const op = "notify.digest"
	var pl plan
	to, err := s.recipient(ctx, q, userID)
	if err != nil {
		return pl, err
	}
	pl.to = to
	rows, err := q.QueryContext(ctx, `SELECT `+noteCols+` FROM notifications WHERE user_id = $1 AND mail_state = 'pending'
		ORDER BY created_at, id`, userID)
	if err != nil {
		return pl, errs.Wrap(op, err)
	}
	pending, err := scanNotes(rows)
	if err != nil {
		return pl, errs.Wrap(op, err)
	}
	if !to.Active || to.Email == "" {
		for _, n := range pending {
			pl.drop = append(pl.drop, n.ID)
		}
		return pl, nil
	}
	prefs, err := s.prefsIn(ctx, q, userID)
	if err != nil {
		return pl, err
	}
	dayStart, weekStart := starts(now, location(to.TimeZone))
	daily := &period{name: Daily, start: dayStart, key: dayStart.Format(time.DateOnly)}
	weekly := &period{name: Weekly, start: weekStart, key: weekStart.Format(time.DateOnly)}
	pl.periods = []*period{daily, weekly}
	last, err := q.QueryContext(ctx, `SELECT period, period_key FROM notify_digests WHERE user_id = $1`, userID)
	if err != nil {
		return pl, errs.Wrap(op, err)
	}
	for last.Next() {
		var name, key string
		if err := last.Scan(&name, &key); err != nil {
			last.Close()
			return pl, errs.Wrap(op, err)
		}
		for _, p := range pl.periods {
			if string(p.name) == name {
				p.last = key
			}
		}
	}
	last.Close()
	if err := last.Err(); err != nil {
		return pl, errs.Wrap(op, err)
	}
	for _, n := range pending {
		k, declared := s.kind(n.Kind)
		f, chosen := prefs[n.Kind]
		if !chosen {
			f = k.Default
		}
		switch {
		case !declared || f == Never:
			pl.drop = append(pl.drop, n.ID)
		case f == Weekly:
			if n.CreatedAt.Before(weekly.start) {
				weekly.notes = append(weekly.notes, n)
			}
		default: // daily; "at once" chosen after the note was kept for a digest goes in the next daily one
			if n.CreatedAt.Before(daily.start) {
				daily.notes = append(daily.notes, n)
			}
		}
	}
	return pl, nil
}

// prefsIn reads a person's chosen frequencies in q.
func (s *Service) prefsIn(ctx context.Context, q db.Querier, userID string) (map[string]Frequency, error) {
	rows, err := q.QueryContext(ctx, `SELECT kind, frequency FROM notify_prefs WHERE user_id = $1`, userID)
	if err != nil {
		return nil, errs.Wrap("notify.prefs", err)
	}
	defer rows.Close()
	out := map[string]Frequency{}
	for rows.Next() {
		var k, f string
		if err := rows.Scan(&k, &f); err != nil {
			return nil, errs.Wrap("notify.prefs", err)
		}
		if Frequency(f).Valid() {
			out[k] = Frequency(f)
		}
	}
	return out, errs.Wrap("notify.prefs", rows.Err())
}

// sendDigest claims the person's digest of a period, marks its
// notifications mailed and queues the e-mail, all in tx. The claim is a
// conditional upsert: a second run of the same period changes no row and
// sends nothing.
func (s *Service) sendDigest(ctx context.Context, tx *sql.Tx, to recipient, p *period, now time.Time) error {
	const op = "notify.digest"
	res, err := tx.ExecContext(ctx, `INSERT INTO notify_digests (user_id, period, period_key, sent_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id, period) DO UPDATE SET period_key = excluded.period_key, sent_at = excluded.sent_at
		WHERE notify_digests.period_key < excluded.period_key`, to.ID, string(p.name), p.key, now)
	if err != nil {
		return errs.Wrap(op, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errs.Wrap(op, err) // already sent for this period
	}
	ids := make([]string, len(p.notes))
	for i, n := range p.notes {
		ids[i] = n.ID
	}
	if err := markMail(ctx, tx, ids, mailSent, now); err != nil {
		return err
	}
	tok, err := s.token(ctx, to.ID, allKinds)
	if err != nil {
		return err
	}
	pr := s.Catalog.Printer(to.Locale)
	unsub := s.base() + "/unsubscribe/" + tok
	var b strings.Builder
	b.WriteString(pr.T("notify.digest." + string(p.name)))
	b.WriteString("\n")
	for i, n := range p.notes {
		if i == DigestItems {
			b.WriteString("\n" + pr.N("notify.digest.more", len(p.notes)-DigestItems, "link", s.base()+"/notifications") + "\n")
			break
		}
		b.WriteString("\n• " + n.Text(pr))
		if n.Path != "" {
			b.WriteString("\n  " + s.base() + n.Path)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n" + s.footer(pr, "notify.digest.footer", unsub))
	return mail.Enqueue(ctx, tx, mail.Message{To: to.Email, Subject: mailSubject(pr.N("notify.digest.subject", len(p.notes))),
		Text: b.String(), Headers: unsubscribeHeaders(unsub), Kind: "notify.digest." + string(p.name)},
		jobs.Clock(s.Clock), jobs.UniqueKey("notify.digest:"+to.ID+":"+string(p.name)+":"+p.key))
}

// markMail sets the mail state of notifications that are still pending,
// and when they were mailed (nil for none).
func markMail(ctx context.Context, tx *sql.Tx, ids []string, state string, mailedAt any) error {
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 200)]
		ids = ids[len(chunk):]
		var a db.Args
		st, at := a.Add(state), a.Add(mailedAt)
		in := make([]string, len(chunk))
		for i, id := range chunk {
			in[i] = a.Add(id)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notifications SET mail_state = `+st+`, mailed_at = `+at+`
			WHERE mail_state = 'pending' AND id IN (`+strings.Join(in, ", ")+`)`, a.List()...); err != nil {
			return errs.Wrap("notify.digest", err)
		}
	}
	return nil
}
