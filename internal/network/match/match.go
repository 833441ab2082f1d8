// Package match suggests partners: organisations whose offers meet an
// organisation's needs and whose needs its offers meet, in the countries it
// works in, ranked, each with the reasons in the reader's language. An
// organisation's members save suggestions (matches accepted) or dismiss
// them (never suggested again unless restored).
//
// # What matches
//
// For an organisation O, a partner P is suggested when P is active (not a
// programme office, and at least one of its members has an account that is
// neither deleted nor suspended), P is not O, P and O work in at least one
// common country (the countries of each one's network profile, plus its
// home country), and P offers a sector O seeks or seeks a sector O offers.
// Each such sector is one reason: "offers <sector> in <shared countries>,
// which you seek", or "seeks <sector> in <shared countries>, which you
// offer", followed by P's own free text about that need.
//
// # Ranking
//
// Suggestions are ordered by, in turn:
//  1. two-way matches first (P offers something O seeks and seeks something O offers);
//  2. more matching sectors (offer and seek reasons counted separately);
//  3. more shared countries;
//  4. verified organisations first;
//  5. members of the cooperation network first;
//  6. the organisation's name in its original language, then its id.
//
// Every key is a fact about P and O, so the order is the same for every
// reader and on both engines.
package match

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"slices"
	"strings"
	"time"

	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/network"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates
var templateFS embed.FS

// Migrations create the table of saved and dismissed suggestions.
var Migrations = db.Embedded("network_match", migrationFS, "migrations")

// Choices an organisation makes about a suggestion.
const (
	Saved     = "saved"
	Dismissed = "dismissed"
)

// Actions on a suggestion, as the pages and the API name them.
const (
	ActionSave    = "save"
	ActionDismiss = "dismiss"
	ActionRestore = "restore"
)

// Statuses of the lists: open suggestions, saved ones, dismissed ones.
var Statuses = []string{"suggested", Saved, Dismissed}

// Service computes suggestions and keeps the choices made about them.
type Service struct {
	Core  *network.Core
	DB    *db.DB
	Clock clock.Clock
	Site  *web.Site
}

// Partner is a suggested organisation as the lists show it.
type Partner struct {
	ID       string    `json:"id"`
	Slug     string    `json:"slug"`
	Name     string    `json:"name"` // in its original language
	Names    text.Text `json:"-"`
	Kind     string    `json:"kind"`
	Country  string    `json:"country"`
	Verified bool      `json:"verified"`
	Member   bool      `json:"network_member"`
}

// Reason is one sector in which two organisations meet.
type Reason struct {
	// Direction is network.Offer when the partner offers what the
	// organisation seeks, network.Seek when it seeks what the organisation
	// offers.
	Direction string
	Sector    string
	Countries []string    // the countries both work in, sorted
	Details   []text.Text // the partner's own free text about this need
}

// Suggestion is one partner suggested to an organisation.
type Suggestion struct {
	Partner Partner
	TwoWay  bool
	Sectors int      // matching sectors, offers and seeks counted apart
	Shared  []string // countries both work in, sorted
	Reasons []Reason
	Choice  string // "", Saved or Dismissed
	// DecidedAt is when the choice was made.
	DecidedAt time.Time
}

// orgRow is what matching needs to know of an organisation.
type orgRow struct {
	Partner
}

// activeCondition is true for an organisation (alias o) that is not a
// programme office and has at least one member who can still act.
const activeCondition = `o.kind <> 'programme_office' AND EXISTS (SELECT 1 FROM memberships am JOIN users au ON au.id = am.user_id
	WHERE am.org_id = o.id AND au.deleted_at IS NULL AND au.suspended_at IS NULL)`

// orgs loads organisations by id, with their membership of the network.
func (s *Service) orgs(ctx context.Context, ids []string, activeOnly bool) (map[string]*orgRow, error) {
	out := map[string]*orgRow{}
	if len(ids) == 0 {
		return out, nil
	}
	args := &db.Args{}
	in := make([]string, len(ids))
	for i, id := range ids {
		in[i] = args.Add(id)
	}
	where := `o.id IN (` + strings.Join(in, ", ") + `)`
	if activeOnly {
		where += ` AND ` + activeCondition
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT o.id, o.slug, o.name, o.names, o.kind, o.country, o.verified_at IS NOT NULL, `+
		s.Core.MemberCondition("o.id", args)+` FROM orgs o WHERE `+where, args.List()...)
	if err != nil {
		return nil, errs.Wrap("match orgs", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r orgRow
		var names string
		if err := rows.Scan(&r.ID, &r.Slug, &r.Name, &names, &r.Kind, &r.Country, &r.Verified, &r.Member); err != nil {
			return nil, errs.Wrap("match orgs", err)
		}
		if names != "" {
			if err := r.Names.Scan(names); err != nil {
				return nil, errs.Wrap("match orgs", err)
			}
		}
		out[r.ID] = &r
	}
	return out, errs.Wrap("match orgs", rows.Err())
}

// worksIn is the sorted set of countries an organisation works in: those
// of its profile and its home country.
func worksIn(home string, p *network.Profile) []string {
	out := slices.Clone(p.Countries)
	if home != "" && !slices.Contains(out, home) {
		out = append(out, home)
	}
	slices.Sort(out)
	return out
}

func sectorsOf(needs []network.Need) []string {
	var out []string
	for _, n := range needs {
		if !slices.Contains(out, n.Sector) {
			out = append(out, n.Sector)
		}
	}
	slices.Sort(out)
	return out
}

// Suggest computes every partner of an organisation, ranked, with the
// choices made about them (dismissed ones included: callers filter).
func (s *Service) Suggest(ctx context.Context, orgID string) ([]Suggestion, error) {
	self, err := s.orgs(ctx, []string{orgID}, false)
	if err != nil {
		return nil, err
	}
	me, ok := self[orgID]
	if !ok {
		return nil, errs.E("match", errs.NotFound, "error.not_found")
	}
	mine, err := s.Core.Profile(ctx, orgID)
	if err != nil {
		return nil, err
	}
	countries := worksIn(me.Country, mine)
	seeks, offers := sectorsOf(mine.Seeks), sectorsOf(mine.Offers)
	var ids []string
	if len(countries) > 0 && len(seeks)+len(offers) > 0 {
		if ids, err = s.candidates(ctx, orgID, countries, seeks, offers); err != nil {
			return nil, err
		}
	}
	partners, err := s.orgs(ctx, ids, true)
	if err != nil {
		return nil, err
	}
	profiles, err := s.Core.Profiles(ctx, ids)
	if err != nil {
		return nil, err
	}
	choices, err := s.choices(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var out []Suggestion
	for _, id := range ids {
		p, ok := partners[id]
		if !ok {
			continue // not active
		}
		sg := meet(countries, seeks, offers, worksIn(p.Country, profiles[id]), profiles[id])
		if len(sg.Reasons) == 0 {
			continue
		}
		sg.Partner = p.Partner
		if c, ok := choices[id]; ok {
			sg.Choice, sg.DecidedAt = c.choice, c.at
		}
		out = append(out, sg)
		delete(choices, id)
	}
	// Partners chosen before that no longer match stay listed as saved or
	// dismissed, without reasons, so that they can still be restored.
	var gone []string
	for id := range choices {
		gone = append(gone, id)
	}
	former, err := s.orgs(ctx, gone, true)
	if err != nil {
		return nil, err
	}
	for id, p := range former {
		out = append(out, Suggestion{Partner: p.Partner, Choice: choices[id].choice, DecidedAt: choices[id].at})
	}
	Rank(out)
	return out, nil
}

// meet finds the reasons two organisations meet: the partner (pCountries,
// p) against the organisation's countries, seeks and offers.
func meet(countries, seeks, offers, pCountries []string, p *network.Profile) Suggestion {
	var sg Suggestion
	for _, c := range pCountries {
		if slices.Contains(countries, c) {
			sg.Shared = append(sg.Shared, c)
		}
	}
	if len(sg.Shared) == 0 {
		return sg
	}
	add := func(dir string, theirs []network.Need, ours []string) bool {
		found := false
		for _, sector := range sectorsOf(theirs) {
			if !slices.Contains(ours, sector) {
				continue
			}
			r := Reason{Direction: dir, Sector: sector, Countries: sg.Shared}
			for _, n := range theirs {
				if n.Sector == sector && !n.Detail.IsZero() {
					r.Details = append(r.Details, n.Detail)
				}
			}
			sg.Reasons = append(sg.Reasons, r)
			found = true
		}
		return found
	}
	offersWhatISeek := add(network.Offer, p.Offers, seeks)
	seeksWhatIOffer := add(network.Seek, p.Seeks, offers)
	sg.TwoWay = offersWhatISeek && seeksWhatIOffer
	sg.Sectors = len(sg.Reasons)
	return sg
}

// Rank orders suggestions by the ranking in the package documentation.
func Rank(list []Suggestion) {
	slices.SortStableFunc(list, func(a, b Suggestion) int {
		return cmp.Or(
			-boolCmp(a.TwoWay, b.TwoWay),
			-cmp.Compare(a.Sectors, b.Sectors),
			-cmp.Compare(len(a.Shared), len(b.Shared)),
			-boolCmp(a.Partner.Verified, b.Partner.Verified),
			-boolCmp(a.Partner.Member, b.Partner.Member),
			strings.Compare(a.Partner.Name, b.Partner.Name),
			strings.Compare(a.Partner.ID, b.Partner.ID))
	})
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// candidates returns the ids of the organisations that offer a sector the
// organisation seeks or seek one it offers, and work (or are at home) in
// one of its countries, in id order. Activity is checked by the caller.
func (s *Service) candidates(ctx context.Context, orgID string, countries, seeks, offers []string) ([]string, error) {
	args := &db.Args{}
	list := func(vals []string) string {
		ph := make([]string, len(vals))
		for i, v := range vals {
			ph[i] = args.Add(v)
		}
		return strings.Join(ph, ", ")
	}
	var meets []string
	if len(seeks) > 0 {
		meets = append(meets, `(n.direction = 'offer' AND n.sector IN (`+list(seeks)+`))`)
	}
	if len(offers) > 0 {
		meets = append(meets, `(n.direction = 'seek' AND n.sector IN (`+list(offers)+`))`)
	}
	cs := list(countries)
	self := args.Add(orgID)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT DISTINCT n.org_id FROM network_needs n JOIN orgs o ON o.id = n.org_id
		WHERE (`+strings.Join(meets, " OR ")+`) AND n.org_id <> `+self+` AND o.kind <> 'programme_office'
		AND (o.country IN (`+cs+`) OR EXISTS (SELECT 1 FROM network_countries nc WHERE nc.org_id = n.org_id AND nc.country IN (`+cs+`)))
		ORDER BY n.org_id`, args.List()...)
	if err != nil {
		return nil, errs.Wrap("match candidates", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, errs.Wrap("match candidates", err)
		}
		ids = append(ids, id)
	}
	return ids, errs.Wrap("match candidates", rows.Err())
}

type choice struct {
	choice string
	at     time.Time
}

func (s *Service) choices(ctx context.Context, orgID string) (map[string]choice, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT partner_id, choice, decided_at FROM network_match_choices WHERE org_id = $1`, orgID)
	if err != nil {
		return nil, errs.Wrap("match choices", err)
	}
	defer rows.Close()
	out := map[string]choice{}
	for rows.Next() {
		var id string
		var c choice
		if err := rows.Scan(&id, &c.choice, &c.at); err != nil {
			return nil, errs.Wrap("match choices", err)
		}
		out[id] = c
	}
	return out, errs.Wrap("match choices", rows.Err())
}

// Text is the reason in the reader's language: "Offers Cloud and data
// centres in Kenya, which you seek". The partner's free text is apart, in
// Detail.
func (r Reason) Text(p *i18n.Printer) string {
	names := make([]string, len(r.Countries))
	for i, cc := range r.Countries {
		names[i] = cc
		if c, ok := geo.Lookup(cc); ok {
			names[i] = c.Name(p.Lang)
		}
	}
	return p.T("network.match.reason."+r.Direction, "sector", p.T("sector."+r.Sector),
		"countries", strings.Join(names, p.T("network.match.separator")))
}

// Detail is the partner's free text about the need in the reader's
// language (or the nearest version), several joined by " · ", with the
// language of the first.
func (r Reason) Detail(lang string) (string, string) {
	var parts []string
	first := ""
	for _, d := range r.Details {
		s, l := d.In(lang)
		if s == "" {
			continue
		}
		if first == "" {
			first = l
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " · "), first
}

// NameIn is the partner's name for a reader of lang, else its original name.
func (p Partner) NameIn(lang string) string {
	if s, _ := p.Names.In(lang); s != "" {
		return s
	}
	return p.Name
}

// Choose saves, dismisses or restores a suggestion of a partner for an
// organisation, on behalf of one of its members. Only current suggestions
// are saved or dismissed; only saved or dismissed ones are restored.
func (s *Service) Choose(ctx context.Context, v *web.Viewer, orgID, partnerSlug, action string) (*Suggestion, error) {
	if _, ok := v.Member(orgID); !ok {
		return nil, errs.E("match", errs.NotFound, "error.not_found")
	}
	if action != ActionSave && action != ActionDismiss && action != ActionRestore {
		return nil, errs.Field("match", map[string]string{"action": "network.match.error.action"})
	}
	list, err := s.Suggest(ctx, orgID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(list, func(sg Suggestion) bool { return sg.Partner.Slug == partnerSlug && partnerSlug != "" })
	if i < 0 || action == ActionRestore && list[i].Choice == "" {
		return nil, errs.Field("match", map[string]string{"partner": "network.match.error.partner"})
	}
	sg := list[i]
	now := s.Clock.Now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if action == ActionRestore {
			_, err := tx.ExecContext(ctx, `DELETE FROM network_match_choices WHERE org_id = $1 AND partner_id = $2`, orgID, sg.Partner.ID)
			return errs.Wrap("match restore", err)
		}
		c := map[string]string{ActionSave: Saved, ActionDismiss: Dismissed}[action]
		_, err := tx.ExecContext(ctx, `INSERT INTO network_match_choices (org_id, partner_id, choice, decided_by, decided_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, partner_id) DO UPDATE SET choice = $3, decided_by = $4, decided_at = $5`,
			orgID, sg.Partner.ID, c, v.ID, now)
		return errs.Wrap("match choose", err)
	})
	if err != nil {
		return nil, err
	}
	sg.Choice, sg.DecidedAt = "", time.Time{}
	if action != ActionRestore {
		sg.Choice, sg.DecidedAt = map[string]string{ActionSave: Saved, ActionDismiss: Dismissed}[action], now
	}
	return &sg, nil
}

// Filter keeps the suggestions of a status: "suggested" (no choice made),
// Saved or Dismissed. Saved and dismissed ones come newest choice first.
func Filter(list []Suggestion, status string) []Suggestion {
	var out []Suggestion
	for _, sg := range list {
		if sg.Choice == status || status == "suggested" && sg.Choice == "" {
			out = append(out, sg)
		}
	}
	if status != "suggested" {
		slices.SortStableFunc(out, func(a, b Suggestion) int { return -a.DecidedAt.Compare(b.DecidedAt) })
	}
	return out
}
