package app

import (
	"harambee.africa/harambee/internal/network/directory"
	"harambee.africa/harambee/internal/upload"
	"harambee.africa/harambee/internal/web"
)

func init() { Migrations = append(Migrations, directory.Migrations) }

// wireNetworkDirectory builds the network's directory part and mounts its routes.
func (a *App) wireNetworkDirectory() error {
	d := &directory.Service{DB: a.DB, Clock: a.Clock, Site: a.Site, Core: a.Network.Core, Orgs: a.Orgs, Files: a.Files,
		Sharing: a.Sharing, Audit: auditor{a.Trail}}
	a.Sharing.Declare(d.ProfileType())
	a.Files.Accept(d.ProfileType().Name, upload.Image) // the logo
	d.AddFigures(d.OrgFigures)
	a.Network.Directory = d
	a.Site.AddNav(web.NavItem{Key: "nav.network", Path: "/network"})
	d.Mount(a.Site)
	return nil
}
