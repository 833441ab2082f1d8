package cases

import (
	"context"
	"database/sql"
	"time"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/errs"
)

// Target is the SLA of a severity: the time to acknowledge a case (its
// first move out of "new", or the acceptance of the hand-over it came
// from) and the time to resolve it, both counted on the case's clock.
type Target struct{ Ack, Resolve time.Duration }

// Targets are the SLA targets per severity. The clock is wall-clock time
// while the case is new, in triage or in progress; it stops while the case
// is handed over (waiting for the receiving team) and once it is resolved
// or closed, and runs again when a resolved case is reopened.
var Targets = map[string]Target{
	"critical": {Ack: time.Hour, Resolve: 24 * time.Hour},
	"high":     {Ack: 4 * time.Hour, Resolve: 72 * time.Hour},
	"medium":   {Ack: 24 * time.Hour, Resolve: 7 * 24 * time.Hour},
	"low":      {Ack: 72 * time.Hour, Resolve: 30 * 24 * time.Hour},
}

// Elapsed is the time on the case's clock at now.
func (c *Case) Elapsed(now time.Time) time.Duration {
	d := c.Spent
	if c.RunningSince != nil && now.After(*c.RunningSince) {
		d += now.Sub(*c.RunningSince)
	}
	return d
}

// Clock is where a case stands against one SLA target.
type Clock struct {
	Target   time.Duration
	Met      bool          // the milestone was reached
	Took     time.Duration // clock time to the milestone, or so far
	Left     time.Duration // Target - Took: negative once breached
	Breached bool
}

// SLA is where a case stands against its targets at a moment.
type SLA struct {
	Paused  bool // the clock stands still (handed over, resolved, closed)
	Ack     Clock
	Resolve Clock
}

// SLAAt is where the case stands at now.
func (c *Case) SLAAt(now time.Time) SLA {
	t := Targets[c.Severity]
	el := c.Elapsed(now)
	out := SLA{Paused: c.RunningSince == nil}
	out.Ack = clockOf(t.Ack, el, c.AckTook)
	out.Resolve = clockOf(t.Resolve, el, c.ResolveTook)
	return out
}

func clockOf(target, elapsed time.Duration, took *time.Duration) Clock {
	k := Clock{Target: target, Took: elapsed}
	if took != nil {
		k.Met, k.Took = true, *took
	}
	k.Left = target - k.Took
	k.Breached = k.Took > target
	return k
}

// move applies a status change to the case's clock and milestones at now.
func (c *Case) move(to string, now time.Time) {
	from := c.Status
	switch {
	case running(from) && !running(to) && c.RunningSince != nil:
		c.Spent += now.Sub(*c.RunningSince)
		c.RunningSince = nil
	case !running(from) && running(to):
		t := now
		c.RunningSince = &t
	}
	el := c.Elapsed(now)
	if c.AcknowledgedAt == nil && to != cert.StatusNew {
		t := now
		c.AcknowledgedAt, c.AckTook = &t, &el
	}
	switch to {
	case cert.StatusResolved, cert.StatusClosed:
		if c.ResolvedAt == nil {
			t := now
			c.ResolvedAt, c.ResolveTook = &t, &el
		}
		if to == cert.StatusClosed {
			t := now
			c.ClosedAt = &t
		}
	case cert.StatusInProgress, cert.StatusTriage:
		if from == cert.StatusResolved { // reopened
			c.ResolvedAt, c.ResolveTook = nil, nil
		}
	}
	c.Status = to
	c.dues()
}

// dues sets the moments the unmet targets fall due while the clock runs.
func (c *Case) dues() {
	c.AckDue, c.ResolveDue = nil, nil
	if c.RunningSince == nil {
		return
	}
	t := Targets[c.Severity]
	if c.AckTook == nil {
		d := c.RunningSince.Add(t.Ack - c.Spent)
		c.AckDue = &d
	}
	if c.ResolveTook == nil {
		d := c.RunningSince.Add(t.Resolve - c.Spent)
		c.ResolveDue = &d
	}
}

func secs(d *time.Duration) any {
	if d == nil {
		return nil
	}
	return int64(*d / time.Second)
}

func at(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// saveClock writes the case's status, clock and milestones, inside tx.
func saveClock(ctx context.Context, tx *sql.Tx, c *Case) error {
	_, err := tx.ExecContext(ctx, `UPDATE cert_cases SET status = $1, sla_spent_secs = $2, sla_running_since = $3, acknowledged_at = $4,
		ack_secs = $5, resolved_at = $6, resolve_secs = $7, closed_at = $8, ack_due_at = $9, resolve_due_at = $10, updated_at = $11
		WHERE id = $12`,
		c.Status, int64(c.Spent/time.Second), at(c.RunningSince), at(c.AcknowledgedAt), secs(c.AckTook), at(c.ResolvedAt),
		secs(c.ResolveTook), at(c.ClosedAt), at(c.AckDue), at(c.ResolveDue), c.UpdatedAt, c.ID)
	return errs.Wrap("case clock", err)
}

// CheckSLA notes every breach that fell due by now, once: it marks the
// case, tells its team's admins and analysts, writes the timeline and the
// audit log. It also puts back the marking of a received case that was
// lowered below its hand-over's on the generic share page. The wiring runs
// it every minute.
func (s *Service) CheckSLA(ctx context.Context) error {
	now := s.Clock.Now()
	for _, which := range []string{"ack", "resolve"} {
		rows, err := s.DB.R.QueryContext(ctx, `SELECT id FROM cert_cases WHERE `+which+`_due_at <= $1 AND `+which+
			`_breach_noted_at IS NULL ORDER BY `+which+`_due_at LIMIT 500`, now)
		if err != nil {
			return errs.Wrap("sla breaches", err)
		}
		ids, err := scanIDs(rows)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := s.noteBreach(ctx, id, which, now); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) noteBreach(ctx context.Context, id, which string, now time.Time) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cert_cases SET `+which+`_breach_noted_at = $1 WHERE id = $2 AND `+which+
			`_breach_noted_at IS NULL AND `+which+`_due_at <= $1`, now, id)
		if err != nil {
			return errs.Wrap("sla breach", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // another instance noted it
		}
		var owner, title string
		if err := tx.QueryRowContext(ctx, `SELECT owner_org, title FROM cert_cases WHERE id = $1`, id).Scan(&owner, &title); err != nil {
			return errs.Wrap("sla breach", err)
		}
		if err := s.event(ctx, tx, id, "sla_breach", "", "", map[string]string{"which": which}, now); err != nil {
			return err
		}
		if err := s.note(ctx, tx, SLAKind.Name, owner, "cert.cases.note.sla_"+which, cert.CaseType.Path(id), "title", title); err != nil {
			return err
		}
		return s.record(ctx, tx, "cert.case.sla_breached", "", owner, id, "", map[string]any{"which": which})
	})
}

func scanIDs(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, errs.Wrap("scan ids", err)
		}
		ids = append(ids, id)
	}
	return ids, errs.Wrap("scan ids", rows.Err())
}
