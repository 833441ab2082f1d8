package matrix_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/sharing/matrix"
	"harambee.africa/harambee/internal/web"
)

// notes is the sample record type that proves the harness: a table with
// the sharing columns and the kinds of route modules have — a page list, a
// record page, a JSON list, a count, a search, a feed and a CSV export —
// each filtering with sharing.Visible.
type notes struct {
	e   *apptest.Env
	typ sharing.Type
}

func (n notes) insert(ctx context.Context, ownerOrg, text string) (string, error) {
	id := uuid.Must(uuid.NewV7()).String()
	_, err := n.e.App.DB.W.ExecContext(ctx, `INSERT INTO sample_notes (id, title, created_at, owner_org, marking, state)
		VALUES ($1, $2, $3, $4, 'amber', 'draft')`, id, text, n.e.Clock.Now(), ownerOrg)
	return id, err
}

// query selects the notes the viewer may see, matching q when given.
func (n notes) query(r *http.Request, q string, count bool) (string, []any) {
	args := &db.Args{}
	cond := sharing.Visible(n.typ, "t", web.ViewerOf(r), n.e.Clock.Now(), args)
	if q != "" {
		cond += ` AND t.title LIKE ` + args.Add("%"+q+"%")
	}
	if count {
		return `SELECT COUNT(*) FROM sample_notes t WHERE ` + cond, args.List()
	}
	return `SELECT t.id, t.title FROM sample_notes t WHERE ` + cond + ` ORDER BY t.id`, args.List()
}

func (n notes) list(w http.ResponseWriter, r *http.Request, q string) [][2]string {
	query, args := n.query(r, q, false)
	rows, err := n.e.App.DB.R.QueryContext(r.Context(), query, args...)
	if err != nil {
		panic(err)
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var id, title string
		rows.Scan(&id, &title)
		out = append(out, [2]string{id, title})
	}
	return out
}

func (n notes) mount(site *web.Site) {
	write := func(w http.ResponseWriter, ct string, rows [][2]string, line func(id, title string) string) {
		w.Header().Set("Content-Type", ct)
		for _, r := range rows {
			fmt.Fprint(w, line(r[0], r[1]))
		}
	}
	site.PageFunc("GET /sample/notes", func(w http.ResponseWriter, r *http.Request) {
		write(w, "text/html", n.list(w, r, ""), func(id, t string) string { return "<li>" + html.EscapeString(t) + "</li>" })
	})
	site.PageFunc("GET /sample/notes/{id}", func(w http.ResponseWriter, r *http.Request) {
		for _, row := range n.list(w, r, "") {
			if row[0] == r.PathValue("id") {
				fmt.Fprint(w, "<h1>"+html.EscapeString(row[1])+"</h1>")
				return
			}
		}
		site.NotFound(w, r)
	})
	site.PageFunc("GET /sample/search", func(w http.ResponseWriter, r *http.Request) {
		write(w, "text/html", n.list(w, r, r.URL.Query().Get("q")), func(id, t string) string { return "<li>" + t + "</li>" })
	})
	site.PageFunc("GET /sample/notes.atom", func(w http.ResponseWriter, r *http.Request) {
		write(w, "application/atom+xml", n.list(w, r, ""), func(id, t string) string { return "<entry><title>" + t + "</title></entry>" })
	})
	site.PageFunc("GET /sample/notes.csv", func(w http.ResponseWriter, r *http.Request) {
		write(w, "text/csv", n.list(w, r, ""), func(id, t string) string { return id + "," + t + "\n" })
	})
	site.PageFunc("GET /sample/count", func(w http.ResponseWriter, r *http.Request) {
		query, args := n.query(r, "", true)
		var c int
		n.e.App.DB.R.QueryRowContext(r.Context(), query, args...).Scan(&c)
		fmt.Fprint(w, c)
	})
	site.API("GET /api/v1/sample/notes", web.Operation{ID: "listSampleNotes", Tag: "sample", List: true}, func(w http.ResponseWriter, r *http.Request) {
		var items []map[string]string
		for _, row := range n.list(w, r, "") {
			items = append(items, map[string]string{"id": row[0], "title": row[1]})
		}
		web.JSON(w, 200, web.NewList(items, ""))
	})
}

func TestMatrixOnSampleNotes(t *testing.T) {
	e := apptest.Start(t)
	if _, err := e.App.DB.W.Exec(`CREATE TABLE sample_notes (id TEXT PRIMARY KEY, title TEXT NOT NULL, created_at TIMESTAMP NOT NULL, ` + sharing.Columns + `)`); err != nil {
		t.Fatal(err)
	}
	n := notes{e: e, typ: sharing.Type{Name: "sample.note", Table: "sample_notes", Title: "title", EditorRoles: []string{"editor"}}}
	e.App.Sharing.Declare(n.typ)
	n.mount(e.App.Site)
	w := matrix.Build(t, e, e.App.Sharing, n.typ, n.insert)
	if len(w.Cases) < 40 {
		t.Fatalf("only %d cases seeded", len(w.Cases))
	}
	probes := map[string]matrix.Probe{
		"GET /sample/notes":        {List: func(b *apptest.Browser) string { return b.Get("/sample/notes").Body }},
		"GET /sample/search":       {List: func(b *apptest.Browser) string { return b.Get("/sample/search?q=" + url.QueryEscape("record")).Body }},
		"GET /sample/notes.atom":   {List: func(b *apptest.Browser) string { return b.Get("/sample/notes.atom").Body }},
		"GET /sample/notes.csv":    {List: func(b *apptest.Browser) string { return b.Get("/sample/notes.csv").Body }},
		"GET /api/v1/sample/notes": {List: func(b *apptest.Browser) string { return b.Get("/api/v1/sample/notes").Body }},
		"GET /sample/notes/{id}": {Item: func(b *apptest.Browser, id string) (int, string) {
			res := b.Get("/sample/notes/" + id)
			return res.StatusCode, res.Body
		}},
		"GET /share/{type}/{id}": {Item: func(b *apptest.Browser, id string) (int, string) {
			res := b.Get("/share/sample.note/" + id)
			return res.StatusCode, res.Body
		}},
		"GET /api/v1/shares/{type}/{id}": {Item: func(b *apptest.Browser, id string) (int, string) {
			res := b.Get("/api/v1/shares/sample.note/" + id)
			return res.StatusCode, res.Body
		}},
		"GET /report/{type}/{id}": {Item: func(b *apptest.Browser, id string) (int, string) {
			res := b.Get("/report/sample.note/" + id)
			return res.StatusCode, res.Body
		}},
		"GET /sample/count": {Count: func(b *apptest.Browser) int {
			c, _ := strconv.Atoi(strings.TrimSpace(b.Get("/sample/count").Body))
			return c
		}},
	}
	var sample []web.Route
	for _, r := range e.App.Site.Routes() {
		if strings.Contains(r.Path, "/sample/") || strings.HasPrefix(r.Path, "/share/") || strings.HasPrefix(r.Path, "/api/v1/shares/") || strings.HasPrefix(r.Path, "/report/") {
			sample = append(sample, r)
		}
	}
	for k, v := range matrix.Exempt("changes, not reads: refused unless the viewer sees the record and edits it (sharing tests)",
		"POST /share/{type}/{id}/marking", "POST /share/{type}/{id}/state", "POST /share/{type}/{id}/embargo",
		"POST /share/{type}/{id}/shares", "POST /share/{type}/{id}/shares/{share}/remove",
		"POST /api/v1/shares/{type}/{id}", "DELETE /api/v1/shares/{type}/{id}/{share}", "PUT /api/v1/shares/{type}/{id}/marking", "POST /report/{type}/{id}") {
		probes[k] = v
	}
	w.Check(t, sample, probes)

	t.Run("AForgottenRouteFails", func(t *testing.T) {
		var rec recorder
		w.Check(&rec, []web.Route{{Method: "GET", Path: "/sample/forgotten"}}, map[string]matrix.Probe{})
		if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "no entry in the authorisation matrix") {
			t.Fatalf("a route without an entry: %v", rec.errors)
		}
	})
	t.Run("ALeakIsCaught", func(t *testing.T) {
		leaky := map[string]matrix.Probe{"GET /leak": {List: func(b *apptest.Browser) string {
			var all []string
			for _, c := range w.Cases {
				all = append(all, c.Marker)
			}
			return strings.Join(all, " ")
		}}}
		var rec recorder
		w.Check(&rec, []web.Route{{Method: "GET", Path: "/leak"}}, leaky)
		if len(rec.errors) == 0 {
			t.Fatal("a route that shows every record passed the matrix")
		}
	})
}

type recorder struct{ errors []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
