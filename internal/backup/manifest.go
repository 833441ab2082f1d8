// Package backup writes and restores one archive holding everything a SQLite
// deployment of Harambee keeps on disk: the database, the uploaded blobs and
// the key files (the audit key, and the keys that seal the CERT feeds'
// credentials and the accounts' TOTP secrets). The archive is a gzip-compressed tar whose first entry,
// manifest.json, lists every file with its size and SHA-256, so that a
// restore can refuse anything it did not expect before a byte reaches the
// data directory.
//
// PostgreSQL deployments are backed up with pg_dump and the blob store's own
// tools; see docs/operations-backup.md.
package backup

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
)

// Format is the version of the archive layout this package writes. Restore
// refuses any other.
const Format = 1

// Application marks an archive as a Harambee backup.
const Application = "harambee"

// Names inside the archive and the data directory.
const (
	ManifestName   = "manifest.json"
	DatabaseName   = "harambee.db"
	AuditKeyName   = "audit-key"
	FeedsKeyName   = "feeds-key"
	AccountKeyName = "account-key"
	BlobsDir       = "blobs"
)

// keyNames are the key files of the data directory that a backup carries
// when they exist: without them a restored instance could not sign its
// audit chain on, nor open the secrets sealed in its database. A key given
// in an environment variable instead is not on disk, and not in a backup.
var keyNames = []string{AuditKeyName, FeedsKeyName, AccountKeyName}

// isKey reports whether the archive path p is a key file.
func isKey(p string) bool { return slices.Contains(keyNames, p) }

// Limits on what Restore accepts. They bound memory and disk use by an archive
// that lies about itself; real archives stay far below them.
const (
	maxManifestSize = 256 << 20 // about a million files
	maxKeySize      = 64 << 10
	maxFileSize     = 1 << 40
	maxPathLen      = 1024
)

// Errors that callers (and operators) may want to tell apart. Each error
// returned by Backup and Restore wraps at most one of them.
var (
	// ErrPostgres: this package backs up SQLite only.
	ErrPostgres = errors.New("PostgreSQL is backed up with pg_dump and the blob store's own tools, not with harambee backup: see docs/operations-backup.md")
	// ErrNotEmpty: Restore writes only into an empty or missing directory.
	ErrNotEmpty = errors.New("data directory is not empty")
	// ErrChecksum: a file's content does not match its manifest entry.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrUnsafePath: an entry would land outside the data directory, or is a link.
	ErrUnsafePath = errors.New("unsafe path")
	// ErrFormat: the archive is malformed, from another format version, or
	// holds entries the manifest does not describe.
	ErrFormat = errors.New("not a valid harambee backup")
)

// Manifest describes an archive. It is the archive's first entry.
type Manifest struct {
	Application string    `json:"application"`
	Format      int       `json:"format"`
	Created     time.Time `json:"created"`
	// Engine is the database engine the archive holds; always "sqlite".
	Engine string `json:"engine"`
	// SQLiteVersion is the version of SQLite that wrote the database copy.
	SQLiteVersion string `json:"sqlite_version,omitempty"`
	// SchemaVersion is the highest applied migration (goose version), 0 when
	// the database has never been migrated.
	SchemaVersion int64 `json:"schema_version"`
	// Files lists every file that follows the manifest, in archive order.
	Files []File `json:"files"`
}

// File is one file of the archive, named by its slash-separated path
// relative to the data directory.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// validate checks a manifest read from an archive and returns its files by path.
func (m *Manifest) validate() (map[string]File, error) {
	if m.Application != Application {
		return nil, fmt.Errorf("%w: manifest names application %q", ErrFormat, m.Application)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("%w: archive format %d, this version reads format %d", ErrFormat, m.Format, Format)
	}
	if m.Engine != "sqlite" {
		return nil, fmt.Errorf("%w: archive holds engine %q", ErrFormat, m.Engine)
	}
	files := make(map[string]File, len(m.Files))
	for _, f := range m.Files {
		if err := checkPath(f.Path); err != nil {
			return nil, err
		}
		if _, dup := files[f.Path]; dup {
			return nil, fmt.Errorf("%w: %q listed twice", ErrFormat, f.Path)
		}
		if f.Size < 0 || f.Size > maxFileSize || (isKey(f.Path) && f.Size > maxKeySize) {
			return nil, fmt.Errorf("%w: %q has size %d", ErrFormat, f.Path, f.Size)
		}
		if !isSHA256(f.SHA256) {
			return nil, fmt.Errorf("%w: %q has malformed checksum %q", ErrFormat, f.Path, f.SHA256)
		}
		files[f.Path] = f
	}
	if _, ok := files[DatabaseName]; !ok {
		return nil, fmt.Errorf("%w: no %s in manifest", ErrFormat, DatabaseName)
	}
	return files, nil
}

// checkPath accepts exactly the names a backup writes: the database, the
// key files, and files under blobs/ whose path components are plain names.
// Anything else is unsafe (it could escape the data directory) or unknown.
func checkPath(p string) error {
	if p == "" || len(p) > maxPathLen || strings.ContainsAny(p, "\\\x00") ||
		strings.HasPrefix(p, "/") || path.Clean(p) != p || !localName(p) {
		return fmt.Errorf("%w: %q", ErrUnsafePath, p)
	}
	if p == DatabaseName || isKey(p) {
		return nil
	}
	rest, ok := strings.CutPrefix(p, BlobsDir+"/")
	if !ok {
		return fmt.Errorf("%w: unknown entry %q", ErrFormat, p)
	}
	for c := range strings.SplitSeq(rest, "/") {
		if isTemp(c) {
			return fmt.Errorf("%w: unexpected name %q", ErrFormat, p)
		}
	}
	return nil
}

// localName reports whether the slash path p stays inside its root:
// relative, with no ".." component.
func localName(p string) bool {
	for c := range strings.SplitSeq(p, "/") {
		if c == ".." || c == "." || c == "" {
			return false
		}
	}
	return true
}

// isTemp reports whether a file or directory name under blobs/ belongs to a
// write in progress (or any other hidden file), which a backup skips. The blob
// store writes to a temporary name that starts with a dot or ends in .tmp,
// then renames it into place.
func isTemp(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".tmp")
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
