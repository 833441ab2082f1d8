package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"harambee.africa/harambee/internal/errs"
)

// Form carries what the user typed and what was wrong with it, so that a
// page can show each error beside its field and keep the input.
type Form struct {
	Values url.Values
	Errors map[string]string // field → message key
}

// NewForm returns a form holding values.
func NewForm(values url.Values) *Form { return &Form{Values: values, Errors: map[string]string{}} }

// Value returns a submitted value.
func (f *Form) Value(name string) string {
	if f == nil || f.Values == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Error returns the message key of the field's error, if any.
func (f *Form) Error(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// Has reports whether any field has an error.
func (f *Form) Has() bool { return f != nil && len(f.Errors) > 0 }

// Set records an error for a field.
func (f *Form) Set(field, key string) {
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	if _, ok := f.Errors[field]; !ok {
		f.Errors[field] = key
	}
}

// Merge records the field errors of err; it reports false when err has none.
func (f *Form) Merge(err error) bool {
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return false
	}
	for k, v := range e.Fields {
		f.Set(k, v)
	}
	return true
}

// Trimmed returns a submitted value without surrounding space.
func (f *Form) Trimmed(name string) string { return strings.TrimSpace(f.Value(name)) }

var errEncoding = errs.E("form", errs.Invalid, "error.encoding")

// ParseForm reads a submitted form, refusing invalid UTF-8 and control
// characters other than tab and newlines.
func ParseForm(r *http.Request) (*Form, error) {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errs.E("form", errs.TooLarge, "error.too_large")
		}
		return nil, errs.E("form", errs.Invalid, "error.form_unreadable")
	}
	for _, vs := range r.PostForm {
		for _, v := range vs {
			if !CleanText(v) {
				return nil, errEncoding
			}
		}
	}
	return NewForm(r.PostForm), nil
}

// CleanText reports whether s is valid UTF-8 without control characters
// other than tab, carriage return and line feed.
func CleanText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return false
		}
	}
	return true
}

// DecodeJSON reads a JSON request body strictly: one object of known
// fields, valid UTF-8, within the body limit.
func DecodeJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errs.E("json", errs.TooLarge, "error.too_large")
		}
		return errs.E("json", errs.Invalid, "error.json_invalid")
	}
	if !utf8.Valid(body) {
		return errEncoding
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errs.E("json", errs.Invalid, "error.json_invalid").With(map[string]any{"detail": jsonDetail(err)})
	}
	if _, err := dec.Token(); err != io.EOF {
		return errs.E("json", errs.Invalid, "error.json_invalid").With(map[string]any{"detail": "trailing data"})
	}
	// \u escapes can carry control characters that forms refuse.
	if !cleanJSONStrings(body) {
		return errEncoding
	}
	return nil
}

// cleanJSONStrings reports whether every string in a valid JSON document
// is clean text.
func cleanJSONStrings(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return err == io.EOF
		}
		if s, ok := tok.(string); ok && !CleanText(s) {
			return false
		}
	}
}

// jsonDetail names what was wrong without echoing the input.
func jsonDetail(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "field " + te.Field + " must be " + te.Type.String()
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "syntax error at byte " + strconv.FormatInt(se.Offset, 10)
	}
	if strings.HasPrefix(err.Error(), "json: unknown field") {
		return strings.TrimPrefix(err.Error(), "json: ")
	}
	return "malformed body"
}

// Limit parses a list's limit parameter: 1 to 100, 20 when absent.
func Limit(raw string) (int, error) {
	if raw == "" {
		return 20, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > 100 {
		return 0, errs.E("limit", errs.Invalid, "error.limit")
	}
	return n, nil
}
