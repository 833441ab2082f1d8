package account

import (
	"context"
	"database/sql"
	"net/http"
	"time"

	"harambee.africa/harambee/internal/errs"
)

// Sign-in slow-down: after a few failures in the window, each further try
// must wait twice as long as the last, up to maxWait. It is counted per
// account and per address; a browser that has signed in to the account
// before (a known device) is exempt from the per-account count, so that
// nobody can lock another person out.
const (
	failWindow       = 15 * time.Minute
	freeAccountFails = 5
	freeAddressFails = 20
	maxWait          = 15 * time.Minute
)

// wait returns how long to wait after n failures, the last at last.
func wait(n, free int, last, now time.Time) time.Duration {
	if n < free {
		return 0
	}
	d := time.Second << min(n-free, 12)
	d = min(d, maxWait)
	if left := last.Add(d).Sub(now); left > 0 {
		return left
	}
	return 0
}

// throttled returns a RateLimited error when this sign-in must wait.
func (s *Service) throttled(ctx context.Context, r *http.Request, email, ip string) error {
	now := s.Clock.Now()
	if !s.knownDevice(ctx, r, email) {
		n, last, err := s.failures(ctx, "email", email, now)
		if err != nil {
			return err
		}
		if d := wait(n, freeAccountFails, last, now); d > 0 {
			return tooMany(d)
		}
	}
	n, last, err := s.failures(ctx, "client_ip", ip, now)
	if err != nil {
		return err
	}
	if d := wait(n, freeAddressFails, last, now); d > 0 {
		return tooMany(d)
	}
	return nil
}

// failures counts the recent failures by account or address and returns the
// time of the latest. (MAX() of a timestamp comes back as text on SQLite,
// so the latest is read by ordering.)
func (s *Service) failures(ctx context.Context, column, value string, now time.Time) (int, time.Time, error) {
	var n int
	var last time.Time
	since := now.Add(-failWindow)
	err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM signin_failures WHERE `+column+` = $1 AND at > $2`, value, since).Scan(&n)
	if err != nil {
		return 0, last, errs.Wrap("throttle", err)
	}
	if n == 0 {
		return 0, last, nil
	}
	err = s.DB.R.QueryRowContext(ctx, `SELECT at FROM signin_failures WHERE `+column+` = $1 AND at > $2 ORDER BY at DESC LIMIT 1`, value, since).Scan(&last)
	return n, last, errs.Wrap("throttle", err)
}

func tooMany(d time.Duration) error {
	secs := int(d.Round(time.Second) / time.Second)
	return errs.E("signin", errs.RateLimited, "account.error.slow_down").With(map[string]any{"seconds": max(secs, 1)})
}

// recordFailure notes a failed sign-in; at the threshold, the account's
// owner is told by e-mail.
func (s *Service) recordFailure(ctx context.Context, email, ip string) {
	now := s.Clock.Now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO signin_failures (id, email, client_ip, at) VALUES ($1, $2, $3, $4)`,
			newID(), email, ip, now); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM signin_failures WHERE email = $1 AND at > $2`,
			email, now.Add(-failWindow)).Scan(&n); err != nil {
			return err
		}
		var uid, pseudonym, lang string
		err := tx.QueryRowContext(ctx, `SELECT id, pseudonym, locale FROM users WHERE email = $1 AND deleted_at IS NULL`, email).Scan(&uid, &pseudonym, &lang)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		if err := s.audit(ctx, tx, "auth.signin_failed", pseudonym, "", "user", uid, ip, nil); err != nil {
			return err
		}
		if n == freeAccountFails {
			return s.mail(ctx, tx, email, lang, Mail{Subject: "mail.failed_signins.subject", Body: "mail.failed_signins.body",
				Args: []any{"count", n, "reset", s.link("/reset")}})
		}
		return nil
	})
	if err != nil {
		s.Log.Error("record sign-in failure", "err", err)
	}
}

// knownDevice reports whether the request comes from a browser that has
// signed in to the account with this e-mail before.
func (s *Service) knownDevice(ctx context.Context, r *http.Request, email string) bool {
	c, err := r.Cookie(DeviceCookie)
	if err != nil {
		return false
	}
	var one int
	err = s.DB.R.QueryRowContext(ctx, `SELECT 1 FROM known_devices d JOIN users u ON u.id = d.user_id WHERE d.id = $1 AND u.email = $2`,
		digest(c.Value), email).Scan(&one)
	return err == nil
}

// rememberDevice marks this browser as known for the user.
func (s *Service) rememberDevice(ctx context.Context, tx *sql.Tx, w http.ResponseWriter, r *http.Request, userID string) error {
	if c, err := r.Cookie(DeviceCookie); err == nil {
		var one int
		if tx.QueryRowContext(ctx, `SELECT 1 FROM known_devices WHERE id = $1 AND user_id = $2`, digest(c.Value), userID).Scan(&one) == nil {
			return nil
		}
	}
	secret := newSecret()
	if _, err := tx.ExecContext(ctx, `INSERT INTO known_devices (id, user_id, created_at) VALUES ($1, $2, $3)`,
		digest(secret), userID, s.Clock.Now()); err != nil {
		return errs.Wrap("remember device", err)
	}
	http.SetCookie(w, &http.Cookie{Name: DeviceCookie, Value: secret, Path: "/signin", HttpOnly: true,
		Secure: secureCookies(r), SameSite: http.SameSiteStrictMode, MaxAge: 365 * 24 * 3600})
	return nil
}
