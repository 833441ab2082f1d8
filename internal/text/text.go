// Package text is text in several languages: names, titles and
// descriptions that an organisation writes in one language and others
// translate. The original language is recorded, each translation says who
// made it, and a reader gets their own language, then English, then the
// original.
package text

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/i18n"
)

// Version is the text in one language.
type Version struct {
	Text string    `json:"text"`
	By   string    `json:"by,omitempty"` // who wrote or translated it: a person id, or "machine"
	At   time.Time `json:"at"`
}

// Text is one piece of text in several languages. It is stored as JSON in
// a TEXT column (it implements sql.Scanner and driver.Valuer).
type Text struct {
	Original string             `json:"original"` // the language it was written in
	Versions map[string]Version `json:"versions"`
}

// New returns text written in lang.
func New(lang, s, by string, at time.Time) Text {
	return Text{Original: lang, Versions: map[string]Version{lang: {Text: s, By: by, At: at}}}
}

// In returns the text for a reader of lang — their language, then
// English, then the original — and the language it is in.
func (t Text) In(lang string) (string, string) {
	for _, l := range []string{lang, i18n.Default, t.Original} {
		if v, ok := t.Versions[l]; ok && v.Text != "" {
			return v.Text, l
		}
	}
	return "", ""
}

// String is the original text.
func (t Text) String() string { return t.Versions[t.Original].Text }

// IsZero reports whether there is no text at all.
func (t Text) IsZero() bool { return t.String() == "" }

// All returns every version joined, for search indexing.
func (t Text) All() string {
	var b strings.Builder
	for _, l := range i18n.Langs {
		if v, ok := t.Versions[l]; ok && v.Text != "" {
			b.WriteString(v.Text)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// Value stores the text as JSON.
func (t Text) Value() (driver.Value, error) {
	b, err := json.Marshal(t)
	return string(b), err
}

// Scan reads the text from JSON.
func (t *Text) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	case nil:
		*t = Text{}
		return nil
	default:
		return errors.New("text: cannot scan this column")
	}
	return json.Unmarshal(b, t)
}

// Limits of a field.
type Limits struct {
	Required bool
	Max      int // characters per language
}

// FromForm reads a translatable field written side by side: NAME.LANG for
// each language and NAME.original naming the original language. Versions
// that did not change keep their author; new or changed ones are by `by`.
// Errors are keyed by NAME (and NAME.LANG for a language at fault).
func FromForm(values url.Values, name string, prev Text, lim Limits, by string, now time.Time) (Text, map[string]string) {
	fields := map[string]string{}
	orig := values.Get(name + ".original")
	if orig == "" {
		orig = prev.Original
	}
	if !i18n.Supported(orig) {
		fields[name] = "text.error.original"
		return prev, fields
	}
	out := Text{Original: orig, Versions: map[string]Version{}}
	for _, l := range i18n.Langs {
		s := strings.TrimSpace(values.Get(name + "." + l))
		if s == "" {
			continue
		}
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			fields[name+"."+l] = "error.encoding"
			continue
		}
		if lim.Max > 0 && utf8.RuneCountInString(s) > lim.Max {
			fields[name+"."+l] = "text.error.long"
			continue
		}
		v := Version{Text: s, By: by, At: now}
		if old, ok := prev.Versions[l]; ok && old.Text == s {
			v = old
		}
		out.Versions[l] = v
	}
	if _, ok := out.Versions[orig]; !ok && lim.Required && fields[name+"."+orig] == "" {
		fields[name+"."+orig] = "text.error.required"
	}
	if len(fields) > 0 {
		return prev, fields
	}
	return out, nil
}

// Input is translatable text as forms and the API give it: the language
// it was written in and its versions by language, without authors (the
// service records who wrote what).
type Input struct {
	Original string            `json:"original"`
	Texts    map[string]string `json:"texts"`
}

// InputOf is the input that would give t, the base of an edit.
func InputOf(t Text) Input {
	out := Input{Original: t.Original, Texts: map[string]string{}}
	for l, v := range t.Versions {
		out.Texts[l] = v.Text
	}
	return out
}

// InputFrom reads a side-by-side field (NAME.original, NAME.LANG) of a form.
func InputFrom(values url.Values, name string) Input {
	in := Input{Original: values.Get(name + ".original"), Texts: map[string]string{}}
	for _, l := range i18n.Langs {
		if v, ok := values[name+"."+l]; ok && len(v) > 0 {
			in.Texts[l] = v[0]
		}
	}
	return in
}

// Values writes the input as the side-by-side form's fields.
func (in Input) Values(name string, into url.Values) {
	into.Set(name+".original", in.Original)
	for l, s := range in.Texts {
		into.Set(name+"."+l, s)
	}
}

// Apply makes the text from the input by FromForm's rules, so that forms
// and the API keep the same ones; a language the platform does not speak
// is refused.
func (in Input) Apply(name string, prev Text, lim Limits, by string, now time.Time) (Text, map[string]string) {
	vals := url.Values{name + ".original": {in.Original}}
	for l, s := range in.Texts {
		if !i18n.Supported(l) {
			return prev, map[string]string{name: "text.error.language"}
		}
		vals.Set(name+"."+l, s)
	}
	return FromForm(vals, name, prev, lim, by, now)
}

// Check validates text given through the API.
func (t Text) Check(lim Limits) error {
	if t.Original != "" && !i18n.Supported(t.Original) {
		return errs.Field("text", map[string]string{"original": "text.error.original"})
	}
	for l, v := range t.Versions {
		if !i18n.Supported(l) {
			return errs.Field("text", map[string]string{"versions": "text.error.language"})
		}
		if lim.Max > 0 && utf8.RuneCountInString(v.Text) > lim.Max {
			return errs.Field("text", map[string]string{l: "text.error.long"})
		}
	}
	if lim.Required && t.IsZero() {
		return errs.Field("text", map[string]string{t.Original: "text.error.required"})
	}
	return nil
}
