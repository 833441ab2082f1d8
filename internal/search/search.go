// Package search is the platform's full-text search over mixed Chinese,
// Latin-script and Arabic text. Text is tokenised in Go (see Tokens), so
// that SQLite (FTS5) and PostgreSQL (tsvector, 'simple') index and match the
// same tokens and return the same set for the same query. Searches run
// inside the sharing model's condition: what a viewer may not see is never
// matched, counted or faceted.
package search

import (
	"context"
	"errors"
	"fmt"
	"html"
	"html/template"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// EnsureSchema creates the index for the engine, once; it runs after the
// migrations, because the two engines' full-text structures differ.
func EnsureSchema(ctx context.Context, d *db.DB) error {
	var stmts []string
	if d.Engine == db.Postgres {
		stmts = []string{
			`CREATE TABLE IF NOT EXISTS search_docs (
				record_type TEXT NOT NULL,
				record_id   TEXT NOT NULL,
				tokens      TEXT NOT NULL,
				tsv         tsvector GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED,
				PRIMARY KEY (record_type, record_id))`,
			`CREATE INDEX IF NOT EXISTS search_docs_tsv ON search_docs USING GIN (tsv)`,
		}
	} else {
		stmts = []string{
			`CREATE TABLE IF NOT EXISTS search_docs (
				rowid       INTEGER PRIMARY KEY,
				record_type TEXT NOT NULL,
				record_id   TEXT NOT NULL,
				tokens      TEXT NOT NULL,
				UNIQUE (record_type, record_id))`,
			`CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(tokens, content='search_docs', content_rowid='rowid',
				tokenize='unicode61 remove_diacritics 0')`,
			`CREATE TRIGGER IF NOT EXISTS search_docs_ai AFTER INSERT ON search_docs BEGIN
				INSERT INTO search_fts (rowid, tokens) VALUES (new.rowid, new.tokens); END`,
			`CREATE TRIGGER IF NOT EXISTS search_docs_ad AFTER DELETE ON search_docs BEGIN
				INSERT INTO search_fts (search_fts, rowid, tokens) VALUES ('delete', old.rowid, old.tokens); END`,
			`CREATE TRIGGER IF NOT EXISTS search_docs_au AFTER UPDATE ON search_docs BEGIN
				INSERT INTO search_fts (search_fts, rowid, tokens) VALUES ('delete', old.rowid, old.tokens);
				INSERT INTO search_fts (rowid, tokens) VALUES (new.rowid, new.tokens); END`,
		}
	}
	for _, s := range stmts {
		if _, err := d.W.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("search schema: %w", err)
		}
	}
	return nil
}

// Index puts a record's text into the index (or replaces it), inside the
// caller's transaction so that the index never disagrees with the record.
func Index(ctx context.Context, q db.Querier, recordType, id, text string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO search_docs (record_type, record_id, tokens) VALUES ($1, $2, $3)
		ON CONFLICT (record_type, record_id) DO UPDATE SET tokens = excluded.tokens`, recordType, id, Document(text))
	return errs.Wrap("search index", err)
}

// Remove takes a record out of the index.
func Remove(ctx context.Context, q db.Querier, recordType, id string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM search_docs WHERE record_type = $1 AND record_id = $2`, recordType, id)
	return errs.Wrap("search remove", err)
}

// MaxQuery is the longest query accepted, in characters.
const MaxQuery = 500

// Request is one search of one record type.
type Request struct {
	Type    sharing.Type
	Q       string
	Recency string // the type's column of recency (created_at), the second ordering
	Facet   string // a column of the type to count results by, optional
	Limit   int
	Cursor  string // an offset, from the previous page's Next
	// Where narrows the search to records (aliased t) that meet a module's
	// own filters, adding its arguments to args. It is part of the query,
	// so the total, the facets and the pages all agree with it.
	Where func(args *db.Args) string
}

// Hit is one result.
type Hit struct {
	ID string
}

// Result is a page of results, the total under the viewer's visibility,
// and facet counts.
type Result struct {
	Hits   []Hit
	Next   string
	Total  int
	Facets []Facet
	Tokens []string
}

// Facet is one value of the facet column and how many visible results have it.
type Facet struct {
	Value string
	Count int
}

// Service runs searches.
type Service struct {
	DB    *db.DB
	Clock clock.Clock
}

// Query tokenises and checks a query.
func Query(q string) ([]string, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, errs.Field("search", map[string]string{"q": "search.error.empty"})
	}
	if utf8.RuneCountInString(q) > MaxQuery || !utf8.ValidString(q) {
		return nil, errs.Field("search", map[string]string{"q": "search.error.long"})
	}
	toks := Tokens(q)
	if len(toks) == 0 {
		return nil, errs.Field("search", map[string]string{"q": "search.error.empty"})
	}
	if len(toks) > MaxTokens {
		return nil, errs.Field("search", map[string]string{"q": "search.error.long"})
	}
	return toks, nil
}

// Search finds the records of a type that match every token of the query
// and that the viewer may see, by relevance, then recency, then id.
func (s *Service) Search(ctx context.Context, v *web.Viewer, r Request) (*Result, error) {
	toks, err := Query(r.Q)
	if err != nil {
		return nil, err
	}
	if r.Limit <= 0 || r.Limit > 100 {
		r.Limit = 20
	}
	offset := 0
	if r.Cursor != "" {
		if offset, err = strconv.Atoi(r.Cursor); err != nil || offset < 0 || offset > 10000 {
			return nil, errs.E("search", errs.Invalid, "error.cursor")
		}
	}
	args := &db.Args{}
	with, from, cond, rank := s.match(toks, r.Type, args)
	visible := sharing.Visible(r.Type, "t", v, s.Clock.Now(), args)
	where := ` FROM ` + from + ` WHERE ` + cond + ` AND ` + visible
	if r.Where != nil {
		where += ` AND (` + r.Where(args) + `)`
	}
	recency := "t.id"
	if r.Recency != "" {
		recency = "t." + r.Recency
	}
	res := &Result{Tokens: toks}
	countArgs := append([]any(nil), args.List()...)
	lim, off := args.Add(r.Limit+1), args.Add(offset)
	if r.Facet != "" {
		if err := s.facetted(ctx, res, r, with, rank, recency, where, lim, off, args.List()); err != nil {
			return nil, err
		}
	} else {
		// One pass: the matches are all ranked anyway, so the window count
		// of them costs next to nothing, where a separate COUNT would match
		// again. SQLite's bm25() may not sit beside a window function: rank
		// inside, count and order outside.
		rows, err := s.DB.R.QueryContext(ctx, with+`SELECT id, COUNT(*) OVER () FROM (SELECT t.id AS id, `+rank+` AS relevance, `+recency+` AS recency`+where+
			`) ranked ORDER BY relevance, recency DESC, id DESC LIMIT `+lim+` OFFSET `+off, args.List()...)
		if err != nil {
			return nil, errs.Wrap("search", err)
		}
		defer rows.Close()
		for rows.Next() {
			var h Hit
			if err := rows.Scan(&h.ID, &res.Total); err != nil {
				return nil, errs.Wrap("search", err)
			}
			res.Hits = append(res.Hits, h)
		}
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap("search", err)
		}
		if len(res.Hits) == 0 && offset > 0 {
			// Past the last page: the total still says how many there are.
			if err := s.DB.R.QueryRowContext(ctx, with+`SELECT COUNT(*)`+where, countArgs...).Scan(&res.Total); err != nil {
				return nil, errs.Wrap("search count", err)
			}
		}
	}
	if len(res.Hits) > r.Limit {
		res.Hits = res.Hits[:r.Limit]
		res.Next = strconv.Itoa(offset + r.Limit)
	}
	return res, nil
}

// facetted finds the page and the facet counts in one statement: the
// matches are gathered once (a materialised CTE), then the page is read from
// them in order and the facets are counted over them. The facets partition
// the matches, so they also give the total.
func (s *Service) facetted(ctx context.Context, res *Result, r Request, with, rank, recency, where, lim, off string, args []any) error {
	if with != "" {
		return errs.Wrap("search facets", errors.New("a WITH clause from match cannot be combined with facets"))
	}
	rows, err := s.DB.R.QueryContext(ctx, `WITH m AS MATERIALIZED (SELECT t.id AS id, `+rank+` AS relevance, `+recency+` AS recency, CAST(t.`+r.Facet+` AS TEXT) AS facet`+where+`)
		SELECT part, id, facet, n FROM (
			SELECT 0 AS part, id, '' AS facet, ROW_NUMBER() OVER (ORDER BY relevance, recency DESC, id DESC) AS n
			FROM (SELECT id, relevance, recency FROM m ORDER BY relevance, recency DESC, id DESC LIMIT `+lim+` OFFSET `+off+`) page
			UNION ALL
			SELECT 1, '', facet, COUNT(*) FROM m GROUP BY facet) parts
		ORDER BY part, n`, args...)
	if err != nil {
		return errs.Wrap("search", err)
	}
	defer rows.Close()
	for rows.Next() {
		var part int
		var id, facet string
		var n int
		if err := rows.Scan(&part, &id, &facet, &n); err != nil {
			return errs.Wrap("search", err)
		}
		if part == 0 {
			res.Hits = append(res.Hits, Hit{ID: id})
			continue
		}
		res.Facets = append(res.Facets, Facet{Value: facet, Count: n})
		res.Total += n
	}
	if err := rows.Err(); err != nil {
		return errs.Wrap("search", err)
	}
	sort.SliceStable(res.Facets, func(i, j int) bool {
		if res.Facets[i].Count != res.Facets[j].Count {
			return res.Facets[i].Count > res.Facets[j].Count
		}
		return res.Facets[i].Value < res.Facets[j].Value
	})
	return nil
}

// match returns, per engine, a WITH clause (or ""), the FROM clause
// (aliasing the document as d and the record as t), the condition that
// every token matches, and the ORDER BY expression of relevance.
func (s *Service) match(toks []string, t sharing.Type, args *db.Args) (with, from, cond, rank string) {
	typ := args.Add(t.Name)
	if s.DB.Engine == db.Postgres {
		q := args.Add(strings.Join(toks, " "))
		return "", `search_docs d JOIN ` + t.Table + ` t ON t.id = d.record_id`,
			`d.record_type = ` + typ + ` AND d.tsv @@ plainto_tsquery('simple', ` + q + `)`,
			`-ts_rank(d.tsv, plainto_tsquery('simple', ` + q + `))`
	}
	quoted := make([]string, len(toks))
	for i, tok := range toks {
		quoted[i] = `"` + strings.ReplaceAll(tok, `"`, `""`) + `"`
	}
	q := args.Add(strings.Join(quoted, " "))
	return "", `search_fts JOIN search_docs d ON d.rowid = search_fts.rowid JOIN ` + t.Table + ` t ON t.id = d.record_id`,
		`d.record_type = ` + typ + ` AND search_fts MATCH ` + q, `bm25(search_fts)`
}

// Snippet returns the part of text around the first match of the query's
// tokens, with the matching words marked, as safe HTML.
func Snippet(text string, toks []string, width int) template.HTML {
	if width <= 0 {
		width = 160
	}
	want := map[string]bool{}
	for _, t := range toks {
		want[t] = true
	}
	// Walk the text word by word (as Tokens splits it), and mark the
	// words whose tokens match.
	type span struct{ from, to int }
	var marks []span
	runes := []rune(text)
	i := 0
	for i < len(runes) {
		j := i
		for j < len(runes) && isWordRune(runes[j]) {
			j++
		}
		if j > i {
			for _, tok := range Tokens(string(runes[i:j])) {
				if want[tok] {
					marks = append(marks, span{i, j})
					break
				}
			}
			i = j
			continue
		}
		i++
	}
	start := 0
	if len(marks) > 0 && marks[0].from > width/3 {
		start = marks[0].from - width/3
	}
	end := min(len(runes), start+width)
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	pos := start
	for _, m := range marks {
		if m.to <= start || m.from >= end {
			continue
		}
		from := max(m.from, start)
		b.WriteString(html.EscapeString(string(runes[pos:from])))
		b.WriteString("<mark>" + html.EscapeString(string(runes[from:min(m.to, end)])) + "</mark>")
		pos = min(m.to, end)
	}
	b.WriteString(html.EscapeString(string(runes[pos:end])))
	if end < len(runes) {
		b.WriteString("…")
	}
	return template.HTML(b.String())
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}
