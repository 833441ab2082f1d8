package account

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"harambee.africa/harambee/internal/errs"
)

// Token scopes.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// Scopes are the scopes a token may carry.
var Scopes = []string{ScopeRead, ScopeWrite}

// TokenPrefix starts every API token, so that secret scanners recognise them.
const TokenPrefix = "hbt_"

// Token is an API token's record; its secret is never stored.
type Token struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	UserID     string     `json:"-"`
	OrgID      string     `json:"org_id,omitempty"`
	Scopes     []string   `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	Revoked    bool       `json:"revoked"`
}

// NewToken describes a token to create: personal when OrgID is empty,
// an organisation's service token otherwise.
type NewToken struct {
	Name      string
	Scopes    []string
	ExpiresAt *time.Time
	OrgID     string
}

// CreateToken creates a token for user (or for an organisation, by an admin
// of it, which the caller checks) and returns the secret, shown once.
func (s *Service) CreateToken(ctx context.Context, u *User, nt NewToken, ip string) (*Token, string, error) {
	fields := map[string]string{}
	nt.Name = strings.TrimSpace(nt.Name)
	if n := utf8.RuneCountInString(nt.Name); n == 0 || n > 100 {
		fields["name"] = "account.error.token_name"
	}
	if len(nt.Scopes) == 0 {
		fields["scopes"] = "account.error.scope_invalid"
	}
	for _, sc := range nt.Scopes {
		if !slices.Contains(Scopes, sc) {
			fields["scopes"] = "account.error.scope_invalid"
		}
	}
	if nt.ExpiresAt != nil && !nt.ExpiresAt.After(s.Clock.Now()) {
		fields["expires"] = "account.error.expiry_past"
	}
	if len(fields) > 0 {
		return nil, "", errs.Field("create token", fields)
	}
	secret := TokenPrefix + newSecret() + newSecret()
	t := &Token{ID: newID(), Name: nt.Name, OrgID: nt.OrgID, Scopes: nt.Scopes, CreatedAt: s.Clock.Now(), ExpiresAt: nt.ExpiresAt}
	var userID, orgID any
	if nt.OrgID == "" {
		userID, t.UserID = u.ID, u.ID
	} else {
		orgID = nt.OrgID
	}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, token_hash, name, user_id, org_id, scopes, created_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			t.ID, digest(secret), t.Name, userID, orgID, strings.Join(t.Scopes, " "), u.ID, t.CreatedAt, nt.ExpiresAt)
		if err != nil {
			return errs.Wrap("create token", err)
		}
		return s.audit(ctx, tx, "token.created", u.Pseudonym, nt.OrgID, "token", t.ID, ip, map[string]any{"scopes": t.Scopes})
	})
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// Tokens lists the personal tokens of a user, or an organisation's service
// tokens when orgID is set.
func (s *Service) Tokens(ctx context.Context, userID, orgID string) ([]Token, error) {
	q, arg := `user_id = $1 AND org_id IS NULL`, userID
	if orgID != "" {
		q, arg = `org_id = $1`, orgID
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, name, COALESCE(org_id, ''), scopes, created_at, expires_at, last_used_at, revoked_at IS NOT NULL
		FROM api_tokens WHERE `+q+` ORDER BY created_at DESC LIMIT 200`, arg)
	if err != nil {
		return nil, errs.Wrap("list tokens", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var scopes string
		var exp, used sql.NullTime
		if err := rows.Scan(&t.ID, &t.Name, &t.OrgID, &scopes, &t.CreatedAt, &exp, &used, &t.Revoked); err != nil {
			return nil, errs.Wrap("list tokens", err)
		}
		t.Scopes = strings.Fields(scopes)
		if exp.Valid {
			t.ExpiresAt = &exp.Time
		}
		if used.Valid {
			t.LastUsedAt = &used.Time
		}
		out = append(out, t)
	}
	return out, errs.Wrap("list tokens", rows.Err())
}

// RevokeToken revokes a token of the user (or of orgID).
func (s *Service) RevokeToken(ctx context.Context, u *User, orgID, id, ip string) error {
	q, arg := `user_id = $3 AND org_id IS NULL`, u.ID
	if orgID != "" {
		q, arg = `org_id = $3`, orgID
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL AND `+q, s.Clock.Now(), id, arg)
		if err != nil {
			return errs.Wrap("revoke token", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E("revoke token", errs.NotFound, "error.not_found")
		}
		return s.audit(ctx, tx, "token.revoked", u.Pseudonym, orgID, "token", id, ip, nil)
	})
}

// RevokeMemberTokens revokes every token a person holds or created for an
// organisation; called when they leave or are removed from it.
func RevokeMemberTokens(ctx context.Context, tx *sql.Tx, now time.Time, userID, orgID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE revoked_at IS NULL AND org_id = $2 AND created_by = $3`, now, orgID, userID)
	return errs.Wrap("revoke member tokens", err)
}

// tokenUser resolves a bearer token to its user (the creator for
// organisation tokens) and the token.
func (s *Service) tokenUser(ctx context.Context, secret string) (*User, *Token, error) {
	t := &Token{}
	var scopes string
	var exp sql.NullTime
	var revoked bool
	var uid sql.NullString
	var creator string
	err := s.DB.R.QueryRowContext(ctx, `SELECT id, name, user_id, COALESCE(org_id, ''), created_by, scopes, expires_at, revoked_at IS NOT NULL
		FROM api_tokens WHERE token_hash = $1`, digest(secret)).Scan(&t.ID, &t.Name, &uid, &t.OrgID, &creator, &scopes, &exp, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errs.E("token", errs.Unauthorized, "account.error.token_invalid")
	}
	if err != nil {
		return nil, nil, errs.Wrap("token", err)
	}
	now := s.Clock.Now()
	if revoked {
		return nil, nil, errs.E("token", errs.Unauthorized, "account.error.token_revoked")
	}
	if exp.Valid && !now.Before(exp.Time) {
		return nil, nil, errs.E("token", errs.Unauthorized, "account.error.token_expired")
	}
	t.Scopes = strings.Fields(scopes)
	owner := uid.String
	if t.OrgID != "" {
		owner = creator
	}
	u, err := s.UserByID(ctx, owner)
	if err != nil || u.Suspended {
		return nil, nil, errs.E("token", errs.Unauthorized, "account.error.token_invalid")
	}
	s.DB.W.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, t.ID)
	return u, t, nil
}
