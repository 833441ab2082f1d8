// Package sharing is the platform's one rule for who sees a record: an owner
// organisation, a TLP 2.0 marking, a state, an optional embargo, and shares
// to organisations, groups of organisations and named people. A module
// declares its record type once; every list, count, search, feed, export
// and API query of that module then filters with Visible, inside the SQL.
//
//   - CLEAR: anyone, signed in or not.
//   - GREEN: the members of a community: the verified organisations by
//     default, or the verified organisations of a group the record names.
//   - AMBER: the owner organisation, and the organisations, groups and
//     people it shared with; a recipient organisation may pass the record
//     on to its constituents, as a new share the owner sees.
//   - AMBER+STRICT: the owner organisation and the organisations it shared
//     with; only the owner adds shares.
//   - RED: named people only (the owner's people too must be named).
//
// Draft and hidden records, and records before their "visible from" time,
// are seen by the owner organisation alone. Platform administrators have no
// view beyond what is shared with them.
package sharing

import (
	"context"
	"database/sql"
	"embed"
	"slices"
	"strings"
	"time"

	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/web"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations creates groups, constituents and shares.
var Migrations = db.Embedded("sharing", migrationFS, "migrations")

// Marking is a TLP 2.0 marking.
type Marking string

// The markings, from the most open to the most restricted.
const (
	Clear       Marking = "clear"
	Green       Marking = "green"
	Amber       Marking = "amber"
	AmberStrict Marking = "amber+strict"
	Red         Marking = "red"
)

// Markings lists the markings from the most open to the most restricted.
var Markings = []Marking{Clear, Green, Amber, AmberStrict, Red}

// Valid reports whether m is a marking.
func (m Marking) Valid() bool { return slices.Contains(Markings, m) }

// Rank orders markings: a lower rank is more open.
func (m Marking) Rank() int { return slices.Index(Markings, m) }

// TLP is the marking as TLP 2.0 writes it: "TLP:AMBER+STRICT".
func (m Marking) TLP() string { return "TLP:" + strings.ToUpper(string(m)) }

// State is a record's life-cycle state.
type State string

// The states.
const (
	Draft     State = "draft"
	Published State = "published"
	Hidden    State = "hidden"
)

// Valid reports whether s is a state.
func (s State) Valid() bool { return s == Draft || s == Published || s == Hidden }

// Target kinds of a share.
const (
	ToOrg    = "org"
	ToGroup  = "group"
	ToPerson = "person"
)

// Type is a shareable record type, declared once by the module that owns it.
// Its table has the columns id, owner_org, marking, state, visible_from and
// community (a group id, or ” for the default community).
type Type struct {
	Name  string // "cert.case", "network.post"
	Table string
	// EditorRoles are the organisation roles, besides admin, whose holders
	// edit the owner's records of this type (change marking, state, shares).
	EditorRoles []string
	// Title is the column holding the record's title, shown on the share page.
	Title string
	// Path gives the page of a record, for links in notifications and
	// on the share page.
	Path func(id string) string
	// OnMarking, when set, runs inside SetMarking's transaction before the
	// change, whichever page or API asks for it: the module refuses a
	// marking (a received incident case never goes below the marking it
	// was handed over with) or records the change in its own history.
	OnMarking func(ctx context.Context, tx *sql.Tx, v *web.Viewer, m *Meta, to Marking, ip string) error
	// Also, when set, is a further SQL condition on a row aliased alias
	// that the kernel ANDs with Visible wherever it reads a record of the
	// type itself (Meta: the share, abuse report and file pages): for a
	// record that is seen only where its parent is, like an observable in
	// an incident case. The module applies it in its own queries.
	Also func(alias string, v *web.Viewer, now time.Time, args *db.Args) string
}

// Columns are the sharing columns every shareable table has; modules put
// this fragment in their CREATE TABLE.
const Columns = `owner_org TEXT NOT NULL, marking TEXT NOT NULL, state TEXT NOT NULL, visible_from TIMESTAMP, community TEXT NOT NULL DEFAULT ''`

// Visible returns the SQL condition under which the viewer may see a row of
// the type aliased as alias, adding its arguments to args. Every query that
// lists, counts, searches, feeds or exports records uses it.
func Visible(t Type, alias string, v *web.Viewer, now time.Time, args *db.Args) string {
	a := alias + "."
	open := a + `state = 'published' AND (` + a + `visible_from IS NULL OR ` + a + `visible_from <= ` + args.Add(now) + `)`
	if v == nil {
		return `(` + open + ` AND ` + a + `marking = 'clear')`
	}
	me := args.Add(v.ID)
	typ := args.Add(t.Name)
	myOrgs := `SELECT org_id FROM memberships WHERE user_id = ` + me
	myGroups := `SELECT gm.group_id FROM group_members gm JOIN memberships m ON m.org_id = gm.org_id WHERE m.user_id = ` + me
	myVerifiedGroups := `SELECT gm.group_id FROM group_members gm JOIN memberships m ON m.org_id = gm.org_id
		JOIN orgs o ON o.id = gm.org_id WHERE m.user_id = ` + me + ` AND o.verified_at IS NOT NULL`
	verified := `EXISTS (SELECT 1 FROM memberships m JOIN orgs o ON o.id = m.org_id WHERE m.user_id = ` + me + ` AND o.verified_at IS NOT NULL)`
	shared := func(targets string) string {
		return `EXISTS (SELECT 1 FROM shares s WHERE s.record_type = ` + typ + ` AND s.record_id = ` + a + `id AND (` + targets + `))`
	}
	named := shared(`s.target_kind = 'person' AND s.target_id = ` + me)
	return `((` + a + `owner_org IN (` + myOrgs + `) AND (` + a + `marking <> 'red' OR ` + named + `))
	OR (` + open + ` AND (` + a + `marking = 'clear'
		OR (` + a + `marking = 'green' AND ((` + a + `community = '' AND ` + verified + `) OR ` + a + `community IN (` + myVerifiedGroups + `)))
		OR (` + a + `marking IN ('amber', 'amber+strict') AND ` + shared(
		`(s.target_kind = 'org' AND s.target_id IN (`+myOrgs+`))
			OR (`+a+`marking = 'amber' AND s.target_kind = 'person' AND s.target_id = `+me+`)
			OR (`+a+`marking = 'amber' AND s.target_kind = 'group' AND s.target_id IN (`+myGroups+`))`) + `)
		OR (` + a + `marking = 'red' AND ` + named + `))))`
}

// SharedWith returns the SQL condition under which a row of the type
// (aliased as alias) was given to the viewer by name: one of the viewer's
// organisations owns it, or a share names the viewer, one of their
// organisations or a group one of them belongs to. Modules use it with
// Visible for what goes beyond seeing a record: the original of an image,
// with the metadata its shown copies are stripped of.
func SharedWith(t Type, alias string, v *web.Viewer, args *db.Args) string {
	if v == nil {
		return `1 = 0`
	}
	a := alias + "."
	me := args.Add(v.ID)
	myOrgs := `SELECT org_id FROM memberships WHERE user_id = ` + me
	return `(` + a + `owner_org IN (` + myOrgs + `) OR EXISTS (SELECT 1 FROM shares s WHERE s.record_type = ` + args.Add(t.Name) +
		` AND s.record_id = ` + a + `id AND ((s.target_kind = 'person' AND s.target_id = ` + me + `)
		OR (s.target_kind = 'org' AND s.target_id IN (` + myOrgs + `))
		OR (s.target_kind = 'group' AND s.target_id IN (SELECT gm.group_id FROM group_members gm WHERE gm.org_id IN (` + myOrgs + `))))))`
}

// Owners are the viewer's organisations that may own records of the type:
// those where they are an admin or hold one of the type's editor roles.
func Owners(v *web.Viewer, t Type) []web.Membership {
	if v == nil {
		return nil
	}
	var out []web.Membership
	for _, m := range v.Orgs {
		if OwnerFor(v, m.OrgID, t.EditorRoles) == nil {
			out = append(out, m)
		}
	}
	return out
}

// OwnerNamed finds, among the viewer's Owners, the organisation named by id
// or slug; when there is only one, an empty name means it. It reports
// false when none matches.
func OwnerNamed(v *web.Viewer, t Type, name string) (web.Membership, bool) {
	choices := Owners(v, t)
	if name == "" && len(choices) == 1 {
		return choices[0], true
	}
	for _, m := range choices {
		if name != "" && (m.OrgID == name || m.Slug == name) {
			return m, true
		}
	}
	return web.Membership{}, false
}
