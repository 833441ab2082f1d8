package backup_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"harambee.africa/harambee/internal/backup"
	"harambee.africa/harambee/internal/db"
)

// TestBackupWhileWriting backs up a data directory while a writer keeps
// committing, restores the archive, and checks that the restored database is
// one consistent moment between the start and the end of the backup.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dataDir, d := mustOpenDataDir(t)

	var blobs []string
	for i := range 20 {
		content := bytes.Repeat([]byte(fmt.Sprintf("blob %d ", i)), 1000*(i+1))
		blobs = append(blobs, writeBlob(t, dataDir, content))
	}
	// Writes in progress, which the backup must skip.
	for _, p := range []string{"blobs/ab/.upload-123", "blobs/half.tmp", "blobs/.staging/x"} {
		full := filepath.Join(dataDir, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o750)
		if err := os.WriteFile(full, []byte("partial"), 0o640); err != nil {
			t.Fatal(err)
		}
	}

	// One writer, as in the server: d.W is a single connection.
	var committed atomic.Int64
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		for n := int64(1); ; n++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if err := insertItem(ctx, d, n); err != nil {
				done <- err
				return
			}
			committed.Store(n)
		}
	}()
	for committed.Load() < 200 {
		time.Sleep(time.Millisecond)
	}

	start := committed.Load()
	archive, m := mustBackup(t, dataDir)
	end := committed.Load()
	close(stop)
	if err := <-done; err != nil {
		t.Fatalf("writer: %v", err)
	}
	if end == start {
		t.Logf("the writer committed nothing during the backup (%d rows); the test proves less than it should", start)
	}

	t.Run("Manifest", func(t *testing.T) {
		if m.Format != backup.Format || m.Engine != "sqlite" || m.Application != backup.Application {
			t.Errorf("manifest header = %+v", m)
		}
		if m.SchemaVersion != itemsVersion {
			t.Errorf("schema version = %d, want %d", m.SchemaVersion, itemsVersion)
		}
		if m.SQLiteVersion == "" || m.Created.IsZero() {
			t.Errorf("manifest lacks SQLite version or time: %+v", m)
		}
		var paths []string
		for _, f := range m.Files {
			paths = append(paths, f.Path)
		}
		want := append(append([]string{backup.DatabaseName}, keyFiles...), blobs...)
		slices.Sort(want[1+len(keyFiles):])
		if !slices.Equal(paths, want) {
			t.Errorf("manifest files = %q\nwant %q", paths, want)
		}
		if leftovers, _ := filepath.Glob(filepath.Join(dataDir, ".backup-*")); len(leftovers) > 0 {
			t.Errorf("backup left %q in the data directory", leftovers)
		}
	})

	parent := t.TempDir()
	target := filepath.Join(parent, "restored")
	if err := backup.Restore(ctx, bytes.NewReader(archive), target); err != nil {
		t.Fatalf("restore: %v", err)
	}

	t.Run("Files", func(t *testing.T) {
		if got := listTree(t, parent); got[0] != "restored" || len(got) < 2 {
			t.Fatalf("restore wrote %q", got)
		}
		for _, e := range mustReadDir(t, target) {
			if !slices.Contains(append([]string{backup.DatabaseName, backup.BlobsDir}, keyFiles...), e) {
				t.Errorf("restored data directory holds %q", e)
			}
		}
		for _, p := range append(blobs, keyFiles...) {
			want, err := os.ReadFile(filepath.Join(dataDir, filepath.FromSlash(p)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(target, filepath.FromSlash(p)))
			if err != nil {
				t.Errorf("restored %s: %v", p, err)
				continue
			}
			if !bytes.Equal(got, want) {
				t.Errorf("restored %s differs from the original", p)
			}
		}
		for _, p := range []string{"blobs/ab/.upload-123", "blobs/half.tmp", "blobs/.staging"} {
			if _, err := os.Lstat(filepath.Join(target, filepath.FromSlash(p))); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("temporary file %s was restored", p)
			}
		}
		for _, k := range keyFiles {
			info, err := os.Stat(filepath.Join(target, k))
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s mode = %v, want no access for group and others", k, info.Mode().Perm())
			}
		}
	})

	t.Run("Database", func(t *testing.T) {
		r, err := db.OpenSQLite(ctx, filepath.Join(target, backup.DatabaseName))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var check string
		if err := r.R.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("integrity_check = %q, %v", check, err)
		}
		var items, logs int64
		if err := r.R.QueryRowContext(ctx, "SELECT count(*) FROM item").Scan(&items); err != nil {
			t.Fatal(err)
		}
		if err := r.R.QueryRowContext(ctx, "SELECT count(*) FROM item_log").Scan(&logs); err != nil {
			t.Fatal(err)
		}
		if items < start || items > end {
			t.Errorf("restored %d rows, want between %d (backup start) and %d (backup end)", items, start, end)
		}
		t.Logf("rows: %d at backup start, %d restored, %d at backup end", start, items, end)
		if logs != items {
			t.Errorf("restored %d items but %d log lines: the copy tore a transaction", items, logs)
		}
		// One writer inserting 1, 2, 3, … means a consistent copy holds
		// exactly 1..count, each row whole.
		rows, err := r.R.QueryContext(ctx, "SELECT n, body, sum FROM item ORDER BY n")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		want := int64(1)
		for rows.Next() {
			var n int64
			var body, s string
			if err := rows.Scan(&n, &body, &s); err != nil {
				t.Fatal(err)
			}
			if n != want || body != itemBody(n) || s != sum([]byte(body)) {
				t.Fatalf("row %d malformed: n=%d body=%.20q… sum=%s", want, n, body, s)
			}
			want++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	})
}

func sorted(names ...string) []string {
	slices.Sort(names)
	return names
}

func mustReadDir(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestBackup(t *testing.T) {
	ctx := context.Background()

	t.Run("NoBlobsNoKey", func(t *testing.T) {
		dataDir, _ := mustOpenDataDir(t)
		for _, k := range keyFiles {
			os.Remove(filepath.Join(dataDir, k))
		}
		archive, m := mustBackup(t, dataDir)
		if len(m.Files) != 1 || m.Files[0].Path != backup.DatabaseName {
			t.Errorf("files = %+v, want the database alone", m.Files)
		}
		target := filepath.Join(t.TempDir(), "data")
		if err := backup.Restore(ctx, bytes.NewReader(archive), target); err != nil {
			t.Fatalf("restore: %v", err)
		}
		if got := mustReadDir(t, target); !slices.Equal(got, []string{backup.DatabaseName}) {
			t.Errorf("restored %q", got)
		}
	})

	// Each key file travels on its own: a data directory holds those its
	// modules made, and a key given in an environment variable has none.
	for _, k := range keyFiles {
		t.Run("Only"+k, func(t *testing.T) {
			dataDir, _ := mustOpenDataDir(t)
			for _, other := range keyFiles {
				if other != k {
					os.Remove(filepath.Join(dataDir, other))
				}
			}
			want, err := os.ReadFile(filepath.Join(dataDir, k))
			if err != nil {
				t.Fatal(err)
			}
			archive, m := mustBackup(t, dataDir)
			if len(m.Files) != 2 || m.Files[0].Path != backup.DatabaseName || m.Files[1].Path != k {
				t.Errorf("files = %+v, want the database and %s", m.Files, k)
			}
			target := filepath.Join(t.TempDir(), "data")
			if err := backup.Restore(ctx, bytes.NewReader(archive), target); err != nil {
				t.Fatalf("restore: %v", err)
			}
			if got := mustReadDir(t, target); !slices.Equal(got, sorted(backup.DatabaseName, k)) {
				t.Errorf("restored %q", got)
			}
			got, err := os.ReadFile(filepath.Join(target, k))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("restored %s = %q, %v; want %q", k, got, err, want)
			}
		})
	}

	t.Run("KeyNotAFile", func(t *testing.T) {
		dataDir, _ := mustOpenDataDir(t)
		p := filepath.Join(dataDir, backup.AccountKeyName)
		os.Remove(p)
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := backup.Backup(ctx, dataDir, &buf); err == nil || !strings.Contains(err.Error(), backup.AccountKeyName) {
			t.Errorf("err = %v, want one naming %s", err, backup.AccountKeyName)
		}
	})

	t.Run("ErrNoDatabase", func(t *testing.T) {
		var buf bytes.Buffer
		_, err := backup.Backup(ctx, t.TempDir(), &buf)
		if err == nil || !strings.Contains(err.Error(), "pg_dump") {
			t.Errorf("err = %v, want one that points PostgreSQL users to pg_dump", err)
		}
	})

	t.Run("Canceled", func(t *testing.T) {
		dataDir, _ := mustOpenDataDir(t)
		writeBlob(t, dataDir, []byte("x"))
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		var buf bytes.Buffer
		if _, err := backup.Backup(ctx, dataDir, &buf); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if leftovers, _ := filepath.Glob(filepath.Join(dataDir, ".backup-*")); len(leftovers) > 0 {
			t.Errorf("canceled backup left %q", leftovers)
		}
	})
}

func TestSupported(t *testing.T) {
	dataDir := t.TempDir()
	for _, tc := range []struct {
		url  string
		want error // nil: supported; errAny: some other error
	}{
		{"", nil},
		{"sqlite:" + filepath.Join(dataDir, "harambee.db"), nil},
		{"postgres://u:p@db/harambee", backup.ErrPostgres},
		{"postgresql://db/harambee", backup.ErrPostgres},
		{"sqlite:/elsewhere/other.db", errAny},
		{"mysql://db", errAny},
	} {
		err := backup.Supported(tc.url, dataDir)
		switch {
		case tc.want == nil && err != nil:
			t.Errorf("Supported(%q) = %v, want nil", tc.url, err)
		case tc.want == errAny && err == nil:
			t.Errorf("Supported(%q) = nil, want an error", tc.url)
		case tc.want != nil && tc.want != errAny && !errors.Is(err, tc.want):
			t.Errorf("Supported(%q) = %v, want %v", tc.url, err, tc.want)
		}
	}
	if !strings.Contains(backup.ErrPostgres.Error(), "pg_dump") {
		t.Errorf("ErrPostgres does not say what to use instead: %v", backup.ErrPostgres)
	}
}

var errAny = errors.New("any error")
