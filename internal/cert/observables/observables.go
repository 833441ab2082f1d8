// Package observables is part of CERT cooperation (action 2.1): the
// observables and indicators of incident cases — IP addresses and CIDRs,
// domains, URLs, e-mail addresses, file hashes and names, and STIX patterns —
// each with its own marking, pasted in bulk (defanged or not), correlated
// with what the viewer may see in other cases, sighted by teams, handed over
// with a case and exported as STIX 2.1.
//
// Who sees an observable: the viewer must pass sharing.Visible for the
// observable itself (its own marking and shares) and, in addition, either
// see its case (sharing.Visible on the joined cert_cases row) or belong to
// an organisation it was handed to (a row of cert_observable_handed, which
// ShareWith writes and Unshare removes). A handed observable is shown on the
// receiving team's linked case (CaseRef.From) without its origin case: its
// title, id and the rest of its observables stay hidden. Correlations and
// exports go further and list only observables whose case the viewer sees,
// so that they never point at a hidden case.
package observables

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates
var templateFS embed.FS

// Migrations creates the observables, their correlation keys, hand-overs and sightings.
var Migrations = db.Embedded("cert-observables", migrationFS, "migrations")

// TypeName is the sharing type of an observable.
const TypeName = "cert.observable"

// Type is the sharing type of an observable. Its owner is its case's owner.
var Type = sharing.Type{Name: TypeName, Table: "cert_observables", Title: "value", EditorRoles: []string{cert.RoleAnalyst},
	Path: func(id string) string { return "/cert/observables/" + id }, Also: also}

// KindIndicator is the kind of an indicator: a STIX pattern.
const KindIndicator = "indicator"

// Service is the observables part of CERT cooperation.
type Service struct {
	DB      *db.DB
	Clock   clock.Clock
	Site    *web.Site
	Sharing *sharing.Service
	Orgs    *org.Service
	Audit   account.Auditor
	// Cases is set by the wiring of cert/cases; the package reads cases
	// through cert_cases and sharing.Visible, so it works without it.
	Cases cert.Cases
	// Intel, set by the wiring of cert/taxii, shows on an observable's page
	// the STIX objects of the collections the viewer reads that carry it.
	Intel cert.Intel
}

var _ cert.Observables = (*Service)(nil)

// Observable is an observable or indicator of a case.
type Observable struct {
	ID       string          `json:"id"`
	CaseID   string          `json:"case_id"`
	OwnerOrg string          `json:"owner_org"`
	Marking  sharing.Marking `json:"marking"`
	Kind     string          `json:"kind"`
	// Value is the normalised value, or an indicator's pattern in canonical form.
	Value string `json:"value"`
	// Original is the text as pasted (defanged, say), kept for display.
	Original   string     `json:"original"`
	Name       string     `json:"name,omitempty"`
	Refs       []Ref      `json:"refs,omitempty"`
	ValidFrom  *time.Time `json:"valid_from,omitempty"`
	ValidUntil *time.Time `json:"valid_until,omitempty"`
	Labels     []string   `json:"labels"`
	Note       string     `json:"note"`
	CreatedAt  time.Time  `json:"created_at"`
	// Handed is set when the viewer sees the observable through a hand-over
	// and not through its case.
	Handed bool `json:"handed,omitempty"`

	seen seen // sightings, read for exports
}

// IsIndicator reports whether o is a STIX pattern.
func (o *Observable) IsIndicator() bool { return o.Kind == KindIndicator }

// Ref is an observable an indicator's pattern refers to.
type Ref struct {
	STIXType string `json:"stix_type"`
	Path     string `json:"path"`
	Kind     string `json:"kind,omitempty"` // the observable kind, when cert/observable knows it
	Value    string `json:"value"`
}

// Match is another observable correlated with one the viewer looks at.
type Match struct {
	ID        string          `json:"id"`
	Kind      string          `json:"kind"`
	Value     string          `json:"value"`
	Marking   sharing.Marking `json:"marking"`
	CaseID    string          `json:"case_id"`
	CaseTitle string          `json:"case_title"`
}

// The errors of the package, with their message keys.
var (
	errNotFound   = errs.E("cert.observables", errs.NotFound, "error.not_found")
	errForbidden  = errs.E("cert.observables", errs.Forbidden, "error.forbidden")
	errRedHanding = errs.E("cert.observables", errs.Invalid, "cert.observables.error.red_handover")
)

// digest is the unique key of a value within a case, and the stored form of
// a correlation term: the text itself, or its SHA-256 when it is too long for
// a B-tree entry on PostgreSQL.
func digest(s string) string {
	if len(s) <= 200 {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return "h:" + hex.EncodeToString(sum[:])
}
