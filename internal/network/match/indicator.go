package match

import (
	"context"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/indicators"
	"harambee.africa/harambee/internal/web"
)

// Accepted is the indicator "network.matches_accepted": suggestions saved
// by organisations, in total and by the country of the organisation that
// saved them. It is a count of choices, naming no one, so every viewer
// gets the same value.
func (s *Service) Accepted() indicators.Indicator {
	return indicators.Indicator{Key: "network.matches_accepted", Action: "1.2", Unit: "matches", By: "country",
		Compute: func(ctx context.Context, _ *web.Viewer) (indicators.Value, error) {
			rows, err := s.DB.R.QueryContext(ctx, `SELECT o.country, COUNT(*) FROM network_match_choices c JOIN orgs o ON o.id = c.org_id
				WHERE c.choice = 'saved' GROUP BY o.country ORDER BY o.country`)
			if err != nil {
				return indicators.Value{}, errs.Wrap("matches accepted", err)
			}
			defer rows.Close()
			val := indicators.Value{Breakdown: map[string]float64{}}
			for rows.Next() {
				var c string
				var n int
				if err := rows.Scan(&c, &n); err != nil {
					return indicators.Value{}, errs.Wrap("matches accepted", err)
				}
				val.Breakdown[c] = float64(n)
				val.Total += float64(n)
			}
			return val, errs.Wrap("matches accepted", rows.Err())
		}}
}
