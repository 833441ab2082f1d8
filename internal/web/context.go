package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"harambee.africa/harambee/internal/i18n"
)

// Membership is one organisation the viewer belongs to, with their roles in it.
type Membership struct {
	OrgID   string   `json:"id"`
	Slug    string   `json:"slug"`
	Name    string   `json:"name"`
	Roles   []string `json:"roles"`
	Kind    string   `json:"kind"`
	Country string   `json:"country"`
}

// Viewer is the person making a request, as the account module found them.
type Viewer struct {
	ID        string
	Pseudonym string // the person's id in the audit log
	Email     string
	Name      string
	Locale    string
	TimeZone  string
	Roles     []string // platform roles: admin, moderator, officer:<module>
	Orgs      []Membership
	SessionID string // hash of the session, empty for API tokens
	TokenID   string // the API token used, empty for sessions
	Scopes    []string
	// NeedsSecondFactor is set for platform administrators without a second
	// factor: they may only reach the set-up pages.
	NeedsSecondFactor bool
}

// HasRole reports whether the viewer holds a platform role.
func (v *Viewer) HasRole(role string) bool {
	if v == nil {
		return false
	}
	for _, r := range v.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// IsAdmin reports whether the viewer is a platform administrator.
func (v *Viewer) IsAdmin() bool { return v.HasRole("admin") }

// Member returns the viewer's membership in the organisation, if any.
func (v *Viewer) Member(orgID string) (Membership, bool) {
	if v == nil {
		return Membership{}, false
	}
	for _, m := range v.Orgs {
		if m.OrgID == orgID {
			return m, true
		}
	}
	return Membership{}, false
}

type ctxKey int

const (
	viewerKey ctxKey = iota
	printerKey
	clientIPKey
)

// WithViewer returns ctx carrying the viewer.
func WithViewer(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey, v)
}

// ViewerOf returns the request's viewer, nil when anonymous.
func ViewerOf(r *http.Request) *Viewer {
	v, _ := r.Context().Value(viewerKey).(*Viewer)
	return v
}

// PrinterOf returns the request's translator.
func PrinterOf(r *http.Request) *i18n.Printer {
	p, _ := r.Context().Value(printerKey).(*i18n.Printer)
	return p
}

// ClientIP returns the client's address, as the trusted-proxy setting allows.
func ClientIP(r *http.Request) string {
	ip, _ := r.Context().Value(clientIPKey).(string)
	return ip
}

// Location is the viewer's time zone, UTC when unknown (or for nobody).
func (v *Viewer) Location() *time.Location {
	if v != nil && v.TimeZone != "" {
		if l, err := time.LoadLocation(v.TimeZone); err == nil {
			return l
		}
	}
	return time.UTC
}

// ParseFormTime reads a date or time a person typed in a form: RFC 3339,
// or a date-time ("2026-11-27T10:00", seconds optional) or a date
// ("2026-11-27", its midnight) in the viewer's time zone, which is the one
// pages show times in. An empty value is nil; false means unreadable.
func ParseFormTime(v *Viewer, raw string) (*time.Time, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, true
	}
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return &t, true
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, raw, v.Location()); err == nil {
			return &t, true
		}
	}
	return nil, false
}
