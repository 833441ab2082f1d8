package app

import (
	"context"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/network/messages"
	"harambee.africa/harambee/internal/web"
)

func init() { Migrations = append(Migrations, messages.Migrations) }

// wireNetworkMessages builds the network's messages part and mounts its routes.
func (a *App) wireNetworkMessages() error {
	m := &messages.Service{DB: a.DB, Clock: a.Clock, Site: a.Site, Orgs: a.Orgs}
	if a.Notify != nil {
		a.Notify.Declare(messages.Kind)
		m.Notify = a.Notify
	}
	a.Network.Messages = m
	a.Indicators.Declare(m.Started())
	a.Accounts.Leavers = append(a.Accounts.Leavers, account.Leaver(m))
	a.Accounts.RegisterExporter("network_messages", m.Export)
	a.Site.AddNav(web.NavItem{Key: "nav.messages", Path: "/network/messages", Signed: true,
		Badge: func(ctx context.Context, v *web.Viewer) int {
			n, err := m.Unread(ctx, v)
			if err != nil {
				a.Log.Warn("unread conversations", "err", err)
			}
			return n
		}})
	m.Mount(a.Site)
	return nil
}
