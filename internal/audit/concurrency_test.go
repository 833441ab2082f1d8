package audit_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"harambee.africa/harambee/internal/audit"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/db/dbtest"
)

// openTwice opens the same migrated database through two separate handles, as
// two instances of the platform would: two SQLite handles on one file, or two
// PostgreSQL pools on one schema.
func openTwice(t *testing.T) (*db.DB, *db.DB) {
	t.Helper()
	ctx := context.Background()
	open := func() func() (*db.DB, error) {
		if pg := dbtest.PostgresURL(); pg != "" {
			url := dbtest.WithSearchPath(t, pg, dbtest.NewSchema(t, pg))
			return func() (*db.DB, error) { return db.Open(ctx, url, "") }
		}
		path := filepath.Join(t.TempDir(), "shared.db")
		return func() (*db.DB, error) { return db.OpenSQLite(ctx, path) }
	}()
	var ds [2]*db.DB
	for i := range ds {
		d, err := open()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		ds[i] = d
	}
	if err := ds[0].Migrate(ctx, audit.Migrations); err != nil {
		t.Fatal(err)
	}
	return ds[0], ds[1]
}

func TestConcurrentAppend(t *testing.T) {
	const workers, each = 8, 50
	ctx := context.Background()
	d1, d2 := openTwice(t)
	trails := []*audit.Trail{audit.New(d1, clock.System{}), audit.New(d2, clock.System{})}

	var wg sync.WaitGroup
	errc := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			trail := trails[w%2]
			for i := range each {
				err := trail.Log(ctx, audit.Entry{
					Action: "token.write", Actor: fmt.Sprintf("p%d", w),
					Details: []byte(fmt.Sprintf(`{"i":%d}`, i)),
				})
				if err != nil {
					errc <- fmt.Errorf("worker %d, entry %d: %w", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if t.Failed() {
		return
	}

	s := newSigner(t)
	if _, err := trails[1].Checkpoint(ctx, s); err != nil {
		t.Fatal(err)
	}
	r, err := trails[0].Verify(ctx, s.PublicKey())
	if err != nil || !r.OK() || r.Entries != workers*each || r.Head != workers*each || r.Signed != workers*each {
		t.Fatalf("Verify = %+v, %v; problem %v", r, err, r.Problem)
	}
	// Verify walked seq 1, 2, … with no gap and no repeat; count per worker too.
	per := map[string]int{}
	var seqs []int64
	for cursor := ""; ; {
		p, err := trails[0].List(ctx, audit.Filter{}, audit.MaxLimit, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Items {
			seqs = append(seqs, e.Seq)
			per[e.Actor]++
		}
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	for i, seq := range seqs {
		if want := int64(workers*each - i); seq != want {
			t.Fatalf("seq at %d = %d, want %d", i, seq, want)
		}
	}
	for w := range workers {
		if got := per[fmt.Sprintf("p%d", w)]; got != each {
			t.Errorf("worker %d has %d entries, want %d", w, got, each)
		}
	}
}
