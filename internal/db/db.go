// Package db opens the platform's database — embedded SQLite by default,
// PostgreSQL when the URL says so — and applies the migrations of every module.
// Both engines take the same SQL: $n placeholders, ON CONFLICT, RETURNING.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Engine names a database engine.
type Engine string

// The supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB holds a writer and a reader pool. On SQLite the writer is a single
// connection, so that writers queue in Go rather than fail on a busy file;
// on PostgreSQL both are the same pool.
type DB struct {
	Engine Engine
	W      *sql.DB
	R      *sql.DB
	// Path is the SQLite file, empty on PostgreSQL.
	Path string
	// URL is the connection URL, for PostgreSQL.
	URL string

	ck *checkpointer // SQLite only
}

// Open opens the database at rawURL, or SQLite under dataDir when rawURL is empty.
func Open(ctx context.Context, rawURL, dataDir string) (*DB, error) {
	if strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://") {
		return openPostgres(ctx, rawURL)
	}
	path := filepath.Join(dataDir, "harambee.db")
	if strings.HasPrefix(rawURL, "sqlite:") {
		path = strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "//")
	} else if rawURL != "" {
		return nil, fmt.Errorf("open database: unsupported URL %q (use postgres://… or sqlite:PATH)", redact(rawURL))
	}
	return OpenSQLite(ctx, path)
}

// OpenSQLite opens (creating if needed) the SQLite database file at path.
func OpenSQLite(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	// busy_timeout comes first so that the pragmas that follow wait too.
	// The writer never checkpoints (wal_autocheckpoint 0): the
	// checkpointer does, from its own connection (see checkpoint.go).
	// Statement journals and temporary tables stay in memory.
	file := "file:" + uriPath(path)
	dsn := file + "?_pragma=busy_timeout(10000)&_pragma=page_size(16384)&_journal_mode=WAL" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=wal_autocheckpoint(0)" +
		"&_pragma=journal_size_limit(67108864)&_pragma=temp_store(MEMORY)&_time_format=sqlite&_txlock=immediate"
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", file+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)&_time_format=sqlite&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	r.SetMaxOpenConns(8)
	d := &DB{Engine: SQLite, W: w, R: r, Path: path}
	if err := d.Ping(ctx); err != nil {
		d.Close()
		return nil, err
	}
	ck, err := startCheckpointer(file)
	if err != nil {
		d.Close()
		return nil, err
	}
	d.ck = ck
	return d, nil
}

func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	p, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	p.SetMaxOpenConns(20)
	p.SetMaxIdleConns(10)
	p.SetConnMaxIdleTime(5 * time.Minute)
	d := &DB{Engine: Postgres, W: p, R: p, URL: rawURL}
	if err := d.Ping(ctx); err != nil {
		p.Close()
		return nil, err
	}
	return d, nil
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := d.W.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Close closes both pools, after folding the SQLite write-ahead log into
// the database file.
func (d *DB) Close() error {
	var err error
	if d.ck != nil {
		err = d.ck.stop()
	}
	err = errors.Join(err, d.W.Close())
	if d.R != d.W {
		err = errors.Join(err, d.R.Close())
	}
	return err
}

// Tx runs fn in a write transaction, committing when fn returns nil.
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Querier is what both *sql.DB and *sql.Tx offer.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// IsUnique reports whether err is a unique-constraint violation on either engine.
func IsUnique(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// uriPath escapes the characters that end or escape a path in an SQLite
// URI filename, so that any directory name opens the right file.
func uriPath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// redact hides the password of a URL, so that it can be logged.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// Redacted returns the database location without secrets, for logs.
func (d *DB) Redacted() string {
	if d.Engine == SQLite {
		return "sqlite:" + d.Path
	}
	return redact(d.URL)
}

// Args collects the arguments of a query being built and names their
// placeholders ($1, $2, …), which both engines understand.
type Args struct{ list []any }

// Add appends an argument and returns its placeholder.
func (a *Args) Add(v any) string {
	a.list = append(a.list, v)
	return "$" + strconv.Itoa(len(a.list))
}

// List returns the arguments in placeholder order.
func (a *Args) List() []any { return a.list }
