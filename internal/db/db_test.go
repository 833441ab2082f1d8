package db_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/db/dbtest"
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

// TestLateMigration applies a module's migration whose version is lower
// than one already applied, as happens when modules are developed side by side.
func TestLateMigration(t *testing.T) {
	d := dbtest.Open(t, db.Migrations{Module: "b", FS: fstest.MapFS{"2026120101_b.sql": {Data: []byte("-- +goose Up\nCREATE TABLE b (x TEXT);\n")}}})
	late := db.Migrations{Module: "a", FS: fstest.MapFS{"2026112799_a.sql": {Data: []byte("-- +goose Up\nCREATE TABLE a (x TEXT);\n")}}}
	b := db.Migrations{Module: "b", FS: fstest.MapFS{"2026120101_b.sql": {Data: []byte("-- +goose Up\nCREATE TABLE b (x TEXT);\n")}}}
	if err := d.Migrate(context.Background(), late, b); err != nil {
		t.Fatalf("late migration refused: %v", err)
	}
	if _, err := d.W.Exec(`INSERT INTO a (x) VALUES ('ok')`); err != nil {
		t.Fatalf("late migration not applied: %v", err)
	}
}
