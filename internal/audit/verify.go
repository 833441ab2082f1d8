package audit

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"time"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
)

// Kind says what is wrong with the log.
type Kind string

// The kinds of tampering Verify tells apart. The diagnosis is the most likely
// explanation of what it saw; a determined forger can make one kind look like
// another, but not like an intact log.
const (
	// Edited: an entry's content no longer matches its hash, or an entry was
	// rewritten with a recomputed hash and the next entry no longer chains to it.
	Edited Kind = "edited"
	// Deleted: seq has a gap, or the entries after a removed one were
	// renumbered to close it.
	Deleted Kind = "deleted"
	// Inserted: a seq appears twice, or an entry sits between two entries
	// that chain to each other.
	Inserted Kind = "inserted"
	// Truncated: a signed checkpoint names an entry that is missing, or one
	// whose hash differs (the log was cut back, and maybe regrown).
	Truncated Kind = "truncated"
	// BadSignature: a checkpoint's signature does not verify with the key.
	BadSignature Kind = "bad_signature"
)

// Problem is the first thing wrong with the log, found by Verify.
type Problem struct {
	Kind Kind
	// Seq is the entry at fault (for Truncated, the first entry missing or
	// differing; for BadSignature, the checkpoint's seq).
	Seq    int64
	Detail string
}

func (p *Problem) Error() string {
	return fmt.Sprintf("audit log %s at seq %d: %s", p.Kind, p.Seq, p.Detail)
}

// Report is the outcome of Verify.
type Report struct {
	// Entries is how many entries were checked and found chained.
	Entries int64
	// Head is the seq of the last entry read.
	Head int64
	// Checkpoints is how many checkpoints were checked and found valid.
	Checkpoints int64
	// Signed is the seq of the latest valid checkpoint: entries after it are
	// chained but not yet signed, so a cut back to Signed would not show.
	Signed int64
	// Problem is the first problem found; nil when the log verifies.
	Problem *Problem
}

// OK reports whether the log verified.
func (r Report) OK() bool { return r.Problem == nil }

// Err returns the problem as an error, nil when the log verified.
func (r Report) Err() error {
	if r.Problem == nil {
		return nil
	}
	return r.Problem
}

// Verify recomputes the whole chain in seq order, streaming, and checks every
// checkpoint against pub and against the chain. A tampered log is not an
// error: it is reported in Report.Problem. The error is for a failure to read.
//
// It reads in one read-only transaction, so appends made meanwhile are not
// seen; on a long log that transaction stays open for the whole pass.
func (t *Trail) Verify(ctx context.Context, pub ed25519.PublicKey) (Report, error) {
	const op = "audit.Verify"
	var r Report
	if len(pub) != ed25519.PublicKeySize {
		return r, errs.E(op, errs.Invalid, "audit.key.invalid")
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if t.db.Engine == db.Postgres {
		opts.Isolation = sql.LevelRepeatableRead // one snapshot for both passes
	}
	tx, err := t.db.R.BeginTx(ctx, opts)
	if err != nil {
		return r, errs.Wrap(op, err)
	}
	defer tx.Rollback()

	c := chain{next: 1, prev: GenesisHash}
	rows, err := tx.QueryContext(ctx, `SELECT `+entryColumns+` FROM audit_entries ORDER BY seq`)
	if err != nil {
		return r, errs.Wrap(op, err)
	}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			rows.Close()
			return r, errs.Wrap(op, err)
		}
		r.Head = e.Seq
		if r.Problem = c.step(e); r.Problem != nil {
			break
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, errs.Wrap(op, err)
	}
	r.Entries = c.checked
	if r.Problem != nil {
		return r, nil
	}

	// Each checkpoint must be signed by pub and name an entry of the chain
	// just verified, with the same hash.
	rows, err = tx.QueryContext(ctx, `SELECT c.seq, c.hash, c.signed_at, c.key_id, c.signature, e.hash
		FROM audit_checkpoints c LEFT JOIN audit_entries e ON e.seq = c.seq
		ORDER BY c.seq, c.signed_at, c.id`)
	if err != nil {
		return r, errs.Wrap(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var cp Checkpoint
		var entryHash sql.NullString
		if err := rows.Scan(&cp.Seq, &cp.Hash, &cp.Time, &cp.KeyID, &cp.Signature, &entryHash); err != nil {
			return r, errs.Wrap(op, err)
		}
		if r.Problem = checkCheckpoint(cp, pub, entryHash, r.Head); r.Problem != nil {
			return r, nil
		}
		r.Checkpoints++
		r.Signed = max(r.Signed, cp.Seq)
	}
	if err := rows.Err(); err != nil {
		return r, errs.Wrap(op, err)
	}
	return r, nil
}

// checkCheckpoint checks cp's signature, then that the chain, which ends at
// head, holds the entry it names (whose stored hash is entryHash).
func checkCheckpoint(cp Checkpoint, pub ed25519.PublicKey, entryHash sql.NullString, head int64) *Problem {
	if !cp.verify(pub) {
		return &Problem{Kind: BadSignature, Seq: cp.Seq, Detail: fmt.Sprintf(
			"checkpoint signed at %s does not verify with key %s (it names key %s)",
			cp.Time.UTC().Format(time.RFC3339), KeyID(pub), cp.KeyID)}
	}
	if !entryHash.Valid && cp.Seq <= head {
		return &Problem{Kind: Deleted, Seq: cp.Seq, Detail: fmt.Sprintf(
			"the entry that the checkpoint signed at %s names is missing", cp.Time.UTC().Format(time.RFC3339))}
	}
	if !entryHash.Valid {
		return &Problem{Kind: Truncated, Seq: head + 1, Detail: fmt.Sprintf(
			"checkpoint signed at %s names seq %d, but the log ends at seq %d",
			cp.Time.UTC().Format(time.RFC3339), cp.Seq, head)}
	}
	if entryHash.String != cp.Hash {
		return &Problem{Kind: Truncated, Seq: cp.Seq, Detail: fmt.Sprintf(
			"entry differs from the one signed at %s: the log was cut back and regrown",
			cp.Time.UTC().Format(time.RFC3339))}
	}
	return nil
}

// chain walks entries in seq order and says what is wrong with the first one
// that does not follow.
type chain struct {
	next     int64  // the seq expected next
	prev     string // stored hash of the entry before next
	prevPrev string // stored hash of the entry before that; "" when unknown
	checked  int64
}

// step checks e against the chain so far, and advances the chain if e follows.
//
// Each entry is judged on two facts: intact (its content matches its hash)
// and linked (its prev_hash is the hash of the entry before it).
func (c *chain) step(e Entry) *Problem {
	switch {
	case e.Seq < c.next:
		return &Problem{Kind: Inserted, Seq: e.Seq, Detail: "seq appears more than once"}
	case e.Seq > c.next:
		detail := fmt.Sprintf("entry %d is missing", c.next)
		if e.Seq-1 > c.next {
			detail = fmt.Sprintf("entries %d to %d are missing", c.next, e.Seq-1)
		}
		return &Problem{Kind: Deleted, Seq: c.next, Detail: detail}
	}
	intact := EntryHash(e) == e.Hash
	linked := e.PrevHash == c.prev
	switch {
	case intact && linked:
		c.prevPrev, c.prev = c.prev, e.Hash
		c.next++
		c.checked++
		return nil
	case linked:
		return &Problem{Kind: Edited, Seq: e.Seq, Detail: "content does not match its hash"}
	case c.prevPrev != "" && e.PrevHash == c.prevPrev:
		// e chains to the entry two back: the one between does not belong
		// (it was slipped in and the entries after it renumbered).
		return &Problem{Kind: Inserted, Seq: e.Seq - 1,
			Detail: fmt.Sprintf("the entry after it (seq %d) chains to the entry before it", e.Seq)}
	case !intact && renumbered(e, 1):
		// e hashes as the entry one seq further on: an entry before it was
		// removed and the rest renumbered to hide the gap.
		return &Problem{Kind: Deleted, Seq: e.Seq,
			Detail: fmt.Sprintf("entries from seq %d on were renumbered down to close a gap", e.Seq)}
	case intact && e.Seq > 1:
		// e is as it was, so what it chained to has changed: the entry
		// before it was rewritten with a recomputed hash (or replaced).
		return &Problem{Kind: Edited, Seq: e.Seq - 1,
			Detail: fmt.Sprintf("rewritten with a recomputed hash: the entry after it (seq %d) no longer chains to it", e.Seq)}
	default:
		return &Problem{Kind: Edited, Seq: e.Seq, Detail: "neither matches its hash nor chains to the entry before it"}
	}
}

// renumbered reports whether e would be intact if its seq were delta higher.
func renumbered(e Entry, delta int64) bool {
	e.Seq += delta
	return EntryHash(e) == e.Hash
}
