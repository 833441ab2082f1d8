package org_test

import (
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/db/dbtest"
	"harambee.africa/harambee/internal/org"
)

// before returns the organisation migrations older than version.
func before(t *testing.T, version string) db.Migrations {
	t.Helper()
	older := fstest.MapFS{}
	entries, err := fs.ReadDir(org.Migrations.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() >= version {
			continue
		}
		b, err := fs.ReadFile(org.Migrations.FS, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		older[e.Name()] = &fstest.MapFile{Data: b}
	}
	if len(older) == len(entries) {
		t.Fatalf("no organisation migration at or after %s", version)
	}
	return db.Migrations{Module: "org", FS: older}
}

// TestMigrationMakesTextsTranslatable writes organisations as they were
// before names and descriptions were text in several languages, applies
// the migration, and reads them back: the plain name and description
// become the English original, whatever characters they hold.
func TestMigrationMakesTextsTranslatable(t *testing.T) {
	ctx := t.Context()
	d := dbtest.Open(t, account.Migrations, before(t, "2026112760"))
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	rows := []struct{ slug, name, desc string }{
		{"kahawa", `Kahawa "Bora" \ Café`, "Line one\r\nLine\ttwo, \"quoted\" \\ back — 咖啡 </p>"},
		{"maqha", "مقهى الجزائر", ""},
	}
	for i, r := range rows {
		if _, err := d.W.ExecContext(ctx, `INSERT INTO orgs (id, slug, name, kind, country, description, created_at) VALUES ($1, $2, $3, 'enterprise', 'KE', $4, $5)`,
			r.slug+"-id", r.slug, r.name, r.desc, at.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Migrate(ctx, account.Migrations, org.Migrations); err != nil {
		t.Fatal(err)
	}
	s := &org.Service{DB: d, Clock: clock.NewManual(at)}
	for _, r := range rows {
		o, err := s.BySlug(ctx, r.slug)
		if err != nil {
			t.Fatal(err)
		}
		if o.Name != r.name || o.Names.Original != "en" || len(o.Names.Versions) != 1 || o.Names.String() != r.name || o.Names.Versions["en"].By != "" {
			t.Errorf("%s: name %q, names %+v", r.slug, o.Name, o.Names)
		}
		versions := 1
		if r.desc == "" {
			versions = 0
		}
		if got, _ := o.Description.In("fr"); got != r.desc || o.Description.Original != "en" || len(o.Description.Versions) != versions {
			t.Errorf("%s: description %+v, want %q", r.slug, o.Description, r.desc)
		}
	}
	// The directory finds them by their plain names until they are next saved.
	for q, want := range map[string]string{"bora": "kahawa", "الجزائر": "maqha"} {
		got, _, err := s.List(ctx, org.Filter{Q: q})
		if err != nil || len(got) != 1 || got[0].Slug != want {
			t.Errorf("%q: %v %v", q, got, err)
		}
	}
}
