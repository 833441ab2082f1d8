package blob_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/blob"
)

// TestLocalLayout checks where the default store keeps a key, and with
// which permissions.
func TestLocalLayout(t *testing.T) {
	dataDir := t.TempDir()
	s, err := blob.Open(t.Context(), "", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "files/ab/cd.webp", []byte("image"))
	p := filepath.Join(dataDir, blob.Dir, "files", "ab", "cd.webp")
	got, err := os.ReadFile(p)
	if err != nil || string(got) != "image" {
		t.Fatalf("%s: %q, %v; want the bytes put", p, got, err)
	}
	if !strings.Contains(s.String(), filepath.Join(dataDir, blob.Dir)) {
		t.Errorf("String() = %q, want the directory", s.String())
	}
	// Modes are at most 0o640 and 0o750: the umask may remove bits.
	info, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if m := info.Mode().Perm(); m&^0o640 != 0 {
		t.Errorf("file mode %o, want at most 0640", m)
	}
	info, err = os.Stat(filepath.Dir(p))
	if err != nil {
		t.Fatal(err)
	}
	if m := info.Mode().Perm(); m&^0o750 != 0 {
		t.Errorf("directory mode %o, want at most 0750", m)
	}
}

// TestLocalFileURL checks that file:///abs/path names the directory.
func TestLocalFileURL(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "elsewhere")
	s, err := blob.Open(t.Context(), "file://"+filepath.ToSlash(dir), "/unused")
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "k", []byte("v"))
	if got, err := os.ReadFile(filepath.Join(dir, "k")); err != nil || string(got) != "v" {
		t.Fatalf("read %q, %v; want the bytes put under %s", got, err, dir)
	}
}

// TestLocalTempNames checks that a write in progress is a file the backup
// skips (a name starting with "." and ending in ".tmp", beside the key's
// file), and that a failed write leaves no file behind.
func TestLocalTempNames(t *testing.T) {
	dir := t.TempDir()
	s, err := blob.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	done := make(chan error)
	go func() { done <- s.Put(t.Context(), "docs/report.pdf", pr, -1, "application/pdf") }()
	// Once Put has taken these bytes, its temporary file exists.
	if _, err := pw.Write([]byte("half a document")); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "docs"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), ".") || !strings.HasSuffix(entries[0].Name(), ".tmp") {
		t.Fatalf("during a Put, docs/ holds %v; want one file named .….tmp", entries)
	}
	pw.CloseWithError(errBroken)
	if err := <-done; !errors.Is(err, errBroken) {
		t.Fatalf("Put = %v, want the reader's error", err)
	}
	entries, err = os.ReadDir(filepath.Join(dir, "docs"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Fatalf("after a failed Put, docs/ holds %v; want nothing", entries)
	}
	missing(t, s, "docs/report.pdf")
}

// TestLocalStaysInside checks that symbolic links inside the directory do
// not lead a key outside it.
func TestLocalStaysInside(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("not a blob"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Skipf("cannot make symbolic links here: %v", err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "file")); err != nil {
		t.Fatal(err)
	}
	s, err := blob.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"link/secret", "file"} {
		if o, err := s.Open(t.Context(), key); err == nil {
			b, _ := io.ReadAll(o)
			o.Close()
			t.Errorf("Open(%q) read %q from outside the store", key, b)
		}
	}
	if err := s.Put(t.Context(), "link/new", bytes.NewReader([]byte("x")), 1, "text/plain"); err == nil {
		t.Error("Put through a link to outside succeeded")
	}
	if _, err := os.Stat(filepath.Join(outside, "new")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Put wrote outside the store: %v", err)
	}
	if err := s.Delete(t.Context(), "link/secret"); err == nil {
		if _, err := os.Stat(filepath.Join(outside, "secret")); err != nil {
			t.Errorf("Delete removed a file outside the store: %v", err)
		}
	}
}
