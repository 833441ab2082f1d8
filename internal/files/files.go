// Package files keeps the files that records hold — images, documents,
// audio and video — behind the sharing model of their record: whoever may
// see the record sees its files, and nobody else learns they exist.
//
// What a file is is decided by its content (package upload), never by its
// name or declared type. Images are shown as re-encoded renditions without
// metadata (a thumbnail of at most 15 KB, a medium and a large size); their
// original, with its EXIF and GPS data, goes only to those the record was
// given to by name (sharing.SharedWith). Documents, audio and video are kept
// as they came, with their SHA-256, and served with byte ranges.
package files

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/blob"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/upload"
	"harambee.africa/harambee/internal/web"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations create the files and renditions tables.
var Migrations = db.Embedded("files", migrationFS, "migrations")

// MaxPerRecord is how many files one record may hold.
const MaxPerRecord = 50

// Field limits of the descriptive fields, in characters.
const (
	maxName = 200
	maxText = 1000
)

// Rendition names, smallest first; Original is the file as uploaded.
const (
	Original = "original"
	Thumb    = "thumb"
	Medium   = "medium"
	Large    = "large"
)

// File is one stored file.
type File struct {
	ID         string        `json:"id"`
	RecordType string        `json:"record_type"`
	RecordID   string        `json:"record_id"`
	Kind       upload.Kind   `json:"kind"`
	MediaType  string        `json:"media_type"`
	Name       string        `json:"name"`
	Size       int64         `json:"size"`
	SHA256     string        `json:"sha256"`
	Width      int           `json:"width,omitempty"`
	Height     int           `json:"height,omitempty"`
	Title      string        `json:"title"`
	Caption    string        `json:"caption"`
	Creator    string        `json:"creator"`
	Credit     string        `json:"credit"`
	Copyright  string        `json:"copyright"`
	UploadedBy string        `json:"-"`
	CreatedAt  time.Time     `json:"created_at"`
	Renditions []Rendition   `json:"renditions,omitempty"`
	meta       *sharing.Meta // the holding record, as the viewer sees it
}

// Rendition is one re-encoded copy of an image.
type Rendition struct {
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Size      int64  `json:"size"`
}

// Rendition returns the named rendition, if the file has it.
func (f *File) Rendition(name string) (Rendition, bool) {
	for _, r := range f.Renditions {
		if r.Name == name {
			return r, true
		}
	}
	return Rendition{}, false
}

// Service stores and serves files.
type Service struct {
	DB      *db.DB
	Clock   clock.Clock
	Log     *slog.Logger
	Site    *web.Site
	Sharing *sharing.Service
	Blobs   blob.Store
	Audit   account.Auditor
	// TempDir holds uploads while they are checked; the system's when empty.
	TempDir string
	// Limits are the largest sizes per kind; upload.DefaultLimits when nil.
	Limits upload.Limits

	mu      sync.Mutex
	accept  map[string][]upload.Kind // record type → the kinds it holds
	imaging chan struct{}            // a slot per image being decoded
}

// MaxImaging is how many images are decoded at once: decoding takes about
// six bytes a pixel (some 250 MB for the largest image accepted), so a burst
// of uploads waits rather than exhausting memory.
const MaxImaging = 2

// renditions makes an image's renditions when a slot is free.
func (s *Service) renditions(ctx context.Context, r io.ReaderAt, size int64, t upload.Type) ([]upload.Rendition, error) {
	s.mu.Lock()
	if s.imaging == nil {
		s.imaging = make(chan struct{}, MaxImaging)
	}
	slots := s.imaging
	s.mu.Unlock()
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-slots }()
	return upload.Renditions(r, size, t)
}

// Accept limits the files records of a type hold to some kinds (a
// post's attachments to images and documents, say). Types not named
// take every kind.
func (s *Service) Accept(recordType string, kinds ...upload.Kind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accept == nil {
		s.accept = map[string][]upload.Kind{}
	}
	s.accept[recordType] = kinds
}

func (s *Service) accepted(recordType string) []upload.Kind {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accept[recordType]
}

func (s *Service) limits() upload.Limits {
	if s.Limits == nil {
		return upload.DefaultLimits
	}
	return s.Limits
}

// maxUpload is the largest file of any kind.
func (s *Service) maxUpload() int64 {
	var largest int64
	for _, n := range s.limits() {
		largest = max(largest, n)
	}
	return largest
}

func key(id, rendition string) string { return "files/" + id + "/" + rendition }

// Upload is a file a person sends.
type Upload struct {
	Name string    // the name it came with: kept (cleaned) for downloads, never used to decide its type
	Body io.Reader // its bytes
	// Allowed are the kinds the record accepts; nil for all.
	Allowed []upload.Kind
}

// Save stores a file on a record that the viewer edits. The record must be
// one the viewer may see (otherwise NotFound, as if it did not exist).
func (s *Service) Save(ctx context.Context, v *web.Viewer, recordType, recordID string, up Upload, ip string) (*File, error) {
	const op = "files.save"
	m, err := s.editable(ctx, v, recordType, recordID)
	if err != nil {
		return nil, err
	}
	var held int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM files WHERE record_type = $1 AND record_id = $2`,
		recordType, recordID).Scan(&held); err != nil {
		return nil, errs.Wrap(op, err)
	}
	if held >= MaxPerRecord {
		return nil, errs.E(op, errs.Conflict, "files.error.too_many")
	}

	tmp, err := os.CreateTemp(s.TempDir, "upload-*.tmp")
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	sum := sha256.New()
	size, err := io.Copy(io.MultiWriter(tmp, sum), io.LimitReader(up.Body, s.maxUpload()+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errs.E(op, errs.TooLarge, "upload.error.too_large")
		}
		return nil, errs.Wrap(op, err)
	}
	if size > s.maxUpload() {
		return nil, errs.E(op, errs.TooLarge, "upload.error.too_large")
	}
	allowed := up.Allowed
	if allowed == nil {
		allowed = s.accepted(recordType)
	}
	t, err := upload.Detect(tmp, size, allowed, s.limits())
	if err != nil {
		return nil, err
	}
	digest := hex.EncodeToString(sum.Sum(nil))
	if t.Length > 0 && t.Length < size {
		// A camera's trailer after the picture is cut off: what is kept,
		// and what the checksum covers, is the picture alone.
		size = t.Length
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(tmp, 0, size)); err != nil {
			return nil, errs.Wrap(op, err)
		}
		digest = hex.EncodeToString(h.Sum(nil))
	}

	f := &File{ID: uuid.Must(uuid.NewV7()).String(), RecordType: recordType, RecordID: recordID, Kind: t.Kind,
		MediaType: t.MediaType, Name: cleanName(up.Name, t.Ext), Size: size, SHA256: digest,
		UploadedBy: v.ID, CreatedAt: s.Clock.Now().UTC().Truncate(time.Microsecond), meta: m}
	var renditions []upload.Rendition
	if t.Kind == upload.Image {
		md := upload.ReadMetadata(tmp, size, t)
		f.Title, f.Caption, f.Creator, f.Credit, f.Copyright = md.Title, md.Caption, md.Creator, md.Credit, md.Copyright
		if renditions, err = s.renditions(ctx, tmp, size, t); err != nil {
			return nil, err
		}
		for _, r := range renditions {
			f.Renditions = append(f.Renditions, Rendition{Name: r.Name, MediaType: r.MediaType, Width: r.Width, Height: r.Height, Size: int64(len(r.Data))})
		}
		if len(renditions) > 0 {
			last := renditions[len(renditions)-1]
			f.Width, f.Height = last.Width, last.Height
		}
	}

	// Bytes first, then the rows: a file row never points at missing bytes.
	// If the rows fail, the bytes are removed again.
	stored := []string{}
	cleanup := func() {
		for _, k := range stored {
			if err := s.Blobs.Delete(context.WithoutCancel(ctx), k); err != nil {
				s.log().Warn("files: removing an orphan blob", "key", k, "err", err)
			}
		}
	}
	if err := s.Blobs.Put(ctx, key(f.ID, Original), io.NewSectionReader(tmp, 0, size), size, t.MediaType); err != nil {
		return nil, errs.Wrap(op, err)
	}
	stored = append(stored, key(f.ID, Original))
	for _, r := range renditions {
		if err := s.Blobs.Put(ctx, key(f.ID, r.Name), bytes.NewReader(r.Data), int64(len(r.Data)), r.MediaType); err != nil {
			cleanup()
			return nil, errs.Wrap(op, err)
		}
		stored = append(stored, key(f.ID, r.Name))
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO files (id, record_type, record_id, kind, media_type, name, size, sha256,
			width, height, title, caption, creator, credit, copyright, uploaded_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			f.ID, f.RecordType, f.RecordID, string(f.Kind), f.MediaType, f.Name, f.Size, f.SHA256, f.Width, f.Height,
			f.Title, f.Caption, f.Creator, f.Credit, f.Copyright, f.UploadedBy, f.CreatedAt); err != nil {
			return err
		}
		for _, r := range f.Renditions {
			if _, err := tx.ExecContext(ctx, `INSERT INTO file_renditions (file_id, name, media_type, width, height, size)
				VALUES ($1, $2, $3, $4, $5, $6)`, f.ID, r.Name, r.MediaType, r.Width, r.Height, r.Size); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, "file.added", v, m, f, ip)
	})
	if err != nil {
		cleanup()
		return nil, errs.Wrap(op, err)
	}
	return f, nil
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

func (s *Service) audit(ctx context.Context, tx *sql.Tx, action string, v *web.Viewer, m *sharing.Meta, f *File, ip string) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, tx, action, v.ID, m.OwnerOrg, "file", f.ID, ip, map[string]any{
		"record_type": f.RecordType, "record_id": f.RecordID, "media_type": f.MediaType, "size": f.Size, "sha256": f.SHA256})
}

// editable loads the record the viewer may see and must edit.
func (s *Service) editable(ctx context.Context, v *web.Viewer, recordType, recordID string) (*sharing.Meta, error) {
	if v == nil {
		return nil, errs.E("files", errs.Unauthorized, "error.unauthorized")
	}
	m, err := s.Sharing.Meta(ctx, v, recordType, recordID)
	if err != nil {
		return nil, err
	}
	if !sharing.IsEditor(v, m) {
		return nil, errs.E("files", errs.Forbidden, "files.error.not_editor")
	}
	return m, nil
}

// cleanName keeps the base of a name for downloads, without paths or
// control characters, with the extension the content calls for.
func cleanName(name, ext string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "")
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == '/' || unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSuffix(name, path.Ext(name))
	name = strings.Trim(name, " .")
	if name == "" {
		name = "file"
	}
	if utf8.RuneCountInString(name) > maxName {
		name = string([]rune(name)[:maxName])
	}
	return name + ext
}

const selectFile = `SELECT f.id, f.record_type, f.record_id, f.kind, f.media_type, f.name, f.size, f.sha256, f.width, f.height,
	f.title, f.caption, f.creator, f.credit, f.copyright, f.uploaded_by, f.created_at FROM files f`

func scanFile(row interface{ Scan(...any) error }) (*File, error) {
	f := &File{}
	var kind string
	err := row.Scan(&f.ID, &f.RecordType, &f.RecordID, &kind, &f.MediaType, &f.Name, &f.Size, &f.SHA256, &f.Width, &f.Height,
		&f.Title, &f.Caption, &f.Creator, &f.Credit, &f.Copyright, &f.UploadedBy, &f.CreatedAt)
	f.Kind = upload.Kind(kind)
	return f, err
}

// Get returns a file whose record the viewer may see; NotFound otherwise,
// whether the file does not exist or its record is hidden from them.
func (s *Service) Get(ctx context.Context, v *web.Viewer, id string) (*File, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, errs.E("files.get", errs.NotFound, "error.not_found")
	}
	f, err := scanFile(s.DB.R.QueryRowContext(ctx, selectFile+` WHERE f.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E("files.get", errs.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, errs.Wrap("files.get", err)
	}
	if f.meta, err = s.Sharing.Meta(ctx, v, f.RecordType, f.RecordID); err != nil {
		return nil, err
	}
	if err := s.loadRenditions(ctx, []*File{f}); err != nil {
		return nil, err
	}
	return f, nil
}

// List returns the files of a record the viewer may see, oldest first.
func (s *Service) List(ctx context.Context, v *web.Viewer, recordType, recordID string) ([]*File, *sharing.Meta, error) {
	m, err := s.Sharing.Meta(ctx, v, recordType, recordID)
	if err != nil {
		return nil, nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, selectFile+` WHERE f.record_type = $1 AND f.record_id = $2 ORDER BY f.created_at, f.id`,
		recordType, recordID)
	if err != nil {
		return nil, nil, errs.Wrap("files.list", err)
	}
	defer rows.Close()
	var out []*File
	for rows.Next() {
		f, err := scanFile(rows)
		if err != nil {
			return nil, nil, errs.Wrap("files.list", err)
		}
		f.meta = m
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, errs.Wrap("files.list", err)
	}
	return out, m, s.loadRenditions(ctx, out)
}

func (s *Service) loadRenditions(ctx context.Context, fs []*File) error {
	if len(fs) == 0 {
		return nil
	}
	byID := map[string]*File{}
	args := &db.Args{}
	var in []string
	for _, f := range fs {
		byID[f.ID] = f
		in = append(in, args.Add(f.ID))
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT file_id, name, media_type, width, height, size FROM file_renditions
		WHERE file_id IN (`+strings.Join(in, ", ")+`) ORDER BY size`, args.List()...)
	if err != nil {
		return errs.Wrap("files.renditions", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var r Rendition
		if err := rows.Scan(&id, &r.Name, &r.MediaType, &r.Width, &r.Height, &r.Size); err != nil {
			return errs.Wrap("files.renditions", err)
		}
		byID[id].Renditions = append(byID[id].Renditions, r)
	}
	return rows.Err()
}

// MayHaveOriginal reports whether the viewer may download the original of
// the file: anyone who sees the record, except for images, whose original
// (with its metadata) goes to those the record was given to by name.
func (s *Service) MayHaveOriginal(ctx context.Context, v *web.Viewer, f *File) (bool, error) {
	if f.Kind != upload.Image {
		return true, nil
	}
	if v == nil {
		return false, nil
	}
	args := &db.Args{}
	id := args.Add(f.RecordID)
	cond := sharing.SharedWith(f.meta.Type, "t", v, args)
	var one int
	err := s.DB.R.QueryRowContext(ctx, `SELECT 1 FROM `+f.meta.Type.Table+` t WHERE t.id = `+id+` AND `+cond, args.List()...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Editable reports whether the viewer edits the file's record.
func (s *Service) Editable(v *web.Viewer, f *File) bool {
	return v != nil && f.meta != nil && sharing.IsEditor(v, f.meta)
}

// Details are the descriptive fields a record's editors may change.
type Details struct {
	Title, Caption, Creator, Credit, Copyright string
}

// Describe changes a file's descriptive fields.
func (s *Service) Describe(ctx context.Context, v *web.Viewer, id string, d Details, ip string) (*File, error) {
	const op = "files.describe"
	f, err := s.Get(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if !s.Editable(v, f) {
		return nil, errs.E(op, errs.Forbidden, "files.error.not_editor")
	}
	bad := map[string]string{}
	for name, val := range map[string]*string{"title": &d.Title, "caption": &d.Caption, "creator": &d.Creator, "credit": &d.Credit, "copyright": &d.Copyright} {
		*val = strings.TrimSpace(*val)
		switch {
		case !web.CleanText(*val):
			bad[name] = "files.error.control"
		case utf8.RuneCountInString(*val) > maxText:
			bad[name] = "files.error.text_too_long"
		}
	}
	if len(bad) > 0 {
		return nil, errs.Field(op, bad)
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE files SET title = $1, caption = $2, creator = $3, credit = $4, copyright = $5 WHERE id = $6`,
			d.Title, d.Caption, d.Creator, d.Credit, d.Copyright, f.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, "file.described", v, f.meta, f, ip)
	})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	f.Title, f.Caption, f.Creator, f.Credit, f.Copyright = d.Title, d.Caption, d.Creator, d.Credit, d.Copyright
	return f, nil
}

// Delete removes a file: its rows at once, its bytes after.
func (s *Service) Delete(ctx context.Context, v *web.Viewer, id, ip string) (*File, error) {
	f, err := s.Get(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if !s.Editable(v, f) {
		return nil, errs.E("files.delete", errs.Forbidden, "files.error.not_editor")
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM file_renditions WHERE file_id = $1`, f.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM files WHERE id = $1`, f.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, "file.deleted", v, f.meta, f, ip)
	})
	if err != nil {
		return nil, errs.Wrap("files.delete", err)
	}
	s.removeBlobs(ctx, f)
	return f, nil
}

func (s *Service) removeBlobs(ctx context.Context, f *File) {
	names := []string{Original}
	for _, r := range f.Renditions {
		names = append(names, r.Name)
	}
	for _, n := range names {
		if err := s.Blobs.Delete(context.WithoutCancel(ctx), key(f.ID, n)); err != nil {
			s.log().Warn("files: removing a deleted file's blob", "key", key(f.ID, n), "err", err)
		}
	}
}

// Open opens one rendition of a file (Original for the file itself) for
// the viewer, after Get: it refuses the original of an image to those the
// record was not given to by name.
func (s *Service) Open(ctx context.Context, v *web.Viewer, f *File, rendition string) (blob.Object, string, error) {
	if rendition == Original {
		ok, err := s.MayHaveOriginal(ctx, v, f)
		if err != nil {
			return nil, "", errs.Wrap("files.open", err)
		}
		if !ok {
			return nil, "", errs.E("files.open", errs.Forbidden, "files.error.original")
		}
		o, err := s.Blobs.Open(ctx, key(f.ID, Original))
		if err != nil {
			return nil, "", errs.Wrap("files.open", err)
		}
		return o, f.MediaType, nil
	}
	r, ok := f.Rendition(rendition)
	if !ok {
		return nil, "", errs.E("files.open", errs.NotFound, "error.not_found")
	}
	o, err := s.Blobs.Open(ctx, key(f.ID, r.Name))
	if err != nil {
		return nil, "", errs.Wrap("files.open", err)
	}
	return o, r.MediaType, nil
}

// DeleteRecord removes every file of a record, for modules that delete
// records; call it after the record's own transaction committed.
func (s *Service) DeleteRecord(ctx context.Context, recordType, recordID string) error {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id FROM files WHERE record_type = $1 AND record_id = $2`, recordType, recordID)
	if err != nil {
		return err
	}
	var fs []*File
	for rows.Next() {
		f := &File{}
		if err := rows.Scan(&f.ID); err != nil {
			rows.Close()
			return err
		}
		fs = append(fs, f)
	}
	rows.Close()
	if err := s.loadRenditions(ctx, fs); err != nil {
		return err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, f := range fs {
			if _, err := tx.ExecContext(ctx, `DELETE FROM file_renditions WHERE file_id = $1`, f.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM files WHERE id = $1`, f.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("files: deleting a record's files: %w", err)
	}
	for _, f := range fs {
		s.removeBlobs(ctx, f)
	}
	return nil
}

// Thumb is the thumbnail of an image, nil for other files.
func (f *File) Thumb() *Rendition {
	if r, ok := f.Rendition(Thumb); ok {
		return &r
	}
	return nil
}

// Shown is the rendition a file page shows: the medium size.
func (f *File) Shown() *Rendition {
	if r, ok := f.Rendition(Medium); ok {
		return &r
	}
	return f.Thumb()
}

// SizeKey and SizeN give the size for people: "{n} KB" up to 10 MB, then
// "{n} MB", rounded up.
func (f *File) SizeKey() string {
	if f.Size < 10<<20 {
		return "files.size_kb"
	}
	return "files.size_mb"
}

// SizeN is the number SizeKey's message shows.
func (f *File) SizeN() int {
	if f.Size < 10<<20 {
		return int((f.Size + 1023) >> 10)
	}
	return int((f.Size + 1<<20 - 1) >> 20)
}
