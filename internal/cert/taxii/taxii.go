// Package taxii is the STIX object store of CERT cooperation (action 2.1):
// collections per trust circle and per visibility, the import of STIX 2.1
// bundles (TAXII, upload, the TAXII client of cert/feeds) and the TAXII 2.1
// server at /taxii2/.
//
// Collections are derived, not stored: "public" (TLP:CLEAR, readable by
// anyone, written by vetted CERTs), "vetted CERTs" (up to TLP:GREEN, vetted
// CERTs only) and one per trust circle (up to TLP:AMBER+STRICT, the circle's
// member organisations only), whose id is a UUIDv5 of the circle's group id,
// so a circle made later has its collection at once.
package taxii

import (
	"context"
	"embed"
	"slices"
	"strings"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/stix"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates
var templateFS embed.FS

// Migrations are the object store's tables.
var Migrations = db.Embedded("cert/taxii", migrationFS, "migrations")

// Service is the object store and the TAXII server.
type Service struct {
	DB    *db.DB
	Clock clock.Clock
	Cert  *cert.Service
	Site  *web.Site
	Audit account.Auditor
	// Limits bound one import (bytes and objects); MaxContentLength is
	// what the API root advertises.
	Limits stix.Limits
	// BatchRows is how many object versions one write transaction holds:
	// small enough that no transaction keeps the SQLite writer long.
	BatchRows int

	index indexSchema
}

// New builds the service with the default limits.
func New(d *db.DB, clk clock.Clock, c *cert.Service) *Service {
	return &Service{DB: d, Clock: clk, Cert: c, Limits: stix.Limits{MaxBytes: 64 << 20, MaxObjects: 100_000}, BatchRows: 2000}
}

// Kind is what a collection is for.
type Kind string

// The kinds of collections.
const (
	Public Kind = "public"
	Vetted Kind = "vetted"
	Circle Kind = "circle"
)

// namespace is the UUIDv5 namespace of collection ids.
var namespace = uuid.MustParse("4f6f8a52-8f0e-5b34-9d6e-1f3a2c7b9e10")

// The fixed collections' ids.
var (
	PublicID = uuid.NewSHA1(namespace, []byte("public")).String()
	VettedID = uuid.NewSHA1(namespace, []byte("vetted-certs")).String()
)

// CircleCollectionID is the id of a trust circle's collection.
func CircleCollectionID(groupID string) string {
	return uuid.NewSHA1(namespace, []byte("circle:"+groupID)).String()
}

// Collection is one TAXII collection and what the viewer may do with it.
type Collection struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Kind     Kind     `json:"kind"`
	GroupID  string   `json:"-"`
	Ceiling  stix.TLP `json:"max_tlp"` // the most restrictive TLP it accepts; also the marking of unmarked objects
	CanRead  bool     `json:"can_read"`
	CanWrite bool     `json:"can_write"`
	// Writer is the viewer's organisation that writes in its name.
	Writer string `json:"-"`
}

// TitleKey is the message key of a built-in collection's title, for pages
// ("" for a circle's, titled by its name); TAXII clients get Title.
func (c *Collection) TitleKey() string {
	switch c.Kind {
	case Public:
		return "cert.taxii.collection.public"
	case Vetted:
		return "cert.taxii.collection.vetted"
	}
	return ""
}

// Description is the collection's description in English, for TAXII clients.
func (c *Collection) Description() string {
	switch c.Kind {
	case Public:
		return "STIX objects marked TLP:CLEAR, readable by anyone and written by vetted CERTs."
	case Vetted:
		return "STIX objects marked up to TLP:GREEN, shared among the vetted CERTs."
	}
	return "STIX objects marked up to TLP:AMBER+STRICT, shared among the members of the trust circle " + c.Title + "."
}

var errNotFound = errs.E("cert.taxii", errs.NotFound, "error.not_found")

// writerRoles may write into collections for their organisation.
var writerRoles = []string{org.RoleAdmin, cert.RoleAnalyst}

func writer(m web.Membership) bool {
	return slices.ContainsFunc(m.Roles, func(r string) bool { return slices.Contains(writerRoles, r) })
}

// access is what one viewer may reach: computed once per request.
type access struct {
	vettedOrgs []web.Membership  // the viewer's vetted CERTs
	circles    map[string]circle // by group id: circles one of the viewer's organisations is in
}

type circle struct {
	groupID, name string
	members       []web.Membership // the viewer's organisations in it
}

func (s *Service) accessOf(ctx context.Context, v *web.Viewer) (*access, error) {
	a := &access{circles: map[string]circle{}}
	if v == nil || len(v.Orgs) == 0 {
		return a, nil
	}
	for _, m := range v.Orgs {
		ok, err := s.Cert.IsVetted(ctx, m.OrgID)
		if err != nil {
			return nil, err
		}
		if ok {
			a.vettedOrgs = append(a.vettedOrgs, m)
		}
	}
	ids := make([]string, len(v.Orgs))
	for i, m := range v.Orgs {
		ids[i] = m.OrgID
	}
	seats, err := s.Cert.CirclesOf(ctx, s.DB.R, ids...)
	if err != nil {
		return nil, err
	}
	for _, seat := range seats {
		c := a.circles[seat.GroupID]
		c.groupID, c.name = seat.GroupID, seat.Name
		if m, ok := v.Member(seat.OrgID); ok {
			c.members = append(c.members, m)
		}
		a.circles[seat.GroupID] = c
	}
	return a, nil
}

func firstWriter(ms []web.Membership) string {
	for _, m := range ms {
		if writer(m) {
			return m.OrgID
		}
	}
	return ""
}

// Collections lists the collections the viewer may read: the public one
// for everyone, the vetted CERTs' for them, and the circles of the viewer's
// organisations. Circles the viewer is not in are not listed at all.
func (s *Service) Collections(ctx context.Context, v *web.Viewer) ([]*Collection, error) {
	a, err := s.accessOf(ctx, v)
	if err != nil {
		return nil, err
	}
	return s.collectionsFor(a), nil
}

func (s *Service) collectionsFor(a *access) []*Collection {
	w := firstWriter(a.vettedOrgs)
	out := []*Collection{{ID: PublicID, Title: "Public", Kind: Public, Ceiling: stix.TLPClear, CanRead: true, CanWrite: w != "", Writer: w}}
	if len(a.vettedOrgs) > 0 {
		out = append(out, &Collection{ID: VettedID, Title: "Vetted CERTs", Kind: Vetted, Ceiling: stix.TLPGreen, CanRead: true, CanWrite: w != "", Writer: w})
	}
	var cs []*Collection
	for _, c := range a.circles {
		cw := firstWriter(c.members)
		cs = append(cs, &Collection{ID: CircleCollectionID(c.groupID), Title: c.name, Kind: Circle, GroupID: c.groupID, Ceiling: stix.TLPAmberStrict,
			CanRead: true, CanWrite: cw != "", Writer: cw})
	}
	slices.SortFunc(cs, func(x, y *Collection) int { return strings.Compare(x.Title+x.ID, y.Title+y.ID) })
	return append(out, cs...)
}

// Collection returns a collection the viewer may read, or NotFound: a
// collection the viewer may not read is not revealed to exist.
func (s *Service) Collection(ctx context.Context, v *web.Viewer, id string) (*Collection, error) {
	list, err := s.Collections(ctx, v)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		if c.ID == id {
			return c, nil
		}
	}
	return nil, errNotFound
}

// collectionForOrg finds a collection as an organisation sees it: for the TAXII
// client, which imports on behalf of an organisation.
func (s *Service) collectionForOrg(ctx context.Context, id, orgID string) (*Collection, error) {
	v := &web.Viewer{ID: "", Orgs: []web.Membership{{OrgID: orgID, Roles: []string{org.RoleAdmin}}}}
	return s.Collection(ctx, v, id)
}

// readableIDs are the ids of the collections the viewer may read.
func readableIDs(cs []*Collection) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}
