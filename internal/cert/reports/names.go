package reports

import (
	"html/template"
	"strings"

	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/org"
)

// Organisations' names are translatable text (org.Org.Names): pages and
// the API show each in the reader's language, else English, else the
// original, with the language it is in. The names on a page are read in
// one query.

// teamSentence is the message key in p's language as HTML, its {slot}
// filled with a team's name in a bdi element carrying the name's language
// and direction.
func teamSentence(p *i18n.Printer, key, slot string, name org.Shown) template.HTML {
	msg := template.HTMLEscapeString(p.T(key)) // without arguments the {slot} stays, and escaping leaves it be
	bdi := `<bdi lang="` + template.HTMLEscapeString(name.Lang) + `" dir="` + template.HTMLEscapeString(name.Dir) + `">` +
		template.HTMLEscapeString(name.Text) + `</bdi>`
	return template.HTML(strings.ReplaceAll(msg, "{"+slot+"}", bdi))
}
