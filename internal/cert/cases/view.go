package cases

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
)

// duration writes a clock duration in hours and minutes, in p's language.
func duration(p *i18n.Printer, d time.Duration) string {
	if d < 0 {
		d = -d
	}
	m := int(d / time.Minute)
	return p.T("cert.cases.sla.duration", "h", itoa(m/60), "m", itoa(m%60))
}

// slaLine is one SLA target as a page shows it.
type slaLine struct {
	Text     string
	Breached bool
	Met      bool
}

// slaView is where a case stands, written for a reader.
type slaView struct {
	Paused  bool
	Ack     slaLine
	Resolve slaLine
}

func viewSLA(p *i18n.Printer, c *Case, now time.Time) slaView {
	sla := c.SLAAt(now)
	line := func(k Clock, name string) slaLine {
		key := "cert.cases.sla." + name + "_left"
		switch {
		case k.Met && k.Breached:
			key = "cert.cases.sla." + name + "_late"
		case k.Met:
			key = "cert.cases.sla." + name + "_met"
		case k.Breached:
			key = "cert.cases.sla." + name + "_breached"
		}
		shown := k.Left
		if k.Met {
			shown = k.Took
		}
		return slaLine{Text: p.T(key, "time", duration(p, shown)), Breached: k.Breached, Met: k.Met}
	}
	return slaView{Paused: sla.Paused, Ack: line(sla.Ack, "ack"), Resolve: line(sla.Resolve, "resolve")}
}

// eventText writes a timeline entry for a reader; names maps user ids to names.
func eventText(p *i18n.Printer, ev Event, names map[string]string) string {
	d := ev.Data
	status := func(s string) string { return p.T("cert.cases.status." + s) }
	tlp := func(m string) string { return sharing.Marking(m).TLP() }
	switch ev.Kind {
	case "created":
		return p.T("cert.cases.event.created", "status", status(d["status"]), "marking", tlp(d["marking"]))
	case "status":
		return p.T("cert.cases.event.status", "from", status(d["from"]), "to", status(d["to"]))
	case "assigned":
		if d["to"] == "" {
			return p.T("cert.cases.event.unassigned")
		}
		name := names[d["to"]]
		if name == "" {
			name = "—"
		}
		return p.T("cert.cases.event.assigned", "name", name)
	case "marking", "marking_restored":
		return p.T("cert.cases.event."+ev.Kind, "from", tlp(d["from"]), "to", tlp(d["to"]))
	case "peer_marking":
		return p.T("cert.cases.event.peer_marking", "team", d["team"], "from", tlp(d["from"]), "to", tlp(d["to"]))
	case "edited":
		var fields []string
		for _, f := range strings.Fields(d["fields"]) {
			fields = append(fields, p.T("cert.cases.field."+f))
		}
		return p.T("cert.cases.event.edited", "fields", strings.Join(fields, ", "))
	case "task_added", "task_done", "task_reopened", "task_edited":
		return p.T("cert.cases.event."+ev.Kind, "task", d["task"])
	case "handover_sent", "handover_received":
		return p.T("cert.cases.event."+ev.Kind, "team", d["team"], "marking", tlp(d["marking"]))
	case "handover_accepted", "handover_declined", "handover_withdrawn", "handover_edited":
		return p.T("cert.cases.event."+ev.Kind, "team", d["team"])
	case "sla_breach":
		return p.T("cert.cases.event.sla_breach_" + d["which"])
	}
	return ev.Kind
}

// option is one choice of a menu.
type option struct{ Code, Name string }

var countryCache sync.Map // lang → []option

// countryOptions are all countries by their names in p's language.
func countryOptions(p *i18n.Printer) []option {
	if v, ok := countryCache.Load(p.Lang); ok {
		return v.([]option)
	}
	var list []option
	for _, c := range geo.All() {
		list = append(list, option{Code: c.Code, Name: c.Name(p.Lang)})
	}
	col := collate.New(language.Make(p.Lang))
	slices.SortFunc(list, func(a, b option) int { return col.CompareString(a.Name, b.Name) })
	countryCache.Store(p.Lang, list)
	return list
}

func countryName(p *i18n.Printer, code string) string {
	if c, ok := geo.Lookup(code); ok {
		return c.Name(p.Lang)
	}
	return code
}

// markingsFrom are the markings from floor up.
func markingsFrom(floor sharing.Marking) []sharing.Marking {
	var out []sharing.Marking
	for _, m := range sharing.Markings {
		if floor == "" || m.Rank() >= floor.Rank() {
			out = append(out, m)
		}
	}
	return out
}

// receivers are the vetted CERT teams a case of orgID may be handed to.
func (s *Service) receivers(ctx context.Context, p *i18n.Printer, orgID string) ([]option, error) {
	vetted, err := s.Cert.Vetted(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, slug, name, country FROM orgs WHERE kind IN ($1, $2) AND id <> $3 ORDER BY name, id LIMIT 1000`,
		string(org.NationalCERT), string(org.SectorCERT), orgID)
	if err != nil {
		return nil, errs.Wrap("receiving teams", err)
	}
	defer rows.Close()
	var out []option
	for rows.Next() {
		var id, slug, name, country string
		if err := rows.Scan(&id, &slug, &name, &country); err != nil {
			return nil, errs.Wrap("receiving teams", err)
		}
		if vetted[id] {
			out = append(out, option{Code: slug, Name: name + " (" + countryName(p, country) + ")"})
		}
	}
	return out, errs.Wrap("receiving teams", rows.Err())
}

// renamed returns err with its fields renamed as a page's form names them.
func renamed(err error, names map[string]string) error {
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	fields := map[string]string{}
	for k, v := range e.Fields {
		if n, ok := names[k]; ok {
			k = n
		}
		fields[k] = v
	}
	return errs.Field("cert.cases", fields)
}

// caseExport is what the STIX export carries from the case itself.
func caseExport(c *Case) cert.CaseExport {
	return cert.CaseExport{ID: c.ID, Title: c.Title, Summary: c.Summary, Category: c.Category, Severity: c.Severity, Status: c.Status,
		Marking: c.Marking, Created: c.CreatedAt, Modified: c.UpdatedAt, TeamID: c.OwnerOrg, TeamName: c.OwnerName,
		Countries: c.Countries, Sectors: c.Sectors, Resolved: c.ResolvedAt}
}

// classView is an RSIT class with its types, named for a reader.
type classView struct {
	Name  string
	Types []option
}

func taxonomyIn(p *i18n.Printer) []classView {
	out := make([]classView, 0, len(Taxonomy))
	for _, c := range Taxonomy {
		cv := classView{Name: p.T(ClassKey(c.Name))}
		for _, t := range c.Types {
			cv.Types = append(cv.Types, option{Code: t, Name: p.T(TypeKey(t))})
		}
		out = append(out, cv)
	}
	return out
}
