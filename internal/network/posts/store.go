package posts

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/search"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

var (
	errNotFound  = errs.E("network.posts", errs.NotFound, "error.not_found")
	errNotEditor = errs.E("network.posts", errs.Forbidden, "network.posts.error.not_editor")
	errNoOrg     = errs.E("network.posts", errs.Forbidden, "network.posts.error.no_org")
)

// OwnerChoices are the viewer's organisations in which they may create
// records of this type (as an admin or editor).
func OwnerChoices(v *web.Viewer) []web.Membership { return sharing.Owners(v, Type) }

// ownerOf finds the organisation named by id or slug among the viewer's
// choices; with one choice, an empty name means it.
func ownerOf(v *web.Viewer, name string) (web.Membership, error) {
	if len(sharing.Owners(v, Type)) == 0 {
		return web.Membership{}, errNoOrg
	}
	if m, ok := sharing.OwnerNamed(v, Type, name); ok {
		return m, nil
	}
	return web.Membership{}, errs.Field("network.posts", map[string]string{"owner_org": "network.posts.error.owner"})
}

// Create publishes a post owned by one of the viewer's organisations (or
// keeps it as a draft). Subscribers are told by a job enqueued in the same
// transaction, so that publishing stays fast.
func (s *Service) Create(ctx context.Context, v *web.Viewer, in Input, ip string) (*Post, error) {
	if v == nil {
		return nil, errs.E("network.posts", errs.Unauthorized, "error.unauthorized")
	}
	owner, ownerErr := ownerOf(v, strings.TrimSpace(in.OwnerOrg))
	if ownerErr != nil && !errs.Is(ownerErr, errs.Invalid) {
		return nil, ownerErr
	}
	now := s.Clock.Now()
	p := &Post{ID: uuid.Must(uuid.NewV7()).String(), OwnerOrg: owner.OrgID, OwnerSlug: owner.Slug, OwnerName: owner.Name,
		State: sharing.Published, CreatedBy: v.ID, CreatedAt: now, UpdatedAt: now}
	if in.Draft {
		p.State = sharing.Draft
	}
	fields := in.apply(p, v.ID, now, true)
	if fields == nil {
		fields = map[string]string{}
	}
	if ownerErr != nil {
		fields["owner_org"] = "network.posts.error.owner"
	}
	marking, ok := markingOf(strings.TrimSpace(in.Audience))
	if !ok {
		fields["audience"] = "network.posts.error.audience"
	}
	if marking == sharing.Green && ownerErr == nil {
		if err := s.mayChooseMembers(ctx, owner.OrgID, fields); err != nil {
			return nil, err
		}
	}
	if len(fields) > 0 {
		return nil, errs.Field("network.posts", fields)
	}
	p.Marking = marking
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO network_posts (id, kind, title, title_plain, body, country, sectors, expires_on,
			created_by, created_at, updated_at, owner_org, marking, state, community)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, $14)`,
			p.ID, p.Kind, p.Title, p.TitlePlain, p.Body, p.Country, strings.Join(p.Sectors, " "), p.ExpiresOn,
			p.CreatedBy, now, p.OwnerOrg, string(p.Marking), string(p.State), s.Core.Group.ID)
		if err != nil {
			return errs.Wrap("create post", err)
		}
		if err := s.write(ctx, tx, p); err != nil {
			return err
		}
		if p.State == sharing.Published {
			if err := s.enqueue(ctx, tx, p.ID); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, "network.post.created", v, p, ip)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// mayChooseMembers refuses the network's audience to an organisation that
// is not a member.
func (s *Service) mayChooseMembers(ctx context.Context, orgID string, fields map[string]string) error {
	member, err := s.Core.IsMember(ctx, orgID)
	if err != nil {
		return err
	}
	if !member {
		fields["audience"] = "network.posts.error.members_only"
	}
	return nil
}

// Update changes a post; only its owner organisation's admins and editors
// may. A changed audience changes the marking through the sharing service
// (audited); publish publishes a draft.
func (s *Service) Update(ctx context.Context, v *web.Viewer, id string, in Input, publish bool, ip string) (*Post, error) {
	p, err := s.Get(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if !s.IsEditor(v, p) {
		return nil, errNotEditor
	}
	now := s.Clock.Now()
	oldExpiry := ""
	if p.ExpiresOn != nil {
		oldExpiry = p.ExpiresOn.Format(time.DateOnly)
	}
	fields := in.apply(p, v.ID, now, strings.TrimSpace(in.ExpiresOn) != oldExpiry)
	if fields == nil {
		fields = map[string]string{}
	}
	audience := strings.TrimSpace(in.Audience)
	if audience == "" {
		audience = p.Audience()
	}
	marking, ok := markingOf(audience)
	switch {
	case !ok:
		fields["audience"] = "network.posts.error.audience"
	case audience == p.Audience():
		marking = p.Marking // AMBER+STRICT and RED, set on the share page, stay
	case marking == sharing.Green:
		if err := s.mayChooseMembers(ctx, p.OwnerOrg, fields); err != nil {
			return nil, err
		}
	}
	if len(fields) > 0 {
		return nil, errs.Field("network.posts", fields)
	}
	p.UpdatedAt = now
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE network_posts SET kind = $1, title = $2, title_plain = $3, body = $4, country = $5,
			sectors = $6, expires_on = $7, updated_at = $8 WHERE id = $9`,
			p.Kind, p.Title, p.TitlePlain, p.Body, p.Country, strings.Join(p.Sectors, " "), p.ExpiresOn, now, p.ID)
		if err != nil {
			return errs.Wrap("update post", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM network_post_sectors WHERE post_id = $1`, p.ID); err != nil {
			return errs.Wrap("update post", err)
		}
		if err := s.write(ctx, tx, p); err != nil {
			return err
		}
		return s.audit(ctx, tx, "network.post.updated", v, p, ip)
	})
	if err != nil {
		return nil, err
	}
	m := &sharing.Meta{Type: Type, ID: p.ID, OwnerOrg: p.OwnerOrg, Marking: p.Marking, State: p.State}
	if marking != p.Marking {
		if err := s.Sharing.SetMarking(ctx, v, m, marking, ip); err != nil {
			return nil, err
		}
		p.Marking = marking
	}
	if publish && p.State == sharing.Draft {
		if err := s.Sharing.SetState(ctx, v, m, sharing.Published, ip); err != nil {
			return nil, err
		}
		p.State = sharing.Published
		if err := s.enqueue(ctx, s.DB.W, p.ID); err != nil {
			return nil, err // the sweep would still deliver it
		}
	}
	return p, nil
}

// IsEditor reports whether the viewer edits the post: an admin or editor
// of its owner organisation.
func (s *Service) IsEditor(v *web.Viewer, p *Post) bool {
	return v != nil && sharing.IsEditor(v, &sharing.Meta{Type: Type, ID: p.ID, OwnerOrg: p.OwnerOrg})
}

// write stores the sectors and the search document of p, inside tx.
func (s *Service) write(ctx context.Context, tx *sql.Tx, p *Post) error {
	for _, sec := range p.Sectors {
		if _, err := tx.ExecContext(ctx, `INSERT INTO network_post_sectors (post_id, sector) VALUES ($1, $2)`, p.ID, sec); err != nil {
			return errs.Wrap("post sectors", err)
		}
	}
	return search.Index(ctx, tx, TypeName, p.ID, s.searchText(p))
}

// searchText is what search finds a post by: its title and body in every
// language, its owner's names, its country, kind and sectors named in the
// six languages. Filters are applied by the search itself (search.Request.Where).
func (s *Service) searchText(p *Post) string {
	var b strings.Builder
	line := func(parts ...string) {
		for _, x := range parts {
			if x != "" {
				b.WriteString(x)
				b.WriteByte('\n')
			}
		}
	}
	line(p.Title.All(), p.Body.All(), p.OwnerName, p.OwnerNames.All())
	if c, ok := geo.Lookup(p.Country); ok {
		for _, l := range i18n.Langs {
			line(c.Names[l])
		}
	}
	if s.Site != nil {
		for _, l := range i18n.Langs {
			pr := s.Site.Catalog.Printer(l)
			line(pr.T("network.posts.kind." + p.Kind))
			if p.Country == AllAfrica {
				line(pr.T("network.posts.all_africa"))
			}
			for _, sec := range p.Sectors {
				line(pr.T("sector." + sec))
			}
		}
	}
	return b.String()
}

func (s *Service) audit(ctx context.Context, tx *sql.Tx, action string, v *web.Viewer, p *Post, ip string) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, tx, action, v.Pseudonym, p.OwnerOrg, TypeName, p.ID, ip, nil)
}

// columns are the columns scanPost reads, of network_posts aliased t and
// the owner organisation aliased o.
const columns = `t.id, t.kind, t.title, t.title_plain, t.body, t.country, t.sectors, t.expires_on, t.created_by, t.created_at,
	t.updated_at, t.owner_org, t.marking, t.state, COALESCE(o.slug, ''), COALESCE(o.name, ''), COALESCE(o.names, '')`

const from = ` FROM network_posts t LEFT JOIN orgs o ON o.id = t.owner_org`

func scanPost(row interface{ Scan(...any) error }) (*Post, error) {
	p := &Post{}
	var expires sql.NullTime
	var sectors, marking, state, names string
	err := row.Scan(&p.ID, &p.Kind, &p.Title, &p.TitlePlain, &p.Body, &p.Country, &sectors, &expires, &p.CreatedBy, &p.CreatedAt,
		&p.UpdatedAt, &p.OwnerOrg, &marking, &state, &p.OwnerSlug, &p.OwnerName, &names)
	if err != nil {
		return nil, err
	}
	if expires.Valid {
		d := expires.Time.UTC()
		p.ExpiresOn = &d
	}
	if names != "" {
		_ = p.OwnerNames.Scan(names) // a name that does not parse falls back to the plain name
	}
	p.Sectors = strings.Fields(sectors)
	p.Marking, p.State = sharing.Marking(marking), sharing.State(state)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, nil
}

func scanAll(rows *sql.Rows) ([]*Post, error) {
	defer rows.Close()
	var out []*Post
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, errs.Wrap("scan post", err)
		}
		out = append(out, p)
	}
	return out, errs.Wrap("scan post", rows.Err())
}

// Get returns a post the viewer may see; otherwise NotFound, as if it did
// not exist.
func (s *Service) Get(ctx context.Context, v *web.Viewer, id string) (*Post, error) {
	args := &db.Args{}
	idArg := args.Add(id)
	cond := sharing.Visible(Type, "t", v, s.Clock.Now(), args)
	p, err := scanPost(s.DB.R.QueryRowContext(ctx, `SELECT `+columns+from+` WHERE t.id = `+idArg+` AND `+cond, args.List()...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Wrap("get post", err)
	}
	return p, nil
}

// Filter narrows the list of posts.
type Filter struct {
	Q       string // full-text search; results by relevance, then recency
	Kind    string
	Country string // a country code or AllAfrica
	Sector  string
	Expired bool // include expired posts
	Cursor  string
	Limit   int
}

// Page is one page of posts.
type Page struct {
	Items []*Post
	Next  string
	// With a query: how many posts the viewer may see match (under the
	// filters), by kind, and the query's tokens (for snippets).
	Total  int
	Facets []search.Facet
	Tokens []string
}

var errFilter = errs.E("network.posts", errs.Invalid, "network.posts.error.filter")

func (f *Filter) check() error {
	f.Kind, f.Sector = strings.TrimSpace(f.Kind), strings.TrimSpace(f.Sector)
	if f.Country = strings.TrimSpace(f.Country); f.Country != "" {
		c, ok := checkCountry(f.Country)
		if !ok {
			return errFilter
		}
		f.Country = c
	}
	if (f.Kind != "" && !containsStr(Kinds, f.Kind)) || (f.Sector != "" && !validSector(f.Sector)) {
		return errFilter
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	return nil
}

// conditions is the SQL condition of the filter, on posts aliased t.
func (f Filter) conditions(today time.Time, args *db.Args) string {
	where := []string{"1 = 1"}
	if f.Kind != "" {
		where = append(where, `t.kind = `+args.Add(f.Kind))
	}
	if f.Country != "" {
		where = append(where, `t.country = `+args.Add(f.Country))
	}
	if f.Sector != "" {
		where = append(where, `EXISTS (SELECT 1 FROM network_post_sectors ps WHERE ps.post_id = t.id AND ps.sector = `+args.Add(f.Sector)+`)`)
	}
	if !f.Expired {
		where = append(where, current(today, args))
	}
	return strings.Join(where, " AND ")
}

// current is the condition that a post (aliased t) has not expired.
func current(today time.Time, args *db.Args) string {
	return `(t.expires_on IS NULL OR t.expires_on >= ` + args.Add(day(today)) + `)`
}

// out is the condition that a post (aliased t) is published and past any
// embargo: what profiles, country pages and the indicator show, even to
// its owner.
func out(now time.Time, args *db.Args) string {
	return `t.state = 'published' AND (t.visible_from IS NULL OR t.visible_from <= ` + args.Add(now) + `)`
}

// List returns a page of the posts the viewer may see: newest first, or,
// with a query, by relevance, then recency. Expired posts only when asked.
func (s *Service) List(ctx context.Context, v *web.Viewer, f Filter) (*Page, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(f.Q) != "" {
		return s.search(ctx, v, f)
	}
	now := s.Clock.Now()
	args := &db.Args{}
	where := sharing.Visible(Type, "t", v, now, args) + ` AND ` + f.conditions(now, args)
	if f.Cursor != "" {
		at, id, ok := decodeCursor(f.Cursor)
		if !ok {
			return nil, errs.E("network.posts", errs.Invalid, "error.cursor")
		}
		a, i := args.Add(at), args.Add(id)
		where += ` AND (t.created_at < ` + a + ` OR (t.created_at = ` + a + ` AND t.id < ` + i + `))`
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+columns+from+` WHERE `+where+` ORDER BY t.created_at DESC, t.id DESC LIMIT `+
		args.Add(f.Limit+1), args.List()...)
	if err != nil {
		return nil, errs.Wrap("list posts", err)
	}
	page := &Page{}
	if page.Items, err = scanAll(rows); err != nil {
		return nil, err
	}
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		last := page.Items[f.Limit-1]
		page.Next = encodeCursor(last.CreatedAt, last.ID)
	}
	return page, nil
}

// search runs the query through the kernel search, under the viewer's
// visibility and with the filters inside the query, so that the total, the
// facets and the pages follow them. The cursor is the search's offset.
func (s *Service) search(ctx context.Context, v *web.Viewer, f Filter) (*Page, error) {
	now := s.Clock.Now()
	req := search.Request{Type: Type, Q: f.Q, Recency: "created_at", Limit: f.Limit, Cursor: f.Cursor,
		Where: func(args *db.Args) string { return f.conditions(now, args) }}
	if f.Kind == "" {
		req.Facet = "kind"
	}
	res, err := s.Search.Search(ctx, v, req)
	if err != nil {
		return nil, err
	}
	page := &Page{Total: res.Total, Facets: res.Facets, Tokens: res.Tokens, Next: res.Next}
	if f.Kind != "" { // the facets of the other kinds, to switch to
		others := f
		others.Kind = ""
		fr, err := s.Search.Search(ctx, v, search.Request{Type: Type, Q: f.Q, Recency: "created_at", Facet: "kind", Limit: 1,
			Where: func(args *db.Args) string { return others.conditions(now, args) }})
		if err != nil {
			return nil, err
		}
		page.Facets = fr.Facets
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	found, err := s.byIDs(ctx, v, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if p, ok := found[id]; ok {
			page.Items = append(page.Items, p)
		}
	}
	return page, nil
}

// byIDs loads the posts among ids that the viewer may see.
func (s *Service) byIDs(ctx context.Context, v *web.Viewer, ids []string) (map[string]*Post, error) {
	out := map[string]*Post{}
	if len(ids) == 0 {
		return out, nil
	}
	now := s.Clock.Now()
	args := &db.Args{}
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = args.Add(id)
	}
	where := `t.id IN (` + strings.Join(ph, ", ") + `) AND ` + sharing.Visible(Type, "t", v, now, args)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+columns+from+` WHERE `+where, args.List()...)
	if err != nil {
		return nil, errs.Wrap("search posts", err)
	}
	list, err := scanAll(rows)
	if err != nil {
		return nil, err
	}
	for _, p := range list {
		out[p.ID] = p
	}
	return out, nil
}

// ByOrg lists the published posts of an organisation the viewer may see,
// newest first, expired ones included and marked: for its profile.
func (s *Service) ByOrg(ctx context.Context, v *web.Viewer, orgID string, limit int) ([]Summary, error) {
	now := s.Clock.Now()
	args := &db.Args{}
	where := sharing.Visible(Type, "t", v, now, args) + ` AND ` + out(now, args) + ` AND t.owner_org = ` + args.Add(orgID)
	return s.summaries(ctx, v, where, args, limit)
}

// ByCountry lists the current published posts about a country the viewer
// may see, newest first; for an African country, posts about Africa as a
// whole too. For the country pages.
func (s *Service) ByCountry(ctx context.Context, v *web.Viewer, country string, limit int) ([]Summary, error) {
	code, ok := checkCountry(country)
	if !ok {
		return nil, errFilter
	}
	now := s.Clock.Now()
	args := &db.Args{}
	where := sharing.Visible(Type, "t", v, now, args) + ` AND ` + out(now, args) + ` AND ` + current(now, args)
	if code != AllAfrica && code != "CN" {
		where += ` AND t.country IN (` + args.Add(code) + `, ` + args.Add(AllAfrica) + `)`
	} else {
		where += ` AND t.country = ` + args.Add(code)
	}
	return s.summaries(ctx, v, where, args, limit)
}

func (s *Service) summaries(ctx context.Context, v *web.Viewer, where string, args *db.Args, limit int) ([]Summary, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+columns+from+` WHERE `+where+` ORDER BY t.created_at DESC, t.id DESC LIMIT `+
		args.Add(limit), args.List()...)
	if err != nil {
		return nil, errs.Wrap("post summaries", err)
	}
	list, err := scanAll(rows)
	if err != nil {
		return nil, err
	}
	lang := i18n.Default
	if v != nil && i18n.Supported(v.Locale) {
		lang = v.Locale
	}
	now := s.Clock.Now()
	out := make([]Summary, 0, len(list))
	for _, p := range list {
		title, titleLang := p.Title.In(lang)
		out = append(out, Summary{ID: p.ID, Kind: p.Kind, Title: title, TitleLang: titleLang, Path: p.Path(), Country: p.Country,
			CreatedAt: p.CreatedAt, Expired: p.Expired(now)})
	}
	return out, nil
}

func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "\x00" + id))
}

func decodeCursor(c string) (time.Time, string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", false
	}
	at, id, ok := strings.Cut(string(b), "\x00")
	if !ok {
		return time.Time{}, "", false
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	return t, id, err == nil
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func validSector(s string) bool {
	_, ok := checkSectors([]string{s})
	return ok && s != ""
}
