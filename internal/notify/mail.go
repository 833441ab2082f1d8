package notify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"unicode"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/jobs"
	"harambee.africa/harambee/internal/mail"
)

// allKinds is the kind of a digest's unsubscribe token: it stops every kind.
const allKinds = "*"

// Prepare makes sure the server key that signs unsubscribe links exists,
// creating it on first start; every instance reads the same key from the
// database, so links survive restarts. Call it once at wiring, outside any
// transaction.
func (s *Service) Prepare(ctx context.Context) error {
	const op = "notify.Prepare"
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return errs.Wrap(op, err)
	}
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO notify_keys (name, secret, created_at) VALUES ('unsubscribe', $1, $2)
		ON CONFLICT (name) DO NOTHING`, hex.EncodeToString(secret), s.Clock.Now()); err != nil {
		return errs.Wrap(op, err)
	}
	return s.loadKey(ctx)
}

func (s *Service) loadKey(ctx context.Context) error {
	var stored string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT secret FROM notify_keys WHERE name = 'unsubscribe'`).Scan(&stored); err != nil {
		return errs.Wrap("notify.key", err)
	}
	key, err := hex.DecodeString(stored)
	if err != nil || len(key) < 32 {
		return errs.Wrap("notify.key", errors.New("stored unsubscribe key is malformed"))
	}
	s.keyMu.Lock()
	s.key = key
	s.keyMu.Unlock()
	return nil
}

func (s *Service) signingKey(ctx context.Context) ([]byte, error) {
	s.keyMu.Lock()
	key := s.key
	s.keyMu.Unlock()
	if key != nil {
		return key, nil
	}
	// Read-only: Send may hold the only writer connection (SQLite) in the
	// caller's transaction, so the key is never created here.
	if err := s.loadKey(ctx); err != nil {
		return nil, errs.Wrap("notify.key", errors.New("no unsubscribe key: Prepare was not called"))
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	return s.key, nil
}

// token returns the unsubscribe token of a person and a kind (or allKinds):
// the pair, and an HMAC of it under the server key. It is stable, so that
// every e-mail's link keeps working, and cannot be made without the key.
func (s *Service) token(ctx context.Context, userID, kind string) (string, error) {
	key, err := s.signingKey(ctx)
	if err != nil {
		return "", err
	}
	payload := userID + " " + kind
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(tokenMAC(key, payload)), nil
}

func tokenMAC(key []byte, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("notify.unsubscribe\x00" + payload))
	return m.Sum(nil)[:20]
}

// parseToken returns the person and kind of a token the server made.
func (s *Service) parseToken(ctx context.Context, tok string) (userID, kind string, ok bool) {
	if len(tok) > 400 {
		return "", "", false
	}
	p, m, found := strings.Cut(tok, ".")
	if !found {
		return "", "", false
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	mac, err2 := base64.RawURLEncoding.DecodeString(m)
	if err1 != nil || err2 != nil {
		return "", "", false
	}
	key, err := s.signingKey(ctx)
	if err != nil || !hmac.Equal(mac, tokenMAC(key, string(payload))) {
		return "", "", false
	}
	userID, kind, found = strings.Cut(string(payload), " ")
	return userID, kind, found && userID != "" && kind != ""
}

func (s *Service) base() string { return strings.TrimRight(s.BaseURL, "/") }

// unsubscribeHeaders are the RFC 8058 headers of a notification e-mail.
func unsubscribeHeaders(link string) map[string]string {
	return map[string]string{"List-Unsubscribe": "<" + link + ">", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
}

// mailNow queues the e-mail of one notification, in q.
func (s *Service) mailNow(ctx context.Context, q db.Querier, to recipient, n Notification) error {
	tok, err := s.token(ctx, to.ID, n.Kind)
	if err != nil {
		return err
	}
	p := s.Catalog.Printer(to.Locale)
	unsub := s.base() + "/unsubscribe/" + tok
	var b strings.Builder
	b.WriteString(n.Text(p))
	if d := n.Detail(p); d != "" {
		b.WriteString("\n\n" + d)
	}
	if n.Path != "" {
		b.WriteString("\n\n" + p.T("notify.mail.open", "link", s.base()+n.Path))
	}
	b.WriteString("\n\n" + s.footer(p, "notify.mail.footer", unsub))
	return mail.Enqueue(ctx, q, mail.Message{To: to.Email, Subject: mailSubject(n.Text(p)), Text: b.String(),
		Headers: unsubscribeHeaders(unsub), Kind: "notify." + n.Kind}, jobs.Clock(s.Clock))
}

// footer says why the mail came and how to stop it.
func (s *Service) footer(p *i18n.Printer, key, unsub string) string {
	return "-- \n" + p.T(key, "settings", s.base()+"/account/notifications", "unsubscribe", unsub) + "\n" + p.T("mail.footer")
}

// mailSubject makes a text fit for a subject line: one line, not too long.
func mailSubject(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }), " ")
	if r := []rune(s); len(r) > maxSubject {
		s = string(r[:maxSubject-1]) + "…"
	}
	if s == "" {
		s = "Harambee"
	}
	return s
}
