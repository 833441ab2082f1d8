package account

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"image/png"
	"strings"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"harambee.africa/harambee/internal/errs"
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
	secret := u.totpSecret
	var key *otp.Key
	var err error
	if secret == "" {
		key, err = totp.Generate(totp.GenerateOpts{Issuer: "Harambee", AccountName: u.Email})
		if err != nil {
			return nil, errs.Wrap("totp", err)
		}
		if _, err := s.DB.W.ExecContext(ctx, `UPDATE users SET totp_secret = $1 WHERE id = $2`, key.Secret(), u.ID); err != nil {
			return nil, errs.Wrap("totp", err)
		}
		u.totpSecret = key.Secret()
	} else {
		key, err = otp.NewKeyFromURL("otpauth://totp/Harambee:" + u.Email + "?secret=" + secret + "&issuer=Harambee")
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

// validCode checks a six-digit code against the secret, allowing one step of drift.
func (s *Service) validCode(secret, code string) bool {
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
	if u.totpSecret == "" || !s.validCode(u.totpSecret, code) {
		return nil, errs.Field("totp", map[string]string{"code": "account.error.code_wrong"})
	}
	codes := make([]string, 10)
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
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

// secondFactor checks a TOTP code or consumes a recovery code.
func (s *Service) secondFactor(ctx context.Context, tx *sql.Tx, u *User, code string) bool {
	if s.validCode(u.totpSecret, code) {
		return true
	}
	code = strings.ToLower(strings.TrimSpace(code))
	res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL`,
		s.Clock.Now(), u.ID, digest(code))
	if err != nil {
		return false
	}
	n, _ := res.RowsAffected()
	return n == 1
}
