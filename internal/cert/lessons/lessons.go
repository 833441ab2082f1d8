// Package lessons is the experience exchange of CERT cooperation (action
// 2.1): post-incident reports and lessons learned — what happened, what
// worked, what to change — written by a CERT team and shared by marking.
//
// A lesson is a shareable record (type "cert.lesson") owned by a CERT team;
// its admins and analysts edit it. Its community is the vetted CERTs'
// group, so GREEN (the default) means the vetted CERTs; CLEAR publishes it
// to everyone; AMBER and AMBER+STRICT go to the organisations, circles and
// people the team shares it with on the kernel's share page. Every list,
// search and API answer filters with sharing.Visible inside the query.
//
// A lesson may name the case it comes from; the link shows only to those
// who may see that case (cert_cases joined under sharing.Visible), and
// only a case its author may see can be named.
package lessons

import (
	"embed"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/cases"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/search"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates
var templateFS embed.FS

// Migrations create the lessons.
var Migrations = db.Embedded("cert-lessons", migrationFS, "migrations")

// TypeName is the sharing type of a lesson.
const TypeName = "cert.lesson"

// Type is the sharing type the wiring declares.
var Type = sharing.Type{Name: TypeName, Table: "cert_lessons", Title: "title_plain", EditorRoles: []string{cert.RoleAnalyst},
	Path: func(id string) string { return "/cert/lessons/" + id }}

// Markings are the markings an author chooses among (RED needs named
// people, which the share page gives): CLEAR, GREEN (the vetted CERTs),
// AMBER and AMBER+STRICT.
var Markings = []sharing.Marking{sharing.Clear, sharing.Green, sharing.Amber, sharing.AmberStrict}

// Classes are the classes of the ENISA Reference Security Incident
// Taxonomy a lesson is filed under: those of cases.Taxonomy but its "test"
// class, labelled as cases label them (cases.ClassKey).
var Classes = func() []string {
	var out []string
	for _, c := range cases.Taxonomy {
		if c.Name != "test" {
			out = append(out, c.Name)
		}
	}
	return out
}()

// Limits, in characters per language.
const (
	TitleMax     = 200
	SectionMax   = 20000
	MaxSectors   = 5
	MaxCountries = 20
)

// Service keeps the lessons.
type Service struct {
	DB      *db.DB
	Clock   clock.Clock
	Site    *web.Site
	Search  *search.Service
	Sharing *sharing.Service
	Cert    *cert.Service // its Group is the community of GREEN
	Audit   account.Auditor
	// Attachments renders a lesson's files (the files service's Section);
	// nil shows none.
	Attachments func(r *http.Request, recordType, recordID string) (template.HTML, error)
}

// Lesson is one post-incident report.
type Lesson struct {
	ID         string
	OwnerOrg   string
	OwnerSlug  string
	OwnerName  string // the team's name in its original language; pages name it in the reader's
	Marking    sharing.Marking
	State      sharing.State
	Title      text.Text
	TitlePlain string
	Happened   text.Text
	Worked     text.Text
	Change     text.Text
	Category   string
	Sectors    []string
	Countries  []string
	CaseID     string // "" unless the viewer may see the case
	CreatedBy  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Path is the lesson's page.
func (l *Lesson) Path() string { return Type.Path(l.ID) }

// Input is what writing or editing a lesson takes.
type Input struct {
	OwnerOrg  string // on creation: the team's id or slug
	Marking   string
	Title     text.Input
	Happened  text.Input
	Worked    text.Input
	Change    text.Input
	Category  string
	Sectors   []string
	Countries []string
	CaseID    string
}

// InputOf is the input that would make l as it is: the base of an edit.
func InputOf(l *Lesson) Input {
	return Input{Marking: string(l.Marking), Title: text.InputOf(l.Title), Happened: text.InputOf(l.Happened), Worked: text.InputOf(l.Worked),
		Change: text.InputOf(l.Change), Category: l.Category, Sectors: slices.Clone(l.Sectors), Countries: slices.Clone(l.Countries), CaseID: l.CaseID}
}

// apply validates in and writes it into l, returning the fields at fault.
func (in Input) apply(l *Lesson, by string, now time.Time) map[string]string {
	fields := map[string]string{}
	merge := func(bad map[string]string) {
		for k, v := range bad {
			fields[k] = v
		}
	}
	title, bad := in.Title.Apply("title", l.Title, text.Limits{Required: true, Max: TitleMax}, by, now)
	merge(bad)
	for _, t := range []*text.Input{&in.Happened, &in.Worked, &in.Change} {
		if t.Original == "" {
			t.Original = in.Title.Original
		}
	}
	happened, bad := in.Happened.Apply("happened", l.Happened, text.Limits{Required: true, Max: SectionMax}, by, now)
	merge(bad)
	worked, bad := in.Worked.Apply("worked", l.Worked, text.Limits{Max: SectionMax}, by, now)
	merge(bad)
	change, bad := in.Change.Apply("change", l.Change, text.Limits{Max: SectionMax}, by, now)
	merge(bad)
	category := strings.TrimSpace(in.Category)
	if category != "" && !slices.Contains(Classes, category) {
		fields["category"] = "cert.lessons.error.category"
	}
	sectors, ok := clean(in.Sectors, func(s string) (string, bool) { return s, slices.Contains(cert.Sectors, s) })
	if !ok {
		fields["sectors"] = "cert.lessons.error.sector"
	} else if len(sectors) > MaxSectors {
		fields["sectors"] = "cert.lessons.error.sectors_many"
	}
	countries, ok := clean(in.Countries, func(s string) (string, bool) {
		c, ok := geo.Lookup(strings.ToUpper(s))
		return c.Code, ok
	})
	if !ok {
		fields["countries"] = "cert.lessons.error.country"
	} else if len(countries) > MaxCountries {
		fields["countries"] = "cert.lessons.error.countries_many"
	}
	if len(fields) > 0 {
		return fields
	}
	l.Title, l.TitlePlain, l.Happened, l.Worked, l.Change = title, title.String(), happened, worked, change
	l.Category, l.Sectors, l.Countries = category, sectors, countries
	return nil
}

// clean trims, checks and normalises a list, sorted without duplicates.
func clean(in []string, check func(string) (string, bool)) ([]string, bool) {
	out := []string{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		n, ok := check(s)
		if !ok {
			return nil, false
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out), true
}

// markingOf reads a chosen marking.
func markingOf(s string) (sharing.Marking, bool) {
	m := sharing.Marking(strings.TrimSpace(s))
	return m, slices.Contains(Markings, m)
}

// classKey is the catalogue key of a class.
func classKey(c string) string { return cases.ClassKey(c) }
