package cases

import (
	"fmt"
	"html/template"
	"strings"

	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/org"
)

// Teams' names are translatable text (org.Org.Names): a page shows each in
// its reader's language, else English, else the original, with the
// language it is in. The names on a page are read in one query.

// teamOption is a team in a menu: its name as the reader sees it and,
// in the hand-over form, its country.
type teamOption struct {
	Code    string // what the form sends: the team's id, or its slug
	Name    org.Shown
	Country string
}

// Label is the option's text with the country: the name is isolated so
// that a name written right to left does not carry the country with it
// (an option holds text only, no element to carry lang and dir).
func (o teamOption) Label() string {
	return "\u2068" + o.Name.Text + "\u2069 (" + o.Country + ")"
}

// sortTeams orders a menu of teams by their names as a reader of lang
// sorts them.
func sortTeams(list []teamOption, lang string) {
	org.SortByName(list, lang, func(o teamOption) org.Shown { return o.Name })
}

// sentence is the message key in p's language as HTML, its {slots} filled
// with args (name, value pairs): an organisation's name (org.Shown) goes
// in a bdi element carrying its language and direction, any other value
// is written as text.
func sentence(p *i18n.Printer, key string, args ...any) template.HTML {
	msg := template.HTMLEscapeString(p.T(key)) // without arguments the {slots} stay, and escaping leaves them be
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		name, _ := args[i].(string)
		var val string
		switch x := args[i+1].(type) {
		case org.Shown:
			val = `<bdi lang="` + template.HTMLEscapeString(x.Lang) + `" dir="` + template.HTMLEscapeString(x.Dir) + `">` +
				template.HTMLEscapeString(x.Text) + `</bdi>`
		case string:
			val = template.HTMLEscapeString(x)
		default:
			val = template.HTMLEscapeString(fmt.Sprint(x))
		}
		pairs = append(pairs, "{"+name+"}", val)
	}
	return template.HTML(strings.NewReplacer(pairs...).Replace(msg))
}

// plain is args with organisations' names as their text, for p.T.
func plain(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if n, ok := a.(org.Shown); ok {
			a = n.Text
		}
		out[i] = a
	}
	return out
}
