package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"harambee.africa/harambee/internal/clock"
)

// Supported reports whether Backup and Restore can handle the deployment
// that databaseURL (the --db flag, possibly empty) and dataDir describe. It
// returns ErrPostgres for a PostgreSQL URL, and an error for a SQLite file
// other than DATA/harambee.db, which an archive could not put back in place.
func Supported(databaseURL, dataDir string) error {
	switch {
	case databaseURL == "":
		return nil
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		return ErrPostgres
	case strings.HasPrefix(databaseURL, "sqlite:"):
		p := strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite:"), "//")
		want, err1 := filepath.Abs(filepath.Join(dataDir, DatabaseName))
		got, err2 := filepath.Abs(p)
		if err1 != nil || err2 != nil || got != want {
			return fmt.Errorf("backup: the database must be %s inside the data directory, not %s", DatabaseName, p)
		}
		return nil
	}
	return fmt.Errorf("backup: unsupported database URL (use postgres://… or sqlite:PATH)")
}

// source is a file to archive and where to read it from.
type source struct {
	File
	disk string // path on disk, or "" when data holds the content
	data []byte
}

// Backup writes a consistent backup of the SQLite deployment under dataDir to
// w, while the server keeps running and writing: a snapshot of harambee.db
// taken with VACUUM INTO, the key files (keyNames) that exist, and every
// blob under blobs/. It
// streams; only the manifest is held in memory. It needs free space in
// dataDir for one copy of the database, and removes it before returning.
//
// The database is copied first and the blobs after, so every blob that the
// copied database refers to is in the archive (blobs are renamed into place
// before the row that names them commits), unless it was deleted meanwhile.
func Backup(ctx context.Context, dataDir string, w io.Writer) (Manifest, error) {
	dbPath := filepath.Join(dataDir, DatabaseName)
	info, err := os.Stat(dbPath)
	if errors.Is(err, fs.ErrNotExist) {
		return Manifest{}, fmt.Errorf("backup: no SQLite database at %s (a PostgreSQL deployment is backed up with pg_dump: see docs/operations-backup.md)", dbPath)
	}
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	if !info.Mode().IsRegular() {
		return Manifest{}, fmt.Errorf("backup: %s is not a regular file", dbPath)
	}

	// The snapshot directory sits in the data directory so that blobs can be
	// hard-linked into it (same file system) and the database copy lands on
	// a disk sized for the database.
	snap, err := os.MkdirTemp(dataDir, ".backup-")
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(snap)

	m := Manifest{
		Application: Application,
		Format:      Format,
		Created:     clock.System{}.Now(),
		Engine:      "sqlite",
	}
	copyPath := filepath.Join(snap, DatabaseName)
	if err := snapshotDatabase(ctx, dbPath, copyPath, &m); err != nil {
		return Manifest{}, err
	}
	var sources []source
	dbFile, err := hashFile(ctx, DatabaseName, copyPath)
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: database copy: %w", err)
	}
	sources = append(sources, source{File: dbFile, disk: copyPath})

	for _, name := range keyNames {
		key, err := readKey(dataDir, name)
		if err != nil {
			return Manifest{}, err
		}
		if key != nil {
			sources = append(sources, *key)
		}
	}

	blobs, err := collectBlobs(ctx, dataDir, snap)
	if err != nil {
		return Manifest{}, err
	}
	sources = append(sources, blobs...)

	for _, s := range sources {
		m.Files = append(m.Files, s.File)
	}
	if err := writeArchive(ctx, w, m, sources); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// snapshotDatabase copies the database at src to dst with VACUUM INTO, which
// reads inside one transaction: in WAL mode that is a consistent snapshot,
// and the writers of the running server are not blocked. It records the
// SQLite and schema versions of the copy in m.
func snapshotDatabase(ctx context.Context, src, dst string, m *Manifest) error {
	// mode=ro: the backup can never write to, or create, the live database.
	in, err := sql.Open("sqlite", sqliteDSN(src, "mode=ro&_pragma=busy_timeout(10000)"))
	if err != nil {
		return fmt.Errorf("backup: open database: %w", err)
	}
	defer in.Close()
	in.SetMaxOpenConns(1)
	if _, err := in.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("backup: copy database: %w", err)
	}
	if err := in.Close(); err != nil {
		return fmt.Errorf("backup: close database: %w", err)
	}

	out, err := sql.Open("sqlite", sqliteDSN(dst, "mode=ro"))
	if err != nil {
		return fmt.Errorf("backup: open database copy: %w", err)
	}
	defer out.Close()
	if err := out.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&m.SQLiteVersion); err != nil {
		return fmt.Errorf("backup: read database copy: %w", err)
	}
	v, err := schemaVersion(ctx, out)
	if err != nil {
		return fmt.Errorf("backup: read schema version: %w", err)
	}
	m.SchemaVersion = v
	return out.Close()
}

// schemaVersion returns the highest migration goose has applied, 0 when the
// database has never been migrated.
func schemaVersion(ctx context.Context, q *sql.DB) (int64, error) {
	var n int
	err := q.QueryRowContext(ctx,
		"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'").Scan(&n)
	if err != nil || n == 0 {
		return 0, err
	}
	var v int64
	err = q.QueryRowContext(ctx,
		"SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&v)
	return v, err
}

// sqliteDSN builds a SQLite URI for the file at path; the path is escaped so
// that names with '?', '#' or '%' open the right file.
func sqliteDSN(path, query string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: query}
	return u.String()
}

// readKey reads the key file DATA/name, or returns nil when there is none.
// Keys are small and held in memory, so that the archive holds the key as
// it was when listed.
func readKey(dataDir, name string) (*source, error) {
	p := filepath.Join(dataDir, name)
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("backup: key file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("backup: key file: %w", err)
	}
	if !info.Mode().IsRegular() || info.Size() > maxKeySize {
		return nil, fmt.Errorf("backup: key file %s is not a regular file of at most %d bytes", p, maxKeySize)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeySize+1))
	if err != nil {
		return nil, fmt.Errorf("backup: key file: %w", err)
	}
	if len(data) > maxKeySize {
		return nil, fmt.Errorf("backup: key file %s is larger than %d bytes", p, maxKeySize)
	}
	sum := sha256.Sum256(data)
	return &source{
		File: File{Path: name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])},
		data: data,
	}, nil
}

// collectBlobs walks DATA/blobs, skipping writes in progress, and hashes
// every blob. Each blob is hard-linked into snap where the file system
// allows it, so that a blob deleted while the archive is written is still
// read whole; otherwise it is read in place.
func collectBlobs(ctx context.Context, dataDir, snap string) ([]source, error) {
	root := filepath.Join(dataDir, BlobsDir)
	var out []source
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll // no blobs yet, or blobs live in S3
			}
			if p != root && errors.Is(err, fs.ErrNotExist) {
				return nil // removed while we walked
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == root {
			if !d.IsDir() {
				return fmt.Errorf("%s is not a directory", root)
			}
			return nil
		}
		if isTemp(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // directories are implied by paths; the blob store makes no links
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		name := BlobsDir + "/" + filepath.ToSlash(rel)
		if err := checkPath(name); err != nil {
			return fmt.Errorf("cannot archive %s: %w", p, err)
		}
		disk := p
		link := filepath.Join(snap, filepath.FromSlash(name))
		if os.MkdirAll(filepath.Dir(link), 0o700) == nil && os.Link(p, link) == nil {
			disk = link
		}
		f, err := hashFile(ctx, name, disk)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // deleted between the listing and now
		}
		if err != nil {
			return err
		}
		out = append(out, source{File: f, disk: disk})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: blobs: %w", err)
	}
	return out, nil
}

// hashFile returns the manifest entry for the file at disk, archived as name.
func hashFile(ctx context.Context, name, disk string) (File, error) {
	f, err := os.Open(disk)
	if err != nil {
		return File{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := copyContext(ctx, h, f)
	if err != nil {
		return File{}, err
	}
	return File{Path: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// writeArchive streams the manifest and then every source into w as tar.gz,
// checking that each file still has the size and checksum the manifest gave.
func writeArchive(ctx context.Context, w io.Writer, m Manifest, sources []source) error {
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("backup: manifest: %w", err)
	}
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	mtime := m.Created.Truncate(time.Second)
	hdr := func(name string, size int64, mode int64) *tar.Header {
		return &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: mode, ModTime: mtime}
	}
	if err := tw.WriteHeader(hdr(ManifestName, int64(len(manifest)), 0o644)); err != nil {
		return fmt.Errorf("backup: write: %w", err)
	}
	if _, err := tw.Write(manifest); err != nil {
		return fmt.Errorf("backup: write: %w", err)
	}
	for _, s := range sources {
		mode := int64(0o640)
		if isKey(s.Path) {
			mode = 0o600
		}
		if err := tw.WriteHeader(hdr(s.Path, s.Size, mode)); err != nil {
			return fmt.Errorf("backup: write: %w", err)
		}
		if err := writeSource(ctx, tw, s); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("backup: write: %w", err)
	}
	if err := gz.Close(); err != nil {
		return fmt.Errorf("backup: write: %w", err)
	}
	return nil
}

func writeSource(ctx context.Context, tw *tar.Writer, s source) error {
	var r io.Reader = bytes.NewReader(s.data)
	if s.disk != "" {
		f, err := os.Open(s.disk)
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("backup: %s vanished while the archive was written; run the backup again", s.Path)
		}
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		defer f.Close()
		r = f
	}
	h := sha256.New()
	// Read one byte more than expected, so that a grown file is noticed
	// rather than cut short.
	n, err := copyContext(ctx, io.MultiWriter(tw, h), io.LimitReader(r, s.Size+1))
	if err != nil && !errors.Is(err, tar.ErrWriteTooLong) {
		return fmt.Errorf("backup: write %s: %w", s.Path, err)
	}
	if err != nil || n != s.Size || !sameSum(h, s.SHA256) {
		return fmt.Errorf("backup: %s changed while the archive was written; run the backup again", s.Path)
	}
	return nil
}

func sameSum(h hash.Hash, want string) bool {
	return hex.EncodeToString(h.Sum(nil)) == want
}

// copyContext copies like io.Copy, stopping when ctx is done.
func copyContext(ctx context.Context, dst io.Writer, src io.Reader) (int64, error) {
	buf := make([]byte, 256<<10)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		nr, rerr := src.Read(buf)
		if nr > 0 {
			nw, werr := dst.Write(buf[:nr])
			n += int64(nw)
			if werr != nil {
				return n, werr
			}
			if nw != nr {
				return n, io.ErrShortWrite
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}
