// Package directory is the cooperation network's public face: the directory
// of organisations (every organisation on the platform, members of the
// network or not), their network profiles — countries and languages they
// work in, what they offer and seek, the contact persons they choose to
// show, their logo — and a page for each of Africa's 54 countries and China.
//
// The profile's facts live in the network's core (network.Core); this
// package adds the contacts, the logo (a file of the files service held by
// a "network.profile" record, one per organisation) and the reading side:
// search, pages and the JSON API. Posts and later modules' figures come in
// through the small interfaces PostLister and FigureSource.
package directory

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/files"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/network"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/upload"
	"harambee.africa/harambee/internal/web"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates
var templateFS embed.FS

// Migrations create the profile records and the contacts.
var Migrations = db.Embedded("network.directory", migrationFS, "migrations")

// Limits of what a profile holds.
const (
	MaxContacts = 10
	MaxTitle    = 100 // characters of a contact's title
	PageSize    = 30  // organisations per directory page
)

// PostSummary is one post as the directory shows it: on an organisation's
// profile ("what it does on the platform") and on country pages.
type PostSummary struct {
	ID          string    `json:"id"`
	Title       text.Text `json:"title"`
	Kind        string    `json:"kind"`    // the post's kind, a message key suffix of the posts part
	Country     string    `json:"country"` // ISO 3166-1 alpha-2, "" for none
	Path        string    `json:"path"`    // the post's page, e.g. /network/posts/{id}
	PublishedAt time.Time `json:"published_at"`
}

// PostLister gives the recent posts the viewer may see (the posts part
// applies the sharing model), newest first.
type PostLister interface {
	ByOrg(ctx context.Context, v *web.Viewer, orgID string, limit int) ([]PostSummary, error)
	ByCountry(ctx context.Context, v *web.Viewer, country string, limit int) ([]PostSummary, error)
}

// Figure is one headline figure of a country page: Key is a counted
// message key ({n} is Value).
type Figure struct {
	Key   string `json:"key"`
	Value int    `json:"value"`
}

// FigureSource computes figures for a country, as the viewer may see them.
type FigureSource func(ctx context.Context, v *web.Viewer, country string) ([]Figure, error)

// Type is the shareable record that holds an organisation's logo: one per
// organisation, whose id is the organisation's id.
var Type = sharing.Type{Name: "network.profile", Table: "network_profiles"}

// Service serves the directory, the profiles and the country pages.
type Service struct {
	DB      *db.DB
	Clock   clock.Clock
	Site    *web.Site
	Core    *network.Core
	Orgs    *org.Service
	Files   *files.Service
	Sharing *sharing.Service
	Audit   account.Auditor
	// Posts lists posts; nil until the posts part is wired (no posts shown).
	Posts PostLister

	mu      sync.Mutex
	figures []FigureSource
}

// ProfileType returns the profile record type with its page: the profile
// editor of the organisation, where the logo is managed.
func (s *Service) ProfileType() sharing.Type {
	t := Type
	t.Path = func(id string) string {
		var slug string
		if err := s.DB.R.QueryRowContext(context.Background(), `SELECT slug FROM orgs WHERE id = $1`, id).Scan(&slug); err != nil {
			return "/network/orgs"
		}
		return "/network/orgs/" + slug + "/edit"
	}
	return t
}

// AddFigures registers a source of country figures; later modules add theirs.
func (s *Service) AddFigures(src FigureSource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.figures = append(s.figures, src)
}

// Figures computes every registered figure for a country.
func (s *Service) Figures(ctx context.Context, v *web.Viewer, country string) ([]Figure, error) {
	s.mu.Lock()
	srcs := slices.Clone(s.figures)
	s.mu.Unlock()
	out := []Figure{}
	for _, src := range srcs {
		fs, err := src(ctx, v, country)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}

// Figure keys of the directory's own figures.
const (
	FigureOrgs    = "network.directory.figure.orgs"
	FigureMembers = "network.directory.figure.members"
)

// OrgFigures counts a country's organisations (based there or working
// there) and, of those, the network's members. Profiles are public: every
// viewer gets the same numbers.
func (s *Service) OrgFigures(ctx context.Context, _ *web.Viewer, country string) ([]Figure, error) {
	args := &db.Args{}
	in := countryCondition(country, args)
	member := s.Core.MemberCondition("o.id", args)
	var orgs, members int
	err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN `+member+` THEN 1 ELSE 0 END), 0)
		FROM orgs o WHERE o.kind <> 'programme_office' AND `+in, args.List()...).Scan(&orgs, &members)
	if err != nil {
		return nil, errs.Wrap("network.directory figures", err)
	}
	return []Figure{{Key: FigureOrgs, Value: orgs}, {Key: FigureMembers, Value: members}}, nil
}

// countryCondition is true when the organisation o is based in country or
// works there.
func countryCondition(country string, args *db.Args) string {
	c := args.Add(country)
	return `o.id IN (SELECT id FROM orgs WHERE country = ` + c + ` UNION SELECT org_id FROM network_countries WHERE country = ` + c + `)`
}

// Partner reports whether code is one of the countries with a page: the
// 54 African states and China.
func Partner(code string) bool {
	c, ok := geo.Lookup(code)
	return ok && (c.African || c.Code == "CN")
}

// Languages are the languages an organisation may say it works in, in the
// profile form and the directory's filter: the platform's, the continent's
// widely written ones and a few more of business.
var Languages = []string{
	"zh", "en", "fr", "ar", "pt", "sw", "es", "am", "ha", "yo", "ig", "zu", "xh", "so", "om", "rw", "mg", "ln",
	"wo", "ff", "ti", "af", "st", "tn", "sn", "ny", "rn", "lg", "de", "ru", "it", "ja", "ko", "hi", "tr",
}

// Option is one entry of a menu, named in the reader's language.
type Option = i18n.Option

// LanguageName names a language in the reader's language (CLDR names).
func LanguageName(lang, code string) string { return i18n.LanguageName(lang, code) }

// LanguageOptions lists Languages by name in the reader's language.
func LanguageOptions(lang string) []Option {
	return i18n.Menu("network.languages", lang, func() []Option {
		out := make([]Option, 0, len(Languages))
		for _, c := range Languages {
			out = append(out, Option{Code: c, Name: LanguageName(lang, c)})
		}
		return out
	})
}

// CountryOptions lists the partner countries (Africa's 54 and China) by
// name in the reader's language.
func CountryOptions(lang string) []Option {
	return i18n.Menu("network.countries", lang, func() []Option {
		var out []Option
		for _, c := range geo.All() {
			if c.African || c.Code == "CN" {
				out = append(out, Option{Code: c.Code, Name: c.Name(lang)})
			}
		}
		return out
	})
}

// CountryName names a country in the reader's language.
func CountryName(lang, code string) string {
	if c, ok := geo.Lookup(code); ok {
		return c.Name(lang)
	}
	return code
}

// Contact is a person an organisation shows on its profile.
type Contact struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	Title  string `json:"title"`
}

// ContactInput is one contact an admin chooses: a member and their title.
type ContactInput struct {
	UserID string `json:"user_id"`
	Title  string `json:"title"`
}

// Contacts lists the contact persons an organisation chose to show, in
// their order: only people who are still its members.
func (s *Service) Contacts(ctx context.Context, orgID string) ([]Contact, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT u.id, u.name, COALESCE(u.email, ''), c.title FROM network_contacts c
		JOIN memberships m ON m.org_id = c.org_id AND m.user_id = c.user_id JOIN users u ON u.id = c.user_id
		WHERE c.org_id = $1 AND u.deleted_at IS NULL ORDER BY c.position, u.id`, orgID)
	if err != nil {
		return nil, errs.Wrap("network.directory contacts", err)
	}
	defer rows.Close()
	out := []Contact{}
	for rows.Next() {
		var c Contact
		if err := rows.Scan(&c.UserID, &c.Name, &c.Email, &c.Title); err != nil {
			return nil, errs.Wrap("network.directory contacts", err)
		}
		out = append(out, c)
	}
	return out, errs.Wrap("network.directory contacts", rows.Err())
}

// htmlTag finds markup in user text: tags, comments, declarations.
var htmlTag = regexp.MustCompile(`<[A-Za-z!/?]`)

// HasHTML reports whether s holds what looks like HTML markup, which
// profiles refuse: text is shown as text, and markup in it is a mistake
// or an attack.
func HasHTML(s string) bool { return htmlTag.MatchString(s) }

// checkDetail checks a need's free text beyond the core's rules: no markup,
// and a version in its original language whenever it has any (readers fall
// back to it, and the core keeps only text that has it).
func checkDetail(t text.Text) string {
	if len(t.Versions) == 0 {
		return ""
	}
	for _, v := range t.Versions {
		if HasHTML(v.Text) {
			return "network.directory.error.html"
		}
	}
	if t.Versions[t.Original].Text == "" {
		return "text.error.required"
	}
	return ""
}

// checkTitle checks a contact's title.
func checkTitle(title string) string {
	switch {
	case utf8.RuneCountInString(title) > MaxTitle:
		return "network.directory.error.title_long"
	case !web.CleanText(title) || strings.ContainsAny(title, "\t\r\n"):
		return "network.directory.error.title_line"
	case HasHTML(title):
		return "network.directory.error.html"
	}
	return ""
}

// ProfileInput is a whole network profile, as an admin saves it.
type ProfileInput struct {
	network.ProfileInput
	Contacts []ContactInput
}

var errForbidden = errs.E("network.directory", errs.Forbidden, "error.forbidden")

// Check validates the input for an organisation, with field errors keyed
// countries, languages, needs.N (and needs.N.detail), contacts and
// contacts.N. members are the ids of the organisation's members.
func (in *ProfileInput) Check(members map[string]bool) error {
	bad := map[string]string{}
	core := in.ProfileInput
	var fe *errs.Error
	if err := core.Check(); errors.As(err, &fe) {
		for k, v := range fe.Fields {
			bad[k] = v
		}
	} else if err != nil {
		return err
	}
	for i, n := range in.Needs {
		if key := checkDetail(n.Detail); key != "" {
			bad["needs."+itoa(i)+".detail"] = key
		}
		for l, ver := range n.Detail.Versions {
			switch {
			case !i18n.Supported(l):
				bad["needs."+itoa(i)+".detail"] = "text.error.language"
			case utf8.RuneCountInString(ver.Text) > network.MaxDetail:
				bad["needs."+itoa(i)+".detail"] = "text.error.long"
			}
		}
		if n.Detail.Original != "" && !i18n.Supported(n.Detail.Original) {
			bad["needs."+itoa(i)+".detail"] = "text.error.original"
		}
		// The core's own message for a text is a general one: ours says what is wrong.
		if _, ok := bad["needs."+itoa(i)+".detail"]; ok && !strings.HasPrefix(bad["needs."+itoa(i)], "network.error.") {
			delete(bad, "needs."+itoa(i))
		}
	}
	if len(in.Contacts) > MaxContacts {
		bad["contacts"] = "network.error.too_many"
	}
	seen := map[string]bool{}
	for i, c := range in.Contacts {
		c.Title = strings.TrimSpace(c.Title)
		in.Contacts[i].Title = c.Title
		switch {
		case !members[c.UserID] || seen[c.UserID]:
			bad["contacts."+itoa(i)] = "network.directory.error.contact"
		default:
			if key := checkTitle(c.Title); key != "" {
				bad["contacts."+itoa(i)] = key
			}
		}
		seen[c.UserID] = true
	}
	if len(bad) > 0 {
		return errs.Field("network.profile", bad)
	}
	return nil
}

// memberIDs returns the ids of an organisation's members.
func (s *Service) memberIDs(ctx context.Context, orgID string) (map[string]bool, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.org_id = $1 AND u.deleted_at IS NULL`, orgID)
	if err != nil {
		return nil, errs.Wrap("network.directory members", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, errs.Wrap("network.directory members", err)
		}
		out[id] = true
	}
	return out, errs.Wrap("network.directory members", rows.Err())
}

// ensureRecord makes the organisation's profile record (CLEAR, published)
// if it has none.
func (s *Service) ensureRecord(ctx context.Context, q db.Querier, orgID string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO network_profiles (id, owner_org, marking, state, updated_at)
		VALUES ($1, $1, 'clear', 'published', $2) ON CONFLICT (id) DO NOTHING`, orgID, s.Clock.Now())
	return errs.Wrap("network.directory profile record", err)
}

// SaveProfile replaces an organisation's network profile and contacts;
// only its admins may. Nothing changes when anything is wrong.
func (s *Service) SaveProfile(ctx context.Context, v *web.Viewer, o *org.Org, in ProfileInput, ip string) error {
	if v == nil || !s.Orgs.IsAdmin(v, o.ID) {
		return errForbidden
	}
	members, err := s.memberIDs(ctx, o.ID)
	if err != nil {
		return err
	}
	if err := in.Check(members); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.ensureRecord(ctx, tx, o.ID); err != nil {
			return err
		}
		if err := s.Core.Save(ctx, tx, o.ID, in.ProfileInput); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM network_contacts WHERE org_id = $1`, o.ID); err != nil {
			return errs.Wrap("network.directory save contacts", err)
		}
		for i, c := range in.Contacts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO network_contacts (org_id, user_id, title, position) VALUES ($1, $2, $3, $4)`,
				o.ID, c.UserID, c.Title, i); err != nil {
				return errs.Wrap("network.directory save contacts", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE network_profiles SET updated_at = $1 WHERE id = $2`, s.Clock.Now(), o.ID); err != nil {
			return errs.Wrap("network.directory save", err)
		}
		if s.Audit == nil {
			return nil
		}
		return s.Audit.Record(ctx, tx, "network.profile.saved", v.Pseudonym, o.ID, Type.Name, o.ID, ip,
			map[string]any{"countries": len(in.Countries), "languages": len(in.Languages), "needs": len(in.Needs), "contacts": len(in.Contacts)})
	})
}

// LogoView is a logo as pages show it: its thumbnail.
type LogoView struct {
	ID            string
	Width, Height int
}

// logoView returns the thumbnail of a logo, nil for none.
func logoView(f *files.File) *LogoView {
	if f == nil {
		return nil
	}
	r, ok := f.Rendition(files.Thumb)
	if !ok {
		return nil
	}
	return &LogoView{ID: f.ID, Width: r.Width, Height: r.Height}
}

// Logo returns the organisation's logo, the first image its profile
// record holds that the viewer may see; nil when there is none.
func (s *Service) Logo(ctx context.Context, v *web.Viewer, orgID string) (*files.File, error) {
	fs, _, err := s.Files.List(ctx, v, Type.Name, orgID)
	if errs.Is(err, errs.NotFound) {
		return nil, nil // no record yet, or hidden from the viewer
	}
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		if _, ok := f.Rendition(files.Thumb); ok {
			return f, nil
		}
	}
	return nil, nil
}

// SetLogo replaces the organisation's logo with an uploaded image; only
// its admins may. The old logo's files go once the new one is stored.
func (s *Service) SetLogo(ctx context.Context, v *web.Viewer, o *org.Org, up files.Upload, ip string) (*files.File, error) {
	if v == nil || !s.Orgs.IsAdmin(v, o.ID) {
		return nil, errForbidden
	}
	if err := s.ensureRecord(ctx, s.DB.W, o.ID); err != nil {
		return nil, err
	}
	old, _, err := s.Files.List(ctx, v, Type.Name, o.ID)
	if err != nil {
		return nil, err
	}
	up.Allowed = imagesOnly
	f, err := s.Files.Save(ctx, v, Type.Name, o.ID, up, ip)
	if err != nil {
		return nil, err
	}
	for _, x := range old {
		if _, err := s.Files.Delete(ctx, v, x.ID, ip); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// imagesOnly are the kinds a logo may be.
var imagesOnly = []upload.Kind{upload.Image}

func itoa(n int) string { return strconv.Itoa(n) }

// atoi reads a small non-negative number, -1 when s is not one.
func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 10000 {
		return -1
	}
	return n
}
