package account

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"harambee.africa/harambee/internal/errs"
)

// Link purposes.
const (
	LinkSetup       = "setup"
	LinkConfirm     = "confirm"
	LinkReset       = "reset"
	LinkEmailChange = "email_change"
)

// newLink stores a single-use link and returns its secret.
func (s *Service) newLink(ctx context.Context, tx *sql.Tx, purpose, userID, data string, ttl time.Duration) (string, error) {
	secret := newSecret()
	now := s.Clock.Now()
	var uid any
	if userID != "" {
		uid = userID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO links (id, purpose, user_id, data, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		digest(secret), purpose, uid, data, now, now.Add(ttl))
	return secret, errs.Wrap("new link", err)
}

var (
	errLinkInvalid = errs.E("link", errs.NotFound, "account.error.link_invalid")
	errLinkExpired = errs.E("link", errs.Invalid, "account.error.link_expired")
	errLinkUsed    = errs.E("link", errs.Conflict, "account.error.link_used")
)

// peekLink checks a link without using it (to show its form).
func (s *Service) peekLink(ctx context.Context, purpose, secret string) (userID, data string, err error) {
	var uid sql.NullString
	var expires time.Time
	var used sql.NullTime
	err = s.DB.R.QueryRowContext(ctx, `SELECT user_id, data, expires_at, used_at FROM links WHERE id = $1 AND purpose = $2`,
		digest(secret), purpose).Scan(&uid, &data, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", errLinkInvalid
	}
	if err != nil {
		return "", "", errs.Wrap("peek link", err)
	}
	if used.Valid {
		return "", "", errLinkUsed
	}
	if !s.Clock.Now().Before(expires) {
		return "", "", errLinkExpired
	}
	return uid.String, data, nil
}

// useLink marks a link used inside tx; a second use, or a use after expiry,
// fails. The UPDATE's condition makes two concurrent uses impossible.
func (s *Service) useLink(ctx context.Context, tx *sql.Tx, purpose, secret string) (userID, data string, err error) {
	now := s.Clock.Now()
	var uid sql.NullString
	err = tx.QueryRowContext(ctx, `UPDATE links SET used_at = $1 WHERE id = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
		RETURNING user_id, data`, now, digest(secret), purpose).Scan(&uid, &data)
	if errors.Is(err, sql.ErrNoRows) {
		// Say why: unknown, used or expired.
		if _, _, perr := s.peekLink(ctx, purpose, secret); perr != nil {
			return "", "", perr
		}
		return "", "", errLinkInvalid
	}
	if err != nil {
		return "", "", errs.Wrap("use link", err)
	}
	return uid.String, data, nil
}
