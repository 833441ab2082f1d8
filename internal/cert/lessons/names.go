package lessons

import (
	"context"
	"slices"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

// Teams' names are translatable text (org.Org.Names): pages and the API
// show each in the reader's language, else English, else the original,
// with the language it is in. The names on a page are read in one query.

// teamNames are organisations' names as one reader sees them, by id; an
// id missing from it has the zero org.Shown, an empty name.
type teamNames map[string]org.Shown

// namesIn reads the names of the organisations ids for a reader of lang.
func (s *Service) namesIn(ctx context.Context, lang string, ids ...string) (teamNames, error) {
	orgs, err := s.Cert.Orgs.ByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(teamNames, len(orgs))
	for id, o := range orgs {
		out[id] = o.NameIn(lang)
	}
	return out, nil
}

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
	names, err := s.namesIn(ctx, lang, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]teamOption, len(ms))
	for i, m := range ms {
		out[i] = teamOption{ID: m.OrgID, Name: names[m.OrgID]}
	}
	col := collate.New(language.Make(lang))
	slices.SortStableFunc(out, func(a, b teamOption) int { return col.CompareString(a.Name.Text, b.Name.Text) })
	return out, nil
}
