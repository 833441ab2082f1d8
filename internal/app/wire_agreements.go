package app

import (
	"harambee.africa/harambee/internal/agreements"
	"harambee.africa/harambee/internal/upload"
	"harambee.africa/harambee/internal/web"
)

func init() { Migrations = append(Migrations, agreements.Migrations) }

// wireAgreements builds the agreements service and mounts its routes.
func (a *App) wireAgreements() error {
	a.Agreements = &agreements.Service{DB: a.DB, Clock: a.Clock, Site: a.Site, Search: a.Search, Audit: auditor{a.Trail}}
	a.Sharing.Declare(agreements.Type)
	// The signed texts: documents, and scans or photographs of the signing.
	a.Agreements.Files = a.Files
	a.Files.Accept(agreements.TypeName, upload.Document, upload.Image)
	if a.Notify != nil {
		a.Notify.Declare(agreements.ExpiryKind)
		a.Agreements.Notify = a.Notify
	}
	a.Agreements.Schedule(a.Queue)
	a.Indicators.Declare(a.Agreements.InForce())
	a.Site.AddNav(web.NavItem{Key: "nav.agreements", Path: "/agreements"})
	a.Agreements.Mount(a.Site)
	return nil
}
