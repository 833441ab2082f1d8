package app

import (
	"harambee.africa/harambee/internal/network/membership"
	"harambee.africa/harambee/internal/web"
)

func init() { Migrations = append(Migrations, membership.Migrations) }

// wireNetworkMembership builds the network's membership part and mounts its routes.
func (a *App) wireNetworkMembership() error {
	m := &membership.Service{Core: a.Network.Core, DB: a.DB, Clock: a.Clock, Site: a.Site, Sharing: a.Sharing, Orgs: a.Orgs,
		Audit: auditor{a.Trail}}
	a.Sharing.Declare(membership.Type)
	if a.Notify != nil {
		a.Notify.Declare(membership.Kind)
		m.Notify = a.Notify
	}
	if a.Files != nil {
		m.Files = a.Files
	}
	a.Indicators.Declare(m.MembersByCountry())
	a.Site.AddNav(web.NavItem{Key: "network.membership.nav.queue", Path: "/network/applications", Role: "officer:network"})
	m.Mount(a.Site)
	a.Network.Membership = m
	return nil
}
