// Package audit keeps the platform's audit log: an append-only record of
// security-relevant actions (sign-ins, role changes, lowered markings, new
// shares, exports, deleted accounts, API tokens), chained by hash so that an
// edited, deleted or inserted entry shows, and anchored by checkpoints signed
// with a key kept outside the database so that a cut-back log shows too.
//
// An entry is appended inside the transaction of the action it records, so
// that the two commit or roll back together:
//
//	err := d.Tx(ctx, func(tx *sql.Tx) error {
//		if err := changeRole(ctx, tx, ...); err != nil {
//			return err
//		}
//		return trail.Append(ctx, tx, audit.Entry{Action: "org.role_changed", Actor: pseudonym, ...})
//	})
//
// Actors are pseudonymous person ids, never e-mail addresses or names: when an
// account is deleted its mapping to the pseudonym goes, and the chain stays
// valid.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the audit tables.
var Migrations = db.Embedded("audit", migrationFiles, "migrations")

// GenesisHash is the prev_hash of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// advisoryLockKey is the PostgreSQL advisory lock ("haraudit" in ASCII) that
// serialises appenders across instances; no other module may use it.
const advisoryLockKey int64 = 0x6861726175646974

// Limits on the fields of an entry, in bytes.
const (
	maxName    = 64 // action, target type
	maxID      = 128
	maxDetails = 16 << 10
)

// Entry is one line of the audit log. Callers fill in Action and whichever of
// Actor, OrgID, TargetType/TargetID, ClientAddr and Details apply; Append
// assigns Seq, ID, Time, PrevHash and Hash.
type Entry struct {
	Seq  int64     `json:"seq"`
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
	// Action names what happened, dotted lower case: "auth.signin",
	// "org.role_changed", "marking.lowered", "export".
	Action string `json:"action"`
	// Actor is the pseudonymous id of the person who acted; empty for the
	// platform itself or an unknown person (a failed sign-in for an unknown
	// address — whose address is not logged).
	Actor      string `json:"actor,omitempty"`
	OrgID      string `json:"org_id,omitempty"`
	TargetType string `json:"target_type,omitempty"`
	TargetID   string `json:"target_id,omitempty"`
	// ClientAddr is the client's IP address; a port, if given, is dropped,
	// and so is anything that is not an IP address.
	ClientAddr string `json:"client_addr,omitempty"`
	// Details is a JSON object; empty means {}.
	Details  json.RawMessage `json:"details"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// EntryHash returns the hash of e as lower-case hex: SHA-256 over a sequence
// of length-prefixed fields, each written as its length in bytes (unsigned
// 64-bit big-endian) followed by its bytes, in this order:
//
//	"harambee.audit.entry.v1"    domain tag (a new encoding gets a new tag)
//	seq                          decimal, no sign, no leading zeros
//	prev_hash                    lower-case hex; GenesisHash for seq 1
//	time                         UTC, time.RFC3339Nano ("2026-11-27T08:15:00.123456Z")
//	id, action, actor, org_id,   UTF-8 text as stored; an absent
//	target_type, target_id,      optional field is the empty string
//	client_addr
//	details                      the JSON object text exactly as stored
//
// The length prefixes make the encoding unambiguous: no two different entries
// give the same byte sequence, whatever their fields contain.
func EntryHash(e Entry) string {
	h := sha256.New()
	writeFields(h, "harambee.audit.entry.v1",
		strconv.FormatInt(e.Seq, 10),
		e.PrevHash,
		e.Time.UTC().Format(time.RFC3339Nano),
		e.ID, e.Action, e.Actor, e.OrgID, e.TargetType, e.TargetID, e.ClientAddr,
		string(e.Details))
	return hex.EncodeToString(h.Sum(nil))
}

// writeFields writes each field as its length (8 bytes, big-endian) and its bytes.
func writeFields(w io.Writer, fields ...string) {
	var n [8]byte
	for _, f := range fields {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		w.Write(n[:])
		io.WriteString(w, f)
	}
}

// Trail appends to, lists, checkpoints and verifies the audit log of one database.
type Trail struct {
	db    *db.DB
	clock clock.Clock
}

// New returns the audit trail kept in d, timed by c.
func New(d *db.DB, c clock.Clock) *Trail { return &Trail{db: d, clock: c} }

// Append adds e to the log inside tx, the caller's write transaction (on
// SQLite one begun on the writer, d.W), so that the entry commits or rolls
// back with the action it records. It takes the next seq under a lock that
// serialises appenders across instances — on PostgreSQL a transaction-level
// advisory lock, on SQLite the write lock that BEGIN IMMEDIATE took — and
// holds it until tx ends: call Append last, just before committing. On
// PostgreSQL tx must run at READ COMMITTED (the default), so that the head it
// reads after the lock is the latest; otherwise the unique seq refuses the
// append.
//
// Append assigns the stored entry's Seq, ID, Time, PrevHash and Hash (those
// given in e are ignored). Time comes from the trail's clock, but is never
// before the previous entry's, so times do not decrease along seq even when
// instances' clocks disagree slightly.
func (t *Trail) Append(ctx context.Context, tx *sql.Tx, e Entry) error {
	const op = "audit.Append"
	if err := e.normalise(op); err != nil {
		return err
	}
	if t.db.Engine == db.Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, advisoryLockKey); err != nil {
			return errs.Wrap(op, fmt.Errorf("lock: %w", err))
		}
	}
	var headAt time.Time
	err := tx.QueryRowContext(ctx,
		`SELECT seq, hash, logged_at FROM audit_entries ORDER BY seq DESC LIMIT 1`,
	).Scan(&e.Seq, &e.PrevHash, &headAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		e.Seq, e.PrevHash = 0, GenesisHash
	case err != nil:
		return errs.Wrap(op, fmt.Errorf("read head: %w", err))
	}
	e.Seq++
	id, err := uuid.NewV7()
	if err != nil {
		return errs.Wrap(op, err)
	}
	e.ID = id.String()
	e.Time = t.clock.Now().UTC().Truncate(time.Microsecond)
	if headAt = headAt.UTC(); e.Time.Before(headAt) {
		e.Time = headAt
	}
	e.Hash = EntryHash(e)
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_entries
		(seq, id, logged_at, action, actor, org_id, target_type, target_id, client_addr, details, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		e.Seq, e.ID, e.Time, e.Action, e.Actor, e.OrgID, e.TargetType, e.TargetID, e.ClientAddr,
		string(e.Details), e.PrevHash, e.Hash)
	if err != nil {
		return errs.Wrap(op, fmt.Errorf("insert seq %d: %w", e.Seq, err))
	}
	return nil
}

// Log appends e in a transaction of its own, for actions that write nothing
// else (a failed sign-in, an export).
func (t *Trail) Log(ctx context.Context, e Entry) error {
	err := t.db.Tx(ctx, func(tx *sql.Tx) error { return t.Append(ctx, tx, e) })
	return errs.Wrap("audit.Log", err)
}

// normalise checks e's caller-given fields and puts them in their stored form.
func (e *Entry) normalise(op string) error {
	bad := map[string]string{}
	if !isName(e.Action) {
		bad["action"] = "audit.action.invalid"
	}
	// A pseudonym is an opaque id; an "@" means someone passed an e-mail address.
	if !isText(e.Actor, maxID) || strings.Contains(e.Actor, "@") {
		bad["actor"] = "audit.actor.invalid"
	}
	if !isText(e.OrgID, maxID) {
		bad["org_id"] = "audit.org.invalid"
	}
	if (e.TargetType == "") != (e.TargetID == "") || (e.TargetType != "" && !isName(e.TargetType)) {
		bad["target_type"] = "audit.target.invalid"
	}
	if !isText(e.TargetID, maxID) {
		bad["target_id"] = "audit.target.invalid"
	}
	// The address may come from a proxy header a client controls: an
	// unreadable one is dropped rather than failing the action it records.
	e.ClientAddr = parseAddr(e.ClientAddr)
	if d, err := compactObject(e.Details); err != nil {
		bad["details"] = "audit.details.invalid"
	} else {
		e.Details = d
	}
	if len(bad) > 0 {
		return errs.Field(op, bad)
	}
	return nil
}

// isName reports whether s is a dotted lower-case name: "auth.signin_failed".
func isName(s string) bool {
	if s == "" || len(s) > maxName || s[0] < 'a' || s[0] > 'z' || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// isText reports whether s is valid UTF-8 without control characters, at most max bytes.
func isText(s string, max int) bool {
	if len(s) > max || !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsFunc(s, unicode.IsControl)
}

// parseAddr returns the IP address in s ("192.0.2.1", "[2001:db8::1]:443"),
// unmapped from IPv6, or "" when s holds none.
func parseAddr(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return ""
		}
		a = ap.Addr()
	}
	return a.Unmap().String()
}

// compactObject returns d compacted, {} when empty, or an error unless d is one JSON object.
func compactObject(d json.RawMessage) (json.RawMessage, error) {
	if len(strings.TrimSpace(string(d))) == 0 {
		return json.RawMessage("{}"), nil
	}
	if len(d) > maxDetails || !utf8.Valid(d) {
		return nil, errors.New("details too long or not UTF-8")
	}
	var b bytes.Buffer
	if err := json.Compact(&b, d); err != nil {
		return nil, err
	}
	if b.Len() == 0 || b.Bytes()[0] != '{' {
		return nil, errors.New("details is not a JSON object")
	}
	return json.RawMessage(b.Bytes()), nil
}

// entryColumns are the columns scanEntry reads, in order.
const entryColumns = `seq, id, logged_at, action, actor, org_id, target_type, target_id, client_addr, details, prev_hash, hash`

func scanEntry(rows *sql.Rows) (Entry, error) {
	var e Entry
	var details string
	err := rows.Scan(&e.Seq, &e.ID, &e.Time, &e.Action, &e.Actor, &e.OrgID, &e.TargetType, &e.TargetID,
		&e.ClientAddr, &details, &e.PrevHash, &e.Hash)
	e.Time = e.Time.UTC()
	e.Details = json.RawMessage(details)
	return e, err
}
