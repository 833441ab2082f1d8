// Package org is organisations: their kind, country and sectors, their
// members and roles, invitations, ownership, service tokens and the
// verification that gives authority-carrying kinds their standing.
package org

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/search"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates
var templateFS embed.FS

// Migrations creates the organisation tables.
var Migrations = db.Embedded("org", migrationFS, "migrations")

// Org is an organisation.
type Org struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	// Name is the name in its original language (the plain name column),
	// which memberships, sort order, sharing pages and mails use; readers
	// see NameIn their language.
	Name        string    `json:"name"`
	Names       text.Text `json:"names"`
	Kind        Kind      `json:"kind"`
	Country     string    `json:"country"`
	Website     string    `json:"website"`
	Description text.Text `json:"description"`
	Sectors     []string  `json:"sectors"`
	OwnerID     string    `json:"-"`
	Verified    bool      `json:"verified"`
	CreatedAt   time.Time `json:"created_at"`
}

// Service is the organisation module.
type Service struct {
	DB       *db.DB
	Clock    clock.Clock
	Site     *web.Site
	Accounts *account.Service
	BaseURL  string
}

// InvitationTTL is how long an invitation stays open.
const InvitationTTL = 14 * 24 * time.Hour

// Input is what creating or editing an organisation takes. Who wrote each
// version of the name and description is recorded by the service: the
// person creating or editing, for every version they add or change.
type Input struct {
	// Names is the name in its original language and any translations.
	Names text.Text
	// Name is the name as one plain string, for callers that know it in one
	// language only: when Names has no version, Name becomes the version in
	// Lang (the original, English, when creating without a Lang).
	Name, Lang string
	// Description is the description in several languages; it may be empty.
	Description                  text.Text
	Slug, Kind, Country, Website string
	Sectors                      []string
}

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$`)

// names is the name as submitted: Names, or else Name as the version in
// Lang — when editing, the other versions stay as they were.
func (in *Input) names(prev text.Text) text.Text {
	if in.Names.Original != "" || len(in.Names.Versions) > 0 {
		return in.Names
	}
	if len(prev.Versions) == 0 {
		return plainText(in.Lang, in.Name)
	}
	lang := in.Lang
	if lang == "" {
		lang = prev.Original
	}
	t := text.Text{Original: prev.Original, Versions: maps.Clone(prev.Versions)}
	t.Versions[lang] = text.Version{Text: in.Name}
	return t
}

// check validates the input against prev (nil when creating) and returns
// the name and description with each version's author: unchanged versions
// keep theirs, new and changed ones are by `by`, now.
func (in *Input) check(prev *Org, by string, now time.Time) (names, desc text.Text, err error) {
	fields := map[string]string{}
	var prevNames, prevDesc text.Text
	if prev != nil {
		prevNames, prevDesc = prev.Names, prev.Description
	}
	names = revise(prevNames, in.names(prevNames), by, now)
	nameRule.check(names, fields)
	desc = revise(prevDesc, in.Description, by, now)
	if desc.Original == "" && len(desc.Versions) == 0 {
		desc.Original = i18n.Default // no description: say it is in the name's language
		if i18n.Supported(names.Original) {
			desc.Original = names.Original
		}
	}
	descriptionRule.check(desc, fields)
	in.Slug = strings.ToLower(strings.TrimSpace(in.Slug))
	if prev == nil && !slugRE.MatchString(in.Slug) {
		fields["slug"] = "org.error.slug"
	}
	if !Kind(in.Kind).Valid() {
		fields["kind"] = "org.error.kind"
	}
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	if !geo.IsValid(in.Country) {
		fields["country"] = "org.error.country"
	}
	in.Website = strings.TrimSpace(in.Website)
	if in.Website != "" {
		u, err := url.Parse(in.Website)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(in.Website) > 300 {
			fields["website"] = "org.error.website"
		}
	}
	in.Sectors = slices.Clone(in.Sectors) // the caller's slice stays as it was
	slices.Sort(in.Sectors)
	in.Sectors = slices.Compact(in.Sectors)
	for _, s := range in.Sectors {
		if !ValidSector(s) {
			fields["sectors"] = "org.error.sector"
		}
	}
	if len(fields) > 0 {
		return text.Text{}, text.Text{}, errs.Field("org", fields)
	}
	return names, desc, nil
}

// namesSearch is what the directory's search matches: every version of
// the name, folded as the kernel's search folds text (case, diacritics,
// Traditional Chinese, Arabic letter variants).
func namesSearch(t text.Text) string { return search.Document(t.All()) }

// Create makes an organisation whose first admin and owner is the creator.
func (s *Service) Create(ctx context.Context, v *web.Viewer, in Input, ip string) (*Org, error) {
	now := s.Clock.Now()
	names, desc, err := in.check(nil, v.ID, now)
	if err != nil {
		return nil, err
	}
	o := &Org{ID: newID(), Slug: in.Slug, Name: names.String(), Names: names, Kind: Kind(in.Kind), Country: in.Country,
		Website: in.Website, Description: desc, Sectors: in.Sectors, OwnerID: v.ID, CreatedAt: now}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO orgs (id, slug, name, names, names_search, kind, country, website, description, owner_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, o.ID, o.Slug, o.Name, o.Names, namesSearch(o.Names),
			string(o.Kind), o.Country, o.Website, o.Description, v.ID, now)
		if db.IsUnique(err) {
			return errs.Field("org", map[string]string{"slug": "org.error.slug_taken"})
		}
		if err != nil {
			return errs.Wrap("create org", err)
		}
		if err := setSectors(ctx, tx, o.ID, o.Sectors); err != nil {
			return err
		}
		if err := addMember(ctx, tx, o.ID, v.ID, []string{RoleAdmin}, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, "org.created", v, o.ID, "org", o.ID, ip, nil)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// CreateOffice makes (once) the programme office of a module; its name is
// in English, the platform's default.
func (s *Service) CreateOffice(ctx context.Context, module, name string) (*Org, error) {
	now := s.Clock.Now()
	names := text.New(i18n.Default, name, "", now)
	_, err := s.DB.W.ExecContext(ctx, `INSERT INTO orgs (id, slug, name, names, names_search, kind, country, description, module, verified_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8, $9, $9) ON CONFLICT (slug) DO NOTHING`, newID(), "office-"+module, name, names,
		namesSearch(names), string(ProgrammeOffice), text.Text{Original: i18n.Default, Versions: map[string]text.Version{}}, module, now)
	if err != nil {
		return nil, errs.Wrap("create office", err)
	}
	return s.BySlug(ctx, "office-"+module)
}

// Update changes an organisation's profile; only its admins may. Versions
// of the name and description that the editor adds or changes are theirs;
// the others keep their authors.
func (s *Service) Update(ctx context.Context, v *web.Viewer, o *Org, in Input, ip string) error {
	if !s.IsAdmin(v, o.ID) {
		return errs.E("org", errs.Forbidden, "error.forbidden")
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		// The texts as stored now, so that an edit made meanwhile keeps its authors.
		prev, err := scanOrg(tx.QueryRowContext(ctx, `SELECT `+orgCols+` FROM orgs WHERE id = $1`, o.ID))
		if err != nil {
			return err
		}
		names, desc, err := in.check(prev, v.ID, s.Clock.Now())
		if err != nil {
			return err
		}
		// Changing the kind of a verified organisation withdraws the verification.
		_, err = tx.ExecContext(ctx, `UPDATE orgs SET name = $1, names = $2, names_search = $3, kind = $4, country = $5, website = $6,
			description = $7, verified_at = CASE WHEN kind = $4 AND country = $5 THEN verified_at END WHERE id = $8`,
			names.String(), names, namesSearch(names), in.Kind, in.Country, in.Website, desc, o.ID)
		if err != nil {
			return errs.Wrap("update org", err)
		}
		if err := setSectors(ctx, tx, o.ID, in.Sectors); err != nil {
			return err
		}
		return s.audit(ctx, tx, "org.updated", v, o.ID, "org", o.ID, ip, nil)
	})
}

func setSectors(ctx context.Context, tx *sql.Tx, orgID string, sectors []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM org_sectors WHERE org_id = $1`, orgID); err != nil {
		return errs.Wrap("sectors", err)
	}
	for _, sec := range sectors {
		if _, err := tx.ExecContext(ctx, `INSERT INTO org_sectors (org_id, sector) VALUES ($1, $2)`, orgID, sec); err != nil {
			return errs.Wrap("sectors", err)
		}
	}
	return nil
}

func addMember(ctx context.Context, tx *sql.Tx, orgID, userID string, roles []string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO memberships (org_id, user_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT (org_id, user_id) DO NOTHING`,
		orgID, userID, now)
	if err != nil {
		return errs.Wrap("add member", err)
	}
	for _, r := range roles {
		if _, err := tx.ExecContext(ctx, `INSERT INTO member_roles (org_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			orgID, userID, r); err != nil {
			return errs.Wrap("add member", err)
		}
	}
	return nil
}

const orgCols = `id, slug, name, names, kind, country, website, description, COALESCE(owner_id, ''), verified_at IS NOT NULL, created_at`

func scanOrg(row interface{ Scan(...any) error }) (*Org, error) {
	o := &Org{}
	var kind, names, desc string
	err := row.Scan(&o.ID, &o.Slug, &o.Name, &names, &kind, &o.Country, &o.Website, &desc, &o.OwnerID, &o.Verified, &o.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E("org", errs.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, errs.Wrap("scan org", err)
	}
	if o.Names, err = NamesOf(o.Name, names); err != nil {
		return nil, errs.Wrap("scan org names", err)
	}
	if o.Description, err = decodeText(desc); err != nil {
		return nil, errs.Wrap("scan org description", err)
	}
	if o.Description.Original == "" {
		o.Description = text.Text{Original: o.Names.Original, Versions: map[string]text.Version{}}
	}
	o.Kind = Kind(kind)
	return o, nil
}

// BySlug returns an organisation with its sectors.
func (s *Service) BySlug(ctx context.Context, slug string) (*Org, error) {
	return s.by(ctx, "slug", slug)
}

// ByID returns an organisation with its sectors.
func (s *Service) ByID(ctx context.Context, id string) (*Org, error) {
	return s.by(ctx, "id", id)
}

// ByIDs returns the organisations with the given ids, keyed by id, in one
// query, for pages that show many organisations' names; ids that name no
// organisation are left out. Their sectors are not read.
func (s *Service) ByIDs(ctx context.Context, ids []string) (map[string]Org, error) {
	out := map[string]Org{}
	args := &db.Args{}
	var marks []string
	seen := map[string]bool{}
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			marks = append(marks, args.Add(id))
		}
	}
	if len(marks) == 0 {
		return out, nil
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+orgCols+` FROM orgs WHERE id IN (`+strings.Join(marks, ", ")+`)`, args.List()...)
	if err != nil {
		return nil, errs.Wrap("orgs by id", err)
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		out[o.ID] = *o
	}
	return out, errs.Wrap("orgs by id", rows.Err())
}

// by reads the organisation whose column (slug or id) holds value.
func (s *Service) by(ctx context.Context, column, value string) (*Org, error) {
	o, err := scanOrg(s.DB.R.QueryRowContext(ctx, `SELECT `+orgCols+` FROM orgs WHERE `+column+` = $1`, value))
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT sector FROM org_sectors WHERE org_id = $1 ORDER BY sector`, o.ID)
	if err != nil {
		return nil, errs.Wrap("org sectors", err)
	}
	defer rows.Close()
	o.Sectors = []string{}
	for rows.Next() {
		var sec string
		if err := rows.Scan(&sec); err != nil {
			return nil, errs.Wrap("org sectors", err)
		}
		o.Sectors = append(o.Sectors, sec)
	}
	return o, rows.Err()
}

// Filter narrows the organisation list.
type Filter struct {
	Q, Country, Kind, Sector string
	After                    string // keyset cursor: the last name and id seen
	Limit                    int
}

// List returns organisations ordered by name, then id; programme offices
// are not listed.
func (s *Service) List(ctx context.Context, f Filter) ([]Org, string, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	where := []string{`kind <> 'programme_office'`}
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + itoa(len(args)) }
	if f.Country != "" {
		where = append(where, `country = `+arg(strings.ToUpper(f.Country)))
	}
	if f.Kind != "" {
		where = append(where, `kind = `+arg(f.Kind))
	}
	if f.Sector != "" {
		where = append(where, `id IN (SELECT org_id FROM org_sectors WHERE sector = `+arg(f.Sector)+`)`)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		// Every word of the query in some version of the name, or the
		// query in the original name or the slug as typed.
		toks := search.Tokens(q)
		if utf8.RuneCountInString(q) > search.MaxQuery || len(toks) > search.MaxTokens {
			return nil, "", errs.E("org", errs.Invalid, "search.error.long")
		}
		var inNames []string
		for _, tok := range toks {
			inNames = append(inNames, `names_search LIKE `+arg("%"+escapeLike(tok)+"%")+` ESCAPE '\'`)
		}
		p := arg("%" + escapeLike(strings.ToLower(q)) + "%")
		match := `LOWER(name) LIKE ` + p + ` ESCAPE '\' OR slug LIKE ` + p + ` ESCAPE '\'`
		if len(inNames) > 0 {
			match = `(` + strings.Join(inNames, " AND ") + `) OR ` + match
		}
		where = append(where, `(`+match+`)`)
	}
	if f.After != "" {
		name, id, ok := decodeCursor(f.After)
		if !ok {
			return nil, "", errs.E("org", errs.Invalid, "error.cursor")
		}
		n, i := arg(name), arg(id)
		where = append(where, `(name > `+n+` OR (name = `+n+` AND id > `+i+`))`)
	}
	lim := arg(f.Limit + 1)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+orgCols+` FROM orgs WHERE `+strings.Join(where, " AND ")+` ORDER BY name, id LIMIT `+lim, args...)
	if err != nil {
		return nil, "", errs.Wrap("list orgs", err)
	}
	defer rows.Close()
	var out []Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, *o)
	}
	if err := rows.Err(); err != nil {
		return nil, "", errs.Wrap("list orgs", err)
	}
	next := ""
	if len(out) > f.Limit {
		out = out[:f.Limit]
		last := out[f.Limit-1]
		next = encodeCursor(last.Name, last.ID)
	}
	return out, next, nil
}

// IsAdmin reports whether the viewer administers the organisation.
func (s *Service) IsAdmin(v *web.Viewer, orgID string) bool {
	m, ok := v.Member(orgID)
	return ok && slices.Contains(m.Roles, RoleAdmin)
}

// Memberships lists a person's organisations with their roles.
func (s *Service) Memberships(ctx context.Context, userID string) ([]web.Membership, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT o.id, o.slug, o.name, o.kind, o.country, r.role
		FROM memberships m JOIN orgs o ON o.id = m.org_id LEFT JOIN member_roles r ON r.org_id = m.org_id AND r.user_id = m.user_id
		WHERE m.user_id = $1 ORDER BY o.name, o.id, r.role`, userID)
	if err != nil {
		return nil, errs.Wrap("memberships", err)
	}
	defer rows.Close()
	var out []web.Membership
	for rows.Next() {
		var m web.Membership
		var role sql.NullString
		if err := rows.Scan(&m.OrgID, &m.Slug, &m.Name, &m.Kind, &m.Country, &role); err != nil {
			return nil, errs.Wrap("memberships", err)
		}
		if n := len(out); n > 0 && out[n-1].OrgID == m.OrgID {
			if role.Valid {
				out[n-1].Roles = append(out[n-1].Roles, role.String)
			}
			continue
		}
		m.Roles = []string{}
		if role.Valid {
			m.Roles = append(m.Roles, role.String)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *Service) audit(ctx context.Context, tx *sql.Tx, action string, v *web.Viewer, orgID, targetType, targetID, ip string, details map[string]any) error {
	if s.Accounts == nil || s.Accounts.Audit == nil {
		return nil
	}
	return s.Accounts.Audit.Record(ctx, tx, action, v.Pseudonym, orgID, targetType, targetID, ip, details)
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

var errForbidden = errs.E("org", errs.Forbidden, "error.forbidden")

// Names are organisations' names as one reader sees them, by id; an id
// missing from it has the zero Shown, an empty name.
type Names map[string]Shown

// NamesIn reads the names of the organisations ids for a reader of lang,
// in one query (ByIDs).
func (s *Service) NamesIn(ctx context.Context, lang string, ids ...string) (Names, error) {
	orgs, err := s.ByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(Names, len(orgs))
	for id, o := range orgs {
		out[id] = o.NameIn(lang)
	}
	return out, nil
}

// SortByName orders list by the names that name gives, as a reader of
// lang sorts them.
func SortByName[T any](list []T, lang string, name func(T) Shown) {
	col := collate.New(language.Make(lang))
	slices.SortStableFunc(list, func(a, b T) int { return col.CompareString(name(a).Text, name(b).Text) })
}

// Choice is one of a person's organisations in a form's menu.
type Choice struct {
	ID      string
	Name    Shown
	Country string
}

// MenuOf is the organisations of ms (a viewer's memberships, or some of
// them) by their names as a reader of lang sorts them.
func (s *Service) MenuOf(ctx context.Context, ms []web.Membership, lang string) ([]Choice, error) {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.OrgID
	}
	names, err := s.NamesIn(ctx, lang, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]Choice, len(ms))
	for i, m := range ms {
		out[i] = Choice{ID: m.OrgID, Name: names[m.OrgID], Country: m.Country}
	}
	SortByName(out, lang, func(c Choice) Shown { return c.Name })
	return out, nil
}

// NamesFor is one organisation's names, for a message shown later in its
// reader's language (a notification's argument); fallback, when the
// organisation cannot be read, is its name as the caller knows it.
func (s *Service) NamesFor(ctx context.Context, id, fallback string) text.Text {
	if orgs, err := s.ByIDs(ctx, []string{id}); err == nil {
		if o, ok := orgs[id]; ok {
			return o.Names
		}
	}
	return plainText(i18n.Default, fallback)
}
