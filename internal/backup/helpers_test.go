package backup_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"harambee.africa/harambee/internal/backup"
	"harambee.africa/harambee/internal/db"
)

// itemsMigration is a goose migration, so that the manifest has a schema
// version to report.
var itemsMigration = db.Migrations{Module: "backuptest", FS: fstest.MapFS{
	"2024010101_items.sql": {Data: []byte(`-- +goose Up
CREATE TABLE item (n INTEGER PRIMARY KEY, body TEXT NOT NULL, sum TEXT NOT NULL);
CREATE TABLE item_log (n INTEGER PRIMARY KEY REFERENCES item (n), at TIMESTAMP NOT NULL);
-- +goose Down
DROP TABLE item_log;
DROP TABLE item;
`)},
}}

const itemsVersion = 2024010101

// keyFiles are the key files a data directory may hold, which a backup
// carries.
var keyFiles = []string{backup.AuditKeyName, backup.FeedsKeyName, backup.AccountKeyName}

// mustOpenDataDir creates a data directory with a migrated harambee.db, the
// audit key, the feeds and account keys, and no blobs, and returns it with
// the open database.
func mustOpenDataDir(t testing.TB) (string, *db.DB) {
	t.Helper()
	ctx := context.Background()
	dataDir := filepath.Join(t.TempDir(), "data")
	d, err := db.OpenSQLite(ctx, filepath.Join(dataDir, backup.DatabaseName))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx, itemsMigration); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dataDir, backup.AuditKeyName), key, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{backup.FeedsKeyName, backup.AccountKeyName} {
		writeSealKey(t, dataDir, name)
	}
	return dataDir, d
}

// writeSealKey writes a random key file as internal/seal makes them.
func writeSealKey(t testing.TB, dataDir, name string) {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	if err := os.WriteFile(filepath.Join(dataDir, name), []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// itemBody is the content of row n, so that a reader can tell a whole row
// from a torn one.
func itemBody(n int64) string {
	return string(bytes.Repeat([]byte{byte('a' + n%26)}, int(50+n%200)))
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// insertItem writes row n and its log line in one transaction.
func insertItem(ctx context.Context, d *db.DB, n int64) error {
	body := itemBody(n)
	return d.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO item (n, body, sum) VALUES ($1, $2, $3)", n, body, sum([]byte(body))); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO item_log (n, at) VALUES ($1, $2)", n, time.Now().UTC())
		return err
	})
}

// writeBlob stores content the way the blob store does: content-addressed,
// written to a temporary name, then renamed into place. It returns the path
// relative to the data directory.
func writeBlob(t testing.TB, dataDir string, content []byte) string {
	t.Helper()
	h := sum(content)
	rel := filepath.Join(backup.BlobsDir, h[:2], h)
	dir := filepath.Join(dataDir, backup.BlobsDir, h[:2])
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	f, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(f.Name(), filepath.Join(dataDir, rel)); err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(rel)
}

// mustBackup runs Backup on dataDir and returns the archive.
func mustBackup(t testing.TB, dataDir string) ([]byte, backup.Manifest) {
	t.Helper()
	var buf bytes.Buffer
	m, err := backup.Backup(context.Background(), dataDir, &buf)
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	return buf.Bytes(), m
}

// entry is one entry of a hand-built archive.
type entry struct {
	name string
	body string
	typ  byte // tar.TypeReg when zero
	link string
	size int64 // header size when non-zero, else len(body)
}

// reg is a regular file entry.
func reg(name, body string) entry { return entry{name: name, body: body} }

// manifestFor returns a valid manifest listing the regular entries.
func manifestFor(entries ...entry) backup.Manifest {
	m := backup.Manifest{
		Application: backup.Application,
		Format:      backup.Format,
		Created:     time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Engine:      "sqlite",
		Files:       []backup.File{},
	}
	for _, e := range entries {
		if e.typ == 0 || e.typ == tar.TypeReg {
			m.Files = append(m.Files, backup.File{Path: e.name, Size: int64(len(e.body)), SHA256: sum([]byte(e.body))})
		}
	}
	return m
}

// tarGz builds an archive by hand: manifest.json from m (unless m is nil),
// then the entries as given.
func tarGz(t testing.TB, m any, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	if m != nil {
		j, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		entries = append([]entry{reg(backup.ManifestName, string(j))}, entries...)
	}
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Linkname: e.link, Mode: 0o644, Size: int64(len(e.body))}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if e.size != 0 {
			h.Size = e.size
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("header %q: %v", e.name, err)
		}
		body := e.body
		if int64(len(body)) > h.Size {
			body = body[:h.Size]
		}
		if _, err := io.WriteString(tw, body); err != nil {
			t.Fatalf("body %q: %v", e.name, err)
		}
		// Pad an oversize header with the rest of its claimed length.
		if pad := h.Size - int64(len(body)); pad > 0 {
			tw.Write(make([]byte, pad))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gunzip and regzip let a test change bytes inside the tar stream, where
// gzip's own checksum does not see them.
func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func regzip(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// listTree returns every path under dir, slash-separated and sorted.
func listTree(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// assertUntouched fails unless parent holds nothing but target, and target
// is missing or empty: a refused restore leaves no trace.
func assertUntouched(t testing.TB, parent, target string) {
	t.Helper()
	for _, p := range listTree(t, parent) {
		if p != filepath.Base(target) {
			t.Errorf("refused restore left %s behind", p)
		}
	}
}
