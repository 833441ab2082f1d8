package db_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"harambee.africa/harambee/internal/db"
)

// TestOddPaths opens SQLite in directories whose names hold the characters
// that end or escape an SQLite URI, and checks the file lands where asked.
func TestOddPaths(t *testing.T) {
	for _, dir := range []string{"plain", "a?b", "c#d", "e%20f", "数据 目录"} {
		t.Run(dir, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), dir, "harambee.db")
			d, err := db.OpenSQLite(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if _, err := d.W.Exec(`CREATE TABLE t (x TEXT)`); err != nil {
				t.Fatal(err)
			}
			if _, err := d.R.Exec(`SELECT COUNT(*) FROM t`); err != nil {
				t.Fatalf("the reader sees another file: %v", err)
			}
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("no database at %s: %v", path, err)
			}
		})
	}
}
