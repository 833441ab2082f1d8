package taxii

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/cert/stix"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/indicators"
	"harambee.africa/harambee/internal/web"
)

// MountPages registers the collections page, the bundle upload page and
// their JSON API twins.
func (s *Service) MountPages(site *web.Site) {
	s.Site = site
	site.AddPages(templateFS, "templates/certtaxii/*.html")
	site.PageFunc("GET /cert/taxii", s.collectionsPage)
	site.PageFunc("GET /cert/taxii/collections/{id}/import", account.RequireSignIn(site, s.importPage))
	site.Upload("POST /cert/taxii/collections/{id}/import", s.Limits.MaxBytes+1<<20, nil, account.RequireSignIn(site, s.importPost))
	colSchema := web.Obj(map[string]any{"id": web.Str, "title": web.Str, "kind": web.Str, "max_tlp": web.Str, "can_read": web.Bool,
		"can_write": web.Bool, "objects": web.Int}, "id", "title", "kind", "max_tlp", "can_read", "can_write", "objects")
	site.API("GET /api/v1/cert/collections", web.Operation{ID: "listCertCollections", Tag: "cert", List: true,
		Summary:  "The TAXII collections you may read (public, vetted CERTs, your trust circles), with their object counts; one page holds them all",
		Response: colSchema}, s.apiCollections)
	site.API("GET /api/v1/cert/collections/{id}/objects", web.Operation{ID: "searchCertCollectionObjects", Tag: "cert",
		Summary: "Search the objects of a collection you may read by the words of their names and descriptions (SDOs and custom objects; latest published version of each), best match first",
		Query: []web.Param{{Name: "q", Type: "string", Required: true, Description: "the words to find, all of them"},
			{Name: "limit", Type: "integer", Description: "at most this many results, 1 to 1000 (default 100)"}},
		Response: web.Obj(map[string]any{"items": web.Arr(web.Obj(map[string]any{"id": web.Str, "type": web.Str, "name": web.Str, "version": web.Str,
			"date_added": web.Str}, "id", "type", "version", "date_added"))}, "items")}, s.apiSearch)
	statusSchema := web.Obj(map[string]any{"id": web.Str, "status": web.Str, "total_count": web.Int, "success_count": web.Int,
		"failure_count": web.Int, "pending_count": web.Int,
		"failures": web.Arr(web.Obj(map[string]any{"id": web.Str, "version": web.Str, "message": web.Str}, "message"))},
		"id", "status", "total_count", "success_count", "failure_count", "pending_count")
	site.Upload("POST /api/v1/cert/collections/{id}/import", s.Limits.MaxBytes+1<<20, &web.Operation{ID: "importCertBundle", Tag: "cert", Auth: true,
		Scope:   account.ScopeWrite,
		Summary: "Import a STIX 2.1 bundle (the request body, application/stix+json or application/json) into a collection you may write; all or nothing for a malformed bundle",
		Body:    map[string]any{"type": "object", "description": "a STIX 2.1 bundle"}, Response: statusSchema, Status: http.StatusAccepted},
		account.RequireSignIn(site, s.apiImport))
}

type collectionRow struct {
	*Collection
	Objects int `json:"objects"`
}

// CeilingLabel is the collection's highest TLP as people write it.
func (c collectionRow) CeilingLabel() string { return strings.ToUpper(string(c.Ceiling)) }

func (s *Service) collectionRows(ctx context.Context, v *web.Viewer) ([]collectionRow, error) {
	list, err := s.Collections(ctx, v)
	if err != nil {
		return nil, err
	}
	out := make([]collectionRow, 0, len(list))
	for _, c := range list {
		n, err := s.Count(ctx, []string{c.ID}, "")
		if err != nil {
			return nil, err
		}
		out = append(out, collectionRow{Collection: c, Objects: n})
	}
	return out, nil
}

type collectionsData struct {
	Collections     []collectionRow
	Discovery, Root string
}

func (s *Service) collectionsPage(w http.ResponseWriter, r *http.Request) {
	rows, err := s.collectionRows(r.Context(), web.ViewerOf(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Render(w, r, http.StatusOK, "certtaxii/collections", &collectionsData{Collections: rows,
		Discovery: s.Site.BaseURL + DiscoveryPath, Root: s.Site.BaseURL + RootPath})
}

func (s *Service) apiCollections(w http.ResponseWriter, r *http.Request) {
	rows, err := s.collectionRows(r.Context(), web.ViewerOf(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, web.NewList(rows, ""))
}

// apiSearch answers GET /api/v1/cert/collections/{id}/objects?q=: a
// collection the viewer may not read is 404, as everywhere.
func (s *Service) apiSearch(w http.ResponseWriter, r *http.Request) {
	c, err := s.Collection(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.FailJSON(w, r, err)
		return
	}
	limit := DefaultLimit
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > MaxLimit {
			s.Site.FailJSON(w, r, errs.Field("cert.taxii search", map[string]string{"limit": "cert.taxii.error.bad_request"}))
			return
		}
		limit = n
	}
	hits, err := s.Search(r.Context(), c, r.URL.Query().Get("q"), limit)
	if err != nil {
		s.Site.FailJSON(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, web.NewList(hits, ""))
}

type importData struct {
	Collection *Collection
	Ceiling    string
	MaxMB      int64
	Status     *Status
}

// writableFor is the collection for an import by a signed-in viewer:
// NotFound when unreadable, Forbidden when read-only.
func (s *Service) writableFor(r *http.Request) (*Collection, error) {
	c, err := s.Collection(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if !c.CanWrite {
		return nil, errs.E("cert.taxii import", errs.Forbidden, "error.forbidden")
	}
	return c, nil
}

func (s *Service) renderImport(w http.ResponseWriter, r *http.Request, status int, c *Collection, st *Status, f *web.Form) {
	s.Site.RenderForm(w, r, status, "certtaxii/import", &importData{Collection: c, Ceiling: "TLP:" + strings.ToUpper(string(c.Ceiling)),
		MaxMB: s.Limits.MaxBytes >> 20, Status: st}, f)
}

func (s *Service) importPage(w http.ResponseWriter, r *http.Request) {
	c, err := s.writableFor(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.renderImport(w, r, http.StatusOK, c, nil, nil)
}

// importPost takes an uploaded bundle file.
func (s *Service) importPost(w http.ResponseWriter, r *http.Request) {
	c, err := s.writableFor(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	data, err := s.readFile(r)
	var st *Status
	if err == nil {
		st, err = s.importBundle(r, c, data)
	}
	if err != nil {
		f := web.NewForm(nil)
		var se *stix.Error
		switch {
		case errors.As(err, &se) && se.Class == stix.TooLarge, errs.Is(err, errs.TooLarge):
			f.Set("file", "cert.taxii.import.too_large")
		case errors.As(err, &se):
			f.Set("file", "cert.taxii.import.invalid")
		case errs.Is(err, errs.Invalid):
			f.Set("file", "cert.taxii.import.no_file")
		default:
			s.Site.Fail(w, r, err)
			return
		}
		if se != nil {
			st = &Status{Failures: []importDetail{bundleFailure(se)}, FailureCount: 1}
		}
		s.renderImport(w, r, http.StatusUnprocessableEntity, c, st, f)
		return
	}
	s.renderImport(w, r, http.StatusOK, c, st, nil)
}

// bundleFailure is the failure line of a bundle refused whole: a sentence
// for its class, and the parser's own words as the detail.
func bundleFailure(se *stix.Error) importDetail {
	key := "cert.taxii.import.not_stix"
	switch se.Class {
	case stix.Malformed:
		key = "cert.taxii.import.malformed"
	case stix.TooLarge:
		key = "cert.taxii.import.too_large"
	}
	return importDetail{ID: se.ID, Message: se.Error(), Key: key, Detail: se.Error()}
}

// readFile takes the part named "file" of a multipart form.
func (s *Service) readFile(r *http.Request) ([]byte, error) {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return nil, errs.E("cert.taxii import", errs.Invalid, "cert.taxii.import.no_file")
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, errs.E("cert.taxii import", errs.TooLarge, "cert.taxii.import.too_large")
			}
			return nil, errs.E("cert.taxii import", errs.Invalid, "cert.taxii.import.no_file")
		}
		if p.FormName() == "file" && p.FileName() != "" {
			data, err := io.ReadAll(io.LimitReader(p, s.Limits.MaxBytes+1))
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return nil, errs.E("cert.taxii import", errs.TooLarge, "cert.taxii.import.too_large")
				}
				return nil, errs.E("cert.taxii import", errs.Invalid, "cert.taxii.import.no_file")
			}
			return data, nil
		}
		p.Close()
	}
}

// importBundle parses a whole bundle and stores it: nothing when it is
// malformed, too large or holds an invalid object.
func (s *Service) importBundle(r *http.Request, c *Collection, data []byte) (*Status, error) {
	b, err := stix.ParseBundle(bytes.NewReader(data), s.Limits)
	if err != nil {
		return nil, err
	}
	v := web.ViewerOf(r)
	return s.Store(r.Context(), c, b.Objects, c.Writer, v.Pseudonym, web.ClientIP(r))
}

func (s *Service) apiImport(w http.ResponseWriter, r *http.Request) {
	c, err := s.writableFor(r)
	if err != nil {
		s.Site.FailJSON(w, r, err)
		return
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/stix+json" && mt != "application/json" {
		web.JSON(w, http.StatusUnsupportedMediaType, map[string]any{"error": map[string]any{"code": "unsupported_media_type",
			"message": web.PrinterOf(r).T("cert.taxii.error.unsupported_media")}})
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, s.Limits.MaxBytes+1))
	if err != nil || int64(len(data)) > s.Limits.MaxBytes {
		s.Site.FailJSON(w, r, errs.E("cert.taxii import", errs.TooLarge, "cert.taxii.import.too_large"))
		return
	}
	st, err := s.importBundle(r, c, data)
	var se *stix.Error
	if errors.As(err, &se) {
		code := map[int]string{400: "invalid", 413: "too_large", 422: "invalid"}[se.Status()]
		web.JSON(w, se.Status(), map[string]any{"error": map[string]any{"code": code, "message": se.Error()}})
		return
	}
	if err != nil {
		s.Site.FailJSON(w, r, err)
		return
	}
	if len(st.Successes) > 0 {
		st.Successes = nil // the counts say it; the TAXII status resource lists them
	}
	web.JSON(w, http.StatusAccepted, st)
}

// IndicatorsShared is the indicator "cert.indicators_shared_taxii": the
// STIX indicator objects (every version) in the collections the viewer may
// read. Counted under the viewer's access, so a circle's objects count only
// for its members.
func (s *Service) IndicatorsShared() indicators.Indicator {
	return indicators.Indicator{Key: "cert.indicators_shared_taxii", Action: "2.1", Unit: "indicators",
		Compute: func(ctx context.Context, v *web.Viewer) (indicators.Value, error) {
			list, err := s.Collections(ctx, v)
			if err != nil {
				return indicators.Value{}, err
			}
			n, err := s.Count(ctx, readableIDs(list), "indicator")
			return indicators.Value{Total: float64(n)}, err
		}}
}
