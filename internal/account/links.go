package account

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"time"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/web"
)

// SecretLink is a link that acts for a person without a session: a feed or
// calendar URL given to a reader program, or the page where someone follows
// a report they made without an account. Listed on the person's page and
// revocable one by one; a revoked link answers 404.
type SecretLink struct {
	ID         string
	Purpose    string
	Label      string
	Target     string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// Link purposes.
const (
	LinkFeed     = "feed"
	LinkCalendar = "calendar"
	LinkReport   = "report"
)

// NewSecretLink makes a secret link for a person (userID may be empty for
// a report made without an account) and returns its secret, shown once.
func (s *Service) NewSecretLink(ctx context.Context, q interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, userID, purpose, label, target string) (string, error) {
	if purpose != LinkFeed && purpose != LinkCalendar && purpose != LinkReport {
		return "", errs.E("link", errs.Invalid, "error.invalid")
	}
	secret := newSecret() + newSecret()
	var uid any
	if userID != "" {
		uid = userID
	}
	_, err := q.ExecContext(ctx, `INSERT INTO secret_links (id, secret_hash, user_id, purpose, label, target, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, newID(), digest(secret), uid, purpose, strings.TrimSpace(label), target, s.Clock.Now())
	if err != nil {
		return "", errs.Wrap("secret link", err)
	}
	return secret, nil
}

var errNoLink = errs.E("link", errs.NotFound, "error.not_found")

// ResolveSecretLink returns the person and target of a live link of the
// purpose; a revoked, unknown or mismatched link is NotFound.
func (s *Service) ResolveSecretLink(ctx context.Context, secret, purpose string) (userID, target string, err error) {
	var id string
	var uid sql.NullString
	err = s.DB.R.QueryRowContext(ctx, `SELECT l.id, l.user_id, l.target FROM secret_links l LEFT JOIN users u ON u.id = l.user_id
		WHERE l.secret_hash = $1 AND l.purpose = $2 AND l.revoked_at IS NULL
		AND (l.user_id IS NULL OR (u.deleted_at IS NULL AND u.suspended_at IS NULL))`, digest(secret), purpose).Scan(&id, &uid, &target)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", errNoLink
	}
	if err != nil {
		return "", "", errs.Wrap("secret link", err)
	}
	now := s.Clock.Now()
	s.DB.W.ExecContext(ctx, `UPDATE secret_links SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)`,
		now, id, now.Add(-time.Minute))
	return uid.String, target, nil
}

// SecretLinks lists a person's live links.
func (s *Service) SecretLinks(ctx context.Context, userID string) ([]SecretLink, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, purpose, label, target, created_at, last_used_at FROM secret_links
		WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 500`, userID)
	if err != nil {
		return nil, errs.Wrap("secret links", err)
	}
	defer rows.Close()
	var out []SecretLink
	for rows.Next() {
		var l SecretLink
		var used sql.NullTime
		if err := rows.Scan(&l.ID, &l.Purpose, &l.Label, &l.Target, &l.CreatedAt, &used); err != nil {
			return nil, errs.Wrap("secret links", err)
		}
		if used.Valid {
			l.LastUsedAt = &used.Time
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// RevokeSecretLink revokes one of a person's links.
func (s *Service) RevokeSecretLink(ctx context.Context, userID, id string) error {
	res, err := s.DB.W.ExecContext(ctx, `UPDATE secret_links SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL`,
		s.Clock.Now(), id, userID)
	if err != nil {
		return errs.Wrap("revoke link", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNoLink
	}
	return nil
}

func (s *Service) linksPage(w http.ResponseWriter, r *http.Request) {
	links, err := s.SecretLinks(r.Context(), web.ViewerOf(r).ID)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Render(w, r, http.StatusOK, "account/links", map[string]any{"Links": links})
}

func (s *Service) linkRevokePost(w http.ResponseWriter, r *http.Request) {
	if err := s.RevokeSecretLink(r.Context(), web.ViewerOf(r).ID, r.PathValue("id")); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/account/links", "account.flash.link_revoked")
}
