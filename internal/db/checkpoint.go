package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// SQLite writes commits to a write-ahead log, and a checkpoint copies
// them into the database file. By default the committing connection
// checkpoints whenever the log passes 1,000 pages, inside its commit: a
// large import spent a third of its time there, most of it waiting for
// fsync, while holding the only writer. The checkpointer does it instead,
// on its own connection, with PASSIVE checkpoints, which run beside the
// writer and readers without blocking either.
//
// It checkpoints every checkpointEvery while the log grows; when the log
// has been folded in completely, the next write transaction starts it
// again from the beginning, and journal_size_limit trims the file back.

// checkpointEvery is how often the checkpointer looks at the log.
const checkpointEvery = 200 * time.Millisecond

type checkpointer struct {
	db   *sql.DB
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

func startCheckpointer(file string) (*checkpointer, error) {
	c, err := sql.Open("sqlite", file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	c.SetMaxOpenConns(1)
	c.SetConnMaxLifetime(0)
	c.SetConnMaxIdleTime(0)
	ck := &checkpointer{db: c, done: make(chan struct{})}
	ck.wg.Add(1)
	go ck.run()
	return ck, nil
}

func (ck *checkpointer) run() {
	defer ck.wg.Done()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-ck.done:
			return
		case <-t.C:
			// An error (the file busy beyond busy_timeout, say) is retried
			// at the next tick; nothing is lost meanwhile, the log only
			// grows.
			_, _ = ck.checkpoint(context.Background(), "PASSIVE")
		}
	}
}

// checkpoint runs one checkpoint of the given mode and returns the pages
// in the log and how many of them are in the database file now.
func (ck *checkpointer) checkpoint(ctx context.Context, mode string) (walPages int, err error) {
	var busy, log, done int
	if err := ck.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &log, &done); err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	if log >= 0 && done < log {
		return log, errIncomplete
	}
	return log, nil
}

var errIncomplete = errors.New("checkpoint: incomplete")

// stop ends the checkpointer after a last checkpoint that also empties
// the log file.
func (ck *checkpointer) stop() error {
	var err error
	ck.once.Do(func() {
		close(ck.done)
		ck.wg.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err = ck.checkpoint(ctx, "TRUNCATE")
		if errors.Is(err, errIncomplete) {
			err = nil // a reader still open elsewhere; SQLite finishes on the last close
		}
		err = errors.Join(err, ck.db.Close())
	})
	return err
}

// Checkpoint folds the SQLite write-ahead log into the database file now,
// as far as open readers allow, and reports whether all of it went in. On
// PostgreSQL it does nothing.
func (d *DB) Checkpoint(ctx context.Context) (complete bool, err error) {
	if d.ck == nil {
		return true, nil
	}
	_, err = d.ck.checkpoint(ctx, "PASSIVE")
	if errors.Is(err, errIncomplete) {
		return false, nil
	}
	return err == nil, err
}
