package agreements

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
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
	errNotFound  = errs.E("agreements", errs.NotFound, "error.not_found")
	errNotEditor = errs.E("agreements", errs.Forbidden, "agreements.error.not_editor")
	errNoOrg     = errs.E("agreements", errs.Forbidden, "agreements.error.no_org")
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
	return web.Membership{}, errs.Field("agreements", map[string]string{"owner_org": "agreements.error.owner"})
}

// Create registers an agreement owned by one of the viewer's
// organisations. It starts as a draft, marked TLP:AMBER unless another
// marking is chosen; its owner publishes it on the share page.
func (s *Service) Create(ctx context.Context, v *web.Viewer, in Input, ip string) (*Agreement, error) {
	if v == nil {
		return nil, errs.E("agreements", errs.Unauthorized, "error.unauthorized")
	}
	owner, ownerErr := ownerOf(v, strings.TrimSpace(in.OwnerOrg))
	if ownerErr != nil && !errs.Is(ownerErr, errs.Invalid) {
		return nil, ownerErr
	}
	marking := sharing.Marking(strings.TrimSpace(in.Marking))
	if marking == "" {
		marking = sharing.Amber
	}
	now := s.Clock.Now()
	a := &Agreement{Summary: Summary{ID: uuid.Must(uuid.NewV7()).String(), OwnerOrg: owner.OrgID, Marking: marking,
		State: sharing.Draft, CreatedAt: now}, OwnerSlug: owner.Slug, OwnerName: owner.Name, CreatedBy: v.ID, UpdatedAt: now}
	fields := in.apply(a, v.ID, now)
	if ownerErr != nil {
		fields["owner_org"] = "agreements.error.owner"
	}
	if !marking.Valid() {
		fields["marking"] = "sharing.error.marking"
	}
	if err := s.resolve(ctx, in.Parties, fields, &a.Parties); err != nil {
		return nil, err
	}
	if len(fields) > 0 {
		return nil, errs.Field("agreements", fields)
	}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO agreements (id, kind, title, title_plain, scope, signed_on, effective_from, expires_on,
			sectors, actions, languages, event_name, event_city, event_country, event_date, created_by, created_at, updated_at,
			owner_org, marking, state)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18, $19, $20)`,
			a.ID, a.Kind, a.Title, a.TitlePlain, a.Scope, a.SignedOn, a.EffectiveFrom, a.ExpiresOn,
			join(a.Sectors), join(a.Actions), join(a.Languages), a.Event.Name, a.Event.City, a.Event.Country, a.Event.Date,
			a.CreatedBy, now, a.OwnerOrg, string(a.Marking), string(a.State))
		if err != nil {
			return errs.Wrap("create agreement", err)
		}
		if err := s.write(ctx, tx, a); err != nil {
			return err
		}
		if a.Marking == sharing.Red {
			// RED is for named people: the author stays named.
			if err := sharing.NameCreator(ctx, tx, now, Type, a.ID, v.ID, a.OwnerOrg); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, "agreement.created", v, a, ip)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Update changes an agreement; only the owner organisation's admins and
// editors may. An agreement the viewer cannot see is not found.
func (s *Service) Update(ctx context.Context, v *web.Viewer, id string, in Input, ip string) (*Agreement, error) {
	a, err := s.Get(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if !s.IsEditor(v, a) {
		return nil, errNotEditor
	}
	now := s.Clock.Now()
	fields := in.apply(a, v.ID, now)
	if err := s.resolve(ctx, in.Parties, fields, &a.Parties); err != nil {
		return nil, err
	}
	if len(fields) > 0 {
		return nil, errs.Field("agreements", fields)
	}
	a.UpdatedAt = now
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE agreements SET kind = $1, title = $2, title_plain = $3, scope = $4, signed_on = $5,
			effective_from = $6, expires_on = $7, sectors = $8, actions = $9, languages = $10, event_name = $11, event_city = $12,
			event_country = $13, event_date = $14, updated_at = $15 WHERE id = $16`,
			a.Kind, a.Title, a.TitlePlain, a.Scope, a.SignedOn, a.EffectiveFrom, a.ExpiresOn, join(a.Sectors), join(a.Actions),
			join(a.Languages), a.Event.Name, a.Event.City, a.Event.Country, a.Event.Date, now, a.ID)
		if err != nil {
			return errs.Wrap("update agreement", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM agreement_parties WHERE agreement_id = $1`, a.ID); err != nil {
			return errs.Wrap("update agreement", err)
		}
		if err := s.write(ctx, tx, a); err != nil {
			return err
		}
		return s.audit(ctx, tx, "agreement.updated", v, a, ip)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// IsEditor reports whether the viewer edits the agreement: an admin or
// editor of its owner organisation.
func (s *Service) IsEditor(v *web.Viewer, a *Agreement) bool {
	return v != nil && sharing.IsEditor(v, &sharing.Meta{Type: Type, ID: a.ID, OwnerOrg: a.OwnerOrg})
}

// resolve finds the organisations named as parties by slug, naming the
// row of the input at fault when one does not exist; once every field is
// valid, it sets *dst to the resolved parties.
func (s *Service) resolve(ctx context.Context, in []PartyInput, fields map[string]string, dst *[]Party) error {
	parties, _ := checkParties(in)
	rows := map[string]int{}
	for i, p := range in {
		if strings.TrimSpace(p.Kind) == PartyOrg {
			rows[strings.ToLower(strings.TrimSpace(p.Org))] = i
		}
	}
	for i := range parties {
		p := &parties[i]
		if p.Kind != PartyOrg {
			continue
		}
		err := s.DB.R.QueryRowContext(ctx, `SELECT id, name, country FROM orgs WHERE slug = $1 AND kind <> 'programme_office'`,
			p.OrgSlug).Scan(&p.OrgID, &p.OrgName, &p.Country)
		if errors.Is(err, sql.ErrNoRows) {
			fields["party."+itoa(rows[p.OrgSlug])+".org"] = "agreements.error.party_org_unknown"
			continue
		}
		if err != nil {
			return errs.Wrap("party", err)
		}
	}
	if len(fields) == 0 {
		*dst = parties
	}
	return nil
}

// write stores the parties and the search text of a, inside tx.
func (s *Service) write(ctx context.Context, tx *sql.Tx, a *Agreement) error {
	for i, p := range a.Parties {
		var orgID any
		country := p.Country
		if p.Kind == PartyOrg {
			orgID, country = p.OrgID, "" // the organisation's country is read from it, never copied
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO agreement_parties (agreement_id, position, kind, org_id, country, name)
			VALUES ($1, $2, $3, $4, $5, $6)`, a.ID, i, p.Kind, orgID, country, p.Name); err != nil {
			return errs.Wrap("agreement parties", err)
		}
	}
	return search.Index(ctx, tx, TypeName, a.ID, s.searchText(a))
}

// searchText is what search finds an agreement by: its title and scope in
// every language, its parties (countries named in the six languages), its
// kind and the event.
func (s *Service) searchText(a *Agreement) string {
	var b strings.Builder
	line := func(parts ...string) {
		for _, p := range parts {
			if p != "" {
				b.WriteString(p)
				b.WriteByte('\n')
			}
		}
	}
	line(a.Title.All(), a.Scope.All())
	countries := func(code string) {
		if c, ok := geo.Lookup(code); ok {
			for _, l := range i18n.Langs {
				line(c.Names[l])
			}
		}
	}
	for _, p := range a.Parties {
		line(p.OrgName, p.OrgSlug, p.Name)
		countries(p.Country)
	}
	if s.Site != nil {
		for _, l := range i18n.Langs {
			pr := s.Site.Catalog.Printer(l)
			line(pr.T("agreements.kind." + a.Kind))
			for _, p := range a.Parties {
				if p.Kind == PartyGovernment {
					line(pr.T("agreements.party.government", "country", countryName(l, p.Country)))
				}
			}
		}
	}
	line(a.Event.Name, a.Event.City)
	countries(a.Event.Country)
	return b.String()
}

func (s *Service) audit(ctx context.Context, tx *sql.Tx, action string, v *web.Viewer, a *Agreement, ip string) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, tx, action, v.Pseudonym, a.OwnerOrg, TypeName, a.ID, ip, nil)
}

// columns are the columns scanAgreement reads, of agreements aliased t and
// the owner organisation aliased o.
const columns = `t.id, t.kind, t.title, t.title_plain, t.scope, t.signed_on, t.effective_from, t.expires_on, t.sectors, t.actions,
	t.languages, t.event_name, t.event_city, t.event_country, t.event_date, t.created_by, t.created_at, t.updated_at,
	t.owner_org, t.marking, t.state, COALESCE(o.slug, ''), COALESCE(o.name, '')`

const from = ` FROM agreements t LEFT JOIN orgs o ON o.id = t.owner_org`

func scanAgreement(row interface{ Scan(...any) error }) (*Agreement, error) {
	a := &Agreement{}
	var effective, expires, evDate sql.NullTime
	var sectors, actions, langs, marking, state string
	err := row.Scan(&a.ID, &a.Kind, &a.Title, &a.TitlePlain, &a.Scope, &a.SignedOn, &effective, &expires, &sectors, &actions,
		&langs, &a.Event.Name, &a.Event.City, &a.Event.Country, &evDate, &a.CreatedBy, &a.CreatedAt, &a.UpdatedAt,
		&a.OwnerOrg, &marking, &state, &a.OwnerSlug, &a.OwnerName)
	if err != nil {
		return nil, err
	}
	a.SignedOn = a.SignedOn.UTC()
	a.EffectiveFrom, a.ExpiresOn, a.Event.Date = dateOf(effective), dateOf(expires), dateOf(evDate)
	a.Sectors, a.Actions, a.Languages = strings.Fields(sectors), strings.Fields(actions), strings.Fields(langs)
	a.Marking, a.State = sharing.Marking(marking), sharing.State(state)
	return a, nil
}

func dateOf(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	d := t.Time.UTC()
	return &d
}

// Get returns an agreement the viewer may see, with its parties;
// otherwise NotFound, as if it did not exist.
func (s *Service) Get(ctx context.Context, v *web.Viewer, id string) (*Agreement, error) {
	args := &db.Args{}
	idArg := args.Add(id)
	cond := sharing.Visible(Type, "t", v, s.Clock.Now(), args)
	a, err := scanAgreement(s.DB.R.QueryRowContext(ctx, `SELECT `+columns+from+` WHERE t.id = `+idArg+` AND `+cond, args.List()...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, errs.Wrap("get agreement", err)
	}
	list := []*Agreement{a}
	if err := s.loadParties(ctx, list); err != nil {
		return nil, err
	}
	return a, nil
}

// loadParties fills in the parties of the agreements, in one query.
func (s *Service) loadParties(ctx context.Context, list []*Agreement) error {
	if len(list) == 0 {
		return nil
	}
	args := &db.Args{}
	byID := map[string]*Agreement{}
	ph := make([]string, len(list))
	for i, a := range list {
		ph[i] = args.Add(a.ID)
		byID[a.ID] = a
		a.Parties = nil
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT p.agreement_id, p.kind, COALESCE(p.org_id, ''), COALESCE(o.slug, ''), COALESCE(o.name, ''),
		CASE WHEN p.kind = 'org' THEN COALESCE(o.country, '') ELSE p.country END, p.name
		FROM agreement_parties p LEFT JOIN orgs o ON o.id = p.org_id
		WHERE p.agreement_id IN (`+strings.Join(ph, ", ")+`) ORDER BY p.agreement_id, p.position`, args.List()...)
	if err != nil {
		return errs.Wrap("agreement parties", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var p Party
		if err := rows.Scan(&id, &p.Kind, &p.OrgID, &p.OrgSlug, &p.OrgName, &p.Country, &p.Name); err != nil {
			return errs.Wrap("agreement parties", err)
		}
		byID[id].Parties = append(byID[id].Parties, p)
	}
	return errs.Wrap("agreement parties", rows.Err())
}

// Filter narrows the register.
type Filter struct {
	Q       string // full-text search; results by relevance, then recency
	Kind    string
	Country string // of a party: a government, a body, or an organisation's country
	Status  string // in_force, expiring, expired, not_yet_in_force
	Cursor  string
	Limit   int
}

// Page is one page of the register.
type Page struct {
	Items []*Agreement
	Next  string
	// With a query: how many agreements the viewer may see match, by kind,
	// and the query's tokens (for snippets).
	Total  int
	Facets []search.Facet
	Tokens []string
}

var errFilter = errs.E("agreements", errs.Invalid, "agreements.error.filter")

func (f *Filter) check() error {
	f.Kind, f.Status = strings.TrimSpace(f.Kind), strings.TrimSpace(f.Status)
	f.Country = strings.ToUpper(strings.TrimSpace(f.Country))
	if (f.Kind != "" && !slices.Contains(Kinds, f.Kind)) || (f.Status != "" && !slices.Contains(StatusFilters, f.Status)) ||
		(f.Country != "" && !geo.IsValid(f.Country)) {
		return errFilter
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	return nil
}

// conditions returns the SQL condition of the filter's kind, country and
// status, on agreements aliased t.
func (f Filter) conditions(today time.Time, args *db.Args) string {
	var where []string
	if f.Kind != "" {
		where = append(where, `t.kind = `+args.Add(f.Kind))
	}
	if f.Country != "" {
		c := args.Add(f.Country)
		where = append(where, `EXISTS (SELECT 1 FROM agreement_parties p LEFT JOIN orgs po ON po.id = p.org_id
			WHERE p.agreement_id = t.id AND (p.country = `+c+` OR (p.kind = 'org' AND po.country = `+c+`)))`)
	}
	switch f.Status {
	case InForce:
		where = append(where, inForce(today, args))
	case Expiring:
		where = append(where, inForce(today, args)+` AND t.expires_on <= `+args.Add(today.Add(ExpiringWithin)))
	case Expired:
		where = append(where, `t.expires_on < `+args.Add(today))
	case NotYetInForce:
		where = append(where, `COALESCE(t.effective_from, t.signed_on) > `+args.Add(today))
	}
	if len(where) == 0 {
		return "1 = 1"
	}
	return strings.Join(where, " AND ")
}

// inForce is the condition that an agreement (aliased t) is in force on today.
func inForce(today time.Time, args *db.Args) string {
	d := args.Add(today)
	return `(COALESCE(t.effective_from, t.signed_on) <= ` + d + ` AND (t.expires_on IS NULL OR t.expires_on >= ` + d + `))`
}

// List returns a page of the agreements the viewer may see: newest
// signature first, or, with a query, by relevance, then recency.
func (s *Service) List(ctx context.Context, v *web.Viewer, f Filter) (*Page, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(f.Q) != "" {
		return s.search(ctx, v, f)
	}
	now := s.Clock.Now()
	args := &db.Args{}
	where := sharing.Visible(Type, "t", v, now, args) + ` AND ` + f.conditions(day(now), args)
	if f.Cursor != "" {
		signed, id, ok := decodeCursor(f.Cursor)
		if !ok {
			return nil, errs.E("agreements", errs.Invalid, "error.cursor")
		}
		sa, ia := args.Add(signed), args.Add(id)
		where += ` AND (t.signed_on < ` + sa + ` OR (t.signed_on = ` + sa + ` AND t.id < ` + ia + `))`
	}
	lim := args.Add(f.Limit + 1)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+columns+from+` WHERE `+where+` ORDER BY t.signed_on DESC, t.id DESC LIMIT `+lim, args.List()...)
	if err != nil {
		return nil, errs.Wrap("list agreements", err)
	}
	page := &Page{}
	page.Items, err = scanAll(rows)
	if err != nil {
		return nil, err
	}
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		last := page.Items[f.Limit-1]
		page.Next = encodeCursor(last.SignedOn, last.ID)
	}
	return page, s.loadParties(ctx, page.Items)
}

// search runs the query through the kernel search, under the viewer's
// visibility and with the filter's kind, country and status inside the
// query, so that the total and the kind facets follow the filters too. The
// cursor is the search's offset.
func (s *Service) search(ctx context.Context, v *web.Viewer, f Filter) (*Page, error) {
	today := day(s.Clock.Now())
	res, err := s.Search.Search(ctx, v, search.Request{Type: Type, Q: f.Q, Recency: "created_at", Facet: "kind", Limit: f.Limit,
		Cursor: f.Cursor, Where: func(args *db.Args) string { return f.conditions(today, args) }})
	if err != nil {
		return nil, err
	}
	page := &Page{Total: res.Total, Facets: res.Facets, Tokens: res.Tokens, Next: res.Next}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	found, err := s.byIDs(ctx, v, ids, f)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if a, ok := found[id]; ok {
			page.Items = append(page.Items, a)
		}
	}
	return page, s.loadParties(ctx, page.Items)
}

// byIDs loads the agreements among ids that the viewer may see and that
// pass the filter's kind, country and status.
func (s *Service) byIDs(ctx context.Context, v *web.Viewer, ids []string, f Filter) (map[string]*Agreement, error) {
	out := map[string]*Agreement{}
	if len(ids) == 0 {
		return out, nil
	}
	now := s.Clock.Now()
	args := &db.Args{}
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = args.Add(id)
	}
	where := `t.id IN (` + strings.Join(ph, ", ") + `) AND ` + sharing.Visible(Type, "t", v, now, args) + ` AND ` + f.conditions(day(now), args)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+columns+from+` WHERE `+where, args.List()...)
	if err != nil {
		return nil, errs.Wrap("search agreements", err)
	}
	list, err := scanAll(rows)
	if err != nil {
		return nil, err
	}
	for _, a := range list {
		out[a.ID] = a
	}
	return out, nil
}

func scanAll(rows *sql.Rows) ([]*Agreement, error) {
	defer rows.Close()
	var out []*Agreement
	for rows.Next() {
		a, err := scanAgreement(rows)
		if err != nil {
			return nil, errs.Wrap("scan agreement", err)
		}
		out = append(out, a)
	}
	return out, errs.Wrap("scan agreement", rows.Err())
}

// Each calls fn for every agreement the viewer may see that passes the
// filter, page by page, for exports.
func (s *Service) Each(ctx context.Context, v *web.Viewer, f Filter, fn func(*Agreement) error) error {
	f.Limit, f.Cursor = 100, ""
	for {
		page, err := s.List(ctx, v, f)
		if err != nil {
			return err
		}
		for _, a := range page.Items {
			if err := fn(a); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		f.Cursor = page.Next
	}
}

// ForOrgLimit bounds ForOrg.
const ForOrgLimit = 100

// ForOrg lists the agreements an organisation is a party to or owns, as
// far as the viewer may see them, newest signature first (at most
// ForOrgLimit): for the profiles of other modules (a CERT's agreements).
func (s *Service) ForOrg(ctx context.Context, v *web.Viewer, orgID string) ([]Summary, error) {
	args := &db.Args{}
	o := args.Add(orgID)
	where := sharing.Visible(Type, "t", v, s.Clock.Now(), args) +
		` AND (t.owner_org = ` + o + ` OR EXISTS (SELECT 1 FROM agreement_parties p WHERE p.agreement_id = t.id AND p.org_id = ` + o + `))`
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+columns+from+` WHERE `+where+` ORDER BY t.signed_on DESC, t.id DESC LIMIT `+
		args.Add(ForOrgLimit), args.List()...)
	if err != nil {
		return nil, errs.Wrap("agreements of org", err)
	}
	list, err := scanAll(rows)
	if err != nil {
		return nil, err
	}
	if err := s.loadParties(ctx, list); err != nil {
		return nil, err
	}
	out := make([]Summary, len(list))
	for i, a := range list {
		out[i] = a.Summary
	}
	return out, nil
}

func encodeCursor(signed time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(signed.UTC().Format(time.DateOnly) + "\x00" + id))
}

func decodeCursor(c string) (time.Time, string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", false
	}
	d, id, ok := strings.Cut(string(b), "\x00")
	if !ok {
		return time.Time{}, "", false
	}
	t, err := time.Parse(time.DateOnly, d)
	return t, id, err == nil
}

func join(list []string) string { return strings.Join(list, " ") }

func itoa(n int) string { return strconv.Itoa(n) }
