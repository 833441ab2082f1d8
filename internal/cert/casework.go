package cert

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"time"

	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// The CERT module is split into packages that meet here: cert/cases (cases,
// tasks, SLAs, hand-overs), cert/reports (incident reports from the public
// and from members), cert/observables (observables and indicators on cases,
// correlation, sightings, STIX export of a case), cert/lessons (experience
// exchange), cert/taxii (the STIX object store, import and the TAXII 2.1
// server) and cert/feeds (the TAXII client that polls remote collections).
// Each depends on the others only through the interfaces below, which the
// application wiring connects.

// Sectors are the sectors a case, a report or a lesson may concern: the
// sectors of high criticality and the other critical sectors of the EU
// NIS2 directive (annexes I and II), which CERTs use to describe their
// constituencies, and "other". Labels are the catalogue keys
// cert.sector.CODE.
var Sectors = []string{
	"energy", "transport", "banking", "financial_market", "health", "drinking_water", "waste_water",
	"digital_infrastructure", "ict_service_management", "public_administration", "space", "postal_courier",
	"waste_management", "chemicals", "food", "manufacturing", "digital_providers", "research", "other",
}

// CaseTypeName is the sharing type of an incident case.
const CaseTypeName = "cert.case"

// CaseType is the sharing type of a case; its table is created by the cert
// migrations (cert_cases) so that every CERT package can join it.
var CaseType = sharing.Type{Name: CaseTypeName, Table: "cert_cases", Title: "title", EditorRoles: []string{RoleAnalyst},
	Path: func(id string) string { return "/cert/cases/" + id }}

// CaseRef is what the other CERT packages know of a case.
type CaseRef struct {
	ID       string
	OwnerOrg string
	Title    string
	Marking  sharing.Marking
	Status   string
	// From lists the cases this one was handed over from, nearest first:
	// their observables shared with this case's team show on it.
	From []string
}

// Case status values; see cert/cases for the workflow.
const (
	StatusNew        = "new"
	StatusTriage     = "triage"
	StatusInProgress = "in_progress"
	StatusHandedOver = "handed_over"
	StatusResolved   = "resolved"
	StatusClosed     = "closed"
)

// ReportCase is what a triaged incident report opens a case with.
type ReportCase struct {
	ReportID    string
	TeamOrg     string // the national CERT that triaged the report
	Title       string
	Description string
	Category    string // an ENISA taxonomy type, or ""
	Countries   []string
	Sectors     []string
	Marking     sharing.Marking
}

// Cases is the cases package as reports and observables use it.
type Cases interface {
	// Case returns the case if the viewer may see it, or an errs.NotFound error.
	Case(ctx context.Context, v *web.Viewer, id string) (*CaseRef, error)
	// MayEdit reports whether the viewer works on the case (an admin or
	// analyst of its owner).
	MayEdit(v *web.Viewer, c *CaseRef) bool
	// OpenFromReport opens a case owned by r.TeamOrg, whose admin or analyst
	// the viewer is, and returns its id.
	OpenFromReport(ctx context.Context, v *web.Viewer, r ReportCase, ip string) (string, error)
	// StatusOf returns a case's status for a reporter following a report,
	// without a viewer check: the report's secret link is the permission.
	StatusOf(ctx context.Context, caseID string) (string, error)
}

// ObservableItem is an observable as a hand-over lists it.
type ObservableItem struct {
	ID      string
	Kind    string
	Value   string
	Marking sharing.Marking
}

// CaseExport is what a STIX export of a case carries from the case itself.
type CaseExport struct {
	ID, Title, Summary  string
	Category, Severity  string // ENISA taxonomy type; low, medium, high, critical
	Status              string
	Marking             sharing.Marking
	Created, Modified   time.Time
	TeamID, TeamName    string
	Countries, Sectors  []string
	FirstSeen, Resolved *time.Time
	// From lists the cases this one was handed over from (CaseRef.From):
	// their observables handed to the viewer's organisation go into the
	// export too.
	From []string
}

// Observables is the observables package as the case pages use it.
type Observables interface {
	// Section is the HTML of the observables block of a case page: the
	// observables of the case and of c.From that the viewer may see, with
	// their correlations, and the paste form when mayEdit.
	Section(r *http.Request, c *CaseRef, mayEdit bool) (template.HTML, error)
	// Handable lists the case's observables its editors may hand over.
	Handable(ctx context.Context, v *web.Viewer, caseID string) ([]ObservableItem, error)
	// ShareWith shares observables of a case with another organisation as
	// part of a hand-over, by an editor of the case.
	ShareWith(ctx context.Context, v *web.Viewer, caseID string, ids []string, toOrg, ip string) error
	// Unshare withdraws what ShareWith gave toOrg, when a hand-over is
	// declined or withdrawn.
	Unshare(ctx context.Context, caseID string, ids []string, toOrg string) error
	// ExportCase writes a STIX 2.1 bundle of the case and of its observables
	// the viewer may see (all of them when ids is empty).
	ExportCase(ctx context.Context, v *web.Viewer, c CaseExport, ids []string) ([]byte, error)
}

// ImportResult tells what an import of STIX objects did.
type ImportResult struct {
	Added, Skipped int // Skipped: the same object version was there already
	Failed         []ImportFailure
}

// ImportFailure names an object an import refused, or took without storing
// it again, and why. ID, Version and Message are a detail of the TAXII
// status resource, Message in English: TAXII is a machine protocol. Key and
// Args say the same in the reader's language on the pages, and Detail is
// the technical part shown after it untranslated (a STIX validation
// reason); the TAXII JSON leaves them out, StoredFailures keeps them.
type ImportFailure struct {
	ID      string            `json:"id"`
	Version string            `json:"version,omitempty"`
	Message string            `json:"message"`
	Key     string            `json:"-"`
	Args    map[string]string `json:"-"`
	Detail  string            `json:"-"`
}

// Sentence is the failure in p's language, or "" when it has no key (one
// recorded before failures had keys: its Message is all there is).
func (f ImportFailure) Sentence(p *i18n.Printer) string {
	if f.Key == "" || p == nil {
		return ""
	}
	args := make([]any, 0, 2*len(f.Args))
	for k, v := range f.Args {
		args = append(args, k, v)
	}
	return p.T(f.Key, args...)
}

// StoredFailures is a list of failures as a database column keeps it: JSON
// with the key, arguments and detail that the TAXII JSON leaves out.
type StoredFailures []ImportFailure

// storedFailure is ImportFailure with every field in the JSON.
type storedFailure struct {
	ID      string            `json:"id"`
	Version string            `json:"version,omitempty"`
	Message string            `json:"message"`
	Key     string            `json:"key,omitempty"`
	Args    map[string]string `json:"args,omitempty"`
	Detail  string            `json:"detail,omitempty"`
}

// MarshalJSON writes the list, [] when empty.
func (l StoredFailures) MarshalJSON() ([]byte, error) {
	out := make([]storedFailure, len(l))
	for i, f := range l {
		out[i] = storedFailure(f)
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads a list written by MarshalJSON, or one of TAXII
// details alone (written before failures had keys).
func (l *StoredFailures) UnmarshalJSON(b []byte) error {
	var in []storedFailure
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	if in == nil {
		*l = nil
		return nil
	}
	*l = make(StoredFailures, len(in))
	for i, f := range in {
		(*l)[i] = ImportFailure(f)
	}
	return nil
}

// STIXImporter stores STIX objects in a local TAXII collection: the TAXII
// client (cert/feeds) imports through it. byOrg is the organisation on
// whose behalf the objects come in.
type STIXImporter interface {
	ImportObjects(ctx context.Context, collectionID string, objects []json.RawMessage, byOrg string) (ImportResult, error)
}

// IntelMatch is a STIX object, in a TAXII collection the viewer may read,
// that carries an observable's value.
type IntelMatch struct {
	CollectionID, CollectionTitle string
	ObjectID, Type, Name          string
}

// Intel is the STIX object store as the observables part uses it: the
// objects of the collections the viewer may read that store one of the
// correlation probes (observable.KeysOf's Probes).
type Intel interface {
	CorrelateIntel(ctx context.Context, v *web.Viewer, probes []string, limit int) ([]IntelMatch, error)
}
