package org

import (
	"context"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/indicators"
	"harambee.africa/harambee/internal/web"
)

// Partners is the plan-wide indicator of verified organisations taking
// part, by country. Organisation profiles are public, so every viewer gets
// the same value.
func (s *Service) Partners() indicators.Indicator {
	return indicators.Indicator{Key: "plan.partners", Action: "plan", Unit: "organisations", By: "country",
		Compute: func(ctx context.Context, _ *web.Viewer) (indicators.Value, error) {
			rows, err := s.DB.R.QueryContext(ctx, `SELECT country, COUNT(*) FROM orgs
				WHERE verified_at IS NOT NULL AND kind <> 'programme_office' GROUP BY country ORDER BY country`)
			if err != nil {
				return indicators.Value{}, errs.Wrap("partners", err)
			}
			defer rows.Close()
			v := indicators.Value{Breakdown: map[string]float64{}}
			for rows.Next() {
				var c string
				var n int
				if err := rows.Scan(&c, &n); err != nil {
					return indicators.Value{}, errs.Wrap("partners", err)
				}
				v.Breakdown[c] = float64(n)
				v.Total += float64(n)
			}
			return v, errs.Wrap("partners", rows.Err())
		}}
}
