package account

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/web"
)

// SessionCookie holds the session secret; DeviceCookie marks a known device.
const (
	SessionCookie = "hsid"
	DeviceCookie  = "hdev"
)

// Session is one signed-in browser.
type Session struct {
	ID         string // SHA-256 of the cookie
	UserID     string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	MFAPending bool
	ClientIP   string
	UserAgent  string
	Current    bool
}

// startSession creates a session with a fresh id and sets its cookie.
func (s *Service) startSession(ctx context.Context, tx *sql.Tx, w http.ResponseWriter, r *http.Request, userID string, mfaPending bool) error {
	secret := newSecret()
	now := s.Clock.Now()
	ua := r.UserAgent()
	if len(ua) > 300 {
		ua = ua[:300]
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, mfa_pending, client_ip, user_agent)
		VALUES ($1, $2, $3, $3, $4, $5, $6, $7)`, digest(secret), userID, now, now.Add(SessionAbsolute), mfaPending, web.ClientIP(r), ua)
	if err != nil {
		return errs.Wrap("start session", err)
	}
	// A session id from before sign-in is never reused.
	if old, err := r.Cookie(SessionCookie); err == nil {
		tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, digest(old.Value))
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", HttpOnly: true,
		Secure: secureCookies(r), SameSite: http.SameSiteLaxMode, Expires: now.Add(SessionAbsolute)})
	return nil
}

func secureCookies(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

// sessionFor returns the live session of a cookie value.
func (s *Service) sessionFor(ctx context.Context, secret string) (*Session, error) {
	ss := &Session{ID: digest(secret)}
	err := s.DB.R.QueryRowContext(ctx, `SELECT s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.mfa_pending
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = $1 AND u.deleted_at IS NULL AND u.suspended_at IS NULL`, ss.ID).
		Scan(&ss.UserID, &ss.CreatedAt, &ss.LastSeenAt, &ss.ExpiresAt, &ss.MFAPending)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E("session", errs.Unauthorized, "error.unauthorized")
	}
	if err != nil {
		return nil, errs.Wrap("load session", err)
	}
	now := s.Clock.Now()
	if !now.Before(ss.ExpiresAt) || now.Sub(ss.LastSeenAt) > SessionIdle {
		s.DB.W.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, ss.ID)
		return nil, errs.E("session", errs.Unauthorized, "account.error.session_expired")
	}
	// Touch at most once a minute, so that reading pages does not write.
	if now.Sub(ss.LastSeenAt) > time.Minute {
		s.DB.W.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2`, now, ss.ID)
	}
	return ss, nil
}

// Sessions lists a person's sessions, newest first.
func (s *Service) Sessions(ctx context.Context, userID, currentID string) ([]Session, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, created_at, last_seen_at, expires_at, mfa_pending, client_ip, user_agent
		FROM sessions WHERE user_id = $1 ORDER BY last_seen_at DESC LIMIT 100`, userID)
	if err != nil {
		return nil, errs.Wrap("list sessions", err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		ss := Session{UserID: userID}
		if err := rows.Scan(&ss.ID, &ss.CreatedAt, &ss.LastSeenAt, &ss.ExpiresAt, &ss.MFAPending, &ss.ClientIP, &ss.UserAgent); err != nil {
			return nil, errs.Wrap("list sessions", err)
		}
		ss.Current = ss.ID == currentID
		out = append(out, ss)
	}
	return out, errs.Wrap("list sessions", rows.Err())
}

// EndSession ends one of the person's sessions.
func (s *Service) EndSession(ctx context.Context, userID, sessionID string) error {
	res, err := s.DB.W.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1 AND user_id = $2`, sessionID, userID)
	if err != nil {
		return errs.Wrap("end session", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E("end session", errs.NotFound, "error.not_found")
	}
	return nil
}

// endOtherSessions ends every session of the user except keep.
func endOtherSessions(ctx context.Context, tx *sql.Tx, userID, keep string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, userID, keep)
	return errs.Wrap("end sessions", err)
}
