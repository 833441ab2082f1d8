// Package agreements is the register of agreements, MoUs and cooperation
// documents between organisations and between governments: who the parties
// are, what kind of document it is, when it was signed, when it takes
// effect and expires, what it covers, the languages of the signed texts and
// the event where it was signed. CERT agreements, bilateral e-commerce
// mechanisms and the outcomes of forums are all kept here.
//
// An agreement is a shareable record (type "agreements.agreement"): it has
// an owner organisation — the one that registers and edits it, which need
// not be a party — a TLP marking and a state, and every list, search, count,
// export, API answer and indicator goes through sharing.Visible. The owner's
// admins and editors are reminded 90, 30 and 7 days before it expires.
package agreements

import (
	"context"
	"embed"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/notify"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/search"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates
var templateFS embed.FS

// Migrations creates the agreements, their parties and the reminders sent.
var Migrations = db.Embedded("agreements", migrationFS, "migrations")

// TypeName is the sharing type of an agreement.
const TypeName = "agreements.agreement"

// Type is the sharing type the wiring declares.
var Type = sharing.Type{Name: TypeName, Table: "agreements", Title: "title_plain", EditorRoles: []string{"editor"},
	Path: func(id string) string { return "/agreements/" + id }}

// Kinds are the kinds of document, in menu order (keys agreements.kind.K).
var Kinds = []string{"mou", "agreement", "framework", "action_plan", "joint_statement", "letter_of_intent", "protocol", "contract", "other"}

// The kinds of party.
const (
	PartyOrg        = "org"        // an organisation of the platform
	PartyGovernment = "government" // the government of a country
	PartyOther      = "other"      // another body, named in full
)

// PartyKinds lists the kinds of party (keys agreements.party_kind.K).
var PartyKinds = []string{PartyOrg, PartyGovernment, PartyOther}

// The statuses of an agreement, derived from its dates.
const (
	InForce       = "in_force"
	Expired       = "expired"
	NotYetInForce = "not_yet_in_force"
	// Expiring is a filter, not a status: in force and expiring within
	// ExpiringWithin.
	Expiring = "expiring"
)

// Statuses lists the statuses (keys agreements.status.S).
var Statuses = []string{InForce, Expired, NotYetInForce}

// StatusFilters are the values of the status filter (keys agreements.filter.S).
var StatusFilters = []string{InForce, Expiring, Expired, NotYetInForce}

// ExpiringWithin is how far ahead the "expiring" filter looks.
const ExpiringWithin = 90 * 24 * time.Hour

// Limits of the fields, in characters.
const (
	TitleMax   = 300
	ScopeMax   = 5000
	NameMax    = 300 // a party's or an event's name
	CityMax    = 100
	MaxParties = 50
)

// Editors are the organisation roles that register and edit agreements.
var Editors = []string{org.RoleAdmin, "editor"}

// Notifier delivers a notification to the members of an organisation who
// hold one of roles; the notify service is one.
type Notifier interface {
	SendOrg(ctx context.Context, q db.Querier, orgID string, roles []string, n notify.Note) error
}

// ExpiryKind is the notification kind of the reminders before expiry.
var ExpiryKind = notify.Kind{Name: "agreements.expiry", Default: notify.Now}

// Service keeps the register.
type Service struct {
	DB     *db.DB
	Clock  clock.Clock
	Site   *web.Site
	Search *search.Service
	Audit  account.Auditor
	// Notify sends the reminders before expiry; none are sent (nor marked
	// sent) while it is nil.
	Notify Notifier
	// Files shows and takes the signed texts on the record page.
	Files interface {
		Section(r *http.Request, recordType, recordID string) (template.HTML, error)
	}
}

// Party is one party to an agreement.
type Party struct {
	Kind    string
	OrgID   string // PartyOrg
	OrgSlug string
	OrgName string
	Country string // PartyGovernment; optional for PartyOther; the organisation's for PartyOrg
	Name    string // PartyOther
}

// Event is where an agreement was signed.
type Event struct {
	Name    string
	City    string
	Country string
	Date    *time.Time
}

// IsZero reports whether no event is recorded.
func (e Event) IsZero() bool { return e.Name == "" && e.City == "" && e.Country == "" && e.Date == nil }

// Summary is what lists show of an agreement.
type Summary struct {
	ID            string
	Kind          string
	Title         text.Text
	TitlePlain    string
	Parties       []Party
	SignedOn      time.Time
	EffectiveFrom *time.Time
	ExpiresOn     *time.Time
	OwnerOrg      string
	Marking       sharing.Marking
	State         sharing.State
	CreatedAt     time.Time
}

// Agreement is one registered document.
type Agreement struct {
	Summary
	Scope     text.Text
	Sectors   []string
	Actions   []string
	Languages []string
	Event     Event
	OwnerSlug string
	OwnerName string
	CreatedBy string
	UpdatedAt time.Time
}

// Path is the agreement's page.
func (s *Summary) Path() string { return Type.Path(s.ID) }

// Status is the agreement's status on the given day.
func (s *Summary) Status(today time.Time) string {
	start := s.SignedOn
	if s.EffectiveFrom != nil {
		start = *s.EffectiveFrom
	}
	switch {
	case start.After(today):
		return NotYetInForce
	case s.ExpiresOn != nil && s.ExpiresOn.Before(today):
		return Expired
	}
	return InForce
}

// day is the calendar day of t, as midnight UTC: how dates are stored.
func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// TextInput is translatable text as forms and the API give it.
type TextInput = text.Input

// PartyInput is a party as forms and the API give it.
type PartyInput struct {
	Kind    string `json:"kind"`
	Org     string `json:"org,omitempty"`     // the organisation's slug, for "org"
	Country string `json:"country,omitempty"` // ISO 3166-1 alpha-2, for "government" and optionally "other"
	Name    string `json:"name,omitempty"`    // for "other"
}

// EventInput is the event of signature as forms and the API give it.
type EventInput struct {
	Name    string `json:"name"`
	City    string `json:"city"`
	Country string `json:"country"`
	Date    string `json:"date"`
}

// Input is what registering or editing an agreement takes. Dates are
// YYYY-MM-DD; empty optional dates mean none.
type Input struct {
	OwnerOrg      string // on registration: the organisation that owns the record
	Marking       string // on registration: the initial marking, amber when empty
	Kind          string
	Title         TextInput
	Scope         TextInput
	Parties       []PartyInput
	SignedOn      string
	EffectiveFrom string
	ExpiresOn     string
	Sectors       []string
	Actions       []string
	Languages     []string
	Event         EventInput
}

// apply validates in and, when it is valid, writes it into a, keeping the
// authors of unchanged translations. Organisation parties carry only their
// slug (OrgSlug) until the service resolves them. It returns the fields at
// fault, keyed as the form names them (empty when none).
func (in Input) apply(a *Agreement, by string, now time.Time) map[string]string {
	fields := map[string]string{}
	in.Kind = strings.TrimSpace(in.Kind)
	if !slices.Contains(Kinds, in.Kind) {
		fields["kind"] = "agreements.error.kind"
	}
	title, bad := in.Title.Apply("title", a.Title, text.Limits{Required: true, Max: TitleMax}, by, now)
	for k, v := range bad {
		fields[k] = v
	}
	if in.Scope.Original == "" {
		in.Scope.Original = in.Title.Original // a scope left empty needs no language of its own
	}
	scope, bad := in.Scope.Apply("scope", a.Scope, text.Limits{Max: ScopeMax}, by, now)
	for k, v := range bad {
		fields[k] = v
	}
	parties, bad := checkParties(in.Parties)
	for k, v := range bad {
		fields[k] = v
	}
	signed, ok := parseDate(in.SignedOn, true)
	if !ok {
		fields["signed_on"] = "agreements.error.date"
	}
	effective, ok := parseOptionalDate(in.EffectiveFrom)
	if !ok {
		fields["effective_from"] = "agreements.error.date"
	}
	expires, ok := parseOptionalDate(in.ExpiresOn)
	switch {
	case !ok:
		fields["expires_on"] = "agreements.error.date"
	case expires != nil && fields["signed_on"] == "" && expires.Before(signed):
		fields["expires_on"] = "agreements.error.expires_before_signed"
	case expires != nil && effective != nil && expires.Before(*effective):
		fields["expires_on"] = "agreements.error.expires_before_effective"
	}
	sectors, ok := vocabulary(in.Sectors, org.Sectors)
	if !ok {
		fields["sectors"] = "agreements.error.sector"
	}
	actions, ok := vocabulary(in.Actions, Actions)
	if !ok {
		fields["actions"] = "agreements.error.action"
	}
	langs, ok := vocabulary(in.Languages, LanguageCodes)
	if !ok {
		fields["languages"] = "agreements.error.language"
	}
	ev := Event{Name: strings.TrimSpace(in.Event.Name), City: strings.TrimSpace(in.Event.City),
		Country: strings.ToUpper(strings.TrimSpace(in.Event.Country))}
	if utf8.RuneCountInString(ev.Name) > NameMax {
		fields["event_name"] = "agreements.error.long"
	}
	if utf8.RuneCountInString(ev.City) > CityMax {
		fields["event_city"] = "agreements.error.long"
	}
	if ev.Country != "" && !geo.IsValid(ev.Country) {
		fields["event_country"] = "agreements.error.country"
	}
	if ev.Date, ok = parseOptionalDate(in.Event.Date); !ok {
		fields["event_date"] = "agreements.error.date"
	}
	if len(fields) > 0 {
		return fields
	}
	a.Kind, a.Title, a.TitlePlain, a.Scope, a.Parties = in.Kind, title, title.String(), scope, parties
	a.SignedOn, a.EffectiveFrom, a.ExpiresOn = signed, effective, expires
	a.Sectors, a.Actions, a.Languages, a.Event = sectors, actions, langs, ev
	return fields
}

// checkParties validates the parties, without resolving organisations.
// Rows with nothing in them are skipped: forms offer spare rows.
func checkParties(in []PartyInput) ([]Party, map[string]string) {
	var out []Party
	fields := map[string]string{}
	seen := map[string]bool{}
	if len(in) > MaxParties {
		fields["parties"] = "agreements.error.too_many_parties"
		return nil, fields
	}
	for i, p := range in {
		key := "party." + strconv.Itoa(i)
		p.Kind, p.Org, p.Name = strings.TrimSpace(p.Kind), strings.ToLower(strings.TrimSpace(p.Org)), strings.TrimSpace(p.Name)
		p.Country = strings.ToUpper(strings.TrimSpace(p.Country))
		if p.Kind == "" && p.Org == "" && p.Country == "" && p.Name == "" {
			continue
		}
		var party Party
		switch p.Kind {
		case PartyOrg:
			if p.Org == "" {
				fields[key+".org"] = "agreements.error.party_org"
				continue
			}
			party = Party{Kind: PartyOrg, OrgSlug: p.Org}
		case PartyGovernment:
			if c, ok := geo.Lookup(p.Country); !ok || c.PartOf != "" {
				// Only states have governments that sign for them here.
				fields[key+".country"] = "agreements.error.country"
				continue
			}
			party = Party{Kind: PartyGovernment, Country: p.Country}
		case PartyOther:
			if n := utf8.RuneCountInString(p.Name); n == 0 || n > NameMax {
				fields[key+".name"] = "agreements.error.party_name"
				continue
			}
			if p.Country != "" && !geo.IsValid(p.Country) {
				fields[key+".country"] = "agreements.error.country"
				continue
			}
			party = Party{Kind: PartyOther, Name: p.Name, Country: p.Country}
		default:
			fields[key+".kind"] = "agreements.error.party_kind"
			continue
		}
		id := party.Kind + "\x00" + party.OrgSlug + "\x00" + party.Country + "\x00" + strings.ToLower(party.Name)
		if seen[id] {
			fields[key+".kind"] = "agreements.error.party_twice"
			continue
		}
		seen[id] = true
		out = append(out, party)
	}
	if len(out)+len(fields) < 2 {
		fields["parties"] = "agreements.error.parties"
	}
	return out, fields
}

// parseDate reads a YYYY-MM-DD date.
func parseDate(s string, required bool) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, !required
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < 1900 || t.Year() > 2199 {
		return time.Time{}, false
	}
	return t, true
}

func parseOptionalDate(s string) (*time.Time, bool) {
	t, ok := parseDate(s, false)
	if !ok || t.IsZero() {
		return nil, ok
	}
	return &t, true
}

// vocabulary checks values against a vocabulary and returns them sorted,
// without duplicates or blanks.
func vocabulary(values, vocab []string) ([]string, bool) {
	out := []string{}
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if !slices.Contains(vocab, v) {
			return nil, false
		}
		out = append(out, v)
	}
	slices.Sort(out)
	return slices.Compact(out), true
}
