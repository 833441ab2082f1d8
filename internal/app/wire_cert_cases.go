package app

import (
	"context"
	"time"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/cases"
	"harambee.africa/harambee/internal/jobs"
	"harambee.africa/harambee/internal/upload"
	"harambee.africa/harambee/internal/web"
)

func init() { Migrations = append(Migrations, cases.Migrations) }

// wireCertCases builds the CERT cases part (cases, tasks, timelines, SLAs,
// hand-overs), connects it with the observables part both ways, and mounts
// its routes.
func (a *App) wireCertCases() error {
	s := &cases.Service{DB: a.DB, Clock: a.Clock, Site: a.Site, Sharing: a.Sharing, Orgs: a.Orgs, Cert: a.Cert, Search: a.Search,
		Audit: auditor{a.Trail}, Queue: a.Queue}
	t := cert.CaseType
	t.OnMarking = s.OnMarking
	a.Sharing.Declare(t)
	if a.Notify != nil {
		a.Notify.Declare(cases.SLAKind)
		a.Notify.Declare(cases.HandOverKind)
		s.Notify = a.Notify
	}
	if a.Files != nil {
		s.Files = a.Files.Section
		a.Files.Accept(cert.CaseTypeName, upload.Image, upload.Document)
	}
	if o := a.CertParts.Observables; o != nil {
		s.Observables = o
		o.Cases = s
	}
	a.Queue.Register(cases.SLAJob, func(ctx context.Context, _ jobs.Job) error { return s.CheckSLA(ctx) })
	a.Queue.Every(cases.SLAJob, time.Minute)
	a.Indicators.Declare(s.HandedAcross())
	a.Indicators.Declare(s.AckMedian())
	a.Site.AddNav(web.NavItem{Key: "nav.cert_cases", Path: "/cert/cases", Signed: true, Show: cert.InTeam, Badge: s.PendingFor})
	s.Mount(a.Site)
	a.CertParts.Cases = s
	return nil
}
