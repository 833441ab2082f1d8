package notify

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/i18n"
)

// Notification is one stored notification.
type Notification struct {
	ID        string
	Kind      string
	Subject   string // message key
	Body      string // message key, or empty
	Args      []any
	Path      string
	CreatedAt time.Time
	ReadAt    *time.Time
}

// Text returns the subject in p's language.
func (n Notification) Text(p *i18n.Printer) string { return p.T(n.Subject, argsIn(n.Args, p.Lang)...) }

// Detail returns the longer text in p's language, or "".
func (n Notification) Detail(p *i18n.Printer) string {
	if n.Body == "" {
		return ""
	}
	return p.T(n.Body, argsIn(n.Args, p.Lang)...)
}

const noteCols = `id, kind, subject, body, args, path, created_at, read_at`

type scanner interface{ Scan(dest ...any) error }

func scanNote(r scanner) (Notification, error) {
	var n Notification
	var args string
	var read sql.NullTime
	if err := r.Scan(&n.ID, &n.Kind, &n.Subject, &n.Body, &args, &n.Path, &n.CreatedAt, &read); err != nil {
		return n, err
	}
	n.CreatedAt = n.CreatedAt.UTC()
	if read.Valid {
		t := read.Time.UTC()
		n.ReadAt = &t
	}
	var err error
	n.Args, err = decodeArgs(args)
	return n, err
}

func scanNotes(rows *sql.Rows) ([]Notification, error) {
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		n, err := scanNote(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// List returns a person's notifications, newest first, limit at a time:
// cursor is the next value of the previous page, "" for the first.
func (s *Service) List(ctx context.Context, userID, cursor string, limit int) ([]Notification, string, error) {
	const op = "notify.List"
	var a db.Args
	where := `user_id = ` + a.Add(userID)
	if cursor != "" {
		at, id, err := decodeCursor(cursor)
		if err != nil {
			return nil, "", errs.E(op, errs.Invalid, "error.cursor")
		}
		t, i := a.Add(at), a.Add(id)
		where += ` AND (created_at < ` + t + ` OR (created_at = ` + t + ` AND id < ` + i + `))`
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+noteCols+` FROM notifications WHERE `+where+`
		ORDER BY created_at DESC, id DESC LIMIT `+a.Add(limit+1), a.List()...)
	if err != nil {
		return nil, "", errs.Wrap(op, err)
	}
	list, err := scanNotes(rows)
	if err != nil {
		return nil, "", errs.Wrap(op, err)
	}
	next := ""
	if len(list) > limit {
		list = list[:limit]
		last := list[limit-1]
		next = encodeCursor(last.CreatedAt, last.ID)
	}
	return list, next, nil
}

func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + " " + id))
}

func decodeCursor(c string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", err
	}
	at, id, ok := strings.Cut(string(b), " ")
	if !ok || id == "" {
		return time.Time{}, "", errors.New("malformed cursor")
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	return t.UTC(), id, err
}

// Unread counts a person's unread notifications.
func (s *Service) Unread(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&n)
	return n, errs.Wrap("notify.Unread", err)
}

// MarkRead marks one of a person's notifications read, or all of them when
// id is "". Another person's notification is not found.
func (s *Service) MarkRead(ctx context.Context, userID, id string) error {
	const op = "notify.MarkRead"
	now := s.Clock.Now()
	if id == "" {
		_, err := s.DB.W.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL`, now, userID)
		return errs.Wrap(op, err)
	}
	res, err := s.DB.W.ExecContext(ctx, `UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3`, now, id, userID)
	if err != nil {
		return errs.Wrap(op, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errs.E(op, errs.NotFound, "error.not_found")
	}
	return nil
}

// Preferences returns a person's e-mail frequency for every declared kind:
// their choice, or the kind's default.
func (s *Service) Preferences(ctx context.Context, userID string) (map[string]Frequency, error) {
	const op = "notify.Preferences"
	out := map[string]Frequency{}
	for _, k := range s.Kinds() {
		out[k.Name] = k.Default
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT kind, frequency FROM notify_prefs WHERE user_id = $1`, userID)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, f string
		if err := rows.Scan(&k, &f); err != nil {
			return nil, errs.Wrap(op, err)
		}
		if _, declared := out[k]; declared && Frequency(f).Valid() {
			out[k] = Frequency(f)
		}
	}
	return out, errs.Wrap(op, rows.Err())
}

// SetPreferences sets a person's frequencies, kind → frequency. An unknown
// kind or frequency fails the whole change, with the fields at fault named
// (field = kind); nothing is changed then.
func (s *Service) SetPreferences(ctx context.Context, userID string, choices map[string]string) error {
	const op = "notify.SetPreferences"
	fields := map[string]string{}
	for kind, f := range choices {
		if _, ok := s.kind(kind); !ok {
			fields[kind] = "notify.error.kind"
		} else if !Frequency(f).Valid() {
			fields[kind] = "notify.error.frequency"
		}
	}
	if len(fields) > 0 {
		return errs.Field(op, fields)
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for kind, f := range choices {
			if err := setPref(ctx, tx, userID, kind, Frequency(f), s.Clock.Now()); err != nil {
				return err
			}
		}
		return nil
	})
}

func setPref(ctx context.Context, q db.Querier, userID, kind string, f Frequency, now time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO notify_prefs (user_id, kind, frequency, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id, kind) DO UPDATE SET frequency = excluded.frequency, updated_at = excluded.updated_at`, userID, kind, string(f), now)
	return errs.Wrap("notify.preference", err)
}

// Export is a person's notifications and preferences, for the personal data
// export; texts are written in their language.
func (s *Service) Export(ctx context.Context, userID string) (any, error) {
	const op = "notify.Export"
	var lang string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT locale FROM users WHERE id = $1`, userID).Scan(&lang); err != nil {
		return nil, errs.Wrap(op, err)
	}
	p := s.Catalog.Printer(lang)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+noteCols+` FROM notifications WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	list, err := scanNotes(rows)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	type item struct {
		Kind      string     `json:"kind"`
		Text      string     `json:"text"`
		Detail    string     `json:"detail,omitempty"`
		Path      string     `json:"path,omitempty"`
		CreatedAt time.Time  `json:"created_at"`
		ReadAt    *time.Time `json:"read_at"`
	}
	items := make([]item, 0, len(list))
	for _, n := range list {
		items = append(items, item{Kind: n.Kind, Text: n.Text(p), Detail: n.Detail(p), Path: n.Path, CreatedAt: n.CreatedAt, ReadAt: n.ReadAt})
	}
	chosen := map[string]string{}
	prows, err := s.DB.R.QueryContext(ctx, `SELECT kind, frequency FROM notify_prefs WHERE user_id = $1 ORDER BY kind`, userID)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	defer prows.Close()
	for prows.Next() {
		var k, f string
		if err := prows.Scan(&k, &f); err != nil {
			return nil, errs.Wrap(op, err)
		}
		chosen[k] = f
	}
	if err := prows.Err(); err != nil {
		return nil, errs.Wrap(op, err)
	}
	return map[string]any{"notifications": items, "preferences": chosen}, nil
}

// CanLeave lets every account go: notifications hold nobody back.
func (s *Service) CanLeave(ctx context.Context, userID string) error { return nil }

// Leave removes a deleted account's notifications, preferences and digest
// state, in the deletion's transaction.
func (s *Service) Leave(ctx context.Context, tx *sql.Tx, userID string) error {
	for _, q := range []string{
		`DELETE FROM notifications WHERE user_id = $1`,
		`DELETE FROM notify_prefs WHERE user_id = $1`,
		`DELETE FROM notify_digests WHERE user_id = $1`,
	} {
		if _, err := tx.ExecContext(ctx, q, userID); err != nil {
			return errs.Wrap("notify.Leave", err)
		}
	}
	return nil
}
