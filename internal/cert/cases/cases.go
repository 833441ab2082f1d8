// Package cases is incident case work of CERT cooperation (action 2.1):
// cases classified by the ENISA Reference Security Incident Taxonomy, their
// status workflow, assignee, tasks, timeline and attachments, SLA targets
// per severity with paused states and breach alerts, and cross-border
// hand-overs of a case (or of some of its observables) to another CERT.
//
// A case is a shareable record (type cert.case, table cert_cases) owned by
// a CERT team; its editors are the team's admins and analysts. Everything a
// case holds — timeline, tasks, hand-overs listed on it — is read through
// the case, so it is seen by exactly who sees the case under the sharing
// rule. A hand-over is one row read by both teams; on acceptance the
// receiving team gets its own linked case, whose notes and tasks stay its
// own, marked no lower than the hand-over.
package cases

import (
	"context"
	"embed"
	"html/template"
	"net/http"
	"strings"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/jobs"
	"harambee.africa/harambee/internal/notify"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/search"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates
var templateFS embed.FS

// Migrations add the SLA columns to cert_cases and create the timeline,
// the tasks and the hand-overs.
var Migrations = db.Embedded("cert-cases", migrationFS, "migrations")

// Notification kinds.
var (
	// SLAKind tells a team's admins and analysts that a case of theirs
	// breached its time to acknowledge or to resolve (once per breach).
	SLAKind = notify.Kind{Name: "cert.sla_breach", Default: notify.Now}
	// HandOverKind tells a team of a hand-over to it, and the sending team
	// of its acceptance or decline.
	HandOverKind = notify.Kind{Name: "cert.handover", Default: notify.Now}
)

// SLAJob looks for SLA breaches; the wiring runs it every minute.
const SLAJob = "cert.cases.sla"

// Limits, in characters.
const (
	TitleMax    = 200
	SummaryMax  = 20000
	CommentMax  = 10000
	TaskMax     = 300
	ReasonMax   = 2000
	MaxCountry  = 20
	MaxSectors  = 10
	MaxTasks    = 200
	PageDefault = 50
)

// Service keeps the cases.
type Service struct {
	DB      *db.DB
	Clock   clock.Clock
	Site    *web.Site
	Sharing *sharing.Service
	Orgs    *org.Service
	Cert    *cert.Service
	Search  *search.Service // nil: the list filters by title instead
	Audit   account.Auditor
	Notify  cert.Notifier // nil: nothing is sent
	Queue   *jobs.Queue
	// Files renders a case's attachments (the files service's Section); nil shows none.
	Files func(r *http.Request, recordType, recordID string) (template.HTML, error)
	// Observables shows and hands over a case's observables; nil: the
	// observables block, partial hand-overs and the STIX export are absent.
	Observables cert.Observables
}

var _ cert.Cases = (*Service)(nil)

var (
	errNotFound  = errs.E("cert.cases", errs.NotFound, "error.not_found")
	errNotEditor = errs.E("cert.cases", errs.Forbidden, "cert.cases.error.not_editor")
	errNoTeam    = errs.E("cert.cases", errs.Forbidden, "cert.cases.error.no_team")
	errSignIn    = errs.E("cert.cases", errs.Unauthorized, "error.unauthorized")
)

// Case is one incident case.
type Case struct {
	ID           string
	OwnerOrg     string
	OwnerSlug    string
	OwnerName    string // the team's name in its original language; pages name it in the reader's
	OwnerCountry string
	Title        string
	Summary      string
	Category     string // an RSIT type, or ""
	Severity     string
	Status       string
	Marking      sharing.Marking
	State        sharing.State
	Countries    []string
	Sectors      []string
	Assignee     string // a user id, or ""
	AssigneeName string
	ReportID     string
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// The SLA clock (see sla.go).
	Spent          time.Duration
	RunningSince   *time.Time
	AcknowledgedAt *time.Time
	AckTook        *time.Duration
	ResolvedAt     *time.Time
	ResolveTook    *time.Duration
	ClosedAt       *time.Time
	AckDue         *time.Time
	ResolveDue     *time.Time
	// OriginHandOver is the hand-over this case was opened from ("" for none);
	// Floor the lowest marking it may carry ("" for none).
	OriginHandOver string
	Floor          sharing.Marking
}

// Path is the case's page.
func (c *Case) Path() string { return cert.CaseType.Path(c.ID) }

// Class is the RSIT class of the case's category.
func (c *Case) Class() string {
	cl, _ := ClassOf(c.Category)
	return cl
}

// Input is what creating or editing a case takes.
type Input struct {
	OwnerOrg  string // on creation: the team's id or slug
	Title     string
	Summary   string
	Category  string
	Severity  string
	Marking   string // "" keeps it (or AMBER on creation)
	Countries []string
	Sectors   []string
	Assignee  string // on creation: a member of the team, or ""
}

// InputOf is the input that would make c as it is.
func InputOf(c *Case) Input {
	return Input{Title: c.Title, Summary: c.Summary, Category: c.Category, Severity: c.Severity, Marking: string(c.Marking),
		Countries: append([]string{}, c.Countries...), Sectors: append([]string{}, c.Sectors...), Assignee: c.Assignee}
}

// note sends a notification to a team's admins and analysts, inside q.
func (s *Service) note(ctx context.Context, q db.Querier, kind, orgID, subject, path string, args ...any) error {
	if s.Notify == nil {
		return nil
	}
	return s.Notify.SendOrg(ctx, q, orgID, []string{cert.RoleAnalyst}, notify.Note{Kind: kind, Subject: subject, Args: args, Path: path})
}

// teamOf finds the CERT team named by id or slug among the viewer's teams
// where they are an admin or analyst; with one, an empty name means it.
func teamOf(v *web.Viewer, name string) (web.Membership, error) {
	var choices []web.Membership
	for _, m := range sharing.Owners(v, cert.CaseType) {
		if cert.IsCERT(org.Kind(m.Kind)) {
			choices = append(choices, m)
		}
	}
	if len(choices) == 0 {
		return web.Membership{}, errNoTeam
	}
	name = strings.TrimSpace(name)
	if name == "" && len(choices) == 1 {
		return choices[0], nil
	}
	for _, m := range choices {
		if name != "" && (m.OrgID == name || m.Slug == name) {
			return m, nil
		}
	}
	return web.Membership{}, errs.Field("cert.cases", map[string]string{"owner_org": "cert.cases.error.owner"})
}

// Teams are the viewer's CERT teams in which they open cases.
func Teams(v *web.Viewer) []web.Membership {
	var out []web.Membership
	for _, m := range sharing.Owners(v, cert.CaseType) {
		if cert.IsCERT(org.Kind(m.Kind)) {
			out = append(out, m)
		}
	}
	return out
}

// MayEdit reports whether the viewer works on the case: an admin or
// analyst of its owner.
func (s *Service) MayEdit(v *web.Viewer, c *cert.CaseRef) bool {
	return v != nil && c != nil && sharing.IsEditor(v, &sharing.Meta{Type: cert.CaseType, ID: c.ID, OwnerOrg: c.OwnerOrg})
}

func (s *Service) isEditor(v *web.Viewer, c *Case) bool {
	return s.MayEdit(v, &cert.CaseRef{ID: c.ID, OwnerOrg: c.OwnerOrg})
}

// CategoryKey is the catalogue key of the case's RSIT type ("" for none).
func (c *Case) CategoryKey() string { return TypeKey(c.Category) }

// ClassKey is the catalogue key of the case's RSIT class ("" for none).
func (c *Case) ClassKey() string {
	if cl := c.Class(); cl != "" {
		return ClassKey(cl)
	}
	return ""
}
