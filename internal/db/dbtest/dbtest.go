// Package dbtest opens a fresh, migrated database for a test: SQLite in a
// temporary directory, or a schema of its own on the PostgreSQL server named
// by HARAMBEE_TEST_POSTGRES.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"harambee.africa/harambee/internal/db"
)

// PostgresURL returns the test server's URL, or "" to test on SQLite only.
func PostgresURL() string { return os.Getenv("HARAMBEE_TEST_POSTGRES") }

// Open returns a database with the given migrations applied, removed when the test ends.
func Open(t testing.TB, sets ...db.Migrations) *db.DB {
	t.Helper()
	ctx := context.Background()
	var d *db.DB
	if pg := PostgresURL(); pg != "" {
		schema := NewSchema(t, pg)
		var err error
		d, err = db.Open(ctx, WithSearchPath(t, pg, schema), "")
		if err != nil {
			t.Fatalf("open postgres: %v", err)
		}
	} else {
		var err error
		d, err = db.OpenSQLite(ctx, filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx, sets...); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}

// NewSchema creates an empty schema on the PostgreSQL server at pg and drops
// it when the test ends.
func NewSchema(t testing.TB, pg string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	return schema
}

// WithSearchPath returns pg with its search_path set to schema.
func WithSearchPath(t testing.TB, pg, schema string) string {
	t.Helper()
	u, err := url.Parse(pg)
	if err != nil {
		t.Fatalf("HARAMBEE_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
