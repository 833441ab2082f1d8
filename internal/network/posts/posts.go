// Package posts is the network's information platform: cooperation posts
// (announcements, opportunities, requests for partners, market and policy
// updates), replies, feeds and subscriptions.
//
// A post is a shareable record (type "network.post") owned by the
// organisation that publishes it. Its author chooses among three audiences:
// the public (TLP:CLEAR), the network's members (TLP:GREEN, the community
// being the network's group — only members may choose it) and named
// organisations (TLP:AMBER, shared on the kernel's share page). Every list,
// search, count, feed, API answer, indicator and notification goes through
// sharing.Visible; replies are read through their post, so they are seen by
// exactly who sees the post.
//
// A post concerns one country — one of the 54 African states or China — or
// Africa as a whole (AllAfrica): posts are about cooperation with Africa, so
// other countries are refused, and Africa-wide posts (a continental tender,
// an AU policy) need a value of their own rather than an arbitrary country.
package posts

import (
	"context"
	"embed"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/jobs"
	"harambee.africa/harambee/internal/network"
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

// Migrations create the posts, their sectors, replies and subscriptions.
var Migrations = db.Embedded("network-posts", migrationFS, "migrations")

// TypeName is the sharing type of a post.
const TypeName = "network.post"

// Type is the sharing type the wiring declares.
var Type = sharing.Type{Name: TypeName, Table: "network_posts", Title: "title_plain", EditorRoles: []string{"editor"},
	Path: func(id string) string { return "/network/posts/" + id }}

// Kinds are the kinds of post, in menu order (keys network.posts.kind.K).
var Kinds = []string{"announcement", "opportunity_tender", "opportunity_partnership", "opportunity_investment",
	"partner_request", "market_update", "policy_update"}

// AllAfrica is the country value of a post about Africa as a whole.
const AllAfrica = "africa"

// The audiences an author chooses among (keys network.posts.audience.A).
const (
	Public  = "public"  // TLP:CLEAR
	Members = "network" // TLP:GREEN, the network's community
	Named   = "named"   // TLP:AMBER, shared with named organisations
)

// Audiences lists the audiences in menu order.
var Audiences = []string{Public, Members, Named}

// Limits, in characters (per language for translatable text).
const (
	TitleMax   = 200
	BodyMax    = 20000
	ReplyMax   = 5000
	MaxSectors = 5
	// Subscription limits, per person.
	MaxSubCountries = 60
	MaxSubSectors   = 20
	MaxSubOrgs      = 50
)

// Notification kinds.
var (
	// PostKind tells subscribers of a new post they may see.
	PostKind = notify.Kind{Name: "network.post", Default: notify.Daily}
	// ReplyKind tells the owner organisation's admins and editors of a reply.
	ReplyKind = notify.Kind{Name: "network.reply", Default: notify.Now}
)

// Jobs.
const (
	// DeliverJob tells the subscribers of one post (args: {"post": id}).
	DeliverJob = "network.posts.deliver"
	// SweepJob delivers what was published outside this module (on the
	// share page) or whose embargo passed, and takes expired posts out of
	// the "current" search.
	SweepJob = "network.posts.sweep"
)

// Notifier sends notifications; the notify service is one.
type Notifier interface {
	Send(ctx context.Context, q db.Querier, n notify.Note) error
	SendOrg(ctx context.Context, q db.Querier, orgID string, roles []string, n notify.Note) error
}

// Service keeps the posts.
type Service struct {
	DB      *db.DB
	Clock   clock.Clock
	Site    *web.Site
	Search  *search.Service
	Sharing *sharing.Service
	Core    *network.Core
	Audit   account.Auditor
	Notify  Notifier    // nil: nothing is sent
	Queue   *jobs.Queue // nil: deliveries wait for the sweep
	// Attachments renders a post's files for its page (the files service's
	// Section); nil shows none.
	Attachments func(r *http.Request, recordType, recordID string) (template.HTML, error)
}

// Post is one cooperation post.
type Post struct {
	ID         string
	Kind       string
	Title      text.Text
	TitlePlain string
	Body       text.Text
	Country    string
	Sectors    []string
	ExpiresOn  *time.Time
	OwnerOrg   string
	OwnerSlug  string
	OwnerName  string
	OwnerNames text.Text
	Marking    sharing.Marking
	State      sharing.State
	CreatedBy  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Path is the post's page.
func (p *Post) Path() string { return Type.Path(p.ID) }

// Expired reports whether the post's last day is before today.
func (p *Post) Expired(today time.Time) bool {
	return p.ExpiresOn != nil && p.ExpiresOn.Before(day(today))
}

// Audience is the audience the post's marking stands for.
func (p *Post) Audience() string { return audienceOf(p.Marking) }

// OwnerIn is the owner organisation's name for a reader of lang.
func (p *Post) OwnerIn(lang string) string {
	if s, _ := p.OwnerNames.In(lang); s != "" {
		return s
	}
	return p.OwnerName
}

func audienceOf(m sharing.Marking) string {
	switch m {
	case sharing.Clear:
		return Public
	case sharing.Green:
		return Members
	}
	return Named
}

func markingOf(audience string) (sharing.Marking, bool) {
	switch audience {
	case Public:
		return sharing.Clear, true
	case Members:
		return sharing.Green, true
	case Named:
		return sharing.Amber, true
	}
	return "", false
}

// Summary is what the directory and the country pages show of a post.
type Summary struct {
	ID        string
	Kind      string
	Title     string // in the viewer's language, or the nearest there is
	TitleLang string // the language Title is in
	Path      string
	Country   string
	CreatedAt time.Time
	Expired   bool
}

// Reply is one reply in a post's thread.
type Reply struct {
	ID         string
	PostID     string
	ParentID   string // "" for a top-level reply
	AuthorID   string
	AuthorName string
	OrgID      string
	OrgSlug    string
	OrgName    string
	Body       string
	CreatedAt  time.Time
	Replies    []Reply // answers to a top-level reply
}

// TextInput is translatable text as forms and the API give it.
type TextInput = text.Input

// Input is what publishing or editing a post takes.
type Input struct {
	OwnerOrg  string // on creation: the owning organisation's id or slug
	Audience  string // public, network, named
	Draft     bool   // on creation: keep it as a draft rather than publish it
	Kind      string
	Title     TextInput
	Body      TextInput
	Country   string
	Sectors   []string
	ExpiresOn string // YYYY-MM-DD, "" for none
}

// apply validates in and writes it into p; it returns the fields at fault
// keyed as the form names them. today bounds a new expiry date.
func (in Input) apply(p *Post, by string, now time.Time, newExpiry bool) map[string]string {
	fields := map[string]string{}
	kind := strings.TrimSpace(in.Kind)
	if !slices.Contains(Kinds, kind) {
		fields["kind"] = "network.posts.error.kind"
	}
	title, bad := in.Title.Apply("title", p.Title, text.Limits{Required: true, Max: TitleMax}, by, now)
	for k, v := range bad {
		fields[k] = v
	}
	if in.Body.Original == "" {
		in.Body.Original = in.Title.Original
	}
	body, bad := in.Body.Apply("body", p.Body, text.Limits{Required: true, Max: BodyMax}, by, now)
	for k, v := range bad {
		fields[k] = v
	}
	country, ok := checkCountry(in.Country)
	if !ok {
		fields["country"] = "network.posts.error.country"
	}
	sectors, ok := checkSectors(in.Sectors)
	switch {
	case !ok:
		fields["sectors"] = "network.posts.error.sector"
	case len(sectors) == 0:
		fields["sectors"] = "network.posts.error.sectors_none"
	case len(sectors) > MaxSectors:
		fields["sectors"] = "network.posts.error.sectors_many"
	}
	expires, ok := parseDate(in.ExpiresOn)
	switch {
	case !ok:
		fields["expires_on"] = "network.posts.error.date"
	case expires != nil && newExpiry && expires.Before(day(now)):
		fields["expires_on"] = "network.posts.error.expires_past"
	}
	if len(fields) > 0 {
		return fields
	}
	p.Kind, p.Title, p.TitlePlain, p.Body, p.Country, p.Sectors, p.ExpiresOn = kind, title, title.String(), body, country, sectors, expires
	return nil
}

// InputOf is the input that would make p as it is: the base of an edit.
func InputOf(p *Post) Input {
	exp := ""
	if p.ExpiresOn != nil {
		exp = p.ExpiresOn.Format(time.DateOnly)
	}
	return Input{Audience: p.Audience(), Kind: p.Kind, Title: text.InputOf(p.Title), Body: text.InputOf(p.Body), Country: p.Country,
		Sectors: slices.Clone(p.Sectors), ExpiresOn: exp}
}

// Countries are the values a post's country takes: the African states,
// China, and AllAfrica.
func Countries() []string {
	out := []string{AllAfrica}
	for _, c := range geo.African() {
		out = append(out, c.Code)
	}
	return append(out, "CN")
}

// checkCountry normalises a post's country.
func checkCountry(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, AllAfrica) {
		return AllAfrica, true
	}
	c, ok := geo.Lookup(s)
	if !ok || (!c.African && c.Code != "CN") {
		return "", false
	}
	return c.Code, true
}

// checkSectors returns the sectors sorted, without blanks or duplicates;
// false when one is not in the vocabulary.
func checkSectors(in []string) ([]string, bool) {
	out := []string{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !org.ValidSector(s) {
			return nil, false
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return slices.Compact(out), true
}

// parseDate reads an optional YYYY-MM-DD date.
func parseDate(s string) (*time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < 2000 || t.Year() > 2199 {
		return nil, false
	}
	return &t, true
}

// day is the calendar day of t, as midnight UTC: how dates are stored.
func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// countryName names a post's country for a reader of lang.
func countryName(p *i18n.Printer, code string) string {
	if code == AllAfrica {
		return p.T("network.posts.all_africa")
	}
	if c, ok := geo.Lookup(code); ok {
		return c.Name(p.Lang)
	}
	return code
}
