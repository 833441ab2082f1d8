package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
)

// Checkpoint is a signed statement that the log had, at Time, the head Seq
// with hash Hash. Checkpoints stop a log being cut back unnoticed: the chain
// alone cannot show that its last entries are gone.
type Checkpoint struct {
	ID    string    `json:"id"`
	Seq   int64     `json:"seq"`
	Hash  string    `json:"hash"`
	Time  time.Time `json:"time"`
	KeyID string    `json:"key_id"`
	// Signature is the Ed25519 signature of CheckpointMessage, in hex.
	Signature string `json:"signature"`
}

// CheckpointMessage returns the bytes a checkpoint's signature covers, in the
// encoding of EntryHash: length-prefixed fields "harambee.audit.checkpoint.v1",
// seq in decimal, the head's hash, and the time in UTC RFC 3339 with nanoseconds.
func CheckpointMessage(seq int64, hash string, at time.Time) []byte {
	var b bytes.Buffer
	writeFields(&b, "harambee.audit.checkpoint.v1", strconv.FormatInt(seq, 10), hash, at.UTC().Format(time.RFC3339Nano))
	return b.Bytes()
}

// verify reports whether cp's signature verifies with pub.
func (cp Checkpoint) verify(pub ed25519.PublicKey) bool {
	sig, err := hex.DecodeString(cp.Signature)
	return err == nil && len(sig) == ed25519.SignatureSize &&
		ed25519.Verify(pub, CheckpointMessage(cp.Seq, cp.Hash, cp.Time), sig)
}

// Checkpoint signs the head of the log with s and stores the checkpoint. It
// first checks that the entries since the previous checkpoint chain on from
// it, and that the previous checkpoint verifies with s's key, so that it
// never signs a tampered head: if they do not, it refuses with a Conflict
// error wrapping the *Problem. When nothing was appended since the previous
// checkpoint it returns that one. An empty log is NotFound.
//
// Run it periodically (a job) and after batches of important appends, and log
// the returned checkpoint: a copy kept outside the database is what shows a
// log whose entries and checkpoints were both cut back.
func (t *Trail) Checkpoint(ctx context.Context, s *Signer) (Checkpoint, error) {
	const op = "audit.Checkpoint"
	var cp Checkpoint
	err := t.db.Tx(ctx, func(tx *sql.Tx) error {
		// On PostgreSQL each statement sees a fresh snapshot: without the
		// appenders' lock, a checkpoint committed by another instance after
		// the head was read would look like entries gone missing.
		if t.db.Engine == db.Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, advisoryLockKey); err != nil {
				return fmt.Errorf("lock: %w", err)
			}
		}
		var headSeq int64
		var headHash string
		err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1`).Scan(&headSeq, &headHash)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(op, errs.NotFound, "audit.empty")
		} else if err != nil {
			return fmt.Errorf("read head: %w", err)
		}

		c := chain{next: 1, prev: GenesisHash}
		last, err := latestCheckpoint(ctx, tx)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			var entryHash sql.NullString
			err := tx.QueryRowContext(ctx, `SELECT hash FROM audit_entries WHERE seq = $1`, last.Seq).Scan(&entryHash)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("read checkpointed entry: %w", err)
			}
			if p := checkCheckpoint(last, s.PublicKey(), entryHash, headSeq); p != nil {
				return tampered(op, p)
			}
			if last.Seq == headSeq {
				cp = last
				return nil
			}
			c = chain{next: last.Seq + 1, prev: last.Hash}
		}

		if p, err := walk(ctx, tx, &c, headSeq); err != nil {
			return err
		} else if p != nil {
			return tampered(op, p)
		}

		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		cp = Checkpoint{ID: id.String(), Seq: headSeq, Hash: headHash,
			Time: t.clock.Now().UTC().Truncate(time.Microsecond), KeyID: s.KeyID()}
		cp.Signature = hex.EncodeToString(s.sign(CheckpointMessage(cp.Seq, cp.Hash, cp.Time)))
		_, err = tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (id, seq, hash, signed_at, key_id, signature)
			VALUES ($1, $2, $3, $4, $5, $6)`, cp.ID, cp.Seq, cp.Hash, cp.Time, cp.KeyID, cp.Signature)
		if err != nil {
			return fmt.Errorf("insert checkpoint: %w", err)
		}
		return nil
	})
	if err != nil {
		return Checkpoint{}, errs.Wrap(op, err)
	}
	return cp, nil
}

// walk steps c through the entries from c.next to head.
func walk(ctx context.Context, tx *sql.Tx, c *chain, head int64) (*Problem, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+entryColumns+` FROM audit_entries
		WHERE seq >= $1 AND seq <= $2 ORDER BY seq`, c.next, head)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		if p := c.step(e); p != nil {
			return p, nil
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if c.next != head+1 {
		return &Problem{Kind: Deleted, Seq: c.next, Detail: fmt.Sprintf("entries %d to %d are missing", c.next, head)}, nil
	}
	return nil, nil
}

// latestCheckpoint returns the checkpoint with the highest seq, the latest of those.
func latestCheckpoint(ctx context.Context, q *sql.Tx) (Checkpoint, error) {
	var cp Checkpoint
	err := q.QueryRowContext(ctx, `SELECT id, seq, hash, signed_at, key_id, signature FROM audit_checkpoints
		ORDER BY seq DESC, signed_at DESC, id DESC LIMIT 1`).
		Scan(&cp.ID, &cp.Seq, &cp.Hash, &cp.Time, &cp.KeyID, &cp.Signature)
	cp.Time = cp.Time.UTC()
	return cp, err
}

// tampered is the error of an operation that refuses to go on over a tampered log.
func tampered(op string, p *Problem) error {
	return &errs.Error{Op: op, Code: errs.Conflict, Key: "audit.tampered", Err: p}
}
