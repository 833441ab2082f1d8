// Package web is the platform's web shell: routing that remembers every
// route, the page layout and its templates, the stylesheet, security
// headers, compression, errors in the reader's language and JSON for APIs.
package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"

	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/i18n"
)

// Route is one registered route: a method and a path pattern as
// http.ServeMux understands them.
type Route struct {
	Method  string
	Path    string
	API     *Operation // nil for pages
	Handler http.Handler
}

// Pattern returns the ServeMux pattern of the route.
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// NavItem is one entry of the main navigation. Only modules that exist add one.
type NavItem struct {
	Key    string // message key of the label
	Path   string
	Signed bool   // shown only to signed-in people
	Admin  bool   // shown only to platform administrators
	Role   string // shown only to holders of this platform role
	// Show, when set, decides for a signed-in viewer (an entry for the
	// members of CERT teams, say); anonymous viewers do not see the entry.
	Show func(v *Viewer) bool
	// Badge counts what waits for the viewer there (unread notifications);
	// shown beside the label when above zero. Signed-in viewers only.
	Badge func(ctx context.Context, v *Viewer) int
	// Count is Badge's answer for the page being rendered.
	Count int
}

// Site holds everything the modules share to serve pages and APIs.
type Site struct {
	Log     *slog.Logger
	Clock   clock.Clock
	Catalog *i18n.Catalog
	BaseURL string
	// TrustedProxies are the networks whose X-Forwarded-For is believed.
	TrustedProxies []Prefix

	mux    *http.ServeMux
	mu     sync.Mutex
	limits map[string]int64 // body limits of upload routes, by pattern
	// crossOrigin are the patterns that take POSTs from other sites.
	crossOrigin []string
	routes      []Route
	nav         []NavItem
	base        *template.Template
	pages       map[string]*template.Template
	css         asset
	// errorsUnder answer the kernel's errors under path prefixes (ErrorsUnder).
	errorsUnder []errorWriter
}

type errorWriter struct {
	prefix string
	write  func(w http.ResponseWriter, r *http.Request, err error)
}

// ErrorsUnder lets a protocol with its own error format (TAXII 2.1) answer
// the errors that the kernel raises for requests under a path prefix before
// the protocol's handlers run: authentication refused (Fail, FailJSON) and
// bodies too large.
func (s *Site) ErrorsUnder(prefix string, write func(w http.ResponseWriter, r *http.Request, err error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errorsUnder = append(s.errorsUnder, errorWriter{prefix, write})
}

// errorWriterFor is the writer ErrorsUnder gave for r's path, or nil.
func (s *Site) errorWriterFor(r *http.Request) func(w http.ResponseWriter, r *http.Request, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.errorsUnder {
		if strings.HasPrefix(r.URL.Path, e.prefix) {
			return e.write
		}
	}
	return nil
}

// tooLarge answers a request whose declared body is over its route's limit.
func (s *Site) tooLarge(w http.ResponseWriter, r *http.Request) {
	if write := s.errorWriterFor(r); write != nil {
		write(w, r, errs.E("web", errs.TooLarge, "error.too_large"))
		return
	}
	http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
}

// NewSite builds a site with the layout templates and the stylesheet.
func NewSite(log *slog.Logger, clk clock.Clock, cat *i18n.Catalog, baseURL string) *Site {
	s := &Site{Log: log, Clock: clk, Catalog: cat, BaseURL: strings.TrimRight(baseURL, "/"),
		mux: http.NewServeMux(), pages: map[string]*template.Template{}}
	s.css = newAsset("site", "css", mustRead(staticFS, "static/site.css"))
	s.base = template.Must(template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	s.AddPages(templateFS, "templates/pages/*.html")
	s.Page("GET /static/{file}", http.HandlerFunc(s.serveStatic))
	return s
}

// Handle registers a page route. pattern is "METHOD /path".
func (s *Site) Page(pattern string, h http.Handler) {
	s.add(pattern, nil, h)
}

// PageFunc registers a page handler function.
func (s *Site) PageFunc(pattern string, h http.HandlerFunc) { s.Page(pattern, h) }

// API registers a JSON endpoint with its OpenAPI description.
func (s *Site) API(pattern string, op Operation, h http.HandlerFunc) {
	s.add(pattern, &op, h)
}

func (s *Site) add(pattern string, op *Operation, h http.Handler) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		panic("web: pattern without method: " + pattern)
	}
	s.mu.Lock()
	s.routes = append(s.routes, Route{Method: method, Path: path, API: op, Handler: h})
	s.mu.Unlock()
	s.mux.Handle(pattern, h)
}

// Routes returns every registered route, sorted by path then method.
func (s *Site) Routes() []Route {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]Route(nil), s.routes...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// Upload registers a route that accepts request bodies up to max bytes
// instead of MaxBody: file uploads. op is nil for a page route.
func (s *Site) Upload(pattern string, max int64, op *Operation, h http.HandlerFunc) {
	s.add(pattern, op, h)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limits == nil {
		s.limits = map[string]int64{}
	}
	s.limits[pattern] = max
}

// AllowCrossOrigin lets pattern take requests from other sites, past the
// cross-origin protection: for routes whose secret is in the URL and that
// must work from anywhere, like RFC 8058's one-click unsubscribe. Call it
// before Handler.
func (s *Site) AllowCrossOrigin(pattern string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.crossOrigin = append(s.crossOrigin, pattern)
}

// bodyLimit is the body limit of the request's route, or 0 for MaxBody.
func (s *Site) bodyLimit(r *http.Request) int64 {
	s.mu.Lock()
	n := len(s.limits)
	s.mu.Unlock()
	if n == 0 {
		return 0
	}
	_, pattern := s.mux.Handler(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limits[pattern]
}

// AddNav adds an entry to the main navigation.
func (s *Site) AddNav(items ...NavItem) { s.nav = append(s.nav, items...) }

// AddPages parses page templates (each defines "title" and "main") from
// fsys. A page's name is its file name without extension, prefixed by the
// module: pages from "account" are "account/signin".
func (s *Site) AddPages(fsys fs.FS, glob string) {
	files, err := fs.Glob(fsys, glob)
	if err != nil || len(files) == 0 {
		panic(fmt.Sprintf("web: no templates match %s", glob))
	}
	for _, f := range files {
		name := strings.TrimSuffix(f[strings.LastIndex(f, "/")+1:], ".html")
		if prefix := modulePrefix(glob); prefix != "" {
			name = prefix + "/" + name
		}
		t := template.Must(template.Must(s.base.Clone()).ParseFS(fsys, f))
		if _, dup := s.pages[name]; dup {
			panic("web: page defined twice: " + name)
		}
		s.pages[name] = t
	}
}

// modulePrefix derives "account" from "templates/account/*.html"; pages of
// the web shell itself ("templates/pages/*.html") have no prefix.
func modulePrefix(glob string) string {
	parts := strings.Split(glob, "/")
	if len(parts) < 2 {
		return ""
	}
	dir := parts[len(parts)-2]
	if dir == "pages" || dir == "templates" {
		return ""
	}
	return dir
}

// ServeHTTP serves a request through the middleware chain.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Handler returns the site wrapped in the platform middleware, with auth
// (supplied by the account module) inside the locale and security layers.
func (s *Site) Handler(auth func(http.Handler) http.Handler, m *Metrics) http.Handler {
	var h http.Handler = http.HandlerFunc(s.route)
	h = auth(h)
	h = s.withLocale(h)
	h = crossOrigin(h, s)
	h = limitBodyBy(s.bodyLimit, s.tooLarge, h)
	h = s.withClientIP(h)
	h = compress(h)
	h = securityHeaders(h)
	h = m.instrument(h)
	h = s.recoverPanics(h)
	return h
}

// route dispatches to the mux, answering unknown routes with a localized 404.
func (s *Site) route(w http.ResponseWriter, r *http.Request) {
	_, pattern := s.mux.Handler(r)
	noteRoute(r, pattern)
	if pattern == "" {
		// Let the mux answer 405 with Allow where the path exists for
		// another method; otherwise our own 404 page.
		if s.pathExists(r) {
			s.mux.ServeHTTP(w, r)
			return
		}
		s.Fail(w, r, notFound)
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Site) pathExists(r *http.Request) bool {
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe := r.Clone(context.Background())
		probe.Method = m
		if _, p := s.mux.Handler(probe); p != "" {
			return true
		}
	}
	return false
}

func mustRead(fsys fs.FS, name string) []byte {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		panic(err)
	}
	return b
}

// renderTo executes page into a buffer, so that a template error never
// sends half a page.
func (s *Site) renderTo(page string, v *View) (*bytes.Buffer, error) {
	t, ok := s.pages[page]
	if !ok {
		return nil, fmt.Errorf("web: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return nil, fmt.Errorf("render %s: %w", page, err)
	}
	return &buf, nil
}
