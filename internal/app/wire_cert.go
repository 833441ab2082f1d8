package app

import (
	"context"
	"time"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/cases"
	"harambee.africa/harambee/internal/cert/feeds"
	"harambee.africa/harambee/internal/cert/lessons"
	"harambee.africa/harambee/internal/cert/observables"
	"harambee.africa/harambee/internal/cert/reports"
	"harambee.africa/harambee/internal/cert/taxii"
	"harambee.africa/harambee/internal/jobs"
	"harambee.africa/harambee/internal/web"
)

func init() { Migrations = append(Migrations, cert.Migrations) }

// certParts are the services of CERT cooperation beyond the directory, each
// wired in its own wire_cert_*.go, in the order of wireCert.
type certParts struct {
	Cases       *cases.Service
	Reports     *reports.Service
	Observables *observables.Service
	Lessons     *lessons.Service
	TAXII       *taxii.Service
	Feeds       *feeds.Service
}

const certReconcileJob = "cert.reconcile"

// wireCert builds the CERT directory and vetting (action 2.1) and mounts its routes.
func (a *App) wireCert() error {
	c, err := cert.Open(context.Background(), a.DB, a.Clock, a.Orgs, a.Sharing)
	if err != nil {
		return err
	}
	c.Site, c.Audit = a.Site, auditor{a.Trail}
	a.Sharing.Declare(cert.ContactsType)
	if a.Notify != nil {
		a.Notify.Declare(cert.VettingKind)
		c.Notify = a.Notify
	}
	if a.Agreements != nil {
		c.Agreements = a.Agreements
	}
	// Verification is withdrawn in the kernel without telling modules: a
	// periodic pass keeps the vetted CERTs' group equal to the rule.
	a.Queue.Register(certReconcileJob, func(ctx context.Context, _ jobs.Job) error { return c.Reconcile(ctx, nil) })
	a.Queue.Every(certReconcileJob, 10*time.Minute)
	a.Indicators.Declare(c.VettedByCountry())
	a.Site.AddNav(web.NavItem{Key: "nav.cert", Path: "/cert"})
	c.Mount(a.Site)
	a.Cert = c
	for _, wire := range []func() error{a.wireCertObservables, a.wireCertTAXII, a.wireCertCases, a.wireCertReports,
		a.wireCertLessons, a.wireCertFeeds} {
		if err := wire(); err != nil {
			return err
		}
	}
	return nil
}
