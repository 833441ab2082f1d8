package observables

import (
	"context"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/indicators"
	"harambee.africa/harambee/internal/web"
)

// SharedIndicators is the plan indicator "cert.indicators_shared": the
// observables and indicators shared beyond the team that owns them — handed
// over to another team, or marked TLP:GREEN or TLP:CLEAR — by the owner's
// country. It counts, as everything else, only what the viewer may see.
func (s *Service) SharedIndicators() indicators.Indicator {
	return indicators.Indicator{Key: "cert.indicators_shared", Action: "2.1", Unit: "indicators", By: "country",
		Compute: func(ctx context.Context, v *web.Viewer) (indicators.Value, error) {
			val := indicators.Value{Breakdown: map[string]float64{}}
			args := &db.Args{}
			where := visible(v, s.Clock.Now(), args)
			rows, err := s.DB.R.QueryContext(ctx, `SELECT g.country, COUNT(*) FROM cert_observables o
				JOIN cert_cases c ON c.id = o.case_id JOIN orgs g ON g.id = o.owner_org
				WHERE (o.marking IN ('clear', 'green') OR EXISTS (SELECT 1 FROM cert_observable_handed hh WHERE hh.observable_id = o.id))
				AND `+where+` GROUP BY g.country ORDER BY g.country`, args.List()...)
			if err != nil {
				return val, errs.Wrap("shared indicators", err)
			}
			defer rows.Close()
			for rows.Next() {
				var country string
				var n int
				if err := rows.Scan(&country, &n); err != nil {
					return val, errs.Wrap("shared indicators", err)
				}
				val.Total += float64(n)
				if country != "" {
					val.Breakdown[country] += float64(n)
				}
			}
			return val, errs.Wrap("shared indicators", rows.Err())
		}}
}
