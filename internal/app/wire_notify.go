package app

import (
	"context"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/notify"
	"harambee.africa/harambee/internal/web"
)

func init() { Migrations = append(Migrations, notify.Migrations) }

// wireNotify builds the notify service and mounts its routes. Modules wired
// after it declare their kinds on a.Notify and call Send.
func (a *App) wireNotify() error {
	a.Notify = &notify.Service{DB: a.DB, Clock: a.Clock, Site: a.Site, Catalog: a.Catalog, BaseURL: a.Config.BaseURL, Queue: a.Queue}
	if err := a.Notify.Prepare(context.Background()); err != nil {
		return err
	}
	a.Notify.Schedule()
	a.Notify.Mount(a.Site)
	// A mail provider's one-click request (RFC 8058) may come from anywhere.
	a.Site.AllowCrossOrigin("POST /unsubscribe/{token}")
	a.Site.AddNav(web.NavItem{Key: "nav.notifications", Path: "/notifications", Signed: true,
		Badge: func(ctx context.Context, v *web.Viewer) int {
			n, err := a.Notify.Unread(ctx, v.ID)
			if err != nil {
				a.Log.Warn("unread notifications", "err", err)
			}
			return n
		}})
	a.Accounts.Leavers = append(a.Accounts.Leavers, account.Leaver(a.Notify))
	a.Accounts.RegisterExporter("notifications", a.Notify.Export)
	return nil
}
