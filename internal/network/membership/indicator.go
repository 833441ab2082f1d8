package membership

import (
	"context"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/indicators"
	"harambee.africa/harambee/internal/web"
)

// MembersByCountry is the indicator "network.members": the network's
// member organisations, in total and by African country of operation — the
// countries of its approved application and the African countries of its
// network profile, each member counted once per country. Membership is
// public (the badge) and the application form says its countries feed
// these statistics, so every viewer gets the same value.
func (s *Service) MembersByCountry() indicators.Indicator {
	return indicators.Indicator{Key: "network.members", Action: "1.2", Unit: "organisations", By: "country",
		Compute: func(ctx context.Context, _ *web.Viewer) (indicators.Value, error) {
			val := indicators.Value{Breakdown: map[string]float64{}}
			args := &db.Args{}
			member := s.Core.MemberCondition("o.id", args)
			var total int
			if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM orgs o WHERE `+member, args.List()...).Scan(&total); err != nil {
				return val, errs.Wrap("network members", err)
			}
			val.Total = float64(total)
			args = &db.Args{}
			member = s.Core.MemberCondition("x.org_id", args)
			rows, err := s.DB.R.QueryContext(ctx, `SELECT x.country, COUNT(DISTINCT x.org_id) FROM (
				SELECT a.owner_org AS org_id, c.country FROM network_applications a
					JOIN network_application_countries c ON c.application_id = a.id WHERE a.status = `+args.Add(Approved)+`
				UNION SELECT nc.org_id, nc.country FROM network_countries nc) x
				WHERE `+member+` GROUP BY x.country ORDER BY x.country`, args.List()...)
			if err != nil {
				return val, errs.Wrap("network members", err)
			}
			defer rows.Close()
			for rows.Next() {
				var cc string
				var n int
				if err := rows.Scan(&cc, &n); err != nil {
					return val, errs.Wrap("network members", err)
				}
				if c, ok := geo.Lookup(cc); ok && c.African {
					val.Breakdown[cc] = float64(n)
				}
			}
			return val, errs.Wrap("network members", rows.Err())
		}}
}
