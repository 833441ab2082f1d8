// Package network is the cooperation network of action 1.2 of the plan: the
// network of Chinese internet enterprises in Africa and the information
// platform where Chinese and African internet enterprises find each other.
//
// This package is the network's core, which its parts share: the programme
// office and the members' community (a group in the sharing model, so that
// network-only content is GREEN with the network as its community), and what
// the network knows of an organisation beyond the kernel's profile — the
// countries and languages it works in and what it offers and seeks. The
// parts live in sub-packages: directory (profiles, directory, country pages),
// membership (applications and review), posts (cooperation posts, replies,
// feeds, subscriptions), and match and messages.
package network

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/text/language"

	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/text"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations create the network's core tables.
var Migrations = db.Embedded("network", migrationFS, "migrations")

// Module names the network's programme office ("office-network") and its
// officers' platform role ("officer:network").
const Module = "network"

// GroupSlug is the slug of the members' community.
const GroupSlug = "china-africa-internet-network"

// Directions of a need.
const (
	Offer = "offer"
	Seek  = "seek"
)

// Limits.
const (
	MaxNeeds     = 40  // offers and seeks of one organisation together
	MaxDetail    = 500 // characters per language of a need's free text
	MaxCountries = 60
	MaxLanguages = 20
)

// Core is what the network's parts share.
type Core struct {
	DB      *db.DB
	Clock   clock.Clock
	Orgs    *org.Service
	Sharing *sharing.Service
	Office  *org.Org       // the programme office, whose members are the network's officers
	Group   *sharing.Group // the members' community
}

// Open makes sure the programme office and the members' group exist.
func Open(ctx context.Context, d *db.DB, clk clock.Clock, orgs *org.Service, sh *sharing.Service) (*Core, error) {
	office, err := orgs.CreateOffice(ctx, Module, "China–Africa Internet Cooperation Network")
	if err != nil {
		return nil, err
	}
	g, err := sh.EnsureGroup(ctx, office.ID, GroupSlug, "China–Africa Internet Cooperation Network", Module)
	if err != nil {
		return nil, err
	}
	return &Core{DB: d, Clock: clk, Orgs: orgs, Sharing: sh, Office: office, Group: g}, nil
}

// IsMember reports whether an organisation belongs to the network.
func (c *Core) IsMember(ctx context.Context, orgID string) (bool, error) {
	var one int
	err := c.DB.R.QueryRowContext(ctx, `SELECT 1 FROM group_members WHERE group_id = $1 AND org_id = $2`, c.Group.ID, orgID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// MemberCondition is an SQL condition true when the organisation id in
// column is a member of the network (the programme office, which keeps the
// group, is not one: sharing.EnsureGroup).
func (c *Core) MemberCondition(column string, args *db.Args) string {
	return `EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = ` + args.Add(c.Group.ID) + ` AND gm.org_id = ` + column + `)`
}

// Need is one thing an organisation offers or seeks.
type Need struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Direction string    `json:"direction"` // Offer or Seek
	Sector    string    `json:"sector"`    // from org.Sectors
	Detail    text.Text `json:"detail"`    // optional free text, in several languages
	CreatedAt time.Time `json:"created_at"`
}

// Profile is what the network knows of an organisation.
type Profile struct {
	OrgID     string   `json:"org_id"`
	Countries []string `json:"countries"` // ISO 3166-1 alpha-2, where it works
	Languages []string `json:"languages"` // BCP 47 base languages it works in
	Offers    []Need   `json:"offers"`
	Seeks     []Need   `json:"seeks"`
}

// Profiles returns the profiles of organisations, one per id (empty for
// an organisation that set nothing).
func (c *Core) Profiles(ctx context.Context, orgIDs []string) (map[string]*Profile, error) {
	out := map[string]*Profile{}
	if len(orgIDs) == 0 {
		return out, nil
	}
	args := &db.Args{}
	var in []string
	for _, id := range orgIDs {
		out[id] = &Profile{OrgID: id, Countries: []string{}, Languages: []string{}, Offers: []Need{}, Seeks: []Need{}}
		in = append(in, args.Add(id))
	}
	set := strings.Join(in, ", ")
	each := func(query string, scan func(*sql.Rows) error) error {
		rows, err := c.DB.R.QueryContext(ctx, query, args.List()...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	err := each(`SELECT org_id, country FROM network_countries WHERE org_id IN (`+set+`) ORDER BY org_id, country`, func(r *sql.Rows) error {
		var id, cc string
		if err := r.Scan(&id, &cc); err != nil {
			return err
		}
		out[id].Countries = append(out[id].Countries, cc)
		return nil
	})
	if err == nil {
		err = each(`SELECT org_id, lang FROM network_languages WHERE org_id IN (`+set+`) ORDER BY org_id, lang`, func(r *sql.Rows) error {
			var id, l string
			if err := r.Scan(&id, &l); err != nil {
				return err
			}
			out[id].Languages = append(out[id].Languages, l)
			return nil
		})
	}
	if err == nil {
		err = each(`SELECT id, org_id, direction, sector, detail, created_at FROM network_needs WHERE org_id IN (`+set+`)
			ORDER BY org_id, direction, created_at, id`, func(r *sql.Rows) error {
			var n Need
			var detail string
			if err := r.Scan(&n.ID, &n.OrgID, &n.Direction, &n.Sector, &detail, &n.CreatedAt); err != nil {
				return err
			}
			if detail != "" {
				if err := n.Detail.Scan(detail); err != nil {
					return err
				}
			}
			p := out[n.OrgID]
			if n.Direction == Offer {
				p.Offers = append(p.Offers, n)
			} else {
				p.Seeks = append(p.Seeks, n)
			}
			return nil
		})
	}
	if err != nil {
		return nil, errs.Wrap("network profiles", err)
	}
	return out, nil
}

// Profile returns one organisation's profile.
func (c *Core) Profile(ctx context.Context, orgID string) (*Profile, error) {
	ps, err := c.Profiles(ctx, []string{orgID})
	if err != nil {
		return nil, err
	}
	return ps[orgID], nil
}

// ProfileInput is a whole new profile; Save replaces the old one.
type ProfileInput struct {
	Countries []string
	Languages []string
	Needs     []Need // ID, OrgID and CreatedAt are set by Save
}

// Check validates a profile, with field errors keyed "countries",
// "languages" and "needs" (or "needs.N" for the N-th need).
func (in *ProfileInput) Check() error {
	bad := map[string]string{}
	seen := map[string]bool{}
	var countries []string
	for _, cc := range in.Countries {
		cc = strings.ToUpper(strings.TrimSpace(cc))
		if !geo.IsValid(cc) {
			bad["countries"] = "network.error.country"
			continue
		}
		if !seen[cc] {
			seen[cc] = true
			countries = append(countries, cc)
		}
	}
	if len(countries) > MaxCountries {
		bad["countries"] = "network.error.too_many"
	}
	var langs []string
	for _, l := range in.Languages {
		base, err := language.ParseBase(strings.TrimSpace(l))
		if err != nil || len(base.String()) != 2 && len(base.String()) != 3 {
			bad["languages"] = "network.error.language"
			continue
		}
		if !slices.Contains(langs, base.String()) {
			langs = append(langs, base.String())
		}
	}
	if len(langs) > MaxLanguages {
		bad["languages"] = "network.error.too_many"
	}
	if len(in.Needs) > MaxNeeds {
		bad["needs"] = "network.error.too_many"
	}
	for i, n := range in.Needs {
		key := "needs." + strconv.Itoa(i)
		switch {
		case n.Direction != Offer && n.Direction != Seek:
			bad[key] = "network.error.direction"
		case !slices.Contains(org.Sectors, n.Sector):
			bad[key] = "network.error.sector"
		case !n.Detail.IsZero():
			if err := n.Detail.Check(text.Limits{Max: MaxDetail}); err != nil {
				bad[key] = errs.KeyOf(err)
			}
		}
	}
	if len(bad) > 0 {
		return errs.Field("network.profile", bad)
	}
	slices.Sort(countries)
	slices.Sort(langs)
	in.Countries, in.Languages = countries, langs
	return nil
}

// Save replaces an organisation's profile inside the caller's transaction.
// The caller decides who may (the organisation's admins).
func (c *Core) Save(ctx context.Context, tx *sql.Tx, orgID string, in ProfileInput) error {
	if err := in.Check(); err != nil {
		return err
	}
	now := c.Clock.Now()
	for _, q := range []string{`DELETE FROM network_countries WHERE org_id = $1`, `DELETE FROM network_languages WHERE org_id = $1`,
		`DELETE FROM network_needs WHERE org_id = $1`} {
		if _, err := tx.ExecContext(ctx, q, orgID); err != nil {
			return errs.Wrap("network save", err)
		}
	}
	for _, cc := range in.Countries {
		if _, err := tx.ExecContext(ctx, `INSERT INTO network_countries (org_id, country) VALUES ($1, $2)`, orgID, cc); err != nil {
			return errs.Wrap("network save", err)
		}
	}
	for _, l := range in.Languages {
		if _, err := tx.ExecContext(ctx, `INSERT INTO network_languages (org_id, lang) VALUES ($1, $2)`, orgID, l); err != nil {
			return errs.Wrap("network save", err)
		}
	}
	for i, n := range in.Needs {
		var detail any = ""
		if !n.Detail.IsZero() {
			detail = n.Detail
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO network_needs (id, org_id, direction, sector, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			uuid.Must(uuid.NewV7()).String(), orgID, n.Direction, n.Sector, detail, now.Add(time.Duration(i)*time.Microsecond)); err != nil {
			return errs.Wrap("network save", err)
		}
	}
	return nil
}
