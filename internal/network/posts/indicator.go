package posts

import (
	"context"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/indicators"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// Published is the indicator "network.posts": the cooperation posts
// published, in total and by country (posts about Africa as a whole count
// in the total only). The public gets it over TLP:CLEAR posts; a
// signed-in viewer over the published posts they may see. Expired posts
// count: they were published.
func (s *Service) Published() indicators.Indicator {
	return indicators.Indicator{Key: "network.posts", Action: "1.2", Unit: "posts", By: "country",
		Compute: func(ctx context.Context, v *web.Viewer) (indicators.Value, error) {
			val := indicators.Value{Breakdown: map[string]float64{}}
			args := &db.Args{}
			now := s.Clock.Now()
			where := sharing.Visible(Type, "t", v, now, args) + ` AND ` + out(now, args)
			rows, err := s.DB.R.QueryContext(ctx, `SELECT t.country, COUNT(*) FROM network_posts t WHERE `+where+
				` GROUP BY t.country ORDER BY t.country`, args.List()...)
			if err != nil {
				return val, errs.Wrap("posts indicator", err)
			}
			defer rows.Close()
			for rows.Next() {
				var c string
				var n int
				if err := rows.Scan(&c, &n); err != nil {
					return val, errs.Wrap("posts indicator", err)
				}
				val.Total += float64(n)
				if c != AllAfrica {
					val.Breakdown[c] = float64(n)
				}
			}
			return val, errs.Wrap("posts indicator", rows.Err())
		}}
}
