package taxii

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"sync"

	"harambee.africa/harambee/internal/cert/observable"
	"harambee.africa/harambee/internal/cert/stix"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/search"
	"harambee.africa/harambee/internal/web"
)

// The search index and correlation keys of stored objects. Both are
// written by the import in the batches that write the objects, so they are
// published with them, and both are read only through the collections the
// viewer may read, under each collection's published watermark.

// indexSchema is the engine's full-text structure over
// cert_taxii_objects.words, made once per process (the migrations are
// the same SQL on both engines).
type indexSchema struct {
	mu    sync.Mutex
	ready bool
}

func (s *Service) ensureIndex(ctx context.Context) error {
	s.index.mu.Lock()
	defer s.index.mu.Unlock()
	if s.index.ready {
		return nil
	}
	var stmts []string
	if s.DB.Engine == db.Postgres {
		stmts = []string{`CREATE INDEX IF NOT EXISTS cert_taxii_objects_words ON cert_taxii_objects
			USING GIN (to_tsvector('simple', words)) WHERE words <> ''`}
	} else {
		stmts = []string{
			`CREATE VIRTUAL TABLE IF NOT EXISTS cert_taxii_fts USING fts5(words, content='cert_taxii_objects', content_rowid='rowid',
				tokenize='unicode61 remove_diacritics 0')`,
			`CREATE TRIGGER IF NOT EXISTS cert_taxii_objects_fts_ad AFTER DELETE ON cert_taxii_objects WHEN old.words <> '' BEGIN
				INSERT INTO cert_taxii_fts (cert_taxii_fts, rowid, words) VALUES ('delete', old.rowid, old.words); END`,
		}
	}
	for _, q := range stmts {
		if _, err := s.DB.W.ExecContext(ctx, q); err != nil {
			return errs.Wrap("cert.taxii index schema", err)
		}
	}
	s.index.ready = true
	return nil
}

// indexed says whether an object's name and description are searchable:
// SDOs and custom objects (ATT&CK's tactics, matrices, data sources).
func indexed(o *stix.Object) bool {
	k := stix.KindOf(o.Type)
	return k == stix.KindSDO || k == stix.KindCustom
}

// wordsOf is what the index holds for an object.
func wordsOf(o *stix.Object) string {
	if !indexed(o) || (o.Name == "" && o.Description == "") {
		return ""
	}
	return search.Document(o.Name + "\n" + o.Description)
}

// kindsOfTerm maps a STIX term (type and path) to an observable kind.
func kindOfTerm(t stix.Term) (observable.Kind, bool) {
	switch t.Type {
	case "ipv4-addr":
		if strings.Contains(t.Value, "/") {
			return observable.CIDR4, t.Path == "value"
		}
		return observable.IPv4, t.Path == "value"
	case "ipv6-addr":
		if strings.Contains(t.Value, "/") {
			return observable.CIDR6, t.Path == "value"
		}
		return observable.IPv6, t.Path == "value"
	case "domain-name":
		return observable.Domain, t.Path == "value"
	case "url":
		return observable.URL, t.Path == "value"
	case "email-addr":
		return observable.Email, t.Path == "value"
	case "file", "artifact":
		name, ok := strings.CutPrefix(t.Path, "hashes.")
		if !ok {
			return "", false
		}
		switch strings.ToUpper(strings.ReplaceAll(strings.Trim(name, "'"), "-", "")) {
		case "MD5":
			return observable.MD5, true
		case "SHA1":
			return observable.SHA1, true
		case "SHA256":
			return observable.SHA256, true
		case "SHA512":
			return observable.SHA512, true
		}
	}
	return "", false
}

// keysOf are the correlation keys an object stores: the observable.KeysOf
// terms of every value it is about that parses as an observable.
func keysOf(o *stix.Object) []string {
	var out []string
	for _, t := range o.Terms {
		kind, ok := kindOfTerm(t)
		if !ok {
			continue
		}
		ob, err := observable.Parse(kind, t.Value)
		if err != nil {
			continue
		}
		for _, k := range observable.KeysOf(ob).Terms {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// Match is a stored object that shares a correlation key with what was
// looked up, in a collection the viewer may read.
type Match struct {
	CollectionID    string `json:"collection_id"`
	CollectionTitle string `json:"collection_title"`
	ObjectID        string `json:"id"`
	Type            string `json:"type"`
	Name            string `json:"name,omitempty"`
}

// MaxCorrelateKeys bounds one Correlate call.
const MaxCorrelateKeys = 500

// Correlate finds the objects of the collections the viewer may read that
// store one of keys (observable.KeysOf probes of a case's observable, say),
// published versions only, at most limit (100 at most), one per object
// and collection. Collections the viewer may not read are never looked at,
// so a match never reveals them.
func (s *Service) Correlate(ctx context.Context, v *web.Viewer, keys []string, limit int) ([]Match, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	if len(keys) > MaxCorrelateKeys {
		return nil, errs.E("cert.taxii correlate", errs.Invalid, "cert.taxii.error.bad_request")
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	cols, err := s.Collections(ctx, v)
	if err != nil {
		return nil, err
	}
	titles := map[string]string{}
	args := &db.Args{}
	var in []string
	for _, c := range cols {
		titles[c.ID] = c.Title
		in = append(in, args.Add(c.ID))
	}
	ks := make([]string, len(keys))
	for i, k := range keys {
		ks[i] = args.Add(k)
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT DISTINCT o.collection_id, o.stix_id, o.type, o.name, o.seq FROM cert_taxii_keys k
		JOIN cert_taxii_heads h ON h.collection_id = k.collection_id
		JOIN cert_taxii_objects o ON o.collection_id = k.collection_id AND o.seq = k.seq
		WHERE k.term IN (`+strings.Join(ks, ", ")+`) AND k.collection_id IN (`+strings.Join(in, ", ")+`) AND k.seq <= h.published_seq
		ORDER BY o.seq DESC LIMIT `+args.Add(limit*4), args.List()...)
	if err != nil {
		return nil, errs.Wrap("cert.taxii correlate", err)
	}
	defer rows.Close()
	var out []Match
	seen := map[string]bool{}
	for rows.Next() {
		var m Match
		var seq int64
		if err := rows.Scan(&m.CollectionID, &m.ObjectID, &m.Type, &m.Name, &seq); err != nil {
			return nil, errs.Wrap("cert.taxii correlate", err)
		}
		if seen[m.CollectionID+" "+m.ObjectID] || len(out) == limit {
			continue
		}
		seen[m.CollectionID+" "+m.ObjectID] = true
		m.CollectionTitle = titles[m.CollectionID]
		out = append(out, m)
	}
	return out, errs.Wrap("cert.taxii correlate", rows.Err())
}

// Hit is one object found by Search: its latest published version that
// matches.
type Hit struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Name    string `json:"name,omitempty"`
	Version string `json:"version"`
	Added   string `json:"date_added"`
}

// Search finds the objects of a collection whose name or description
// holds every word of q, best first; col must be one the viewer may read
// (Collection checks it).
func (s *Service) Search(ctx context.Context, col *Collection, q string, limit int) ([]Hit, error) {
	toks, err := search.Query(q)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxLimit {
		limit = DefaultLimit
	}
	if err := s.ensureIndex(ctx); err != nil {
		return nil, err
	}
	wm, err := s.watermark(ctx, s.DB.R, col.ID)
	if err != nil || wm == 0 {
		return nil, err
	}
	args := &db.Args{}
	var from, cond, rank string
	if s.DB.Engine == db.Postgres {
		p := args.Add(strings.Join(toks, " "))
		from = `cert_taxii_objects o`
		cond = `o.words <> '' AND to_tsvector('simple', o.words) @@ plainto_tsquery('simple', ` + p + `)`
		rank = `-ts_rank(to_tsvector('simple', o.words), plainto_tsquery('simple', ` + p + `))`
	} else {
		quoted := make([]string, len(toks))
		for i, t := range toks {
			quoted[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		}
		from = `cert_taxii_fts JOIN cert_taxii_objects o ON o.rowid = cert_taxii_fts.rowid`
		cond = `cert_taxii_fts MATCH ` + args.Add(strings.Join(quoted, " "))
		rank = `bm25(cert_taxii_fts)`
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT o.stix_id, o.type, o.name, o.version, o.added_us FROM `+from+`
		WHERE `+cond+` AND o.collection_id = `+args.Add(col.ID)+` AND o.seq <= `+args.Add(wm)+`
		AND NOT EXISTS (SELECT 1 FROM cert_taxii_objects n WHERE n.collection_id = o.collection_id AND n.stix_id = o.stix_id
			AND n.version_us > o.version_us AND n.seq <= `+args.Add(wm)+`)
		ORDER BY `+rank+`, o.seq DESC LIMIT `+args.Add(limit), args.List()...)
	if err != nil {
		return nil, errs.Wrap("cert.taxii search", err)
	}
	defer rows.Close()
	out := []Hit{}
	for rows.Next() {
		var h Hit
		var added int64
		if err := rows.Scan(&h.ID, &h.Type, &h.Name, &h.Version, &added); err != nil {
			return nil, errs.Wrap("cert.taxii search", err)
		}
		h.Added = formatAdded(added)
		out = append(out, h)
	}
	return out, errs.Wrap("cert.taxii search", rows.Err())
}

// indexBatch adds a batch's rows to the SQLite full-text index in one
// statement: FTS5 flushes its pending terms at the end of every statement,
// so a trigger per row cost more than the rows themselves. (PostgreSQL
// keeps its GIN index itself.)
func (s *Service) indexBatch(ctx context.Context, tx *sql.Tx, collectionID string, from, to int64) error {
	if s.DB.Engine == db.Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO cert_taxii_fts (rowid, words) SELECT rowid, words FROM cert_taxii_objects
		WHERE collection_id = $1 AND seq BETWEEN $2 AND $3 AND words <> ''`, collectionID, from, to)
	return err
}

// deleteKeysAbove removes the keys of unpublished rows (the rows themselves,
// and with them their index entries, go in the same transaction).
func deleteKeysAbove(ctx context.Context, tx *sql.Tx, collectionID string, seq int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM cert_taxii_keys WHERE collection_id = $1 AND seq > $2`, collectionID, seq)
	return err
}
