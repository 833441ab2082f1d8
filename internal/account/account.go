// Package account is people on the platform: signing up and in, sessions,
// second factors, single-use links, API tokens, the person's own data and
// the platform roles administrators grant.
package account

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/seal"
	"harambee.africa/harambee/internal/web"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates
var templateFS embed.FS

// Migrations creates the account tables.
var Migrations = db.Embedded("account", migrationFS, "migrations")

// User is a person with an account.
type User struct {
	ID             string
	Pseudonym      string
	Email          string
	Name           string
	Locale         string
	TimeZone       string
	Confirmed      bool
	SecondFactor   bool
	Suspended      bool
	Roles          []string
	CreatedAt      time.Time
	passwordHash   string
	totpSecret     string
	emailConfirmed sql.NullTime
}

// Platform roles.
const (
	RoleAdmin     = "admin"
	RoleModerator = "moderator"
	// RoleOfficerPrefix + module, e.g. "officer:commerce".
	RoleOfficerPrefix = "officer:"
)

// Modules whose programme officers administrators may appoint.
var OfficerModules = []string{"network", "commerce", "cert", "academy", "events", "media", "dataflow", "aigov", "infra", "plan"}

// ValidRole reports whether role is a platform role.
func ValidRole(role string) bool {
	if role == RoleAdmin || role == RoleModerator {
		return true
	}
	if m, ok := strings.CutPrefix(role, RoleOfficerPrefix); ok {
		for _, o := range OfficerModules {
			if o == m {
				return true
			}
		}
	}
	return false
}

// Mailer queues an e-mail inside the caller's transaction.
type Mailer interface {
	Send(ctx context.Context, q db.Querier, to, lang string, m Mail) error
}

// Mail is an e-mail built from message keys, translated for the recipient.
type Mail struct {
	Subject string // message key
	Body    string // message key
	Args    []any
}

// Auditor records a security-relevant action inside the caller's transaction.
type Auditor interface {
	Record(ctx context.Context, tx *sql.Tx, action, actor, org, targetType, targetID, clientIP string, details map[string]any) error
}

// MembershipSource tells which organisations a person belongs to; the org
// module provides it.
type MembershipSource interface {
	Memberships(ctx context.Context, userID string) ([]web.Membership, error)
}

// Leaver is told when an account is deleted, so that other modules can
// detach the person; it may refuse (the last admin of an organisation).
type Leaver interface {
	CanLeave(ctx context.Context, userID string) error
	Leave(ctx context.Context, tx *sql.Tx, userID string) error
}

// RoleHook is told, inside the granting transaction, when a platform role
// is granted or withdrawn (the org module keeps programme offices in step).
type RoleHook func(ctx context.Context, tx *sql.Tx, userID, role string, granted bool) error

// Exporter contributes a part of a person's data export.
type Exporter func(ctx context.Context, userID string) (any, error)

// Service is the account module.
type Service struct {
	DB      *db.DB
	Clock   clock.Clock
	Log     *slog.Logger
	Site    *web.Site
	Mail    Mailer
	Audit   Auditor
	Orgs    MembershipSource
	Leavers []Leaver
	OnRole  RoleHook
	BaseURL string
	// Sealer seals TOTP secrets at rest, bound to the user's id; the app
	// opens it from HARAMBEE_ACCOUNT_KEY or DATA/account-key. Required.
	Sealer *seal.Sealer

	exporters map[string]Exporter
}

// Session and link lifetimes.
const (
	SessionIdle     = 72 * time.Hour
	SessionAbsolute = 30 * 24 * time.Hour
	SetupTTL        = time.Hour
	ConfirmTTL      = 48 * time.Hour
	ResetTTL        = time.Hour
	EmailChangeTTL  = 24 * time.Hour
)

// Start prepares the stored data before the service takes requests: it
// checks that the key opens the TOTP secrets already sealed, and seals
// those that releases before sealing stored in the clear. It is
// idempotent and safe when several instances start together.
func (s *Service) Start(ctx context.Context) error {
	if err := s.checkTOTPKey(ctx); err != nil {
		return err
	}
	return s.sealPlainTOTP(ctx)
}

// RegisterExporter adds a named part to the personal data export.
func (s *Service) RegisterExporter(name string, fn Exporter) {
	if s.exporters == nil {
		s.exporters = map[string]Exporter{}
	}
	s.exporters[name] = fn
}

// normalEmail validates and lower-cases an e-mail address.
func normalEmail(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 254 || strings.ContainsAny(raw, " <>\"") {
		return "", false
	}
	a, err := mail.ParseAddress(raw)
	if err != nil || a.Address != raw {
		return "", false
	}
	at := strings.LastIndex(raw, "@")
	if at < 1 || !strings.Contains(raw[at:], ".") {
		return "", false
	}
	return strings.ToLower(raw), true
}

// checkName validates a person's name.
func checkName(name string) string {
	n := utf8.RuneCountInString(strings.TrimSpace(name))
	switch {
	case n == 0:
		return "account.error.name_required"
	case n > 100:
		return "account.error.name_long"
	}
	return ""
}

// checkPassword validates a new password.
func checkPassword(pw, email string) string {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < 10:
		return "account.error.password_short"
	case n > 256:
		return "account.error.password_long"
	case email != "" && strings.EqualFold(pw, email):
		return "account.error.password_is_email"
	}
	return ""
}

// checkZone validates an IANA time zone name.
func checkZone(tz string) bool {
	if tz == "" || tz == "Local" || len(tz) > 64 {
		return false
	}
	_, err := time.LoadLocation(tz)
	return err == nil
}

const userCols = `id, pseudonym, COALESCE(email, ''), name, password_hash, locale, time_zone, email_confirmed_at,
	totp_secret, totp_enabled_at IS NOT NULL, suspended_at IS NOT NULL, created_at`

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	u := &User{}
	err := row.Scan(&u.ID, &u.Pseudonym, &u.Email, &u.Name, &u.passwordHash, &u.Locale, &u.TimeZone,
		&u.emailConfirmed, &u.totpSecret, &u.SecondFactor, &u.Suspended, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E("account", errs.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, errs.Wrap("scan user", err)
	}
	u.Confirmed = u.emailConfirmed.Valid
	return u, nil
}

// UserByID returns a live (not deleted) account.
func (s *Service) UserByID(ctx context.Context, id string) (*User, error) {
	u, err := scanUser(s.DB.R.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1 AND deleted_at IS NULL`, id))
	if err != nil {
		return nil, err
	}
	return u, s.loadRoles(ctx, u)
}

// UserByEmail returns the live account with the e-mail address.
func (s *Service) UserByEmail(ctx context.Context, email string) (*User, error) {
	e, ok := normalEmail(email)
	if !ok {
		return nil, errs.E("account", errs.NotFound, "error.not_found")
	}
	u, err := scanUser(s.DB.R.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE email = $1 AND deleted_at IS NULL`, e))
	if err != nil {
		return nil, err
	}
	return u, s.loadRoles(ctx, u)
}

func (s *Service) loadRoles(ctx context.Context, u *User) error {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role`, u.ID)
	if err != nil {
		return errs.Wrap("load roles", err)
	}
	defer rows.Close()
	u.Roles = nil
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return errs.Wrap("load roles", err)
		}
		u.Roles = append(u.Roles, r)
	}
	return rows.Err()
}

// HasRole reports whether the user holds a platform role.
func (u *User) HasRole(role string) bool {
	for _, r := range u.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Count returns the number of live accounts.
func (s *Service) Count(ctx context.Context) (int, error) {
	var n int
	err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE deleted_at IS NULL`).Scan(&n)
	return n, errs.Wrap("count users", err)
}

// NewUser is what creating an account needs.
type NewUser struct {
	Email, Name, Password, Locale, TimeZone string
	Confirmed                               bool
	Roles                                   []string
}

// create inserts an account inside tx after validating it.
func (s *Service) create(ctx context.Context, tx *sql.Tx, nu NewUser) (*User, error) {
	fields := map[string]string{}
	email, ok := normalEmail(nu.Email)
	if !ok {
		fields["email"] = "account.error.email_invalid"
	}
	if k := checkName(nu.Name); k != "" {
		fields["name"] = k
	}
	if k := checkPassword(nu.Password, email); k != "" {
		fields["password"] = k
	}
	if nu.Locale != "" && !i18n.Supported(nu.Locale) {
		fields["locale"] = "account.error.locale_invalid"
	}
	if nu.TimeZone == "" {
		nu.TimeZone = "UTC"
	}
	if !checkZone(nu.TimeZone) {
		fields["time_zone"] = "account.error.zone_invalid"
	}
	for _, r := range nu.Roles {
		if !ValidRole(r) {
			fields["role"] = "account.error.role_invalid"
		}
	}
	if len(fields) > 0 {
		return nil, errs.Field("create user", fields)
	}
	now := s.Clock.Now()
	u := &User{ID: newID(), Pseudonym: newID(), Email: email, Name: strings.TrimSpace(nu.Name), Locale: nu.Locale,
		TimeZone: nu.TimeZone, Confirmed: nu.Confirmed, CreatedAt: now, Roles: nu.Roles}
	var confirmed any
	if nu.Confirmed {
		confirmed = now
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO users (id, pseudonym, email, name, password_hash, locale, time_zone, email_confirmed_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		u.ID, u.Pseudonym, u.Email, u.Name, HashPassword(nu.Password), u.Locale, u.TimeZone, confirmed, now)
	if db.IsUnique(err) {
		return nil, errs.Field("create user", map[string]string{"email": "account.error.email_taken"})
	}
	if err != nil {
		return nil, errs.Wrap("create user", err)
	}
	for _, r := range nu.Roles {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, role, granted_at) VALUES ($1, $2, $3)`, u.ID, r, now); err != nil {
			return nil, errs.Wrap("grant role", err)
		}
		if err := s.roleChanged(ctx, tx, u.ID, r, true); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// Create makes a new account (used by the command line and the demo data).
func (s *Service) Create(ctx context.Context, nu NewUser) (*User, error) {
	var u *User
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = s.create(ctx, tx, nu)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, "account.created", u.Pseudonym, "", "user", u.ID, "", nil)
	})
	return u, err
}

func (s *Service) roleChanged(ctx context.Context, tx *sql.Tx, userID, role string, granted bool) error {
	if s.OnRole == nil {
		return nil
	}
	return s.OnRole(ctx, tx, userID, role, granted)
}

func (s *Service) audit(ctx context.Context, tx *sql.Tx, action, actor, org, targetType, targetID, ip string, details map[string]any) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, tx, action, actor, org, targetType, targetID, ip, details)
}

// mail queues a message to a person in their language.
func (s *Service) mail(ctx context.Context, q db.Querier, to, lang string, m Mail) error {
	if s.Mail == nil {
		return nil
	}
	return s.Mail.Send(ctx, q, to, lang, m)
}

// link returns an absolute URL on this site.
func (s *Service) link(path string) string { return strings.TrimRight(s.BaseURL, "/") + path }

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }
