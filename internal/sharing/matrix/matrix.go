// Package matrix is the authorisation matrix harness: it seeds records in
// every combination of marking, share, state and embargo, signs in one
// person for every viewer role, and checks for every route that a record is
// present exactly where the sharing model allows — in pages, JSON, search
// results, counts, feeds and exports. A route the application has but the
// matrix does not know fails the check, so no route can be forgotten.
package matrix

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// Role is a kind of viewer.
type Role string

// The viewer roles of the matrix.
const (
	Anonymous   Role = "anonymous"
	Unverified  Role = "unverified member"
	Community   Role = "community member"
	OwnerEditor Role = "owner editor"
	OwnerMember Role = "owner member"
	Recipient   Role = "recipient"
	Constituent Role = "recipient's constituent"
	Named       Role = "named person"
	Officer     Role = "programme officer"
	Admin       Role = "platform admin"
	Moderator   Role = "moderator"
)

// Roles lists every viewer role.
var Roles = []Role{Anonymous, Unverified, Community, OwnerEditor, OwnerMember, Recipient, Constituent, Named, Officer, Admin, Moderator}

// Share says with whom a seeded record is shared.
type Share string

// The share variants.
const (
	NoShare   Share = "none"
	ToOrg     Share = "recipient org"
	ToGroup   Share = "group with recipient"
	ToPerson  Share = "named person"
	Reshared  Share = "recipient org, passed on to its constituent"
	ToOffice  Share = "programme office"
	ownerOrgS       = "owner"
)

// Shares lists the share variants.
var Shares = []Share{NoShare, ToOrg, ToGroup, ToPerson, Reshared, ToOffice}

// Case is one seeded record.
type Case struct {
	Marking   sharing.Marking
	Share     Share
	State     sharing.State
	Embargo   bool // visible from an hour from now
	ID        string
	Marker    string // a word only this record's text contains
	Creatable bool
}

func (c Case) String() string {
	e := ""
	if c.Embargo {
		e = ", embargoed"
	}
	return fmt.Sprintf("%s/%s/%s%s", c.Marking, c.Share, c.State, e)
}

// Allowed is the sharing model written out as a truth table, independently
// of the SQL: may a viewer with role see the record of case c?
func Allowed(c Case, role Role) bool {
	switch role {
	case OwnerEditor:
		return true // it set every marking, and raising one to RED names whoever raises it
	case OwnerMember:
		return c.Marking != sharing.Red // RED: named people only
	}
	if c.State != sharing.Published || c.Embargo {
		return false
	}
	inVerified := role == Community || role == Recipient || role == Constituent || role == Officer
	switch c.Marking {
	case sharing.Clear:
		return true
	case sharing.Green:
		return inVerified
	case sharing.Amber:
		switch c.Share {
		case ToOrg:
			return role == Recipient
		case ToGroup: // the circle holds the recipient and its owner, the community org
			return role == Recipient || role == Community
		case Reshared:
			return role == Recipient || role == Constituent
		case ToPerson:
			return role == Named
		case ToOffice:
			return role == Officer
		}
	case sharing.AmberStrict:
		switch c.Share {
		case ToOrg:
			return role == Recipient
		case ToOffice:
			return role == Officer
		}
	case sharing.Red:
		return c.Share == ToPerson && role == Named
	}
	return false
}

// World is the seeded platform: organisations, a group, people in every
// role (each with a signed-in browser) and the records of every case.
type World struct {
	Env      *apptest.Env
	Sharing  *sharing.Service
	Type     sharing.Type
	Browsers map[Role]*apptest.Browser
	Viewers  map[Role]*web.Viewer
	Orgs     map[string]*org.Org // owner, recipient, constituent, community, unverified, office
	Group    *sharing.Group
	Cases    []Case
}

const password = "matrix password 2026"

// Build makes the world. insert creates one record of the type owned by
// ownerOrg with the given text in its title and body, and returns its id;
// the harness then sets marking, state and embargo and adds the shares
// through the sharing service, as a person would.
func Build(t *testing.T, e *apptest.Env, sh *sharing.Service, typ sharing.Type,
	insert func(ctx context.Context, ownerOrg, text string) (string, error)) *World {
	t.Helper()
	ctx := context.Background()
	w := &World{Env: e, Sharing: sh, Type: typ, Browsers: map[Role]*apptest.Browser{}, Viewers: map[Role]*web.Viewer{}, Orgs: map[string]*org.Org{}}
	admin, err := e.App.Accounts.Create(ctx, account.NewUser{Email: "admin@matrix.test", Name: "Admin", Password: password, Confirmed: true, Roles: []string{account.RoleAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	adminV := &web.Viewer{ID: admin.ID, Pseudonym: admin.Pseudonym, Roles: admin.Roles}
	people := map[Role]string{}
	for _, r := range Roles {
		if r == Anonymous || r == Admin {
			continue
		}
		email := strings.ReplaceAll(string(r), " ", "-") + "@matrix.test"
		email = strings.ReplaceAll(email, "'", "")
		nu := account.NewUser{Email: email, Name: string(r), Password: password, Confirmed: true}
		switch r {
		case Moderator:
			nu.Roles = []string{account.RoleModerator}
		case Officer:
			nu.Roles = []string{"officer:network"}
		}
		u, err := e.App.Accounts.Create(ctx, nu)
		if err != nil {
			t.Fatal(err)
		}
		people[r] = u.ID
	}
	people[Admin] = admin.ID
	mkOrg := func(key, slug string, owner Role, verified bool) {
		v := viewer(t, e, people[owner])
		o, err := e.App.Orgs.Create(ctx, v, org.Input{Name: "Matrix " + key, Slug: slug, Kind: "enterprise", Country: "KE"}, "")
		if err != nil {
			t.Fatal(err)
		}
		if verified {
			if err := e.App.Orgs.SetVerified(ctx, adminV, o, true, ""); err != nil {
				t.Fatal(err)
			}
		}
		w.Orgs[key] = o
	}
	mkOrg("owner", "matrix-owner", OwnerEditor, true)
	if err := e.App.Orgs.AddMember(ctx, "matrix-owner", people[OwnerMember], []string{"member"}); err != nil {
		t.Fatal(err)
	}
	mkOrg("recipient", "matrix-recipient", Recipient, true)
	mkOrg("constituent", "matrix-constituent", Constituent, true)
	mkOrg("community", "matrix-community", Community, true)
	mkOrg("unverified", "matrix-unverified", Unverified, false)
	office, err := e.App.Orgs.BySlug(ctx, "office-network")
	if err != nil {
		t.Fatal(err)
	}
	w.Orgs["office"] = office
	if err := sh.SetConstituent(ctx, adminV, w.Orgs["recipient"].ID, w.Orgs["constituent"].ID, true, ""); err != nil {
		t.Fatal(err)
	}
	w.Group, err = sh.CreateGroup(ctx, viewer(t, e, people[Community]), w.Orgs["community"].ID, "matrix-circle", "Matrix circle", "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := sh.SetGroupMember(ctx, viewer(t, e, people[Community]), w.Group, w.Orgs["recipient"].ID, true); err != nil {
		t.Fatal(err)
	}
	for r, id := range people {
		w.Viewers[r] = viewer(t, e, id)
	}
	for _, r := range Roles {
		if r == Anonymous {
			w.Browsers[r] = e.Browser()
			continue
		}
		b := e.Browser()
		email := "admin@matrix.test"
		if r != Admin {
			email = strings.ReplaceAll(strings.ReplaceAll(string(r), " ", "-"), "'", "") + "@matrix.test"
		}
		if res := b.Post("/signin", url.Values{"email": {email}, "password": {password}}); res.StatusCode != 303 {
			t.Fatalf("sign in %s: %d", r, res.StatusCode)
		}
		w.Browsers[r] = b
	}
	// The administrator must have a second factor to browse: mark it on
	// after signing in, as if it had been set up.
	if _, err := e.App.DB.W.Exec(`UPDATE users SET totp_enabled_at = $1 WHERE id = $2`, e.Clock.Now(), admin.ID); err != nil {
		t.Fatal(err)
	}
	w.seed(t, insert)
	return w
}

func viewer(t *testing.T, e *apptest.Env, userID string) *web.Viewer {
	t.Helper()
	u, err := e.App.Accounts.UserByID(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := e.App.Orgs.Memberships(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym, Email: u.Email, Name: u.Name, Roles: u.Roles, Orgs: ms}
}

func (w *World) seed(t *testing.T, insert func(ctx context.Context, ownerOrg, text string) (string, error)) {
	ctx := context.Background()
	n := 0
	for _, m := range sharing.Markings {
		for _, s := range Shares {
			for _, st := range []sharing.State{sharing.Draft, sharing.Published, sharing.Hidden} {
				for _, emb := range []bool{false, true} {
					if emb && st != sharing.Published {
						continue
					}
					n++
					c := Case{Marking: m, Share: s, State: st, Embargo: emb, Marker: fmt.Sprintf("zq%04dx", n)}
					id, err := insert(ctx, w.Orgs["owner"].ID, "record "+c.Marker)
					if err != nil {
						t.Fatal(err)
					}
					c.ID = id
					c.Creatable = w.apply(t, &c)
					if c.Creatable {
						w.Cases = append(w.Cases, c)
						continue
					}
					// A combination the model refuses leaves no record behind.
					for _, q := range []string{`DELETE FROM shares WHERE record_type = $1 AND record_id = $2`,
						`DELETE FROM ` + w.Type.Table + ` WHERE id = $2 AND $1 <> ''`} {
						if _, err := w.Env.App.DB.W.Exec(q, w.Type.Name, c.ID); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
		}
	}
}

// apply sets the case's marking, shares, state and embargo through the
// service; it reports false when the model refuses the combination (for
// example a group share of a RED record), which is then not a case.
func (w *World) apply(t *testing.T, c *Case) bool {
	ctx := context.Background()
	owner := w.Viewers[OwnerEditor]
	meta, err := w.Sharing.Meta(ctx, owner, w.Type.Name, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Shares are added under AMBER (where all kinds are allowed), then the
	// marking is set; the rules of the final marking decide what may stay.
	if err := w.Sharing.SetMarking(ctx, owner, meta, c.Marking, ""); err != nil {
		t.Fatal(err)
	}
	share := func(v *web.Viewer, by, kind, target string) bool {
		_, err := w.Sharing.AddShare(ctx, v, meta, by, kind, target, "")
		return err == nil
	}
	ownerOrg := w.Orgs["owner"].ID
	ok := true
	switch c.Share {
	case ToOrg:
		ok = share(owner, ownerOrg, sharing.ToOrg, w.Orgs["recipient"].ID)
	case ToGroup:
		ok = share(owner, ownerOrg, sharing.ToGroup, w.Group.ID)
	case ToPerson:
		ok = share(owner, ownerOrg, sharing.ToPerson, w.Viewers[Named].ID)
	case ToOffice:
		ok = share(owner, ownerOrg, sharing.ToOrg, w.Orgs["office"].ID)
	case Reshared:
		ok = share(owner, ownerOrg, sharing.ToOrg, w.Orgs["recipient"].ID) &&
			share(w.Viewers[Recipient], w.Orgs["recipient"].ID, sharing.ToOrg, w.Orgs["constituent"].ID)
	}
	if !ok {
		return false
	}
	if c.Embargo {
		at := w.Env.Clock.Now().Add(time.Hour)
		if err := w.Sharing.SetVisibleFrom(ctx, owner, meta, &at, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Sharing.SetState(ctx, owner, meta, c.State, ""); err != nil {
		t.Fatal(err)
	}
	return true
}

// Probe reads what a route shows one viewer.
type Probe struct {
	// List fetches a page, feed, export or API answer that lists records;
	// a record is present when its marker is in the body.
	List func(b *apptest.Browser) string
	// Item fetches one record's page or API answer; the record is present
	// when the answer is 200 and holds its marker.
	Item func(b *apptest.Browser, id string) (status int, body string)
	// Count fetches a number that must equal how many records the viewer may see.
	Count func(b *apptest.Browser) int
	// Exempt explains why a route shows no record of the type.
	Exempt string
}

// Reporter is where Check reports: a *testing.T, or a recorder in the
// harness's own tests.
type Reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// Check runs every probe for every role and case, and fails for every route
// of routes that has no probe.
func (w *World) Check(t Reporter, routes []web.Route, probes map[string]Probe) {
	t.Helper()
	for _, m := range Uncovered(routes, probes) {
		t.Errorf("route %s has no entry in the authorisation matrix", m)
	}
	keys := make([]string, 0, len(probes))
	for k := range probes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, route := range keys {
		p := probes[route]
		if p.Exempt != "" {
			continue
		}
		for _, role := range Roles {
			b := w.Browsers[role]
			want := 0
			for _, c := range w.Cases {
				if Allowed(c, role) {
					want++
				}
			}
			switch {
			case p.List != nil:
				body := p.List(b)
				for _, c := range w.Cases {
					if got := strings.Contains(body, c.Marker); got != Allowed(c, role) {
						t.Errorf("%s as %s: record %s present=%v, want %v", route, role, c, got, !got)
					}
				}
			case p.Item != nil:
				for _, c := range w.Cases {
					status, body := p.Item(b, c.ID)
					got := status == 200 && strings.Contains(body, c.Marker)
					if got != Allowed(c, role) {
						t.Errorf("%s as %s: record %s present=%v (status %d), want %v", route, role, c, got, status, !got)
					}
				}
			case p.Count != nil:
				if got := p.Count(b); got != want {
					t.Errorf("%s as %s: count %d, want %d", route, role, got, want)
				}
			}
		}
	}
}

// Uncovered lists the routes that have no entry in probes.
func Uncovered(routes []web.Route, probes map[string]Probe) []string {
	var missing []string
	for _, r := range routes {
		if _, ok := probes[r.Pattern()]; !ok {
			missing = append(missing, r.Pattern())
		}
	}
	sort.Strings(missing)
	return missing
}

// Exempt builds exemptions for routes that show no shareable records.
func Exempt(reason string, patterns ...string) map[string]Probe {
	m := map[string]Probe{}
	for _, p := range patterns {
		m[p] = Probe{Exempt: reason}
	}
	return m
}
