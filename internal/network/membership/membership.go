// Package membership is how Chinese internet enterprises working in Africa
// join the cooperation network: applications, the programme office's review,
// and the members' badge.
//
// An application is a shareable record (type "network.application") owned
// by the applying organisation. On submission it is published AMBER+STRICT
// and shared with the programme office, so the officers see it through the
// same rule as everyone else (sharing.Visible in every query). Officers
// approve, ask for more information or reject with a reason; approval puts
// the organisation into the network's group in the sharing model, so its
// members see network-only (GREEN, community = the network) content.
//
// Approval needs the organisation to be verified by a platform
// administrator first: GREEN content reaches verified organisations of a
// community only, and verifying organisations is the administrators'
// authority, not the officers'.
package membership

import (
	"context"
	"embed"
	"html/template"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/network"
	"harambee.africa/harambee/internal/notify"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates
var templateFS embed.FS

// Migrations create the applications, their countries and their steps.
var Migrations = db.Embedded("network_membership", migrationFS, "migrations")

// TypeName is the sharing type of an application.
const TypeName = "network.application"

// Type is the sharing type the wiring declares.
var Type = sharing.Type{Name: TypeName, Table: "network_applications", Title: "org_name",
	Path: func(id string) string { return "/network/applications/" + id }}

// Kind is the notification kind of every step of an application: officers
// hear of submissions and replies, the applicant's admins of decisions.
var Kind = notify.Kind{Name: "network.application", Default: notify.Now}

// The statuses of an application (keys network.membership.status.S).
const (
	Submitted = "submitted"
	MoreInfo  = "more_info_requested"
	Approved  = "approved"
	Rejected  = "rejected"
	Removed   = "removed" // approved, then taken out of the network by an officer
)

// Statuses lists the statuses, in the order of the queue's filter.
var Statuses = []string{Submitted, MoreInfo, Approved, Rejected, Removed}

// Open reports whether an application in status waits for a decision.
func Open(status string) bool { return status == Submitted || status == MoreInfo }

// The officers' decisions (keys network.membership.decision.D).
const (
	Approve = "approve"
	Ask     = "ask"
	Reject  = "reject"
)

// Decisions lists the decisions, in the order the review form offers them.
var Decisions = []string{Approve, Ask, Reject}

// Steps are the kinds of step in an application's history (keys
// network.membership.step.S): the statuses, and the applicant's reply.
var Steps = []string{Submitted, MoreInfo, "replied", Approved, Rejected, Removed}

// HomeCountries are where an applicant must be at home: China, and Hong
// Kong and Macao, its special administrative regions.
var HomeCountries = []string{"CN", "HK", "MO"}

// EnterpriseKinds are the kinds of organisation that are enterprises: the
// network is one of Chinese internet enterprises, so government agencies,
// CERTs, media, universities and think tanks apply for nothing here.
var EnterpriseKinds = []org.Kind{org.Enterprise, org.EcommercePlatform, org.TelecomOperator}

// Limits of the fields, in characters.
const (
	MaxText    = 4000 // activities (per language), statement, messages
	MaxName    = 200
	MaxEmail   = 254
	MaxWebsite = 300
	FirstYear  = 1950
)

// Notifier delivers notifications to an organisation's members; the notify
// service is one.
type Notifier interface {
	SendOrg(ctx context.Context, q db.Querier, orgID string, roles []string, n notify.Note) error
}

// FileSection renders a record's attachments (the files service).
type FileSection interface {
	Section(r *http.Request, recordType, recordID string) (template.HTML, error)
}

// Service handles applications.
type Service struct {
	Core    *network.Core
	DB      *db.DB
	Clock   clock.Clock
	Site    *web.Site
	Sharing *sharing.Service
	Orgs    *org.Service
	Audit   account.Auditor
	// Notify tells officers and applicants; nothing is sent while it is nil.
	Notify Notifier
	// Files shows an application's attachments (a business licence, say); none while nil.
	Files FileSection
}

// Application is one application to join the network.
type Application struct {
	ID           string          `json:"id"`
	OrgID        string          `json:"org_id"`
	OrgSlug      string          `json:"org_slug"`
	OrgName      string          `json:"org_name"`
	OrgVerified  bool            `json:"org_verified"`
	Countries    []string        `json:"countries"`
	Activities   text.Text       `json:"activities"`
	StartedYear  int             `json:"started_year"`
	Website      string          `json:"website"`
	ContactName  string          `json:"contact_name"`
	ContactEmail string          `json:"contact_email"`
	Statement    string          `json:"statement"`
	Status       string          `json:"status"`
	Marking      sharing.Marking `json:"marking"`
	CreatedAt    time.Time       `json:"created_at"`
	UpdatedAt    time.Time       `json:"updated_at"`
	DecidedAt    *time.Time      `json:"decided_at"`
	Steps        []Step          `json:"steps,omitempty"`
}

// Path is the application's page.
func (a *Application) Path() string { return Type.Path(a.ID) }

// Excerpt is the start of the statement, for lists.
func (a *Application) Excerpt() string {
	r := []rune(a.Statement)
	if len(r) <= 160 {
		return a.Statement
	}
	return strings.TrimSpace(string(r[:160])) + "…"
}

// IsOpen reports whether the application waits for a decision.
func (a *Application) IsOpen() bool { return Open(a.Status) }

// Step is one step of an application's history.
type Step struct {
	Step      string    `json:"step"`
	ByOffice  bool      `json:"by_office"`
	Message   string    `json:"message"`
	CreatedAt time.Time `json:"created_at"`
}

// TextInput is translatable text as the API gives it: the language it was
// written in and its versions by language.
type TextInput struct {
	Original string            `json:"original"`
	Texts    map[string]string `json:"texts"`
}

// Input is what an application takes.
type Input struct {
	Countries    []string  `json:"countries"` // ISO 3166-1 alpha-2 codes of African countries
	Activities   TextInput `json:"activities"`
	StartedYear  string    `json:"-"`
	Website      string    `json:"website"`
	ContactName  string    `json:"contact_name"`
	ContactEmail string    `json:"contact_email"`
	Statement    string    `json:"statement"`
}

// values turns translatable text into the side-by-side form's values, so
// that forms and the API follow the same rules (text.FromForm).
func (ti TextInput) values(name string) (url.Values, map[string]string) {
	vals := url.Values{name + ".original": {ti.Original}}
	for l, s := range ti.Texts {
		if !i18n.Supported(l) {
			return nil, map[string]string{name: "text.error.language"}
		}
		if utf8.RuneCountInString(strings.TrimSpace(s)) > MaxText {
			return nil, map[string]string{name + "." + l: "text.error.long"}
		}
		vals.Set(name+"."+l, s)
	}
	return vals, nil
}

// checked is a valid application's content.
type checked struct {
	countries    []string
	activities   text.Text
	year         int
	website      string
	contactName  string
	contactEmail string
	statement    string
}

// check validates an application; activities come as the side-by-side
// form's values. Errors are keyed by the form's field names.
func (in Input) check(activities url.Values, by string, now time.Time) (checked, error) {
	fields := map[string]string{}
	var c checked
	seen := map[string]bool{}
	for _, cc := range in.Countries {
		cc = strings.ToUpper(strings.TrimSpace(cc))
		if cc == "" || seen[cc] {
			continue
		}
		seen[cc] = true
		country, ok := geo.Lookup(cc)
		switch {
		case !ok:
			fields["countries"] = "network.membership.error.country_unknown"
		case !country.African:
			fields["countries"] = "network.membership.error.country_not_african"
		default:
			c.countries = append(c.countries, cc)
		}
	}
	if len(c.countries) == 0 && fields["countries"] == "" {
		fields["countries"] = "network.membership.error.countries_required"
	}
	slices.Sort(c.countries)
	long := false
	for _, l := range i18n.Langs {
		// Said here, or FromForm would also call a too-long original missing.
		if utf8.RuneCountInString(strings.TrimSpace(activities.Get("activities."+l))) > MaxText {
			fields["activities."+l], long = "text.error.long", true
		}
	}
	if !long {
		act, bad := text.FromForm(activities, "activities", text.Text{}, text.Limits{Required: true, Max: MaxText}, by, now)
		for k, v := range bad {
			fields[k] = v
		}
		c.activities = act
	}
	year, err := strconv.Atoi(strings.TrimSpace(in.StartedYear))
	if err != nil || year < FirstYear || year > now.Year() {
		fields["started_year"] = "network.membership.error.year"
	}
	c.year = year
	c.website = strings.TrimSpace(in.Website)
	if c.website != "" {
		u, err := url.Parse(c.website)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(c.website) > MaxWebsite {
			fields["website"] = "network.membership.error.website"
		}
	}
	c.contactName = strings.TrimSpace(in.ContactName)
	if n := utf8.RuneCountInString(c.contactName); n == 0 || n > MaxName {
		fields["contact_name"] = "network.membership.error.contact_name"
	}
	c.contactEmail = strings.TrimSpace(in.ContactEmail)
	if a, err := mail.ParseAddress(c.contactEmail); err != nil || a.Address != c.contactEmail || len(c.contactEmail) > MaxEmail {
		fields["contact_email"] = "network.membership.error.contact_email"
	}
	c.statement = strings.TrimSpace(in.Statement)
	if n := utf8.RuneCountInString(c.statement); n == 0 || n > MaxText {
		fields["statement"] = "network.membership.error.statement"
	}
	if len(fields) > 0 {
		return c, errs.Field("network.apply", fields)
	}
	return c, nil
}

// Eligible says whether an organisation may apply: a Chinese internet
// enterprise, at home in China (or Hong Kong or Macao) and of an enterprise
// kind. It returns the message keys of what is missing.
func Eligible(o *org.Org) []string {
	var why []string
	if !slices.Contains(HomeCountries, o.Country) {
		why = append(why, "network.membership.ineligible.country")
	}
	if !slices.Contains(EnterpriseKinds, o.Kind) {
		why = append(why, "network.membership.ineligible.kind")
	}
	return why
}

// message checks an officer's reason or an applicant's answer.
func message(s string, required bool, field string) (string, error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if required && n == 0 {
		return "", errs.Field("network.review", map[string]string{field: "network.membership.error.reason_required"})
	}
	if n > MaxText {
		return "", errs.Field("network.review", map[string]string{field: "network.membership.error.too_long"})
	}
	return s, nil
}

// IsOfficer reports whether the viewer is one of the network's programme
// officers: a member of its programme office.
func (s *Service) IsOfficer(v *web.Viewer) bool {
	_, ok := v.Member(s.Core.Office.ID)
	return ok
}

// asOffice is the officer acting for the programme office, which manages
// the members' group: the office's authority, the officer's name in the
// audit log.
func (s *Service) asOffice(v *web.Viewer) *web.Viewer {
	return &web.Viewer{ID: v.ID, Pseudonym: v.Pseudonym, Roles: v.Roles,
		Orgs: []web.Membership{{OrgID: s.Core.Office.ID, Roles: []string{org.RoleAdmin}}}}
}
