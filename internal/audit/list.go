package audit

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"harambee.africa/harambee/internal/errs"
)

// Filter narrows List. Empty fields do not filter.
type Filter struct {
	Action     string
	Actor      string
	OrgID      string
	TargetType string
	TargetID   string
	// Since (inclusive) and Until (exclusive) bound the time; zero is unbounded.
	Since, Until time.Time
}

// Page is one page of entries, newest first. Next is the cursor of the
// following page, empty on the last.
type Page struct {
	Items []Entry `json:"items"`
	Next  string  `json:"next"`
}

// Default and largest page sizes of List.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// List returns the entries that match f, newest (highest seq) first, limit
// to a page, after the page whose Next is cursor ("" for the first page).
//
// Each query is an index range: a time range becomes a seq range (times do
// not decrease along seq), scanned backwards on the index of the first of
// Action, Actor, OrgID or TargetType/TargetID given; a second key filters
// the rows the first one finds.
func (t *Trail) List(ctx context.Context, f Filter, limit int, cursor string) (Page, error) {
	const op = "audit.List"
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)

	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if cursor != "" {
		before, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || before < 1 {
			return Page{}, errs.E(op, errs.Invalid, "error.cursor")
		}
		where = append(where, "seq < "+arg(before))
	}
	for _, kv := range []struct{ col, val string }{
		{"action", f.Action}, {"actor", f.Actor}, {"org_id", f.OrgID},
		{"target_type", f.TargetType}, {"target_id", f.TargetID},
	} {
		if kv.val != "" {
			where = append(where, kv.col+" = "+arg(kv.val))
		}
	}
	if !f.Since.IsZero() {
		since := f.Since.UTC()
		where = append(where,
			fmt.Sprintf("seq >= (SELECT seq FROM audit_entries WHERE logged_at >= %s ORDER BY logged_at, seq LIMIT 1)", arg(since)),
			"logged_at >= "+arg(since))
	}
	if !f.Until.IsZero() {
		until := f.Until.UTC()
		where = append(where,
			fmt.Sprintf("seq <= (SELECT seq FROM audit_entries WHERE logged_at < %s ORDER BY logged_at DESC, seq DESC LIMIT 1)", arg(until)),
			"logged_at < "+arg(until))
	}
	q := `SELECT ` + entryColumns + ` FROM audit_entries`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY seq DESC LIMIT " + arg(limit+1)

	rows, err := t.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return Page{}, errs.Wrap(op, err)
	}
	defer rows.Close()
	p := Page{Items: []Entry{}}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return Page{}, errs.Wrap(op, err)
		}
		p.Items = append(p.Items, e)
	}
	if err := rows.Err(); err != nil {
		return Page{}, errs.Wrap(op, err)
	}
	if len(p.Items) > limit {
		p.Items = p.Items[:limit]
		p.Next = strconv.FormatInt(p.Items[limit-1].Seq, 10)
	}
	return p, nil
}
