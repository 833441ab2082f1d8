package taxii

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"harambee.africa/harambee/internal/cert/stix"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
)

// Page sizes: TAXII clients ask with limit; the server may give fewer.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Filter is what a TAXII request selects (section 3.5 of TAXII 2.1).
type Filter struct {
	AddedAfter   int64    // the first microsecond selected (addedAfter); 0 for none
	IDs          []string // match[id]
	Types        []string // match[type]
	SpecVersions []string // match[spec_version]
	// Versions is match[version]: "first", "last", "all" and STIX
	// timestamps in microseconds (as strings); "last" when empty.
	Versions []string
	Limit    int
	After    cursor // the next token of the previous page
}

type cursor struct {
	addedUS, seq int64
}

// encode is the opaque next token.
func (c cursor) encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.addedUS, 36) + "." + strconv.FormatInt(c.seq, 36)))
}

func decodeCursor(s string) (cursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, false
	}
	a, q, ok := strings.Cut(string(b), ".")
	if !ok {
		return cursor{}, false
	}
	added, err1 := strconv.ParseInt(a, 36, 64)
	seq, err2 := strconv.ParseInt(q, 36, 64)
	if err1 != nil || err2 != nil || added < 0 || seq < 0 {
		return cursor{}, false
	}
	return cursor{added, seq}, true
}

// Row is one stored object version as the server lists it.
type Row struct {
	Seq, AddedUS int64
	ID, Type     string
	Version      string
	SpecVersion  string
	TLP          stix.TLP
	Raw          []byte
}

// DateAdded is the row's date_added as TAXII writes it.
func (r *Row) DateAdded() string { return formatAdded(r.AddedUS) }

// Page is one page of rows.
type Page struct {
	Rows []Row
	More bool
	Next string
}

var errBadFilter = errs.E("cert.taxii", errs.Invalid, "cert.taxii.error.bad_request")

// watermark is the collection's published watermark (0 when it has none).
func (s *Service) watermark(ctx context.Context, q db.Querier, collectionID string) (int64, error) {
	var w int64
	err := q.QueryRowContext(ctx, `SELECT published_seq FROM cert_taxii_heads WHERE collection_id = $1`, collectionID).Scan(&w)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return w, errs.Wrap("cert.taxii watermark", err)
}

// where builds the conditions of a filter on cert_taxii_objects o.
func (f *Filter) where(collectionID string, wm int64, args *db.Args) (string, error) {
	col := args.Add(collectionID)
	w := args.Add(wm)
	conds := []string{`o.collection_id = ` + col, `o.seq <= ` + w}
	if f.AddedAfter > 0 {
		conds = append(conds, `o.added_us >= `+args.Add(f.AddedAfter))
	}
	if f.After != (cursor{}) {
		// (added_us, seq) > cursor, with a plain lower bound first so that the
		// index range starts at the cursor on both engines.
		a := args.Add(f.After.addedUS)
		conds = append(conds, `o.added_us >= `+a+` AND (o.added_us > `+a+` OR o.seq > `+args.Add(f.After.seq)+`)`)
	}
	in := func(column string, vals []string) {
		if len(vals) == 0 {
			return
		}
		ps := make([]string, len(vals))
		for i, v := range vals {
			ps[i] = args.Add(v)
		}
		conds = append(conds, column+` IN (`+strings.Join(ps, ", ")+`)`)
	}
	in("o.stix_id", f.IDs)
	in("o.type", f.Types)
	in("o.spec_version", f.SpecVersions)
	versions := f.Versions
	if len(versions) == 0 {
		versions = []string{"last"}
	}
	var ors []string
	for _, v := range versions {
		switch v {
		case "all":
			ors = nil
			goto done
		case "last":
			ors = append(ors, `NOT EXISTS (SELECT 1 FROM cert_taxii_objects n WHERE n.collection_id = `+col+` AND n.stix_id = o.stix_id AND n.version_us > o.version_us AND n.seq <= `+w+`)`)
		case "first":
			ors = append(ors, `NOT EXISTS (SELECT 1 FROM cert_taxii_objects n WHERE n.collection_id = `+col+` AND n.stix_id = o.stix_id AND n.version_us < o.version_us AND n.seq <= `+w+`)`)
		default:
			us, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return "", errBadFilter
			}
			ors = append(ors, `o.version_us = `+args.Add(us))
		}
	}
	if len(ors) > 0 {
		conds = append(conds, `(`+strings.Join(ors, " OR ")+`)`)
	}
done:
	return strings.Join(conds, " AND "), nil
}

// Objects is one page of the collection's object versions, oldest added
// first, under the filter. Keyset pagination: the cost of a page does not
// grow with its position.
func (s *Service) Objects(ctx context.Context, col *Collection, f Filter, withRaw bool) (*Page, error) {
	wm, err := s.watermark(ctx, s.DB.R, col.ID)
	if err != nil || wm == 0 {
		return &Page{}, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	args := &db.Args{}
	cond, err := f.where(col.ID, wm, args)
	if err != nil {
		return nil, err
	}
	raw := `''`
	if withRaw {
		raw = `o.raw`
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT o.seq, o.added_us, o.stix_id, o.type, o.version, o.spec_version, o.tlp, `+raw+`
		FROM cert_taxii_objects o WHERE `+cond+` ORDER BY o.added_us, o.seq LIMIT `+args.Add(limit+1), args.List()...)
	if err != nil {
		return nil, errs.Wrap("cert.taxii objects", err)
	}
	defer rows.Close()
	p := &Page{Rows: make([]Row, 0, min(limit, 128))}
	for rows.Next() {
		var r Row
		var tlp string
		if err := rows.Scan(&r.Seq, &r.AddedUS, &r.ID, &r.Type, &r.Version, &r.SpecVersion, &tlp, &r.Raw); err != nil {
			return nil, errs.Wrap("cert.taxii objects", err)
		}
		r.TLP = stix.TLP(tlp)
		p.Rows = append(p.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap("cert.taxii objects", err)
	}
	if len(p.Rows) > limit {
		p.Rows = p.Rows[:limit]
		p.More = true
		last := p.Rows[limit-1]
		p.Next = cursor{last.AddedUS, last.Seq}.encode()
	}
	return p, nil
}

// Count is the number of object versions in the collections, of a type
// when typ is not empty: for the indicator, over what the viewer may read.
func (s *Service) Count(ctx context.Context, collectionIDs []string, typ string) (int, error) {
	total := 0
	for _, id := range collectionIDs {
		wm, err := s.watermark(ctx, s.DB.R, id)
		if err != nil {
			return 0, err
		}
		if wm == 0 {
			continue
		}
		q := `SELECT COUNT(*) FROM cert_taxii_objects WHERE collection_id = $1 AND seq <= $2`
		args := []any{id, wm}
		if typ != "" {
			q += ` AND type = $3`
			args = append(args, typ)
		}
		var n int
		if err := s.DB.R.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			return 0, errs.Wrap("cert.taxii count", err)
		}
		total += n
	}
	return total, nil
}

// Delete removes versions of an object from a collection (all of them,
// or those match[version] and match[spec_version] select) and reports how
// many went. Published rows only: an import in progress keeps its own.
func (s *Service) Delete(ctx context.Context, col *Collection, objectID string, f Filter, byUser, byOrg, ip string) (int, error) {
	if len(f.Versions) == 0 {
		f.Versions = []string{"all"}
	}
	f.IDs, f.Types, f.AddedAfter, f.After = []string{objectID}, nil, 0, cursor{}
	var n int64
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		wm, err := s.watermark(ctx, tx, col.ID)
		if err != nil {
			return err
		}
		args := &db.Args{}
		cond, err := f.where(col.ID, wm, args)
		if err != nil {
			return err
		}
		// The conditions name the table o; DELETE takes no alias on SQLite, so select the keys.
		kargs := &db.Args{}
		kcond, err := f.where(col.ID, wm, kargs)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cert_taxii_keys WHERE collection_id = `+kargs.Add(col.ID)+` AND seq IN (SELECT o.seq FROM cert_taxii_objects o WHERE `+kcond+`)`, kargs.List()...); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM cert_taxii_objects WHERE collection_id = `+args.Add(col.ID)+` AND seq IN (SELECT o.seq FROM cert_taxii_objects o WHERE `+cond+`)`, args.List()...)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		if n == 0 || s.Audit == nil {
			return nil
		}
		return s.Audit.Record(ctx, tx, "cert.taxii.delete", byUser, byOrg, "cert.taxii.collection", col.ID, ip,
			map[string]any{"object": objectID, "versions": n})
	})
	if err != nil {
		return 0, errs.Wrap("cert.taxii delete", err)
	}
	return int(n), nil
}

// StatusOf returns an import's status resource, for a viewer who may read
// its collection; NotFound otherwise.
func (s *Service) StatusOf(ctx context.Context, readable []*Collection, id string) (*Status, error) {
	st := &Status{ID: id}
	var successes, failures, pendings string
	var requested sql.NullTime
	err := s.DB.R.QueryRowContext(ctx, `SELECT collection_id, by_org, status, total, success_count, failure_count, pending_count, successes, failures, pendings, requested_at
		FROM cert_taxii_imports WHERE id = $1`, id).Scan(&st.CollectionID, &st.ByOrg, &st.Status, &st.TotalCount, &st.SuccessCount, &st.FailureCount,
		&st.PendingCount, &successes, &failures, &pendings, &requested)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Wrap("cert.taxii status", err)
	}
	ok := false
	for _, c := range readable {
		ok = ok || c.ID == st.CollectionID
	}
	if !ok {
		return nil, errNotFound
	}
	if requested.Valid {
		st.RequestTimestamp = formatAdded(micros(requested.Time))
	}
	for _, l := range []struct {
		raw string
		to  *[]importDetail
	}{{successes, &st.Successes}, {failures, &st.Failures}, {pendings, &st.Pendings}} {
		if err := unmarshalDetails(l.raw, l.to); err != nil {
			return nil, errs.Wrap("cert.taxii status", fmt.Errorf("status %s: %w", id, err))
		}
	}
	return st, nil
}

// NextToken is the next token that resumes a listing after the version
// stored at (addedUS, seq): for load tests that start deep in a collection.
func NextToken(addedUS, seq int64) string { return cursor{addedUS, seq}.encode() }
