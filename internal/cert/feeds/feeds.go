// Package feeds is the TAXII 2.1 client of CERT cooperation (action 2.1):
// a vetted CERT subscribes one of its trust circles to a collection on a
// remote TAXII server, and a job polls the collection and imports what is
// new into the circle's own collection through cert.STIXImporter.
//
// Polling follows TAXII 2.1 §3.4 and §5.4: GET objects with added_after
// (the last X-TAXII-Date-Added-Last imported) and limit, then next while
// more is true, with the same added_after, as the OASIS reference client
// does; a server that says more without a next is continued with
// added_after = X-TAXII-Date-Added-Last. Each page is written to
// cert_feed_pages in the transaction that moves the cursor past it, then
// imported and deleted: a restart imports a fetched page instead of losing
// it or fetching it again.
//
// Who sees what: a subscription is the business of its team. Its admins and
// CERT analysts see, change and poll it; nobody else sees that it exists,
// not even the circle's other members, whose view is the circle's
// collection itself. Credentials are sealed at rest and never shown back.
package feeds

import (
	"context"
	"embed"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/notify"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/seal"
	"harambee.africa/harambee/internal/web"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates
var templateFS embed.FS

// Migrations create the subscriptions and their fetched pages.
var Migrations = db.Embedded("cert_feeds", migrationFS, "migrations")

// PollJob is the job kind that polls subscriptions: every minute for those
// due, or one subscription when its arguments name it.
const PollJob = "cert.feeds.poll"

// StoppedKind tells a team's admins and analysts that a subscription stopped
// (the remote server refused the credentials or the collection is gone).
var StoppedKind = notify.Kind{Name: "cert.feed_stopped", Default: notify.Now}

// Limits and defaults.
const (
	MinInterval     = 5           // minutes between polls, at least
	MaxInterval     = 7 * 24 * 60 // a week
	DefaultInterval = 60          // minutes
	MaxTitle        = 200         // characters
	MaxURL          = 2000        // bytes
	MaxCredential   = 1000        // bytes of user or password
	MaxTypes        = 30          // entries of the type filter
	PageLimit       = 500         // objects asked for per request
	MaxPageBytes    = 32 << 20    // bytes of one response body read at most
	MaxPagesPerPoll = 200         // pages in one poll; the rest waits for the next
	MaxBackoff      = 24 * time.Hour
	MaxRefusedShown = 10 // refused objects kept for the subscription page
	leaseFor        = 15 * time.Minute
	listMax         = 100
)

// Status of a subscription.
const (
	Active  = "active"
	Stopped = "stopped" // waits for its team: wrong credentials, collection gone, team left the circle
)

// Collections tells the local collection of a trust circle; cert/taxii
// provides it.
type Collections interface {
	CircleCollection(ctx context.Context, groupID string) (string, error)
}

// Notifier tells a team's members; the notify service provides it.
type Notifier interface {
	SendOrg(ctx context.Context, q db.Querier, orgID string, roles []string, n notify.Note) error
}

// Service is the TAXII client of CERT cooperation.
type Service struct {
	DB    *db.DB
	Clock clock.Clock
	Site  *web.Site
	Cert  *cert.Service
	Audit account.Auditor
	// Importer stores what a poll brings in; polls record an error while nil.
	Importer cert.STIXImporter
	// Collections names a circle's local collection; polls record an error while nil.
	Collections Collections
	// Notify tells teams of stopped subscriptions; nothing is sent while nil.
	Notify Notifier
	// Sealer seals credentials at rest, bound to the subscription's id, so
	// that a copy of the database alone does not give them away.
	Sealer *seal.Sealer
	// AllowPrivate lets subscriptions reach loopback, private and
	// link-local addresses, and plain http: an operator's choice
	// (HARAMBEE_FEEDS_ALLOW_PRIVATE=1) for servers on an internal network,
	// and the tests'. Off, such URLs are refused when saved and such
	// addresses when connecting, whatever a name resolves to.
	AllowPrivate bool
	// Schedule asks the job queue for a poll of one subscription.
	Schedule Schedule
	// PageLimit is the limit sent per request; PageLimit when zero.
	PageLimit int
	// HTTP is the client polls use; New builds one with timeouts and the
	// address guard.
	HTTP *http.Client
}

// New returns the service with its HTTP client.
func New(d *db.DB, clk clock.Clock, c *cert.Service, sealer *seal.Sealer) *Service {
	s := &Service{DB: d, Clock: clk, Cert: c, Sealer: sealer}
	s.HTTP = s.client()
	return s
}

// Feed is a subscription as its team sees it; the credentials appear only
// as whether they are set.
type Feed struct {
	ID            string     `json:"id"`
	TeamOrg       string     `json:"team_org"`
	TeamSlug      string     `json:"team"`
	TeamName      string     `json:"team_name"`
	GroupID       string     `json:"circle_id"`
	CircleSlug    string     `json:"circle"`
	CircleName    string     `json:"circle_name"`
	Title         string     `json:"title"`
	APIRoot       string     `json:"api_root"`
	Collection    string     `json:"collection"`
	Types         []string   `json:"types"`
	User          string     `json:"user"`
	SecretSet     bool       `json:"password_set"`
	Interval      int        `json:"interval_minutes"`
	Status        string     `json:"status"`
	AddedAfter    string     `json:"added_after"`
	Resuming      bool       `json:"resuming"` // a run stopped between pages continues with next
	NextPollAt    *time.Time `json:"next_poll_at"`
	LastPollAt    *time.Time `json:"last_poll_at"`
	LastSuccessAt *time.Time `json:"last_success_at"`
	Failures      int        `json:"failures"`
	LastError     string     `json:"last_error"` // a message key, "" when the last poll went well
	LastErrorText string     `json:"last_error_text"`
	LastErrorAt   *time.Time `json:"last_error_at"`
	// LastDetailKey says what exactly was wrong in a message key, when the
	// platform's own words say it; LastDetail is the technical part,
	// untranslated (HTTP status and the server's error title, a
	// Content-Type, a JSON parser error).
	LastDetailKey  string          `json:"last_error_detail_key"`
	LastDetailText string          `json:"last_error_detail_text"`
	LastDetail     string          `json:"last_error_detail"`
	Refused        []RefusedObject `json:"last_refused"`
	Pages          int             `json:"pages"`
	Added          int             `json:"objects_added"`
	Skipped        int             `json:"objects_skipped"`
	RefusedCount   int             `json:"objects_refused"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	secret         string          // sealed
	runAfter       string
	nextToken      string
	detailArgs     map[string]string // fill LastDetailKey
}

// RefusedObject is an object the store refused in the last poll that refused any.
type RefusedObject = cert.ImportFailure

// Input is what a team sets on a subscription. On an update, an empty
// Password keeps the stored one unless ClearAuth is set.
type Input struct {
	Team       string // organisation id
	Circle     string // group id
	Title      string
	APIRoot    string
	Collection string
	Types      []string
	User       string
	Password   string
	ClearAuth  bool
	Interval   int
}

var errNotFound = errs.E("cert.feeds", errs.NotFound, "error.not_found")

// mayManage reports whether the viewer works on the team's subscriptions:
// its admins and CERT analysts.
func mayManage(v *web.Viewer, teamOrg string) bool {
	m, ok := v.Member(teamOrg)
	return ok && (slices.Contains(m.Roles, org.RoleAdmin) || slices.Contains(m.Roles, cert.RoleAnalyst))
}

// managedTeams are the viewer's organisations whose subscriptions it manages.
func managedTeams(v *web.Viewer) []string {
	if v == nil {
		return nil
	}
	var out []string
	for _, m := range v.Orgs {
		if mayManage(v, m.OrgID) {
			out = append(out, m.OrgID)
		}
	}
	return out
}

// decodeRefused reads last_refused, message keys included.
func decodeRefused(raw string) []RefusedObject {
	var out []RefusedObject
	if json.Unmarshal([]byte(raw), (*cert.StoredFailures)(&out)) != nil || out == nil {
		return []RefusedObject{}
	}
	return out
}

// decodeArgs reads last_detail_args: a JSON object, or "" for none.
func decodeArgs(raw string) map[string]string {
	var out map[string]string
	if raw != "" && json.Unmarshal([]byte(raw), &out) != nil {
		return nil
	}
	return out
}
