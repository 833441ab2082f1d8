package backup_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"harambee.africa/harambee/internal/app"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/backup"
	"harambee.africa/harambee/internal/db/dbtest"
)

// TestRestoredPlatformOpensItsSecrets backs up a running platform, restores
// it elsewhere and starts it there: the restored instance must open what
// the first one sealed (TOTP secrets, feeds credentials), which it can only
// with the key files the archive carried.
func TestRestoredPlatformOpensItsSecrets(t *testing.T) {
	if dbtest.PostgresURL() != "" {
		t.Skip("backup handles SQLite deployments; PostgreSQL is backed up with pg_dump")
	}
	ctx := context.Background()
	const pw = "correct horse battery"
	e := apptest.Start(t)
	b := e.SignUp("Aisha Bello", "aisha@example.ng", pw)
	u, err := e.App.Accounts.UserByEmail(ctx, "aisha@example.ng")
	if err != nil {
		t.Fatal(err)
	}
	setup, err := e.App.Accounts.BeginTOTP(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(setup.Secret, e.Clock.Now())
	if res := b.Post("/account/2fa", url.Values{"code": {code}}); res.StatusCode != http.StatusOK {
		t.Fatalf("enable TOTP: %d", res.StatusCode)
	}
	const feedID = "0190c0de-0000-7000-8000-000000000001"
	sealedFeed := e.App.CertParts.Feeds.Sealer.Seal(feedID, "feed password")

	var archive bytes.Buffer
	m, err := backup.Backup(ctx, e.App.Config.DataDir, &archive)
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	for _, k := range keyFiles {
		if !hasFile(m, k) {
			t.Errorf("the backup lacks %s", k)
		}
	}
	target := filepath.Join(t.TempDir(), "restored")
	if err := backup.Restore(ctx, &archive, target); err != nil {
		t.Fatalf("restore: %v", err)
	}
	for _, k := range keyFiles {
		want, _ := os.ReadFile(filepath.Join(e.App.Config.DataDir, k))
		if got, err := os.ReadFile(filepath.Join(target, k)); err != nil || !bytes.Equal(got, want) || len(want) == 0 {
			t.Errorf("restored %s differs from the original: %v", k, err)
		}
	}

	srv := httptest.NewUnstartedServer(nil)
	addr := srv.Listener.Addr().String()
	a, err := app.Open(ctx, app.Config{DataDir: target, BaseURL: "http://" + addr, Addr: addr},
		slog.New(slog.NewTextHandler(io.Discard, nil)), e.Clock)
	if err != nil {
		t.Fatalf("start on the restored data: %v", err)
	}
	box := &apptest.Mailbox{}
	a.Accounts.Mail = box
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(func() { srv.Close(); a.Close() })
	restored := &apptest.Env{T: t, App: a, Server: srv, Clock: e.Clock, Mail: box}

	t.Run("TOTP", func(t *testing.T) {
		c := restored.Browser()
		res := c.Post("/signin", url.Values{"email": {"aisha@example.ng"}, "password": {pw}})
		if !strings.HasPrefix(res.Header.Get("Location"), "/signin/2fa") {
			t.Fatalf("sign-in did not ask for a code: %d", res.StatusCode)
		}
		e.Clock.Advance(30 * time.Second)
		code, _ := totp.GenerateCode(setup.Secret, e.Clock.Now())
		if res := c.Post("/signin/2fa", url.Values{"code": {code}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("code on the restored instance: %d, want 303", res.StatusCode)
		}
	})

	t.Run("Feeds", func(t *testing.T) {
		got, err := a.CertParts.Feeds.Sealer.Open(feedID, sealedFeed)
		if err != nil || got != "feed password" {
			t.Fatalf("the restored instance opens feeds credentials as %q, %v", got, err)
		}
	})
}

func hasFile(m backup.Manifest, p string) bool {
	for _, f := range m.Files {
		if f.Path == p {
			return true
		}
	}
	return false
}
