package audit_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/audit"
	"harambee.africa/harambee/internal/errs"
)

func newSigner(t testing.TB) *audit.Signer {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return audit.NewSigner(key)
}

// insert stores e as it is, the way a forger with database access would.
func (f *fixture) insert(t testing.TB, e audit.Entry) {
	t.Helper()
	f.exec(t, `INSERT INTO audit_entries
		(seq, id, logged_at, action, actor, org_id, target_type, target_id, client_addr, details, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		e.Seq, e.ID, e.Time, e.Action, e.Actor, e.OrgID, e.TargetType, e.TargetID, e.ClientAddr,
		string(e.Details), e.PrevHash, e.Hash)
}

// shift renumbers the entries after seq by delta in two steps, so that the
// unique seq never sees two rows with one number mid-statement.
func (f *fixture) shift(t testing.TB, after, delta int64) {
	t.Helper()
	f.exec(t, `UPDATE audit_entries SET seq = -seq WHERE seq > $1`, after)
	f.exec(t, `UPDATE audit_entries SET seq = $1 - seq WHERE seq < 0`, delta)
}

// forge returns a well-formed entry with the given seq chained to prevHash,
// hashed as Append would: a forger who knows the published encoding.
func (f *fixture) forge(t testing.TB, seq int64, prevHash string) audit.Entry {
	t.Helper()
	e := f.entry(t, seq-1)
	e.Seq, e.ID, e.PrevHash = seq, uuid.Must(uuid.NewV7()).String(), prevHash
	e.Action, e.Actor, e.Details = "org.role_changed", "p_forger", []byte(`{"to":"admin"}`)
	e.Hash = audit.EntryHash(e)
	return e
}

func TestVerifyDetectsTampering(t *testing.T) {
	const n = 30
	for _, tc := range []struct {
		name string
		// checkpoint: sign the head (seq 30) before tampering.
		checkpoint bool
		tamper     func(t *testing.T, f *fixture)
		kind       audit.Kind
		seq        int64
	}{
		{name: "Intact", checkpoint: true, tamper: func(t *testing.T, f *fixture) {}},

		// Edits made with plain UPDATEs: the row no longer matches its hash,
		// while it still chains to the row before it.
		{name: "EditedDetails", tamper: func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE audit_entries SET details = '{"n":9}' WHERE seq = 10`)
		}, kind: audit.Edited, seq: 10},
		{name: "EditedAction", tamper: func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE audit_entries SET action = 'auth.signin' WHERE seq = 10`)
		}, kind: audit.Edited, seq: 10},
		{name: "EditedActor", tamper: func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE audit_entries SET actor = 'p_someone_else' WHERE seq = 10`)
		}, kind: audit.Edited, seq: 10},
		{name: "EditedOrg", tamper: func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE audit_entries SET org_id = 'org-9' WHERE seq = 10`)
		}, kind: audit.Edited, seq: 10},
		{name: "EditedTarget", tamper: func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE audit_entries SET target_id = 'inc-0' WHERE seq = 10`)
		}, kind: audit.Edited, seq: 10},
		{name: "EditedClientAddr", tamper: func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE audit_entries SET client_addr = '192.0.2.99' WHERE seq = 10`)
		}, kind: audit.Edited, seq: 10},
		{name: "EditedTime", tamper: func(t *testing.T, f *fixture) {
			e := f.entry(t, 10)
			f.exec(t, `UPDATE audit_entries SET logged_at = $1 WHERE seq = 10`, e.Time.Add(-time.Hour))
		}, kind: audit.Edited, seq: 10},
		{name: "EditedPrevHash", tamper: func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE audit_entries SET prev_hash = $1 WHERE seq = 10`, audit.GenesisHash)
		}, kind: audit.Edited, seq: 10},
		{name: "EditedLast", tamper: func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE audit_entries SET actor = '' WHERE seq = 30`)
		}, kind: audit.Edited, seq: 30},
		// A forger who recomputes the edited row's hash keeps that row
		// consistent, but the next row still names the old hash: the next
		// row is intact and unlinked, so the row before it was rewritten.
		{name: "EditedAndRehashed", tamper: func(t *testing.T, f *fixture) {
			e := f.entry(t, 10)
			e.Actor = "p_someone_else"
			f.exec(t, `UPDATE audit_entries SET actor = $1, hash = $2 WHERE seq = 10`, e.Actor, audit.EntryHash(e))
		}, kind: audit.Edited, seq: 10},

		// A deleted row leaves a gap in seq.
		{name: "Deleted", tamper: func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_entries WHERE seq = 10`)
		}, kind: audit.Deleted, seq: 10},
		{name: "DeletedSeveral", tamper: func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_entries WHERE seq BETWEEN 10 AND 12`)
		}, kind: audit.Deleted, seq: 10},
		{name: "DeletedFirst", tamper: func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_entries WHERE seq = 1`)
		}, kind: audit.Deleted, seq: 1},
		// Closing the gap by renumbering changes the seq each later row was
		// hashed with; the row now at 10 hashes as seq 11, so one was removed.
		{name: "DeletedAndRenumbered", tamper: func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_entries WHERE seq = 10`)
			f.shift(t, 10, -1)
		}, kind: audit.Deleted, seq: 10},

		// Inserting needs a free seq. Here the forger drops the unique seq
		// (rebuilding the table without it) and adds a perfect forgery as a
		// second seq 10 chained to 9. Whichever of the two rows comes second
		// repeats a seq already seen.
		{name: "InsertedDuplicateSeq", tamper: func(t *testing.T, f *fixture) {
			forged := f.forge(t, 10, f.entry(t, 9).Hash)
			f.exec(t, `CREATE TABLE audit_entries_loose (seq BIGINT, id TEXT, logged_at TIMESTAMP, action TEXT,
				actor TEXT, org_id TEXT, target_type TEXT, target_id TEXT, client_addr TEXT, details TEXT,
				prev_hash TEXT, hash TEXT)`)
			f.exec(t, `INSERT INTO audit_entries_loose SELECT * FROM audit_entries`)
			f.exec(t, `DROP TABLE audit_entries`)
			f.exec(t, `ALTER TABLE audit_entries_loose RENAME TO audit_entries`)
			f.insert(t, forged)
		}, kind: audit.Inserted, seq: 10},
		// Or the forger makes room by renumbering the rows after 10 up by one
		// and slips a perfect forgery in at 11, chained to 10. The forgery
		// verifies on its own; the row after it (the old 11, now 12) still
		// chains to 10, two back, so the row between does not belong.
		{name: "InsertedBetween", tamper: func(t *testing.T, f *fixture) {
			forged := f.forge(t, 11, f.entry(t, 10).Hash)
			f.shift(t, 10, 1)
			f.insert(t, forged)
		}, kind: audit.Inserted, seq: 11},

		// Cutting the log back after a checkpoint keeps the chain whole, but
		// the signed checkpoint names seq 30, which is gone.
		{name: "Truncated", checkpoint: true, tamper: func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_entries WHERE seq > 25`)
		}, kind: audit.Truncated, seq: 26},
		{name: "TruncatedToNothing", checkpoint: true, tamper: func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_entries`)
		}, kind: audit.Truncated, seq: 1},
		// Cut back and regrown past the checkpoint by honest appends: seq 30
		// exists again, with another hash than the one signed.
		{name: "TruncatedAndRegrown", checkpoint: true, tamper: func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_entries WHERE seq > 25`)
			f.log(t, 10)
		}, kind: audit.Truncated, seq: 30},

		{name: "BadSignature", checkpoint: true, tamper: func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE audit_checkpoints SET signature = CASE WHEN substr(signature, 1, 1) = 'f' THEN 'e' ELSE 'f' END || substr(signature, 2)`)
		}, kind: audit.BadSignature, seq: 30},
		// Moving a checkpoint back to cover a cut-back log breaks its signature.
		{name: "CheckpointMoved", checkpoint: true, tamper: func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_entries WHERE seq > 25`)
			f.exec(t, `UPDATE audit_checkpoints SET seq = 25, hash = (SELECT hash FROM audit_entries WHERE seq = 25)`)
		}, kind: audit.BadSignature, seq: 25},
		{name: "CheckpointOfOtherKey", tamper: func(t *testing.T, f *fixture) {
			if _, err := f.trail.Checkpoint(context.Background(), newSigner(t)); err != nil {
				t.Fatal(err)
			}
		}, kind: audit.BadSignature, seq: 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			signer := newSigner(t)
			f.log(t, n)
			if tc.checkpoint {
				if _, err := f.trail.Checkpoint(ctx, signer); err != nil {
					t.Fatal(err)
				}
			}
			tc.tamper(t, f)
			r, err := f.trail.Verify(ctx, signer.PublicKey())
			if err != nil {
				t.Fatal(err)
			}
			if tc.kind == "" {
				if !r.OK() || r.Entries != n || r.Signed != n || r.Checkpoints != 1 {
					t.Fatalf("report = %+v, problem %v", r, r.Problem)
				}
				return
			}
			if r.OK() {
				t.Fatalf("tampering not detected: %+v", r)
			}
			if r.Problem.Kind != tc.kind || r.Problem.Seq != tc.seq {
				t.Fatalf("problem = %v, want %s at seq %d", r.Problem, tc.kind, tc.seq)
			}
			var p *audit.Problem
			if !errors.As(r.Err(), &p) || p != r.Problem {
				t.Errorf("Err() = %v", r.Err())
			}
		})
	}
}

func TestCheckpoint(t *testing.T) {
	ctx := context.Background()

	t.Run("EmptyLog", func(t *testing.T) {
		f := newFixture(t)
		if _, err := f.trail.Checkpoint(ctx, newSigner(t)); !errs.Is(err, errs.NotFound) {
			t.Fatalf("Checkpoint = %v, want not found", err)
		}
	})

	t.Run("SignsTheHead", func(t *testing.T) {
		f := newFixture(t)
		s := newSigner(t)
		f.log(t, 5)
		cp, err := f.trail.Checkpoint(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		head := f.entry(t, 5)
		if cp.Seq != 5 || cp.Hash != head.Hash || cp.KeyID != s.KeyID() || !cp.Time.Equal(f.clock.Now()) {
			t.Fatalf("checkpoint = %+v", cp)
		}
		// Nothing new: the same checkpoint again.
		again, err := f.trail.Checkpoint(ctx, s)
		if err != nil || again != cp {
			t.Fatalf("second checkpoint = %+v, %v; want %+v", again, err, cp)
		}
		f.log(t, 3)
		next, err := f.trail.Checkpoint(ctx, s)
		if err != nil || next.Seq != 8 || next.ID == cp.ID {
			t.Fatalf("third checkpoint = %+v, %v", next, err)
		}
		r, err := f.trail.Verify(ctx, s.PublicKey())
		if err != nil || !r.OK() || r.Checkpoints != 2 || r.Signed != 8 {
			t.Fatalf("Verify = %+v, %v", r, err)
		}
	})

	// A checkpoint never blesses a tampered log: it walks the entries since
	// the previous checkpoint (all of them for the first) before signing.
	for _, tc := range []struct {
		name   string
		before bool // take a first checkpoint before tampering
		tamper string
		kind   audit.Kind
	}{
		{"RefusesEditedFirst", false, `UPDATE audit_entries SET actor = 'x' WHERE seq = 3`, audit.Edited},
		{"RefusesEditedSince", true, `UPDATE audit_entries SET actor = 'x' WHERE seq = 12`, audit.Edited},
		{"RefusesDeletedSince", true, `DELETE FROM audit_entries WHERE seq = 12`, audit.Deleted},
		{"RefusesTruncated", true, `DELETE FROM audit_entries WHERE seq > 8`, audit.Truncated},
		{"RefusesDeletedCheckpointed", true, `DELETE FROM audit_entries WHERE seq = 10`, audit.Deleted},
		{"RefusesBadPrevious", true, `UPDATE audit_checkpoints SET signature = 'zz'`, audit.BadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			s := newSigner(t)
			f.log(t, 10)
			if tc.before {
				if _, err := f.trail.Checkpoint(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			f.log(t, 5)
			f.exec(t, tc.tamper)
			_, err := f.trail.Checkpoint(ctx, s)
			var p *audit.Problem
			if !errs.Is(err, errs.Conflict) || !errors.As(err, &p) || p.Kind != tc.kind {
				t.Fatalf("Checkpoint = %v, want conflict with %s", err, tc.kind)
			}
		})
	}
}
