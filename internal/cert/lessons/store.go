package lessons

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/search"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

var (
	errNotFound  = errs.E("cert.lesson", errs.NotFound, "error.not_found")
	errNotEditor = errs.E("cert.lesson", errs.Forbidden, "cert.lessons.error.not_editor")
	errNoTeam    = errs.E("cert.lesson", errs.Forbidden, "cert.lessons.error.no_team")
	errCursor    = errs.E("cert.lesson", errs.Invalid, "error.cursor")
	errFilter    = errs.E("cert.lesson", errs.Invalid, "cert.lessons.error.filter")
)

// Teams are the viewer's CERT teams in which they write lessons (as an
// admin or analyst).
func Teams(v *web.Viewer) []web.Membership {
	var out []web.Membership
	for _, m := range sharing.Owners(v, Type) {
		if cert.IsCERT(org.Kind(m.Kind)) {
			out = append(out, m)
		}
	}
	return out
}

// IsEditor reports whether the viewer edits the lesson.
func (s *Service) IsEditor(v *web.Viewer, l *Lesson) bool {
	return v != nil && sharing.IsEditor(v, &sharing.Meta{Type: Type, ID: l.ID, OwnerOrg: l.OwnerOrg})
}

// caseVisible is the condition "the case (aliased c) is one the viewer may see".
func (s *Service) caseVisible(v *web.Viewer, args *db.Args) string {
	return sharing.Visible(cert.CaseType, "c", v, s.Clock.Now(), args)
}

// checkCase reports whether the viewer may see the case; "" is fine.
func (s *Service) checkCase(ctx context.Context, v *web.Viewer, id string) (bool, error) {
	if id == "" {
		return true, nil
	}
	args := &db.Args{}
	cond := `c.id = ` + args.Add(id) + ` AND ` + s.caseVisible(v, args)
	var n int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cert_cases c WHERE `+cond, args.List()...).Scan(&n); err != nil {
		return false, errs.Wrap("lesson case", err)
	}
	return n == 1, nil
}

// Create writes a lesson owned by one of the viewer's CERT teams.
func (s *Service) Create(ctx context.Context, v *web.Viewer, in Input, ip string) (*Lesson, error) {
	if v == nil {
		return nil, errs.E("cert.lesson", errs.Unauthorized, "error.unauthorized")
	}
	teams := Teams(v)
	if len(teams) == 0 {
		return nil, errNoTeam
	}
	now := s.Clock.Now()
	l := &Lesson{ID: uuid.Must(uuid.NewV7()).String(), State: sharing.Published, CreatedBy: v.ID, CreatedAt: now, UpdatedAt: now}
	fields := in.apply(l, v.ID, now)
	if fields == nil {
		fields = map[string]string{}
	}
	owner, ok := teamNamed(teams, strings.TrimSpace(in.OwnerOrg))
	if !ok {
		fields["owner_org"] = "cert.lessons.error.owner"
	}
	l.OwnerOrg, l.OwnerSlug, l.OwnerName = owner.OrgID, owner.Slug, owner.Name
	marking, ok := markingOf(in.Marking)
	if !ok {
		fields["marking"] = "cert.lessons.error.marking"
	}
	l.Marking = marking
	caseID := strings.TrimSpace(in.CaseID)
	if seen, err := s.checkCase(ctx, v, caseID); err != nil {
		return nil, err
	} else if !seen {
		fields["case_id"] = "cert.lessons.error.case"
	}
	l.CaseID = caseID
	if len(fields) > 0 {
		return nil, errs.Field("cert.lesson", fields)
	}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO cert_lessons (id, owner_org, marking, state, community, title, title_plain, happened,
			worked, to_change, category, sectors, countries, case_id, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)`,
			l.ID, l.OwnerOrg, string(l.Marking), string(l.State), s.Cert.Group.ID, l.Title, l.TitlePlain, l.Happened, l.Worked, l.Change,
			l.Category, strings.Join(l.Sectors, " "), strings.Join(l.Countries, " "), l.CaseID, v.ID, now)
		if err != nil {
			return errs.Wrap("create lesson", err)
		}
		if err := search.Index(ctx, tx, TypeName, l.ID, s.searchText(ctx, l)); err != nil {
			return err
		}
		return s.audit(ctx, tx, "cert.lesson_created", v, l, ip, map[string]any{"marking": string(l.Marking)})
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

func teamNamed(teams []web.Membership, name string) (web.Membership, bool) {
	if name == "" && len(teams) == 1 {
		return teams[0], true
	}
	for _, m := range teams {
		if name != "" && (m.OrgID == name || m.Slug == name) {
			return m, true
		}
	}
	return web.Membership{}, false
}

// Update changes a lesson; only its team's admins and analysts may. A
// changed marking goes through the sharing service, which audits it.
func (s *Service) Update(ctx context.Context, v *web.Viewer, id string, in Input, ip string) (*Lesson, error) {
	l, err := s.Get(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if !s.IsEditor(v, l) {
		return nil, errNotEditor
	}
	var stored string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT case_id FROM cert_lessons WHERE id = $1`, l.ID).Scan(&stored); err != nil {
		return nil, errs.Wrap("update lesson", err)
	}
	now := s.Clock.Now()
	fields := in.apply(l, v.ID, now)
	if fields == nil {
		fields = map[string]string{}
	}
	marking, ok := markingOf(in.Marking)
	if !ok && strings.TrimSpace(in.Marking) != string(l.Marking) {
		fields["marking"] = "cert.lessons.error.marking"
	} else if !ok {
		marking = l.Marking // RED, set on the share page, stays
	}
	caseID := strings.TrimSpace(in.CaseID)
	// A case the editor cannot see stays linked if it was; a new one must be visible.
	if l.CaseID == "" && caseID == "" {
		caseID = stored
	}
	if caseID != stored {
		if seen, err := s.checkCase(ctx, v, caseID); err != nil {
			return nil, err
		} else if !seen {
			fields["case_id"] = "cert.lessons.error.case"
		}
	}
	if len(fields) > 0 {
		return nil, errs.Field("cert.lesson", fields)
	}
	l.UpdatedAt = now
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE cert_lessons SET title = $1, title_plain = $2, happened = $3, worked = $4, to_change = $5,
			category = $6, sectors = $7, countries = $8, case_id = $9, updated_at = $10 WHERE id = $11`,
			l.Title, l.TitlePlain, l.Happened, l.Worked, l.Change, l.Category, strings.Join(l.Sectors, " "), strings.Join(l.Countries, " "),
			caseID, now, l.ID)
		if err != nil {
			return errs.Wrap("update lesson", err)
		}
		if err := search.Index(ctx, tx, TypeName, l.ID, s.searchText(ctx, l)); err != nil {
			return err
		}
		return s.audit(ctx, tx, "cert.lesson_updated", v, l, ip, nil)
	})
	if err != nil {
		return nil, err
	}
	if marking != l.Marking {
		m := &sharing.Meta{Type: Type, ID: l.ID, OwnerOrg: l.OwnerOrg, Marking: l.Marking, State: l.State}
		if err := s.Sharing.SetMarking(ctx, v, m, marking, ip); err != nil {
			return nil, err
		}
		l.Marking = marking
	}
	return s.Get(ctx, v, l.ID)
}

// searchText is what search finds a lesson by: its texts in every
// language, its team, class, sectors and countries named in the six languages.
func (s *Service) searchText(ctx context.Context, l *Lesson) string {
	var b strings.Builder
	line := func(parts ...string) {
		for _, x := range parts {
			if x != "" {
				b.WriteString(x)
				b.WriteByte('\n')
			}
		}
	}
	line(l.Title.All(), l.Happened.All(), l.Worked.All(), l.Change.All(), s.Cert.Orgs.NamesFor(ctx, l.OwnerOrg, l.OwnerName).All())
	for _, c := range l.Countries {
		if g, ok := geo.Lookup(c); ok {
			for _, lang := range i18n.Langs {
				line(g.Names[lang])
			}
		}
	}
	if s.Site != nil {
		for _, lang := range i18n.Langs {
			p := s.Site.Catalog.Printer(lang)
			if l.Category != "" {
				line(p.T(classKey(l.Category)))
			}
			for _, sec := range l.Sectors {
				line(p.T("cert.sector." + sec))
			}
		}
	}
	return b.String()
}

func (s *Service) audit(ctx context.Context, tx *sql.Tx, action string, v *web.Viewer, l *Lesson, ip string, details map[string]any) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, tx, action, v.Pseudonym, l.OwnerOrg, TypeName, l.ID, ip, details)
}

// columns are what scan reads: the lesson aliased t, its team o, and its
// case's id only where the viewer may see the case (c, joined under
// sharing.Visible by the caller's from).
const columns = `t.id, t.owner_org, t.marking, t.state, t.title, t.title_plain, t.happened, t.worked, t.to_change, t.category, t.sectors,
	t.countries, COALESCE(c.id, ''), t.created_by, t.created_at, t.updated_at, COALESCE(o.slug, ''), COALESCE(o.name, '')`

// from joins the team and the visible case; its condition's arguments go first.
func (s *Service) from(v *web.Viewer, args *db.Args) string {
	return ` FROM cert_lessons t LEFT JOIN orgs o ON o.id = t.owner_org LEFT JOIN cert_cases c ON c.id = t.case_id AND t.case_id <> '' AND ` +
		s.caseVisible(v, args)
}

func scan(row interface{ Scan(...any) error }) (*Lesson, error) {
	l := &Lesson{}
	var marking, state, sectors, countries string
	err := row.Scan(&l.ID, &l.OwnerOrg, &marking, &state, &l.Title, &l.TitlePlain, &l.Happened, &l.Worked, &l.Change, &l.Category, &sectors,
		&countries, &l.CaseID, &l.CreatedBy, &l.CreatedAt, &l.UpdatedAt, &l.OwnerSlug, &l.OwnerName)
	if err != nil {
		return nil, err
	}
	l.Marking, l.State = sharing.Marking(marking), sharing.State(state)
	l.Sectors, l.Countries = strings.Fields(sectors), strings.Fields(countries)
	l.CreatedAt, l.UpdatedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC()
	return l, nil
}

// Get returns a lesson the viewer may see; otherwise NotFound.
func (s *Service) Get(ctx context.Context, v *web.Viewer, id string) (*Lesson, error) {
	args := &db.Args{}
	from := s.from(v, args)
	where := `t.id = ` + args.Add(id) + ` AND ` + sharing.Visible(Type, "t", v, s.Clock.Now(), args)
	l, err := scan(s.DB.R.QueryRowContext(ctx, `SELECT `+columns+from+` WHERE `+where, args.List()...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Wrap("get lesson", err)
	}
	return l, nil
}

// Filter narrows the list.
type Filter struct {
	Q        string
	Category string
	Country  string
	Sector   string
	Cursor   string
	Limit    int
}

func (f *Filter) check() error {
	f.Category, f.Sector = strings.TrimSpace(f.Category), strings.TrimSpace(f.Sector)
	f.Country = strings.ToUpper(strings.TrimSpace(f.Country))
	if (f.Category != "" && !slices.Contains(Classes, f.Category)) || (f.Sector != "" && !slices.Contains(cert.Sectors, f.Sector)) ||
		(f.Country != "" && !geo.IsValid(f.Country)) {
		return errFilter
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	return nil
}

// conditions is the SQL of the filter, on lessons aliased t. Sectors and
// countries are space-separated codes: matched as whole words.
func (f Filter) conditions(args *db.Args) string {
	where := []string{"1 = 1"}
	if f.Category != "" {
		where = append(where, `t.category = `+args.Add(f.Category))
	}
	if f.Country != "" {
		where = append(where, `(' ' || t.countries || ' ') LIKE `+args.Add("% "+f.Country+" %"))
	}
	if f.Sector != "" {
		where = append(where, `(' ' || t.sectors || ' ') LIKE `+args.Add("% "+f.Sector+" %"))
	}
	return strings.Join(where, " AND ")
}

// Page is one page of lessons.
type Page struct {
	Items  []*Lesson
	Next   string
	Total  int // with a query: the visible matches
	Tokens []string
}

// List returns the lessons the viewer may see: newest first or, with a
// query, by relevance, then recency.
func (s *Service) List(ctx context.Context, v *web.Viewer, f Filter) (*Page, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(f.Q) != "" {
		return s.search(ctx, v, f)
	}
	args := &db.Args{}
	from := s.from(v, args)
	where := sharing.Visible(Type, "t", v, s.Clock.Now(), args) + ` AND ` + f.conditions(args)
	if f.Cursor != "" {
		at, id, ok := decodeCursor(f.Cursor)
		if !ok {
			return nil, errCursor
		}
		a, i := args.Add(at), args.Add(id)
		where += ` AND (t.created_at < ` + a + ` OR (t.created_at = ` + a + ` AND t.id < ` + i + `))`
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+columns+from+` WHERE `+where+` ORDER BY t.created_at DESC, t.id DESC LIMIT `+
		args.Add(f.Limit+1), args.List()...)
	if err != nil {
		return nil, errs.Wrap("list lessons", err)
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

func scanAll(rows *sql.Rows) ([]*Lesson, error) {
	defer rows.Close()
	var out []*Lesson
	for rows.Next() {
		l, err := scan(rows)
		if err != nil {
			return nil, errs.Wrap("scan lesson", err)
		}
		out = append(out, l)
	}
	return out, errs.Wrap("scan lesson", rows.Err())
}

// search runs the query through the kernel search, whose condition holds
// sharing.Visible, with the filters inside it.
func (s *Service) search(ctx context.Context, v *web.Viewer, f Filter) (*Page, error) {
	res, err := s.Search.Search(ctx, v, search.Request{Type: Type, Q: f.Q, Recency: "created_at", Limit: f.Limit, Cursor: f.Cursor,
		Where: func(args *db.Args) string { return f.conditions(args) }})
	if err != nil {
		return nil, err
	}
	page := &Page{Total: res.Total, Tokens: res.Tokens, Next: res.Next}
	if len(res.Hits) == 0 {
		return page, nil
	}
	args := &db.Args{}
	from := s.from(v, args)
	in := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		in[i] = args.Add(h.ID)
	}
	where := `t.id IN (` + strings.Join(in, ", ") + `) AND ` + sharing.Visible(Type, "t", v, s.Clock.Now(), args)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+columns+from+` WHERE `+where, args.List()...)
	if err != nil {
		return nil, errs.Wrap("search lessons", err)
	}
	list, err := scanAll(rows)
	if err != nil {
		return nil, err
	}
	byID := map[string]*Lesson{}
	for _, l := range list {
		byID[l.ID] = l
	}
	for _, h := range res.Hits {
		if l, ok := byID[h.ID]; ok {
			page.Items = append(page.Items, l)
		}
	}
	return page, nil
}

func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func decodeCursor(c string) (time.Time, string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", false
	}
	at, id, ok := strings.Cut(string(b), "|")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", false
	}
	return t, id, true
}
