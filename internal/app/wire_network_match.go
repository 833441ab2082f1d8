package app

import "harambee.africa/harambee/internal/network/match"

func init() { Migrations = append(Migrations, match.Migrations) }

// wireNetworkMatch builds the network's match part and mounts its routes.
func (a *App) wireNetworkMatch() error {
	a.Network.Match = &match.Service{Core: a.Network.Core, DB: a.DB, Clock: a.Clock, Site: a.Site}
	a.Indicators.Declare(a.Network.Match.Accepted())
	a.Network.Match.Mount(a.Site)
	return nil
}
