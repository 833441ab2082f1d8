package taxii

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"harambee.africa/harambee/internal/cert/stix"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/web"
)

// The TAXII 2.1 server. Its routes are pages of the site, not API
// operations: TAXII is its own protocol, with its own media types and
// error resource, and is not part of the OpenAPI description of the JSON
// API (web.Site puts only Site.API routes there). They are in the route
// list, so the authorisation matrix covers them.

// Media types of TAXII 2.1.
const (
	MediaTAXII = "application/taxii+json;version=2.1"
	MediaSTIX  = "application/stix+json;version=2.1"
)

// Paths of the server.
const (
	DiscoveryPath = "/taxii2/"
	RootPath      = "/taxii2/cert/"
)

// Mount registers the TAXII routes.
func (s *Service) Mount(site *web.Site) {
	// The platform refuses bad tokens and oversized bodies before TAXII's
	// handlers run; TAXII clients expect its error resource and media type.
	site.ErrorsUnder(DiscoveryPath, s.fail)
	s.Site = site
	site.PageFunc("GET /taxii2/{$}", s.taxii(s.discovery))
	site.PageFunc("GET /taxii2/cert/{$}", s.taxii(s.apiRoot))
	site.PageFunc("GET /taxii2/cert/collections/{$}", s.taxii(s.collections))
	site.PageFunc("GET /taxii2/cert/collections/{id}/{$}", s.taxii(s.collection))
	site.PageFunc("GET /taxii2/cert/collections/{id}/objects/{$}", s.taxii(s.getObjects))
	site.Upload("POST /taxii2/cert/collections/{id}/objects/{$}", s.Limits.MaxBytes+1<<20, nil, s.taxii(s.addObjects))
	site.PageFunc("GET /taxii2/cert/collections/{id}/objects/{object}/{$}", s.taxii(s.getObject))
	site.PageFunc("DELETE /taxii2/cert/collections/{id}/objects/{object}/{$}", s.taxii(s.deleteObject))
	site.PageFunc("GET /taxii2/cert/collections/{id}/objects/{object}/versions/{$}", s.taxii(s.versions))
	site.PageFunc("GET /taxii2/cert/collections/{id}/manifest/{$}", s.taxii(s.manifest))
	site.PageFunc("GET /taxii2/cert/status/{status}/{$}", s.taxii(s.status))
	// taxii2-client builds the status URL without the final slash.
	site.PageFunc("GET /taxii2/cert/status/{status}", s.taxii(s.status))
}

// taxiiError is a TAXII error message resource.
type taxiiError struct {
	status      int
	title       string // message key
	description string // English detail, may be empty
	errorID     string
}

func (e *taxiiError) Error() string { return e.title + ": " + e.description }

func tErr(status int, key, desc string) *taxiiError {
	return &taxiiError{status: status, title: key, description: desc}
}

// taxii wraps a TAXII handler: checks the Accept header (406) and answers
// errors as TAXII error message resources.
func (s *Service) taxii(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var err error
		if !acceptsTAXII(r.Header.Values("Accept")) {
			err = tErr(http.StatusNotAcceptable, "cert.taxii.error.not_acceptable", "the Accept header must allow "+MediaTAXII)
		} else {
			err = h(w, r)
		}
		if err != nil {
			s.fail(w, r, err)
		}
	}
}

func (s *Service) fail(w http.ResponseWriter, r *http.Request, err error) {
	var te *taxiiError
	if !errors.As(err, &te) {
		var se *stix.Error
		switch {
		case errors.As(err, &se):
			te = tErr(se.Status(), map[int]string{400: "cert.taxii.error.bad_request", 413: "cert.taxii.error.too_large",
				422: "cert.taxii.error.unprocessable"}[se.Status()], se.Error())
		default:
			status := errs.Status(err)
			key := map[int]string{400: "cert.taxii.error.bad_request", 401: "cert.taxii.error.unauthorized", 403: "cert.taxii.error.forbidden",
				404: "cert.taxii.error.not_found", 409: "cert.taxii.error.busy", 413: "cert.taxii.error.too_large",
				422: "cert.taxii.error.bad_request"}[status]
			if key == "" {
				s.Site.Log.Error("taxii request failed", "method", r.Method, "path", r.URL.Path, "err", err)
				status, key = http.StatusInternalServerError, "cert.taxii.error.internal"
			}
			if status == 422 {
				status = http.StatusBadRequest // a bad query parameter
			}
			te = tErr(status, key, "")
		}
	}
	p := web.PrinterOf(r)
	if p == nil {
		p = s.Site.Catalog.Printer(i18n.Default)
	}
	body := map[string]any{"title": p.T(te.title), "http_status": strconv.Itoa(te.status)}
	if te.description != "" {
		body["description"] = te.description
	}
	if te.errorID != "" {
		body["error_id"] = te.errorID
	}
	body["error_code"] = strings.TrimPrefix(te.title, "cert.taxii.error.")
	if te.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="harambee-taxii", charset="UTF-8"`)
	}
	writeJSON(w, te.status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", MediaTAXII)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}

// acceptsTAXII reports whether an Accept header allows TAXII 2.1 content;
// a request without one takes what the server gives.
func acceptsTAXII(values []string) bool {
	if len(values) == 0 {
		return true
	}
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			if q, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
					continue
				}
			}
			switch mt {
			case "*/*", "application/*":
				return true
			case "application/taxii+json":
				if ver, ok := params["version"]; !ok || ver == "2.1" {
					return true
				}
			}
		}
	}
	return false
}

// discovery answers GET /taxii2/ (section 4.1).
func (s *Service) discovery(w http.ResponseWriter, r *http.Request) error {
	base := s.Site.BaseURL
	writeJSON(w, http.StatusOK, map[string]any{
		"title":       "Harambee CERT cooperation TAXII server",
		"description": "STIX 2.1 threat intelligence shared by the CERTs of the China–Africa digital cooperation action plan, by TLP marking and trust circle.",
		"contact":     base + "/cert",
		"default":     base + RootPath,
		"api_roots":   []string{base + RootPath},
	})
	return nil
}

// apiRoot answers GET {root}/ (section 4.2).
func (s *Service) apiRoot(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{
		"title":              "CERT cooperation",
		"description":        "Collections: public (TLP:CLEAR), vetted CERTs (up to TLP:GREEN), and one per trust circle (up to TLP:AMBER+STRICT).",
		"versions":           []string{MediaTAXII},
		"max_content_length": s.Limits.MaxBytes,
	})
	return nil
}

func collectionJSON(c *Collection) map[string]any {
	return map[string]any{"id": c.ID, "title": c.Title, "description": c.Description(), "can_read": c.CanRead, "can_write": c.CanWrite,
		"media_types": []string{MediaSTIX}}
}

// collections answers GET {root}/collections/ (section 5.1).
func (s *Service) collections(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Collections(r.Context(), web.ViewerOf(r))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(list))
	for _, c := range list {
		out = append(out, collectionJSON(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"collections": out})
	return nil
}

// readable finds the path's collection for the viewer; NotFound for one
// the viewer may not read, anonymous or not (its existence is not told).
func (s *Service) readable(r *http.Request) (*Collection, error) {
	return s.Collection(r.Context(), web.ViewerOf(r), r.PathValue("id"))
}

// writable finds the path's collection for a viewer who may write there:
// 401 for anonymous, 403 for a reader who may not write.
func (s *Service) writable(r *http.Request) (*Collection, error) {
	v := web.ViewerOf(r)
	c, err := s.readable(r)
	if err != nil {
		if v == nil {
			return nil, tErr(http.StatusUnauthorized, "cert.taxii.error.unauthorized", "")
		}
		return nil, err
	}
	if v == nil {
		return nil, tErr(http.StatusUnauthorized, "cert.taxii.error.unauthorized", "")
	}
	if !c.CanWrite {
		return nil, tErr(http.StatusForbidden, "cert.taxii.error.forbidden", "this collection is read-only for you")
	}
	return c, nil
}

// collection answers GET {root}/collections/{id}/ (section 5.2).
func (s *Service) collection(w http.ResponseWriter, r *http.Request) error {
	c, err := s.readable(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, collectionJSON(c))
	return nil
}

// parseFilter reads the filtering and pagination URL parameters; bad values are 400.
func parseFilter(r *http.Request, allowed ...string) (Filter, error) {
	var f Filter
	q := r.URL.Query()
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a] = true
	}
	list := func(name string) []string {
		var out []string
		for _, v := range q[name] {
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
		}
		return out
	}
	bad := func(what string) error { return tErr(http.StatusBadRequest, "cert.taxii.error.bad_request", what) }
	if v := q.Get("added_after"); v != "" && ok["added_after"] {
		t, err := stix.ParseTimestamp(v)
		if err != nil {
			return f, bad("added_after: " + err.Error())
		}
		f.AddedAfter = addedAfter(t)
	}
	if v := q.Get("limit"); v != "" && ok["limit"] {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return f, bad("limit must be a positive integer")
		}
		f.Limit = n
	}
	if v := q.Get("next"); v != "" && ok["next"] {
		c, good := decodeCursor(v)
		if !good {
			return f, bad("next is not a token this server gave")
		}
		f.After = c
	}
	if ok["match[id]"] {
		for _, id := range list("match[id]") {
			if !stix.ValidID(id) {
				return f, bad("match[id]: " + id + " is not a STIX identifier")
			}
			f.IDs = append(f.IDs, id)
		}
	}
	if ok["match[type]"] {
		for _, t := range list("match[type]") {
			if !stix.ValidType(t) {
				return f, bad("match[type]: " + t + " is not a STIX type")
			}
			f.Types = append(f.Types, t)
		}
	}
	if ok["match[spec_version]"] {
		f.SpecVersions = list("match[spec_version]")
	}
	if ok["match[version]"] {
		for _, v := range list("match[version]") {
			switch v {
			case "first", "last", "all":
				f.Versions = append(f.Versions, v)
			default:
				t, err := stix.ParseTimestamp(v)
				if err != nil {
					return f, bad("match[version]: " + v + " is not first, last, all or a timestamp")
				}
				f.Versions = append(f.Versions, strconv.FormatInt(micros(t), 10))
			}
		}
	}
	return f, nil
}

var listParams = []string{"added_after", "limit", "next", "match[id]", "match[type]", "match[version]", "match[spec_version]"}

// pageHeaders sets X-TAXII-Date-Added-First/Last.
func pageHeaders(w http.ResponseWriter, p *Page) {
	if len(p.Rows) == 0 {
		return
	}
	w.Header().Set("X-TAXII-Date-Added-First", p.Rows[0].DateAdded())
	w.Header().Set("X-TAXII-Date-Added-Last", p.Rows[len(p.Rows)-1].DateAdded())
}

// writeEnvelope writes an envelope with the objects' bytes as
// they were stored, without decoding them.
func writeEnvelope(w http.ResponseWriter, p *Page) {
	pageHeaders(w, p)
	size := 64
	for _, r := range p.Rows {
		size += len(r.Raw) + 1
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	buf.WriteString(`{"more":`)
	buf.WriteString(strconv.FormatBool(p.More))
	if p.More {
		buf.WriteString(`,"next":"` + p.Next + `"`)
	}
	if len(p.Rows) > 0 {
		buf.WriteString(`,"objects":[`)
		for i, r := range p.Rows {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.Write(r.Raw)
		}
		buf.WriteByte(']')
	}
	buf.WriteByte('}')
	w.Header().Set("Content-Type", MediaTAXII)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// getObjects answers GET {root}/collections/{id}/objects/ (section 5.4).
func (s *Service) getObjects(w http.ResponseWriter, r *http.Request) error {
	c, err := s.readable(r)
	if err != nil {
		return err
	}
	f, err := parseFilter(r, listParams...)
	if err != nil {
		return err
	}
	p, err := s.Objects(r.Context(), c, f, true)
	if err != nil {
		return err
	}
	writeEnvelope(w, p)
	return nil
}

// getObject answers GET {root}/collections/{id}/objects/{object}/ (section 5.6).
func (s *Service) getObject(w http.ResponseWriter, r *http.Request) error {
	c, err := s.readable(r)
	if err != nil {
		return err
	}
	id := r.PathValue("object")
	if !stix.ValidID(id) {
		return tErr(http.StatusNotFound, "cert.taxii.error.not_found", "")
	}
	f, err := parseFilter(r, "added_after", "limit", "next", "match[version]", "match[spec_version]")
	if err != nil {
		return err
	}
	f.IDs = []string{id}
	p, err := s.Objects(r.Context(), c, f, true)
	if err != nil {
		return err
	}
	if len(p.Rows) == 0 && f.After == (cursor{}) {
		return tErr(http.StatusNotFound, "cert.taxii.error.not_found", "no object "+id+" matches in this collection")
	}
	writeEnvelope(w, p)
	return nil
}

// deleteObject answers DELETE {root}/collections/{id}/objects/{object}/
// (section 5.7): every version, or those match[version] and
// match[spec_version] select.
func (s *Service) deleteObject(w http.ResponseWriter, r *http.Request) error {
	c, err := s.writable(r)
	if err != nil {
		return err
	}
	id := r.PathValue("object")
	if !stix.ValidID(id) {
		return tErr(http.StatusNotFound, "cert.taxii.error.not_found", "")
	}
	f, err := parseFilter(r, "match[version]", "match[spec_version]")
	if err != nil {
		return err
	}
	v := web.ViewerOf(r)
	n, err := s.Delete(r.Context(), c, id, f, v.Pseudonym, c.Writer, web.ClientIP(r))
	if err != nil {
		return err
	}
	if n == 0 {
		return tErr(http.StatusNotFound, "cert.taxii.error.not_found", "no object "+id+" matches in this collection")
	}
	w.Header().Set("Content-Type", MediaTAXII)
	w.WriteHeader(http.StatusOK)
	return nil
}

// versions answers GET …/objects/{object}/versions/ (section 5.8).
func (s *Service) versions(w http.ResponseWriter, r *http.Request) error {
	c, err := s.readable(r)
	if err != nil {
		return err
	}
	id := r.PathValue("object")
	if !stix.ValidID(id) {
		return tErr(http.StatusNotFound, "cert.taxii.error.not_found", "")
	}
	f, err := parseFilter(r, "added_after", "limit", "next", "match[spec_version]")
	if err != nil {
		return err
	}
	f.IDs, f.Versions = []string{id}, []string{"all"}
	p, err := s.Objects(r.Context(), c, f, false)
	if err != nil {
		return err
	}
	if len(p.Rows) == 0 && f.After == (cursor{}) {
		return tErr(http.StatusNotFound, "cert.taxii.error.not_found", "no object "+id+" in this collection")
	}
	pageHeaders(w, p)
	vs := make([]string, 0, len(p.Rows))
	for _, row := range p.Rows {
		vs = append(vs, row.Version)
	}
	body := map[string]any{"more": p.More, "versions": vs}
	if p.More {
		body["next"] = p.Next
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// manifest answers GET {root}/collections/{id}/manifest/ (section 5.3).
func (s *Service) manifest(w http.ResponseWriter, r *http.Request) error {
	c, err := s.readable(r)
	if err != nil {
		return err
	}
	f, err := parseFilter(r, listParams...)
	if err != nil {
		return err
	}
	p, err := s.Objects(r.Context(), c, f, false)
	if err != nil {
		return err
	}
	pageHeaders(w, p)
	type record struct {
		ID        string `json:"id"`
		DateAdded string `json:"date_added"`
		Version   string `json:"version"`
		MediaType string `json:"media_type"`
	}
	body := map[string]any{"more": p.More}
	if p.More {
		body["next"] = p.Next
	}
	if len(p.Rows) > 0 {
		recs := make([]record, 0, len(p.Rows))
		for _, row := range p.Rows {
			recs = append(recs, record{ID: row.ID, DateAdded: row.DateAdded(), Version: row.Version, MediaType: MediaSTIX})
		}
		body["objects"] = recs
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// status answers GET {root}/status/{status}/ (section 4.3).
func (s *Service) status(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Collections(r.Context(), web.ViewerOf(r))
	if err != nil {
		return err
	}
	st, err := s.StatusOf(r.Context(), list, r.PathValue("status"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// addObjects answers POST {root}/collections/{id}/objects/ (section 5.5):
// an envelope whose objects are checked all together; a malformed or
// invalid one stores nothing.
func (s *Service) addObjects(w http.ResponseWriter, r *http.Request) error {
	c, err := s.writable(r)
	if err != nil {
		return err
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/taxii+json" || (params["version"] != "" && params["version"] != "2.1") {
		return tErr(http.StatusUnsupportedMediaType, "cert.taxii.error.unsupported_media", "the body must be "+MediaTAXII)
	}
	objs, err := s.readEnvelope(r.Body)
	if err != nil {
		return err
	}
	v := web.ViewerOf(r)
	st, err := s.Store(r.Context(), c, objs, c.Writer, v.Pseudonym, web.ClientIP(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, st)
	return nil
}

// readEnvelope reads a TAXII envelope ({"objects": [...]}) or a STIX
// bundle, strictly, within the size limits.
func (s *Service) readEnvelope(body io.Reader) ([]*stix.Object, error) {
	data, err := io.ReadAll(io.LimitReader(body, s.Limits.MaxBytes+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tErr(http.StatusRequestEntityTooLarge, "cert.taxii.error.too_large", "more than "+strconv.FormatInt(s.Limits.MaxBytes, 10)+" bytes")
		}
		return nil, tErr(http.StatusBadRequest, "cert.taxii.error.bad_request", "reading the body")
	}
	if int64(len(data)) > s.Limits.MaxBytes {
		return nil, tErr(http.StatusRequestEntityTooLarge, "cert.taxii.error.too_large", "more than "+strconv.FormatInt(s.Limits.MaxBytes, 10)+" bytes")
	}
	b, err := stix.ParseEnvelope(data, s.Limits)
	if err != nil {
		return nil, err
	}
	return b.Objects, nil
}
