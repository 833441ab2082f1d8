// Package app wires the platform together: it opens the database, applies
// every module's migrations, builds the web site, the job queue, mail and the
// audit trail, and mounts each module.
package app

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/agreements"
	"harambee.africa/harambee/internal/audit"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/files"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/i18n/cldr"
	"harambee.africa/harambee/internal/indicators"
	"harambee.africa/harambee/internal/jobs"
	"harambee.africa/harambee/internal/mail"
	"harambee.africa/harambee/internal/moderation"
	"harambee.africa/harambee/internal/notify"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/seal"
	"harambee.africa/harambee/internal/search"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
	"harambee.africa/harambee/locales"
)

//go:embed templates
var templateFS embed.FS

// Config is what the operator sets with flags or environment variables.
type Config struct {
	Addr           string
	DataDir        string
	DatabaseURL    string
	BaseURL        string
	BlobURL        string
	SMTPURL        string
	MailFrom       string
	TrustedProxies string
	Demo           bool
}

// Migrations are every module's migrations, in the order they depend on each
// other. The wire_*.go files add the later modules' sets.
var Migrations = []db.Migrations{account.Migrations, org.Migrations, jobs.Migrations, audit.Migrations, sharing.Migrations, moderation.Migrations}

// App is the running platform.
type App struct {
	Config     Config
	Log        *slog.Logger
	Clock      clock.Clock
	DB         *db.DB
	Site       *web.Site
	Metrics    *web.Metrics
	Queue      *jobs.Queue
	Trail      *audit.Trail
	Signer     *audit.Signer
	Accounts   *account.Service
	Orgs       *org.Service
	Sharing    *sharing.Service
	Search     *search.Service
	Moderation *moderation.Service
	Indicators *indicators.Registry
	Notify     *notify.Service
	Files      *files.Service
	Agreements *agreements.Service
	Cert       *cert.Service
	CertParts  certParts
	Network    networkParts
	Catalog    *i18n.Catalog
	Mail       mail.Sender
	handler    http.Handler
}

// Open builds the platform from cfg: database, migrations, modules, routes.
func Open(ctx context.Context, cfg Config, log *slog.Logger, clk clock.Clock) (*App, error) {
	if cfg.DataDir == "" {
		cfg.DataDir = "data"
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + cfg.Addr
	}
	if cfg.MailFrom == "" {
		cfg.MailFrom = "Harambee <no-reply@" + hostOf(cfg.BaseURL) + ">"
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx, Migrations...); err != nil {
		d.Close()
		return nil, err
	}
	if err := search.EnsureSchema(ctx, d); err != nil {
		d.Close()
		return nil, err
	}
	a := &App{Config: cfg, Log: log, Clock: clk, DB: d}
	if err := a.build(); err != nil {
		d.Close()
		return nil, err
	}
	if err := a.Accounts.Start(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
}

func hostOf(base string) string {
	h := strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://")
	if i := strings.IndexAny(h, ":/"); i >= 0 {
		h = h[:i]
	}
	if h == "" || h == "127.0.0.1" || h == "localhost" {
		return "localhost.localdomain"
	}
	return h
}

func (a *App) build() error {
	cfg := a.Config
	a.Catalog = i18n.MustLoad(locales.FS)
	a.Site = web.NewSite(a.Log, a.Clock, a.Catalog, cfg.BaseURL)
	proxies, err := web.ParseProxies(cfg.TrustedProxies)
	if err != nil {
		return fmt.Errorf("trusted proxies: %w", err)
	}
	a.Site.TrustedProxies = proxies
	a.Metrics = web.NewMetrics()
	a.Trail = audit.New(a.DB, a.Clock)
	if a.Signer, err = audit.OpenSigner(filepath.Join(cfg.DataDir, "audit-key")); err != nil {
		return fmt.Errorf("audit key: %w", err)
	}
	a.Queue = jobs.New(a.DB, jobs.Config{Clock: a.Clock, Logger: a.Log})
	if a.Mail, err = mail.New(cfg.SMTPURL, cfg.DataDir, cfg.MailFrom); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	mail.Register(a.Queue, a.Mail)
	a.Queue.Register(checkpointJob, func(ctx context.Context, _ jobs.Job) error {
		_, err := a.Trail.Checkpoint(ctx, a.Signer)
		if errs.Is(err, errs.NotFound) {
			return nil // nothing logged yet
		}
		return err
	})
	a.Queue.Every(checkpointJob, 10*time.Minute)
	a.registerMetrics()

	accountKey, err := seal.OpenKey(os.Getenv("HARAMBEE_ACCOUNT_KEY"), filepath.Join(cfg.DataDir, "account-key"))
	if err != nil {
		return fmt.Errorf("account: HARAMBEE_ACCOUNT_KEY or DATA/account-key: %w", err)
	}
	a.Accounts = &account.Service{DB: a.DB, Clock: a.Clock, Log: a.Log, Site: a.Site, BaseURL: cfg.BaseURL,
		Mail: mailer{a}, Audit: auditor{a.Trail}, Sealer: accountKey}
	a.Orgs = &org.Service{DB: a.DB, Clock: a.Clock, Site: a.Site, Accounts: a.Accounts, BaseURL: cfg.BaseURL}
	a.Accounts.Orgs = a.Orgs
	a.Search = &search.Service{DB: a.DB, Clock: a.Clock}
	a.Sharing = &sharing.Service{DB: a.DB, Clock: a.Clock, Audit: auditor{a.Trail}, Site: a.Site}
	a.Accounts.Leavers = []account.Leaver{a.Orgs}
	a.Accounts.OnRole = a.Orgs.SyncOfficer
	a.Accounts.RegisterExporter("organisations", func(ctx context.Context, userID string) (any, error) {
		return a.Orgs.Memberships(ctx, userID)
	})

	a.Site.AddPages(templateFS, "templates/app/*.html")
	a.Site.AddNav(web.NavItem{Key: "nav.orgs", Path: "/orgs"},
		web.NavItem{Key: "nav.moderation", Path: "/moderation", Role: account.RoleModerator},
		web.NavItem{Key: "nav.admin", Path: "/admin", Admin: true})
	a.mountShell()
	a.Accounts.Mount(a.Site)
	a.Orgs.Mount(a.Site)
	a.Sharing.Mount(a.Site)
	a.Moderation = &moderation.Service{DB: a.DB, Clock: a.Clock, Site: a.Site, Sharing: a.Sharing, Mail: mailer{a}, Audit: auditor{a.Trail}, BaseURL: cfg.BaseURL}
	a.Moderation.Mount(a.Site)
	a.Indicators = &indicators.Registry{}
	a.Indicators.Declare(a.Orgs.Partners())
	for _, wire := range []func() error{a.wireNotify, a.wireFiles, a.wireAgreements, a.wireNetwork, a.wireCert} {
		if err := wire(); err != nil {
			return err
		}
	}
	a.Indicators.Mount(a.Site)
	a.handler = a.Site.Handler(a.Accounts.Authenticate, a.Metrics)
	return nil
}

const checkpointJob = "audit.checkpoint"

// Handler is the whole site with its middleware.
func (a *App) Handler() http.Handler { return a.handler }

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

// Serve listens on the configured address until ctx ends, then shuts down
// gracefully: in-flight requests and running jobs are given time to finish.
func (a *App) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return err
	}
	return a.ServeListener(ctx, ln)
}

// ServeListener is Serve on a listener the caller made.
func (a *App) ServeListener(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: a.handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}
	jobsDone := make(chan error, 1)
	jobCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	go func() { jobsDone <- a.Queue.Run(jobCtx) }()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	a.Log.Info("serving", "addr", ln.Addr().String(), "base_url", a.Config.BaseURL, "database", a.DB.Redacted())
	if a.Config.SMTPURL == "" {
		a.Log.Info("no SMTP server configured: outgoing mail is written to files", "dir", filepath.Join(a.Config.DataDir, "mail"))
	}
	select {
	case err := <-serveErr:
		stopJobs()
		<-jobsDone
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := srv.Shutdown(shutCtx)
	stopJobs()
	if jerr := <-jobsDone; jerr != nil && !errors.Is(jerr, context.Canceled) {
		err = errors.Join(err, jerr)
	}
	return err
}

// mailer turns message keys into a translated e-mail and queues it.
type mailer struct{ a *App }

func (m mailer) Send(ctx context.Context, q db.Querier, to, lang string, msg account.Mail) error {
	p := m.a.Catalog.Printer(lang)
	body := p.T(msg.Body, msg.Args...) + "\n\n-- \n" + p.T("mail.footer")
	return mail.Enqueue(ctx, q, mail.Message{To: to, Subject: p.T(msg.Subject, msg.Args...), Text: body, Kind: msg.Subject}, jobs.Clock(m.a.Clock))
}

// auditor records actions on the audit trail.
type auditor struct{ t *audit.Trail }

func (au auditor) Record(ctx context.Context, tx *sql.Tx, action, actor, orgID, targetType, targetID, ip string, details map[string]any) error {
	var raw json.RawMessage
	if details != nil {
		b, err := json.Marshal(details)
		if err != nil {
			return err
		}
		raw = b
	}
	return au.t.Append(ctx, tx, audit.Entry{Action: action, Actor: actor, OrgID: orgID, TargetType: targetType,
		TargetID: targetID, ClientAddr: ip, Details: raw})
}

// cldrFormatter formats dates and numbers with the CLDR data of a language.
type cldrFormatter struct{ l *cldr.Locale }

func (f cldrFormatter) Date(t time.Time) string { return f.l.Date(t, nil, cldr.Medium) }
func (f cldrFormatter) DateTime(t time.Time) string {
	return f.l.DateTimeWith(t, nil, cldr.Medium, cldr.Short)
}
func (f cldrFormatter) Number(n int) string { return f.l.Int(int64(n)) }

func init() {
	web.SetFormatter(func(lang string) web.Formatter { return cldrFormatter{cldr.For(lang)} })
}
