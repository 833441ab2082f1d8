package db_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/db"
)

// walSize is the size of the write-ahead log file.
func walSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		return 0
	}
	return fi.Size()
}

// TestCommitsDoNotCheckpoint: the writer leaves the log to the
// checkpointer, which folds it into the database file beside it, and
// Close leaves no log behind.
func TestCommitsDoNotCheckpoint(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "harambee.db")
	d, err := db.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var auto, pageSize int
	if err := d.W.QueryRow(`PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil || auto != 0 {
		t.Fatalf("writer's wal_autocheckpoint = %d (%v), want 0", auto, err)
	}
	if err := d.W.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil || pageSize != 16384 {
		t.Fatalf("page_size = %d (%v), want 16384 for a new database", pageSize, err)
	}
	if _, err := d.W.Exec(`CREATE TABLE t (x TEXT)`); err != nil {
		t.Fatal(err)
	}
	// Well past the 1,000 pages at which a committing writer would have
	// checkpointed by itself.
	big := strings.Repeat("x", 60_000)
	for i := 0; i < 400; i++ {
		if _, err := d.W.Exec(`INSERT INTO t (x) VALUES ($1)`, big); err != nil {
			t.Fatal(err)
		}
	}
	complete, err := d.Checkpoint(ctx)
	if err != nil || !complete {
		t.Fatalf("checkpoint: complete %v, %v", complete, err)
	}
	var n int
	if err := d.R.QueryRow(`SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != 400 {
		t.Fatalf("%d rows (%v) after the checkpoint, want 400", n, err)
	}
	// The next write starts the log again from its beginning: it stops
	// growing once folded in.
	before := walSize(t, path)
	if before < 400*60_000 {
		t.Fatalf("log of %d bytes: the writer checkpointed by itself", before)
	}
	for i := 0; i < 50; i++ {
		if _, err := d.W.Exec(`INSERT INTO t (x) VALUES ($1)`, big); err != nil {
			t.Fatal(err)
		}
	}
	if after := walSize(t, path); after > before {
		t.Fatalf("log grew from %d to %d bytes after a complete checkpoint", before, after)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if s := walSize(t, path); s != 0 {
		t.Fatalf("log of %d bytes left after Close", s)
	}
	d, err = db.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.R.QueryRow(`SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != 450 {
		t.Fatalf("%d rows (%v) after reopening, want 450", n, err)
	}
}

// TestCheckpointerRunsByItself: without being asked, the log is folded in
// within a few ticks.
func TestCheckpointerRunsByItself(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "harambee.db")
	d, err := db.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.W.Exec(`CREATE TABLE t (x TEXT)`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.W.Exec(`INSERT INTO t (x) VALUES ($1)`, strings.Repeat("y", 200_000)); err != nil {
		t.Fatal(err)
	}
	// Only a checkpoint writes pages to the database file itself.
	for deadline := time.Now().Add(30 * time.Second); ; {
		if fi, err := os.Stat(path); err == nil && fi.Size() > 200_000 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the log was never folded in by the checkpointer")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
