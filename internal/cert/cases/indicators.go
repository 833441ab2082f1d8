package cases

import (
	"context"
	"slices"
	"time"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/indicators"
	"harambee.africa/harambee/internal/web"
)

// HandedAcross is the indicator "cert.handovers": the cases handed across
// borders, that is accepted hand-overs between teams of different
// countries, by the receiving country. A count only: no case is named.
func (s *Service) HandedAcross() indicators.Indicator {
	return indicators.Indicator{Key: "cert.handovers", Action: "2.1", Unit: "cases", By: "country",
		Compute: func(ctx context.Context, _ *web.Viewer) (indicators.Value, error) {
			val := indicators.Value{Breakdown: map[string]float64{}}
			rows, err := s.DB.R.QueryContext(ctx, `SELECT tto.country, COUNT(*) FROM cert_handovers h
				JOIN orgs fo ON fo.id = h.from_org JOIN orgs tto ON tto.id = h.to_org
				WHERE h.status = 'accepted' AND fo.country <> tto.country GROUP BY tto.country ORDER BY tto.country`)
			if err != nil {
				return val, errs.Wrap("hand-over indicator", err)
			}
			defer rows.Close()
			for rows.Next() {
				var cc string
				var n int
				if err := rows.Scan(&cc, &n); err != nil {
					return val, errs.Wrap("hand-over indicator", err)
				}
				val.Breakdown[cc] = float64(n)
				val.Total += float64(n)
			}
			return val, errs.Wrap("hand-over indicator", rows.Err())
		}}
}

// AckMedian is the indicator "cert.ack_median": the median time, in
// minutes, that receiving teams took to answer (accept or decline) a
// hand-over. A single number: no case or team is named.
func (s *Service) AckMedian() indicators.Indicator {
	return indicators.Indicator{Key: "cert.ack_median", Action: "2.1", Unit: "minutes",
		Compute: func(ctx context.Context, _ *web.Viewer) (indicators.Value, error) {
			rows, err := s.DB.R.QueryContext(ctx, `SELECT created_at, responded_at FROM cert_handovers
				WHERE status IN ('accepted', 'declined') AND responded_at IS NOT NULL`)
			if err != nil {
				return indicators.Value{}, errs.Wrap("hand-over median", err)
			}
			defer rows.Close()
			var mins []float64
			for rows.Next() {
				var sent, answered time.Time
				if err := rows.Scan(&sent, &answered); err != nil {
					return indicators.Value{}, errs.Wrap("hand-over median", err)
				}
				mins = append(mins, answered.Sub(sent).Minutes())
			}
			if err := rows.Err(); err != nil {
				return indicators.Value{}, errs.Wrap("hand-over median", err)
			}
			return indicators.Value{Total: median(mins)}, nil
		}}
}

// median of xs, 0 for none; the result is rounded to a tenth of a minute.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	m := xs[len(xs)/2]
	if len(xs)%2 == 0 {
		m = (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
	}
	return float64(int64(m*10+0.5)) / 10
}
