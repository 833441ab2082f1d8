package files

import (
	"embed"
	"errors"
	"html/template"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/upload"
	"harambee.africa/harambee/internal/web"
)

//go:embed templates
var templateFS embed.FS

// uploadSlack is what a multipart envelope may add to the largest file.
const uploadSlack = 64 << 10

// Mount adds the file pages, the file content route and the API.
func (s *Service) Mount(site *web.Site) {
	site.AddPages(templateFS, "templates/files/*.html")
	signed := func(h http.HandlerFunc) http.HandlerFunc { return account.RequireSignIn(site, h) }
	max := s.maxUpload() + uploadSlack

	site.Upload("POST /records/{type}/{id}/files", max, nil, signed(s.uploadPost))
	site.PageFunc("GET /files/{id}", s.filePage)
	site.PageFunc("POST /files/{id}/edit", signed(s.editPost))
	site.PageFunc("POST /files/{id}/delete", signed(s.deletePost))
	site.PageFunc("GET /files/{id}/{rendition}", s.content)

	rendition := web.Obj(map[string]any{"name": web.Str, "media_type": web.Str, "width": web.Int, "height": web.Int, "size": web.Int, "url": web.Str})
	file := web.Obj(map[string]any{"id": web.Str, "record_type": web.Str, "record_id": web.Str, "kind": web.Str, "media_type": web.Str,
		"name": web.Str, "size": web.Int, "sha256": web.Str, "width": web.Int, "height": web.Int, "title": web.Str, "caption": web.Str,
		"creator": web.Str, "credit": web.Str, "copyright": web.Str, "created_at": web.Time, "url": web.Str, "original_url": web.Str,
		"renditions": web.Arr(rendition)}, "id", "kind", "media_type", "name", "size", "sha256")
	site.API("GET /api/v1/records/{type}/{id}/files", web.Operation{ID: "listFiles", Tag: "files",
		Summary: "The files a record holds (the record must be visible to the caller)", Response: web.Obj(map[string]any{"items": web.Arr(file)})},
		s.apiList)
	site.Upload("POST /api/v1/records/{type}/{id}/files", max, &web.Operation{ID: "uploadFile", Tag: "files", Auth: true, Scope: account.ScopeWrite,
		Status: http.StatusCreated, Response: file,
		Summary: "Attach a file to a record you edit: multipart/form-data with a part named file, or the raw bytes with ?name=. " +
			"The type is decided by the content; images get renditions without metadata."},
		signed(s.apiUpload))
	site.API("GET /api/v1/files/{id}", web.Operation{ID: "getFile", Tag: "files", Summary: "A file's description and links", Response: file}, s.apiGet)
	site.API("PATCH /api/v1/files/{id}", web.Operation{ID: "describeFile", Tag: "files", Auth: true, Scope: account.ScopeWrite,
		Summary:  "Change a file's title, caption, creator, credit and copyright",
		Body:     web.Obj(map[string]any{"title": web.Str, "caption": web.Str, "creator": web.Str, "credit": web.Str, "copyright": web.Str}),
		Response: file}, signed(s.apiDescribe))
	site.API("DELETE /api/v1/files/{id}", web.Operation{ID: "deleteFile", Tag: "files", Auth: true, Scope: account.ScopeWrite,
		Status: http.StatusNoContent, Summary: "Remove a file from its record"}, signed(s.apiDelete))
}

// readUpload takes the file from a multipart form (its part named "file")
// or, for the API, from the raw body named by ?name=.
func readUpload(r *http.Request, then func(name string, body io.Reader) error) error {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		if !web.IsAPI(r) {
			return errs.E("files.upload", errs.Invalid, "files.error.no_file")
		}
		return then(r.URL.Query().Get("name"), r.Body)
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return errs.E("files.upload", errs.Invalid, "files.error.no_file")
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return errs.E("files.upload", errs.TooLarge, "upload.error.too_large")
			}
			return errs.E("files.upload", errs.Invalid, "files.error.no_file")
		}
		if p.FormName() == "file" && p.FileName() != "" {
			return then(p.FileName(), p)
		}
		p.Close()
	}
}

func (s *Service) uploadPost(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerOf(r)
	var f *File
	err := readUpload(r, func(name string, body io.Reader) (err error) {
		f, err = s.Save(r.Context(), v, r.PathValue("type"), r.PathValue("id"), Upload{Name: name, Body: body}, web.ClientIP(r))
		return err
	})
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, s.recordPath(f.meta), "files.flash.added")
}

func (s *Service) recordPath(m *sharing.Meta) string {
	if m.Type.Path != nil {
		return m.Type.Path(m.ID)
	}
	return "/share/" + m.Type.Name + "/" + m.ID
}

// Page is what the file page shows.
type Page struct {
	File       *File
	Original   bool // the viewer may download the original
	Editor     bool
	RecordPath string
	Record     string // the record's title
}

func (s *Service) filePage(w http.ResponseWriter, r *http.Request) {
	s.renderFile(w, r, http.StatusOK, nil)
}

func (s *Service) renderFile(w http.ResponseWriter, r *http.Request, status int, form *web.Form) {
	v := web.ViewerOf(r)
	f, err := s.Get(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	orig, err := s.MayHaveOriginal(r.Context(), v, f)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if form == nil {
		form = web.NewForm(url.Values{"title": {f.Title}, "caption": {f.Caption}, "creator": {f.Creator}, "credit": {f.Credit}, "copyright": {f.Copyright}})
	}
	s.Site.RenderForm(w, r, status, "files/file", &Page{File: f, Original: orig, Editor: s.Editable(v, f),
		RecordPath: s.recordPath(f.meta), Record: f.meta.Title}, form)
}

func (s *Service) editPost(w http.ResponseWriter, r *http.Request) {
	form, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	d := Details{Title: form.Value("title"), Caption: form.Value("caption"), Creator: form.Value("creator"), Credit: form.Value("credit"), Copyright: form.Value("copyright")}
	f, err := s.Describe(r.Context(), web.ViewerOf(r), r.PathValue("id"), d, web.ClientIP(r))
	if form.Merge(err) {
		s.renderFile(w, r, http.StatusUnprocessableEntity, form)
		return
	}
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/files/"+f.ID, "files.flash.saved")
}

func (s *Service) deletePost(w http.ResponseWriter, r *http.Request) {
	f, err := s.Delete(r.Context(), web.ViewerOf(r), r.PathValue("id"), web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, s.recordPath(f.meta), "files.flash.deleted")
}

// content serves a file or one of its renditions, with byte ranges.
func (s *Service) content(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerOf(r)
	f, err := s.Get(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	name := r.PathValue("rendition")
	o, mediaType, err := s.Open(r.Context(), v, f, name)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	defer o.Close()
	h := w.Header()
	h.Set("Content-Type", mediaType)
	// Files are never a page: no scripts, no plugins, not even for a PDF
	// opened in a tab.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("ETag", `"`+f.SHA256[:32]+"-"+name+`"`)
	disposition := "inline"
	if name == Original && f.Kind == upload.Document {
		disposition = "attachment"
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": downloadName(f, name)}))
	http.ServeContent(w, r, "", f.CreatedAt, o)
}

func downloadName(f *File, rendition string) string {
	if rendition == Original {
		return f.Name
	}
	base := strings.TrimSuffix(f.Name, f.Name[strings.LastIndex(f.Name, "."):])
	ext := ".jpg"
	if r, ok := f.Rendition(rendition); ok && r.MediaType == "image/png" {
		ext = ".png"
	}
	return base + "-" + rendition + ext
}

// Section renders the files of a record for its page: what the viewer may
// see, and the upload form for its editors. Modules put it in their record
// pages.
func (s *Service) Section(r *http.Request, recordType, recordID string) (template.HTML, error) {
	v := web.ViewerOf(r)
	fs, m, err := s.List(r.Context(), v, recordType, recordID)
	if err != nil {
		return "", err
	}
	return s.Site.Fragment(r, "files/section", &SectionView{Files: fs, Editor: v != nil && sharing.IsEditor(v, m),
		Action: "/records/" + recordType + "/" + recordID + "/files", Full: len(fs) >= MaxPerRecord, Kinds: s.accepted(recordType)})
}

// SectionView is what the section of a record page shows.
type SectionView struct {
	Files  []*File
	Editor bool
	Action string
	Full   bool
	Kinds  []upload.Kind // what the record takes; nil for every kind
}

// fileJSON is a file as the API gives it, with its links.
type fileJSON struct {
	*File
	URL         string          `json:"url"`
	OriginalURL string          `json:"original_url,omitempty"`
	Renditions  []renditionJSON `json:"renditions,omitempty"`
}

type renditionJSON struct {
	Rendition
	URL string `json:"url"`
}

func (s *Service) toJSON(r *http.Request, f *File) (fileJSON, error) {
	out := fileJSON{File: f, URL: s.Site.BaseURL + "/files/" + f.ID}
	ok, err := s.MayHaveOriginal(r.Context(), web.ViewerOf(r), f)
	if err != nil {
		return out, err
	}
	if ok {
		out.OriginalURL = s.Site.BaseURL + "/files/" + f.ID + "/" + Original
	}
	for _, rd := range f.Renditions {
		out.Renditions = append(out.Renditions, renditionJSON{Rendition: rd, URL: s.Site.BaseURL + "/files/" + f.ID + "/" + rd.Name})
	}
	return out, nil
}

func (s *Service) apiList(w http.ResponseWriter, r *http.Request) {
	fs, _, err := s.List(r.Context(), web.ViewerOf(r), r.PathValue("type"), r.PathValue("id"))
	if err != nil {
		s.Site.FailJSON(w, r, err)
		return
	}
	items := []fileJSON{}
	for _, f := range fs {
		j, err := s.toJSON(r, f)
		if err != nil {
			s.Site.FailJSON(w, r, err)
			return
		}
		items = append(items, j)
	}
	web.JSON(w, http.StatusOK, web.NewList(items, ""))
}

func (s *Service) apiUpload(w http.ResponseWriter, r *http.Request) {
	var f *File
	err := readUpload(r, func(name string, body io.Reader) (err error) {
		f, err = s.Save(r.Context(), web.ViewerOf(r), r.PathValue("type"), r.PathValue("id"), Upload{Name: name, Body: body}, web.ClientIP(r))
		return err
	})
	if err != nil {
		s.Site.FailJSON(w, r, err)
		return
	}
	s.respond(w, r, http.StatusCreated, f)
}

func (s *Service) respond(w http.ResponseWriter, r *http.Request, status int, f *File) {
	j, err := s.toJSON(r, f)
	if err != nil {
		s.Site.FailJSON(w, r, err)
		return
	}
	web.JSON(w, status, j)
}

func (s *Service) apiGet(w http.ResponseWriter, r *http.Request) {
	f, err := s.Get(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.FailJSON(w, r, err)
		return
	}
	s.respond(w, r, http.StatusOK, f)
}

func (s *Service) apiDescribe(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title, Caption, Creator, Credit, Copyright *string
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.FailJSON(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	f, err := s.Get(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.FailJSON(w, r, err)
		return
	}
	d := Details{Title: f.Title, Caption: f.Caption, Creator: f.Creator, Credit: f.Credit, Copyright: f.Copyright}
	for _, p := range []struct {
		in  *string
		out *string
	}{{in.Title, &d.Title}, {in.Caption, &d.Caption}, {in.Creator, &d.Creator}, {in.Credit, &d.Credit}, {in.Copyright, &d.Copyright}} {
		if p.in != nil {
			*p.out = *p.in
		}
	}
	if f, err = s.Describe(r.Context(), v, f.ID, d, web.ClientIP(r)); err != nil {
		s.Site.FailJSON(w, r, err)
		return
	}
	s.respond(w, r, http.StatusOK, f)
}

func (s *Service) apiDelete(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Delete(r.Context(), web.ViewerOf(r), r.PathValue("id"), web.ClientIP(r)); err != nil {
		s.Site.FailJSON(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
