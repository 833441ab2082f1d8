package observables

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// Bounds of a sighting.
const (
	MaxSightingCount = 1_000_000_000
	MaxSource        = 500
)

// SightingInput is a team's report that it saw an observable.
type SightingInput struct {
	Org       string // id or slug of the viewer's team; "" when they have one
	Count     int
	FirstSeen time.Time
	LastSeen  time.Time
	Source    string // where it was seen: a sensor, a log, a partner
}

// Sighting is one team's sighting as the viewer may see it: the team's name
// and the source only for the observable's owner and the team itself.
type Sighting struct {
	ID        string    `json:"id"`
	Count     int       `json:"count"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	OrgName   string    `json:"org_name,omitempty"`
	Source    string    `json:"source,omitempty"`
	Mine      bool      `json:"mine"`
}

// Sightings sums up the sightings of an observable.
type Sightings struct {
	Total     int        `json:"total"`
	Teams     int        `json:"teams"`
	FirstSeen *time.Time `json:"first_seen,omitempty"`
	LastSeen  *time.Time `json:"last_seen,omitempty"`
	Items     []Sighting `json:"items"`
}

// AddSighting records that a team of the viewer's (its admin or a CERT
// analyst) saw an observable the viewer may see.
func (s *Service) AddSighting(ctx context.Context, v *web.Viewer, id string, in SightingInput, ip string) (string, error) {
	o, err := s.Get(ctx, v, id)
	if err != nil {
		return "", err
	}
	team, ok := sharing.OwnerNamed(v, sharing.Type{EditorRoles: []string{cert.RoleAnalyst}}, in.Org)
	if !ok {
		if in.Org == "" && len(sharing.Owners(v, sharing.Type{EditorRoles: []string{cert.RoleAnalyst}})) > 1 {
			return "", errs.Field("cert.observables", map[string]string{"org": "cert.observables.error.team"})
		}
		return "", errForbidden
	}
	fields := map[string]string{}
	if in.Count < 1 || in.Count > MaxSightingCount {
		fields["count"] = "cert.observables.error.count"
	}
	now := s.Clock.Now()
	if in.FirstSeen.IsZero() {
		fields["first_seen"] = "cert.observables.error.date"
	}
	if in.LastSeen.IsZero() {
		in.LastSeen = in.FirstSeen
	}
	if !in.FirstSeen.IsZero() && in.LastSeen.Before(in.FirstSeen) {
		fields["last_seen"] = "cert.observables.error.last_seen"
	}
	if in.LastSeen.After(now.Add(24 * time.Hour)) {
		fields["last_seen"] = "cert.observables.error.future"
	}
	in.Source = strings.TrimSpace(in.Source)
	if utf8.RuneCountInString(in.Source) > MaxSource || !web.CleanText(in.Source) {
		fields["source"] = "cert.observables.error.source"
	}
	if len(fields) > 0 {
		return "", errs.Field("cert.observables", fields)
	}
	sid := uuid.Must(uuid.NewV7()).String()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO cert_observable_sightings (id, observable_id, org_id, seen_count, first_seen, last_seen,
			source, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			sid, o.ID, team.OrgID, in.Count, in.FirstSeen.UTC().Truncate(time.Second), in.LastSeen.UTC().Truncate(time.Second),
			in.Source, v.ID, now); err != nil {
			return errs.Wrap("add sighting", err)
		}
		return s.audit(ctx, tx, "cert.observables.sighted", v, team.OrgID, TypeName, o.ID, ip, map[string]any{"count": in.Count})
	})
	return sid, err
}

// SightingsOf lists the sightings of an observable the viewer sees (o from Get).
func (s *Service) SightingsOf(ctx context.Context, v *web.Viewer, o *Observable) (*Sightings, error) {
	owner := false
	if v != nil {
		_, owner = v.Member(o.OwnerOrg)
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT si.id, si.org_id, COALESCE(g.name, ''), si.seen_count, si.first_seen, si.last_seen, si.source
		FROM cert_observable_sightings si LEFT JOIN orgs g ON g.id = si.org_id
		WHERE si.observable_id = $1 ORDER BY si.last_seen DESC, si.id LIMIT 200`, o.ID)
	if err != nil {
		return nil, errs.Wrap("list sightings", err)
	}
	defer rows.Close()
	out := &Sightings{Items: []Sighting{}}
	for rows.Next() {
		var si Sighting
		var orgID, name, source string
		if err := rows.Scan(&si.ID, &orgID, &name, &si.Count, &si.FirstSeen, &si.LastSeen, &source); err != nil {
			return nil, errs.Wrap("list sightings", err)
		}
		si.FirstSeen, si.LastSeen = si.FirstSeen.UTC(), si.LastSeen.UTC()
		if v != nil {
			_, si.Mine = v.Member(orgID)
		}
		if owner || si.Mine {
			si.OrgName, si.Source = name, source
		}
		out.Items = append(out.Items, si)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap("list sightings", err)
	}
	// The summary counts every sighting, not only the ones listed.
	err = s.DB.R.QueryRowContext(ctx, `SELECT COALESCE(SUM(seen_count), 0), COUNT(DISTINCT org_id)
		FROM cert_observable_sightings WHERE observable_id = $1`, o.ID).Scan(&out.Total, &out.Teams)
	if err != nil || out.Total == 0 {
		return out, errs.Wrap("sightings summary", err)
	}
	// The dates read from their columns (SQLite gives an aggregate no type).
	var first, last time.Time
	if err := s.DB.R.QueryRowContext(ctx, `SELECT first_seen FROM cert_observable_sightings WHERE observable_id = $1
		ORDER BY first_seen LIMIT 1`, o.ID).Scan(&first); err != nil {
		return nil, errs.Wrap("sightings summary", err)
	}
	if err := s.DB.R.QueryRowContext(ctx, `SELECT last_seen FROM cert_observable_sightings WHERE observable_id = $1
		ORDER BY last_seen DESC LIMIT 1`, o.ID).Scan(&last); err != nil {
		return nil, errs.Wrap("sightings summary", err)
	}
	first, last = first.UTC(), last.UTC()
	out.FirstSeen, out.LastSeen = &first, &last
	return out, nil
}
