package app

import (
	"context"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/cert/reports"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/jobs"
	"harambee.africa/harambee/internal/web"
)

func init() { Migrations = append(Migrations, reports.Migrations) }

// certReportsMail sends reporters' mail through whatever mailer the
// accounts service holds when the mail goes out (tests swap it for a box).
type certReportsMail struct{ a *App }

func (m certReportsMail) Send(ctx context.Context, q db.Querier, to, lang string, msg account.Mail) error {
	if m.a.Accounts == nil || m.a.Accounts.Mail == nil {
		return nil
	}
	return m.a.Accounts.Mail.Send(ctx, q, to, lang, msg)
}

const certReportsPruneJob = "cert.reports.prune"

// wireCertReports builds the CERT reports part and mounts its routes.
func (a *App) wireCertReports() error {
	s := &reports.Service{DB: a.DB, Clock: a.Clock, Site: a.Site, Cert: a.Cert, Accounts: a.Accounts, Audit: auditor{a.Trail},
		Mail: certReportsMail{a}}
	if c := a.CertParts.Cases; c != nil {
		s.Cases = c
	}
	if err := s.Prepare(context.Background()); err != nil {
		return err
	}
	if a.Notify != nil {
		a.Notify.Declare(reports.ReportKind)
		a.Notify.Declare(reports.StatusKind)
		s.Notify = a.Notify
	}
	a.Queue.Register(reports.FollowJob, func(ctx context.Context, _ jobs.Job) error { return s.FollowCases(ctx) })
	a.Queue.Every(reports.FollowJob, 15*time.Minute)
	a.Queue.Register(certReportsPruneJob, func(ctx context.Context, _ jobs.Job) error { return s.Prune(ctx) })
	a.Queue.Every(certReportsPruneJob, time.Hour)
	a.Indicators.Declare(s.ReceivedByCountry())
	a.Site.AddNav(web.NavItem{Key: "nav.cert_report", Path: "/cert/report"},
		web.NavItem{Key: "nav.cert_reports_queue", Path: "/cert/reports", Signed: true, Show: func(v *web.Viewer) bool { return len(s.Teams(v)) > 0 },
			Badge: s.Waiting})
	s.Mount(a.Site)
	a.CertParts.Reports = s
	return nil
}
