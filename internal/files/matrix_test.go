package files_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/sharing/matrix"
	"harambee.africa/harambee/internal/web"
)

// TestMatrix checks every file route against the sharing model: a record's
// files (their pages, bytes, renditions and API descriptions) are present
// exactly where the record is.
func TestMatrix(t *testing.T) {
	e := apptest.Start(t)
	if _, err := e.App.DB.W.Exec(`CREATE TABLE mnotes (id TEXT PRIMARY KEY, title TEXT NOT NULL, ` + sharing.Columns + `)`); err != nil {
		t.Fatal(err)
	}
	typ := sharing.Type{Name: "matrix.note", Table: "mnotes", Title: "title", EditorRoles: []string{"editor"}}
	e.App.Sharing.Declare(typ)
	var mu sync.Mutex
	docs, images := map[string]string{}, map[string]string{} // record → file
	insert := func(ctx context.Context, ownerOrg, text string) (string, error) {
		id := uuid.Must(uuid.NewV7()).String()
		if _, err := e.App.DB.W.ExecContext(ctx, `INSERT INTO mnotes (id, title, owner_org, marking, state) VALUES ($1, $2, $3, 'amber', 'draft')`,
			id, text, ownerOrg); err != nil {
			return "", err
		}
		// A document and an image, each described and stored with the
		// record's marker, so that a route that leaks them shows it.
		for _, kind := range []string{"document", "image"} {
			fid := uuid.Must(uuid.NewV7()).String()
			if _, err := e.App.DB.W.ExecContext(ctx, `INSERT INTO files (id, record_type, record_id, kind, media_type, name, size, sha256,
				title, uploaded_by, created_at) VALUES ($1, 'matrix.note', $2, $3, 'text/plain', 'f.txt', $4, $5, $6, 'x', $7)`,
				fid, id, kind, len(text), strings.Repeat("a", 64), text, e.Clock.Now()); err != nil {
				return "", err
			}
			name := "original"
			if kind == "image" {
				name = "thumb"
				if _, err := e.App.DB.W.ExecContext(ctx, `INSERT INTO file_renditions (file_id, name, media_type, width, height, size)
					VALUES ($1, 'thumb', 'text/plain', 1, 1, $2)`, fid, len(text)); err != nil {
					return "", err
				}
			}
			if err := e.App.Files.Blobs.Put(ctx, "files/"+fid+"/"+name, strings.NewReader(text), int64(len(text)), "text/plain"); err != nil {
				return "", err
			}
			mu.Lock()
			if kind == "image" {
				images[id] = fid
			} else {
				docs[id] = fid
			}
			mu.Unlock()
		}
		return id, nil
	}
	w := matrix.Build(t, e, e.App.Sharing, typ, insert)
	item := func(path func(id string) string) matrix.Probe {
		return matrix.Probe{Item: func(b *apptest.Browser, id string) (int, string) {
			res := b.Get(path(id))
			return res.StatusCode, res.Body
		}}
	}
	probes := map[string]matrix.Probe{
		"GET /files/{id}":                       item(func(id string) string { return "/files/" + docs[id] }),
		"GET /files/{id}/{rendition}":           item(func(id string) string { return "/files/" + images[id] + "/thumb" }),
		"GET /api/v1/files/{id}":                item(func(id string) string { return "/api/v1/files/" + images[id] }),
		"GET /api/v1/records/{type}/{id}/files": item(func(id string) string { return "/api/v1/records/matrix.note/" + id + "/files" }),
	}
	// The original of a document goes wherever its record does.
	originals := item(func(id string) string { return "/files/" + docs[id] + "/original" })
	for k, v := range matrix.Exempt("changes: refused unless the viewer sees the record and edits it (TestBadUploadsChangeNothing, TestDescribeAndDelete)",
		"POST /files/{id}/edit", "POST /files/{id}/delete", "POST /records/{type}/{id}/files", "POST /api/v1/records/{type}/{id}/files",
		"PATCH /api/v1/files/{id}", "DELETE /api/v1/files/{id}") {
		probes[k] = v
	}
	var routes []web.Route
	for _, r := range e.App.Site.Routes() {
		if strings.HasPrefix(r.Path, "/files/") || strings.HasPrefix(r.Path, "/records/") || strings.HasPrefix(r.Path, "/api/v1/files/") || strings.HasPrefix(r.Path, "/api/v1/records/") {
			routes = append(routes, r)
		}
	}
	if len(routes) != 10 {
		t.Errorf("%d file routes: the matrix below lists 10", len(routes))
	}
	w.Check(t, routes, probes)
	w.Check(t, []web.Route{{Method: http.MethodGet, Path: "/files/{id}/{rendition}"}}, map[string]matrix.Probe{"GET /files/{id}/{rendition}": originals})
}
