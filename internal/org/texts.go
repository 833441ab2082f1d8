package org

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

// An organisation's name and description are text in several languages
// (internal/text): written in one, translated into others, each version
// saying who wrote it. These are their limits, per language, in characters.
const (
	MaxName        = 200
	MaxDescription = 4000
)

// Shown is a translatable text as one reader sees it: in their language,
// else English, else the original, with the language it is in and that
// language's direction, for the lang and dir attributes.
type Shown struct {
	Text, Lang, Dir string
	Original        bool // the reader sees the original, not a translation
}

func shown(t text.Text, lang string) Shown {
	s, l := t.In(lang)
	if s == "" {
		return Shown{}
	}
	return Shown{Text: s, Lang: l, Dir: i18n.Dir(l), Original: l == t.Original}
}

// NameIn is the organisation's name for a reader of lang.
func (o Org) NameIn(lang string) Shown { return shown(o.Names, lang) }

// DescriptionIn is the organisation's description for a reader of lang.
func (o Org) DescriptionIn(lang string) Shown { return shown(o.Description, lang) }

// revise returns the text as submitted, each version trimmed and blank ones
// dropped. A version whose text did not change keeps its author and time;
// a new or changed one is by `by`, now, whatever the submission claimed.
func revise(prev, in text.Text, by string, now time.Time) text.Text {
	out := text.Text{Original: in.Original, Versions: map[string]text.Version{}}
	if out.Original == "" {
		out.Original = prev.Original
	}
	for l, v := range in.Versions {
		s := strings.TrimSpace(v.Text)
		if s == "" {
			continue
		}
		if old, ok := prev.Versions[l]; ok && old.Text == s {
			out.Versions[l] = old
			continue
		}
		out.Versions[l] = text.Version{Text: s, By: by, At: now}
	}
	return out
}

// textRule is what one translatable field accepts.
type textRule struct {
	field    string // the form field; errors are keyed field and field.LANG
	max      int
	required bool   // the original-language version must exist even when no version does
	oneLine  bool   // no line breaks or tabs
	tooLong  string // message key of a version over max
}

var (
	nameRule        = textRule{field: "name", max: MaxName, required: true, oneLine: true, tooLong: "org.error.name_long"}
	descriptionRule = textRule{field: "description", max: MaxDescription, tooLong: "org.error.description"}
)

// check records in fields what is wrong with t: an original language that
// is not one of the platform's, a version in another language, one too long
// or holding control characters (line breaks too, for one-line fields), or
// no version in the original language — which a text that has any version
// always needs, since readers fall back to it.
func (r textRule) check(t text.Text, fields map[string]string) {
	if !i18n.Supported(t.Original) {
		fields[r.field] = "text.error.original"
		return
	}
	for l, v := range t.Versions {
		key := r.field + "." + l
		switch {
		case !i18n.Supported(l):
			fields[r.field] = "text.error.language"
		case utf8.RuneCountInString(v.Text) > r.max:
			fields[key] = r.tooLong
		case !web.CleanText(v.Text):
			fields[key] = "org.error.control"
		case r.oneLine && strings.ContainsAny(v.Text, "\t\r\n"):
			fields[key] = "org.error.one_line"
		}
	}
	if _, ok := t.Versions[t.Original]; !ok && (r.required || len(t.Versions) > 0) {
		fields[r.field+"."+t.Original] = "text.error.required"
	}
}

// plainText is text given as one string in lang.
func plainText(lang, s string) text.Text {
	if lang == "" {
		lang = i18n.Default
	}
	return text.Text{Original: lang, Versions: map[string]text.Version{lang: {Text: s}}}
}

// NamesOf reads an organisation's names column (raw) for code that
// selects it itself: a row written without names (raw "", or no
// versions) has its stored name, in the default language, as its only
// name.
func NamesOf(name, raw string) (text.Text, error) {
	t, err := decodeText(raw)
	if err != nil {
		return t, err
	}
	if len(t.Versions) == 0 {
		t = plainText(i18n.Default, name)
	}
	return t, nil
}

// decodeText reads a text column; rows written before the column existed
// (or by code that does not know it) hold "".
func decodeText(raw string) (text.Text, error) {
	var t text.Text
	if raw == "" {
		return t, nil
	}
	err := t.Scan(raw)
	return t, err
}

// formText reads a translatable field written side by side: NAME.original
// and NAME.LANG for each language (the web layer's "textfield" partial).
func formText(f *web.Form, name string) text.Text {
	t := text.Text{Original: f.Trimmed(name + ".original"), Versions: map[string]text.Version{}}
	for _, l := range i18n.Langs {
		if s := f.Value(name + "." + l); s != "" {
			t.Versions[l] = text.Version{Text: s}
		}
	}
	return t
}

// formValues writes a translatable field into form values, for editing.
func formValues(values map[string][]string, name string, t text.Text) {
	values[name+".original"] = []string{t.Original}
	for l, v := range t.Versions {
		values[name+"."+l] = []string{v.Text}
	}
}

// withoutAuthors returns t without who wrote each version: person ids are
// shown to the organisation's members only.
func withoutAuthors(t text.Text) text.Text {
	out := text.Text{Original: t.Original, Versions: make(map[string]text.Version, len(t.Versions))}
	for l, v := range t.Versions {
		v.By = ""
		out.Versions[l] = v
	}
	return out
}

// authors lists the people who wrote the versions of texts, once each.
func authors(texts ...text.Text) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range texts {
		for _, l := range slices.Sorted(maps.Keys(t.Versions)) {
			if by := t.Versions[l].By; by != "" && by != "machine" && !seen[by] {
				seen[by] = true
				out = append(out, by)
			}
		}
	}
	return out
}

// Version is one version of an organisation's name or description as its
// members see it on the profile: its language, whether it is the original
// or a translation, and who wrote it.
type Version struct {
	Lang, LangName, Dir string
	Text                string // the name; a description's text is left out
	Original            bool
	Machine             bool      // translated by machine
	By                  string    // the author's name; "" when unknown or their account is gone
	At                  time.Time // zero when unknown (texts from before translations)
}

// Versions are the versions of one field, "name" or "description".
type Versions struct {
	Field    string
	Versions []Version
}

// versions lists every version of the organisation's name and description,
// in the languages' menu order, with their authors' names.
func (s *Service) versions(ctx context.Context, o *Org) ([]Versions, error) {
	people, err := s.peopleNames(ctx, authors(o.Names, o.Description))
	if err != nil {
		return nil, err
	}
	var out []Versions
	for _, f := range []struct {
		field string
		t     text.Text
	}{{"name", o.Names}, {"description", o.Description}} {
		group := Versions{Field: f.field}
		for _, l := range i18n.Langs {
			v, ok := f.t.Versions[l]
			if !ok {
				continue
			}
			row := Version{Lang: l, LangName: i18n.Native[l], Dir: i18n.Dir(l), Original: l == f.t.Original,
				Machine: v.By == "machine", By: people[v.By], At: v.At}
			if f.field == "name" {
				row.Text = v.Text
			}
			group.Versions = append(group.Versions, row)
		}
		if len(group.Versions) > 0 {
			out = append(out, group)
		}
	}
	return out, nil
}

// peopleNames returns the names of the people with the given ids whose
// accounts exist.
func (s *Service) peopleNames(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := &db.Args{}
	marks := make([]string, len(ids))
	for i, id := range ids {
		marks[i] = args.Add(id)
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, name FROM users WHERE deleted_at IS NULL AND id IN (`+strings.Join(marks, ", ")+`)`, args.List()...)
	if err != nil {
		return nil, errs.Wrap("authors", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, errs.Wrap("authors", err)
		}
		out[id] = name
	}
	return out, errs.Wrap("authors", rows.Err())
}
