// Package notify tells people what happened: in-site notifications and
// e-mail, at once or in daily and weekly digests, by each person's
// preferences, in their language, with one-click unsubscribe (RFC 8058).
//
// Modules declare the kinds of notification they send once, at wiring time,
// and call Send (or SendOrg) inside the transaction of the change they tell
// about, so that a notification exists exactly when the change does. A
// notification keeps message keys and arguments, never translated text: it
// is written in the recipient's language when it is shown or mailed.
//
// Every notification is kept in the site; a person's frequency for a kind
// only decides the e-mail: at once, in the daily or weekly digest (an hourly
// job sends it after 07:00 in the person's time zone), or never.
package notify

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/jobs"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates
var templateFS embed.FS

// Migrations creates the notification, preference and digest tables.
var Migrations = db.Embedded("notify", migrationFS, "migrations")

// Frequency is how often a person wants e-mail about a kind of notification.
type Frequency string

// The frequencies a person can choose. Never stops the e-mail only: the
// notification is still kept in the site.
const (
	Now    Frequency = "now"
	Daily  Frequency = "daily"
	Weekly Frequency = "weekly"
	Never  Frequency = "never"
)

// Frequencies are the choices, in the order the preferences page offers them.
var Frequencies = []Frequency{Now, Daily, Weekly, Never}

// Valid reports whether f is one of the four frequencies.
func (f Frequency) Valid() bool { return slices.Contains(Frequencies, f) }

// Kind is a sort of notification a module declares once, at wiring time.
// Its name is "<module>.<what>" ("agreements.expiry"); its label and
// description are the message keys LabelKey(name) and HintKey(name), which
// the declaring module adds to the catalogues.
type Kind struct {
	Name    string
	Default Frequency // what a person gets until they choose
}

// LabelKey returns the message key of the kind's label.
func (k Kind) LabelKey() string { return LabelKey(k.Name) }

// HintKey returns the message key of the kind's description.
func (k Kind) HintKey() string { return HintKey(k.Name) }

// LabelKey returns the message key of a kind's label: "notify.kind." and the
// name with every dot after the first turned to "_" ("cert.handover.new" →
// "notify.kind.cert_handover_new").
func LabelKey(kind string) string { return "notify.kind." + strings.ReplaceAll(kind, ".", "_") }

// HintKey returns the message key of a kind's description: LabelKey + ".hint".
func HintKey(kind string) string { return LabelKey(kind) + ".hint" }

var kindName = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)

// Note is one notification to one person.
type Note struct {
	Kind    string // a declared kind
	To      string // user id
	Subject string // message key, formatted with Args in the person's language when shown or sent
	Body    string // message key for a longer text, optional
	Args    []any  // name, value pairs for the {name} slots: strings, numbers, or text.Text shown in the person's language (kept as JSON until delivery)
	Path    string // the page it is about, inside the site: "/agreements/0193…"
}

// Limits on what a note carries.
const (
	MaxArgsJSON = 8 << 10 // bytes of the arguments as JSON
	MaxPath     = 1000
	maxKeyLen   = 200
	maxSubject  = 200 // runes of a mail subject
)

// DigestHour is the local hour after which a person's digest is sent.
const DigestHour = 7

// Retention is how long notifications are kept.
const Retention = 365 * 24 * time.Hour

// DigestJob is the kind of the hourly job that sends digests and prunes
// old notifications.
const DigestJob = "notify.digest"

// Service is the notification kernel.
type Service struct {
	DB      *db.DB
	Clock   clock.Clock
	Site    *web.Site
	Catalog *i18n.Catalog
	BaseURL string
	Queue   *jobs.Queue

	mu    sync.RWMutex
	kinds map[string]Kind

	keyMu sync.Mutex
	key   []byte // the unsubscribe key, loaded once by Prepare
}

// Declare registers a kind of notification. It panics on a malformed or
// duplicate name, or a default that is not a frequency: both are wiring
// mistakes.
func (s *Service) Declare(k Kind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case len(k.Name) > 64 || !kindName.MatchString(k.Name):
		panic(fmt.Sprintf("notify: malformed kind name %q (want <module>.<what>, lower case)", k.Name))
	case !k.Default.Valid():
		panic(fmt.Sprintf("notify: kind %s: default frequency %q", k.Name, k.Default))
	case s.kinds[k.Name].Name != "":
		panic("notify: kind declared twice: " + k.Name)
	}
	if s.kinds == nil {
		s.kinds = map[string]Kind{}
	}
	s.kinds[k.Name] = k
}

// Kinds returns the declared kinds, by name.
func (s *Service) Kinds() []Kind {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Kind, 0, len(s.kinds))
	for _, k := range s.kinds {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b Kind) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// kind returns a declared kind.
func (s *Service) kind(name string) (Kind, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.kinds[name]
	return k, ok
}

// recipient is what delivery needs to know about a person.
type recipient struct {
	ID       string
	Email    string // empty when there is no confirmed address
	Locale   string
	TimeZone string
	Active   bool // neither deleted nor suspended
}

func (s *Service) recipient(ctx context.Context, q db.Querier, userID string) (recipient, error) {
	var r recipient
	var email sql.NullString
	var confirmed, deleted, suspended bool
	err := q.QueryRowContext(ctx, `SELECT id, email, locale, time_zone, email_confirmed_at IS NOT NULL, deleted_at IS NOT NULL, suspended_at IS NOT NULL
		FROM users WHERE id = $1`, userID).Scan(&r.ID, &email, &r.Locale, &r.TimeZone, &confirmed, &deleted, &suspended)
	if errors.Is(err, sql.ErrNoRows) {
		// Accounts are never removed, only emptied: an unknown id is the
		// calling module's mistake, not the person's.
		return r, errs.Wrap("notify.recipient", fmt.Errorf("no account %q", userID))
	}
	if err != nil {
		return r, errs.Wrap("notify.recipient", err)
	}
	r.Active = !deleted && !suspended
	if confirmed && email.Valid {
		r.Email = email.String
	}
	return r, nil
}

// frequency returns a person's e-mail frequency for a kind: their choice,
// or the kind's default.
func (s *Service) frequency(ctx context.Context, q db.Querier, userID string, k Kind) (Frequency, error) {
	var f string
	err := q.QueryRowContext(ctx, `SELECT frequency FROM notify_prefs WHERE user_id = $1 AND kind = $2`, userID, k.Name).Scan(&f)
	if errors.Is(err, sql.ErrNoRows) {
		return k.Default, nil
	}
	if err != nil {
		return "", errs.Wrap("notify.frequency", err)
	}
	if !Frequency(f).Valid() {
		return k.Default, nil
	}
	return Frequency(f), nil
}

// Mail states of a notification.
const (
	mailPending = "pending" // waits for the person's digest
	mailSent    = "sent"    // mailed at once or in a digest
	mailNone    = "none"    // no e-mail: never, or no address to send to
)

// Send notifies one person, in the caller's transaction q: the notification
// exists if and only if the caller commits. It is always kept in the site;
// the person's frequency for the kind decides the e-mail (at once: queued
// now, in q; daily or weekly: left for the digest; never: none). Deleted
// and suspended accounts get nothing.
func (s *Service) Send(ctx context.Context, q db.Querier, n Note) error {
	const op = "notify.Send"
	k, err := s.check(n)
	if err != nil {
		return err
	}
	args, err := encodeArgs(n.Args)
	if err != nil {
		return err
	}
	to, err := s.recipient(ctx, q, n.To)
	if err != nil {
		return err
	}
	if !to.Active {
		return nil
	}
	freq, err := s.frequency(ctx, q, to.ID, k)
	if err != nil {
		return err
	}
	state := mailNone
	switch {
	case to.Email == "" || freq == Never:
	case freq == Now:
		state = mailSent
	default:
		state = mailPending
	}
	now := s.Clock.Now()
	var mailedAt any
	if state == mailSent {
		mailedAt = now
	}
	id := uuid.Must(uuid.NewV7()).String()
	if _, err := q.ExecContext(ctx, `INSERT INTO notifications (id, user_id, kind, subject, body, args, path, created_at, mail_state, mailed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, id, to.ID, k.Name, n.Subject, n.Body, args, n.Path, now, state, mailedAt); err != nil {
		return errs.Wrap(op, err)
	}
	if state != mailSent {
		return nil
	}
	stored := Notification{ID: id, Kind: k.Name, Subject: n.Subject, Body: n.Body, Path: n.Path, CreatedAt: now}
	if stored.Args, err = decodeArgs(args); err != nil {
		return errs.Wrap(op, err)
	}
	return s.mailNow(ctx, q, to, stored)
}

// SendOrg notifies every active member of orgID who holds one of roles
// (the organisation's admins always), or every active member when roles is
// nil, each as Send would; n.To is ignored.
func (s *Service) SendOrg(ctx context.Context, q db.Querier, orgID string, roles []string, n Note) error {
	const op = "notify.SendOrg"
	var a db.Args
	org := a.Add(orgID)
	query := `SELECT DISTINCT m.user_id AS user_id FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.org_id = ` + org + ` AND u.deleted_at IS NULL AND u.suspended_at IS NULL ORDER BY user_id`
	if roles != nil {
		if !slices.Contains(roles, "admin") {
			roles = append(slices.Clip(roles), "admin")
		}
		in := make([]string, len(roles))
		for i, r := range roles {
			in[i] = a.Add(r)
		}
		query = `SELECT DISTINCT r.user_id FROM member_roles r JOIN users u ON u.id = r.user_id
		WHERE r.org_id = ` + org + ` AND r.role IN (` + strings.Join(in, ", ") + `) AND u.deleted_at IS NULL AND u.suspended_at IS NULL
		ORDER BY r.user_id`
	}
	rows, err := q.QueryContext(ctx, query, a.List()...)
	if err != nil {
		return errs.Wrap(op, err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return errs.Wrap(op, err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return errs.Wrap(op, err)
	}
	for _, id := range ids {
		n.To = id
		if err := s.Send(ctx, q, n); err != nil {
			return err
		}
	}
	return nil
}

// check validates a note against the declared kinds and returns its kind.
// The mistakes it finds are the calling module's, so they are internal
// errors, not messages for the person acting.
func (s *Service) check(n Note) (Kind, error) {
	const op = "notify.Send"
	k, ok := s.kind(n.Kind)
	switch {
	case !ok:
		return k, errs.Wrap(op, fmt.Errorf("undeclared kind %q", n.Kind))
	case n.To == "":
		return k, errs.Wrap(op, errors.New("no recipient"))
	case !messageKey(n.Subject):
		return k, errs.Wrap(op, fmt.Errorf("subject %q is not a message key", n.Subject))
	case n.Body != "" && !messageKey(n.Body):
		return k, errs.Wrap(op, fmt.Errorf("body %q is not a message key", n.Body))
	case len(n.Path) > MaxPath || (n.Path != "" && web.LocalPath(n.Path) != n.Path):
		return k, errs.Wrap(op, fmt.Errorf("path %q is not a path inside the site", n.Path))
	}
	return k, nil
}

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

func messageKey(s string) bool { return len(s) <= maxKeyLen && keyPattern.MatchString(s) }

// errArgs refuses arguments that are not strings or numbers.
func errArgs(detail string) error {
	return errs.Wrap("notify.Send", fmt.Errorf("arguments: %s", detail))
}

// encodeArgs checks that args are name, value pairs of strings and numbers,
// and returns them as JSON.
func encodeArgs(args []any) (string, error) {
	if len(args)%2 != 0 {
		return "", errArgs("want name, value pairs")
	}
	args = slices.Clone(args) // text.Text values are trimmed below
	for i, a := range args {
		if i%2 == 0 {
			if name, ok := a.(string); !ok || name == "" {
				return "", errArgs(fmt.Sprintf("name %d is not a string", i/2))
			}
			continue
		}
		switch v := a.(type) {
		case string:
			if !utf8.ValidString(v) {
				return "", errArgs("invalid UTF-8")
			}
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		case text.Text:
			// Only the words travel, not who wrote or checked each version.
			words := text.Text{Original: v.Original, Versions: make(map[string]text.Version, len(v.Versions))}
			for lang, ver := range v.Versions {
				if !utf8.ValidString(ver.Text) {
					return "", errArgs("invalid UTF-8")
				}
				words.Versions[lang] = text.Version{Text: ver.Text}
			}
			args[i] = words
		case float32:
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return "", errArgs("not a finite number")
			}
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return "", errArgs("not a finite number")
			}
		default:
			return "", errArgs(fmt.Sprintf("%T is neither a string, a number nor a text.Text", a))
		}
	}
	if args == nil {
		args = []any{}
	}
	b, err := json.Marshal(args)
	if err != nil {
		return "", errArgs(err.Error())
	}
	if len(b) > MaxArgsJSON {
		return "", errArgs("too long")
	}
	return string(b), nil
}

// decodeArgs reads stored arguments; numbers stay as written
// (json.Number), translatable text comes back as text.Text.
func decodeArgs(raw string) ([]any, error) {
	var list []json.RawMessage
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return nil, fmt.Errorf("stored arguments: %w", err)
	}
	out := make([]any, len(list))
	for i, r := range list {
		if len(r) > 0 && r[0] == '{' {
			var t text.Text
			if err := json.Unmarshal(r, &t); err != nil {
				return nil, fmt.Errorf("stored arguments: %w", err)
			}
			out[i] = t
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(r))
		dec.UseNumber()
		if err := dec.Decode(&out[i]); err != nil {
			return nil, fmt.Errorf("stored arguments: %w", err)
		}
	}
	return out, nil
}

// argsIn are args with each translatable text in lang.
func argsIn(args []any, lang string) []any {
	var out []any
	for i, a := range args {
		if t, ok := a.(text.Text); ok {
			if out == nil {
				out = slices.Clone(args)
			}
			out[i], _ = t.In(lang)
		}
	}
	if out == nil {
		return args
	}
	return out
}
