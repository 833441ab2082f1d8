package observables

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/observable"
	"harambee.africa/harambee/internal/cert/stix"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// MaxExport bounds the observables of one export.
const MaxExport = 10_000

// idSpace derives the STIX ids of exported SDOs and SROs from the platform's
// ids (UUIDv5: the STIX schemas accept versions 1 to 5 only, and a second
// export of the same case gives the same ids, so consumers update rather
// than duplicate).
var idSpace = uuid.MustParse("6f1e7c53-2b8e-4d0a-9a43-54c1e0c7d1a9")

func stixID(typ, key string) string { return typ + "--" + uuid.NewSHA1(idSpace, []byte(key)).String() }

// scoNamespace is the UUIDv5 namespace STIX 2.1 fixes for SCO ids.
var scoNamespace = uuid.MustParse("00abedb4-aa42-466c-9c01-fed23315a9b7")

// The OASIS TLP 2.0 marking-definition objects, by level.
var tlpNames = map[stix.TLP]string{stix.TLPClear: "TLP:CLEAR", stix.TLPGreen: "TLP:GREEN", stix.TLPAmber: "TLP:AMBER",
	stix.TLPAmberStrict: "TLP:AMBER+STRICT", stix.TLPRed: "TLP:RED"}

func markingDefinition(t stix.TLP) (*stix.Object, error) {
	raw, err := json.Marshal(map[string]any{"type": "marking-definition", "spec_version": "2.1", "id": t.Marking(),
		"created": "2022-10-01T00:00:00.000Z", "name": tlpNames[t],
		"extensions": map[string]any{stix.TLP2Extension: map[string]any{"extension_type": "property-extension", "tlp_2_0": string(t)}}})
	if err != nil {
		return nil, err
	}
	return stix.ParseObject(raw)
}

// scoOf makes the STIX cyber-observable of a plain observable.
func scoOf(o *Observable) (*stix.Object, error) {
	switch observable.Kind(o.Kind) {
	case observable.IPv4, observable.CIDR4:
		return stix.NewObservable("ipv4-addr", o.Value)
	case observable.IPv6, observable.CIDR6:
		return stix.NewObservable("ipv6-addr", o.Value)
	case observable.Domain:
		return stix.NewObservable("domain-name", o.Value)
	case observable.URL:
		return stix.NewObservable("url", o.Value)
	case observable.Email:
		return stix.NewObservable("email-addr", o.Value)
	}
	// A file, by one hash or by its name: the id comes from that property.
	var props map[string]any
	switch observable.Kind(o.Kind) {
	case observable.MD5, observable.SHA1, observable.SHA256, observable.SHA512:
		alg := map[string]string{"md5": "MD5", "sha1": "SHA-1", "sha256": "SHA-256", "sha512": "SHA-512"}[o.Kind]
		props = map[string]any{"hashes": map[string]string{alg: o.Value}}
	case observable.Filename:
		props = map[string]any{"name": o.Value}
	default:
		return nil, errs.Wrap("export observable", errs.E("cert.observables", errs.Invalid, "cert.observables.error.kind"))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // ids are computed on the JCS form, which does not escape <>&
	if err := enc.Encode(props); err != nil {
		return nil, err
	}
	props["type"], props["spec_version"] = "file", "2.1"
	props["id"] = "file--" + uuid.NewSHA1(scoNamespace, bytes.TrimRight(buf.Bytes(), "\n")).String()
	buf.Reset()
	if err := enc.Encode(props); err != nil {
		return nil, err
	}
	return stix.ParseObject(bytes.TrimRight(buf.Bytes(), "\n"))
}

// investigationStatus maps a case's status to the Incident Core extension's.
func investigationStatus(status string) string {
	switch status {
	case cert.StatusNew, cert.StatusTriage:
		return "new"
	case cert.StatusResolved, cert.StatusClosed:
		return "closed"
	}
	return "open"
}

var criticality = map[string]int{"low": 25, "medium": 50, "high": 75, "critical": 100}

// stricter is the more restrictive of two markings.
func stricter(a, b sharing.Marking) sharing.Marking {
	if a.Rank() > b.Rank() {
		return a
	}
	return b
}

// exportable lists what an export of case c gives the viewer: the case's
// observables that the viewer sees with the case, or those of ids among
// them and among the ones handed to the viewer's teams.
func (s *Service) exportable(ctx context.Context, v *web.Viewer, caseID string, from, ids []string) ([]*Observable, error) {
	args := &db.Args{}
	now := s.Clock.Now()
	var where string
	if ids = dedupe(ids); len(ids) > 0 {
		// The chosen ones, among the case's and those handed to the viewer's teams.
		in := make([]string, len(ids))
		for i, id := range ids {
			in[i] = args.Add(id)
		}
		where = `o.id IN (` + strings.Join(in, ", ") + `) AND ` + visible(v, now, args)
		handed := `1 = 0`
		if v != nil {
			handed = handedTo(v, args)
		}
		where += ` AND (o.case_id = ` + args.Add(caseID) + ` OR ` + handed + `)`
	} else {
		where = `o.case_id = ` + args.Add(caseID) + ` AND ` + visibleWithCase(v, now, args)
		if from = dedupe(from); len(from) > 0 && v != nil {
			// What earlier teams handed to the viewer's organisation comes along.
			in := make([]string, len(from))
			for i, id := range from {
				in[i] = args.Add(id)
			}
			where = `((` + where + `) OR (o.case_id IN (` + strings.Join(in, ", ") + `) AND ` + sharing.Visible(Type, "o", v, now, args) +
				` AND ` + handedTo(v, args) + `))`
		}
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+columns+`, COALESCE(si.n, 0), si.first_seen, si.last_seen
		FROM cert_observables o JOIN cert_cases c ON c.id = o.case_id
		LEFT JOIN (SELECT observable_id, SUM(seen_count) AS n, MIN(first_seen) AS first_seen, MAX(last_seen) AS last_seen
			FROM cert_observable_sightings GROUP BY observable_id) si ON si.observable_id = o.id
		WHERE `+where+` ORDER BY o.created_at, o.id LIMIT `+args.Add(MaxExport), args.List()...)
	if err != nil {
		return nil, errs.Wrap("export observables", err)
	}
	defer rows.Close()
	var out []*Observable
	for rows.Next() {
		var n int
		var first, last sql.NullTime
		o, err := scanObservable(rows, &n, &first, &last)
		if err != nil {
			return nil, errs.Wrap("export observables", err)
		}
		o.seen = seen{count: n}
		if first.Valid && last.Valid {
			o.seen.first, o.seen.last = first.Time.UTC(), last.Time.UTC()
		}
		out = append(out, o)
	}
	return out, errs.Wrap("export observables", rows.Err())
}

// ExportCase writes a STIX 2.1 bundle of the case and of its observables
// the viewer may see (all of them when ids is empty): the team's identity,
// the incident with the OASIS Incident Core extension, indicators for
// patterns, observed-data over SCOs for plain observables, relationships
// to the incident, and the TLP 2.0 marking definitions they use.
func (s *Service) ExportCase(ctx context.Context, v *web.Viewer, c cert.CaseExport, ids []string) ([]byte, error) {
	if _, err := s.visibleCase(ctx, v, c.ID); err != nil {
		return nil, err
	}
	list, err := s.exportable(ctx, v, c.ID, c.From, ids)
	if err != nil {
		return nil, err
	}
	modified := c.Modified
	if modified.Before(c.Created) {
		modified = c.Created
	}
	var objects []*stix.Object
	used := map[stix.TLP]bool{}
	add := func(o *stix.Object, err error) error {
		if err != nil {
			return errs.Wrap("export case", err)
		}
		objects = append(objects, o)
		return nil
	}
	identity := stixID("identity", "team:"+c.TeamID)
	if err := add(stix.NewIdentity(stix.Common{ID: identity, Created: c.Created}, c.TeamName, "organization", nil)); err != nil {
		return nil, err
	}
	core := &stix.IncidentCore{Determination: "suspected", InvestigationStatus: investigationStatus(c.Status)}
	if n, ok := criticality[c.Severity]; ok {
		core.Criticality = &n
	}
	if c.Category != "" {
		core.IncidentTypes = []string{c.Category}
	}
	incident := stixID("incident", "case:"+c.ID)
	tlp := stix.TLP(c.Marking)
	used[tlp] = true
	if err := add(stix.NewIncident(stix.Common{ID: incident, Created: c.Created, Modified: modified, CreatedByRef: identity, TLP: tlp},
		c.Title, c.Summary, core)); err != nil {
		return nil, err
	}
	scos := map[string]bool{}
	for _, o := range list {
		t := stix.TLP(o.Marking)
		used[t] = true
		common := stix.Common{Created: o.CreatedAt, CreatedByRef: identity, TLP: t, Labels: o.Labels}
		var source string
		if o.IsIndicator() {
			common.ID = stixID("indicator", "observable:"+o.ID)
			from := o.CreatedAt
			if o.ValidFrom != nil {
				from = *o.ValidFrom
			}
			in := stix.Indicator{Name: o.Name, Pattern: o.Value, ValidFrom: from}
			if o.ValidUntil != nil && o.ValidUntil.After(from) {
				in.ValidUntil = *o.ValidUntil
			}
			if err := add(stix.NewIndicator(common, in)); err != nil {
				return nil, err
			}
			source = common.ID
		} else {
			sco, err := scoOf(o)
			if err != nil {
				return nil, errs.Wrap("export case", err)
			}
			if !scos[sco.ID] {
				scos[sco.ID] = true
				objects = append(objects, sco)
			}
			common.ID = stixID("observed-data", "observable:"+o.ID)
			first, last, count := o.CreatedAt, o.CreatedAt, 1
			if o.seen.count > 0 {
				first, last, count = o.seen.first, o.seen.last, min(o.seen.count, 999_999_999)
			}
			if err := add(stix.NewObservedData(common, first, last, count, []string{sco.ID})); err != nil {
				return nil, err
			}
			source = common.ID
		}
		rel := stix.Common{ID: stixID("relationship", "observable:"+o.ID+":incident"), Created: o.CreatedAt, CreatedByRef: identity,
			TLP: stix.TLP(stricter(o.Marking, c.Marking))}
		if err := add(stix.NewRelationship(rel, "related-to", source, incident, "")); err != nil {
			return nil, err
		}
	}
	var defs []*stix.Object
	for _, t := range []stix.TLP{stix.TLPClear, stix.TLPGreen, stix.TLPAmber, stix.TLPAmberStrict, stix.TLPRed} {
		if used[t] {
			d, err := markingDefinition(t)
			if err != nil {
				return nil, errs.Wrap("export case", err)
			}
			defs = append(defs, d)
		}
	}
	out, err := stix.NewBundle(append(defs, objects...)...).MarshalJSON()
	return out, errs.Wrap("export case", err)
}

// seen sums up the sightings of an exported observable.
type seen struct {
	count       int
	first, last time.Time
}
