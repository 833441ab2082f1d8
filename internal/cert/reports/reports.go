// Package reports is incident reporting for CERT cooperation (action 2.1):
// anyone — the public without an account, or a member organisation — reports
// an incident and names the country concerned; the national CERT of that
// country triages it into a case (through cert.Cases) or rejects it with a
// reason; the reporter follows its status through a secret link.
//
// Routing. A report goes to the verified national CERT of its country (the
// oldest, if a country had two). When the platform has none for that
// country, the report is not refused: it goes to the CERT programme office
// (cert.Service.Office), whose officers may forward it to a national CERT
// once one exists, or reject it. A team may also forward a report to another
// country's national CERT.
//
// Who reads a report. A report is not a shareable record: it belongs to the
// team that must handle it, and only that team's admins and analysts (for
// the programme office, its officers) read it — not other CERTs, not
// platform administrators. The reporter sees its status only: received,
// being assessed, being handled, resolved, or rejected with the team's
// reason; never the case's content.
//
// Abuse. Without an account, a report needs a challenge signed by the
// server (challenge.go): a proof of work that a small same-origin script
// solves, or, without JavaScript, a sum written in words in the page's
// language. Each challenge is single-use. Reports are limited per client
// address and hour, counted in the database so the limit holds across
// instances.
package reports

import (
	"context"
	"embed"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/notify"
	"harambee.africa/harambee/internal/web"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates static
var templateFS embed.FS

// Migrations create the reports, the challenge key, used nonces and the
// per-client counts.
var Migrations = db.Embedded("cert-reports", migrationFS, "migrations")

// Report status values.
const (
	Received = "received" // waiting for triage (also after a forward)
	Case     = "case"     // triaged into a case
	Rejected = "rejected" // rejected with a reason
)

// What a reporter is told (keys cert.reports.follow.status.S): the report's
// status, with a case's status in coarse words.
const (
	FollowReceived = "received"
	FollowAssessed = "assessed" // a case in new or triage
	FollowHandled  = "handled"  // a case in progress or handed over
	FollowResolved = "resolved" // a case resolved or closed
	FollowRejected = "rejected"
)

// FollowStatuses lists what a reporter may be told.
var FollowStatuses = []string{FollowReceived, FollowAssessed, FollowHandled, FollowResolved, FollowRejected}

// Categories are the optional hints a reporter chooses among (keys
// cert.reports.category.C), in menu order; each maps to a type of the ENISA
// Reference Security Incident Taxonomy when a case is opened.
var Categories = []string{"phishing", "malware", "intrusion", "ddos", "data_leak", "fraud", "vulnerability", "abusive_content", "other"}

// enisa maps a category hint to an ENISA RSIT type (the case's category).
var enisa = map[string]string{
	"phishing": "phishing", "malware": "infected-system", "intrusion": "system-compromise", "ddos": "ddos",
	"data_leak": "data-leak", "fraud": "masquerade", "vulnerability": "vulnerable-system", "abusive_content": "harmful-speech",
	"other": "undetermined",
}

// ENISAType is the ENISA taxonomy type a category hint stands for, "" for none.
func ENISAType(category string) string { return enisa[category] }

// CaseMarkings are the markings a triaging team may open a case with (keys
// cert.reports.marking.M), the strictest first: a report came to one team.
var CaseMarkings = []string{"amber+strict", "amber", "red"}

// Limits, in characters.
const (
	TitleMin       = 3
	TitleMax       = 200
	DescriptionMin = 10
	DescriptionMax = 10000
	SystemsMax     = 500
	ReasonMax      = 2000
	MaxSectors     = 5
)

// Abuse limits.
const (
	// PerHour is how many reports one client address may send in an hour
	// without an account.
	PerHour = 5
	// PerHourMember is how many reports a signed-in person may send in an hour.
	PerHourMember = 20
	// Window is the period the limits count over.
	Window = time.Hour
)

// Notification kinds.
var (
	// ReportKind tells a team's admins and analysts of a new report in its queue.
	ReportKind = notify.Kind{Name: "cert.report", Default: notify.Now}
	// StatusKind tells a signed-in reporter that their report's status changed.
	StatusKind = notify.Kind{Name: "cert.report_status", Default: notify.Now}
)

// FollowJob tells reporters of changes in the status of their reports'
// cases (which change in the cases package, out of this one's sight).
const FollowJob = "cert.reports.follow"

// Notifier sends notifications; the notify service is one.
type Notifier interface {
	Send(ctx context.Context, q db.Querier, n notify.Note) error
	SendOrg(ctx context.Context, q db.Querier, orgID string, roles []string, n notify.Note) error
}

// Service keeps the incident reports.
type Service struct {
	DB       *db.DB
	Clock    clock.Clock
	Site     *web.Site
	Cert     *cert.Service
	Accounts *account.Service // secret links
	Audit    account.Auditor
	// Cases opens a case from a report and tells a case's status; while nil,
	// reports can be rejected or forwarded but not turned into cases.
	Cases cert.Cases
	// Mail sends the follow link and status changes to a reporter who gave
	// an address; nothing is sent while nil.
	Mail   account.Mailer
	Notify Notifier // nil: teams are not told
	// Bits is the proof-of-work difficulty in leading zero bits (DefaultBits when 0).
	Bits int

	key []byte // the challenge key, loaded by Prepare
}

// Report is one incident report as its team reads it.
type Report struct {
	ID              string
	Country         string
	TeamOrg         string
	TeamName        string // the team's name in its original language; pages name it in the reader's
	Title           string
	Description     string
	OccurredOn      *time.Time
	Category        string
	Sectors         []string
	Systems         string
	ContactEmail    string
	Lang            string
	ReporterUser    string
	ReporterName    string
	ReporterOrg     string
	ReporterOrgName string
	Status          string
	CaseID          string
	Reason          string
	ForwardedFrom   string
	TriagedBy       string
	TriagedAt       *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Path is the report's page for its team.
func (r *Report) Path() string { return "/cert/reports/" + r.ID }

// Input is what a reporter gives.
type Input struct {
	Country      string
	Title        string
	Description  string
	OccurredOn   string // YYYY-MM-DD, "" for not said
	Category     string
	Sectors      []string
	Systems      string
	ContactEmail string
	ReporterOrg  string // a signed-in member's organisation (id or slug), "" for none
	Consent      bool
	Lang         string
}

// Proof is the answer to a challenge: a proof of work or the question's answer.
type Proof struct {
	Challenge string
	Work      string // the counter the script found
	Answer    string // the answer to the question
}

// check validates and normalises the input at now; it returns field errors
// keyed like the form.
func (in *Input) check(v *web.Viewer, now time.Time) error {
	bad := map[string]string{}
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	if c, ok := geo.Lookup(in.Country); ok {
		in.Country = c.Code
	} else {
		bad["country"] = "cert.reports.error.country"
	}
	in.Title = strings.TrimSpace(in.Title)
	if n := utf8.RuneCountInString(in.Title); n < TitleMin || n > TitleMax || !web.CleanText(in.Title) || strings.ContainsAny(in.Title, "\r\n") {
		bad["title"] = "cert.reports.error.title"
	}
	in.Description = strings.TrimSpace(strings.ReplaceAll(in.Description, "\r\n", "\n"))
	if n := utf8.RuneCountInString(in.Description); n < DescriptionMin || n > DescriptionMax || !web.CleanText(in.Description) {
		bad["description"] = "cert.reports.error.description"
	}
	in.OccurredOn = strings.TrimSpace(in.OccurredOn)
	if in.OccurredOn != "" {
		d, err := time.Parse(time.DateOnly, in.OccurredOn)
		if err != nil || d.Year() < 1990 || d.After(now.UTC().Add(24*time.Hour)) {
			bad["occurred_on"] = "cert.reports.error.occurred_on"
		}
	}
	in.Category = strings.TrimSpace(in.Category)
	if in.Category != "" && !slices.Contains(Categories, in.Category) {
		bad["category"] = "cert.reports.error.category"
	}
	var sectors []string
	for _, s := range in.Sectors {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !slices.Contains(cert.Sectors, s) {
			bad["sectors"] = "cert.reports.error.sector"
			break
		}
		sectors = append(sectors, s)
	}
	slices.Sort(sectors)
	in.Sectors = slices.Compact(sectors)
	if len(in.Sectors) > MaxSectors {
		bad["sectors"] = "cert.reports.error.sectors_many"
	}
	in.Systems = strings.TrimSpace(in.Systems)
	if utf8.RuneCountInString(in.Systems) > SystemsMax || !web.CleanText(in.Systems) {
		bad["systems"] = "cert.reports.error.systems"
	}
	in.ContactEmail = strings.TrimSpace(in.ContactEmail)
	if in.ContactEmail != "" && !cert.ValidEmail(in.ContactEmail) {
		bad["contact_email"] = "cert.reports.error.email"
	}
	in.ReporterOrg = strings.TrimSpace(in.ReporterOrg)
	if in.ReporterOrg != "" {
		m, ok := memberOf(v, in.ReporterOrg)
		if !ok {
			bad["reporter_org"] = "cert.reports.error.reporter_org"
		} else {
			in.ReporterOrg = m.OrgID
		}
	}
	if !in.Consent {
		bad["consent"] = "cert.reports.error.consent"
	}
	if !slices.Contains(i18n.Langs, in.Lang) {
		in.Lang = i18n.Default
	}
	if len(bad) > 0 {
		return errs.Field("cert.report", bad)
	}
	return nil
}

// memberOf finds one of the viewer's organisations by id or slug.
func memberOf(v *web.Viewer, ref string) (web.Membership, bool) {
	if v == nil {
		return web.Membership{}, false
	}
	for _, m := range v.Orgs {
		if m.OrgID == ref || m.Slug == ref {
			return m, true
		}
	}
	return web.Membership{}, false
}

// followStatus is what the reporter is told of a report whose case (if
// any) has caseStatus.
func followStatus(status, caseStatus string) string {
	switch status {
	case Rejected:
		return FollowRejected
	case Case:
		switch caseStatus {
		case cert.StatusInProgress, cert.StatusHandedOver:
			return FollowHandled
		case cert.StatusResolved, cert.StatusClosed:
			return FollowResolved
		}
		return FollowAssessed
	}
	return FollowReceived
}

// Paragraphs splits the description at its line breaks, for display.
func (r *Report) Paragraphs() []string {
	var out []string
	for _, p := range strings.Split(r.Description, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
