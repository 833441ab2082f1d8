package observables

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"harambee.africa/harambee/internal/cert/observable"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// MaxMatches bounds the correlations listed for one value.
const MaxMatches = 50

// rangeScan bounds the stored addresses read for one CIDR before the
// visibility filter: a /8 may hold very many.
const rangeScan = 2000

// Correlate finds the observables related to obs — the same value, a parent
// or sub-domain, the host of a URL or the domain of an e-mail, an address
// inside a CIDR or a CIDR around an address — that the viewer may see in
// cases the viewer may see, leaving out the cases of exclude. Observables
// seen only through a hand-over are left out: their case is hidden, and a
// correlation links to its case.
func (s *Service) Correlate(ctx context.Context, v *web.Viewer, obs []observable.Observable, exclude []string, limit int) ([]Match, error) {
	if len(obs) == 0 {
		return nil, nil
	}
	if limit <= 0 || limit > MaxMatches {
		limit = MaxMatches
	}
	args := &db.Args{}
	var probes []string
	var branches []string
	seen := map[string]bool{}
	for _, o := range obs {
		k := observable.KeysOf(o)
		for _, p := range k.Probes {
			if p = digest(p); !seen[p] {
				seen[p] = true
				probes = append(probes, args.Add(p))
			}
		}
		if k.Lo != "" {
			branches = append(branches, `SELECT observable_id FROM (SELECT observable_id FROM cert_observable_addrs
				WHERE lo >= `+args.Add(k.Lo)+` AND lo <= `+args.Add(k.Hi)+` ORDER BY lo LIMIT `+args.Add(rangeScan)+`) r`)
		}
	}
	if len(probes) > 0 {
		branches = append(branches, `SELECT DISTINCT observable_id FROM cert_observable_terms WHERE term IN (`+strings.Join(probes, ", ")+`)`)
	}
	where := visibleWithCase(v, s.Clock.Now(), args)
	if len(exclude) > 0 {
		ex := make([]string, len(exclude))
		for i, id := range exclude {
			ex[i] = args.Add(id)
		}
		where += ` AND o.case_id NOT IN (` + strings.Join(ex, ", ") + `)`
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT o.id, o.kind, o.value, o.marking, c.id, c.title
		FROM (`+strings.Join(branches, " UNION ")+`) hit
		JOIN cert_observables o ON o.id = hit.observable_id JOIN cert_cases c ON c.id = o.case_id
		WHERE `+where+` ORDER BY o.created_at DESC, o.id DESC LIMIT `+args.Add(limit), args.List()...)
	if err != nil {
		return nil, errs.Wrap("correlate", err)
	}
	defer rows.Close()
	out := []Match{}
	for rows.Next() {
		var m Match
		var marking string
		if err := rows.Scan(&m.ID, &m.Kind, &m.Value, &marking, &m.CaseID, &m.CaseTitle); err != nil {
			return nil, errs.Wrap("correlate", err)
		}
		m.Marking = sharing.Marking(marking)
		out = append(out, m)
	}
	return out, errs.Wrap("correlate", rows.Err())
}

// keysOf gives the observables a stored observable correlates by: itself,
// or the ones an indicator's pattern refers to.
func keysOf(o *Observable) []observable.Observable {
	if !o.IsIndicator() {
		return []observable.Observable{{Kind: observable.Kind(o.Kind), Value: o.Value}}
	}
	var out []observable.Observable
	for _, r := range o.Refs {
		if r.Kind != "" {
			out = append(out, observable.Observable{Kind: observable.Kind(r.Kind), Value: r.Value})
		}
	}
	return out
}

// groupsOf is keysOf of each of list.
func groupsOf(list []*Observable) [][]observable.Observable {
	out := make([][]observable.Observable, len(list))
	for i, o := range list {
		out[i] = keysOf(o)
	}
	return out
}

// ParseValue reads one free value (defanged or not) as an observable; kind
// "" detects it.
func ParseValue(kind, value string) (observable.Observable, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return observable.Observable{}, errs.Field("cert.observables", map[string]string{"value": observable.KeyEmpty})
	}
	if kind != "" {
		if !observable.Kind(kind).Valid() {
			return observable.Observable{}, errs.Field("cert.observables", map[string]string{"kind": "cert.observables.error.kind"})
		}
		o, err := observable.Parse(observable.Kind(kind), observable.Refang(value))
		if err != nil {
			return o, errs.Field("cert.observables", map[string]string{"value": errs.KeyOf(err)})
		}
		return o, nil
	}
	obs, problems := observable.ParseBulk(value, observable.Limits{MaxBytes: observable.MaxValueBytes * 2})
	if len(problems) > 0 {
		return observable.Observable{}, errs.Field("cert.observables", map[string]string{"value": problems[0].Key})
	}
	if len(obs) != 1 {
		return observable.Observable{}, errs.Field("cert.observables", map[string]string{"value": "cert.observables.error.one_value"})
	}
	return obs[0], nil
}

// CorrelateMany is Correlate for each group of groups (the keys of each
// observable of a page), at most limit matches each, in one query instead
// of one per group. Each stored term and each address range is read once,
// ranked within itself by recency (so no group's matches crowd out
// another's), and a group's matches are the most recent of its terms' and
// ranges'.
func (s *Service) CorrelateMany(ctx context.Context, v *web.Viewer, groups [][]observable.Observable, exclude []string, limit int) ([][]Match, error) {
	out := make([][]Match, len(groups))
	if limit <= 0 || limit > MaxMatches {
		limit = MaxMatches
	}
	args := &db.Args{}
	var branches, probes []string
	byTag := map[string][]int{} // a term, or "range:N", to the groups it serves
	for g, obs := range groups {
		for _, o := range obs {
			k := observable.KeysOf(o)
			for _, p := range k.Probes {
				p = digest(p)
				if _, ok := byTag[p]; !ok {
					probes = append(probes, args.Add(p))
				}
				if l := byTag[p]; len(l) == 0 || l[len(l)-1] != g {
					byTag[p] = append(l, g)
				}
			}
			if k.Lo != "" {
				tag := "range:" + strconv.Itoa(len(branches))
				byTag[tag] = []int{g}
				branches = append(branches, `SELECT observable_id, CAST(`+args.Add(tag)+` AS TEXT) AS tag FROM (SELECT observable_id FROM cert_observable_addrs
					WHERE lo >= `+args.Add(k.Lo)+` AND lo <= `+args.Add(k.Hi)+` ORDER BY lo LIMIT `+args.Add(rangeScan)+`) r`)
			}
		}
	}
	if len(probes) > 0 {
		branches = append(branches, `SELECT observable_id, term AS tag FROM cert_observable_terms WHERE term IN (`+strings.Join(probes, ", ")+`)`)
	}
	if len(branches) == 0 {
		return out, nil
	}
	where := visibleWithCase(v, s.Clock.Now(), args)
	if len(exclude) > 0 {
		ex := make([]string, len(exclude))
		for i, id := range exclude {
			ex[i] = args.Add(id)
		}
		where += ` AND o.case_id NOT IN (` + strings.Join(ex, ", ") + `)`
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT tag, id, kind, value, marking, case_id, title, created_at FROM (
		SELECT hit.tag, o.id, o.kind, o.value, o.marking, c.id AS case_id, c.title, o.created_at,
			ROW_NUMBER() OVER (PARTITION BY hit.tag ORDER BY o.created_at DESC, o.id DESC) AS n
		FROM (`+strings.Join(branches, " UNION ALL ")+`) hit
		JOIN cert_observables o ON o.id = hit.observable_id JOIN cert_cases c ON c.id = o.case_id
		WHERE `+where+`) ranked WHERE n <= `+args.Add(limit), args.List()...)
	if err != nil {
		return nil, errs.Wrap("correlate", err)
	}
	defer rows.Close()
	type hit struct {
		Match
		at time.Time
	}
	found := make([][]hit, len(groups))
	for rows.Next() {
		var h hit
		var tag, marking string
		if err := rows.Scan(&tag, &h.ID, &h.Kind, &h.Value, &marking, &h.CaseID, &h.CaseTitle, &h.at); err != nil {
			return nil, errs.Wrap("correlate", err)
		}
		h.Marking = sharing.Marking(marking)
		for _, g := range byTag[tag] {
			found[g] = append(found[g], h)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap("correlate", err)
	}
	for g, hits := range found {
		slices.SortFunc(hits, func(a, b hit) int {
			if c := b.at.Compare(a.at); c != 0 {
				return c
			}
			return strings.Compare(b.ID, a.ID)
		})
		out[g] = []Match{}
		for i, h := range hits {
			if i > 0 && h.ID == hits[i-1].ID {
				continue // found by two of its terms
			}
			if len(out[g]) == limit {
				break
			}
			out[g] = append(out[g], h.Match)
		}
	}
	return out, nil
}
