package agreements

import (
	"encoding/csv"
	"net/http"
	"strings"
	"time"

	"harambee.africa/harambee/internal/web"
)

// csvHeader names the export's columns: stable, for machines.
var csvHeader = []string{"id", "url", "kind", "title", "title_language", "status", "parties", "signed_on", "effective_from",
	"expires_on", "sectors", "actions", "languages", "event_name", "event_city", "event_country", "event_date",
	"owner_org", "marking", "state"}

// exportCSV writes the agreements the viewer may see that pass the list's
// filters (and query), as CSV.
func (s *Service) exportCSV(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerOf(r)
	f := filterOf(r.URL.Query())
	if err := f.check(); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	today := day(s.Clock.Now())
	var out *csv.Writer
	begin := func() { // headers go out with the first row, so that an early error still gets an error page
		if out != nil {
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="agreements.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		out = csv.NewWriter(w)
		out.Write(csvHeader)
	}
	err := s.Each(r.Context(), v, f, func(a *Agreement) error {
		begin()
		var parties []string
		for _, p := range a.Parties {
			switch p.Kind {
			case PartyOrg:
				parties = append(parties, "org:"+p.OrgSlug)
			case PartyGovernment:
				parties = append(parties, "government:"+p.Country)
			default:
				name := "other:" + p.Name
				if p.Country != "" {
					name += " (" + p.Country + ")"
				}
				parties = append(parties, name)
			}
		}
		return out.Write(cells(a.ID, s.Site.BaseURL+a.Path(), a.Kind, a.TitlePlain, a.Title.Original, a.Status(today),
			strings.Join(parties, "; "), a.SignedOn.Format(time.DateOnly), dateString(a.EffectiveFrom), dateString(a.ExpiresOn),
			join(a.Sectors), join(a.Actions), join(a.Languages), a.Event.Name, a.Event.City, a.Event.Country, dateString(a.Event.Date),
			a.OwnerSlug, string(a.Marking), string(a.State)))
	})
	if err != nil {
		if out == nil {
			s.Site.Fail(w, r, err)
			return
		}
		s.Site.Log.Error("agreements export cut short", "err", err)
	}
	begin()
	out.Flush()
}

// cells defuses values a spreadsheet would read as a formula.
func cells(values ...string) []string {
	for i, v := range values {
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			values[i] = "'" + v
		}
	}
	return values
}
