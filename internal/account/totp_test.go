package account_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/seal"
)

// storedSecret reads a person's totp_secret column as the database holds it.
func storedSecret(t *testing.T, e *apptest.Env, email string) string {
	t.Helper()
	var v string
	if err := e.App.DB.R.QueryRowContext(t.Context(), `SELECT totp_secret FROM users WHERE email = $1`, email).Scan(&v); err != nil {
		t.Fatalf("read totp_secret of %s: %v", email, err)
	}
	return v
}

// assertSealed fails unless the column holds a sealed value that does not
// contain the base32 secret.
func assertSealed(t *testing.T, stored, secret string) {
	t.Helper()
	if !strings.HasPrefix(stored, seal.Prefix) || strings.Contains(stored, secret) || secret == "" {
		t.Fatalf("totp_secret = %q, want a sealed value without the secret %q", stored, secret)
	}
}

// enrol turns the second factor on for a signed-in person through the page,
// and returns the secret the authenticator app would hold.
func enrol(t *testing.T, e *apptest.Env, b *apptest.Browser, email string) string {
	t.Helper()
	secret := beginTOTP(t, e, email)
	code, _ := totp.GenerateCode(secret, e.Clock.Now())
	if res := b.Post("/account/2fa", url.Values{"code": {code}}); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "<code>") {
		t.Fatalf("enable TOTP for %s: %d", email, res.StatusCode)
	}
	return secret
}

func beginTOTP(t *testing.T, e *apptest.Env, email string) string {
	t.Helper()
	u, err := e.App.Accounts.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	setup, err := e.App.Accounts.BeginTOTP(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	return setup.Secret
}

// signInWithCode signs in with password and a fresh TOTP code, and returns
// the status of the code step.
func signInWithCode(t *testing.T, e *apptest.Env, email, secret string) (int, *apptest.Browser) {
	t.Helper()
	b := e.Browser()
	if res := b.Post("/signin", url.Values{"email": {email}, "password": {pw}}); !strings.HasPrefix(res.Header.Get("Location"), "/signin/2fa") {
		t.Fatalf("sign-in of %s did not ask for a code: %d %s", email, res.StatusCode, res.Header.Get("Location"))
	}
	e.Clock.Advance(30 * time.Second) // a code not used before
	code, _ := totp.GenerateCode(secret, e.Clock.Now())
	return b.Post("/signin/2fa", url.Values{"code": {code}}).StatusCode, b
}

// reopen starts another instance of e's platform on the same database and
// data directory, as a restart would, and returns it or the error.
func reopen(t *testing.T, e *apptest.Env, log io.Writer) (*app.App, error) {
	t.Helper()
	a, err := app.Open(context.Background(), e.App.Config, slog.New(slog.NewTextHandler(log, nil)), e.Clock)
	if err == nil {
		t.Cleanup(func() { a.Close() })
	}
	return a, err
}

// setPlainSecret writes a secret in the clear, as releases before sealing
// did, with the second factor on.
func setPlainSecret(t *testing.T, e *apptest.Env, email string) string {
	t.Helper()
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Harambee", AccountName: email})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.DB.W.ExecContext(t.Context(), `UPDATE users SET totp_secret = $1, totp_enabled_at = $2 WHERE email = $3`,
		key.Secret(), e.Clock.Now(), email); err != nil {
		t.Fatal(err)
	}
	return key.Secret()
}

func otherKey(t *testing.T) *seal.Sealer {
	t.Helper()
	s, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// syncBuffer collects log lines written from the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestTOTPSecretSealedAtRest(t *testing.T) {
	e := apptest.Start(t)
	b := e.SignUp("Wanjiru Kamau", "wanjiru@example.ke", pw)

	secret := beginTOTP(t, e, "wanjiru@example.ke")
	t.Run("SealedWhenBegun", func(t *testing.T) {
		assertSealed(t, storedSecret(t, e, "wanjiru@example.ke"), secret)
		if again := beginTOTP(t, e, "wanjiru@example.ke"); again != secret {
			t.Fatalf("the page shows another secret on the second visit: %q, was %q", again, secret)
		}
	})

	code, _ := totp.GenerateCode(secret, e.Clock.Now())
	if res := b.Post("/account/2fa", url.Values{"code": {code}}); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "<code>") {
		t.Fatalf("enable: %d", res.StatusCode)
	}
	t.Run("SealedWhenEnabled", func(t *testing.T) {
		assertSealed(t, storedSecret(t, e, "wanjiru@example.ke"), secret)
	})

	t.Run("SignInWithCode", func(t *testing.T) {
		status, c := signInWithCode(t, e, "wanjiru@example.ke", secret)
		if status != http.StatusSeeOther {
			t.Fatalf("code step: %d, want 303", status)
		}
		if res := c.Get("/account"); res.StatusCode != http.StatusOK {
			t.Fatalf("not signed in after the code: %d", res.StatusCode)
		}
	})

	t.Run("WrongCodeRefused", func(t *testing.T) {
		c := e.Browser()
		c.Post("/signin", url.Values{"email": {"wanjiru@example.ke"}, "password": {pw}})
		if res := c.Post("/signin/2fa", url.Values{"code": {"000000"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong code: %d, want 422", res.StatusCode)
		}
	})

	// The seal is bound to the person: a sealed secret copied onto another
	// account does not open there.
	t.Run("BoundToThePerson", func(t *testing.T) {
		e.SignUp("Other", "other@example.ke", pw)
		if _, err := e.App.DB.W.ExecContext(t.Context(), `UPDATE users SET totp_secret = $1, totp_enabled_at = $2 WHERE email = $3`,
			storedSecret(t, e, "wanjiru@example.ke"), e.Clock.Now(), "other@example.ke"); err != nil {
			t.Fatal(err)
		}
		if status, _ := signInWithCode(t, e, "other@example.ke", secret); status == http.StatusSeeOther {
			t.Fatal("a secret sealed for another person was accepted")
		}
	})
}

func TestPlainTOTPSecretSealedAtStart(t *testing.T) {
	e := apptest.Start(t)
	e.SignUp("Kwame Mensah", "kwame@example.gh", pw)
	secret := setPlainSecret(t, e, "kwame@example.gh")

	var log syncBuffer
	if _, err := reopen(t, e, &log); err != nil {
		t.Fatalf("restart: %v", err)
	}
	stored := storedSecret(t, e, "kwame@example.gh")
	assertSealed(t, stored, secret)
	if strings.Contains(log.String(), secret) {
		t.Error("the log holds the secret")
	}

	t.Run("StillAcceptsCodes", func(t *testing.T) {
		if status, _ := signInWithCode(t, e, "kwame@example.gh", secret); status != http.StatusSeeOther {
			t.Fatalf("code step: %d, want 303", status)
		}
	})

	t.Run("Idempotent", func(t *testing.T) {
		if err := e.App.Accounts.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		if again := storedSecret(t, e, "kwame@example.gh"); again != stored {
			t.Fatalf("a second start changed the sealed value: %q, was %q", again, stored)
		}
	})

	// Two instances starting together both seal; neither fails and every
	// secret ends sealed once, opening with the shared key.
	t.Run("TwoInstances", func(t *testing.T) {
		other, err := reopen(t, e, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		emails := []string{"a@example.gh", "b@example.gh", "c@example.gh"}
		secrets := map[string]string{}
		for _, m := range emails {
			e.SignUp("Person", m, pw)
			secrets[m] = setPlainSecret(t, e, m)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, s := range []*account.Service{e.App.Accounts, other.Accounts} {
			wg.Go(func() { errs[i] = s.Start(context.Background()) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("start %d: %v", i, err)
			}
		}
		for _, m := range emails {
			assertSealed(t, storedSecret(t, e, m), secrets[m])
			if status, _ := signInWithCode(t, e, m, secrets[m]); status != http.StatusSeeOther {
				t.Fatalf("%s code step: %d, want 303", m, status)
			}
		}
	})
}

func TestWrongAccountKey(t *testing.T) {
	e := apptest.Start(t)
	b := e.SignUp("Nokuthula Dlamini", "noku@example.za", pw)
	secret := enrol(t, e, b, "noku@example.za")

	t.Run("RefusedAtStart", func(t *testing.T) {
		t.Setenv("HARAMBEE_ACCOUNT_KEY", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, seal.KeySize)))
		_, err := reopen(t, e, io.Discard)
		if err == nil {
			t.Fatal("the platform started with a key that opens no TOTP secret")
		}
		if !strings.Contains(err.Error(), "HARAMBEE_ACCOUNT_KEY") || strings.Contains(err.Error(), secret) {
			t.Fatalf("err = %v, want one naming the key and not the secret", err)
		}
	})

	t.Run("BadKeyFileRefusedAtStart", func(t *testing.T) {
		path := filepath.Join(e.App.Config.DataDir, "account-key")
		good, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("the account key file: %v", err)
		}
		t.Cleanup(func() { os.WriteFile(path, good, 0o600) })
		if err := os.WriteFile(path, []byte("not a key\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := reopen(t, e, io.Discard); err == nil || !strings.Contains(err.Error(), "account-key") {
			t.Fatalf("err = %v, want one naming the key file", err)
		}
	})

	t.Run("NoKey", func(t *testing.T) {
		s := &account.Service{DB: e.App.DB, Clock: e.Clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if err := s.Start(t.Context()); err == nil {
			t.Fatal("an account service without a key started")
		}
	})

	// Some secrets that do not open (sealed by an instance with another
	// key) do not stop the platform, but they are logged.
	t.Run("SomeDoNotOpen", func(t *testing.T) {
		e.SignUp("Stray", "stray@example.za", pw)
		u, err := e.App.Accounts.UserByEmail(t.Context(), "stray@example.za")
		if err != nil {
			t.Fatal(err)
		}
		stray := otherKey(t).Seal(u.ID, "JBSWY3DPEHPK3PXP")
		if _, err := e.App.DB.W.ExecContext(t.Context(), `UPDATE users SET totp_secret = $1 WHERE id = $2`, stray, u.ID); err != nil {
			t.Fatal(err)
		}
		var log syncBuffer
		if _, err := reopen(t, e, &log); err != nil {
			t.Fatalf("restart: %v", err)
		}
		if !strings.Contains(log.String(), u.ID) || strings.Contains(log.String(), stray) {
			t.Fatalf("log = %q, want the person's id and not the sealed value", log.String())
		}
	})

	// A key swapped under a running instance: sign-in and enrolment fail
	// with an error in the log, and no code is accepted.
	t.Run("RefusedAtSignIn", func(t *testing.T) {
		c := e.SignUp("Late", "late@example.za", pw)
		pending := beginTOTP(t, e, "late@example.za")
		var log syncBuffer
		right := e.App.Accounts.Sealer
		siteLog := e.App.Site.Log
		e.App.Accounts.Sealer = otherKey(t)
		e.App.Site.Log = slog.New(slog.NewTextHandler(&log, nil))
		t.Cleanup(func() { e.App.Accounts.Sealer, e.App.Site.Log = right, siteLog })

		status, d := signInWithCode(t, e, "noku@example.za", secret)
		if status != http.StatusInternalServerError {
			t.Fatalf("code step with the wrong key: %d, want 500", status)
		}
		if res := d.Get("/account"); res.StatusCode == http.StatusOK {
			t.Fatal("signed in although the secret does not open")
		}
		code, _ := totp.GenerateCode(pending, e.Clock.Now())
		if res := c.Post("/account/2fa", url.Values{"code": {code}}); res.StatusCode != http.StatusInternalServerError {
			t.Fatalf("enable with the wrong key: %d, want 500", res.StatusCode)
		}
		out := log.String()
		if !strings.Contains(out, "HARAMBEE_ACCOUNT_KEY") || !strings.Contains(out, "does not open") {
			t.Errorf("log = %q, want an error naming the key", out)
		}
		if strings.Contains(out, secret) || strings.Contains(out, pending) {
			t.Error("the log holds a secret")
		}
	})
}

// TestTOTPSetupAgainKeepsAddress: the page shown again (the secret already
// begun) gives the authenticator app the same account and secret as the
// first time, for an address with characters that a URL must escape.
func TestTOTPSetupAgainKeepsAddress(t *testing.T) {
	e := apptest.Start(t)
	email := "amina#ops%2@example.org"
	u, err := e.App.Accounts.Create(t.Context(), account.NewUser{Email: email, Name: "Amina", Password: pw, Confirmed: true})
	if err != nil {
		t.Skipf("the platform refuses the address %q: %v", email, err)
	}
	first, err := e.App.Accounts.BeginTOTP(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	if u, err = e.App.Accounts.UserByEmail(t.Context(), email); err != nil {
		t.Fatal(err)
	}
	again, err := e.App.Accounts.BeginTOTP(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	k1, err1 := otp.NewKeyFromURL(first.URI)
	k2, err2 := otp.NewKeyFromURL(again.URI)
	if err1 != nil || err2 != nil {
		t.Fatalf("addresses: %v, %v", err1, err2)
	}
	if k2.AccountName() != email || k2.Secret() != k1.Secret() || k2.Issuer() != "Harambee" {
		t.Fatalf("again: account %q secret %q issuer %q; first: account %q secret %q", k2.AccountName(), k2.Secret(), k2.Issuer(),
			k1.AccountName(), k1.Secret())
	}
}
