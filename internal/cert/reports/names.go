package reports

import (
	"context"
	"html/template"
	"strings"

	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

// Organisations' names are translatable text (org.Org.Names): pages and
// the API show each in the reader's language, else English, else the
// original, with the language it is in. The names on a page are read in
// one query.

// orgOption is one of the viewer's organisations in a menu.
type orgOption struct {
	ID   string
	Name org.Shown
}

// orgMenu is the organisations of ms by their names as a reader of lang
// sorts them.
func (s *Service) orgMenu(ctx context.Context, ms []web.Membership, lang string) ([]orgOption, error) {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.OrgID
	}
	names, err := s.Cert.Orgs.NamesIn(ctx, lang, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]orgOption, len(ms))
	for i, m := range ms {
		out[i] = orgOption{ID: m.OrgID, Name: names[m.OrgID]}
	}
	org.SortByName(out, lang, func(o orgOption) org.Shown { return o.Name })
	return out, nil
}

// teamSentence is the message key in p's language as HTML, its {slot}
// filled with a team's name in a bdi element carrying the name's language
// and direction.
func teamSentence(p *i18n.Printer, key, slot string, name org.Shown) template.HTML {
	msg := template.HTMLEscapeString(p.T(key)) // without arguments the {slot} stays, and escaping leaves it be
	bdi := `<bdi lang="` + template.HTMLEscapeString(name.Lang) + `" dir="` + template.HTMLEscapeString(name.Dir) + `">` +
		template.HTMLEscapeString(name.Text) + `</bdi>`
	return template.HTML(strings.ReplaceAll(msg, "{"+slot+"}", bdi))
}
