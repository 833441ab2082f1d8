package agreements

import (
	"context"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/indicators"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// InForce is the indicator "plan.agreements": the agreements in force
// today, in total and by country of their parties (a government's country,
// an organisation's, or another body's where given; an agreement counts
// once per country). The public gets it over published TLP:CLEAR records;
// a signed-in viewer over what they may see.
func (s *Service) InForce() indicators.Indicator {
	return indicators.Indicator{Key: "plan.agreements", Action: "plan", Unit: "agreements", By: "country",
		Compute: func(ctx context.Context, v *web.Viewer) (indicators.Value, error) {
			now := s.Clock.Now()
			val := indicators.Value{Breakdown: map[string]float64{}}
			args := &db.Args{}
			where := sharing.Visible(Type, "t", v, now, args) + ` AND ` + inForce(day(now), args)
			var total int
			if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM agreements t WHERE `+where, args.List()...).Scan(&total); err != nil {
				return val, errs.Wrap("agreements in force", err)
			}
			val.Total = float64(total)
			rows, err := s.DB.R.QueryContext(ctx, `SELECT x.country, COUNT(DISTINCT x.agreement_id) FROM (
				SELECT p.agreement_id, CASE WHEN p.kind = 'org' THEN o.country ELSE p.country END AS country
				FROM agreement_parties p JOIN agreements t ON t.id = p.agreement_id LEFT JOIN orgs o ON o.id = p.org_id
				WHERE `+where+`) x WHERE x.country <> '' GROUP BY x.country ORDER BY x.country`, args.List()...)
			if err != nil {
				return val, errs.Wrap("agreements in force", err)
			}
			defer rows.Close()
			for rows.Next() {
				var c string
				var n int
				if err := rows.Scan(&c, &n); err != nil {
					return val, errs.Wrap("agreements in force", err)
				}
				val.Breakdown[c] = float64(n)
			}
			return val, errs.Wrap("agreements in force", rows.Err())
		}}
}
