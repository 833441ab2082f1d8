package lessons

import (
	"context"

	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

// Teams' names are translatable text (org.Org.Names): pages and the API
// show each in the reader's language, else English, else the original,
// with the language it is in. The names on a page are read in one query.

// teamOption is one of the viewer's teams in the form's menu.
type teamOption struct {
	ID   string
	Name org.Shown
}

// teamMenu is the teams of ms by their names as a reader of lang sorts them.
func (s *Service) teamMenu(ctx context.Context, ms []web.Membership, lang string) ([]teamOption, error) {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.OrgID
	}
	names, err := s.Cert.Orgs.NamesIn(ctx, lang, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]teamOption, len(ms))
	for i, m := range ms {
		out[i] = teamOption{ID: m.OrgID, Name: names[m.OrgID]}
	}
	org.SortByName(out, lang, func(o teamOption) org.Shown { return o.Name })
	return out, nil
}
