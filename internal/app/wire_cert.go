package app

import (
	"context"
	"time"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/jobs"
	"harambee.africa/harambee/internal/web"
)

func init() { Migrations = append(Migrations, cert.Migrations) }

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
	return nil
}
