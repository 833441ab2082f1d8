package directory

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/search"
	"harambee.africa/harambee/internal/text"
)

// Filter narrows the directory. Every field is optional.
type Filter struct {
	Q        string // words of the name, in any of its languages
	Country  string // based there or working there
	Kind     string
	Sector   string
	Language string // a language it works in
	Members  bool   // the network's members only
	Cursor   string
	Limit    int
}

// Entry is one organisation of the directory.
type Entry struct {
	org.Org
	Member bool // a member of the cooperation network
}

// check normalises the filter and refuses values outside the vocabularies,
// with field errors keyed by the query parameter.
func (f *Filter) check() ([]string, error) {
	bad := map[string]string{}
	f.Country = strings.ToUpper(strings.TrimSpace(f.Country))
	if f.Country != "" && !geo.IsValid(f.Country) {
		bad["country"] = "network.error.country"
	}
	if f.Kind != "" && !org.Kind(f.Kind).Valid() {
		bad["kind"] = "org.error.kind"
	}
	if f.Sector != "" && !org.ValidSector(f.Sector) {
		bad["sector"] = "network.error.sector"
	}
	if f.Language != "" {
		base, err := language.ParseBase(strings.TrimSpace(f.Language))
		if err != nil {
			bad["language"] = "network.error.language"
		} else {
			f.Language = base.String()
		}
	}
	var toks []string
	if q := strings.TrimSpace(f.Q); q != "" {
		toks = search.Tokens(q)
		if utf8.RuneCountInString(q) > search.MaxQuery || len(toks) > search.MaxTokens {
			bad["q"] = "search.error.long"
		}
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = PageSize
	}
	if len(bad) > 0 {
		return nil, errs.Field("network.directory", bad)
	}
	return toks, nil
}

// Search lists the directory's organisations: with words, the best
// matches first (the words as a phrase, then as whole words, then inside
// words), then the newest, then by id; without, by name. Programme
// offices are not listed. Pages are keyset: Next is the cursor of the
// following page, "" on the last.
func (s *Service) Search(ctx context.Context, f Filter) ([]Entry, string, error) {
	toks, err := f.check()
	if err != nil {
		return nil, "", err
	}
	args := &db.Args{}
	where := []string{`o.kind <> 'programme_office'`}
	if f.Country != "" {
		where = append(where, countryCondition(f.Country, args))
	}
	if f.Kind != "" {
		where = append(where, `o.kind = `+args.Add(f.Kind))
	}
	if f.Sector != "" {
		where = append(where, `o.id IN (SELECT org_id FROM org_sectors WHERE sector = `+args.Add(f.Sector)+`)`)
	}
	if f.Language != "" {
		where = append(where, `o.id IN (SELECT org_id FROM network_languages WHERE lang = `+args.Add(f.Language)+`)`)
	}
	if f.Members {
		// Core.MemberCondition's rule, written as a set the query can start from.
		where = append(where, `o.id IN (SELECT gm.org_id FROM group_members gm WHERE gm.group_id = `+args.Add(s.Core.Group.ID)+`)`)
	}
	rank := `0`
	if len(toks) > 0 {
		var inside, words []string
		for _, t := range toks {
			inside = append(inside, s.contains(`o.names_search`, args.Add(t)))
			words = append(words, s.contains(`' ' || o.names_search || ' '`, args.Add(" "+t+" ")))
		}
		phrase := s.contains(`' ' || o.names_search || ' '`, args.Add(" "+strings.Join(toks, " ")+" "))
		where = append(where, `(`+strings.Join(inside, " AND ")+`)`)
		rank = `CASE WHEN ` + phrase + ` THEN 0 WHEN ` + strings.Join(words, " AND ") + ` THEN 1 ELSE 2 END`
	}
	// First the page's ids, sorting only the keys; then their rows.
	inner := `SELECT o.id, o.name, o.created_at, ` + rank + ` AS rnk FROM orgs o WHERE ` + strings.Join(where, " AND ")
	var page []string
	order := `name, id`
	if len(toks) > 0 {
		order = `rnk, created_at DESC, id DESC`
	}
	if f.Cursor != "" {
		c, ok := decodeCursor(f.Cursor)
		if !ok || (len(toks) > 0) != c.ranked {
			return nil, "", errs.E("network.directory", errs.Invalid, "error.cursor")
		}
		if c.ranked {
			r, t, id := args.Add(c.rank), args.Add(c.at), args.Add(c.id)
			page = append(page, `(rnk > `+r+` OR (rnk = `+r+` AND (created_at < `+t+` OR (created_at = `+t+` AND id < `+id+`))))`)
		} else {
			n, id := args.Add(c.name), args.Add(c.id)
			page = append(page, `(name > `+n+` OR (name = `+n+` AND id > `+id+`))`)
		}
	}
	query := `SELECT id, name, created_at, rnk FROM (` + inner + `) x`
	if len(page) > 0 {
		query += ` WHERE ` + strings.Join(page, " AND ")
	}
	query += ` ORDER BY ` + order + ` LIMIT ` + args.Add(f.Limit+1)
	rows, err := s.DB.R.QueryContext(ctx, query, args.List()...)
	if err != nil {
		return nil, "", errs.Wrap("network.directory search", err)
	}
	defer rows.Close()
	var keys []cursor
	for rows.Next() {
		c := cursor{ranked: len(toks) > 0}
		if err := rows.Scan(&c.id, &c.name, &c.at, &c.rank); err != nil {
			return nil, "", errs.Wrap("network.directory search", err)
		}
		keys = append(keys, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", errs.Wrap("network.directory search", err)
	}
	rows.Close()
	next := ""
	if len(keys) > f.Limit {
		keys = keys[:f.Limit]
		next = keys[f.Limit-1].encode()
	}
	out, err := s.entries(ctx, keys)
	if err != nil {
		return nil, "", err
	}
	if err := s.loadSectors(ctx, out); err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// entries loads the directory entries of the keys, in their order.
func (s *Service) entries(ctx context.Context, keys []cursor) ([]Entry, error) {
	out := make([]Entry, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	args := &db.Args{}
	at := map[string]int{}
	marks := make([]string, len(keys))
	for i, k := range keys {
		at[k.id] = i
		marks[i] = args.Add(k.id)
	}
	member := s.Core.MemberCondition("o.id", args)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT o.id, o.slug, o.name, o.names, o.kind, o.country, o.verified_at IS NOT NULL, o.created_at,
		CASE WHEN `+member+` THEN 1 ELSE 0 END FROM orgs o WHERE o.id IN (`+strings.Join(marks, ", ")+`)`, args.List()...)
	if err != nil {
		return nil, errs.Wrap("network.directory entries", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Entry
		var names, kind string
		var m int
		if err := rows.Scan(&e.ID, &e.Slug, &e.Name, &names, &kind, &e.Country, &e.Verified, &e.CreatedAt, &m); err != nil {
			return nil, errs.Wrap("network.directory entries", err)
		}
		e.Kind, e.Member = org.Kind(kind), m == 1
		e.Names = decodeNames(names, e.Name)
		out[at[e.ID]] = e
	}
	return out, errs.Wrap("network.directory entries", rows.Err())
}

// loadSectors fills in the sectors of the entries.
func (s *Service) loadSectors(ctx context.Context, es []Entry) error {
	if len(es) == 0 {
		return nil
	}
	args := &db.Args{}
	at := map[string]int{}
	marks := make([]string, len(es))
	for i := range es {
		es[i].Sectors = []string{}
		at[es[i].ID] = i
		marks[i] = args.Add(es[i].ID)
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT org_id, sector FROM org_sectors WHERE org_id IN (`+strings.Join(marks, ", ")+`) ORDER BY org_id, sector`,
		args.List()...)
	if err != nil {
		return errs.Wrap("network.directory sectors", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, sec string
		if err := rows.Scan(&id, &sec); err != nil {
			return errs.Wrap("network.directory sectors", err)
		}
		es[at[id]].Sectors = append(es[at[id]].Sectors, sec)
	}
	return errs.Wrap("network.directory sectors", rows.Err())
}

// decodeNames reads the names column; a row written without one has its
// plain name, taken to be in the platform's default language.
func decodeNames(raw, name string) text.Text {
	var t text.Text
	if raw != "" && t.Scan(raw) == nil && len(t.Versions) > 0 {
		return t
	}
	return text.Text{Original: i18n.Default, Versions: map[string]text.Version{i18n.Default: {Text: name}}}
}

// cursor is a position in the directory: after a rank, time and id when
// searching, after a name and id when browsing.
type cursor struct {
	ranked bool
	rank   int
	at     time.Time
	name   string
	id     string
}

func (c cursor) encode() string {
	var raw string
	if c.ranked {
		raw = "r\x00" + strconv.Itoa(c.rank) + "\x00" + c.at.UTC().Format(time.RFC3339Nano) + "\x00" + c.id
	} else {
		raw = "n\x00" + c.name + "\x00" + c.id
	}
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCursor(s string) (cursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !utf8.Valid(b) {
		return cursor{}, false
	}
	parts := strings.Split(string(b), "\x00")
	switch {
	case len(parts) == 4 && parts[0] == "r":
		rank, err1 := strconv.Atoi(parts[1])
		at, err2 := time.Parse(time.RFC3339Nano, parts[2])
		if err1 != nil || err2 != nil || rank < 0 || rank > 2 {
			return cursor{}, false
		}
		return cursor{ranked: true, rank: rank, at: at, id: parts[3]}, true
	case len(parts) == 3 && parts[0] == "n":
		return cursor{name: parts[1], id: parts[2]}, true
	}
	return cursor{}, false
}

// contains is true when the text of expr holds the string of the
// placeholder: a plain substring search (the names are folded already),
// several times faster than LIKE on SQLite.
func (s *Service) contains(expr, placeholder string) string {
	if s.DB.Engine == db.Postgres {
		return `strpos(` + expr + `, ` + placeholder + `) > 0`
	}
	return `instr(` + expr + `, ` + placeholder + `) > 0`
}
