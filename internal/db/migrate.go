package db

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrations is one module's set of SQL migrations, at the root of FS.
// File names start with a version that is unique across the platform:
// YYYYMMDDNN_what.sql.
type Migrations struct {
	Module string
	FS     fs.FS
}

// Embedded returns the migrations of a module embedded under dir.
func Embedded(module string, fsys fs.FS, dir string) Migrations {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(fmt.Sprintf("migrations of %s: %v", module, err))
	}
	return Migrations{Module: module, FS: sub}
}

// Migrate applies every pending migration of every module, holding a lock on
// PostgreSQL so that two instances starting together do not race.
func (d *DB) Migrate(ctx context.Context, sets ...Migrations) error {
	union, err := unionFS(sets)
	if err != nil {
		return err
	}
	dialect := goose.DialectSQLite3
	// Modules add migrations independently, so a lower version may arrive
	// after a higher one has been applied: apply it rather than refuse.
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	if d.Engine == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 600))
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, d.W, union, opts...)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// unionFS lays the migration files of all modules side by side in one
// flat file system, refusing two files with the same name.
func unionFS(sets []Migrations) (fs.FS, error) {
	u := mapFS{}
	for _, s := range sets {
		entries, err := fs.ReadDir(s.FS, ".")
		if err != nil {
			return nil, fmt.Errorf("migrations of %s: %w", s.Module, err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			if _, dup := u[e.Name()]; dup {
				return nil, fmt.Errorf("migrations of %s: %s exists twice", s.Module, e.Name())
			}
			u[e.Name()] = s.FS
		}
	}
	return u, nil
}

type mapFS map[string]fs.FS

func (m mapFS) Open(name string) (fs.File, error) {
	if name == "." {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	src, ok := m[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return src.Open(name)
}

func (m mapFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	var out []fs.DirEntry
	for n, src := range m {
		info, err := fs.Stat(src, n)
		if err != nil {
			return nil, err
		}
		out = append(out, fs.FileInfoToDirEntry(info))
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int {
		switch {
		case a.Name() < b.Name():
			return -1
		case a.Name() > b.Name():
			return 1
		}
		return 0
	})
	return out, nil
}
