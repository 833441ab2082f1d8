package messages

import (
	"context"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/indicators"
	"harambee.africa/harambee/internal/web"
)

// Started is the indicator "network.conversations": conversations started
// between organisations, in total and by the country of the organisation
// that started them. It counts conversations and shows nothing of them,
// so every viewer gets the same value.
func (s *Service) Started() indicators.Indicator {
	return indicators.Indicator{Key: "network.conversations", Action: "1.2", Unit: "conversations", By: "country",
		Compute: func(ctx context.Context, _ *web.Viewer) (indicators.Value, error) {
			rows, err := s.DB.R.QueryContext(ctx, `SELECT o.country, COUNT(*) FROM network_conversations c JOIN orgs o ON o.id = c.org_a
				GROUP BY o.country ORDER BY o.country`)
			if err != nil {
				return indicators.Value{}, errs.Wrap("conversations started", err)
			}
			defer rows.Close()
			val := indicators.Value{Breakdown: map[string]float64{}}
			for rows.Next() {
				var c string
				var n int
				if err := rows.Scan(&c, &n); err != nil {
					return indicators.Value{}, errs.Wrap("conversations started", err)
				}
				val.Breakdown[c] = float64(n)
				val.Total += float64(n)
			}
			return val, errs.Wrap("conversations started", rows.Err())
		}}
}
