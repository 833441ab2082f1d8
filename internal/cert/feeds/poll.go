package feeds

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/notify"
	"harambee.africa/harambee/internal/org"
)

// Outcome tells what one poll did.
type Outcome struct {
	Polled  bool   // false when the subscription was not due or another poll held it
	Pages   int    // pages imported, a page fetched before a restart included
	Added   int    // objects the store added
	Skipped int    // objects it had already
	Refused int    // objects it refused
	More    bool   // the server has more; the next sweep continues
	Error   string // the message key of the failure that ended the poll, if any
	Stopped bool   // the failure stopped the subscription
}

// PollDue polls the active subscriptions that are due, one after another,
// and returns how many it polled. A failing subscription is recorded on it
// and does not stop the others.
func (s *Service) PollDue(ctx context.Context) (int, error) {
	now := s.Clock.Now()
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id FROM cert_feeds WHERE status = $1 AND next_poll_at <= $2
		AND (lease_until IS NULL OR lease_until < $2) ORDER BY next_poll_at, id LIMIT 100`, Active, now)
	if err != nil {
		return 0, errs.Wrap("cert feeds due", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, errs.Wrap("cert feeds due", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, errs.Wrap("cert feeds due", err)
	}
	n := 0
	var first error
	for _, id := range ids {
		o, err := s.Poll(ctx, id)
		if err != nil && first == nil {
			first = err
		}
		if o.Polled {
			n++
		}
		if ctx.Err() != nil {
			break
		}
	}
	return n, first
}

// Poll polls one active subscription now, unless another poll holds it.
// Failures of the remote server are recorded on the subscription and
// reported in the outcome; the error is for the platform's own failures.
func (s *Service) Poll(ctx context.Context, id string) (Outcome, error) {
	now := s.Clock.Now()
	res, err := s.DB.W.ExecContext(ctx, `UPDATE cert_feeds SET lease_until = $1, last_poll_at = $2 WHERE id = $3 AND status = $4
		AND (lease_until IS NULL OR lease_until < $2)`, now.Add(leaseFor), now, id, Active)
	if err != nil {
		return Outcome{}, errs.Wrap("cert feed claim", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Outcome{}, nil
	}
	f, err := s.load(ctx, s.DB.W, id)
	if err != nil {
		return Outcome{}, err
	}
	p := &poller{s: s, f: f, out: Outcome{Polled: true}}
	fail, err := p.run(ctx)
	switch {
	case errs.Is(err, errs.Forbidden):
		// The store does not let the team write in the circle's collection.
		fail, err = &failure{kind: failStop, key: "cert.feeds.error.store_refused", err: err}, nil
	case err != nil:
		// The platform failed (database, store): try again later, like a network error.
		fail = &failure{kind: failRetry, key: "cert.feeds.error.internal", err: err}
	}
	if fail != nil {
		p.out.Error, p.out.Stopped = fail.key, fail.kind == failStop
		if rerr := s.recordFailure(context.WithoutCancel(ctx), f, fail); rerr != nil {
			return p.out, rerr
		}
		return p.out, err
	}
	next := s.Clock.Now().Add(time.Duration(f.Interval) * time.Minute)
	if p.out.More {
		next = s.Clock.Now() // the sweep continues where this poll left off
	}
	_, err = s.DB.W.ExecContext(context.WithoutCancel(ctx), `UPDATE cert_feeds SET lease_until = NULL, next_poll_at = $1, failures = 0, last_error = '',
		last_detail = '', last_detail_key = '', last_detail_args = '', last_success_at = $2 WHERE id = $3`, next, s.Clock.Now(), id)
	return p.out, errs.Wrap("cert feed polled", err)
}

type poller struct {
	s      *Service
	f      *Feed
	target string
	rem    *remote
	out    Outcome
}

func (p *poller) run(ctx context.Context) (*failure, error) {
	s, f := p.s, p.f
	ok, err := s.eligible(ctx, s.DB.R, f.TeamOrg, f.GroupID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return &failure{kind: failStop, key: "cert.feeds.error.not_member"}, nil
	}
	if s.Importer == nil || s.Collections == nil {
		return &failure{kind: failRetry, key: "cert.feeds.error.no_store"}, nil
	}
	if p.target, err = s.Collections.CircleCollection(ctx, f.GroupID); err != nil {
		return nil, err
	}
	pass, err := s.Sealer.Open(f.ID, f.secret)
	if err != nil {
		return &failure{kind: failStop, key: "cert.feeds.error.sealed", err: err}, nil
	}
	root, err := url.Parse(f.APIRoot)
	if err != nil {
		return &failure{kind: failStop, key: "cert.feeds.error.url", err: err}, nil
	}
	p.rem = &remote{http: s.HTTP, root: root, user: f.User, pass: pass, useAuth: f.User != "" || pass != "", now: s.Clock.Now}
	// A page fetched before a restart goes in first.
	if err := p.importPending(ctx); err != nil {
		return nil, err
	}
	limit := s.PageLimit
	if limit <= 0 {
		limit = PageLimit
	}
	retried := false
	for range MaxPagesPerPoll {
		q := url.Values{"limit": {strconv.Itoa(limit)}}
		if len(f.Types) > 0 {
			q.Set("match[type]", strings.Join(f.Types, ","))
		}
		after := f.AddedAfter
		if f.nextToken != "" {
			q.Set("next", f.nextToken)
			after = f.runAfter
		}
		if after != "" {
			q.Set("added_after", after)
		}
		pg, fail := p.rem.objects(ctx, f.Collection, q)
		if fail != nil && f.nextToken != "" && !retried && (fail.kind == failRequest || fail.key == "cert.feeds.error.not_found") {
			// A next the server no longer knows: go on from the cursor.
			retried = true
			f.nextToken, f.runAfter = "", ""
			continue
		}
		if fail != nil {
			return fail, nil
		}
		if fail := p.advance(pg, after); fail != nil {
			return fail, nil
		}
		if err := p.save(ctx, pg); err != nil {
			return nil, err
		}
		if err := p.importPending(ctx); err != nil {
			return nil, err
		}
		if !pg.more {
			p.out.More = false
			return nil, nil
		}
		p.out.More = true
	}
	return nil, nil
}

// advance moves the subscription's cursor past page pg, fetched with
// added_after after, or says why the page cannot be trusted.
func (p *poller) advance(pg *page, after string) *failure {
	f := p.f
	if pg.addedLast != "" && later(pg.addedLast, f.AddedAfter) {
		f.AddedAfter = pg.addedLast
	}
	switch {
	case pg.more && pg.next != "":
		if pg.next == f.nextToken {
			return malformed("cert.feeds.error.next_stuck", nil)
		}
		if f.nextToken == "" {
			f.runAfter = after
		}
		f.nextToken = pg.next
	case pg.more:
		// More without next: continue from X-TAXII-Date-Added-Last (§3.4.1).
		if !later(pg.addedLast, after) {
			return malformed("cert.feeds.error.added_last_stuck", nil)
		}
		f.nextToken, f.runAfter = "", ""
	default:
		f.nextToken, f.runAfter = "", ""
	}
	return nil
}

// later reports whether TAXII timestamp a is after b ("" is the beginning).
func later(a, b string) bool {
	if b == "" {
		return a != ""
	}
	ta, err1 := time.Parse(time.RFC3339Nano, a)
	tb, err2 := time.Parse(time.RFC3339Nano, b)
	if err1 != nil || err2 != nil {
		return false
	}
	return ta.After(tb)
}

// save writes the page to cert_feed_pages and the cursor past it in one
// transaction: from then on a restart imports the page rather than
// fetching it again.
func (p *poller) save(ctx context.Context, pg *page) error {
	f, now := p.f, p.s.Clock.Now()
	return p.s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if len(pg.objects) > 0 {
			raw, err := json.Marshal(pg.objects)
			if err != nil {
				return errs.Wrap("cert feed page", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO cert_feed_pages (feed_id, objects, n_objects, fetched_at) VALUES ($1, $2, $3, $4)`,
				f.ID, string(raw), len(pg.objects), now); err != nil {
				return errs.Wrap("cert feed page", err)
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE cert_feeds SET added_after = $1, run_after = $2, next_token = $3, lease_until = $4 WHERE id = $5`,
			f.AddedAfter, f.runAfter, f.nextToken, now.Add(leaseFor), f.ID)
		return errs.Wrap("cert feed cursor", err)
	})
}

// importPending imports the subscription's fetched page, if there is one,
// then deletes it and counts what the store did, in one transaction. A
// crash between the import and that transaction imports the page again,
// which the store answers with Skipped: the same objects, the same versions.
func (p *poller) importPending(ctx context.Context) error {
	s, f := p.s, p.f
	var raw string
	err := s.DB.W.QueryRowContext(ctx, `SELECT objects FROM cert_feed_pages WHERE feed_id = $1`, f.ID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return errs.Wrap("cert feed page", err)
	}
	var objects []json.RawMessage
	if err := json.Unmarshal([]byte(raw), &objects); err != nil {
		return errs.Wrap("cert feed page", err)
	}
	res, err := s.Importer.ImportObjects(ctx, p.target, objects, f.TeamOrg)
	if err != nil {
		return err
	}
	p.out.Pages++
	p.out.Added += res.Added
	p.out.Skipped += res.Skipped
	p.out.Refused += len(res.Failed)
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM cert_feed_pages WHERE feed_id = $1`, f.ID); err != nil {
			return errs.Wrap("cert feed imported", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cert_feeds SET pages = pages + 1, added = added + $1, skipped = skipped + $2, refused = refused + $3
			WHERE id = $4`, res.Added, res.Skipped, len(res.Failed), f.ID); err != nil {
			return errs.Wrap("cert feed imported", err)
		}
		if len(res.Failed) == 0 {
			return nil
		}
		shown := res.Failed[:min(len(res.Failed), MaxRefusedShown)]
		for i := range shown {
			shown[i].Message = clip(printable(shown[i].Message), 300)
			shown[i].Detail = clip(printable(shown[i].Detail), 300)
		}
		b, err := json.Marshal(cert.StoredFailures(shown))
		if err != nil {
			return errs.Wrap("cert feed imported", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE cert_feeds SET last_refused = $1 WHERE id = $2`, string(b), f.ID)
		return errs.Wrap("cert feed imported", err)
	})
}

// backoff is the wait after the n-th failure in a row: a minute, doubling,
// at most MaxBackoff, and never less than the server asked for.
func backoff(n int, asked time.Duration) time.Duration {
	d := MaxBackoff
	if n < 1 {
		n = 1
	}
	if n <= 20 {
		d = min(time.Minute<<(n-1), MaxBackoff)
	}
	return min(max(d, asked), MaxBackoff)
}

// recordFailure writes why the poll ended on the subscription: a stop
// waits for the team, which is told; anything else comes back after a
// backoff, with the cursor where the last imported page left it.
func (s *Service) recordFailure(ctx context.Context, f *Feed, fail *failure) error {
	now := s.Clock.Now()
	if fail.err != nil && s.Site != nil {
		s.Site.Log.Warn("cert feed poll", "feed", f.ID, "error", fail.key, "detail_key", fail.detailKey, "detail", fail.detail, "err", fail.err)
	}
	args := ""
	if len(fail.detailArgs) > 0 {
		b, err := json.Marshal(fail.detailArgs)
		if err != nil {
			return errs.Wrap("cert feed failure", err)
		}
		args = string(b)
	}
	if fail.kind != failStop {
		next := now.Add(backoff(f.Failures+1, fail.retry))
		_, err := s.DB.W.ExecContext(ctx, `UPDATE cert_feeds SET lease_until = NULL, failures = failures + 1, last_error = $1, last_detail = $2,
			last_detail_key = $3, last_detail_args = $4, last_error_at = $5, next_poll_at = $6 WHERE id = $7`,
			fail.key, fail.detail, fail.detailKey, args, now, next, f.ID)
		return errs.Wrap("cert feed failure", err)
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE cert_feeds SET lease_until = NULL, status = $1, failures = failures + 1, last_error = $2,
			last_detail = $3, last_detail_key = $4, last_detail_args = $5, last_error_at = $6, next_poll_at = NULL WHERE id = $7`,
			Stopped, fail.key, fail.detail, fail.detailKey, args, now, f.ID); err != nil {
			return errs.Wrap("cert feed stop", err)
		}
		if err := s.audit(ctx, tx, "cert.feed_stopped", nil, f.TeamOrg, f.ID, "", map[string]any{"reason": fail.key, "detail_key": fail.detailKey,
			"detail": fail.detail}); err != nil {
			return err
		}
		if s.Notify == nil {
			return nil
		}
		return s.Notify.SendOrg(ctx, tx, f.TeamOrg, []string{org.RoleAdmin, cert.RoleAnalyst}, notify.Note{Kind: StoppedKind.Name,
			Subject: "cert.feeds.note.stopped", Args: []any{"feed", f.Title}, Path: "/cert/feeds/" + f.ID})
	})
}
