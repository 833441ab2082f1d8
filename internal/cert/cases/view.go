package cases

import (
	"context"
	"errors"
	"html/template"
	"slices"
	"strings"
	"time"

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

// eventMessage is a timeline entry's message key and arguments for a
// reader; people maps user ids to names, teams holds the names of the
// teams the entry names. The key is "" for a kind this version does not know.
func eventMessage(p *i18n.Printer, ev Event, people map[string]string, teams org.Names) (string, []any) {
	d := ev.Data
	status := func(s string) string { return p.T("cert.cases.status." + s) }
	tlp := func(m string) string { return sharing.Marking(m).TLP() }
	// The team named: by its id, in the reader's language; entries written
	// before ids were kept have only the name as it was then.
	team := func() any {
		if n, ok := teams[d["team_id"]]; ok && n.Text != "" {
			return n
		}
		return d["team"]
	}
	switch ev.Kind {
	case "created":
		return "cert.cases.event.created", []any{"status", status(d["status"]), "marking", tlp(d["marking"])}
	case "status":
		return "cert.cases.event.status", []any{"from", status(d["from"]), "to", status(d["to"])}
	case "assigned":
		if d["to"] == "" {
			return "cert.cases.event.unassigned", nil
		}
		name := people[d["to"]]
		if name == "" {
			name = "—"
		}
		return "cert.cases.event.assigned", []any{"name", name}
	case "marking", "marking_restored":
		return "cert.cases.event." + ev.Kind, []any{"from", tlp(d["from"]), "to", tlp(d["to"])}
	case "peer_marking":
		return "cert.cases.event.peer_marking", []any{"team", team(), "from", tlp(d["from"]), "to", tlp(d["to"])}
	case "edited":
		var fields []string
		for _, f := range strings.Fields(d["fields"]) {
			fields = append(fields, p.T("cert.cases.field."+f))
		}
		return "cert.cases.event.edited", []any{"fields", strings.Join(fields, ", ")}
	case "task_added", "task_done", "task_reopened", "task_edited":
		return "cert.cases.event." + ev.Kind, []any{"task", d["task"]}
	case "handover_sent", "handover_received":
		return "cert.cases.event." + ev.Kind, []any{"team", team(), "marking", tlp(d["marking"])}
	case "handover_accepted", "handover_declined", "handover_withdrawn", "handover_edited":
		return "cert.cases.event." + ev.Kind, []any{"team", team()}
	case "sla_breach":
		return "cert.cases.event.sla_breach_" + d["which"], nil
	}
	return "", nil
}

// eventText writes a timeline entry for a reader as plain text (the API).
func eventText(p *i18n.Printer, ev Event, people map[string]string, teams org.Names) string {
	key, args := eventMessage(p, ev, people, teams)
	if key == "" {
		return ev.Kind
	}
	return p.T(key, plain(args)...)
}

// eventHTML writes a timeline entry for a page, the teams it names marked
// with their names' language.
func eventHTML(p *i18n.Printer, ev Event, people map[string]string, teams org.Names) template.HTML {
	key, args := eventMessage(p, ev, people, teams)
	if key == "" {
		return template.HTML(template.HTMLEscapeString(ev.Kind))
	}
	return sentence(p, key, args...)
}

// eventTeams are the ids of the teams timeline entries name.
func eventTeams(events []Event) []string {
	var ids []string
	for _, ev := range events {
		if id := ev.Data["team_id"]; id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// option is one choice of a menu.
type option = i18n.Option

// countryOptions are all countries by their names in p's language.
func countryOptions(p *i18n.Printer) []option { return geo.Menu(p.Lang) }

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

// receivers are the vetted CERT teams a case of orgID may be handed to,
// by their names in p's language.
func (s *Service) receivers(ctx context.Context, p *i18n.Printer, orgID string) ([]teamOption, error) {
	vetted, err := s.Cert.Vetted(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(vetted))
	for id := range vetted {
		if id != orgID {
			ids = append(ids, id)
		}
	}
	orgs, err := s.Orgs.ByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]teamOption, 0, len(orgs))
	for _, o := range orgs {
		if cert.IsCERT(o.Kind) {
			out = append(out, teamOption{Code: o.Slug, Name: o.NameIn(p.Lang), Country: countryName(p, o.Country)})
		}
	}
	slices.SortFunc(out, func(a, b teamOption) int { return strings.Compare(a.Code, b.Code) }) // a stable order among equal names
	sortTeams(out, p.Lang)
	return out, nil
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
