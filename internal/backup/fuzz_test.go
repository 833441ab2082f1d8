package backup_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/backup"
)

// FuzzRestore feeds Restore arbitrary bytes. It must never panic, never write
// outside the target directory, and either restore only the files a backup
// holds or leave the target as it found it.
func FuzzRestore(f *testing.F) {
	dataDir, _ := mustOpenDataDir(f)
	writeBlob(f, dataDir, []byte("seed blob"))
	archive, _ := mustBackup(f, dataDir)
	f.Add(archive)
	f.Add(gunzip(f, archive)) // a bare tar
	for _, h := range hostileArchives(f) {
		f.Add(h.archive)
	}

	f.Fuzz(func(t *testing.T, b []byte) {
		parent := t.TempDir()
		target := filepath.Join(parent, "data")
		err := backup.Restore(context.Background(), bytes.NewReader(b), target)
		if err != nil {
			assertUntouched(t, parent, target)
			return
		}
		for _, p := range listTree(t, parent) {
			if p == "data" || p == "data/"+backup.DatabaseName || slices.Contains(keyFiles, strings.TrimPrefix(p, "data/")) ||
				p == "data/"+backup.BlobsDir || len(p) > len("data/blobs/") && p[:len("data/blobs/")] == "data/blobs/" {
				continue
			}
			t.Errorf("restore wrote %s", p)
		}
		err = filepath.WalkDir(target, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !d.Type().IsRegular() {
				t.Errorf("restore made %s, which is not a regular file", p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(listTree(t, target), backup.DatabaseName) {
			t.Error("a successful restore has no database")
		}
	})
}
