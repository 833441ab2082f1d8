package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Restore reads an archive written by Backup from r and puts its files into
// dataDir, which must be empty or missing (an empty lost+found is allowed).
// Everything is first written to a temporary directory inside dataDir and
// checked — every entry against the manifest, every checksum, and PRAGMA
// integrity_check on the database — and only then renamed into place, the
// database last. When Restore fails, dataDir is left as it was found.
func Restore(ctx context.Context, r io.Reader, dataDir string) (err error) {
	created, err := prepareTarget(dataDir)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(dataDir, ".restore-")
	if err != nil {
		if created {
			os.Remove(dataDir)
		}
		return fmt.Errorf("restore: %w", err)
	}
	defer func() {
		os.RemoveAll(tmp)
		if err != nil && created {
			os.Remove(dataDir) // only if still empty
		}
	}()

	staged, err := os.OpenRoot(tmp)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer staged.Close()
	m, err := extract(ctx, r, staged)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := checkDatabase(ctx, filepath.Join(tmp, DatabaseName), m); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := staged.Close(); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := moveIntoPlace(dataDir, filepath.Base(tmp)); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

// prepareTarget refuses a data directory that holds anything, and creates a
// missing one. It reports whether it created the directory.
func prepareTarget(dataDir string) (created bool, err error) {
	entries, err := os.ReadDir(dataDir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return false, fmt.Errorf("restore: %w", err)
		}
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("restore: data directory: %w", err)
	}
	if name := firstEntry(entries); name != "" {
		return false, fmt.Errorf("restore: %w: %s holds %q; restore only into an empty or missing directory",
			ErrNotEmpty, dataDir, name)
	}
	return false, nil
}

// firstEntry returns the name of the first entry that makes a directory
// non-empty, ignoring the lost+found of a freshly made file system.
func firstEntry(entries []fs.DirEntry) string {
	for _, e := range entries {
		if e.Name() == "lost+found" && e.IsDir() {
			continue
		}
		return e.Name()
	}
	return ""
}

// extract reads the archive into root, checking every entry against the
// manifest, and returns the manifest.
func extract(ctx context.Context, r io.Reader, root *os.Root) (Manifest, error) {
	gz, err := gzip.NewReader(r)
	if err == io.EOF {
		return Manifest{}, fmt.Errorf("%w: empty file", ErrFormat)
	}
	if err != nil {
		return Manifest{}, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	defer gz.Close()
	tr := tar.NewReader(gz)

	m, files, err := readManifest(tr)
	if err != nil {
		return Manifest{}, err
	}
	seen := make(map[string]bool, len(files))
	for {
		if err := ctx.Err(); err != nil {
			return Manifest{}, err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if errors.Is(err, tar.ErrInsecurePath) {
			return Manifest{}, fmt.Errorf("%w: %q", ErrUnsafePath, hdr.Name)
		}
		if err != nil {
			return Manifest{}, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		f, err := checkEntry(hdr, files, seen)
		if err != nil {
			return Manifest{}, err
		}
		seen[f.Path] = true
		if err := extractFile(ctx, tr, root, f); err != nil {
			return Manifest{}, err
		}
	}
	for _, f := range m.Files {
		if !seen[f.Path] {
			return Manifest{}, fmt.Errorf("%w: archive ends without %s", ErrFormat, f.Path)
		}
	}
	// Read to the end of the gzip stream so that its own checksum is
	// verified; a backup ends with the tar trailer, so little is left.
	n, err := io.Copy(io.Discard, io.LimitReader(gz, 1<<20))
	if err != nil {
		return Manifest{}, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if n == 1<<20 {
		return Manifest{}, fmt.Errorf("%w: data after the end of the archive", ErrFormat)
	}
	return m, nil
}

// readManifest reads and validates the first entry, manifest.json.
func readManifest(tr *tar.Reader) (Manifest, map[string]File, error) {
	hdr, err := tr.Next()
	if err == io.EOF {
		return Manifest{}, nil, fmt.Errorf("%w: empty archive", ErrFormat)
	}
	if err != nil {
		return Manifest{}, nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if hdr.Name != ManifestName || hdr.Typeflag != tar.TypeReg {
		return Manifest{}, nil, fmt.Errorf("%w: first entry is %q, not %s", ErrFormat, hdr.Name, ManifestName)
	}
	if hdr.Size > maxManifestSize {
		return Manifest{}, nil, fmt.Errorf("%w: manifest of %d bytes is too large", ErrFormat, hdr.Size)
	}
	var m Manifest
	dec := json.NewDecoder(io.LimitReader(tr, maxManifestSize))
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, nil, fmt.Errorf("%w: manifest: %v", ErrFormat, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Manifest{}, nil, fmt.Errorf("%w: manifest: data after the JSON object", ErrFormat)
	}
	files, err := m.validate()
	if err != nil {
		return Manifest{}, nil, err
	}
	return m, files, nil
}

// checkEntry returns the manifest entry for a tar header, refusing unsafe
// names, links, other entry types, and anything the manifest does not
// describe exactly.
func checkEntry(hdr *tar.Header, files map[string]File, seen map[string]bool) (File, error) {
	name := hdr.Name
	if err := checkPath(name); err != nil {
		return File{}, err
	}
	switch hdr.Typeflag {
	case tar.TypeReg:
	case tar.TypeSymlink, tar.TypeLink:
		return File{}, fmt.Errorf("%w: %q is a link", ErrUnsafePath, name)
	default:
		return File{}, fmt.Errorf("%w: %q has entry type %q", ErrFormat, name, hdr.Typeflag)
	}
	f, ok := files[name]
	if !ok {
		return File{}, fmt.Errorf("%w: %q is not in the manifest", ErrFormat, name)
	}
	if seen[name] {
		return File{}, fmt.Errorf("%w: %q appears twice", ErrFormat, name)
	}
	if hdr.Size != f.Size {
		return File{}, fmt.Errorf("%w: %q is %d bytes, the manifest says %d", ErrFormat, name, hdr.Size, f.Size)
	}
	return f, nil
}

// extractFile writes one file under root and verifies its checksum. root
// confines every path to the staging directory, as a second guard behind
// checkPath.
func extractFile(ctx context.Context, tr *tar.Reader, root *os.Root, f File) error {
	name := filepath.FromSlash(f.Path)
	if dir := path.Dir(f.Path); dir != "." {
		if err := root.MkdirAll(filepath.FromSlash(dir), 0o750); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrUnsafePath, f.Path, err)
		}
	}
	perm := os.FileMode(0o640)
	if isKey(f.Path) {
		perm = 0o600
	}
	out, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnsafePath, f.Path, err)
	}
	defer out.Close()
	h := sha256.New()
	n, err := copyContext(ctx, io.MultiWriter(out, h), io.LimitReader(tr, f.Size))
	if err != nil && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, tar.ErrHeader)) {
		return fmt.Errorf("%w: %s: %v", ErrFormat, f.Path, err)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if n != f.Size {
		return fmt.Errorf("%w: %s is truncated", ErrFormat, f.Path)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
		return fmt.Errorf("%w: %s has SHA-256 %s, the manifest says %s", ErrChecksum, f.Path, got, f.SHA256)
	}
	if err := out.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	return out.Close()
}

// checkDatabase runs PRAGMA integrity_check on the restored database and
// compares its schema version with the manifest's.
func checkDatabase(ctx context.Context, dbPath string, m Manifest) error {
	d, err := sql.Open("sqlite", sqliteDSN(dbPath, "mode=ro"))
	if err != nil {
		return fmt.Errorf("open restored database: %w", err)
	}
	defer d.Close()
	rows, err := d.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("%w: restored database: %v", ErrFormat, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("restored database: %w", err)
		}
		if s != "ok" && len(problems) < 10 {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%w: restored database: %v", ErrFormat, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: restored database fails integrity_check: %s", ErrFormat, strings.Join(problems, "; "))
	}
	v, err := schemaVersion(ctx, d)
	if err != nil {
		return fmt.Errorf("restored database: schema version: %w", err)
	}
	if v != m.SchemaVersion {
		return fmt.Errorf("%w: restored database is at schema version %d, the manifest says %d", ErrFormat, v, m.SchemaVersion)
	}
	return d.Close()
}

// moveIntoPlace renames the staged files from DATA/staging into DATA, the
// database last, so that a data directory with a harambee.db is a complete
// one. On failure it moves back what it moved.
func moveIntoPlace(dataDir, staging string) (err error) {
	root, err := os.OpenRoot(dataDir)
	if err != nil {
		return err
	}
	defer root.Close()

	names := append(append([]string{BlobsDir}, keyNames...), DatabaseName)
	// Check again just before moving: another restore may have raced us.
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() != staging && firstEntry([]fs.DirEntry{e}) != "" {
			return fmt.Errorf("%w: %s now holds %q", ErrNotEmpty, dataDir, e.Name())
		}
	}
	var moved []string
	defer func() {
		if err != nil {
			for _, n := range moved {
				root.Rename(n, filepath.Join(staging, n))
			}
		}
	}()
	for _, n := range names {
		from := filepath.Join(staging, n)
		if _, err := root.Lstat(from); errors.Is(err, fs.ErrNotExist) {
			continue // no blobs, or not this key, in this archive
		}
		if err := root.Rename(from, n); err != nil {
			return err
		}
		moved = append(moved, n)
	}
	if d, err := os.Open(dataDir); err == nil {
		d.Sync() // make the renames durable where the platform allows
		d.Close()
	}
	return nil
}
