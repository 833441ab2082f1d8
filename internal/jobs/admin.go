package jobs

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"harambee.africa/harambee/internal/errs"
)

const jobColumns = `id, kind, args, state, attempt, max_attempts, run_at, locked_by, locked_until,
	last_error, unique_key, created_at, finished_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanJob(r rowScanner) (Job, error) {
	var (
		j                            Job
		args                         string
		state                        string
		lockedBy, lastErr, uniqueKey sql.NullString
		lockedUntil, finishedAt      sql.NullTime
	)
	err := r.Scan(&j.ID, &j.Kind, &args, &state, &j.Attempt, &j.MaxAttempts, &j.RunAt, &lockedBy, &lockedUntil,
		&lastErr, &uniqueKey, &j.CreatedAt, &finishedAt)
	if err != nil {
		return Job{}, err
	}
	j.Args = []byte(args)
	j.State = State(state)
	j.RunAt = j.RunAt.UTC()
	j.CreatedAt = j.CreatedAt.UTC()
	j.LockedBy, j.LastError, j.UniqueKey = lockedBy.String, lastErr.String, uniqueKey.String
	if lockedUntil.Valid {
		j.LockedUntil = lockedUntil.Time.UTC()
	}
	if finishedAt.Valid {
		j.FinishedAt = finishedAt.Time.UTC()
	}
	return j, nil
}

func scanJobs(rows *sql.Rows) ([]Job, error) {
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// Get returns the job with the given id.
func (q *Queue) Get(ctx context.Context, id string) (Job, error) {
	const op = "jobs.Get"
	j, err := scanJob(q.db.R.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, errs.E(op, errs.NotFound, "error.not_found")
	}
	if err != nil {
		return Job{}, errs.Wrap(op, err)
	}
	return j, nil
}

// Failed lists failed jobs, most recently failed first, limit at a time
// (1–500, default 50). Pass "" as cursor for the first page and the returned
// cursor for the next; it is "" after the last page.
func (q *Queue) Failed(ctx context.Context, limit int, cursor string) ([]Job, string, error) {
	const op = "jobs.Failed"
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	query := `SELECT ` + jobColumns + ` FROM jobs WHERE state = 'failed'`
	args := []any{}
	if cursor != "" {
		at, id, err := decodeCursor(cursor)
		if err != nil {
			return nil, "", &errs.Error{Op: op, Code: errs.Invalid, Key: "error.cursor", Err: err}
		}
		query += ` AND (finished_at, id) < ($1, $2)`
		args = append(args, at, id)
	}
	query += fmt.Sprintf(` ORDER BY finished_at DESC, id DESC LIMIT $%d`, len(args)+1)
	args = append(args, limit+1)
	rows, err := q.db.R.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", errs.Wrap(op, err)
	}
	list, err := scanJobs(rows)
	if err != nil {
		return nil, "", errs.Wrap(op, err)
	}
	next := ""
	if len(list) > limit {
		list = list[:limit]
		last := list[limit-1]
		next = encodeCursor(last.FinishedAt, last.ID)
	}
	return list, next, nil
}

func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + " " + id))
}

func decodeCursor(c string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("cursor: %w", err)
	}
	at, id, ok := strings.Cut(string(b), " ")
	if !ok || id == "" {
		return time.Time{}, "", errors.New("cursor: malformed")
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("cursor: %w", err)
	}
	return t.UTC(), id, nil
}

// Counts is the state of the queue, for the admin page and for metrics
// (a gauge per kind and state, the backlog and the age of its oldest job).
type Counts struct {
	// ByState holds the number of jobs in each state; every state is present.
	ByState map[State]int64
	// ByKind breaks the numbers down by kind, ordered by kind then state.
	ByKind []KindCount
	// Due is the backlog: available jobs whose time has come.
	Due int64
	// OldestDue is how long the oldest due job has waited; 0 when none waits.
	OldestDue time.Duration
}

// KindCount is the number of jobs of one kind in one state.
type KindCount struct {
	Kind  string
	State State
	N     int64
}

// Counts counts jobs by kind and state.
func (q *Queue) Counts(ctx context.Context) (Counts, error) {
	const op = "jobs.Counts"
	c := Counts{ByState: map[State]int64{}}
	for _, s := range States {
		c.ByState[s] = 0
	}
	rows, err := q.db.R.QueryContext(ctx, `SELECT kind, state, COUNT(*) FROM jobs GROUP BY kind, state ORDER BY kind, state`)
	if err != nil {
		return Counts{}, errs.Wrap(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k KindCount
		var state string
		if err := rows.Scan(&k.Kind, &state, &k.N); err != nil {
			return Counts{}, errs.Wrap(op, err)
		}
		k.State = State(state)
		c.ByKind = append(c.ByKind, k)
		c.ByState[k.State] += k.N
	}
	if err := rows.Err(); err != nil {
		return Counts{}, errs.Wrap(op, err)
	}
	now := q.cfg.Clock.Now()
	if err := q.db.R.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM jobs WHERE state = 'available' AND run_at <= $1`, now).Scan(&c.Due); err != nil {
		return Counts{}, errs.Wrap(op, err)
	}
	// Not MIN(run_at): SQLite would return an aggregate's time as text.
	var oldest time.Time
	err = q.db.R.QueryRowContext(ctx,
		`SELECT run_at FROM jobs WHERE state = 'available' AND run_at <= $1 ORDER BY run_at LIMIT 1`, now).Scan(&oldest)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return Counts{}, errs.Wrap(op, err)
	default:
		c.OldestDue = now.Sub(oldest.UTC())
	}
	return c, nil
}

// Retry makes a failed job available again now, with a fresh set of attempts.
// Its last error is kept until the next attempt replaces it.
func (q *Queue) Retry(ctx context.Context, id string) error {
	const op = "jobs.Retry"
	res, err := q.db.W.ExecContext(ctx, `
		UPDATE jobs SET state = 'available', attempt = 0, run_at = $1, finished_at = NULL,
			locked_by = NULL, locked_until = NULL
		WHERE id = $2 AND state = 'failed'`, q.cfg.Clock.Now(), id)
	if err != nil {
		return errs.Wrap(op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return errs.Wrap(op, err)
	} else if n == 1 {
		q.poke()
		return nil
	}
	if _, err := q.Get(ctx, id); err != nil {
		return err
	}
	return errs.E(op, errs.Conflict, "error.jobs.not_failed")
}

// pruneBatch bounds each delete, so that pruning never holds the writer long.
const pruneBatch = 500

// Prune deletes succeeded jobs that finished longer ago than the retention
// and returns how many it deleted. The built-in PruneKind job calls it.
func (q *Queue) Prune(ctx context.Context) (int, error) {
	const op = "jobs.Prune"
	keep := q.cfg.Retention
	q.mu.Lock()
	for _, p := range q.periodic {
		keep = max(keep, 2*p.interval)
	}
	q.mu.Unlock()
	cutoff := q.cfg.Clock.Now().Add(-keep)
	total := 0
	for {
		// Ids first, then a delete by primary key: a DELETE … IN (SELECT …
		// LIMIT) may be planned as a scan of the whole table on PostgreSQL.
		rows, err := q.db.R.QueryContext(ctx, `
			SELECT id FROM jobs WHERE state = 'succeeded' AND finished_at < $1
			ORDER BY finished_at LIMIT $2`, cutoff, pruneBatch)
		if err != nil {
			return total, errs.Wrap(op, err)
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return total, errs.Wrap(op, err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, errs.Wrap(op, err)
		}
		if len(ids) == 0 {
			break
		}
		in, args := placeholders(ids, 1)
		res, err := q.db.W.ExecContext(ctx, `DELETE FROM jobs WHERE state = 'succeeded' AND id IN (`+in+`)`, args...)
		if err != nil {
			return total, errs.Wrap(op, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, errs.Wrap(op, err)
		}
		total += int(n)
		if len(ids) < pruneBatch {
			break
		}
	}
	if total > 0 {
		q.log.Info("succeeded jobs pruned", "jobs", total, "before", cutoff)
	}
	return total, nil
}
