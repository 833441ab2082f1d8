package taxii

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/stix"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
)

// How an import is made visible at once although it is written in many
// short transactions:
//
//  1. The import takes the collection's lease (cert_taxii_heads.lock_*), so
//     imports into one collection take turns, across instances too. A lease
//     left by a crashed instance expires; its unpublished rows are removed
//     by the next import.
//  2. It writes its rows in transactions of BatchRows rows, with seq and
//     date_added strictly increasing and above the published watermark:
//     readers filter seq <= published_seq and do not see them.
//  3. It publishes by raising published_seq in one short statement, which
//     also completes the status resource. Because imports take turns and
//     date_added grows with seq, a client that polls with added_after
//     never misses a version that is published after its poll.

// leaseFor is how long a lease lasts without being renewed (each batch
// renews it).
const leaseFor = 60 * time.Second

// leaseWait is how long an import waits for another to finish.
const leaseWait = 2 * time.Minute

// maxListedSuccesses: a status resource lists its successes up to this
// many; beyond, only the count (TAXII makes the lists optional, and a
// list must hold as many entries as its count says).
const maxListedSuccesses = 10_000

var errBusy = errs.E("cert.taxii import", errs.Conflict, "cert.taxii.error.busy")

// Status is the TAXII status resource of an import.
type Status struct {
	ID               string               `json:"id"`
	Status           string               `json:"status"`
	RequestTimestamp string               `json:"request_timestamp,omitempty"`
	TotalCount       int                  `json:"total_count"`
	SuccessCount     int                  `json:"success_count"`
	Successes        []cert.ImportFailure `json:"successes,omitempty"`
	FailureCount     int                  `json:"failure_count"`
	Failures         []cert.ImportFailure `json:"failures,omitempty"`
	PendingCount     int                  `json:"pending_count"`
	Pendings         []cert.ImportFailure `json:"pendings,omitempty"`

	CollectionID string `json:"-"`
	ByOrg        string `json:"-"`
	Added        int    `json:"-"` // successes that were new versions
	// LongestBatch is the longest of the import's write transactions: what
	// it held the SQLite writer for at most.
	LongestBatch time.Duration `json:"-"`
}

// version is one object version ready to store.
type version struct {
	obj       *stix.Object
	versionUS int64
	version   string
	tlp       stix.TLP
	digest    string
	seq       int64
	addedUS   int64
	words     string   // search index text (wordsOf)
	keys      []string // correlation keys (keysOf)
}

// ImportObjects stores STIX objects in a collection on behalf of byOrg,
// which must be allowed to write there: the cert.STIXImporter of the TAXII
// client. Objects that are not valid STIX 2.1 are failures; the valid ones
// are stored.
func (s *Service) ImportObjects(ctx context.Context, collectionID string, objects []json.RawMessage, byOrg string) (cert.ImportResult, error) {
	col, err := s.collectionForOrg(ctx, collectionID, byOrg)
	if err != nil {
		return cert.ImportResult{}, err
	}
	if !col.CanWrite {
		return cert.ImportResult{}, errs.E("cert.taxii import", errs.Forbidden, "error.forbidden")
	}
	var good []*stix.Object
	var failed []cert.ImportFailure
	for _, raw := range objects {
		o, err := stix.ParseObject(raw)
		if err != nil {
			var e *stix.Error
			f := cert.ImportFailure{Message: err.Error(), Key: "cert.taxii.import.not_stix", Detail: err.Error()}
			if errors.As(err, &e) {
				f.ID, f.Message, f.Detail = e.ID, e.Reason, e.Reason
			}
			failed = append(failed, f)
			continue
		}
		good = append(good, o)
	}
	st, err := s.Store(ctx, col, good, byOrg, "", "")
	if err != nil {
		return cert.ImportResult{}, err
	}
	res := cert.ImportResult{Added: st.Added, Skipped: st.SuccessCount - st.Added, Failed: append(failed, st.Failures...)}
	return res, nil
}

// tlpOf is the effective TLP of an object: the most restrictive of its
// object and granular markings, TLP 1.0 read as TLP 2.0, marking
// definitions of the same import that declare a TLP included.
func tlpOf(o *stix.Object, defined map[string]stix.TLP) (stix.TLP, bool) {
	var tlp stix.TLP
	var ok bool
	consider := func(ref string) {
		t, is := stix.TLPOfMarking(ref)
		if !is {
			t, is = defined[ref]
		}
		if is && (!ok || t.MoreRestrictive(tlp)) {
			tlp, ok = t, true
		}
	}
	for _, r := range o.ObjectMarkingRefs {
		consider(r)
	}
	for _, g := range o.GranularMarkings {
		if g.MarkingRef != "" {
			consider(g.MarkingRef)
		}
	}
	return tlp, ok
}

func micros(t time.Time) int64 { return t.UnixMicro() }

// formatAdded writes a date_added: RFC 3339 in UTC with milliseconds.
//
// Rows are ordered to the microsecond, but date_added is served to the
// millisecond, because TAXII clients written in JavaScript (OpenCTI's
// ingestion) keep an X-TAXII-Date-Added-Last as a Date, which has no more:
// with microseconds they would ask again from a time before the last
// object and fetch it forever. Each import therefore starts on a fresh
// millisecond (see write), and added_after selects by the millisecond (see
// addedAfter), so a client that polls after the last date it saw neither
// misses nor repeats an object.
func formatAdded(us int64) string {
	return time.UnixMicro(us).UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z")
}

// addedAfter is the first microsecond whose date_added, as served, is
// after t.
func addedAfter(t time.Time) int64 { return (micros(t)/1000 + 1) * 1000 }

// Store publishes objects (already parsed) in a collection, all at once,
// and records the status resource. Objects marked above the collection's
// ceiling are failures and are not stored; a version already there is a
// success and is not stored twice.
func (s *Service) Store(ctx context.Context, col *Collection, objs []*stix.Object, byOrg, byUser, ip string) (*Status, error) {
	now := s.Clock.Now().UTC()
	st := &Status{ID: uuid.Must(uuid.NewV7()).String(), Status: "pending", RequestTimestamp: formatAdded(micros(now)),
		TotalCount: len(objs), CollectionID: col.ID, ByOrg: byOrg}
	defined := map[string]stix.TLP{}
	for _, o := range objs {
		if t, ok := stix.DefinedTLP(o); ok {
			defined[o.ID] = t
		}
	}
	var todo []version
	seen := map[string]bool{}
	for _, o := range objs {
		v := version{obj: o, version: o.Version()}
		tlp, ok := tlpOf(o, defined)
		if !ok {
			tlp = col.Ceiling
		}
		if tlp.MoreRestrictive(col.Ceiling) {
			marked, most := "TLP:"+strings.ToUpper(string(tlp)), "TLP:"+strings.ToUpper(string(col.Ceiling))
			st.Failures = append(st.Failures, cert.ImportFailure{ID: o.ID, Version: v.version,
				Message: fmt.Sprintf("marked %s, above %s, the most this collection accepts", marked, most),
				Key:     "cert.taxii.import.above_ceiling", Args: map[string]string{"tlp": marked, "ceiling": most}})
			continue
		}
		v.tlp = tlp
		if v.version != "" {
			v.versionUS = micros(o.VersionTime())
			key := fmt.Sprintf("%s@%d", o.ID, v.versionUS)
			if seen[key] {
				st.Successes = append(st.Successes, cert.ImportFailure{ID: o.ID, Version: v.version, Message: "repeated in the same request",
					Key: "cert.taxii.import.repeated"})
				continue
			}
			seen[key] = true
		}
		todo = append(todo, v)
	}
	ready := prepare(todo)
	defer ready(len(todo)) // no worker outlives the import
	if err := s.ensureIndex(ctx); err != nil {
		return nil, err
	}
	if err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO cert_taxii_imports (id, collection_id, by_org, by_user, status, total, pending_count, requested_at)
			VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7)`, st.ID, col.ID, byOrg, byUser, st.TotalCount, st.TotalCount, now)
		return err
	}); err != nil {
		return nil, errs.Wrap("cert.taxii import", err)
	}
	head, err := s.lease(ctx, col.ID, st.ID)
	if err != nil {
		return nil, err
	}
	added, err := s.write(ctx, col.ID, head, todo, ready, st)
	if err != nil {
		s.abandon(col.ID, st.ID, head.published)
		return nil, err
	}
	st.Added = len(added)
	st.SuccessCount = len(st.Successes)
	st.FailureCount = len(st.Failures)
	st.Status = "complete"
	successes := st.Successes
	if len(successes) > maxListedSuccesses {
		successes = nil
	}
	// Stored with their message keys, for pages; the TAXII JSON omits them.
	ls, _ := json.Marshal(cert.StoredFailures(successes))
	lf, _ := json.Marshal(cert.StoredFailures(st.Failures))
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cert_taxii_heads SET published_seq = last_seq, lock_holder = '', lock_until = 0
			WHERE collection_id = $1 AND lock_holder = $2`, col.ID, st.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errBusy // the lease was lost: another import removed these rows
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cert_taxii_imports SET status = 'complete', successes = $1, failures = $2, success_count = $3,
			failure_count = $4, pending_count = 0, completed_at = $5 WHERE id = $6`, string(ls), string(lf), st.SuccessCount, st.FailureCount, s.Clock.Now().UTC(), st.ID); err != nil {
			return err
		}
		if s.Audit == nil {
			return nil
		}
		return s.Audit.Record(ctx, tx, "cert.taxii.import", byUser, byOrg, "cert.taxii.collection", col.ID, ip,
			map[string]any{"status": st.ID, "total": st.TotalCount, "added": st.Added, "failed": st.FailureCount})
	})
	if err != nil {
		s.abandon(col.ID, st.ID, head.published)
		return nil, errs.Wrap("cert.taxii import", err)
	}
	if len(st.Successes) > maxListedSuccesses {
		st.Successes = nil
	}
	if s.DB.Engine == db.Postgres && st.Added >= analyzeAfter {
		// Fresh statistics keep the planner on the indexes after a large
		// import; autovacuum would get there, later.
		_, _ = s.DB.W.ExecContext(ctx, `ANALYZE cert_taxii_objects`)
		_, _ = s.DB.W.ExecContext(ctx, `ANALYZE cert_taxii_keys`)
	}
	return st, nil
}

// analyzeAfter: an import of this many rows refreshes PostgreSQL's statistics.
const analyzeAfter = 20_000

// prepare computes what each version stores besides its bytes — digest,
// search words, correlation keys — on every core but one, in chunks in
// order, while the writer writes the chunks already done. The function it
// returns waits until the first n versions are ready.
func prepare(todo []version) (ready func(n int)) {
	const chunk = 256
	chunks := (len(todo) + chunk - 1) / chunk
	done := make([]chan struct{}, chunks)
	for i := range done {
		done[i] = make(chan struct{})
	}
	workers := max(1, min(runtime.GOMAXPROCS(0)-1, chunks))
	var next atomic.Int64
	for range workers {
		go func() {
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return
				}
				for i := c * chunk; i < min((c+1)*chunk, len(todo)); i++ {
					v := &todo[i]
					sum := sha256.Sum256(v.obj.Raw)
					v.digest = hex.EncodeToString(sum[:16])
					v.words = wordsOf(v.obj)
					v.keys = keysOf(v.obj)
				}
				close(done[c])
			}
		}()
	}
	return func(n int) {
		for c := 0; c < (n+chunk-1)/chunk; c++ {
			<-done[c]
		}
	}
}

type head struct {
	published, seq, addedUS int64
}

// lease takes the collection's import lease, waiting for another import
// to finish, and removes what a crashed import left unpublished.
func (s *Service) lease(ctx context.Context, collectionID, holder string) (head, error) {
	var h head
	deadline := time.Now().Add(leaseWait)
	for {
		nowUS := micros(s.Clock.Now())
		var got bool
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cert_taxii_heads (collection_id) VALUES ($1) ON CONFLICT (collection_id) DO NOTHING`, collectionID); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `UPDATE cert_taxii_heads SET lock_holder = $1, lock_until = $2
				WHERE collection_id = $3 AND (lock_holder = '' OR lock_until < $4)`, holder, nowUS+leaseFor.Microseconds(), collectionID, nowUS)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil
			}
			got = true
			if err := tx.QueryRowContext(ctx, `SELECT published_seq, last_added_us FROM cert_taxii_heads WHERE collection_id = $1`, collectionID).
				Scan(&h.published, &h.addedUS); err != nil {
				return err
			}
			// Rows above the watermark belong to an import that never published.
			if _, err := tx.ExecContext(ctx, `DELETE FROM cert_taxii_objects WHERE collection_id = $1 AND seq > $2`, collectionID, h.published); err != nil {
				return err
			}
			if err := deleteKeysAbove(ctx, tx, collectionID, h.published); err != nil {
				return err
			}
			h.seq = h.published
			_, err = tx.ExecContext(ctx, `UPDATE cert_taxii_heads SET last_seq = published_seq WHERE collection_id = $1`, collectionID)
			return err
		})
		if err != nil {
			return h, errs.Wrap("cert.taxii lease", err)
		}
		if got {
			return h, nil
		}
		if time.Now().After(deadline) {
			return h, errBusy
		}
		select {
		case <-ctx.Done():
			return h, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// abandon removes an import's unpublished rows and frees the lease, after
// an error. Best effort: the next import cleans up otherwise.
func (s *Service) abandon(collectionID, holder string, published int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cert_taxii_heads SET lock_holder = '', lock_until = 0, last_seq = published_seq
			WHERE collection_id = $1 AND lock_holder = $2`, collectionID, holder)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			_, err = tx.ExecContext(ctx, `DELETE FROM cert_taxii_objects WHERE collection_id = $1 AND seq > $2`, collectionID, published)
			if err == nil {
				err = deleteKeysAbove(ctx, tx, collectionID, published)
			}
		}
		if err == nil {
			_, err = tx.ExecContext(ctx, `UPDATE cert_taxii_imports SET status = 'complete', failure_count = total, pending_count = 0,
				success_count = 0, failures = '[]', successes = '[]' WHERE id = $1`, holder)
		}
		return err
	})
}

// rowsPerInsert keeps one INSERT under SQLite's parameter limit.
const rowsPerInsert = 200

// Write transactions aim at txTarget: each batch is sized from the time
// the previous one took, between minBatch and Service.BatchRows rows, so
// that no transaction holds the SQLite writer much longer, whatever the
// machine's load and the objects' size.
const (
	txTarget   = 50 * time.Millisecond
	firstBatch = 250
	minBatch   = 50
)

// write stores the versions in batches, unpublished, and returns the ones
// that were new. Versions already stored become successes too.
func (s *Service) write(ctx context.Context, collectionID string, h head, todo []version, ready func(int), st *Status) ([]version, error) {
	most := s.BatchRows
	if most <= 0 {
		most = 2000
	}
	batch := min(firstBatch, most)
	if h.addedUS > 0 { // a fresh millisecond: see formatAdded
		h.addedUS = (h.addedUS/1000+1)*1000 - 1
	}
	var added []version
	mine := map[string]bool{}
	before := h.published > 0
	for start := 0; start < len(todo); {
		part := todo[start:min(start+batch, len(todo))]
		start += len(part)
		ready(start)
		t0 := time.Now()
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			nowUS := micros(s.Clock.Now())
			res, err := tx.ExecContext(ctx, `UPDATE cert_taxii_heads SET lock_until = $1 WHERE collection_id = $2 AND lock_holder = $3`,
				nowUS+leaseFor.Microseconds(), collectionID, st.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return errBusy
			}
			fresh, err := s.skipStored(ctx, tx, collectionID, part, mine, before, st)
			if err != nil {
				return err
			}
			first := h.seq + 1
			for i := range fresh {
				h.seq++
				h.addedUS = max(h.addedUS+1, nowUS)
				if fresh[i].versionUS == 0 { // an object without modified: its version is its date_added, as served
					fresh[i].versionUS = h.addedUS / 1000 * 1000
					fresh[i].version = formatAdded(h.addedUS)
				}
				fresh[i].seqAdded(h.seq, h.addedUS)
			}
			if err := s.insert(ctx, tx, collectionID, st.ID, fresh); err != nil {
				return err
			}
			if err := s.indexBatch(ctx, tx, collectionID, first, h.seq); err != nil {
				return err
			}
			for _, v := range fresh {
				st.Successes = append(st.Successes, cert.ImportFailure{ID: v.obj.ID, Version: v.version})
			}
			added = append(added, fresh...)
			_, err = tx.ExecContext(ctx, `UPDATE cert_taxii_heads SET last_seq = $1, last_added_us = $2 WHERE collection_id = $3`, h.seq, h.addedUS, collectionID)
			return err
		})
		if err != nil {
			return nil, errs.Wrap("cert.taxii import", err)
		}
		took := time.Since(t0)
		st.LongestBatch = max(st.LongestBatch, took)
		if took > 0 {
			batch = min(most, max(minBatch, int(float64(len(part))*float64(txTarget)/float64(took))))
		}
	}
	return added, nil
}

// seqAdded keeps the row's place; stored in the version for insertRows.
func (v *version) seqAdded(seq, addedUS int64) { v.seq, v.addedUS = seq, addedUS }

// skipStored drops the versions already in the collection, recording them
// as successes. Versioned objects are known by (id, version); unversioned
// ones (SCOs) by (id, content). The import's own rows are known from mine
// (the versioned ones are unique already, see Store); the database is
// asked only when the collection held something before the import
// (before): on PostgreSQL, whose statistics lag behind a table that an
// import is filling, that query turned into scans that grew with every
// batch.
func (s *Service) skipStored(ctx context.Context, tx *sql.Tx, collectionID string, part []version, mine map[string]bool, before bool, st *Status) ([]version, error) {
	exists := map[string]bool{}
	const chunk = 400
	for i := 0; before && i < len(part); i += chunk {
		args := &db.Args{}
		col := args.Add(collectionID)
		var ids []string
		seen := map[string]bool{}
		for _, v := range part[i:min(i+chunk, len(part))] {
			if !seen[v.obj.ID] {
				seen[v.obj.ID] = true
				ids = append(ids, args.Add(v.obj.ID))
			}
		}
		if s.DB.Engine != db.Postgres {
			// Anonymous parameters: see multiRowInsert.
			col = "?"
			for j := range ids {
				ids[j] = "?"
			}
		}
		rows, err := tx.QueryContext(ctx, `SELECT stix_id, version_us, digest FROM cert_taxii_objects WHERE collection_id = `+col+
			` AND stix_id IN (`+strings.Join(ids, ", ")+`)`, args.List()...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, digest string
			var vus int64
			if err := rows.Scan(&id, &vus, &digest); err != nil {
				rows.Close()
				return nil, err
			}
			exists[fmt.Sprintf("%s@%d", id, vus)] = true
			exists[id+"#"+digest] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	fresh := make([]version, 0, len(part))
	for _, v := range part {
		content := v.obj.ID + "#" + v.digest
		known := exists[content]
		if v.versionUS != 0 {
			known = exists[fmt.Sprintf("%s@%d", v.obj.ID, v.versionUS)]
		} else if mine[content] {
			known = true // twice in one request
		}
		if known {
			st.Successes = append(st.Successes, cert.ImportFailure{ID: v.obj.ID, Version: v.version, Message: "already in the collection",
				Key: "cert.taxii.import.already_stored"})
			continue
		}
		if v.versionUS == 0 {
			mine[content] = true
		}
		fresh = append(fresh, v)
	}
	return fresh, nil
}

// insertKey is SQLite's (see multiRowInsert).
const insertKey = `INSERT INTO cert_taxii_keys (term, collection_id, seq) VALUES (?, ?, ?)`

// insert writes rows and their keys: on SQLite with prepared statements
// (parsing a statement of thousands of parameters cost more than running
// it), on PostgreSQL in multi-row statements (one round trip per 200
// rows).
func (s *Service) insert(ctx context.Context, tx *sql.Tx, collectionID, importID string, rows []version) error {
	if s.DB.Engine == db.Postgres {
		for i := 0; i < len(rows); i += rowsPerInsert {
			if err := insertRows(ctx, tx, collectionID, importID, rows[i:min(i+rowsPerInsert, len(rows))]); err != nil {
				return err
			}
		}
		return insertKeys(ctx, tx, collectionID, rows)
	}
	// SQLite: one prepared statement of rowsPerStmt rows, run as often as
	// it fits, then single rows; keys likewise one at a time, prepared.
	if n := len(rows) / rowsPerStmt * rowsPerStmt; n > 0 {
		many, err := tx.PrepareContext(ctx, multiRowInsert(rowsPerStmt, true))
		if err != nil {
			return err
		}
		defer many.Close()
		args := make([]any, 0, rowsPerStmt*objectColumns)
		for i := 0; i < n; i += rowsPerStmt {
			args = args[:0]
			for _, v := range rows[i : i+rowsPerStmt] {
				args = appendRow(args, collectionID, importID, v)
			}
			if _, err := many.ExecContext(ctx, args...); err != nil {
				return err
			}
		}
	}
	if err := s.insertSingles(ctx, tx, collectionID, importID, rows[len(rows)/rowsPerStmt*rowsPerStmt:]); err != nil {
		return err
	}
	return insertKeysOneByOne(ctx, tx, collectionID, rows)
}

// rowsPerStmt rows go in one SQLite statement: few enough parameters
// (896) that preparing it is cheap, enough that each run does real work.
const rowsPerStmt = 64

const objectColumns = 14

func appendRow(args []any, collectionID, importID string, v version) []any {
	return append(args, collectionID, v.seq, v.addedUS, v.obj.ID, v.obj.Type, specOf(v.obj), v.version, v.versionUS,
		string(v.tlp), v.digest, importID, string(v.obj.Raw), nameOf(v.obj), v.words)
}

// multiRowInsert is the INSERT of n rows, with $N placeholders, or with ?
// for SQLite: the SQLite driver looks each numbered parameter's name up in
// a list, which made binding quadratic in the number of parameters.
func multiRowInsert(n int, anonymous bool) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO cert_taxii_objects (collection_id, seq, added_us, stix_id, type, spec_version, version, version_us, tlp, digest, import_id, raw, name, words) VALUES `)
	p := 0
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range objectColumns {
			if j > 0 {
				b.WriteString(", ")
			}
			p++
			if anonymous {
				b.WriteByte('?')
				continue
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(p))
		}
		b.WriteByte(')')
	}
	return b.String()
}

func (s *Service) insertSingles(ctx context.Context, tx *sql.Tx, collectionID, importID string, rows []version) error {
	if len(rows) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, multiRowInsert(1, true))
	if err != nil {
		return err
	}
	defer stmt.Close()
	args := make([]any, 0, objectColumns)
	for _, v := range rows {
		if _, err := stmt.ExecContext(ctx, appendRow(args[:0], collectionID, importID, v)...); err != nil {
			return err
		}
	}
	return nil
}

func insertKeysOneByOne(ctx context.Context, tx *sql.Tx, collectionID string, rows []version) error {
	var keys *sql.Stmt
	for _, v := range rows {
		for _, k := range v.keys {
			if keys == nil {
				var err error
				if keys, err = tx.PrepareContext(ctx, insertKey); err != nil {
					return err
				}
				defer keys.Close()
			}
			if _, err := keys.ExecContext(ctx, k, collectionID, v.seq); err != nil {
				return err
			}
		}
	}
	return nil
}

// nameOf is the name stored with an object (for search hits and matches),
// bounded so that one object cannot fill the row.
func nameOf(o *stix.Object) string {
	n := o.Name
	if len(n) > 512 {
		n = strings.ToValidUTF8(n[:512], "")
	}
	return n
}

func specOf(o *stix.Object) string {
	if o.SpecVersion == "" {
		return "2.1" // an SCO without spec_version is 2.1 (STIX 2.1, section 3.1)
	}
	return o.SpecVersion
}

func insertRows(ctx context.Context, tx *sql.Tx, collectionID, importID string, rows []version) error {
	if len(rows) == 0 {
		return nil
	}
	args := make([]any, 0, len(rows)*objectColumns)
	for _, v := range rows {
		args = appendRow(args, collectionID, importID, v)
	}
	_, err := tx.ExecContext(ctx, multiRowInsert(len(rows), false), args...)
	return err
}

// insertKeys writes the rows' correlation keys, 500 to a statement.
func insertKeys(ctx context.Context, tx *sql.Tx, collectionID string, rows []version) error {
	var b strings.Builder
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, b.String(), args...)
		b.Reset()
		args = args[:0]
		return err
	}
	for _, v := range rows {
		for _, k := range v.keys {
			if len(args) == 0 {
				b.WriteString(`INSERT INTO cert_taxii_keys (term, collection_id, seq) VALUES `)
			} else {
				b.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&b, "($%d, $%d, $%d)", n+1, n+2, n+3)
			args = append(args, k, collectionID, v.seq)
			if len(args) >= 1500 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// importDetail is a TAXII status detail: id, version and a message.
type importDetail = cert.ImportFailure

// unmarshalDetails reads a list of details as Store writes it, message
// keys included (cert.StoredFailures).
func unmarshalDetails(raw string, to *[]importDetail) error {
	if raw == "" || raw == "[]" {
		return nil
	}
	return json.Unmarshal([]byte(raw), (*cert.StoredFailures)(to))
}
