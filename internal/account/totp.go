package account

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"net/url"
	"strings"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/seal"
)

// TOTPSetup is what a person needs to add the platform to an authenticator app.
type TOTPSetup struct {
	Secret string
	URI    string
	QR     string // data: URL of a PNG QR code
}

// BeginTOTP creates (or re-creates) an unconfirmed TOTP secret for the user.
func (s *Service) BeginTOTP(ctx context.Context, u *User) (*TOTPSetup, error) {
	if u.SecondFactor {
		return nil, errs.E("totp", errs.Conflict, "account.error.totp_on")
	}
	secret, err := s.openTOTP(u)
	if err != nil {
		return nil, errs.Wrap("totp", err)
	}
	var key *otp.Key
	if secret == "" {
		key, err = totp.Generate(totp.GenerateOpts{Issuer: "Harambee", AccountName: u.Email})
		if err != nil {
			return nil, errs.Wrap("totp", err)
		}
		sealed, err := s.sealTOTP(u.ID, key.Secret())
		if err != nil {
			return nil, errs.Wrap("totp", err)
		}
		if _, err := s.DB.W.ExecContext(ctx, `UPDATE users SET totp_secret = $1 WHERE id = $2`, sealed, u.ID); err != nil {
			return nil, errs.Wrap("totp", err)
		}
		u.totpSecret = sealed
	} else {
		// The address totp.Generate made, again: the account name is part of
		// the path, escaped (an address may hold # or %).
		again := url.URL{Scheme: "otpauth", Host: "totp", Path: "/Harambee:" + u.Email,
			RawQuery: url.Values{"secret": {secret}, "issuer": {"Harambee"}}.Encode()}
		key, err = otp.NewKeyFromURL(again.String())
		if err != nil {
			return nil, errs.Wrap("totp", err)
		}
	}
	setup := &TOTPSetup{Secret: key.Secret(), URI: key.URL()}
	if img, err := key.Image(200, 200); err == nil {
		var buf bytes.Buffer
		if png.Encode(&buf, img) == nil {
			setup.QR = "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
		}
	}
	return setup, nil
}

// validCode checks a six-digit code against the secret, allowing one step
// of drift. There is no valid code without a secret.
func (s *Service) validCode(secret, code string) bool {
	if secret == "" {
		return false
	}
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	ok, _ := totp.ValidateCustom(code, secret, s.Clock.Now(), totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	return ok
}

// EnableTOTP turns the second factor on once the person proves a code, and
// returns ten recovery codes, shown once.
func (s *Service) EnableTOTP(ctx context.Context, u *User, code, ip string) ([]string, error) {
	if u.SecondFactor {
		return nil, errs.E("totp", errs.Conflict, "account.error.totp_on")
	}
	secret, err := s.openTOTP(u)
	if err != nil {
		return nil, errs.Wrap("enable totp", err)
	}
	if !s.validCode(secret, code) {
		return nil, errs.Field("totp", map[string]string{"code": "account.error.code_wrong"})
	}
	codes := make([]string, 10)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_enabled_at = $1 WHERE id = $2`, s.Clock.Now(), u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, u.ID); err != nil {
			return err
		}
		for i := range codes {
			c := strings.ToLower(newSecret()[:10])
			codes[i] = c[:5] + "-" + c[5:]
			if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, u.ID, digest(codes[i])); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, "auth.totp_enabled", u.Pseudonym, "", "user", u.ID, ip, nil)
	})
	if err != nil {
		return nil, errs.Wrap("enable totp", err)
	}
	return codes, nil
}

// DisableTOTP turns the second factor off; administrators cannot.
func (s *Service) DisableTOTP(ctx context.Context, u *User, password, ip string) error {
	if u.HasRole(RoleAdmin) {
		return errs.E("totp", errs.Forbidden, "account.error.totp_required")
	}
	if !CheckPassword(u.passwordHash, password) {
		return errs.Field("totp", map[string]string{"password": "account.error.password_wrong"})
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_enabled_at = NULL, totp_secret = '' WHERE id = $1`, u.ID); err != nil {
			return errs.Wrap("disable totp", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, u.ID); err != nil {
			return errs.Wrap("disable totp", err)
		}
		return s.audit(ctx, tx, "auth.totp_disabled", u.Pseudonym, "", "user", u.ID, ip, nil)
	})
}

// secondFactor checks a TOTP code or consumes a recovery code. A secret
// that does not open is an error, not a wrong code: the operator must
// learn that the key is wrong.
func (s *Service) secondFactor(ctx context.Context, tx *sql.Tx, u *User, code string) (bool, error) {
	secret, err := s.openTOTP(u)
	if err != nil {
		return false, err
	}
	if s.validCode(secret, code) {
		return true, nil
	}
	code = strings.ToLower(strings.TrimSpace(code))
	res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL`,
		s.Clock.Now(), u.ID, digest(code))
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// keySource names where the account key comes from, for the operator
// reading an error.
const keySource = "HARAMBEE_ACCOUNT_KEY or DATA/account-key"

var errNoKey = errors.New("account: no key to seal TOTP secrets (" + keySource + ")")

// sealTOTP returns a TOTP secret sealed for the user.
func (s *Service) sealTOTP(userID, secret string) (string, error) {
	if s.Sealer == nil {
		return "", errNoKey
	}
	return s.Sealer.Seal(userID, secret), nil
}

// openTOTP returns the user's TOTP secret, "" when there is none.
func (s *Service) openTOTP(u *User) (string, error) {
	if !seal.IsSealed(u.totpSecret) {
		// Stored in the clear before secrets were sealed (or, during a
		// rolling upgrade, by an older instance): Start seals it.
		return u.totpSecret, nil
	}
	if s.Sealer == nil {
		return "", errNoKey
	}
	secret, err := s.Sealer.Open(u.ID, u.totpSecret)
	if err != nil {
		return "", fmt.Errorf("account: TOTP secret of user %s: %w; is %s the key it was sealed with?", u.ID, err, keySource)
	}
	return secret, nil
}

// checkTOTPKey refuses a key that opens none of the sealed TOTP secrets:
// started with it, the platform would let nobody with a second factor in
// and would seal new secrets that the right key cannot open. Secrets that
// do not open while others do are logged; those people cannot sign in
// until the operator restores the key they were sealed with.
func (s *Service) checkTOTPKey(ctx context.Context) error {
	if s.Sealer == nil {
		return errNoKey
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, totp_secret FROM users WHERE totp_secret LIKE $1 ORDER BY id`, seal.Prefix+"%")
	if err != nil {
		return fmt.Errorf("account: check TOTP key: %w", err)
	}
	defer rows.Close()
	opened := 0
	var refused []string
	for rows.Next() {
		var id, sealed string
		if err := rows.Scan(&id, &sealed); err != nil {
			return fmt.Errorf("account: check TOTP key: %w", err)
		}
		if _, err := s.Sealer.Open(id, sealed); err != nil {
			refused = append(refused, id)
		} else {
			opened++
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("account: check TOTP key: %w", err)
	}
	switch {
	case len(refused) == 0:
		return nil
	case opened == 0:
		return fmt.Errorf("account: the key opens none of the %d sealed TOTP secrets: %s is not the key they were sealed with", len(refused), keySource)
	}
	s.Log.Error("account: TOTP secrets that do not open with the key; these people cannot sign in with a code",
		"key", keySource, "count", len(refused), "users", refused[:min(len(refused), 10)])
	return nil
}

// sealPlainTOTP seals every TOTP secret stored in the clear. A row is
// changed only if it still holds the value read, so two instances starting
// together, or an enrolment meanwhile, lose nothing; a sealed value starts
// with seal.Prefix, which base32 never does, and is left alone.
func (s *Service) sealPlainTOTP(ctx context.Context) error {
	if s.Sealer == nil {
		return errNoKey
	}
	type plain struct{ id, secret string }
	var todo []plain
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, totp_secret FROM users WHERE totp_secret <> '' AND totp_secret NOT LIKE $1 ORDER BY id`, seal.Prefix+"%")
	if err != nil {
		return fmt.Errorf("account: seal TOTP secrets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p plain
		if err := rows.Scan(&p.id, &p.secret); err != nil {
			return fmt.Errorf("account: seal TOTP secrets: %w", err)
		}
		todo = append(todo, p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("account: seal TOTP secrets: %w", err)
	}
	rows.Close()
	if len(todo) == 0 {
		return nil
	}
	sealed := 0
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, p := range todo {
			res, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_secret = $3`,
				s.Sealer.Seal(p.id, p.secret), p.id, p.secret)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			sealed += int(n)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("account: seal TOTP secrets: %w", err)
	}
	s.Log.Info("account: sealed TOTP secrets stored in the clear", "count", sealed)
	return nil
}
