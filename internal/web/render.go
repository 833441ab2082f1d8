package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/i18n"
)

// View is what every page template receives: the page's own data in .Data
// and the shell's in the rest.
type View struct {
	*i18n.Printer
	Viewer     *Viewer
	Data       any
	Form       *Form
	Path       string
	Query      string
	Stylesheet string
	Nav        []NavItem
	Langs      []LangLink
	Flash      string
	Status     int
	Now        time.Time
	Location   *time.Location
	Head       template.HTML // alternate links, JSON-LD: built by handlers, never from user text
}

// LangLink is one entry of the language menu.
type LangLink struct {
	Code, Name, Href string
	Current          bool
}

// Render writes page with status and data.
func (s *Site) Render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	s.RenderForm(w, r, status, page, data, nil)
}

// RenderForm writes page with a form's values and errors.
func (s *Site) RenderForm(w http.ResponseWriter, r *http.Request, status int, page string, data any, form *Form) {
	v := s.view(r, data, form)
	v.Status = status
	buf, err := s.renderTo(page, v)
	if err != nil {
		s.Log.Error("render", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if v.Flash != "" {
		clearFlash(w, r) // shown once
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// Fragment renders the "main" template of page with data as HTML to embed
// in another module's page: a module's section of a record page (the files
// a record holds, say) without the layout around it.
func (s *Site) Fragment(r *http.Request, page string, data any) (template.HTML, error) {
	t, ok := s.pages[page]
	if !ok {
		return "", fmt.Errorf("web: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "main", s.view(r, data, nil)); err != nil {
		return "", fmt.Errorf("render %s: %w", page, err)
	}
	return template.HTML(buf.String()), nil
}

func (s *Site) view(r *http.Request, data any, form *Form) *View {
	p := PrinterOf(r)
	if p == nil {
		p = s.Catalog.Printer(i18n.Default)
	}
	vw := ViewerOf(r)
	loc := vw.Location()
	v := &View{Printer: p, Viewer: vw, Data: data, Form: form, Path: r.URL.Path,
		Stylesheet: s.css.URL(), Now: s.Clock.Now(), Location: loc}
	if v.Form == nil {
		v.Form = &Form{}
	}
	for _, n := range s.nav {
		if (n.Signed && vw == nil) || (n.Admin && !vw.IsAdmin()) || (n.Role != "" && !vw.HasRole(n.Role)) || (n.Show != nil && (vw == nil || !n.Show(vw))) {
			continue
		}
		if n.Badge != nil && vw != nil {
			n.Count = n.Badge(r.Context(), vw)
		}
		v.Nav = append(v.Nav, n)
	}
	q := r.URL.Query()
	for _, l := range i18n.Langs {
		q.Set("lang", l)
		v.Langs = append(v.Langs, LangLink{Code: l, Name: i18n.Native[l], Href: r.URL.Path + "?" + q.Encode(), Current: l == p.Lang})
	}
	if c, err := r.Cookie(flashCookie); err == nil {
		v.Flash = c.Value
	}
	return v
}

const flashCookie = "flash"

// Redirect sends the browser to path after a successful form, with an
// optional message key shown once on the next page.
func (s *Site) Redirect(w http.ResponseWriter, r *http.Request, path, flashKey string) {
	if flashKey != "" {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: flashKey, Path: "/", MaxAge: 30,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// clearFlash removes the flash cookie once a page has shown it.
func clearFlash(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(flashCookie); err == nil {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1})
	}
}

var notFound = errs.E("web", errs.NotFound, "error.not_found")

// NotFound answers 404 in the reader's language (or JSON for APIs).
func (s *Site) NotFound(w http.ResponseWriter, r *http.Request) { s.Fail(w, r, notFound) }

// Fail answers with err: a JSON error under /api/, an error page otherwise.
// Internal errors are logged in full and shown only as "internal error".
func (s *Site) Fail(w http.ResponseWriter, r *http.Request, err error) {
	status := errs.Status(err)
	if status >= 500 {
		s.Log.Error("request failed", "method", r.Method, "route", r.Pattern, "err", err)
	}
	if IsAPI(r) || s.errorWriterFor(r) != nil {
		s.FailJSON(w, r, err)
		return
	}
	p := PrinterOf(r)
	if p == nil {
		p = s.Catalog.Printer(i18n.Default)
	}
	s.Render(w, r, status, "error", map[string]any{"Message": p.T(errs.KeyOf(err), argsOf(err)...)})
}

// FailJSON answers with the platform's JSON error shape.
func (s *Site) FailJSON(w http.ResponseWriter, r *http.Request, err error) {
	if write := s.errorWriterFor(r); write != nil {
		write(w, r, err)
		return
	}
	p := PrinterOf(r)
	if p == nil {
		p = s.Catalog.Printer(i18n.Default)
	}
	body := map[string]any{"code": string(errs.CodeOf(err)), "message": p.T(errs.KeyOf(err), argsOf(err)...)}
	var e *errs.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		fields := map[string]string{}
		for f, k := range e.Fields {
			fields[f] = p.T(k)
		}
		body["fields"] = fields
	}
	if errs.CodeOf(err) == errs.Unauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="harambee"`)
	}
	JSON(w, errs.Status(err), map[string]any{"error": body})
}

func argsOf(err error) []any {
	var e *errs.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []any
	for k, v := range e.Args {
		out = append(out, k, v)
	}
	return out
}

// IsAPI reports whether r is for the JSON API.
func IsAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/")
}

// JSON writes v as JSON with status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// List is the shape of every list the API returns.
type List[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next"`
}

// NewList builds a list, with next set when a further page exists.
func NewList[T any](items []T, next string) List[T] {
	if items == nil {
		items = []T{}
	}
	l := List[T]{Items: items}
	if next != "" {
		l.Next = &next
	}
	return l
}

// LocalPath returns p if it is a path on this site, else "/": redirects
// after sign-in never leave the site.
func LocalPath(p string) string {
	// Browsers read a backslash as a slash, and http.Redirect cleans the
	// path ("/./\\host" becomes "/\\host"), so both are refused outright.
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\") || !CleanText(p) || strings.ContainsAny(p, "\t\r\n") {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.IsAbs() || u.Host != "" || strings.HasPrefix(p, "//") || strings.HasPrefix(path.Clean(u.Path), "//") {
		return "/"
	}
	return p
}

// In returns t in the viewer's time zone.
func (v *View) In(t time.Time) time.Time { return t.In(v.Location) }
