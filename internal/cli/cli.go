// Package cli is the harambee command line: serve, migrate, user, token,
// backup, restore and audit. Flags have environment twins (HARAMBEE_…).
package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app"
	"harambee.africa/harambee/internal/audit"
	"harambee.africa/harambee/internal/backup"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/demo"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/search"
	"harambee.africa/harambee/locales"
)

const usage = `usage: harambee <command> [flags]

commands:
  serve     run the server (--addr, --data, --db, --base-url, --blob-url, --smtp-url, --demo)
  migrate   apply the database migrations and exit
  user add  create an account (password on standard input)
  token create  print a new API token for an account, once
  backup    write a consistent backup of the database and blobs (--to FILE)
  restore   restore a backup into an empty data directory (--from FILE)
  audit verify  check the audit log's hash chain and signed checkpoints

Every command takes --data DIR and --db URL; environment variables
HARAMBEE_ADDR, HARAMBEE_DATA_DIR, HARAMBEE_DATABASE_URL, HARAMBEE_BASE_URL,
HARAMBEE_BLOB_URL, HARAMBEE_SMTP_URL and HARAMBEE_TRUSTED_PROXIES mirror the flags.
`

// Run runs one command.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	cmd, rest := args[0], args[1:]
	if (cmd == "user" || cmd == "token" || cmd == "audit") && len(rest) > 0 {
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, rest, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, stdout, stderr)
	case "user add":
		return userAdd(ctx, rest, stdin, stdout, stderr)
	case "token create":
		return tokenCreate(ctx, rest, stdout, stderr)
	case "backup":
		return backupCmd(ctx, rest, stdout, stderr)
	case "restore":
		return restoreCmd(ctx, rest, stdout, stderr)
	case "audit verify":
		return auditVerify(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// common are the flags every command takes.
type common struct {
	data, db string
}

func flags(name string, stderr io.Writer) (*flag.FlagSet, *common) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &common{}
	fs.StringVar(&c.data, "data", env("HARAMBEE_DATA_DIR", "data"), "data directory (SQLite database, blobs, mail, and the audit, feeds and account keys)")
	fs.StringVar(&c.db, "db", env("HARAMBEE_DATABASE_URL", ""), "database URL: postgres://… for PostgreSQL; empty for SQLite in the data directory")
	return fs, c
}

// logger logs JSON when standard error is not a terminal, text otherwise.
func logger(w io.Writer) *slog.Logger {
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return slog.New(slog.NewTextHandler(w, nil))
		}
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

func open(ctx context.Context, c *common, cfg app.Config, stderr io.Writer) (*app.App, error) {
	cfg.DataDir, cfg.DatabaseURL = c.data, c.db
	return app.Open(ctx, cfg, logger(stderr), clock.System{})
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := flags("serve", stderr)
	var cfg app.Config
	fs.StringVar(&cfg.Addr, "addr", env("HARAMBEE_ADDR", "127.0.0.1:8080"), "listen address HOST:PORT")
	fs.StringVar(&cfg.BaseURL, "base-url", env("HARAMBEE_BASE_URL", ""), "public URL of the site (default http://ADDR)")
	fs.StringVar(&cfg.BlobURL, "blob-url", env("HARAMBEE_BLOB_URL", ""), "blob store: file:///DIR, or s3://KEY:SECRET@HOST[:PORT]/BUCKET[/PREFIX][?region=R&insecure=1] (default: DATA/blobs)")
	fs.StringVar(&cfg.SMTPURL, "smtp-url", env("HARAMBEE_SMTP_URL", ""), "smtp://user:pass@host:port; without it mail is written to DATA/mail")
	fs.StringVar(&cfg.TrustedProxies, "trusted-proxies", env("HARAMBEE_TRUSTED_PROXIES", ""), "comma-separated addresses or networks whose X-Forwarded-For is believed")
	fs.BoolVar(&cfg.Demo, "demo", false, "load the demo data set on first start and print the demo accounts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := open(ctx, c, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.Demo {
		accounts, err := demo.Load(ctx, a)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if err := demo.Print(stdout, accounts, filepath.Join(c.data, "demo-accounts.json")); err != nil {
			return err
		}
	} else if link, err := a.Accounts.SetupLink(ctx); err != nil {
		return err
	} else if link != "" {
		fmt.Fprintf(stdout, "\nNo accounts yet. Create the first administrator within the hour at:\n\n  %s\n\n", link)
	}
	return a.Serve(ctx)
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := flags("migrate", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := db.Open(ctx, c.db, c.data)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Migrate(ctx, app.Migrations...); err != nil {
		return err
	}
	if err := search.EnsureSchema(ctx, d); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "migrations applied:", d.Redacted())
	return nil
}

func userAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs, c := flags("user add", stderr)
	email := fs.String("email", "", "e-mail address")
	name := fs.String("name", "", "full name")
	admin := fs.Bool("admin", false, "make the person a platform administrator")
	orgSlug := fs.String("org", "", "add the person to this organisation")
	role := fs.String("role", "member", "their role in --org")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pw, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	pw = strings.TrimRight(pw, "\r\n")
	a, err := open(ctx, c, app.Config{}, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	nu := account.NewUser{Email: *email, Name: *name, Password: pw, Confirmed: true}
	if *admin {
		nu.Roles = []string{account.RoleAdmin}
	}
	u, err := a.Accounts.Create(ctx, nu)
	if err != nil {
		return explain(err)
	}
	if *orgSlug != "" {
		if err := a.Orgs.AddMember(ctx, *orgSlug, u.ID, []string{*role}); err != nil {
			return explain(err)
		}
	}
	fmt.Fprintf(stdout, "created %s (%s)\n", u.Email, u.ID)
	return nil
}

// explain spells out a form error's fields in English for the terminal.
func explain(err error) error {
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	p := i18n.MustLoad(locales.FS).Printer("en")
	var parts []string
	for f, k := range e.Fields {
		parts = append(parts, "--"+f+": "+p.T(k))
	}
	sort.Strings(parts)
	return errors.New(strings.Join(parts, "; "))
}

func tokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := flags("token create", stderr)
	email := fs.String("email", "", "the account's e-mail address")
	name := fs.String("name", "", "a label for the token")
	scopes := fs.String("scopes", "read,write", "comma-separated scopes: read, write")
	days := fs.Int("days", 0, "expire after this many days (0: never)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := open(ctx, c, app.Config{}, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Accounts.UserByEmail(ctx, *email)
	if err != nil {
		return fmt.Errorf("no account with e-mail %q", *email)
	}
	nt := account.NewToken{Name: *name, Scopes: strings.Split(*scopes, ",")}
	if *days > 0 {
		t := time.Now().UTC().Add(time.Duration(*days) * 24 * time.Hour)
		nt.ExpiresAt = &t
	}
	_, secret, err := a.Accounts.CreateToken(ctx, u, nt, "")
	if err != nil {
		return explain(err)
	}
	fmt.Fprintln(stdout, secret)
	return nil
}

func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := flags("backup", stderr)
	to := fs.String("to", "", "archive file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" {
		return errors.New("backup: --to FILE is required")
	}
	if err := backup.Supported(c.db, c.data); err != nil {
		return err
	}
	f, err := os.OpenFile(*to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	m, err := backup.Backup(ctx, c.data, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*to)
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s (%d files)\n", *to, len(m.Files))
	return nil
}

func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := flags("restore", stderr)
	from := fs.String("from", "", "archive file to read")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("restore: --from FILE is required")
	}
	f, err := os.Open(*from)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := backup.Restore(ctx, f, c.data); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored into %s\n", c.data)
	return nil
}

func auditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := flags("audit verify", stderr)
	pubPath := fs.String("public-key", "", "public key file (default: derived from DATA/audit-key)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := db.Open(ctx, c.db, c.data)
	if err != nil {
		return err
	}
	defer d.Close()
	pub, err := func() ([]byte, error) {
		if *pubPath != "" {
			return audit.ReadPublicKey(*pubPath)
		}
		keyPath := filepath.Join(c.data, "audit-key")
		if _, err := os.Stat(keyPath); err != nil {
			return nil, fmt.Errorf("no audit key at %s: give --public-key", keyPath)
		}
		s, err := audit.OpenSigner(keyPath)
		if err != nil {
			return nil, err
		}
		return s.PublicKey(), nil
	}()
	if err != nil {
		return err
	}
	report, err := audit.New(d, clock.System{}).Verify(ctx, pub)
	if err != nil {
		return err
	}
	if !report.OK() {
		return fmt.Errorf("audit log does not verify: %w", report.Err())
	}
	fmt.Fprintf(stdout, "audit log verified: %+v\n", report)
	return nil
}
