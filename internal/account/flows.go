package account

import (
	"context"
	"database/sql"

	"net/http"
	"strings"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/web"
)

// SetupLink returns a one-time link that creates the first administrator,
// or "" when accounts exist already.
func (s *Service) SetupLink(ctx context.Context) (string, error) {
	n, err := s.Count(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	var secret string
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		secret, err = s.newLink(ctx, tx, LinkSetup, "", "", SetupTTL)
		return err
	})
	if err != nil {
		return "", err
	}
	return s.link("/setup/" + secret), nil
}

// SignUp creates an unconfirmed account and mails the confirmation link. An
// address that has an account already gets a note instead, and the caller
// sees the same answer, so that sign-up does not reveal who has an account.
func (s *Service) SignUp(ctx context.Context, nu NewUser, ip string) error {
	nu.Confirmed = false
	nu.Roles = nil
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		// Look first: on PostgreSQL a failed INSERT would abort the transaction.
		if email, ok := normalEmail(nu.Email); ok && checkPassword(nu.Password, email) == "" && checkName(nu.Name) == "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE email = $1`, email).Scan(&n); err != nil {
				return errs.Wrap("sign up", err)
			}
			if n > 0 {
				return s.mail(ctx, tx, email, nu.Locale, Mail{Subject: "mail.signup_exists.subject", Body: "mail.signup_exists.body",
					Args: []any{"signin", s.link("/signin"), "reset", s.link("/reset")}})
			}
		}
		u, err := s.create(ctx, tx, nu)
		if err != nil {
			return err
		}
		secret, err := s.newLink(ctx, tx, LinkConfirm, u.ID, "", ConfirmTTL)
		if err != nil {
			return err
		}
		if err := s.audit(ctx, tx, "account.created", u.Pseudonym, "", "user", u.ID, ip, nil); err != nil {
			return err
		}
		return s.mail(ctx, tx, u.Email, u.Locale, Mail{Subject: "mail.confirm.subject", Body: "mail.confirm.body",
			Args: []any{"name", u.Name, "link", s.link("/confirm/" + secret)}})
	})
}

// Confirm uses a confirmation link and signs the person in.
func (s *Service) Confirm(ctx context.Context, w http.ResponseWriter, r *http.Request, secret string) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		uid, _, err := s.useLink(ctx, tx, LinkConfirm, secret)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET email_confirmed_at = $1 WHERE id = $2 AND email_confirmed_at IS NULL`, s.Clock.Now(), uid); err != nil {
			return errs.Wrap("confirm", err)
		}
		if err := s.rememberDevice(ctx, tx, w, r, uid); err != nil {
			return err
		}
		return s.startSession(ctx, tx, w, r, uid, false)
	})
}

// Setup creates the first administrator through the set-up link.
func (s *Service) Setup(ctx context.Context, w http.ResponseWriter, r *http.Request, secret string, nu NewUser) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
			return errs.Wrap("setup", err)
		}
		if n > 0 {
			return errLinkUsed
		}
		if _, _, err := s.peekLink(ctx, LinkSetup, secret); err != nil {
			return err
		}
		nu.Confirmed = true
		nu.Roles = []string{RoleAdmin}
		u, err := s.create(ctx, tx, nu)
		if err != nil {
			return err
		}
		if _, _, err := s.useLink(ctx, tx, LinkSetup, secret); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, "account.setup_admin", u.Pseudonym, "", "user", u.ID, web.ClientIP(r), nil); err != nil {
			return err
		}
		return s.startSession(ctx, tx, w, r, u.ID, false)
	})
}

// SignIn checks the credentials and starts a session; with a second factor
// on, the session waits for the code. It returns whether the code is needed.
func (s *Service) SignIn(ctx context.Context, w http.ResponseWriter, r *http.Request, email, password string) (needCode bool, err error) {
	ip := web.ClientIP(r)
	norm, ok := normalEmail(email)
	if !ok {
		return false, errs.Field("signin", map[string]string{"email": "account.error.email_invalid"})
	}
	if err := s.throttled(ctx, r, norm, ip); err != nil {
		return false, err
	}
	u, err := s.UserByEmail(ctx, norm)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return false, err
	}
	if u == nil {
		CheckPassword("", password) // same effort as a real check
		s.recordFailure(ctx, norm, ip)
		return false, errs.E("signin", errs.Unauthorized, "account.error.credentials")
	}
	if !CheckPassword(u.passwordHash, password) {
		s.recordFailure(ctx, norm, ip)
		return false, errs.E("signin", errs.Unauthorized, "account.error.credentials")
	}
	if u.Suspended {
		return false, errs.E("signin", errs.Forbidden, "account.error.suspended")
	}
	if !u.Confirmed {
		return false, errs.E("signin", errs.Forbidden, "account.error.unconfirmed")
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.startSession(ctx, tx, w, r, u.ID, u.SecondFactor); err != nil {
			return err
		}
		if u.SecondFactor {
			return nil
		}
		if err := s.rememberDevice(ctx, tx, w, r, u.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, "auth.signin", u.Pseudonym, "", "user", u.ID, ip, nil)
	})
	return u.SecondFactor, err
}

// SecondStep completes a sign-in that waits for a code.
func (s *Service) SecondStep(ctx context.Context, w http.ResponseWriter, r *http.Request, code string) error {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return errs.E("signin", errs.Unauthorized, "account.error.session_expired")
	}
	ss, err := s.sessionFor(ctx, c.Value)
	if err != nil {
		return err
	}
	if !ss.MFAPending {
		return nil
	}
	u, err := s.UserByID(ctx, ss.UserID)
	if err != nil {
		return err
	}
	ip := web.ClientIP(r)
	if err := s.throttled(ctx, r, u.Email, ip); err != nil {
		return err
	}
	var ok bool
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if ok, err = s.secondFactor(ctx, tx, u, code); err != nil || !ok {
			return errs.Wrap("signin", err)
		}
		// A fresh session id once fully signed in.
		if err := s.startSession(ctx, tx, w, r, u.ID, false); err != nil {
			return err
		}
		if err := s.rememberDevice(ctx, tx, w, r, u.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, "auth.signin", u.Pseudonym, "", "user", u.ID, ip, map[string]any{"second_factor": true})
	})
	if err != nil {
		return err
	}
	if !ok {
		s.recordFailure(ctx, u.Email, ip)
		return errs.Field("signin", map[string]string{"code": "account.error.code_wrong"})
	}
	return nil
}

// SignOut ends the request's session.
func (s *Service) SignOut(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		s.DB.W.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, digest(c.Value))
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// RequestReset mails a reset link when the address has an account; the
// answer is the same either way.
func (s *Service) RequestReset(ctx context.Context, email string) error {
	norm, ok := normalEmail(email)
	if !ok {
		return errs.Field("reset", map[string]string{"email": "account.error.email_invalid"})
	}
	u, err := s.UserByEmail(ctx, norm)
	if errs.Is(err, errs.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		secret, err := s.newLink(ctx, tx, LinkReset, u.ID, "", ResetTTL)
		if err != nil {
			return err
		}
		return s.mail(ctx, tx, u.Email, u.Locale, Mail{Subject: "mail.reset.subject", Body: "mail.reset.body",
			Args: []any{"name", u.Name, "link", s.link("/reset/" + secret)}})
	})
}

// Reset sets a new password through a reset link and ends every session.
func (s *Service) Reset(ctx context.Context, secret, password, ip string) error {
	uid, _, err := s.peekLink(ctx, LinkReset, secret)
	if err != nil {
		return err
	}
	u, err := s.UserByID(ctx, uid)
	if err != nil {
		return err
	}
	if k := checkPassword(password, u.Email); k != "" {
		return errs.Field("reset", map[string]string{"password": k})
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, _, err := s.useLink(ctx, tx, LinkReset, secret); err != nil {
			return err
		}
		// Confirming through a mailed link also proves the address.
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, email_confirmed_at = COALESCE(email_confirmed_at, $2) WHERE id = $3`,
			HashPassword(password), s.Clock.Now(), u.ID); err != nil {
			return errs.Wrap("reset", err)
		}
		if err := endOtherSessions(ctx, tx, u.ID, ""); err != nil {
			return err
		}
		return s.audit(ctx, tx, "auth.password_reset", u.Pseudonym, "", "user", u.ID, ip, nil)
	})
}

// ChangePassword sets a new password and ends the person's other sessions.
func (s *Service) ChangePassword(ctx context.Context, u *User, current, next, keepSession, ip string) error {
	if !CheckPassword(u.passwordHash, current) {
		return errs.Field("password", map[string]string{"current": "account.error.password_wrong"})
	}
	if k := checkPassword(next, u.Email); k != "" {
		return errs.Field("password", map[string]string{"password": k})
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, HashPassword(next), u.ID); err != nil {
			return errs.Wrap("change password", err)
		}
		if err := endOtherSessions(ctx, tx, u.ID, keepSession); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, "auth.password_changed", u.Pseudonym, "", "user", u.ID, ip, nil); err != nil {
			return err
		}
		return s.mail(ctx, tx, u.Email, u.Locale, Mail{Subject: "mail.password_changed.subject", Body: "mail.password_changed.body",
			Args: []any{"name", u.Name, "reset", s.link("/reset")}})
	})
}

// RequestEmailChange mails a confirmation link to the new address.
func (s *Service) RequestEmailChange(ctx context.Context, u *User, newEmail, password string) error {
	if !CheckPassword(u.passwordHash, password) {
		return errs.Field("email", map[string]string{"current": "account.error.password_wrong"})
	}
	norm, ok := normalEmail(newEmail)
	if !ok {
		return errs.Field("email", map[string]string{"email": "account.error.email_invalid"})
	}
	if norm == u.Email {
		return errs.Field("email", map[string]string{"email": "account.error.email_same"})
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		secret, err := s.newLink(ctx, tx, LinkEmailChange, u.ID, norm, EmailChangeTTL)
		if err != nil {
			return err
		}
		return s.mail(ctx, tx, norm, u.Locale, Mail{Subject: "mail.email_change.subject", Body: "mail.email_change.body",
			Args: []any{"name", u.Name, "link", s.link("/email/" + secret)}})
	})
}

// ConfirmEmailChange switches the address and tells the old one.
func (s *Service) ConfirmEmailChange(ctx context.Context, secret, ip string) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		uid, newEmail, err := s.useLink(ctx, tx, LinkEmailChange, secret)
		if err != nil {
			return err
		}
		var old, lang, pseudonym, name string
		if err := tx.QueryRowContext(ctx, `SELECT email, locale, pseudonym, name FROM users WHERE id = $1 AND deleted_at IS NULL`, uid).
			Scan(&old, &lang, &pseudonym, &name); err != nil {
			return errs.Wrap("change email", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET email = $1, email_confirmed_at = $2 WHERE id = $3`, newEmail, s.Clock.Now(), uid)
		if err != nil {
			if isUnique(err) {
				return errs.E("change email", errs.Conflict, "account.error.email_taken")
			}
			return errs.Wrap("change email", err)
		}
		if err := s.audit(ctx, tx, "account.email_changed", pseudonym, "", "user", uid, ip, nil); err != nil {
			return err
		}
		return s.mail(ctx, tx, old, lang, Mail{Subject: "mail.email_changed.subject", Body: "mail.email_changed.body",
			Args: []any{"name", name, "email", newEmail}})
	})
}

// UpdateProfile changes name, language and time zone.
func (s *Service) UpdateProfile(ctx context.Context, u *User, name, locale, zone string) error {
	fields := map[string]string{}
	if k := checkName(name); k != "" {
		fields["name"] = k
	}
	if locale != "" && !i18n.Supported(locale) {
		fields["locale"] = "account.error.locale_invalid"
	}
	if !checkZone(zone) {
		fields["time_zone"] = "account.error.zone_invalid"
	}
	if len(fields) > 0 {
		return errs.Field("profile", fields)
	}
	_, err := s.DB.W.ExecContext(ctx, `UPDATE users SET name = $1, locale = $2, time_zone = $3 WHERE id = $4`,
		strings.TrimSpace(name), locale, zone, u.ID)
	return errs.Wrap("update profile", err)
}

// Export gathers everything the platform holds about the person.
func (s *Service) Export(ctx context.Context, u *User, ip string) (map[string]any, error) {
	sessions, err := s.Sessions(ctx, u.ID, "")
	if err != nil {
		return nil, err
	}
	tokens, err := s.Tokens(ctx, u.ID, "")
	if err != nil {
		return nil, err
	}
	links, err := s.SecretLinks(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	out := map[string]any{
		"exported_at":  s.Clock.Now(),
		"secret_links": links,
		"account": map[string]any{"id": u.ID, "email": u.Email, "name": u.Name, "locale": u.Locale, "time_zone": u.TimeZone,
			"email_confirmed": u.Confirmed, "second_factor": u.SecondFactor, "roles": u.Roles, "created_at": u.CreatedAt,
			"audit_pseudonym": u.Pseudonym},
		"sessions": sessions,
		"tokens":   tokens,
	}
	for name, fn := range s.exporters {
		part, err := fn(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		out[name] = part
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.audit(ctx, tx, "account.exported", u.Pseudonym, "", "user", u.ID, ip, nil)
	})
	return out, err
}

// Delete removes the account. What the person wrote in shared spaces stays,
// shown as written by a former member; the audit chain keeps the pseudonym,
// which no longer leads to anyone.
func (s *Service) Delete(ctx context.Context, u *User, password, ip string) error {
	if !CheckPassword(u.passwordHash, password) {
		return errs.Field("delete", map[string]string{"password": "account.error.password_wrong"})
	}
	for _, l := range s.Leavers {
		if err := l.CanLeave(ctx, u.ID); err != nil {
			return err
		}
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, l := range s.Leavers {
			if err := l.Leave(ctx, tx, u.ID); err != nil {
				return err
			}
		}
		for _, q := range []string{
			`DELETE FROM sessions WHERE user_id = $1`,
			`DELETE FROM known_devices WHERE user_id = $1`,
			`DELETE FROM recovery_codes WHERE user_id = $1`,
			`DELETE FROM links WHERE user_id = $1`,
			`DELETE FROM user_roles WHERE user_id = $1`,
			`UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE user_id = $1 OR created_by = $1`,
			`UPDATE secret_links SET revoked_at = COALESCE(revoked_at, $2) WHERE user_id = $1`,
		} {
			args := []any{u.ID}
			if strings.Contains(q, "$2") {
				args = append(args, s.Clock.Now())
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return errs.Wrap("delete account", err)
			}
		}
		if err := s.audit(ctx, tx, "account.deleted", u.Pseudonym, "", "user", u.ID, ip, nil); err != nil {
			return err
		}
		// The row stays as a tombstone so that records keep their author id;
		// nothing in it identifies the person any more.
		_, err := tx.ExecContext(ctx, `UPDATE users SET email = NULL, name = '', password_hash = '', totp_secret = '',
			totp_enabled_at = NULL, pseudonym = $1, deleted_at = $2 WHERE id = $3`, newID(), s.Clock.Now(), u.ID)
		return errs.Wrap("delete account", err)
	})
}

// DisplayName returns the name to show for an author id: "former member"
// (translated by the caller from the key) for deleted accounts.
func (s *Service) DisplayName(ctx context.Context, id string) (name string, former bool, err error) {
	var deleted sql.NullTime
	err = s.DB.R.QueryRowContext(ctx, `SELECT name, deleted_at FROM users WHERE id = $1`, id).Scan(&name, &deleted)
	if err != nil {
		return "", false, errs.Wrap("display name", err)
	}
	return name, deleted.Valid, nil
}

func isUnique(err error) bool { return db.IsUnique(err) }
